import { loadConfig } from '../../proto/runtime/config.ts';
import { kafkaConsumerSchema } from '../../proto/runtime/kafka.ts';
import { TLP_LEVELS, type Tlp } from '../../proto/tlp.ts';

export interface DetectorConfig {
  kafka: { brokers: string[]; clientId: string; groupId: string; maxBatch: number; maxWaitMs: number };
  rules: { dirs: string[]; pipelines: string[]; intel: string[]; reloadIntervalMs: number };
  http: { port: number };
  /**
   * correlation state bounds; stateFile ('' = off): snapshot restored on start, written on shutdown and, so that a
   * kill -9 loses at most that much of it, every snapshotEverySeconds of stream (0 = only on shutdown)
   */
  correlation: { maxKeys: number; maxEventsPerKey: number; maxHitEvents: number; stateFile: string; snapshotEverySeconds: number };
  /** defaultTlp: the TLP 2.0 marking of alerts whose rule carries no tlp.* tag */
  alerts: { defaultTlp: Tlp };
}

export const detectorSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    // 20 records per call (not hundreds): a large batch makes one evaluate() call take seconds under a backlog.
    kafka: kafkaConsumerSchema({ clientId: 'cirt-detector', groupId: 'cirt-detector', maxBatch: 20, maxWaitMs: 200 }),
    rules: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        dirs: { type: 'array', items: { type: 'string' }, default: ['rules'], description: 'Directories of Sigma rules (YAML, read recursively).' },
        pipelines: { type: 'array', items: { type: 'string' }, default: ['detection/pipelines/ecs-netflow.yml', 'detection/pipelines/windows-evtx.yml', 'detection/pipelines/honeypot.yml'], description: 'Processing pipelines (field mapping, logsource conditions) applied to the rules.' },
        intel: { type: 'array', items: { type: 'string' }, default: ['rules/intel'], description: 'IOC lists (plain, STIX 2.1, MISP JSON) exposed to rules as placeholders; missing paths are ignored.' },
        reloadIntervalMs: { type: 'integer', minimum: 0, default: 2000, description: 'How often rule, pipeline and intel files are checked for changes (0 = no hot reload).' },
      },
    },
    http: {
      type: 'object', additionalProperties: false, default: {},
      properties: { port: { type: 'integer', minimum: 0, maximum: 65535, default: 9102, description: 'Port of GET /healthz and GET /metrics (127.0.0.1).' } },
    },
    correlation: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        maxKeys: { type: 'integer', minimum: 1, default: 10000, description: 'Most group-by keys per correlation rule; the least recently updated is evicted (counted).' },
        maxEventsPerKey: { type: 'integer', minimum: 1, default: 1000, description: 'Most window entries per key; the oldest is evicted (counted).' },
        maxHitEvents: { type: 'integer', minimum: 1, default: 20, description: 'Most triggering events attached to a correlation alert.' },
        stateFile: { type: 'string', default: '', description: 'Correlation state snapshot file, restored at start and written on shutdown and periodically; empty = off.' },
        snapshotEverySeconds: { type: 'number', minimum: 0, default: 30, description: 'Seconds of stream between two correlation state snapshots (a kill -9 loses at most that much correlation state); 0 = only on shutdown.' },
      },
    },
    alerts: {
      type: 'object', additionalProperties: false, default: {},
      properties: { defaultTlp: { enum: [...TLP_LEVELS], default: 'AMBER', description: 'TLP 2.0 marking of alerts whose rule carries no tlp.* tag.' } },
    },
  },
} as const;

/** Environment variable -> config path. */
export const DETECTOR_ENV: Readonly<Record<string, string>> = {
  CIRT_KAFKA_BROKERS: 'kafka.brokers',
  CIRT_DETECTOR_GROUP: 'kafka.groupId',
  CIRT_DETECTOR_HTTP_PORT: 'http.port',
  CIRT_RULE_DIRS: 'rules.dirs',
  CIRT_INTEL_PATHS: 'rules.intel',
  CIRT_RELOAD_INTERVAL_MS: 'rules.reloadIntervalMs',
  CIRT_ALERT_DEFAULT_TLP: 'alerts.defaultTlp',
  CIRT_DETECTOR_STATE_FILE: 'correlation.stateFile',
};

export function loadDetectorConfig(file?: string, overrides?: Record<string, unknown>): Readonly<DetectorConfig> {
  return loadConfig<DetectorConfig>('detector', detectorSchema, {
    file,
    overrides,
    envMap: DETECTOR_ENV,
  });
}

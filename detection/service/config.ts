import { loadConfig } from '../../proto/runtime/config.ts';
import { kafkaConsumerSchema } from '../../proto/runtime/kafka.ts';

export interface DetectorConfig {
  kafka: { brokers: string[]; clientId: string; groupId: string; maxBatch: number; maxWaitMs: number };
  rules: { dirs: string[]; pipelines: string[]; intel: string[]; reloadIntervalMs: number };
  http: { port: number };
  /**
   * correlation state bounds; stateFile ('' = off): snapshot restored on start, written on shutdown and, so that a
   * kill -9 loses at most that much of it, every snapshotEverySeconds of stream (0 = only on shutdown)
   */
  correlation: { maxKeys: number; maxEventsPerKey: number; maxHitEvents: number; stateFile: string; snapshotEverySeconds: number };
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
        dirs: { type: 'array', items: { type: 'string' }, default: ['rules'] },
        pipelines: { type: 'array', items: { type: 'string' }, default: ['detection/pipelines/ecs-netflow.yml', 'detection/pipelines/windows-evtx.yml'] },
        /** IOC lists (plain, STIX 2.1, MISP JSON) exposed to rules as placeholders; missing paths are ignored. */
        intel: { type: 'array', items: { type: 'string' }, default: ['rules/intel'] },
        /** How often rule, pipeline and intel files are checked for changes (0 = no hot reload). */
        reloadIntervalMs: { type: 'integer', minimum: 0, default: 2000 },
      },
    },
    http: {
      type: 'object', additionalProperties: false, default: {},
      properties: { port: { type: 'integer', minimum: 0, maximum: 65535, default: 9102 } },
    },
    correlation: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        maxKeys: { type: 'integer', minimum: 1, default: 10000 },
        maxEventsPerKey: { type: 'integer', minimum: 1, default: 1000 },
        maxHitEvents: { type: 'integer', minimum: 1, default: 20 },
        stateFile: { type: 'string', default: '' },
        snapshotEverySeconds: { type: 'number', minimum: 0, default: 30 },
      },
    },
  },
} as const;

export function loadDetectorConfig(file?: string, overrides?: Record<string, unknown>): Readonly<DetectorConfig> {
  return loadConfig<DetectorConfig>('detector', detectorSchema, {
    file,
    overrides,
    envMap: {
      CIRT_KAFKA_BROKERS: 'kafka.brokers',
      CIRT_DETECTOR_GROUP: 'kafka.groupId',
      CIRT_DETECTOR_HTTP_PORT: 'http.port',
      CIRT_RULE_DIRS: 'rules.dirs',
      CIRT_INTEL_PATHS: 'rules.intel',
      CIRT_RELOAD_INTERVAL_MS: 'rules.reloadIntervalMs',
      CIRT_DETECTOR_STATE_FILE: 'correlation.stateFile',
    },
  });
}

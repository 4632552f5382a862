import { loadConfig } from '../../proto/runtime/config.ts';
import { kafkaConsumerSchema } from '../../proto/runtime/kafka.ts';
import type { RetentionDays } from './retention.ts';
import type { StoreConfig } from './store.ts';

export interface IndexerConfig {
  kafka: { brokers: string[]; clientId: string; groupId: string; maxBatch: number; maxWaitMs: number; maxRetryDelayMs: number };
  store: StoreConfig;
  /** Also index raw telemetry into events-* for hunting. */
  indexTelemetry: boolean;
  /**
   * THE retention per data class (README "Retention"): days to keep each class of daily index (events = raw
   * telemetry) and of the monthly audit indices, swept by the indexer (retention.ts); incidents and advisories,
   * the CIRT's record of its work, are kept ('never' is the only value).
   */
  retention: RetentionDays & { incidents: 'never'; advisories: 'never'; enabled: boolean; sweepEveryMinutes: number };
  http: { port: number };
}

export const indexerSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    kafka: kafkaConsumerSchema({ clientId: 'cirt-indexer', groupId: 'cirt-indexer', maxBatch: 1000, maxWaitMs: 250 }, {
      maxRetryDelayMs: { type: 'integer', minimum: 100, default: 5000, description: 'Longest pause between two attempts at a batch the store refused (store down: the loop waits).' },
    }),
    store: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        engine: { enum: ['opensearch', 'elasticsearch'], default: 'opensearch', description: 'Which document store client to use.' },
        url: { type: 'string', default: 'http://127.0.0.1:19200', description: 'URL of the OpenSearch or Elasticsearch cluster.' },
      },
    },
    indexTelemetry: { type: 'boolean', default: true, description: 'Also index raw telemetry into events-* for hunting.' },
    retention: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        enabled: { type: 'boolean', default: true, description: 'Delete expired indices (events-, alerts-, deadletter-YYYY.MM.DD, audit-YYYY.MM) at start and then periodically.' },
        events: { type: 'integer', minimum: 1, default: 30, description: 'Days to keep events-* (raw telemetry).' },
        alerts: { type: 'integer', minimum: 1, default: 365, description: 'Days to keep alerts-*.' },
        deadletter: { type: 'integer', minimum: 1, default: 90, description: 'Days to keep deadletter-* (rejected records).' },
        audit: { type: 'integer', minimum: 1, default: 730, description: 'Days to keep the operations-room audit records (audit-YYYY.MM), counted from the end of their month.' },
        incidents: { const: 'never', default: 'never', description: 'Incidents are never deleted by age (the only value accepted).' },
        advisories: { const: 'never', default: 'never', description: 'Advisories are never deleted by age (the only value accepted).' },
        sweepEveryMinutes: { type: 'integer', minimum: 1, default: 1440, description: 'Minutes between two retention sweeps.' },
      },
    },
    http: {
      type: 'object', additionalProperties: false, default: {},
      properties: { port: { type: 'integer', minimum: 0, maximum: 65535, default: 9103, description: 'Port of GET /healthz and GET /metrics (127.0.0.1).' } },
    },
  },
} as const;

/** Environment variable -> config path (CIRT_STORE_URL wins over the older CIRT_OPENSEARCH_URL). */
export const INDEXER_ENV: Readonly<Record<string, string>> = {
  CIRT_KAFKA_BROKERS: 'kafka.brokers',
  CIRT_OPENSEARCH_URL: 'store.url',
  CIRT_STORE_URL: 'store.url',
  CIRT_STORE_ENGINE: 'store.engine',
  CIRT_INDEXER_GROUP: 'kafka.groupId',
  CIRT_INDEXER_HTTP_PORT: 'http.port',
  CIRT_INDEX_TELEMETRY: 'indexTelemetry',
};

export function loadIndexerConfig(file?: string, overrides?: Record<string, unknown>, env?: NodeJS.ProcessEnv): Readonly<IndexerConfig> {
  return loadConfig<IndexerConfig>('indexer', indexerSchema, {
    file,
    overrides,
    env,
    envMap: INDEXER_ENV,
  });
}

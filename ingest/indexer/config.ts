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
      /** Longest pause between two attempts at a batch the store refused (store down: the loop waits). */
      maxRetryDelayMs: { type: 'integer', minimum: 100, default: 5000 },
    }),
    store: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        engine: { enum: ['opensearch', 'elasticsearch'], default: 'opensearch' },
        url: { type: 'string', default: 'http://127.0.0.1:19200' },
      },
    },
    indexTelemetry: { type: 'boolean', default: true },
    retention: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        enabled: { type: 'boolean', default: true },
        events: { type: 'integer', minimum: 1, default: 30 },
        alerts: { type: 'integer', minimum: 1, default: 365 },
        deadletter: { type: 'integer', minimum: 1, default: 90 },
        /** operations-room audit records (audit-YYYY.MM), counted from the end of their month */
        audit: { type: 'integer', minimum: 1, default: 730 },
        incidents: { const: 'never', default: 'never' },
        advisories: { const: 'never', default: 'never' },
        sweepEveryMinutes: { type: 'integer', minimum: 1, default: 1440 },
      },
    },
    http: {
      type: 'object', additionalProperties: false, default: {},
      properties: { port: { type: 'integer', minimum: 0, maximum: 65535, default: 9103 } },
    },
  },
} as const;

export function loadIndexerConfig(file?: string, overrides?: Record<string, unknown>, env?: NodeJS.ProcessEnv): Readonly<IndexerConfig> {
  return loadConfig<IndexerConfig>('indexer', indexerSchema, {
    file,
    overrides,
    env,
    envMap: {
      CIRT_KAFKA_BROKERS: 'kafka.brokers',
      CIRT_OPENSEARCH_URL: 'store.url',
      CIRT_STORE_URL: 'store.url',
      CIRT_STORE_ENGINE: 'store.engine',
      CIRT_INDEXER_GROUP: 'kafka.groupId',
      CIRT_INDEXER_HTTP_PORT: 'http.port',
      CIRT_INDEX_TELEMETRY: 'indexTelemetry',
    },
  });
}

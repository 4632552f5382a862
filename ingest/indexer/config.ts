import { loadConfig } from '../../proto/runtime/config.ts';

export interface IndexerConfig {
  kafka: { brokers: string[]; clientId: string; groupId: string; maxBatch: number; maxWaitMs: number };
  store: { url: string };
  /** Also index raw telemetry into events-* for hunting. */
  indexTelemetry: boolean;
  http: { port: number };
}

export const indexerSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    kafka: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        brokers: { type: 'array', items: { type: 'string' }, minItems: 1, default: ['127.0.0.1:19092'] },
        clientId: { type: 'string', default: 'cirt-indexer' },
        groupId: { type: 'string', default: 'cirt-indexer' },
        maxBatch: { type: 'integer', minimum: 1, default: 1000 },
        maxWaitMs: { type: 'integer', minimum: 10, default: 250 },
      },
    },
    store: {
      type: 'object', additionalProperties: false, default: {},
      properties: { url: { type: 'string', default: 'http://127.0.0.1:19200' } },
    },
    indexTelemetry: { type: 'boolean', default: true },
    http: {
      type: 'object', additionalProperties: false, default: {},
      properties: { port: { type: 'integer', minimum: 0, maximum: 65535, default: 9103 } },
    },
  },
} as const;

export function loadIndexerConfig(file?: string, overrides?: Record<string, unknown>): Readonly<IndexerConfig> {
  return loadConfig<IndexerConfig>('indexer', indexerSchema, {
    file,
    overrides,
    envMap: {
      CIRT_KAFKA_BROKERS: 'kafka.brokers',
      CIRT_OPENSEARCH_URL: 'store.url',
      CIRT_INDEXER_GROUP: 'kafka.groupId',
      CIRT_INDEXER_HTTP_PORT: 'http.port',
      CIRT_INDEX_TELEMETRY: 'indexTelemetry',
    },
  });
}

import { loadConfig } from '../../proto/runtime/config.ts';

export interface GatewayConfig {
  listen: { host: string; port: number };
  tls: { ca: string; cert: string; key: string };
  identity: { trustDomain: string; allowCommonName: boolean; denyListFile: string | null };
  kafka: { brokers: string[]; clientId: string };
  limits: { maxBatchBytes: number; maxEventBytes: number; maxPastHours: number; maxFutureMinutes: number; maxInflightBytes: number };
  http: { port: number };
}

export const gatewaySchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    listen: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        host: { type: 'string', default: '127.0.0.1', description: 'Address the gRPC (mTLS) server listens on; the agents connect here.' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 4317, description: 'Port of the gRPC (mTLS) server.' },
      },
    },
    tls: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        ca: { type: 'string', default: '.stack/certs/ca.crt', description: 'PEM file of the CA that signed the agents\' certificates (may hold several CAs during a CA rotation).' },
        cert: { type: 'string', default: '.stack/certs/gateway.crt', description: 'PEM file of the gateway\'s server certificate.' },
        key: { type: 'string', default: '.stack/certs/gateway.key', description: 'PEM file of the gateway\'s private key.' },
      },
    },
    identity: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        trustDomain: { type: 'string', default: 'cirt.local', description: 'SPIFFE trust domain of the agent certificates: SAN URI spiffe://<trustDomain>/agency/<agency>/agent/<agent>.' },
        allowCommonName: { type: 'boolean', default: false, description: 'Also accept CN <agent>.<agency> from certificates without a SPIFFE SAN.' },
        denyListFile: { type: ['string', 'null'], default: null, description: 'Deny list: one certificate serial (upper-case hex) or <agency>/<agent> per line, # comments; re-read on SIGHUP and checked when a stream opens. null = none.' },
      },
    },
    kafka: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        brokers: { type: 'array', items: { type: 'string' }, minItems: 1, default: ['127.0.0.1:19092'], description: 'Kafka bootstrap brokers, host:port.' },
        clientId: { type: 'string', default: 'cirt-gateway', description: 'Kafka client id.' },
      },
    },
    limits: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        maxBatchBytes: { type: 'integer', minimum: 1024, default: 4 * 1024 * 1024, description: 'Largest batch accepted (ERR_GATEWAY_BATCH_TOO_LARGE beyond).' },
        maxEventBytes: { type: 'integer', minimum: 256, default: 256 * 1024, description: 'Largest single event (ERR_GATEWAY_EVENT_TOO_LARGE beyond).' },
        maxPastHours: { type: 'number', minimum: 0, default: 24 * 30, description: 'Events older than this are kept and tagged timestamp_too_old.' },
        maxFutureMinutes: { type: 'number', minimum: 0, default: 10, description: 'Events further in the future than this are kept and tagged timestamp_in_future.' },
        maxInflightBytes: { type: 'integer', minimum: 1024, default: 64 * 1024 * 1024, description: 'Bytes of batches being produced at once; beyond, the agent is told ERR_GATEWAY_BUSY and retries.' },
      },
    },
    http: {
      type: 'object', additionalProperties: false, default: {},
      properties: { port: { type: 'integer', minimum: 0, maximum: 65535, default: 9101, description: 'Port of GET /healthz and GET /metrics (127.0.0.1).' } },
    },
  },
} as const;

/** Environment variable -> config path. */
export const GATEWAY_ENV: Readonly<Record<string, string>> = {
  CIRT_KAFKA_BROKERS: 'kafka.brokers',
  CIRT_GATEWAY_PORT: 'listen.port',
  CIRT_GATEWAY_HTTP_PORT: 'http.port',
  CIRT_GATEWAY_TLS_CA: 'tls.ca',
  CIRT_GATEWAY_TLS_CERT: 'tls.cert',
  CIRT_GATEWAY_TLS_KEY: 'tls.key',
};

export function loadGatewayConfig(file?: string, overrides?: Record<string, unknown>): Readonly<GatewayConfig> {
  return loadConfig<GatewayConfig>('gateway', gatewaySchema, {
    file,
    overrides,
    envMap: GATEWAY_ENV,
  });
}

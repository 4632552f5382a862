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
      properties: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'integer', minimum: 0, maximum: 65535, default: 4317 } },
    },
    tls: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        ca: { type: 'string', default: '.stack/certs/ca.crt' },
        cert: { type: 'string', default: '.stack/certs/gateway.crt' },
        key: { type: 'string', default: '.stack/certs/gateway.key' },
      },
    },
    identity: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        trustDomain: { type: 'string', default: 'cirt.local' },
        allowCommonName: { type: 'boolean', default: false },
        denyListFile: { type: ['string', 'null'], default: null },
      },
    },
    kafka: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        brokers: { type: 'array', items: { type: 'string' }, minItems: 1, default: ['127.0.0.1:19092'] },
        clientId: { type: 'string', default: 'cirt-gateway' },
      },
    },
    limits: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        maxBatchBytes: { type: 'integer', minimum: 1024, default: 4 * 1024 * 1024 },
        maxEventBytes: { type: 'integer', minimum: 256, default: 256 * 1024 },
        maxPastHours: { type: 'number', minimum: 0, default: 24 * 30 },
        maxFutureMinutes: { type: 'number', minimum: 0, default: 10 },
        maxInflightBytes: { type: 'integer', minimum: 1024, default: 64 * 1024 * 1024 },
      },
    },
    http: {
      type: 'object', additionalProperties: false, default: {},
      properties: { port: { type: 'integer', minimum: 0, maximum: 65535, default: 9101 } },
    },
  },
} as const;

export function loadGatewayConfig(file?: string, overrides?: Record<string, unknown>): Readonly<GatewayConfig> {
  return loadConfig<GatewayConfig>('gateway', gatewaySchema, {
    file,
    overrides,
    envMap: {
      CIRT_KAFKA_BROKERS: 'kafka.brokers',
      CIRT_GATEWAY_PORT: 'listen.port',
      CIRT_GATEWAY_HTTP_PORT: 'http.port',
      CIRT_GATEWAY_TLS_CA: 'tls.ca',
      CIRT_GATEWAY_TLS_CERT: 'tls.cert',
      CIRT_GATEWAY_TLS_KEY: 'tls.key',
    },
  });
}

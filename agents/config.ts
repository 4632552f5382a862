import { loadConfig } from '../proto/runtime/config.ts';

export interface AgentConfig {
  agentId: string;
  gateway: { address: string; ca: string; cert: string; key: string };
  shipping: { maxBatchEvents: number; maxBatchBytes: number; flushMs: number; maxInflightBatches: number };
  spool: { dir: string; maxBytes: number; segmentBytes: number; whenFull: 'block' | 'drop_oldest'; fsync: 'always' | 'interval' | 'never'; fsyncIntervalMs: number; maxRecordBytes: number };
  replay: { files: string[]; shiftToNow: boolean; loopSeconds: number };
}

export const agentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['agentId'],
  properties: {
    agentId: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
    gateway: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        address: { type: 'string', default: '127.0.0.1:4317' },
        ca: { type: 'string', default: '.stack/certs/ca.crt' },
        cert: { type: 'string', default: '.stack/certs/mofa.agent-01.crt' },
        key: { type: 'string', default: '.stack/certs/mofa.agent-01.key' },
      },
    },
    shipping: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        maxBatchEvents: { type: 'integer', minimum: 1, maximum: 100_000, default: 500 },
        maxBatchBytes: { type: 'integer', minimum: 1024, default: 1024 * 1024 },
        flushMs: { type: 'integer', minimum: 10, default: 500 },
        maxInflightBatches: { type: 'integer', minimum: 1, default: 8 },
      },
    },
    spool: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        dir: { type: 'string', default: '.stack/spool/agent' },
        maxBytes: { type: 'integer', minimum: 65536, default: 1024 * 1024 * 1024 },
        segmentBytes: { type: 'integer', minimum: 4096, default: 16 * 1024 * 1024 },
        whenFull: { enum: ['block', 'drop_oldest'], default: 'block' },
        fsync: { enum: ['always', 'interval', 'never'], default: 'interval' },
        fsyncIntervalMs: { type: 'integer', minimum: 1, default: 1000 },
        maxRecordBytes: { type: 'integer', minimum: 1024, default: 256 * 1024 },
      },
    },
    replay: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        files: { type: 'array', items: { type: 'string' }, default: [] },
        shiftToNow: { type: 'boolean', default: true },
        /** 0 = replay once, then keep the connection open. */
        loopSeconds: { type: 'number', minimum: 0, default: 0 },
      },
    },
  },
} as const;

export function loadAgentConfig(file?: string, overrides?: Record<string, unknown>): Readonly<AgentConfig> {
  return loadConfig<AgentConfig>('agent', agentSchema, {
    file,
    overrides,
    envMap: {
      CIRT_AGENT_ID: 'agentId',
      CIRT_GATEWAY_ADDRESS: 'gateway.address',
      CIRT_AGENT_CA: 'gateway.ca',
      CIRT_AGENT_CERT: 'gateway.cert',
      CIRT_AGENT_KEY: 'gateway.key',
      CIRT_REPLAY_FILES: 'replay.files',
      CIRT_REPLAY_LOOP_SECONDS: 'replay.loopSeconds',
      CIRT_AGENT_SPOOL_DIR: 'spool.dir',
    },
  });
}

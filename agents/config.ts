// The agent's one validated configuration (YAML file given with --config, then environment variables).
// `inputs:` lists the inputs, each validated by its type's schema fragment (agents/inputs/inputs.ts); the legacy
// `replay:` section (env CIRT_REPLAY_FILES) is a shorthand that adds one `jsonl` input.
import { loadConfig } from '../proto/runtime/config.ts';
import { inputEntrySchema, type InputConfig } from './inputs/inputs.ts';

export interface AgentConfig {
  agentId: string;
  gateway: { address: string; ca: string; cert: string; key: string; compression: 'gzip' | 'deflate' | 'none' };
  http: { host: string; port: number };
  inputs: InputConfig[];
  shipping: { maxBatchEvents: number; maxBatchBytes: number; flushMs: number; maxInflightBatches: number };
  spool: { dir: string; maxBytes: number; segmentBytes: number; whenFull: 'block' | 'drop_oldest'; fsync: 'always' | 'interval' | 'never'; fsyncIntervalMs: number; maxRecordBytes: number };
  replay: { files: string[]; shiftToNow: boolean; loopSeconds: number; resume: boolean };
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
        /** gRPC message compression on the shipper channel (the gateway decompresses any of them). */
        compression: { enum: ['gzip', 'deflate', 'none'], default: 'gzip' },
      },
    },
    http: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        host: { type: 'string', default: '127.0.0.1' },
        /** GET /healthz and /metrics; 0 = an ephemeral port (logged). */
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 9104 },
      },
    },
    inputs: { type: 'array', items: inputEntrySchema(), default: [] },
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
        /** Resume an interrupted replay after a restart, and do not replay a finished, unchanged file again. */
        resume: { type: 'boolean', default: true },
      },
    },
  },
} as const;

/** The inputs to run: `inputs:` plus, if `replay.files` is set, one `jsonl` input for them. */
export function effectiveInputs(config: Readonly<AgentConfig>): InputConfig[] {
  const inputs = [...config.inputs];
  if (config.replay.files.length > 0) {
    inputs.push({ type: 'jsonl', files: [...config.replay.files], shiftToNow: config.replay.shiftToNow, loopSeconds: config.replay.loopSeconds, resume: config.replay.resume, checkpointEvery: 500 });
  }
  return inputs;
}

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
      CIRT_AGENT_HTTP_PORT: 'http.port',
      CIRT_AGENT_COMPRESSION: 'gateway.compression',
      CIRT_REPLAY_RESUME: 'replay.resume',
    },
  });
}

// The agent's one validated configuration (YAML file given with --config, then environment variables).
// `inputs:` lists the inputs, each validated by its type's schema fragment (agents/inputs/inputs.ts); the legacy
// `replay:` section (env CIRT_REPLAY_FILES) is a shorthand that adds one `jsonl` input.
import { loadConfig } from '../proto/runtime/config.ts';
import { inputEntrySchema, type InputConfig } from './inputs/inputs.ts';
export { effectiveInputs } from './effective_inputs.ts';

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
    agentId: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'This agent\'s name; must equal the <agent> of its certificate (spiffe://…/agency/<agency>/agent/<agent>).' },
    gateway: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        address: { type: 'string', default: '127.0.0.1:4317', description: 'host:port of the CIRT gateway (gRPC over mutual TLS).' },
        ca: { type: 'string', default: '.stack/certs/ca.crt', description: 'PEM file of the CIRT CA that signed the gateway\'s certificate.' },
        cert: { type: 'string', default: '.stack/certs/mofa.agent-01.crt', description: 'PEM file of this agent\'s client certificate (issued by the CIRT).' },
        key: { type: 'string', default: '.stack/certs/mofa.agent-01.key', description: 'PEM file of this agent\'s private key.' },
        compression: { enum: ['gzip', 'deflate', 'none'], default: 'gzip', description: 'gRPC message compression on the shipper channel (the gateway decompresses any of them).' },
      },
    },
    http: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        host: { type: 'string', default: '127.0.0.1', description: 'Address of the health and metrics endpoint.' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 9104, description: 'Port of GET /healthz and GET /metrics; 0 = an ephemeral port (logged).' },
      },
    },
    inputs: { type: 'array', items: inputEntrySchema(), default: [], description: 'The inputs to run; each entry has a `type` and the keys of that type (see the input tables).' },
    shipping: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        maxBatchEvents: { type: 'integer', minimum: 1, maximum: 100_000, default: 500, description: 'Most events in one batch sent to the gateway.' },
        maxBatchBytes: { type: 'integer', minimum: 1024, default: 1024 * 1024, description: 'Most bytes in one batch (keep it below the gateway\'s limits.maxBatchBytes).' },
        flushMs: { type: 'integer', minimum: 10, default: 500, description: 'A batch that is not full is sent after this many milliseconds.' },
        maxInflightBatches: { type: 'integer', minimum: 1, default: 8, description: 'Batches sent and not yet acknowledged by the gateway.' },
      },
    },
    spool: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        dir: { type: 'string', default: '.stack/spool/agent', description: 'Directory of the disk spool: every event is written here before it is shipped, and kept until the gateway acknowledges it.' },
        maxBytes: { type: 'integer', minimum: 65536, default: 1024 * 1024 * 1024, description: 'Most bytes the spool keeps on disk.' },
        segmentBytes: { type: 'integer', minimum: 4096, default: 16 * 1024 * 1024, description: 'Size of one spool segment file.' },
        whenFull: { enum: ['block', 'drop_oldest'], default: 'block', description: 'When the spool is full: block the inputs, or drop the oldest segment (counted).' },
        fsync: { enum: ['always', 'interval', 'never'], default: 'interval', description: 'When spool writes are flushed to disk: every write, every fsyncIntervalMs, or left to the OS.' },
        fsyncIntervalMs: { type: 'integer', minimum: 1, default: 1000, description: 'Milliseconds between two flushes with fsync: interval.' },
        maxRecordBytes: { type: 'integer', minimum: 1024, default: 256 * 1024, description: 'Largest single event the spool accepts (ERR_SPOOL_RECORD_TOO_LARGE beyond).' },
      },
    },
    replay: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        files: { type: 'array', items: { type: 'string' }, default: [], description: 'Shorthand for one jsonl input: JSON-lines files of ECS events to replay.' },
        shiftToNow: { type: 'boolean', default: true, description: 'Shift the timestamps so that the newest event lands now (spacing kept).' },
        loopSeconds: { type: 'number', minimum: 0, default: 0, description: 'Replay again every this many seconds; 0 = replay once, then keep the connection open.' },
        resume: { type: 'boolean', default: true, description: 'Resume an interrupted replay after a restart, and do not replay a finished, unchanged file again.' },
      },
    },
  },
} as const;

/** Environment variable -> config path. */
export const AGENT_ENV: Readonly<Record<string, string>> = {
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
};

export function loadAgentConfig(file?: string, overrides?: Record<string, unknown>): Readonly<AgentConfig> {
  return loadConfig<AgentConfig>('agent', agentSchema, {
    file,
    overrides,
    envMap: AGENT_ENV,
  });
}

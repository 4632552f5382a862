// The `pcap` agent input: replays capture files (pcap/pcapng) through the CaptureProcessor — NetFlow/IPFIX exports
// in the capture are decoded, other traffic is metered into flows — at the original pace (speed 1), N times faster
// (speed N), or as fast as the spool takes them (speed 0). Flows keep their capture times. A bad record or frame is
// rejected with its file and byte offset and the replay goes on.
import { readFile } from 'node:fs/promises';
import type { AgentInput, InputContext } from '../inputs/input.ts';
import { CaptureProcessor, DEFAULT_NETFLOW_PORTS } from './capture_processor.ts';
import { PcapError } from './errors.ts';
import { readCapture } from './reader.ts';

export interface PcapInputConfig {
  type?: 'pcap';
  files: string[];
  /** 0 = as fast as possible; 1 = original pace; N = N times faster. */
  speed: number;
  netflowPorts: number[];
  flowmeter: { idleTimeoutMs: number; activeTimeoutMs: number; closeTimeoutMs: number; maxFlows: number };
}

export const pcapInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['files'],
  properties: {
    type: { const: 'pcap' },
    files: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, description: 'pcap or pcapng files to replay.' },
    speed: { type: 'number', minimum: 0, maximum: 1_000_000, default: 0, description: 'Pace: 1 = as captured, N = N times faster, 0 = as fast as the spool takes them.' },
    netflowPorts: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 65535 }, default: [...DEFAULT_NETFLOW_PORTS], description: 'UDP destination ports whose packets are decoded as NetFlow/IPFIX; other traffic is metered into flows.' },
    flowmeter: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        idleTimeoutMs: { type: 'integer', minimum: 1, default: 15_000, description: 'A metered flow with no packet for this long is exported.' },
        activeTimeoutMs: { type: 'integer', minimum: 1, default: 1_800_000, description: 'A long-lived metered flow is exported at least this often.' },
        closeTimeoutMs: { type: 'integer', minimum: 1, default: 1_000, description: 'A metered TCP flow ends this long after its FIN/RST (trailing ACKs absorbed).' },
        maxFlows: { type: 'integer', minimum: 1, maximum: 10_000_000, default: 65_536, description: 'Most metered flows in memory; beyond, one is ended early (eviction, counted).' },
      },
    },
  },
} as const;

/** Pure: how long to wait before a frame at capture time tsUs, given where the replay started. */
export function paceDelayMs(speed: number, firstTsUs: number, startedAtMs: number, tsUs: number, nowMs: number): number {
  if (speed <= 0 || tsUs <= 0) return 0;
  const due = startedAtMs + (tsUs - firstTsUs) / 1000 / speed;
  return Math.max(0, due - nowMs);
}

export function createPcapInput(config: PcapInputConfig): AgentInput {
  const counters = { files_replayed: 0, frames_read: 0, events_emitted: 0, records_rejected: 0 };
  const procs: CaptureProcessor[] = [];
  let stopped = false;
  return {
    name: `pcap:${config.files.join(',')}`,
    async start(ctx: InputContext) {
      for (const file of config.files) {
        if (stopped) return;
        let buf: Buffer;
        try {
          buf = await readFile(file);
        } catch (err) {
          counters.records_rejected++;
          ctx.reject(new PcapError('ERR_PCAP_FORMAT', `cannot read: ${(err as Error).message}`, { file }, err));
          continue;
        }
        const proc = new CaptureProcessor({ netflowPorts: config.netflowPorts, flowmeter: config.flowmeter, source: file });
        procs.push(proc);
        const startedAt = Date.now();
        let firstTs = 0;
        for (const item of readCapture(buf, file)) {
          if (stopped) return;
          if (item instanceof PcapError) {
            counters.records_rejected++;
            ctx.reject(item);
            continue;
          }
          counters.frames_read++;
          if (firstTs === 0) firstTs = item.tsUs;
          const wait = paceDelayMs(config.speed, firstTs, startedAt, item.tsUs, Date.now());
          if (wait > 0) {
            await sleep(wait);
            for (const ev of proc.advance(item.tsUs)) await emit(ctx, ev);
          }
          const r = proc.process(item);
          for (const err of r.errors) {
            counters.records_rejected++;
            ctx.reject(err);
          }
          for (const ev of r.events) await emit(ctx, ev);
        }
        for (const ev of proc.flush()) await emit(ctx, ev);
        counters.files_replayed++;
        ctx.log.info('capture replayed', { file, ...proc.counters() });
      }
      async function emit(c: InputContext, ev: import('../../proto/ecs.ts').EcsEvent) {
        await c.emit('flow', ev);
        counters.events_emitted++;
      }
    },
    async stop() {
      stopped = true;
    },
    counters() {
      const out: Record<string, number> = { ...counters };
      for (const p of procs) for (const [k, v] of Object.entries(p.counters())) out[k] = (out[k] ?? 0) + v;
      return out;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

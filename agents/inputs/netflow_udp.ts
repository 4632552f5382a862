// NetFlow v5/v9/IPFIX collector: a UDP socket (loopback by default) with a large receive buffer, a bounded packet
// queue, a disk spill behind it, and a decoder loop. The socket handler only copies the datagram into the queue — it
// never waits. When the queue is full (a burst faster than the decoder), datagrams go to the spill
// (agents/inputs/packet_spill.ts: segment files in the agent's state directory), and from then on every datagram goes
// there until the decoder has read it empty, so the order exporters sent them in (templates before their data) is
// kept. Only when the spill is full too (or the disk refuses) is the newest packet dropped, counted as
// dropped_packets_total (goflow2 utils/udp.go; vector `drop_newest`, and its disk buffer). The decoder loop takes
// packets in order, decodes them with per-exporter template state (agents/netflow), and hands each flow to `emit`:
// a slow spool slows the loop, the queue and the spill absorb bursts, and overflow is counted, never silent.
import { createSocket, type Socket } from 'node:dgram';
import { join } from 'node:path';
import type { CirtError } from '../../proto/errors.ts';
import { createNetflowState, decodePacket, toEcs } from '../netflow/index.ts';
import type { AgentInput, InputContext } from './input.ts';
import { PacketSpill } from './packet_spill.ts';

/**
 * How many packets the decoder handles before it lets the event loop read the socket again. Small, so reading keeps
 * ahead of decoding: a burst then waits in our bounded queue and the spill (a drop there is counted) instead of
 * overflowing the kernel's socket buffer (a drop there is invisible to us). libuv reads at most 32 datagrams per
 * turn, and each turn costs a poll, so: every 8 packets normally (32 lost ~25 % in the kernel at 60k pps; 8 reads
 * them all), every 2 once a backlog builds (BACKLOG_PACKETS queued, or anything in the spill): the decoder is behind
 * anyway, each datagram may also cost its write to disk, and reading decides what is kept (8 lost ~0.3 % in the
 * kernel at 80–100k pps, 2 none). bench/collector.bench.ts.
 */
const YIELD_EVERY_PACKETS = 8;
const YIELD_EVERY_PACKETS_BACKLOG = 2;
const BACKLOG_PACKETS = 1024;

export interface NetflowInputConfig {
  type?: 'netflow';
  host: string;
  port: number;
  /** SO_RCVBUF asked of the kernel (it may cap it at net.core.rmem_max; the granted size is logged). */
  receiveBufferBytes: number;
  /** Packets waiting for the decoder; beyond this, `whenFull` applies. */
  queuePackets: number;
  whenFull: 'drop_newest';
  /** Disk behind the queue for bursts (bytes of datagrams); 0 = none, a full queue drops at once. */
  spillMaxBytes: number;
  maxTemplates: number;
  templateTtlSeconds: number;
}

export const netflowInputSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    type: { const: 'netflow' },
    host: { type: 'string', minLength: 1, default: '127.0.0.1', description: 'UDP address the exporters send NetFlow v5/v9/IPFIX to.' },
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 2055, description: 'UDP port; 0 = an ephemeral port (tests).' },
    receiveBufferBytes: { type: 'integer', minimum: 65536, maximum: 1 << 30, default: 8 * 1024 * 1024, description: 'SO_RCVBUF asked of the kernel (capped at net.core.rmem_max; the granted size is logged).' },
    queuePackets: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 20_000, description: 'Packets waiting for the decoder; beyond this, whenFull applies.' },
    whenFull: { enum: ['drop_newest'], default: 'drop_newest', description: 'When the queue and the spill are full, the newest packet is dropped, counted in agent_input_dropped_packets_total.' },
    spillMaxBytes: { type: 'integer', minimum: 0, default: 256 * 1024 * 1024, description: 'Disk (in the spool directory) that takes the datagrams a full queue cannot, in order, until the decoder catches up; 0 = no spill.' },
    maxTemplates: { type: 'integer', minimum: 1, default: 10_000, description: 'Most v9/IPFIX templates kept (all exporters); the least recently refreshed goes first.' },
    templateTtlSeconds: { type: 'integer', minimum: 0, default: 1800, description: 'A template not refreshed for this long is forgotten; 0 = never.' },
  },
} as const;

export interface NetflowInput extends AgentInput {
  /** The bound address once started (the real port when configured with 0). */
  address(): { host: string; port: number };
}

interface Queued {
  buf: Buffer;
  exporter: string;
  at: number;
}

/** A bounded FIFO ring: push never blocks, it refuses when full. */
export class PacketQueue<T> {
  private readonly items: (T | undefined)[];
  private head = 0;
  private size = 0;
  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }
  get length(): number {
    return this.size;
  }
  push(item: T): boolean {
    if (this.size === this.capacity) return false;
    this.items[(this.head + this.size) % this.capacity] = item;
    this.size++;
    return true;
  }
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
    return item;
  }
}

/** Where a collector keeps its spill: one directory per listening address, under the agent's state directory. */
export function spillDir(stateDir: string, config: Pick<NetflowInputConfig, 'host' | 'port'>): string {
  return join(stateDir, `netflow-spill-${config.host.replace(/[^0-9A-Za-z.]/g, '_')}-${config.port}`);
}

export function createNetflowInput(config: NetflowInputConfig, deps?: { stateDir: string }): NetflowInput {
  const state = createNetflowState({ templates: { maxTemplates: config.maxTemplates, ttlMs: config.templateTtlSeconds * 1000 } });
  const queue = new PacketQueue<Queued>(config.queuePackets);
  const c = { received_packets_total: 0, received_bytes_total: 0, dropped_packets_total: 0, decoded_packets_total: 0, decoded_records_total: 0, rejected_packets_total: 0, queue_length: 0, queue_capacity: config.queuePackets, receive_buffer_bytes: 0 };
  let spill: PacketSpill | undefined;
  const spilling = (): boolean => spill !== undefined && spill.length > 0;
  /** Queue or spill a datagram; false when neither has room. Once anything is in the spill, everything goes there
   *  until the decoder has emptied it, so datagrams are decoded in the order they came. */
  const keep = (buf: Buffer, exporter: string, at: number): boolean => {
    if (spilling()) return spill!.push(buf, exporter, at);
    return queue.push({ buf, exporter, at }) || (spill?.push(buf, exporter, at) ?? false);
  };
  let socket: Socket | undefined;
  let bound = { host: config.host, port: config.port };
  let wake: (() => void) | undefined;
  let stopped = false;
  let loopDone: Promise<void> = Promise.resolve();

  const decodeLoop = async (ctx: InputContext) => {
    let sinceYield = 0;
    while (!stopped) {
      // emit() resolves as a microtask, so without this the loop would never let the socket's I/O callbacks run
      // while packets are queued: the kernel buffer, not our bounded queue, would then take the bursts (and drop).
      if (++sinceYield >= (queue.length >= BACKLOG_PACKETS || spilling() ? YIELD_EVERY_PACKETS_BACKLOG : YIELD_EVERY_PACKETS)) {
        sinceYield = 0;
        await new Promise<void>((r) => setImmediate(r));
      }
      // the queue holds what came before anything in the spill: drain it first
      const item = queue.shift() ?? spill?.shift();
      if (!item) {
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
        continue;
      }
      const r = decodePacket(item.buf, { exporter: item.exporter, now: item.at, ...state });
      c.decoded_packets_total++;
      if (r.errors.length > 0) c.rejected_packets_total++;
      for (const err of r.errors) ctx.reject(err as CirtError);
      const ecsOpts = { exporter: item.exporter };
      for (const rec of r.records) {
        c.decoded_records_total++;
        // no await when the spool took the event at once: an await per flow costs a microtask turn (~13 per packet)
        const waiting = ctx.emit('flow', toEcs(rec, ecsOpts));
        if (waiting !== undefined) await waiting;
      }
    }
  };

  return {
    get name() {
      return `netflow-udp:${bound.host}:${bound.port}`;
    },
    address: () => bound,
    async start(ctx) {
      stopped = false;
      if (config.spillMaxBytes > 0 && deps !== undefined && spill === undefined) {
        const dir = spillDir(deps.stateDir, config);
        try {
          const opened = new PacketSpill({ dir, maxBytes: config.spillMaxBytes });
          spill = opened;
          let lastLoggedAt = Number.NEGATIVE_INFINITY;
          opened.onLost = (n, error) => {
            c.dropped_packets_total += n;
            // every loss is counted; the log says it at most once a minute (a full disk fails every write)
            if (Date.now() - lastLoggedAt < 60_000) return;
            lastLoggedAt = Date.now();
            ctx.log.error('netflow spill write failed: datagrams dropped (logged at most once a minute; dropped_packets_total counts each)', { dir, packets: n, writeErrors: opened.counters.spill_write_errors_total, error });
          };
          if (opened.length > 0) ctx.log.warn('netflow spill left by the last run: decoding it first', { dir, packets: opened.length, bytes: opened.bytes });
        } catch (err) {
          // collecting matters more than the spill: run without it (a full queue then drops, counted), say so loudly
          ctx.log.error('netflow spill unavailable: a full queue drops the newest packets', { dir, error: err });
        }
      }
      const s = createSocket({ type: config.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: config.receiveBufferBytes });
      socket = s;
      s.on('message', (buf, rinfo) => {
        c.received_packets_total++;
        c.received_bytes_total += buf.length;
        // dgram hands over a fresh Buffer per datagram: queue it as is, no copy
        if (!keep(buf, rinfo.address, Date.now())) {
          c.dropped_packets_total++;
          return;
        }
        wake?.();
      });
      s.on('error', (err) => ctx.log.error('netflow socket error', { error: err, address: `${config.host}:${config.port}` }));
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind(config.port, config.host, () => {
          s.off('error', reject);
          resolve();
        });
      });
      const a = s.address();
      bound = { host: a.address, port: a.port };
      try {
        c.receive_buffer_bytes = s.getRecvBufferSize();
      } catch {
        /* not available on every platform */
      }
      if (c.receive_buffer_bytes < config.receiveBufferBytes) ctx.log.warn('the kernel granted a smaller UDP receive buffer than configured (raise net.core.rmem_max)', { asked: config.receiveBufferBytes, granted: c.receive_buffer_bytes });
      ctx.log.info('netflow collector listening', { address: `${bound.host}:${bound.port}`, receiveBufferBytes: c.receive_buffer_bytes, queuePackets: config.queuePackets });
      loopDone = decodeLoop(ctx).catch((err: unknown) => ctx.log.error('netflow decoder loop failed', { error: err }));
    },
    async stop() {
      stopped = true;
      wake?.();
      await new Promise<void>((r) => (socket ? socket.close(() => r()) : r()));
      socket = undefined;
      await loopDone;
      // what the decoder did not reach stays on disk and is decoded first at the next start
      spill?.close();
      spill = undefined;
    },
    counters() {
      const m = state.metrics as unknown as Record<string, unknown>;
      const out: Record<string, number> = { ...c, queue_length: queue.length, spill_packets: spill?.length ?? 0, spill_bytes: spill?.bytes ?? 0, ...spill?.counters };
      for (const [k, v] of Object.entries(m)) if (typeof v === 'number') out[`decoder_${k}`] = v;
      return out;
    },
  };
}

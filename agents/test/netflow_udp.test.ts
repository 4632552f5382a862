// The NetFlow/IPFIX UDP collector on loopback with the real softflowd exports (agents/test/fixtures/*.pcap, see
// that README): every v5/v9/IPFIX record becomes a flow event; a malformed datagram is rejected with its code; a full
// queue spills to disk in order, and drops the newest packets (counted) only when the spill is full too, never
// blocking the socket; a spill left by a killed agent is decoded at the next start.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { EcsEvent } from '../../proto/ecs.ts';
import type { CirtError } from '../../proto/errors.ts';
import { createLogger } from '../../proto/runtime/log.ts';
import { readPcapUdp } from '../netflow/test/pcap_payloads.ts';
import { PacketQueue, createNetflowInput, spillDir } from '../inputs/netflow_udp.ts';
import { PacketSpill } from '../inputs/packet_spill.ts';

const FIX = new URL('./fixtures/', import.meta.url).pathname;
const log = createLogger('test', { write: () => undefined });
const base = { host: '127.0.0.1', port: 0, receiveBufferBytes: 1 << 20, whenFull: 'drop_newest' as const, maxTemplates: 100, templateTtlSeconds: 60, spillMaxBytes: 0 };

async function send(port: number, payloads: Buffer[]): Promise<void> {
  const s = createSocket('udp4');
  for (const p of payloads) await new Promise<void>((r, j) => s.send(p, port, '127.0.0.1', (err) => (err ? j(err) : r())));
  s.close();
}

/** An emit that awaits `gate` holds the decoder on its first flow, so the queue (and the spill) fill up. */
function decoderGate(): { gate: Promise<void>; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  return { gate, release };
}

async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('netflow UDP input', () => {
  test('v5, v9 and IPFIX exports from softflowd become flow events; a bad datagram is rejected by code', async () => {
    const input = createNetflowInput({ ...base, queuePackets: 100 });
    const events: EcsEvent[] = [];
    const rejected: CirtError[] = [];
    await input.start({ log, emit: async (kind, ev) => void (kind === 'flow' && events.push(ev)), reject: (e) => rejected.push(e) });
    try {
      const payloads = ['netflow-v5.pcap', 'netflow-v9.pcap', 'ipfix.pcap'].map((f) => readPcapUdp(`${FIX}${f}`)[0]!.payload);
      await send(input.address().port, [...payloads, Buffer.from([0, 7, 0, 1])]);
      await until(() => events.length >= 7 + 13 + 13 && rejected.length >= 1);
      assert.equal(events.length, 33, 'v5: 7 flows, v9: 13, IPFIX: 13 (fixtures README)');
      assert.deepEqual(rejected.map((e) => e.code), ['ERR_NETFLOW_VERSION']);
      assert.ok(events.every((e) => e.event?.dataset === 'netflow.flow' && e.observer?.ip?.[0] === '127.0.0.1'));
      const c = input.counters();
      assert.equal(c.received_packets_total, 4);
      assert.equal(c.rejected_packets_total, 1);
      assert.equal(c.dropped_packets_total, 0);
      assert.match(input.name, /^netflow-udp:127\.0\.0\.1:\d+$/);
    } finally {
      await input.stop();
    }
  });

  test('without a spill, a slow spool fills the queue: the newest packets are dropped and counted, the socket keeps reading', async () => {
    const input = createNetflowInput({ ...base, queuePackets: 5 });
    const { gate, release } = decoderGate();
    let emitted = 0;
    await input.start({ log, emit: async () => { await gate; emitted++; }, reject: () => undefined });
    try {
      const v5 = readPcapUdp(`${FIX}netflow-v5.pcap`)[0]!.payload;
      await send(input.address().port, Array.from({ length: 50 }, () => v5));
      await until(() => input.counters().received_packets_total === 50);
      const c = input.counters();
      // one packet is in the decoder (blocked in emit), 5 wait in the queue, the rest were dropped
      assert.equal(c.dropped_packets_total, 44);
      assert.equal(c.queue_length, 5);
      release();
      await until(() => emitted === 6 * 7);
      assert.equal(input.counters().decoded_records_total, 42);
    } finally {
      release();
      await input.stop();
    }
  });

  /** The v5 fixture with its header's flow sequence set to `seq` (each copy recognisable in the events). */
  const v5WithSequence = (seq: number): Buffer => {
    const p = Buffer.from(readPcapUdp(`${FIX}netflow-v5.pcap`)[0]!.payload);
    p.writeUInt32BE(seq, 16);
    return p;
  };

  test('a full queue spills to disk: nothing is dropped, and the decoder gets every packet in the order sent', async () => {
    const stateDir = mkdtempSync(join(os.tmpdir(), 'nf-spill-'));
    const input = createNetflowInput({ ...base, queuePackets: 5, spillMaxBytes: 1 << 20 }, { stateDir });
    const { gate, release } = decoderGate();
    const sequences: number[] = [];
    await input.start({ log, emit: async (_k, ev) => { await gate; sequences.push((ev['netflow'] as { sequence: number }).sequence); }, reject: () => undefined });
    try {
      await send(input.address().port, Array.from({ length: 50 }, (_, i) => v5WithSequence(1000 + i)));
      await until(() => input.counters().received_packets_total === 50);
      let c = input.counters();
      // One datagram is in the decoder (blocked in emit), the queue is full, the rest went to disk. Whether the decoder
      // took the first datagram before the queue filled (5 queued) or after (4: the slot it freed stays empty, since
      // once the spill holds anything newer datagrams go behind it, not ahead) depends on the event loop's timing.
      assert.equal(c.dropped_packets_total, 0);
      assert.ok(c.queue_length === 4 || c.queue_length === 5, `queue ${c.queue_length}`);
      assert.equal(c.spill_packets, 49 - c.queue_length!);
      assert.equal(c.spilled_packets_total, c.spill_packets);
      release();
      await until(() => sequences.length === 50 * 7);
      const order = sequences.filter((_, i) => i % 7 === 0);
      assert.deepEqual(order, Array.from({ length: 50 }, (_, i) => 1000 + i), 'queue first, then the spill, in arrival order');
      c = input.counters();
      assert.equal(c.spill_packets, 0);
      assert.equal(c.decoded_records_total, 350);
      assert.deepEqual(readdirSync(spillDir(stateDir, { host: '127.0.0.1', port: 0 })), [], 'read segments are deleted (the directory is named after the configured address)');
    } finally {
      release();
      await input.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  test('when the spill is full too, the newest packets are dropped and counted', async () => {
    const stateDir = mkdtempSync(join(os.tmpdir(), 'nf-spill-'));
    const pkt = v5WithSequence(1);
    // room for exactly 3 datagrams on disk (each record: 8 + 9 + 9-byte exporter + the datagram)
    const input = createNetflowInput({ ...base, queuePackets: 5, spillMaxBytes: 3 * (8 + 9 + 9 + pkt.length) }, { stateDir });
    const { gate, release } = decoderGate();
    let emitted = 0;
    await input.start({ log, emit: async () => { await gate; emitted++; }, reject: () => undefined });
    try {
      await send(input.address().port, Array.from({ length: 20 }, () => pkt));
      await until(() => input.counters().received_packets_total === 20);
      const c = input.counters();
      // one in the decoder, 4 or 5 queued (see above), 3 on disk, the rest dropped
      assert.equal(c.spill_packets, 3);
      assert.equal(c.dropped_packets_total, 20 - 1 - c.queue_length! - 3);
      release();
      await until(() => emitted === (1 + c.queue_length! + 3) * 7);
    } finally {
      release();
      await input.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  test('a spill left on disk by a stopped or killed agent is decoded first at the next start; a torn tail is counted', async () => {
    const stateDir = mkdtempSync(join(os.tmpdir(), 'nf-spill-'));
    const port = 0;
    const dir = spillDir(stateDir, { host: '127.0.0.1', port });
    // What a killed agent leaves: two segments, the second cut in the middle of a record.
    const spill = new PacketSpill({ dir, maxBytes: 1 << 20, segmentBytes: 1 });
    for (let i = 0; i < 4; i++) spill.push(v5WithSequence(500 + i), '192.0.2.7', Date.now());
    spill.close();
    const segments = readdirSync(dir).sort();
    assert.ok(segments.length >= 1);
    appendFileSync(join(dir, segments.at(-1)!), Buffer.from([200, 0, 0, 0, 1, 2, 3]));
    const input = createNetflowInput({ ...base, queuePackets: 5, spillMaxBytes: 1 << 20 }, { stateDir });
    const events: EcsEvent[] = [];
    await input.start({ log, emit: (_k, ev) => void events.push(ev), reject: () => undefined });
    try {
      await until(() => events.length === 4 * 7);
      assert.deepEqual(events.filter((_, i) => i % 7 === 0).map((e) => (e['netflow'] as { sequence: number }).sequence), [500, 501, 502, 503]);
      assert.ok(events.every((e) => e.observer?.ip?.[0] === '192.0.2.7'), 'the exporter recorded in the spill');
      const c = input.counters();
      assert.equal(c.spill_recovered_packets, 4);
      assert.equal(c.spill_corrupt_records_total, 1);
    } finally {
      await input.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  test('a spill directory that cannot be created is logged; the collector runs without it', async () => {
    const stateDir = mkdtempSync(join(os.tmpdir(), 'nf-spill-'));
    writeFileSync(join(stateDir, 'blocker'), 'a file where the state directory should be');
    const errors: string[] = [];
    const input = createNetflowInput({ ...base, queuePackets: 5, spillMaxBytes: 1 << 20 }, { stateDir: join(stateDir, 'blocker') });
    const events: EcsEvent[] = [];
    const logger = createLogger('test', { write: (line: string) => void (line.includes('"level":"error"') && errors.push(line)) });
    await input.start({ log: logger, emit: (_k, ev) => void events.push(ev), reject: () => undefined });
    try {
      assert.equal(errors.length, 1);
      assert.match(errors[0]!, /netflow spill unavailable/);
      await send(input.address().port, [v5WithSequence(7)]);
      await until(() => events.length === 7);
      assert.equal(input.counters().spill_packets, 0);
    } finally {
      await input.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  test('a spill write the disk refuses drops those datagrams, counted, and logs why once (not once per write)', async () => {
    const stateDir = mkdtempSync(join(os.tmpdir(), 'nf-spill-'));
    const input = createNetflowInput({ ...base, queuePackets: 5, spillMaxBytes: 1 << 20 }, { stateDir });
    const { gate, release } = decoderGate();
    const errors: string[] = [];
    const logger = createLogger('test', { write: (line: string) => void (line.includes('"level":"error"') && errors.push(line)) });
    let flows = 0;
    await input.start({ log: logger, emit: async () => { await gate; flows++; }, reject: () => undefined });
    try {
      rmSync(spillDir(stateDir, { host: '127.0.0.1', port: 0 }), { recursive: true, force: true }); // the disk goes away
      await send(input.address().port, Array.from({ length: 50 }, (_, i) => v5WithSequence(2000 + i)));
      await until(() => input.counters().received_packets_total === 50);
      release();
      await until(() => input.counters().spill_packets === 0 && input.counters().queue_length === 0 && flows === (50 - input.counters().dropped_packets_total!) * 7);
      const c = input.counters();
      assert.ok(c.dropped_packets_total! > 0, 'the spilled datagrams are dropped');
      assert.ok(c.spill_write_errors_total! >= 1);
      assert.equal(errors.length, 1, `one error line: ${errors.join('\n')}`);
      assert.match(errors[0]!, /netflow spill write failed/);
      assert.match(errors[0]!, /ENOENT/);
    } finally {
      release();
      await input.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  test('PacketSpill: FIFO across segments, bounded, frees what it has read', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'spill-unit-'));
    try {
      const s = new PacketSpill({ dir, maxBytes: 3_000, segmentBytes: 300 });
      const pkts = Array.from({ length: 40 }, (_, i) => Buffer.alloc(100 + (i % 7), i));
      const accepted = pkts.filter((p, i) => s.push(p, '10.0.0.1', 1_700_000_000_000 + i));
      // each record is 8 + 9 + 8 (exporter) + 100..106 bytes; a datagram that would pass 3,000 bytes is refused
      let room = 3_000;
      const fits = pkts.filter((p) => (25 + p.length <= room ? ((room -= 25 + p.length), true) : false));
      assert.equal(fits.length, 23);
      assert.deepEqual(accepted, fits);
      assert.equal(s.length, 23);
      const out: Buffer[] = [];
      for (let p = s.shift(); p !== undefined; p = s.shift()) {
        assert.equal(p.exporter, '10.0.0.1');
        assert.equal(p.at, 1_700_000_000_000 + out.length);
        out.push(p.buf);
      }
      assert.deepEqual(out, accepted, 'same datagrams, same order, across several segments');
      assert.equal(s.length, 0);
      assert.equal(s.bytes, 0);
      assert.deepEqual(readdirSync(dir), [], 'every segment read is deleted');
      // interleaved pushes and shifts keep the order
      for (let i = 0; i < 5; i++) s.push(pkts[i]!, '::1', i);
      assert.deepEqual(s.shift()?.buf, pkts[0]);
      for (let i = 5; i < 8; i++) s.push(pkts[i]!, '::1', i);
      const rest: Buffer[] = [];
      for (let p = s.shift(); p !== undefined; p = s.shift()) rest.push(p.buf);
      assert.deepEqual(rest, pkts.slice(1, 8));
      s.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('PacketSpill: a write the disk refuses loses only the datagrams it held, counted, and says why', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'spill-unit-'));
    const s = new PacketSpill({ dir, maxBytes: 1 << 30, segmentBytes: 1 << 20 });
    const lost: { n: number; code: string | undefined }[] = [];
    s.onLost = (n, error) => lost.push({ n, code: (error as NodeJS.ErrnoException).code });
    rmSync(dir, { recursive: true, force: true }); // the segment file cannot be created any more
    let pushed = 0;
    while (lost.length === 0 && pushed < 10_000) if (s.push(Buffer.alloc(1000, 7), '10.0.0.1', pushed)) pushed++;
    assert.equal(lost.length, 1, 'the first flush fails');
    assert.equal(lost[0]!.code, 'ENOENT');
    assert.ok(lost[0]!.n > 0 && lost[0]!.n <= pushed);
    assert.equal(s.counters.spill_write_errors_total, 1);
    assert.equal(s.length, pushed - lost[0]!.n, 'what was lost is no longer counted as spilled');
    s.close();
  });

  test('PacketQueue is a bounded FIFO', () => {
    const q = new PacketQueue<number>(2);
    assert.equal(q.push(1), true);
    assert.equal(q.push(2), true);
    assert.equal(q.push(3), false);
    assert.equal(q.shift(), 1);
    assert.equal(q.push(4), true);
    assert.deepEqual([q.shift(), q.shift(), q.shift()], [2, 4, undefined]);
  });
});

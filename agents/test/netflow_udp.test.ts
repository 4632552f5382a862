// The NetFlow/IPFIX UDP collector on loopback with the real softflowd exports (agents/test/fixtures/*.pcap, see
// that README): every v5/v9/IPFIX record becomes a flow event; a malformed datagram is rejected with its code; a full
// queue drops the newest packets and counts them without blocking the socket.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { describe, test } from 'node:test';
import type { EcsEvent } from '../../proto/ecs.ts';
import type { CirtError } from '../../proto/errors.ts';
import { createLogger } from '../../proto/runtime/log.ts';
import { readPcapUdp } from '../netflow/test/pcap_payloads.ts';
import { PacketQueue, createNetflowInput } from '../inputs/netflow_udp.ts';

const FIX = new URL('./fixtures/', import.meta.url).pathname;
const log = createLogger('test', { write: () => undefined });
const base = { host: '127.0.0.1', port: 0, receiveBufferBytes: 1 << 20, whenFull: 'drop_newest' as const, maxTemplates: 100, templateTtlSeconds: 60 };

async function send(port: number, payloads: Buffer[]): Promise<void> {
  const s = createSocket('udp4');
  for (const p of payloads) await new Promise<void>((r, j) => s.send(p, port, '127.0.0.1', (err) => (err ? j(err) : r())));
  s.close();
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

  test('a slow spool fills the queue: the newest packets are dropped and counted, the socket keeps reading', async () => {
    const input = createNetflowInput({ ...base, queuePackets: 5 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
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

// The shared producer's ordering and recovery rules, with a scripted sender (the broker side is in
// kafka_producer.int.test.ts against the real Kafka).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError, ResponseError } from '@platformatic/kafka';
import { fatalSequenceError, serialProducer, type KafkaRecordOut, type RawSender } from '../runtime/kafka.ts';

const rec = (key: string): KafkaRecordOut => ({ topic: 't', key, value: `v-${key}` });

function scripted(fail: (call: number) => unknown) {
  const log = { made: 0, closed: 0, requests: [] as string[][], inFlight: 0, maxInFlight: 0 };
  const make = (): RawSender => {
    log.made++;
    return {
      async send(records) {
        const call = log.requests.push(records.map((r) => r.key)) - 1;
        log.inFlight++;
        log.maxInFlight = Math.max(log.maxInFlight, log.inFlight);
        await new Promise((r) => setTimeout(r, 5));
        log.inFlight--;
        const err = fail(call);
        if (err) throw err;
      },
      close: async () => void log.closed++,
    };
  };
  return { log, make };
}

test('concurrent sends never overlap and the queued ones are coalesced into one request, in order', async () => {
  const { log, make } = scripted(() => undefined);
  const p = serialProducer(make);
  await Promise.all(['a', 'b', 'c', 'd'].map((k) => p.send([rec(k)])));
  assert.equal(log.maxInFlight, 1);
  assert.deepEqual(log.requests, [['a'], ['b', 'c', 'd']]);
  assert.equal(p.requests, 2);
  assert.equal(log.made, 1);
});

test('coalescing stops at maxRequestBytes, and a send bigger than that is split into several requests', async () => {
  const { log, make } = scripted(() => undefined);
  const p = serialProducer(make, { maxRequestBytes: 8 }); // each record is 1 + 3 bytes
  await Promise.all([[rec('a')], [rec('b')], [rec('c')], [rec('d')], [rec('x'), rec('y'), rec('z')]].map((r) => p.send(r)));
  assert.deepEqual(log.requests, [['a'], ['b', 'c'], ['d'], ['x', 'y'], ['z']]);
});

test('a fatal sequence error fails that request with a retryable ERR_KAFKA_PRODUCER_RESET and recreates the client', async () => {
  const seqError = new ResponseError(0, 9, { '/topics/0/partitions/0': [45, 'out of order'] }, undefined);
  const { log, make } = scripted((call) => (call === 0 ? seqError : undefined));
  const resets: unknown[] = [];
  const p = serialProducer(make, { onReset: (e) => resets.push(e) });
  const first = p.send([rec('a')]);
  const second = p.send([rec('b')]);
  await assert.rejects(first, (err: { code: string; retryable: boolean }) => err.code === 'ERR_KAFKA_PRODUCER_RESET' && err.retryable);
  await second; // the next request goes through a new client
  assert.equal(log.made, 2);
  assert.equal(log.closed, 1);
  assert.equal(p.resets, 1);
  assert.equal(resets[0], seqError);
  await p.send([rec('a')]); // the caller's retry
  assert.deepEqual(log.requests, [['a'], ['b'], ['a']]);
});

test('any other failure is a retryable ERR_KAFKA_PRODUCE, and the client is recreated too (its sequences are ambiguous)', async () => {
  const { log, make } = scripted((call) => (call === 0 ? new Error('connect ECONNREFUSED') : undefined));
  const p = serialProducer(make);
  await assert.rejects(p.send([rec('a')]), (err: { code: string; retryable: boolean; message: string }) => err.code === 'ERR_KAFKA_PRODUCE' && err.retryable && /ECONNREFUSED/.test(err.message));
  await p.send([rec('a')]);
  assert.equal(log.made, 2);
});

test('fatalSequenceError finds the broker code inside nested platformatic errors', () => {
  assert.equal(fatalSequenceError(new ProtocolError('OUT_OF_ORDER_SEQUENCE_NUMBER')), 'OUT_OF_ORDER_SEQUENCE_NUMBER');
  assert.equal(fatalSequenceError(new Error('wrapped', { cause: new ResponseError(0, 9, { x: [59, null] }, undefined) })), 'UNKNOWN_PRODUCER_ID');
  assert.equal(fatalSequenceError(new ProtocolError('NOT_LEADER_OR_FOLLOWER')), undefined);
  assert.equal(fatalSequenceError('nope'), undefined);
});

test('close waits for queued sends, then refuses new ones', async () => {
  const { log, make } = scripted(() => undefined);
  const p = serialProducer(make);
  const sends = [p.send([rec('a')]), p.send([rec('b')])];
  await p.close();
  await Promise.all(sends);
  assert.equal(log.closed, 1);
  await assert.rejects(p.send([rec('c')]), /closed/);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecordKind } from '../../proto/gen/ingest.ts';
import { Batcher } from '../shipper/batcher.ts';

const rec = (n: number) => ({ kind: RecordKind.RECORD_KIND_LOG, eventJson: Buffer.from(`{"n":${n}}`) });
const limits = { maxBatchEvents: 3, maxBatchBytes: 1_000_000, maxInflightBatches: 2, maxQueuedEvents: 10 };

test('batches are numbered from 1 and hold at most maxBatchEvents records', () => {
  const b = new Batcher('agent-01', 'boot', limits);
  for (let i = 0; i < 7; i++) b.push(rec(i));
  const first = b.next()!;
  const second = b.next()!;
  assert.deepEqual([first.seq, first.records.length, second.seq, second.records.length], [1, 3, 2, 3]);
  assert.equal(b.next(), undefined, 'the in-flight window is full');
  assert.equal(b.queued, 1);
});

test('records leave only when their batch is settled; unacked batches are re-sent in seq order', () => {
  const b = new Batcher('agent-01', 'boot', limits);
  for (let i = 0; i < 6; i++) b.push(rec(i));
  b.next();
  b.next();
  assert.equal(b.inflightRecords, 6);
  assert.deepEqual(b.unacked().map((x) => x.seq), [1, 2]);
  assert.equal(b.settle(2), 3);
  assert.deepEqual(b.unacked().map((x) => x.seq), [1]);
  assert.equal(b.settle(2), 0, 'settling twice is harmless');
  assert.equal(b.idle, false);
  b.settle(1);
  assert.equal(b.idle, true);
});

test('batches are cut by bytes as well, but a single large record still ships alone', () => {
  const b = new Batcher('a', 'boot', { ...limits, maxBatchBytes: 20 });
  b.push({ kind: RecordKind.RECORD_KIND_LOG, eventJson: Buffer.alloc(15) });
  b.push({ kind: RecordKind.RECORD_KIND_LOG, eventJson: Buffer.alloc(15) });
  b.push({ kind: RecordKind.RECORD_KIND_LOG, eventJson: Buffer.alloc(50) });
  assert.equal(b.batchReady(), true);
  assert.equal(b.next()!.records.length, 1);
  assert.equal(b.next()!.records.length, 1);
});

test('the queue reports when it is full (the input then blocks)', () => {
  const b = new Batcher('a', 'boot', { ...limits, maxQueuedEvents: 2 });
  b.push(rec(1));
  assert.equal(b.hasRoom(), true);
  b.push(rec(2));
  assert.equal(b.hasRoom(), false);
});

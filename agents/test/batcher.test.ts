import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Batch, RecordKind } from '../../proto/gen/ingest.ts';
import { Batcher } from '../shipper/batcher.ts';
import { DiskSpool } from '../spool/disk_spool.ts';

const limits = { maxBatchEvents: 3, maxBatchBytes: 1_000_000, maxInflightBatches: 2 };
/** The `n` of each event of a serialized batch. */
const ns = (b: { bytes: Buffer }) => Batch.decode(b.bytes).records.map((r) => (JSON.parse(r.eventJson.toString()) as { n: number }).n);
function spool(dir = mkdtempSync(join(tmpdir(), 'batcher-'))) {
  return new DiskSpool({ dir, segmentBytes: 1 << 20, maxBytes: 1 << 24, whenFull: 'block', fsync: 'never', fsyncIntervalMs: 1000, maxRecordBytes: 1 << 16 });
}
const fill = (s: DiskSpool, n: number, size = 10) => {
  for (let i = 0; i < n; i++) s.append({ kind: RecordKind.RECORD_KIND_LOG, payload: Buffer.from(`{"n":${i}}`.padEnd(size)) });
};

test('batches are numbered from 1 and hold at most maxBatchEvents records', () => {
  const s = spool();
  fill(s, 7);
  const b = new Batcher('agent-01', 'boot', limits, s);
  const first = b.next()!;
  const second = b.next()!;
  assert.deepEqual([first.seq, first.records, second.seq, second.records], [1, 3, 2, 3]);
  assert.deepEqual([ns(first), ns(second)], [[0, 1, 2], [3, 4, 5]]);
  assert.deepEqual({ ...Batch.decode(first.bytes), records: [] }, { agentId: 'agent-01', bootId: 'boot', seq: 1, records: [] });
  assert.equal(b.next(), undefined, 'the in-flight window is full');
  assert.equal(b.queued, 1);
});

test('the spool forgets records only over a contiguous prefix of acknowledged batches', () => {
  const dir = mkdtempSync(join(tmpdir(), 'batcher-'));
  const s = spool(dir);
  fill(s, 6);
  const b = new Batcher('agent-01', 'boot', limits, s);
  b.next();
  b.next();
  assert.equal(b.inflightRecords, 6);
  assert.equal(b.settle(2), 3, 'batch 2 acked before batch 1');
  assert.deepEqual(b.unacked().map((x) => x.seq), [1]);
  assert.equal(s.counters.acked, 0, 'nothing leaves the spool while batch 1 is unacknowledged');
  assert.equal(b.settle(2), 0, 'settling twice is harmless');
  b.settle(1);
  assert.equal(s.counters.acked, 6);
  assert.equal(b.idle, true);
  s.close();
  const reopened = spool(dir);
  assert.equal(reopened.unreadRecords, 0, 'after a restart nothing acknowledged is shipped again');
  reopened.close();
});

test('after a crash with batches in flight, a new agent re-ships exactly the unacknowledged records', () => {
  const dir = mkdtempSync(join(tmpdir(), 'batcher-'));
  const s = spool(dir);
  fill(s, 6);
  const b = new Batcher('agent-01', 'boot-1', limits, s);
  b.next();
  b.next();
  b.settle(1);
  s.close(); // crash: batch 2 was never acknowledged
  const s2 = spool(dir);
  const b2 = new Batcher('agent-01', 'boot-2', limits, s2);
  const again = b2.next()!;
  assert.deepEqual(ns(again), [3, 4, 5]);
  s2.close();
});

test('batches are cut by bytes as well, but a single large record still ships alone', () => {
  const s = spool();
  fill(s, 2, 15);
  fill(s, 1, 50);
  const b = new Batcher('a', 'boot', { ...limits, maxBatchBytes: 20 }, s);
  assert.equal(b.batchReady(), true);
  assert.equal(b.next()!.records, 1);
  assert.equal(b.next()!.records, 1);
});

test('a batch sent again is read back from the spool: the same records, across segments, and only its own', () => {
  const s = new DiskSpool({ dir: mkdtempSync(join(tmpdir(), 'batcher-')), segmentBytes: 64, maxBytes: 1 << 24, whenFull: 'block', fsync: 'never', fsyncIntervalMs: 1000, maxRecordBytes: 1 << 16 });
  fill(s, 9, 20); // 29-byte records: two per 64-byte segment, so every batch spans segments
  const b = new Batcher('agent-01', 'boot', limits, s);
  const sent = [b.next()!, b.next()!];
  assert.deepEqual(sent.map(ns), [[0, 1, 2], [3, 4, 5]]);
  assert.deepEqual(b.unacked(), sent, 'the batches as first sent, seq and records');
  assert.deepEqual(b.get(2), sent[1]);
  assert.equal(b.size(2), 3);
  b.settle(1);
  assert.equal(b.get(1), undefined);
  assert.equal(b.size(1), 0);
  assert.deepEqual(b.unacked().map(ns), [[3, 4, 5]]);
  assert.deepEqual(ns(b.next()!), [6, 7, 8], 'reading on is not disturbed by the read-backs');
  s.close();
});

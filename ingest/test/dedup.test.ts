import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchWatermarks } from '../gateway/dedup.ts';

test('a batch already made durable in its boot is a duplicate', () => {
  const w = new BatchWatermarks(10);
  assert.equal(w.isDuplicate('a', 'x', 'b1', 1), false);
  w.record('a', 'x', 'b1', 3);
  assert.equal(w.isDuplicate('a', 'x', 'b1', 3), true);
  assert.equal(w.isDuplicate('a', 'x', 'b1', 4), false);
  assert.equal(w.isDuplicate('a', 'x', 'b2', 1), false, 'a new boot starts afresh');
  assert.equal(w.isDuplicate('a', 'x', 'b1', 1), false, 'another agent is independent');
});

test('a lower seq that was answered RETRY while later ones became durable is not a duplicate (no silent loss)', () => {
  const w = new BatchWatermarks(10);
  w.record('a', 'x', 'b1', 4);
  w.record('a', 'x', 'b1', 5);
  assert.equal(w.isDuplicate('a', 'x', 'b1', 3), false, 'seq 3 never reached Kafka');
  w.record('a', 'x', 'b1', 3);
  assert.equal(w.isDuplicate('a', 'x', 'b1', 3), true);
});

test('per boot, the oldest durable seqs collapse into a floor', () => {
  const w = new BatchWatermarks(10, 3);
  for (const s of [1, 2, 3, 4, 5]) w.record('a', 'x', 'b1', s);
  for (const s of [1, 2, 3, 4, 5]) assert.equal(w.isDuplicate('a', 'x', 'b1', s), true, `seq ${s}`);
  assert.equal(w.isDuplicate('a', 'x', 'b1', 6), false);
});

test('memory is bounded: the least recently used boots are forgotten', () => {
  const w = new BatchWatermarks(2);
  w.record('a', 'x', 'b1', 1);
  w.record('a', 'x', 'b2', 1);
  w.record('a', 'x', 'b1', 2);
  w.record('a', 'x', 'b3', 1);
  assert.equal(w.size, 2);
  assert.equal(w.isDuplicate('a', 'x', 'b2', 1), false, 'b2 was least recently used');
  assert.equal(w.isDuplicate('a', 'x', 'b1', 2), true);
});

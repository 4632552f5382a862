import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchWatermarks } from '../gateway/dedup.ts';

test('a batch at or below the watermark of its boot is a duplicate', () => {
  const w = new BatchWatermarks(10);
  assert.equal(w.isDuplicate('a', 'x', 'b1', 1), false);
  w.record('a', 'x', 'b1', 3);
  assert.equal(w.isDuplicate('a', 'x', 'b1', 2), true);
  assert.equal(w.isDuplicate('a', 'x', 'b1', 3), true);
  assert.equal(w.isDuplicate('a', 'x', 'b1', 4), false);
  assert.equal(w.isDuplicate('a', 'x', 'b2', 1), false, 'a new boot starts afresh');
  assert.equal(w.isDuplicate('a', 'y', 'b1', 1), false, 'another agent is independent');
  w.record('a', 'x', 'b1', 2);
  assert.equal(w.isDuplicate('a', 'x', 'b1', 3), true, 'the watermark never goes down');
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

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OldestKey } from '../runtime/oldest_key.ts';

test('an LRU Map evicts exactly its least recently touched key through many touches, deletes and evictions', () => {
  const max = 40;
  const map = new Map<string, number>();
  const oldest = new OldestKey(() => map.keys());
  const model: string[] = []; // least recently touched first
  let x = 7;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 20_000; i++) {
    const r = rnd();
    if (r < 0.1 && model.length) { // delete some key outright (expiry)
      const k = model.splice(Math.floor(rnd() * model.length), 1)[0]!;
      map.delete(k);
      continue;
    }
    const k = r < 0.55 && model.length ? model[Math.floor(rnd() * model.length)]! : `k${i}`;
    map.delete(k);
    map.set(k, i);
    const at = model.indexOf(k);
    if (at >= 0) model.splice(at, 1);
    model.push(k);
    while (map.size > max) {
      const victim = oldest.take()!;
      assert.equal(victim, model[0], `step ${i}`);
      map.delete(victim);
      model.shift();
    }
  }
  assert.deepEqual([...map.keys()], model);
});

test('empty collections give undefined; a reset starts from the front again', () => {
  const set = new Set<number>();
  const oldest = new OldestKey(() => set.values());
  assert.equal(oldest.take(), undefined);
  set.add(1).add(2);
  assert.equal(oldest.take(), 1);
  set.delete(1);
  set.clear();
  oldest.reset();
  set.add(3);
  assert.equal(oldest.take(), 3);
});

// Property tests of the fast paths of the matcher: the per-event field memo (fields.ts) must return exactly what
// the general path walk returns, the glob matcher (values.ts) must agree with a reference regular expression,
// and grouped value tests (exact-literal sets, multi-literal `contains` scans) with one test per value.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldMemo, fieldGetter, fieldSlot, LEAVES_SLOT, leafValues } from '../engine/fields.ts';
import { ONE, STAR, stringMatcher, type Part } from '../engine/values.ts';
import { compileRules } from '../engine/index.ts';
import { rng } from '../../proto/testing/rng.ts';


describe('FieldMemo', () => {
  const paths = ['a', 'a.b', 'a.b.c', 'a.*.c', 'x.*.y.z', 'b.c', 'Event.EventData.Image', 'Event.UserData.*.Image', 'q'];
  const events: Array<Record<string, unknown>> = [
    { a: { b: { c: 1 } } },
    { a: { b: [{ c: 1 }, { c: 'two' }] } },
    { a: [{ b: { c: 3 } }, { b: null }] },
    { 'a.b': { c: 'dotted' }, a: { b: { c: 'nested' } } },
    { a: { 'b.c': 'inner dotted', b: { c: 'x' } } },
    { a: null, q: [1, [2, 3]] },
    { a: { b: { c: null } }, 'b.c': 5 },
    { x: { k1: { y: { z: 'z1' } }, k2: { y: { z: ['z2', 'z3'] } } } },
    { Event: { EventData: { Image: 'C:\\a.exe' }, UserData: { El: { Image: 'C:\\b.exe' } } } },
    { Event: { EventData: null } },
    { a: { b: { c: undefined } } },
  ];
  test('values() equals the general getter on nested, dotted, array and wildcard paths', () => {
    const m = new FieldMemo();
    for (const ev of events) {
      m.reset(ev);
      for (const p of paths) assert.deepEqual(m.values(fieldSlot(p)), fieldGetter(p)(ev), `${p} on ${JSON.stringify(ev)}`);
      // twice: the cached answer is the same
      for (const p of paths) assert.deepEqual(m.values(fieldSlot(p)), fieldGetter(p)(ev));
      assert.deepEqual(m.values(LEAVES_SLOT), leafValues(ev));
    }
  });
  test('an event changed between two resets is read afresh (a dotted key added at the root)', () => {
    const ev: Record<string, unknown> = { a: { b: 1 } };
    const m = new FieldMemo();
    assert.deepEqual(m.reset(ev).values(fieldSlot('a.b')), [1]);
    ev['a.b'] = 2;
    assert.deepEqual(m.reset(ev).values(fieldSlot('a.b')), fieldGetter('a.b')(ev));
    assert.deepEqual(m.values(fieldSlot('a.b')), [2, 1]);
  });
  test('lower() is the lower-cased text of each value', () => {
    const m = new FieldMemo().reset({ a: ['ABC', 12, true, null, { x: 1 }] });
    assert.deepEqual(m.lower(fieldSlot('a')), ['abc', '12', 'true', undefined, undefined]);
  });
  test('reset() forgets the previous event', () => {
    const m = new FieldMemo();
    assert.deepEqual(m.reset({ a: 1 }).values(fieldSlot('a')), [1]);
    assert.deepEqual(m.reset({ a: 2 }).values(fieldSlot('a')), [2]);
    assert.deepEqual(m.reset({}).values(fieldSlot('a')), []);
  });
});

describe('glob matcher', () => {
  const reEsc = (t: string): string => t.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  const classEsc = (t: string): string => t.replace(/[\\\]^-]/g, '\\$&');
  const reference = (parts: readonly Part[], cased: boolean): ((s: string) => boolean) => {
    const src = parts.map((p) => (typeof p === 'string' ? reEsc(p) : p === STAR ? '[\\s\\S]*' : p === ONE ? '[\\s\\S]' : `[${classEsc((p as { set: string }).set)}]`)).join('');
    const re = new RegExp(`^${src}$`, cased ? 'u' : 'iu');
    return (s) => re.test(s);
  };
  test('agrees with a regular expression on random patterns and strings (classes, ?, astral characters)', () => {
    const rand = rng(99);
    const alphabet = ['a', 'b', 'A', '-', '/', '\u2013', '\\', '.', ' ', '😀', 'é'];
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
    let positives = 0;
    for (let i = 0; i < 3000; i++) {
      const parts: Part[] = [];
      const n = 1 + Math.floor(rand() * 5);
      for (let k = 0; k < n; k++) {
        const r = rand();
        if (r < 0.3) parts.push(STAR); else if (r < 0.4) parts.push(ONE); else if (r < 0.5) parts.push({ set: '-/\u2013' }); else parts.push(Array.from({ length: 1 + Math.floor(rand() * 2) }, () => pick(['a', 'b', 'A', '-', '😀'])).join(''));
      }
      // normalised patterns only (no adjacent literals, no `**`), as parseSigmaString produces
      const norm: Part[] = [];
      for (const p of parts) { const last = norm[norm.length - 1]; if (typeof p === 'string' && typeof last === 'string') norm[norm.length - 1] = last + p; else if (!(p === STAR && last === STAR)) norm.push(p); }
      const cased = rand() < 0.5;
      const fast = stringMatcher(norm, cased); const ref = reference(norm, cased);
      for (let j = 0; j < 10; j++) {
        const s = Array.from({ length: Math.floor(rand() * 7) }, () => pick(alphabet)).join('');
        const want = ref(s);
        if (want) positives++;
        assert.equal(fast(s), want, `${JSON.stringify(norm)} cased=${cased} on ${JSON.stringify(s)}`);
      }
    }
    assert.ok(positives > 500, `the random cases should match often enough (${positives})`);
  });
});

describe('grouped value tests', () => {
  test('many exact and contains values behave like one test per value', () => {
    const values = ['alpha', 'BETA', 'gamma delta', '😀', 'x', '', '42'];
    const grouped = compileRules(`title: g
id: g
logsource: { product: windows }
detection:
  sel: { F|contains: [${values.map((v) => `'${v}'`).join(', ')}] }
  ex: { G: [${values.map((v) => `'${v}'`).join(', ')}] }
  kw: [ 'alpha', 'beta', 'gamma', 'delta', '😀' ]
  condition: sel or ex or kw
`).rules[0]!;
    const rand = rng(5);
    const pieces = ['al', 'pha', 'BE', 'ta', 'gamma', ' ', 'delta', '😀', 'x', '4', '2', 'Z'];
    for (let i = 0; i < 2000; i++) {
      const s = Array.from({ length: Math.floor(rand() * 5) }, () => pieces[Math.floor(rand() * pieces.length)]!).join('');
      const low = s.toLowerCase();
      const wantF = values.some((v) => low.includes(v.toLowerCase()));
      const wantG = values.some((v) => low === v.toLowerCase());
      const wantKw = ['alpha', 'beta', 'gamma', 'delta', '😀'].some((v) => low.includes(v));
      assert.equal(grouped.match({ F: s }), wantF || wantKw, `F=${JSON.stringify(s)}`);
      assert.equal(grouped.match({ G: s }), wantG || wantKw, `G=${JSON.stringify(s)}`);
      assert.equal(grouped.match({ H: s }), wantKw, `H=${JSON.stringify(s)}`);
    }
  });
});

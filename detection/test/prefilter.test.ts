// The prefilter (engine/prefilter.ts) may only ever skip rules that cannot match: its candidates must be a superset
// of the rules whose match() is true, on the SigmaHQ regression events, on random mutations of them, and on
// hand-made rules that exercise every value shape (exact, wildcards, numbers, all, not, cased, regex, keywords).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildRuleIndex } from '../engine/prefilter.ts';
import { compileRules, loadPipeline, loadRuleDirectory, type CompiledRule } from '../engine/index.ts';
import { CORPUS, PIPELINES, corpusPresent, findFiles, readJsonEvents, ruleDirs } from './corpus.ts';
import { rng } from '../../proto/testing/rng.ts';

type Ev = Record<string, unknown>;

function assertSuperset(rules: CompiledRule[], events: Ev[]): { matches: number; candidates: number } {
  const idx = buildRuleIndex(rules);
  let matches = 0; let candidates = 0;
  for (const e of events) {
    const cand = new Set(idx.candidates(e));
    candidates += cand.size;
    const want = rules.filter((r) => r.match(e));
    matches += want.length;
    for (const r of want) assert.ok(cand.has(r), `prefilter dropped matching rule ${r.meta.id} (${r.meta.title})`);
    assert.deepEqual(idx.matches(e), want);
  }
  return { matches, candidates };
}


describe('prefilter on hand-made rules', () => {
  const yaml = `
title: exact and wildcard
id: r1
logsource: { product: windows }
detection:
  sel: { Image|endswith: '\\\\cmd.exe', CommandLine|contains|all: [' /c ', 'whoami'] }
  condition: sel
---
title: numbers and bools
id: r2
logsource: { product: windows }
detection:
  sel: { EventID: 4688, Flag: true }
  condition: sel
---
title: negation only
id: r3
logsource: { product: windows }
detection:
  sel: { Image|endswith: '.exe' }
  condition: not sel
---
title: or of selections, one unknown
id: r4
logsource: { product: windows }
detection:
  a: { CommandLine|re: 'foo.*bar' }
  b: { Image: 'C:\\\\x.exe' }
  condition: a or b
---
title: keywords
id: r5
logsource: { product: windows }
detection:
  keywords: [ 'mimikatz' ]
  condition: keywords
---
title: cased and question marks
id: r6
logsource: { product: windows }
detection:
  a: { CommandLine|cased|contains: 'AbC' }
  b: { User: 'ad?in*' }
  condition: a or b
---
title: 1 of with wildcard values
id: r7
logsource: { product: windows }
detection:
  s1: { Image|startswith: 'C:\\\\Temp\\\\' }
  s2: { ParentImage|contains: ['\\\\AppData\\\\', '\\\\Temp\\\\'] }
  condition: 1 of s* and not s1
---
title: null and neq
id: r8
logsource: { product: windows }
detection:
  a: { Image: null }
  b: { User|neq: 'SYSTEM' }
  condition: a and b
---
title: empty string
id: r9
logsource: { product: windows }
detection:
  a: { CommandLine: '' }
  condition: a
`;
  const rules = compileRules(yaml).rules;
  test('all rules compiled', () => assert.equal(rules.length, 9));
  test('candidates are a superset of matches on random events', () => {
    const rand = rng(42);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
    const strs = ['C:\\Windows\\cmd.exe', 'c:\\windows\\CMD.EXE', 'cmd /c whoami', 'CMD /C WHOAMI /all', 'C:\\x.exe', 'foo-bar', 'mimikatz.exe', 'xAbCx', 'xabcx', 'admin', 'ADMIN1', 'adxin', 'C:\\Temp\\a.exe', 'C:\\Users\\u\\AppData\\y.exe', 'SYSTEM', '', '4688', 'true'];
    const events: Ev[] = [];
    for (let i = 0; i < 3000; i++) {
      const e: Ev = {};
      for (const f of ['Image', 'CommandLine', 'ParentImage', 'User', 'EventID', 'Flag', 'Other']) {
        const r = rand();
        if (r < 0.3) continue;
        if (r < 0.4) e[f] = null;
        else if (r < 0.5) e[f] = pick([4688, 1, true, false, 0]);
        else if (r < 0.55) e[f] = [pick(strs), pick(strs)];
        else e[f] = pick(strs);
      }
      events.push(e);
    }
    const { matches } = assertSuperset(rules, events);
    assert.ok(matches > 100, `the random events should match some rules (got ${matches})`);
  });
  test('index stats: rules without literal requirements are always candidates', () => {
    const s = buildRuleIndex(rules).stats;
    assert.equal(s.rules, 9);
    // r3 (negation), r4 (regex or ...), r6 (cased or ...), r8 (null/neq) have no clause; r5's keyword is
    // indexed over the event's leaf values (fields.ts LEAVES).
    assert.equal(s.always, 4);
  });
});

describe('prefilter on the SigmaHQ corpus', { skip: !corpusPresent && 'corpus not present' }, () => {
  const pfile = join(PIPELINES, 'windows-evtx.yml');
  const pipeline = loadPipeline(readFileSync(pfile, 'utf8'), pfile);
  const rules = corpusPresent ? ruleDirs().flatMap((d) => loadRuleDirectory(d, { pipelines: [pipeline] }).rules) : [];
  const events = corpusPresent ? [...findFiles(join(CORPUS, 'regression_data'), 'info.yml')].flatMap((info) => readdirSync(dirname(info)).filter((f) => f.endsWith('.json')).flatMap((f) => readJsonEvents(join(dirname(info), f)))) : [];

  test('never drops a matching rule on the regression events', () => {
    const { matches, candidates } = assertSuperset(rules, events);
    console.log(JSON.stringify({ prefilter: { rules: rules.length, events: events.length, matches, candidatesPerEvent: candidates / events.length, stats: buildRuleIndex(rules).stats } }));
    assert.ok(matches >= 90);
    assert.ok(candidates / events.length < rules.length / 10, 'the prefilter should cut the rules evaluated per event by 10x or more');
  });

  test('never drops a matching rule on randomly mutated regression events', () => {
    const rand = rng(7);
    // Values taken from the events themselves, moved across fields, case-flipped, cut and concatenated.
    const pool: unknown[] = [];
    for (const e of events) for (const v of Object.values(((e.Event as Ev).EventData ?? {}) as Ev)) pool.push(v);
    const mutate = (v: unknown): unknown => {
      const r = rand();
      if (typeof v !== 'string') return r < 0.5 ? pool[Math.floor(rand() * pool.length)] : v;
      if (r < 0.2) return v.toUpperCase();
      if (r < 0.4) return v.slice(Math.floor(rand() * v.length));
      if (r < 0.6) return v + String(pool[Math.floor(rand() * pool.length)]);
      if (r < 0.7) return pool[Math.floor(rand() * pool.length)];
      return v;
    };
    const mutated: Ev[] = [];
    for (let round = 0; round < 3; round++) {
      for (const e of events) {
        const c = structuredClone(e);
        const ev = c.Event as Ev;
        const data = ev.EventData as Ev | undefined;
        if (data && typeof data === 'object') for (const k of Object.keys(data)) data[k] = mutate(data[k]);
        if (rand() < 0.3) (ev.System as Ev).EventID = [1, 3, 4688, 4104, 7, 11, 13][Math.floor(rand() * 7)];
        mutated.push(c);
      }
    }
    assertSuperset(rules, mutated);
  });
});

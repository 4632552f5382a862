// Sigma correlations: parsing/validation (correlation.ts) and the window evaluator (correlation_state.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { compileCorrelations, compileRules, CorrelationState, loadPipeline, nearestRank, parseTimespan, type CompiledCorrelation, type CorrelationOptions, type SigmaError } from '../engine/index.ts';

const base = (id: string, name: string, kind: string): string => `title: base ${name}
id: ${id}
name: ${name}
logsource: { product: test }
detection:
  sel: { kind: ${kind} }
  condition: sel
`;
const RULES = [base('r-a', 'rule_a', 'a'), base('r-b', 'rule_b', 'b'), base('r-c', 'rule_c', 'c')].join('---\n');

function corrYaml(body: string, extra = ''): string {
  return `title: corr
id: c-1
level: high
${extra}correlation:
${body.replace(/^\n/, '').split('\n').map((l) => (l ? '  ' + l : l)).join('\n')}
`;
}

function load(body: string, extra = ''): { correlations: CompiledCorrelation[]; errors: SigmaError[]; suppressed: Set<string> } {
  const res = compileRules(`${RULES}---\n${corrYaml(body, extra)}`, { file: 'c.yml' });
  assert.deepEqual(res.errors.map(String), []);
  return compileCorrelations(res.correlations, res.rules);
}

function one(body: string, extra = ''): CompiledCorrelation {
  const r = load(body, extra);
  assert.deepEqual(r.errors.map(String), []);
  assert.equal(r.correlations.length, 1);
  return r.correlations[0]!;
}

function err(body: string, extra = ''): SigmaError {
  const r = load(body, extra);
  assert.equal(r.correlations.length, 0, 'should not compile');
  assert.equal(r.errors.length, 1);
  return r.errors[0]!;
}

const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);
let seq = 0;
const ev = (fields: Record<string, unknown>, agency = 'ag1'): Record<string, unknown> => ({ event: { id: `e${++seq}` }, organization: { id: agency }, ...fields });

function state(c: CompiledCorrelation | CompiledCorrelation[], opts: CorrelationOptions = {}): CorrelationState {
  return new CorrelationState(Array.isArray(c) ? c : [c], opts);
}

describe('correlation documents: validation', () => {
  test('timespans', () => {
    assert.equal(parseTimespan('30s'), 30_000);
    assert.equal(parseTimespan('5m'), 300_000);
    assert.equal(parseTimespan('1h'), 3_600_000);
    assert.equal(parseTimespan('1d'), 86_400_000);
    for (const bad of ['5', '5x', 'm', '0m', '-1m', '1.5h', 5]) assert.equal(parseTimespan(bad), undefined, String(bad));
  });

  test('located errors for bad documents', () => {
    const cases: Array<[string, RegExp, string]> = [
      ['type: nope\nrules: [rule_a]\ntimespan: 5m\ncondition: { gte: 1 }', /unknown correlation type 'nope'/, 'correlation.type'],
      ['type: event_count\ntimespan: 5m\ncondition: { gte: 1 }', /needs 'rules'/, 'correlation.rules'],
      ['type: event_count\nrules: [missing]\ntimespan: 5m\ncondition: { gte: 1 }', /rule 'missing', which is not loaded/, 'correlation.rules'],
      ['type: event_count\nrules: [rule_a]\ntimespan: 5 minutes\ncondition: { gte: 1 }', /bad timespan/, 'correlation.timespan'],
      ['type: event_count\nrules: [rule_a]\ntimespan: 5m\ncondition: { above: 1 }', /unknown condition operator 'above'/, 'correlation.condition.above'],
      ['type: event_count\nrules: [rule_a]\ntimespan: 5m\ncondition: { gte: many }', /needs a number/, 'correlation.condition.gte'],
      ['type: event_count\nrules: [rule_a]\ntimespan: 5m', /needs a condition/, 'correlation.condition'],
      ['type: event_count\nrules: [rule_a]\ntimespan: 5m\ngroup-by: user\ncondition: { gte: 1 }', /'group-by' must be a list/, 'correlation.group-by'],
      ['type: value_count\nrules: [rule_a]\ntimespan: 5m\ncondition: { gte: 1 }', /needs a field/, 'correlation.condition.field'],
      ['type: temporal\nrules: [rule_a]\ntimespan: 5m', /at least two rules/, 'correlation.rules'],
      ['type: event_count\nrules: [rule_a]\ntimespan: 5m\ncondition: { gte: 1.5 }', /must be an integer/, 'correlation.condition.gte'],
      ['type: value_percentile\nrules: [rule_a]\ntimespan: 5m\npercentile: 120\ncondition: { gte: 1, field: x }', /percentile must be/, 'correlation.percentile'],
    ];
    for (const [body, msg, field] of cases) {
      const e = err(body);
      assert.match(e.message, msg, body);
      assert.equal(e.location?.file, 'c.yml');
      assert.ok((e.location?.line ?? 0) > 1, 'points at the correlation document');
      assert.equal(e.location?.field, field, body);
      assert.equal(e.ruleId, 'c-1');
    }
    assert.equal(err('type: event_count\nrules: [rule_a]\ntimespan: 5m\ncondition: 3').code, 'ERR_SIGMA_CONDITION');
  });

  test('rules referenced by id or name; temporal condition defaults to all rules; generate and suppression', () => {
    const r = load('type: temporal\nrules: [r-a, rule_b]\ntimespan: 5m');
    const c = r.correlations[0]!;
    assert.deepEqual(c.ruleIds, ['r-a', 'r-b']);
    assert.deepEqual(c.condition, { gte: 2 });
    assert.equal(c.generate, false);
    assert.deepEqual([...r.suppressed].sort(), ['r-a', 'r-b']);
    const g = load('type: temporal\nrules: [r-a, rule_b]\ntimespan: 5m\ngenerate: true');
    assert.deepEqual([...g.suppressed], []);
  });

  test('ranges and float thresholds are accepted', () => {
    assert.deepEqual(one('type: event_count\nrules: [rule_a]\ntimespan: 5m\ncondition: { gt: 10, lte: 100 }').condition, { gt: 10, lte: 100 });
    assert.deepEqual(one('type: value_avg\nrules: [rule_a]\ntimespan: 5m\ncondition: { gt: 2.5, field: bytes }').condition, { gt: 2.5 });
  });
});

describe('correlation state', () => {
  test('event_count: window (t - timespan, t]; an event exactly at t - timespan is outside', () => {
    const c = one('type: event_count\nrules: [rule_a]\ngroup-by: [user]\ntimespan: 1m\ncondition: { gte: 3 }');
    const s = state(c);
    assert.deepEqual(s.observe('r-a', ev({ user: 'u' }), T0), []);
    assert.deepEqual(s.observe('r-a', ev({ user: 'u' }), T0 + 30_000), []);
    // at T0 + 60s the first event (T0) is exactly at t - timespan: outside, so only 2 in the window
    assert.deepEqual(s.observe('r-a', ev({ user: 'u' }), T0 + 60_000), []);
    const hits = s.observe('r-a', ev({ user: 'u' }), T0 + 60_001);
    assert.equal(hits.length, 1);
    assert.equal(hits[0]!.count, 3);
    assert.equal(hits[0]!.windowStartMs, T0 + 30_000);
    assert.equal(hits[0]!.windowEndMs, T0 + 60_001);
    assert.deepEqual(hits[0]!.groupBy, { user: 'u' });
    assert.equal(hits[0]!.agency, 'ag1');
  });

  test('a fired key is reset: one burst gives one alert', () => {
    const c = one('type: event_count\nrules: [rule_a]\ntimespan: 1m\ncondition: { gte: 2 }');
    const s = state(c);
    let n = 0;
    for (let i = 0; i < 10; i++) n += s.observe('r-a', ev({}), T0 + i * 1000).length;
    assert.equal(n, 5, 'every second event fires after a reset (gte 2)');
    const s2 = state(one('type: event_count\nrules: [rule_a]\ntimespan: 1m\ncondition: { gte: 5 }'));
    let m = 0;
    for (let i = 0; i < 9; i++) m += s2.observe('r-a', ev({}), T0 + i * 1000).length;
    assert.equal(m, 1);
  });

  test('group-by keys and agencies are isolated', () => {
    const c = one('type: event_count\nrules: [rule_a]\ngroup-by: [user]\ntimespan: 1m\ncondition: { gte: 2 }');
    const s = state(c);
    assert.equal(s.observe('r-a', ev({ user: 'x' }), T0).length, 0);
    assert.equal(s.observe('r-a', ev({ user: 'y' }), T0 + 1).length, 0);
    assert.equal(s.observe('r-a', ev({ user: 'x' }, 'ag2'), T0 + 2).length, 0, 'other agency, same user');
    assert.equal(s.observe('r-a', ev({ user: 'x' }), T0 + 3).length, 1);
    assert.equal(s.keyCount('c-1'), 3);
  });

  test('cross-agency: the agency is not part of the key and can be counted', () => {
    const c = one('type: value_count\nrules: [rule_a]\ngroup-by: [src]\ntimespan: 15m\ncondition: { gte: 3, field: organization.id }', 'x-cirt-cross-agency: true\n');
    assert.equal(c.crossAgency, true);
    const s = state(c);
    assert.equal(s.observe('r-a', ev({ src: '1.2.3.4' }, 'a1'), T0).length, 0);
    assert.equal(s.observe('r-a', ev({ src: '1.2.3.4' }, 'a1'), T0 + 1).length, 0);
    assert.equal(s.observe('r-a', ev({ src: '9.9.9.9' }, 'a2'), T0 + 1).length, 0);
    assert.equal(s.observe('r-a', ev({ src: '1.2.3.4' }, 'a2'), T0 + 2).length, 0);
    const hits = s.observe('r-a', ev({ src: '1.2.3.4' }, 'a3'), T0 + 3);
    assert.equal(hits.length, 1);
    assert.equal(hits[0]!.agency, undefined);
    assert.equal(hits[0]!.value, 3);
  });

  test('value_count counts distinct values; events without the field do not count', () => {
    const c = one('type: value_count\nrules: [rule_a]\ngroup-by: [src]\ntimespan: 1m\ncondition: { gte: 3, field: dst }');
    const s = state(c);
    assert.equal(s.observe('r-a', ev({ src: 's', dst: 'd1' }), T0).length, 0);
    assert.equal(s.observe('r-a', ev({ src: 's', dst: 'd1' }), T0 + 1).length, 0);
    assert.equal(s.observe('r-a', ev({ src: 's' }), T0 + 2).length, 0);
    assert.equal(s.observe('r-a', ev({ src: 's', dst: 'd2' }), T0 + 3).length, 0);
    const h = s.observe('r-a', ev({ src: 's', dst: 'd3' }), T0 + 4);
    assert.equal(h.length, 1);
    assert.equal(h[0]!.value, 3);
  });

  test('temporal: all referenced rules in the window, any order', () => {
    const c = one('type: temporal\nrules: [rule_a, rule_b, rule_c]\ngroup-by: [host]\ntimespan: 1m');
    const s = state(c);
    assert.equal(s.observe('r-c', ev({ host: 'h' }), T0).length, 0);
    assert.equal(s.observe('r-a', ev({ host: 'h' }), T0 + 1).length, 0);
    assert.equal(s.observe('r-a', ev({ host: 'h' }), T0 + 2).length, 0);
    assert.equal(s.observe('r-b', ev({ host: 'other' }), T0 + 3).length, 0);
    const h = s.observe('r-b', ev({ host: 'h' }), T0 + 4);
    assert.equal(h.length, 1);
    assert.equal(h[0]!.value, 3);
  });

  test('temporal_ordered: only in the listed order', () => {
    const c = one('type: temporal_ordered\nrules: [rule_a, rule_b]\ntimespan: 1m');
    const s = state(c);
    assert.equal(s.observe('r-b', ev({}), T0).length, 0);
    assert.equal(s.observe('r-a', ev({}), T0 + 1).length, 0, 'b then a is not a then b');
    assert.equal(s.observe('r-b', ev({}), T0 + 2).length, 1);
  });

  test('value_sum, value_avg (float threshold) and ranges', () => {
    const sum = state(one('type: value_sum\nrules: [rule_a]\ntimespan: 1m\ncondition: { gt: 100, field: bytes }'));
    assert.equal(sum.observe('r-a', ev({ bytes: 60 }), T0).length, 0);
    assert.equal(sum.observe('r-a', ev({ bytes: 'not a number' }), T0 + 1).length, 0);
    assert.equal(sum.observe('r-a', ev({ bytes: '41' }), T0 + 2)[0]?.value, 101);
    const avg = state(one('type: value_avg\nrules: [rule_a]\ntimespan: 1m\ncondition: { gt: 2.5, field: n }'));
    assert.equal(avg.observe('r-a', ev({ n: 2 }), T0).length, 0);
    assert.equal(avg.observe('r-a', ev({ n: 3 }), T0 + 1).length, 0, 'avg 2.5 is not > 2.5');
    assert.equal(avg.observe('r-a', ev({ n: 4 }), T0 + 2)[0]?.value, 3);
    const range = state(one('type: event_count\nrules: [rule_a]\ngroup-by: [k]\ntimespan: 1m\ncondition: { gt: 2, lte: 3 }'));
    const fired = [1, 2, 3].map((i) => range.observe('r-a', ev({ k: 'x' }), T0 + i).length);
    assert.deepEqual(fired, [0, 0, 1]);
  });

  test('value_percentile: nearest rank', () => {
    assert.equal(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), 9);
    assert.equal(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), 10);
    assert.equal(nearestRank([15, 20, 35, 40, 50], 30), 20);
    assert.equal(nearestRank([15, 20, 35, 40, 50], 100), 50);
    assert.equal(nearestRank([7], 1), 7);
    const c = one('type: value_percentile\nrules: [rule_a]\ntimespan: 1m\npercentile: 90\ncondition: { gte: 1000, field: bytes }');
    assert.equal(c.percentile, 90);
    const s = state(c);
    // 9 values: rank ceil(0.9 * 9) = 9, the largest: the outlier counts once it is the 90th percentile
    const vals = [10, 20, 30, 40, 50, 60, 70, 80, 5000];
    assert.deepEqual(vals.map((b, i) => s.observe('r-a', ev({ bytes: b }), T0 + i).length), [0, 0, 0, 0, 0, 0, 0, 0, 1]);
    // with percentile 50 one outlier among many small values does not fire (the median stays small)
    const med = state(one('type: value_percentile\nrules: [rule_a]\ntimespan: 1m\npercentile: 50\ncondition: { gte: 1000, field: bytes }'));
    assert.deepEqual([5000, 10, 20, 30, 6000, 7000].map((b, i) => med.observe('r-a', ev({ bytes: b }), T0 + i).length), [1, 0, 0, 0, 0, 0]);
    // default percentile is 50, and `condition.percentile` is accepted too
    assert.equal(one('type: value_percentile\nrules: [rule_a]\ntimespan: 1m\ncondition: { gte: 1, field: x }').percentile, 50);
    assert.equal(one('type: value_percentile\nrules: [rule_a]\ntimespan: 1m\ncondition: { gte: 1, field: x, percentile: 99 }').percentile, 99);
  });

  test('out-of-order events are inserted by event time; too-late events are dropped and counted', () => {
    const c = one('type: event_count\nrules: [rule_a]\ntimespan: 1m\ncondition: { gte: 3 }');
    const s = state(c);
    assert.equal(s.observe('r-a', ev({}), T0 + 50_000).length, 0);
    assert.equal(s.observe('r-a', ev({}), T0 + 10_000).length, 0, 'late, inserted before');
    assert.equal(s.observe('r-a', ev({}), T0 - 20_000).length, 0, 'at or before newest - timespan: dropped');
    assert.equal(s.counters.late, 1);
    const h = s.observe('r-a', ev({}), T0 + 30_000);
    assert.equal(h.length, 0, 'its window (t-1m, t] holds the T0+10s and itself only');
    const h2 = s.observe('r-a', ev({}), T0 + 55_000);
    assert.equal(h2.length, 1);
    assert.equal(h2[0]!.count, 4);
    assert.equal(h2[0]!.windowStartMs, T0 + 10_000);
  });

  test('aliases map one group-by name to a field per rule', () => {
    const c = one('type: temporal\nrules: [rule_a, rule_b]\ngroup-by: [ip]\ntimespan: 1m\naliases:\n  ip:\n    rule_a: src\n    r-b: dst');
    const s = state(c);
    assert.equal(s.observe('r-a', ev({ src: '1.1.1.1', dst: 'x' }), T0).length, 0);
    assert.equal(s.observe('r-b', ev({ src: 'x', dst: '2.2.2.2' }), T0 + 1).length, 0);
    const h = s.observe('r-b', ev({ src: 'y', dst: '1.1.1.1' }), T0 + 2);
    assert.equal(h.length, 1);
    assert.deepEqual(h[0]!.groupBy, { ip: '1.1.1.1' });
    assert.match(err('type: temporal\nrules: [rule_a, rule_b]\ngroup-by: [ip]\ntimespan: 1m\naliases:\n  ip:\n    rule_a: src').message, /no field for rule 'r-b'/);
  });

  test('bounded memory: keys and events per key are evicted and counted', () => {
    const c = one('type: value_count\nrules: [rule_a]\ngroup-by: [k]\ntimespan: 1h\ncondition: { gte: 100, field: v }');
    const s = state(c, { maxKeys: 3, maxEventsPerKey: 5 });
    for (let i = 0; i < 10; i++) s.observe('r-a', ev({ k: `k${i}`, v: i }), T0 + i);
    assert.equal(s.keyCount('c-1'), 3);
    assert.equal(s.counters.evictedKeys, 7);
    for (let i = 0; i < 20; i++) s.observe('r-a', ev({ k: 'k9', v: i }), T0 + 100 + i);
    assert.equal(s.counters.evictedEvents, 16);
    const stored = s.snapshot().correlations['c-1']!.find(([k]) => k.includes('k9'))![1];
    assert.equal(stored.entries.length, 5);
  });

  test('the least recently updated key is the one evicted, through many touches, sweeps and evictions', () => {
    const c = one('type: event_count\nrules: [rule_a]\ngroup-by: [k]\ntimespan: 1h\ncondition: { gte: 1000 }');
    const max = 50;
    const s = state(c, { maxKeys: max });
    const rng = (() => { let x = 12345; return () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648; })();
    const lru: string[] = []; // model: least recently updated first
    for (let i = 0; i < 5000; i++) {
      const k = rng() < 0.5 && lru.length ? lru[Math.floor(rng() * lru.length)]! : `k${i}`;
      s.observe('r-a', ev({ k }), T0 + i);
      const at = lru.indexOf(k);
      if (at >= 0) lru.splice(at, 1);
      lru.push(k);
      if (lru.length > max) lru.shift();
    }
    const held = s.snapshot().correlations['c-1']!.map(([k]) => (JSON.parse(k) as string[])[1]);
    assert.deepEqual(held, lru);
  });

  test('hits carry at most maxHitEvents events, the first of the window', () => {
    const s = state(one('type: event_count\nrules: [rule_a]\ntimespan: 1m\ncondition: { gte: 30 }'), { maxHitEvents: 20 });
    let hit;
    for (let i = 0; i < 30; i++) hit = s.observe('r-a', ev({ i }), T0 + i)[0] ?? hit;
    assert.equal(hit!.events.length, 20);
    assert.equal(hit!.events[0]!.i, 0);
    assert.equal(hit!.firstEventId, (hit!.events[0]!.event as { id: string }).id);
  });

  test('snapshot/restore round-trips through JSON text', () => {
    const c = one('type: value_count\nrules: [rule_a]\ngroup-by: [k]\ntimespan: 1m\ncondition: { gte: 3, field: v }');
    const a = state(c);
    a.observe('r-a', ev({ k: 'x', v: 1 }), T0);
    a.observe('r-a', ev({ k: 'x', v: 2 }), T0 + 1);
    const text = JSON.stringify(a.snapshot());
    const b = state(c);
    b.restore(JSON.parse(text));
    assert.deepEqual(b.snapshot(), a.snapshot());
    assert.equal(b.observe('r-a', ev({ k: 'x', v: 3 }), T0 + 2).length, 1);
    assert.equal(a.observe('r-a', ev({ k: 'x', v: 3 }), T0 + 2).length, 1);
  });

  test('sweep drops idle keys by the injected clock', () => {
    let now = T0;
    const s = state(one('type: event_count\nrules: [rule_a]\ngroup-by: [k]\ntimespan: 1m\ncondition: { gte: 5 }'), { now: () => now });
    s.observe('r-a', ev({ k: 'a' }), T0);
    s.observe('r-a', ev({ k: 'b' }), T0 + 30_000);
    now = T0 + 70_000;
    assert.equal(s.sweep(), 1);
    assert.equal(s.keyCount('c-1'), 1);
  });
});

describe('correlation rules end to end from YAML', () => {
  test('multi-document YAML with pipelines: compileRules -> compileCorrelations -> state', () => {
    const pipe = loadPipeline(readFileSync('detection/pipelines/ecs-netflow.yml', 'utf8'), 'ecs-netflow.yml');
    const text = readFileSync('rules/network/net_flow_port_scan_horizontal.yml', 'utf8');
    const res = compileRules(text, { file: 'scan.yml', pipelines: [pipe] });
    assert.deepEqual(res.errors.map(String), []);
    const { correlations, errors, suppressed } = compileCorrelations(res.correlations, res.rules, [pipe]);
    assert.deepEqual(errors.map(String), []);
    // the file may hold more correlations on the same base rule (e.g. the vertical scan): take the horizontal one
    const c = correlations.find((x) => x.meta.title === 'Horizontal Port Scan')!;
    assert.ok(c, 'the horizontal scan correlation compiled');
    assert.deepEqual(c.groupAccess.get(res.rules[0]!.meta.id)!.map((a) => a.fields), [['source.ip'], ['destination.port']]);
    assert.ok(suppressed.has(res.rules[0]!.meta.id));
    const s = state(c);
    const flow = (i: number, port = 22) => ev({ event: { id: `f${i}`, dataset: 'netflow.flow' }, source: { ip: '10.0.0.5' }, destination: { ip: `10.0.1.${i}`, port }, network: { transport: 'tcp', packets: 1 } });
    let hits = 0;
    for (let i = 0; i < 19; i++) {
      const e = flow(i);
      assert.equal(res.rules[0]!.match(e), true);
      hits += s.observe(res.rules[0]!.meta.id, e, T0 + i * 1000).length;
    }
    hits += s.observe(res.rules[0]!.meta.id, flow(99, 23), T0 + 19_000).length;
    assert.equal(hits, 0, '19 destinations on port 22, one on 23');
    const h = s.observe(res.rules[0]!.meta.id, flow(19), T0 + 20_000);
    assert.equal(h.length, 1);
    assert.deepEqual(h[0]!.groupBy, { src_ip: '10.0.0.5', dst_port: '22' });
    assert.equal(h[0]!.value, 20);
  });
});

// Rule test cases: a sibling `<rule file>.tests.json` next to each rule file (JSON, not YAML, because the rule
// loader reads every *.yml under rules/ as Sigma). Format:
//   { "note": "how the events were made",
//     "defaults": { ...deep-merged under every event... },
//     "cases": [
//       { "name": "...", "rule": "<id|name|title>", "positive": [events], "negative": [events] },
//       { "name": "...", "events": [ordered events], "expect": [{ "rule": "<id|name|title>", "count": N }] } ] }
// positive/negative: each event alone, through a fresh Detector: the rule must (not) match it (logsource routing
// included). events/expect: the events in order through one fresh Detector (base rules, suppression, correlations),
// and the alerts per rule must equal `expect` EXACTLY (a rule not listed must raise nothing).
// An event may be a generator `{ "$repeat": N, "$every": "10s", "event": {...} }`: N events, `{i}` in strings is
// replaced by 0..N-1 (a string that is exactly "{i}" or "{i+K}" becomes a number). Events without @timestamp get
// the previous event's time + `$every` (default 1s), starting at the case's `start` (default 2026-11-26T10:00:00Z).
// Pure except readTestFile.
import { readFileSync } from 'node:fs';
import type { Alert, EcsEvent } from '../../proto/ecs.ts';
import { CirtError } from '../../proto/errors.ts';
import { parseTimespan } from '../../detection/engine/index.ts';
import type { RuleSet } from '../../detection/intel/index.ts';
import { Detector } from '../../detection/service/detector.ts';

export class RuleTestError extends CirtError {}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface TestCase {
  name: string;
  rule?: string;
  positive?: EcsEvent[];
  negative?: EcsEvent[];
  events?: EcsEvent[];
  expect?: Array<{ rule: string; count: number }>;
}
export interface TestFile { file: string; cases: TestCase[] }

export const DEFAULT_START = Date.UTC(2026, 10, 26, 10, 0, 0);
export const testFileFor = (ruleFile: string): string => ruleFile.replace(/\.ya?ml$/i, '.tests.json');

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isObj(base) || !isObj(over)) return over === undefined ? base : over;
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function subst(v: unknown, i: number): unknown {
  if (typeof v === 'string') {
    const whole = /^\{i(?:\+(\d+))?\}$/.exec(v);
    if (whole) return i + Number(whole[1] ?? 0);
    return v.replace(/\{i(?:\+(\d+))?\}/g, (_, k: string | undefined) => String(i + Number(k ?? 0)));
  }
  if (Array.isArray(v)) return v.map((x) => subst(x, i));
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, subst(x, i)]));
  return v;
}

/** Expand generators, apply defaults, assign timestamps and ids. */
export function expandEvents(raw: unknown[], defaults: unknown, start: number, where: string): EcsEvent[] {
  const out: EcsEvent[] = [];
  let t = start;
  raw.forEach((r, idx) => {
    let items: Array<{ ev: unknown; step: number }>;
    if (isObj(r) && '$repeat' in r) {
      const n = r.$repeat; const step = r.$every === undefined ? 1000 : parseTimespan(r.$every);
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 100_000) throw new RuleTestError('ERR_RULETEST_CASE', '$repeat must be an integer 1..100000', { location: { field: `${where}[${idx}].$repeat` } });
      if (step === undefined) throw new RuleTestError('ERR_RULETEST_CASE', "$every must be a timespan such as '10s'", { location: { field: `${where}[${idx}].$every` } });
      if (!isObj(r.event)) throw new RuleTestError('ERR_RULETEST_CASE', 'a $repeat generator needs an event object', { location: { field: `${where}[${idx}].event` } });
      items = Array.from({ length: n }, (_, i) => ({ ev: subst(r.event, i), step }));
    } else if (isObj(r)) items = [{ ev: r, step: 1000 }];
    else throw new RuleTestError('ERR_RULETEST_CASE', 'an event must be a JSON object', { location: { field: `${where}[${idx}]` } });
    for (const { ev, step } of items) {
      const e = deepMerge(defaults ?? {}, ev) as Obj;
      if (typeof e['@timestamp'] === 'string') { const p = Date.parse(e['@timestamp']); if (Number.isFinite(p)) t = p; }
      else { e['@timestamp'] = new Date(t).toISOString(); }
      t += step;
      const evObj = (isObj(e.event) ? e.event : {}) as Obj;
      if (evObj.id === undefined) e.event = { ...evObj, id: `${where}-${out.length}` };
      if (!isObj(e.organization)) e.organization = { id: 'test-agency' };
      out.push(e as unknown as EcsEvent);
    }
  });
  return out;
}

export function parseTestFile(text: string, file: string): TestFile {
  let doc: unknown;
  try { doc = JSON.parse(text); } catch (err) { throw new RuleTestError('ERR_RULETEST_JSON', `not valid JSON: ${(err as Error).message}`, { location: { file }, cause: err }); }
  if (!isObj(doc) || !Array.isArray(doc.cases)) throw new RuleTestError('ERR_RULETEST_CASE', "a test file is { cases: [...] }", { location: { file, field: 'cases' } });
  const cases: TestCase[] = doc.cases.map((c, i) => {
    const where = `cases[${i}]`;
    const fail = (msg: string, f: string): never => { throw new RuleTestError('ERR_RULETEST_CASE', msg, { location: { file, field: `${where}.${f}` } }); };
    if (!isObj(c)) return fail('a case must be an object', '');
    const start = typeof c.start === 'string' ? Date.parse(c.start) : DEFAULT_START;
    if (!Number.isFinite(start)) fail('start must be an ISO time', 'start');
    const name = typeof c.name === 'string' ? c.name : `case ${i + 1}`;
    const list = (k: string): EcsEvent[] | undefined => {
      if (c[k] === undefined) return undefined;
      if (!Array.isArray(c[k])) fail(`'${k}' must be a list of events`, k);
      return expandEvents(c[k] as unknown[], doc.defaults, start, `${file}#${where}.${k}`);
    };
    const tc: TestCase = { name };
    if (c.events !== undefined) {
      tc.events = list('events');
      if (!Array.isArray(c.expect)) fail("an 'events' case needs 'expect': [{ rule, count }]", 'expect');
      tc.expect = (c.expect as unknown[]).map((x, j) => {
        if (!isObj(x) || typeof x.rule !== 'string' || typeof x.count !== 'number' || !Number.isInteger(x.count) || x.count < 0) return fail('expect entries are { rule: string, count: integer >= 0 }', `expect[${j}]`);
        return { rule: x.rule, count: x.count };
      });
    } else {
      if (typeof c.rule !== 'string') fail("a positive/negative case needs 'rule' (id, name or title)", 'rule');
      tc.rule = c.rule as string;
      const p = list('positive'); const n = list('negative');
      if (!p && !n) fail("a case needs 'positive' and/or 'negative' events, or 'events' + 'expect'", 'positive');
      if (p) tc.positive = p;
      if (n) tc.negative = n;
    }
    return tc;
  });
  return { file, cases };
}

export function readTestFile(file: string): TestFile {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (err) { throw new RuleTestError('ERR_RULETEST_MISSING', `no test file (${(err as Error).message})`, { location: { file }, cause: err }); }
  return parseTestFile(text, file);
}

export interface RuleRef { id: string; name?: string; title: string; file?: string; kind: 'rule' | 'correlation' }

export function ruleRefs(set: RuleSet): RuleRef[] {
  return [
    ...set.rules.map((r) => ({ id: r.meta.id, title: r.meta.title, kind: 'rule' as const, ...((r as { name?: string }).name ? { name: (r as { name?: string }).name } : {}), ...(r.meta.file ? { file: r.meta.file } : {}) })),
    ...set.correlations.map((c) => ({ id: c.meta.id, title: c.meta.title, kind: 'correlation' as const, ...(c.meta.name ? { name: c.meta.name } : {}), ...(c.meta.file ? { file: c.meta.file } : {}) })),
  ];
}

export function resolveRef(refs: readonly RuleRef[], ref: string): RuleRef | undefined {
  return refs.find((r) => r.id === ref) ?? refs.find((r) => r.name === ref) ?? refs.find((r) => r.title === ref);
}

export interface CaseResult { file: string; case: string; rule: string; ok: boolean; detail: string }

export function newDetector(set: RuleSet): Detector {
  return new Detector(set.rules, { correlations: set.correlations, suppressed: set.suppressed });
}

/** Run one test file's cases against a rule set; returns one result per case and the rule ids the cases covered. */
export function runTestFile(tf: TestFile, set: RuleSet): { results: CaseResult[]; covered: Map<string, { positive: boolean; negative: boolean; fires: boolean }> } {
  const refs = ruleRefs(set);
  const results: CaseResult[] = [];
  const covered = new Map<string, { positive: boolean; negative: boolean; fires: boolean }>();
  const cov = (id: string) => { let c = covered.get(id); if (!c) covered.set(id, (c = { positive: false, negative: false, fires: false })); return c; };
  const now = new Date(DEFAULT_START);
  for (const c of tf.cases) {
    if (c.events) {
      const d = newDetector(set);
      const alerts: Alert[] = [];
      for (const ev of c.events) alerts.push(...d.evaluateEvent(ev, now));
      const got = new Map<string, number>();
      for (const a of alerts) got.set(a.rule.id, (got.get(a.rule.id) ?? 0) + 1);
      const want = new Map<string, number>();
      const problems: string[] = [];
      for (const e of c.expect ?? []) {
        const r = resolveRef(refs, e.rule);
        if (!r) { problems.push(`unknown rule '${e.rule}'`); continue; }
        want.set(r.id, e.count);
        if (e.count > 0) cov(r.id).fires = true; else cov(r.id).negative = true;
      }
      for (const id of new Set([...want.keys(), ...got.keys()])) {
        const w = want.get(id) ?? 0; const g = got.get(id) ?? 0;
        if (w !== g) problems.push(`${refs.find((r) => r.id === id)?.title ?? id}: expected ${w} alert(s), got ${g}`);
      }
      results.push({ file: tf.file, case: c.name, rule: (c.expect ?? []).map((e) => e.rule).join(', '), ok: problems.length === 0, detail: problems.join('; ') || `${alerts.length} alert(s) as expected` });
      continue;
    }
    const r = resolveRef(refs, c.rule!);
    if (!r || r.kind !== 'rule') { results.push({ file: tf.file, case: c.name, rule: c.rule!, ok: false, detail: `unknown base rule '${c.rule}'` }); continue; }
    const problems: string[] = [];
    const hits = (ev: EcsEvent): number => {
      const d = newDetector(set);
      d.evaluateEvent(ev, now);
      return d.ruleStats.get(r.id)?.hits ?? 0;
    };
    (c.positive ?? []).forEach((ev, i) => { if (hits(ev) !== 1) problems.push(`positive[${i}] did not match`); });
    (c.negative ?? []).forEach((ev, i) => { if (hits(ev) !== 0) problems.push(`negative[${i}] matched`); });
    if (c.positive?.length) cov(r.id).positive = true;
    if (c.negative?.length) cov(r.id).negative = true;
    results.push({ file: tf.file, case: c.name, rule: r.title, ok: problems.length === 0, detail: problems.join('; ') || `${c.positive?.length ?? 0} positive, ${c.negative?.length ?? 0} negative` });
  }
  return { results, covered };
}

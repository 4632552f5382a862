// Parsed rule (after pipelines) -> CompiledRule with a fast match(event): every detection item becomes a
// closure over precompiled value tests; the condition AST becomes a closure tree.
import { SigmaError } from './errors.ts';
import { parseCondition, expandPattern, ConditionSyntaxError, type CondNode } from './condition.ts';
import { applyModifiers, ModifierError, type SVal, type TimePart } from './modifiers.ts';
import { compileRegex, RegexError } from './regex.ts';
import { cidrMatcher } from './ip.ts';
import { fieldGetter, leafValues, type Getter } from './fields.ts';
import { STAR, normalise, parseSigmaString, stringMatcher, type Part } from './values.ts';
import type { DetGroup, DetItem, ParsedFilter, ParsedRule, RuleMeta } from './types.ts';
import { at, scalarText, type YScalar } from './yamlnode.ts';
import type { Req, ReqAtom } from './prefilter.ts';

type Event = Record<string, unknown>;
type Pred = (ev: Event) => boolean;
type ValueTest = (v: unknown, ev: Event) => boolean;

export interface CompiledRule {
  meta: RuleMeta;
  match(event: Record<string, unknown>): boolean;
  /** fields the rule looked at that matched, for highlighting */
  matchedFields?(event: Record<string, unknown>): string[];
}

interface CompiledItem { fields: string[]; getters: Getter[]; pred: Pred; fieldPred?: (ev: Event, i: number) => boolean }

export class SigmaCompiledRule implements CompiledRule {
  readonly meta: RuleMeta;
  /** rule `name` (for filter references) */
  readonly name: string | undefined;
  /** ids of the pipeline transformations applied to this rule */
  readonly appliedTransformations: readonly string[];
  private readonly base: Pred;
  private readonly items: readonly CompiledItem[];
  private readonly filters: Pred[] = [];
  /**
   * Necessary condition of `match` over literal field values (for the prefilter in prefilter.ts): whenever
   * `match(event)` is true, `requirement` holds for the event. null = no usable requirement (always a candidate).
   */
  readonly requirement: Req;

  constructor(meta: RuleMeta, name: string | undefined, base: Pred, items: CompiledItem[], applied: string[], requirement: Req = null) {
    this.meta = meta; this.name = name; this.base = base; this.items = items; this.appliedTransformations = applied;
    this.requirement = requirement;
  }

  match(event: Record<string, unknown>): boolean {
    if (!this.base(event)) return false;
    for (const f of this.filters) if (!f(event)) return false;
    return true;
  }

  matchedFields(event: Record<string, unknown>): string[] {
    if (!this.match(event)) return [];
    const out = new Set<string>();
    for (const it of this.items) {
      if (!it.fieldPred) continue;
      it.fields.forEach((f, i) => { if (it.fieldPred!(event, i)) out.add(f); });
    }
    return [...out];
  }

  /** Add a filter predicate (from a Sigma filter rule): the rule matches only if every filter predicate holds. */
  addFilter(pred: Pred): void { this.filters.push(pred); }
}

export interface CompileContext { vars: Readonly<Record<string, readonly string[]>> }

export function compileRule(rule: ParsedRule, ctx: CompileContext): SigmaCompiledRule {
  const items: CompiledItem[] = [];
  const reqs = new Map<Pred, Req>();
  const base = compileDetectionLogic(rule, ctx, items, reqs);
  return new SigmaCompiledRule(rule.meta, rule.name, base, items, rule.applied, reqs.get(base) ?? null);
}

/** The predicate of a filter's own condition (already including pipeline conditions). */
export function compileFilter(filter: ParsedFilter, ctx: CompileContext): Pred {
  return compileDetectionLogic(filter, ctx, [], new Map());
}

// Requirements (see prefilter.ts) are recorded next to the predicates in `reqs` (predicate -> requirement): a
// missing entry means "no requirement". Negations never contribute one.
const reqAnd = (args: Req[]): Req => { const a = args.filter((r) => r !== null); return a.length === 0 ? null : a.length === 1 ? a[0]! : { k: 'and', args: a }; };
const reqOr = (args: Req[]): Req => (args.length === 0 || args.some((r) => r === null) ? null : args.length === 1 ? args[0]! : { k: 'or', args });

function compileDetectionLogic(rule: ParsedRule | ParsedFilter, ctx: CompileContext, items: CompiledItem[], reqs: Map<Pred, Req>): Pred {
  const rq = (p: Pred): Req => reqs.get(p) ?? null;
  const rec = (p: Pred, r: Req): Pred => { if (r !== null) reqs.set(p, r); return p; };
  const file = rule.file;
  const ruleId = rule.meta.id;
  const dets = new Map<string, Pred>();
  for (const [name, g] of rule.detections) dets.set(name, compileGroup(g, ctx, file, ruleId, items, reqs));
  const names = [...rule.detections.keys()];
  const conds: Pred[] = rule.conditions.map((c) => {
    let ast: CondNode;
    try { ast = parseCondition(c.text); } catch (err) {
      if (!(err instanceof ConditionSyntaxError)) throw err;
      const column = c.plain && !c.text.includes('\n') ? c.pos.column + err.offset : c.pos.column;
      throw new SigmaError('ERR_SIGMA_CONDITION', `invalid condition '${c.text}': ${err.message}`, { location: { file, line: c.pos.line, column, field: 'condition' }, ruleId, cause: err });
    }
    const bad = (msg: string): never => { throw new SigmaError('ERR_SIGMA_CONDITION', msg, { location: at(file, c.pos, 'condition'), ruleId }); };
    const build = (n: CondNode): Pred => {
      switch (n.op) {
        case 'id': { const p = dets.get(n.name); return p ?? bad(`condition names unknown detection '${n.name}'`); }
        case 'not': { const a = build(n.arg); return (ev) => !a(ev); }
        case 'and': { const a = n.args.map(build); return rec((ev) => a.every((p) => p(ev)), reqAnd(a.map(rq))); }
        case 'or': { const a = n.args.map(build); return rec((ev) => a.some((p) => p(ev)), reqOr(a.map(rq))); }
        case 'of': {
          const matched = expandPattern(n.pattern, names);
          if (matched.length === 0) bad(`'${n.quant === 'all' ? 'all' : '1'} of ${n.pattern}' matches no detection`);
          const a = matched.map((m) => dets.get(m)!);
          return n.quant === 'all' ? rec((ev) => a.every((p) => p(ev)), reqAnd(a.map(rq))) : rec((ev) => a.some((p) => p(ev)), reqOr(a.map(rq)));
        }
      }
    };
    return build(ast);
  });
  const extra: Pred[] = rule.extra.map((x) => {
    const p = dets.get(x.name)!;
    return x.negated ? (ev: Event) => !p(ev) : p;
  });
  const cond: Pred = conds.length === 1 ? conds[0]! : rec((ev) => conds.some((p) => p(ev)), reqOr(conds.map(rq)));
  if (extra.length === 0) return cond;
  return rec((ev) => extra.every((p) => p(ev)) && cond(ev), reqAnd([...extra.map(rq), rq(cond)]));
}

function compileGroup(g: DetGroup, ctx: CompileContext, file: string | undefined, ruleId: string, items: CompiledItem[], reqs: Map<Pred, Req>): Pred {
  const parts = g.items.map((it) => (it.type === 'group' ? compileGroup(it, ctx, file, ruleId, items, reqs) : compileItem(it, ctx, file, ruleId, items, reqs)));
  if (parts.length === 1) return parts[0]!;
  const sub = parts.map((p) => reqs.get(p) ?? null);
  let pred: Pred;
  if (g.op === 'and') pred = (ev) => { for (const p of parts) if (!p(ev)) return false; return true; };
  else pred = (ev) => { for (const p of parts) if (p(ev)) return true; return false; };
  const r = g.op === 'and' ? reqAnd(sub) : reqOr(sub);
  if (r !== null) reqs.set(pred, r);
  return pred;
}

/** The literal a field value must contain (lower-cased) for an uncased string test to hold, or null. */
function strAtom(parts: readonly Part[]): ReqAtom | null {
  if (parts.every((p) => typeof p === 'string')) return { op: 'eq', s: parts.join('').toLowerCase() };
  let best = '';
  for (const p of parts) if (typeof p === 'string' && p.length > best.length) best = p;
  return best === '' ? null : { op: 'sub', s: best.toLowerCase() };
}

/** Atoms for one value (any of them may hold), or null when the value gives no literal requirement. */
function valueAtoms(v: SVal): ReqAtom[] | null {
  switch (v.t) {
    case 'str': { const a = strAtom(v.parts); return a ? [a] : null; }
    case 'num': { const t = v.text.toLowerCase(); const alt = String(v.n).toLowerCase(); return t === alt ? [{ op: 'eq', s: t }] : [{ op: 'eq', s: t }, { op: 'eq', s: alt }]; }
    case 'bool': return [{ op: 'eq', s: String(v.b) }];
    default: return null;
  }
}

function rawValue(s: YScalar): SVal {
  if (s.value === null) return { t: 'null' };
  if (typeof s.value === 'boolean') return { t: 'bool', b: s.value };
  if (typeof s.value === 'number') return { t: 'num', n: s.value, text: scalarText(s) };
  return { t: 'str', parts: parseSigmaString(s.value), raw: s.value };
}

function scalarString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') { const n = Number(v); return Number.isFinite(n) ? n : undefined; }
  return undefined;
}

function timePart(v: unknown, part: TimePart): number | undefined {
  const d = typeof v === 'number' ? new Date(v) : typeof v === 'string' ? new Date(v) : v instanceof Date ? v : undefined;
  if (!d || Number.isNaN(d.getTime())) return undefined;
  switch (part) {
    case 'minute': return d.getUTCMinutes();
    case 'hour': return d.getUTCHours();
    case 'day': return d.getUTCDate();
    case 'month': return d.getUTCMonth() + 1;
    case 'year': return d.getUTCFullYear();
    case 'week': {
      // ISO-8601 week number.
      const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      const day = t.getUTCDay() || 7;
      t.setUTCDate(t.getUTCDate() + 4 - day);
      const y0 = Date.UTC(t.getUTCFullYear(), 0, 1);
      return Math.ceil(((t.getTime() - y0) / 86_400_000 + 1) / 7);
    }
  }
}

function valueTest(v: SVal, cased: boolean, item: DetItem, fail: (code: 'ERR_SIGMA_REGEX' | 'ERR_SIGMA_VALUE', msg: string, cause?: unknown) => never): ValueTest {
  switch (v.t) {
    case 'str': {
      const m = stringMatcher(v.parts, cased);
      return (x) => { const s = scalarString(x); return s !== undefined && m(s); };
    }
    case 'num': {
      const text = v.text.toLowerCase(); const alt = String(v.n); const n = v.n;
      return (x) => (typeof x === 'number' ? x === n : typeof x === 'string' ? (x.toLowerCase() === text || x === alt) : false);
    }
    case 'bool': {
      const b = v.b; const text = String(b);
      return (x) => x === b || (typeof x === 'string' && x.toLowerCase() === text);
    }
    case 're': {
      let re;
      try { re = compileRegex(v.src, cased ? v.flags : v.flags); } catch (err) {
        if (err instanceof RegexError) fail('ERR_SIGMA_REGEX', err.message, err);
        throw err;
      }
      return (x) => { const s = scalarString(x); return s !== undefined && re.test(s); };
    }
    case 'cidr': {
      const m = cidrMatcher(v.text);
      if (!m) fail('ERR_SIGMA_VALUE', `invalid CIDR '${v.text}'`);
      return (x) => typeof x === 'string' && m(x);
    }
    case 'cmp': {
      const n = v.n;
      const cmp = v.op === 'lt' ? (a: number) => a < n : v.op === 'lte' ? (a: number) => a <= n : v.op === 'gt' ? (a: number) => a > n : (a: number) => a >= n;
      return (x) => { const a = toNumber(x); return a !== undefined && cmp(a); };
    }
    case 'fieldref': {
      const targets = item.refFields?.get(v.field) ?? [v.field];
      const getters = targets.map(fieldGetter);
      return (x, ev) => {
        const s = scalarString(x);
        if (s === undefined) return false;
        const a = cased ? s : s.toLowerCase();
        return getters.some((g) => g(ev).some((o) => { const t = scalarString(o); return t !== undefined && (cased ? t : t.toLowerCase()) === a; }));
      };
    }
    case 'null': return (x) => x === null;
    case 'exists': return () => true; // handled by the item
  }
}

function compileItem(item: DetItem, ctx: CompileContext, file: string | undefined, ruleId: string, items: CompiledItem[], reqs: Map<Pred, Req>): Pred {
  const key = [item.field ?? '', ...item.modifiers].join('|');
  const loc = at(file, item.pos, key);
  function fail(code: 'ERR_SIGMA_REGEX' | 'ERR_SIGMA_VALUE' | 'ERR_SIGMA_MODIFIER' | 'ERR_SIGMA_PLACEHOLDER', msg: string, cause?: unknown): never {
    throw new SigmaError(code, `${key}: ${msg}`, { location: loc, ruleId, cause });
  }
  let applied;
  try {
    applied = applyModifiers(item.modifiers, item.values.map(rawValue), ctx);
  } catch (err) {
    if (err instanceof ModifierError) fail(err.code, err.message, err);
    throw err;
  }
  const { values, cased, neq, time } = applied;
  let all = applied.all;
  if (values.length === 0) fail('ERR_SIGMA_VALUE', 'no values');

  // `exists`
  if (values[0]!.t === 'exists') {
    const fields = item.fields;
    if (fields === null) return fail('ERR_SIGMA_MODIFIER', "'exists' needs a field");
    const want = (values[0] as { b: boolean }).b;
    const getters = fields.map(fieldGetter);
    const pred: Pred = (ev) => getters.some((g) => g(ev).some((v) => v !== undefined)) === want;
    items.push({ fields, getters, pred });
    return pred;
  }

  const hasNull = values.some((v) => v.t === 'null');
  const tests = values.filter((v) => v.t !== 'null').map((v) => valueTest(v, cased, item, fail));
  if (hasNull && all) all = false;

  // Keyword search over every leaf value of the event (a plain keyword behaves like `contains`).
  if (item.fields === null) {
    const kwTests = item.modifiers.length === 0
      ? values.map((v) => (v.t === 'str' ? valueTest({ t: 'str', parts: normalise([STAR, ...v.parts, STAR]) }, false, item, fail) : valueTest(v, cased, item, fail)))
      : tests;
    const pred: Pred = (ev) => {
      const leaves = leafValues(ev);
      return all ? kwTests.every((t) => leaves.some((l) => t(l, ev))) : kwTests.some((t) => leaves.some((l) => t(l, ev)));
    };
    return pred;
  }

  const getters = item.fields.map(fieldGetter);
  const extract = time ? (v: unknown) => timePart(v, time) : undefined;
  const onField = (ev: Event, g: Getter): boolean => {
    let vals = g(ev);
    const missing = vals.length === 0 || vals.every((v) => v === undefined);
    if (missing) return hasNull && !neq;
    if (extract) vals = vals.map(extract).filter((v) => v !== undefined);
    const anyTest = (t: ValueTest): boolean => vals.some((v) => t(v, ev));
    const nullHit = hasNull && vals.some((v) => v === null);
    if (neq) return !(nullHit || tests.some(anyTest));
    if (all) return tests.every(anyTest);
    return nullHit || tests.some(anyTest);
  };
  const pred: Pred = getters.length === 1 ? (ev) => onField(ev, getters[0]!) : (ev) => getters.some((g) => onField(ev, g));
  items.push({ fields: item.fields, getters, pred, fieldPred: (ev, i) => onField(ev, getters[i]!) });
  // Requirement: only for plain (uncased, positive, non-null, non-time) value tests on fields.
  if (!neq && !hasNull && !time && !cased && item.fields.length > 0) {
    const per = values.map(valueAtoms);
    if (per.every((a) => a !== null)) {
      const fields = item.fields;
      const r: Req = all
        ? reqAnd(per.map((lits) => ({ k: 'atom', fields, lits: lits! })))
        : { k: 'atom', fields, lits: per.flatMap((a) => a!) };
      if (r !== null) reqs.set(pred, r);
    }
  }
  return pred;
}

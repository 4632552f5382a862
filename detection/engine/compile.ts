// Parsed rule (after pipelines) -> CompiledRule with a fast match(event): every detection item becomes a
// closure over precompiled value tests; the condition AST becomes a closure tree. Predicates read the event
// through a FieldMemo (fields.ts): each field path is resolved, and each value lower-cased, once per event,
// however many items and rules look at it. Uncased string tests are compiled against lower-cased patterns
// and run on the memo's lower-cased text.
import { SigmaError } from './errors.ts';
import { parseCondition, expandPattern, ConditionSyntaxError, type CondNode } from './condition.ts';
import { applyModifiers, ModifierError, type SVal, type TimePart } from './modifiers.ts';
import { compileRegex, RegexError } from './regex.ts';
import { cidrMatcher } from './ip.ts';
import { FieldMemo, fieldSlot, LEAVES, LEAVES_SLOT, valueText } from './fields.ts';
import { ONE, STAR, normalise, parseSigmaString, stringMatcher, type Part } from './values.ts';
import type { ConditionText, DetGroup, DetItem, ParsedFilter, ParsedRule, RuleMeta } from './types.ts';
import { at, scalarText, type YScalar } from './yamlnode.ts';
import type { Req, ReqAtom } from './prefilter.ts';

export type Pred = (m: FieldMemo) => boolean;
/** A test on one value: `v` the value, `low` its valueText() (lower-cased), `m` the event's memo (fieldref). */
type ValueTest = (v: unknown, low: string | undefined, m: FieldMemo) => boolean;

export interface CompiledRule {
  meta: RuleMeta;
  match(event: Record<string, unknown>): boolean;
  /** match() on the event of a memo that other rules share (see FieldMemo) */
  matchMemo?(m: FieldMemo): boolean;
  /** fields the rule looked at that matched, for highlighting */
  matchedFields?(event: Record<string, unknown>): string[];
}

export interface CompiledItem { readonly fields: readonly string[]; readonly pred: Pred; readonly fieldPred?: (m: FieldMemo, i: number) => boolean }

const scratch = new FieldMemo();

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
    return this.matchMemo(scratch.reset(event));
  }

  matchMemo(m: FieldMemo): boolean {
    if (!this.base(m)) return false;
    const fs = this.filters;
    for (let i = 0; i < fs.length; i++) if (!fs[i]!(m)) return false;
    return true;
  }

  matchedFields(event: Record<string, unknown>): string[] {
    const m = new FieldMemo().reset(event);
    if (!this.matchMemo(m)) return [];
    const out = new Set<string>();
    for (const it of this.items) {
      if (!it.fieldPred) continue;
      it.fields.forEach((f, i) => { if (it.fieldPred!(m, i)) out.add(f); });
    }
    return [...out];
  }

  /** Add a filter predicate (from a Sigma filter rule): the rule matches only if every filter predicate holds. */
  addFilter(pred: Pred): void { this.filters.push(pred); }
}

export interface CompileContext {
  vars: Readonly<Record<string, readonly string[]>>;
  /**
   * Compiled detection items of this load, by what determines them (fields after the pipelines, modifiers,
   * values): an item that recurs across rules (pipeline conditions such as `EventID: [1, 4688]`, common
   * `Image|endswith` values; ~40% of SigmaHQ's items) is compiled once and its predicate shared.
   * Only successful compilations are kept, so every failing rule still gets its own located error.
   */
  memo?: Map<string, MemoItem>;
}

export interface MemoItem { pred: Pred; entry: CompiledItem | undefined; req: Req }

/** The memo key of an item: length-prefixed fields, modifiers and typed values (undefined: not memoised). */
function itemKey(item: DetItem): string | undefined {
  if (item.refFields !== undefined) return undefined; // fieldref targets: rare, not worth a key
  let k = item.fields === null ? 'K' : `F${item.fields.length}`;
  if (item.fields !== null) for (const f of item.fields) k += `${f.length}:${f}`;
  k += `M${item.modifiers.length}`;
  for (const m of item.modifiers) k += `${m.length}:${m}`;
  for (const v of item.values) {
    const x = v.value;
    if (typeof x === 'string') k += `s${x.length}:${x}`;
    else if (typeof x === 'number') { const t = scalarText(v); k += `n${t.length}:${t}${String(x)};`; } else k += x === null ? 'z' : x ? 'T' : 'F';
  }
  return k;
}

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

/** Record `r` as the requirement of predicate `p` (see prefilter.ts); returns `p`. */
function withReq(reqs: Map<Pred, Req>, p: Pred, r: Req): Pred {
  if (r !== null) reqs.set(p, r);
  return p;
}

const notPred = (p: Pred): Pred => (m) => !p(m);

/** The recorded requirements of some predicates (null where none). */
function reqsOf(reqs: ReadonlyMap<Pred, Req>, ps: readonly Pred[]): Req[] {
  return ps.map((p) => reqs.get(p) ?? null);
}

/** The predicate of one condition AST (names resolved to the compiled detections). */
function buildCondition(n: CondNode, dets: ReadonlyMap<string, Pred>, names: readonly string[], reqs: Map<Pred, Req>, bad: (msg: string) => never): Pred {
  switch (n.op) {
    case 'id': { const p = dets.get(n.name); return p ?? bad(`condition names unknown detection '${n.name}'`); }
    case 'not': return notPred(buildCondition(n.arg, dets, names, reqs, bad));
    case 'and': { const a = n.args.map((x) => buildCondition(x, dets, names, reqs, bad)); return withReq(reqs, andOf(a), reqAnd(reqsOf(reqs, a))); }
    case 'or': { const a = n.args.map((x) => buildCondition(x, dets, names, reqs, bad)); return withReq(reqs, orOf(a), reqOr(reqsOf(reqs, a))); }
    case 'of': {
      const matched = expandPattern(n.pattern, names);
      if (matched.length === 0) bad(`'${n.quant === 'all' ? 'all' : '1'} of ${n.pattern}' matches no detection`);
      const a = matched.map((m) => dets.get(m)!);
      return n.quant === 'all' ? withReq(reqs, andOf(a), reqAnd(reqsOf(reqs, a))) : withReq(reqs, orOf(a), reqOr(reqsOf(reqs, a)));
    }
  }
}

function conditionError(file: string | undefined, c: ConditionText, ruleId: string): (msg: string) => never {
  return (msg) => { throw new SigmaError('ERR_SIGMA_CONDITION', msg, { location: at(file, c.pos, 'condition'), ruleId }); };
}

function compileDetectionLogic(rule: ParsedRule | ParsedFilter, ctx: CompileContext, items: CompiledItem[], reqs: Map<Pred, Req>): Pred {
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
    return buildCondition(ast, dets, names, reqs, conditionError(file, c, ruleId));
  });
  const extra: Pred[] = rule.extra.map((x) => {
    const p = dets.get(x.name)!;
    return x.negated ? notPred(p) : p;
  });
  const cond: Pred = conds.length === 1 ? conds[0]! : withReq(reqs, orOf(conds), reqOr(reqsOf(reqs, conds)));
  if (extra.length === 0) return cond;
  // The pipeline's conditions (logsource) first: they are cheap and usually decide.
  const all = [...extra, cond];
  return withReq(reqs, andOf(all), reqAnd(reqsOf(reqs, all)));
}

/** Conjunction / disjunction without closures per call (specialised for the common arities). */
function andOf(ps: readonly Pred[]): Pred {
  if (ps.length === 1) return ps[0]!;
  if (ps.length === 2) { const a = ps[0]!; const b = ps[1]!; return (m) => a(m) && b(m); }
  if (ps.length === 3) { const a = ps[0]!; const b = ps[1]!; const c = ps[2]!; return (m) => a(m) && b(m) && c(m); }
  return (m) => { for (let i = 0; i < ps.length; i++) if (!ps[i]!(m)) return false; return true; };
}

function orOf(ps: readonly Pred[]): Pred {
  if (ps.length === 1) return ps[0]!;
  if (ps.length === 2) { const a = ps[0]!; const b = ps[1]!; return (m) => a(m) || b(m); }
  return (m) => { for (let i = 0; i < ps.length; i++) if (ps[i]!(m)) return true; return false; };
}

function compileGroup(g: DetGroup, ctx: CompileContext, file: string | undefined, ruleId: string, items: CompiledItem[], reqs: Map<Pred, Req>): Pred {
  const parts = g.items.map((it) => (it.type === 'group' ? compileGroup(it, ctx, file, ruleId, items, reqs) : compileItemMemo(it, ctx, file, ruleId, items, reqs)));
  if (parts.length === 1) return parts[0]!;
  const sub = parts.map((p) => reqs.get(p) ?? null);
  const pred: Pred = g.op === 'and' ? andOf(parts) : orOf(parts);
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

/** Lower-case the literal parts (and character classes) of a pattern, for matching lower-cased input. */
function lowerParts(parts: readonly Part[]): Part[] {
  return parts.map((p) => (typeof p === 'string' ? p.toLowerCase() : p !== STAR && p !== ONE ? { set: (p as { set: string }).set.toLowerCase() } : p));
}

function valueTest(v: SVal, cased: boolean, item: DetItem, fail: ItemFail): ValueTest {
  switch (v.t) {
    case 'str': {
      if (cased) {
        const m = stringMatcher(v.parts, true);
        return (x) => { const s = scalarString(x); return s !== undefined && m(s); };
      }
      // stringMatcher(parts, false)(s) === stringMatcher(lower(parts), true)(lower(s)); `low` is lower(s).
      const m = stringMatcher(lowerParts(v.parts), true);
      return (_x, low) => low !== undefined && m(low);
    }
    case 'num': {
      const text = v.text.toLowerCase(); const alt = String(v.n); const n = v.n;
      return (x, low) => (typeof x === 'number' ? x === n : typeof x === 'string' ? (low === text || x === alt) : false);
    }
    case 'bool': {
      const b = v.b; const text = String(b);
      return (x, low) => x === b || (typeof x === 'string' && low === text);
    }
    case 're': {
      let re;
      try { re = compileRegex(v.src, v.flags); } catch (err) {
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
      const slots = targets.map(fieldSlot);
      return (x, _low, m) => {
        const s = scalarString(x);
        if (s === undefined) return false;
        const a = cased ? s : s.toLowerCase();
        return slots.some((slot) => m.values(slot).some((o) => { const t = scalarString(o); return t !== undefined && (cased ? t : t.toLowerCase()) === a; }));
      };
    }
    case 'null': return (x) => x === null;
    case 'exists': return () => true; // handled by the item
  }
}

/**
 * One test for many uncased `contains` literals: a bitmap of their first UTF-16 units, so the input is scanned
 * once and only positions that can start a literal are compared (emoji lists, long command-line lists).
 */
function multiContains(lits: readonly string[]): (s: string) => boolean {
  if (lits.includes('')) return () => true;
  // first[c] for code units < 256; `high` says whether any literal starts at or above 256 (then the Map decides).
  const first = new Uint8Array(256);
  let high = false;
  const byFirst = new Map<number, string[]>();
  for (const l of new Set(lits)) {
    const c = l.charCodeAt(0);
    if (c < 256) first[c] = 1; else high = true;
    const a = byFirst.get(c); if (a) a.push(l); else byFirst.set(c, [l]);
  }
  return (s) => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 256 ? first[c] === 0 : !high) continue;
      const ls = byFirst.get(c);
      if (ls === undefined) continue;
      for (let k = 0; k < ls.length; k++) if (s.startsWith(ls[k]!, i)) return true;
    }
    return false;
  };
}

function isLit(v: SVal): v is Extract<SVal, { t: 'str' }> {
  return v.t === 'str' && v.parts.every((p) => typeof p === 'string');
}

function isContains(v: SVal): v is Extract<SVal, { t: 'str' }> {
  return v.t === 'str' && v.parts.length === 3 && v.parts[0] === STAR && v.parts[2] === STAR && typeof v.parts[1] === 'string';
}

/**
 * The tests of an "any of these values" list: uncased exact literals become one Set lookup, uncased `*lit*`
 * values one multiContains scan (from 4 of them), the rest one test each. `anyOf` false (`all`, or cased/time
 * items): one test per value.
 */
function valueTests(vals: readonly SVal[], cased: boolean, anyOf: boolean, item: DetItem, fail: ItemFail): ValueTest[] {
  if (!anyOf || cased) return vals.map((v) => valueTest(v, cased, item, fail));
  const lits = vals.filter(isLit);
  const contains = vals.filter(isContains);
  const out: ValueTest[] = [];
  const useSet = lits.length >= 2; const useMulti = contains.length >= 4;
  for (const v of vals) if (!(useSet && isLit(v)) && !(useMulti && isContains(v))) out.push(valueTest(v, cased, item, fail));
  if (useSet) { const set = new Set(lits.map((v) => v.parts.join('').toLowerCase())); out.push((_x, low) => low !== undefined && set.has(low)); }
  if (useMulti) { const mc = multiContains(contains.map((v) => (v.parts[1] as string).toLowerCase())); out.push((_x, low) => low !== undefined && mc(low)); }
  return out;
}

/** Whether any value (with its lower-cased text) passes test `t`. */
function anyValue(t: ValueTest, vals: readonly unknown[], lows: ReadonlyArray<string | undefined>, m: FieldMemo): boolean {
  for (let k = 0; k < vals.length; k++) if (t(vals[k], lows[k], m)) return true;
  return false;
}

type ItemFail = (code: 'ERR_SIGMA_REGEX' | 'ERR_SIGMA_VALUE' | 'ERR_SIGMA_MODIFIER' | 'ERR_SIGMA_PLACEHOLDER', msg: string, cause?: unknown) => never;

// The closures of a compiled item come from these module-level factories: a named closure created inside a
// function (`const f = () => ...`) costs a defineProperty per creation under tsx (esbuild keepNames), which was
// ~10% of the load time.

function failFor(item: DetItem, file: string | undefined, ruleId: string): ItemFail {
  return (code, msg, cause) => {
    const key = [item.field ?? '', ...item.modifiers].join('|');
    throw new SigmaError(code, `${key}: ${msg}`, { location: at(file, item.pos, key), ruleId, cause });
  };
}

function existsPred(slots: readonly number[], want: boolean): Pred {
  return (m) => slots.some((s) => m.values(s).some((v) => v !== undefined)) === want;
}

function keywordPred(kwTests: readonly ValueTest[], all: boolean): Pred {
  return (m) => {
    const vals = m.values(LEAVES_SLOT); const lows = m.lower(LEAVES_SLOT);
    if (all) { for (const t of kwTests) if (!anyValue(t, vals, lows, m)) return false; return true; }
    for (const t of kwTests) if (anyValue(t, vals, lows, m)) return true;
    return false;
  };
}

type FieldTest = (m: FieldMemo, slot: number) => boolean;

/** The test of one item on one field slot (what `field|mods: values` says about that field). */
function fieldTest(allTests: readonly ValueTest[], hasNull: boolean, neq: boolean, all: boolean, time: TimePart | undefined): FieldTest {
  const extract = time ? (v: unknown) => timePart(v, time) : undefined;
  const nt = allTests.length;
  return (m, slot) => {
    let vals = m.values(slot);
    let present = false;
    for (let k = 0; k < vals.length; k++) if (vals[k] !== undefined) { present = true; break; }
    if (!present) return hasNull && !neq;
    let lows: ReadonlyArray<string | undefined>;
    if (extract) { vals = vals.map(extract).filter((v) => v !== undefined); lows = vals.map(valueText); } else lows = m.lower(slot);
    if (neq) {
      if (hasNull && vals.includes(null)) return false;
      for (let i = 0; i < nt; i++) if (anyValue(allTests[i]!, vals, lows, m)) return false;
      return true;
    }
    if (all) {
      for (let i = 0; i < nt; i++) if (!anyValue(allTests[i]!, vals, lows, m)) return false;
      return true;
    }
    if (hasNull && vals.includes(null)) return true;
    for (let i = 0; i < nt; i++) if (anyValue(allTests[i]!, vals, lows, m)) return true;
    return false;
  };
}

/** The item holds when its test holds on any of its (mapped) fields. */
function anyFieldPred(onField: FieldTest, slots: readonly number[]): Pred {
  if (slots.length === 1) { const s0 = slots[0]!; return (m) => onField(m, s0); }
  if (slots.length === 2) { const s0 = slots[0]!; const s1 = slots[1]!; return (m) => onField(m, s0) || onField(m, s1); }
  return (m) => { for (let i = 0; i < slots.length; i++) if (onField(m, slots[i]!)) return true; return false; };
}

function fieldPredAt(onField: FieldTest, slots: readonly number[]): (m: FieldMemo, i: number) => boolean {
  return (m, i) => onField(m, slots[i]!);
}

function compileItemMemo(item: DetItem, ctx: CompileContext, file: string | undefined, ruleId: string, items: CompiledItem[], reqs: Map<Pred, Req>): Pred {
  const key = ctx.memo === undefined ? undefined : itemKey(item);
  if (key === undefined) return compileItem(item, ctx, file, ruleId, items, reqs);
  let hit = ctx.memo!.get(key);
  if (hit === undefined) {
    const own: CompiledItem[] = [];
    const own2 = new Map<Pred, Req>();
    const pred = compileItem(item, ctx, file, ruleId, own, own2);
    hit = { pred, entry: own[0], req: own2.get(pred) ?? null };
    ctx.memo!.set(key, hit);
  }
  if (hit.entry !== undefined) items.push(hit.entry);
  if (hit.req !== null) reqs.set(hit.pred, hit.req);
  return hit.pred;
}

function compileItem(item: DetItem, ctx: CompileContext, file: string | undefined, ruleId: string, items: CompiledItem[], reqs: Map<Pred, Req>): Pred {
  const fail = failFor(item, file, ruleId);
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
    const pred = existsPred(fields.map(fieldSlot), (values[0] as { b: boolean }).b);
    items.push({ fields, pred });
    return pred;
  }

  const hasNull = values.some((v) => v.t === 'null');
  const nonNull = values.filter((v) => v.t !== 'null');
  if (hasNull && all) all = false;

  // Keyword search over every leaf value of the event (a plain keyword behaves like `contains`).
  if (item.fields === null) {
    const kwValues = item.modifiers.length === 0 ? values.map((v) => (v.t === 'str' ? { t: 'str' as const, parts: normalise([STAR, ...v.parts, STAR]) } : v)) : nonNull;
    const kwTests = valueTests(kwValues, item.modifiers.length === 0 ? false : cased, !all, item, fail);
    const pred = keywordPred(kwTests, all);
    // Requirement over the pseudo field LEAVES (the prefilter indexes keyword literals like field values).
    if (!neq && !hasNull && !time && (!cased || item.modifiers.length === 0)) {
      const per = kwValues.map(valueAtoms);
      if (per.every((a) => a !== null)) {
        const fields = [LEAVES];
        const r: Req = all ? reqAnd(per.map((lits) => ({ k: 'atom', fields, lits: lits! }))) : { k: 'atom', fields, lits: per.flatMap((a) => a!) };
        if (r !== null) reqs.set(pred, r);
      }
    }
    return pred;
  }

  const allTests = valueTests(nonNull, cased, !all && !time, item, fail);
  const slots = item.fields.map(fieldSlot);
  const onField = fieldTest(allTests, hasNull, neq, all, time);
  const pred = anyFieldPred(onField, slots);
  items.push({ fields: item.fields, pred, fieldPred: fieldPredAt(onField, slots) });
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

// Sigma correlation documents (spec 2.1) -> validated, compiled correlations. Pure.
// A correlation references base rules (by id or `name`); its group-by / value fields use Sigma field names and
// are mapped onto event fields through the same pipelines as the referenced rule (per rule, since logsources differ).
//
// Semantics we pin (see correlation_state.ts for the window mechanics):
// - `generate` is the correlation's attribute (spec 2.1): a rule referenced by at least one correlation emits its
//   own alerts only if one of those correlations says `generate: true`. (`suppressed` below lists the others.)
// - `condition` is a map of `gt gte lt lte eq neq`; several keys are AND-ed (a range). Thresholds may be floats.
//   Temporal types default to "all referenced rules seen" (`gte: <number of rules>`).
// - `value_count`, `value_sum`, `value_avg`, `value_percentile` need a field: `condition.field` (spec) or a
//   top-level `field` key. Events without the field (or, for sum/avg/percentile, without a numeric value) do not count.
// - `value_percentile`: `percentile: N` (0 < N <= 100, in `condition` or at the top level, default 50); the condition
//   applies to the N-th percentile of the field's numeric values in the window, nearest-rank method:
//   sorted ascending, rank = ceil(N/100 * n), value = sorted[rank - 1].
// - `x-cirt-cross-agency: true`: the agency (`organization.id`) is not implicitly part of the group key.
import { createHash } from 'node:crypto';
import { SigmaError } from './errors.ts';
import type { CompiledRule } from './compile.ts';
import { fieldGetter, type Getter } from './fields.ts';
import { applyPipelines, resolvePipelines, type Pipeline } from './pipeline.ts';
import { LEVELS, type Level, type ParsedRule } from './types.ts';

export const CORRELATION_TYPES = ['event_count', 'value_count', 'temporal', 'temporal_ordered', 'value_sum', 'value_avg', 'value_percentile'] as const;
export type CorrelationType = (typeof CORRELATION_TYPES)[number];
export const CONDITION_OPS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];
export type CorrelationCondition = Partial<Record<ConditionOp, number>>;

export interface CorrelationMeta {
  id: string;
  title: string;
  name?: string;
  description?: string;
  author?: string;
  level: Level;
  tags: string[];
  references: string[];
  file?: string;
  /** SHA-256 (hex) of the rule file's text; Sigma `modified`/`date` (see RuleMeta). */
  hash?: string;
  version?: string;
}

/** How to read a (Sigma-named) field from the events of one referenced rule: alternatives after the pipelines. */
export interface FieldAccess { fields: string[]; getters: Getter[] }

export interface CompiledCorrelation {
  meta: CorrelationMeta;
  type: CorrelationType;
  /** referenced rule ids, in the order of the document (the order matters for temporal_ordered) */
  ruleIds: string[];
  /** group-by names as written (aliases included) */
  groupBy: string[];
  /** per rule id: one accessor per group-by entry */
  groupAccess: Map<string, FieldAccess[]>;
  /** value field (as written) and its accessor per rule id */
  field?: string;
  valueAccess?: Map<string, FieldAccess>;
  percentile?: number;
  timespanMs: number;
  condition: CorrelationCondition;
  generate: boolean;
  crossAgency: boolean;
}

export interface RawCorrelation { raw: unknown; file?: string; line: number; hash?: string }

/** Parse "30s", "5m", "1h", "1d" (also "2w"? no: s m h d only, per the spec's examples) into milliseconds. */
export function parseTimespan(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d+)([smhd])$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return n > 0 ? n * unit : undefined;
}

/** Whether a number satisfies every operator of a condition (an empty condition never holds). */
export function conditionHolds(c: CorrelationCondition, v: number): boolean {
  let any = false;
  for (const [op, t] of Object.entries(c) as Array<[ConditionOp, number]>) {
    any = true;
    switch (op) {
      case 'gt': if (!(v > t)) return false; break;
      case 'gte': if (!(v >= t)) return false; break;
      case 'lt': if (!(v < t)) return false; break;
      case 'lte': if (!(v <= t)) return false; break;
      case 'eq': if (v !== t) return false; break;
      case 'neq': if (v === t) return false; break;
    }
  }
  return any;
}

/** Nearest-rank percentile of values sorted ascending (p in (0, 100]). */
export function nearestRank(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validate and compile correlation documents against the loaded rules. Bad documents are returned as located
 * SigmaErrors (ERR_SIGMA_SCHEMA / ERR_SIGMA_CONDITION), the rest compile. `suppressed`: rule ids that must not
 * emit alerts by themselves (referenced, and no referencing correlation has `generate: true`).
 */
export function compileCorrelations(docs: readonly RawCorrelation[], rules: readonly CompiledRule[], pipelines: readonly Pipeline[] = []): { correlations: CompiledCorrelation[]; errors: SigmaError[]; suppressed: Set<string> } {
  const { ordered } = resolvePipelines(pipelines);
  const byRef = new Map<string, CompiledRule>();
  for (const r of rules) {
    byRef.set(r.meta.id, r);
    const name = (r as { name?: unknown }).name;
    if (typeof name === 'string' && !byRef.has(name)) byRef.set(name, r);
  }
  const correlations: CompiledCorrelation[] = [];
  const errors: SigmaError[] = [];
  docs.forEach((d, i) => {
    try { correlations.push(compileCorrelation(d, byRef, ordered, i)); } catch (err) {
      if (err instanceof SigmaError) errors.push(err); else throw err;
    }
  });
  const generating = new Set<string>();
  const referenced = new Set<string>();
  for (const c of correlations) for (const id of c.ruleIds) { referenced.add(id); if (c.generate) generating.add(id); }
  const suppressed = new Set([...referenced].filter((id) => !generating.has(id)));
  return { correlations, errors, suppressed };
}

function compileCorrelation(d: RawCorrelation, byRef: Map<string, CompiledRule>, ordered: Pipeline[], index: number): CompiledCorrelation {
  const file = d.file;
  let ruleId: string | undefined;
  const fail = (msg: string, field: string, code: 'ERR_SIGMA_SCHEMA' | 'ERR_SIGMA_CONDITION' = 'ERR_SIGMA_SCHEMA'): never => {
    throw new SigmaError(code, msg, { location: { file, line: d.line, column: 1, field }, ...(ruleId ? { ruleId } : {}) });
  };
  if (!isObj(d.raw)) fail('a correlation document must be a map', 'correlation');
  const root = d.raw as Obj;
  const str = (k: string): string | undefined => {
    const v = root[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') fail(`'${k}' must be a string`, k);
    return String(v);
  };
  const list = (k: string): string[] => {
    const v = root[k];
    if (v === undefined || v === null) return [];
    if (typeof v === 'string') return [v];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(`'${k}' must be a list of strings`, k);
    return v as string[];
  };
  const title = str('title');
  ruleId = str('id');
  if (!title) fail("missing 'title'", 'title');
  const id = ruleId ?? `sigma-${createHash('sha256').update(`${file ?? ''}#c${index}#${title}`).digest('hex').slice(0, 32)}`;
  ruleId = id;
  const levelText = (str('level') ?? 'medium').toLowerCase();
  if (!(LEVELS as readonly string[]).includes(levelText)) fail(`invalid level '${levelText}'`, 'level');
  const meta: CorrelationMeta = { id, title: title!, level: levelText as Level, tags: list('tags'), references: list('references') };
  for (const k of ['name', 'description', 'author'] as const) { const v = str(k); if (v !== undefined) meta[k] = v; }
  if (file !== undefined) meta.file = file;
  if (d.hash !== undefined) meta.hash = d.hash;
  const version = str('modified') ?? str('date'); if (version !== undefined) meta.version = version;

  const c = root.correlation;
  if (!isObj(c)) fail("'correlation' must be a map", 'correlation');
  const corr = c as Obj;
  const known = new Set(['type', 'rules', 'group-by', 'timespan', 'timeframe', 'condition', 'aliases', 'generate', 'field', 'percentile']);
  for (const k of Object.keys(corr)) if (!known.has(k)) fail(`unknown correlation key '${k}'`, `correlation.${k}`);
  const type = corr.type;
  if (typeof type !== 'string' || !(CORRELATION_TYPES as readonly string[]).includes(type)) fail(`unknown correlation type '${String(type)}' (expected ${CORRELATION_TYPES.join('|')})`, 'correlation.type');
  const ctype = type as CorrelationType;

  const refs = corr.rules;
  const refList = typeof refs === 'string' ? [refs] : refs;
  if (!Array.isArray(refList) || refList.length === 0 || refList.some((r) => typeof r !== 'string')) fail("correlation needs 'rules': a non-empty list of rule ids or names", 'correlation.rules');
  const ruleIds: string[] = [];
  const refRules: CompiledRule[] = [];
  for (const ref of refList as string[]) {
    const r = byRef.get(ref);
    if (!r) fail(`correlation references rule '${ref}', which is not loaded (by id or name)`, 'correlation.rules');
    if (ruleIds.includes(r!.meta.id)) continue;
    ruleIds.push(r!.meta.id); refRules.push(r!);
  }
  if ((ctype === 'temporal' || ctype === 'temporal_ordered') && ruleIds.length < 2) fail(`a ${ctype} correlation needs at least two rules`, 'correlation.rules');

  const ts = corr.timespan ?? corr.timeframe;
  const timespanMs = parseTimespan(ts);
  if (timespanMs === undefined) fail(`bad timespan '${String(ts)}' (expected e.g. 30s, 5m, 1h, 1d)`, 'correlation.timespan');

  const gb = corr['group-by'];
  if (gb !== undefined && gb !== null && (!Array.isArray(gb) || gb.some((x) => typeof x !== 'string'))) fail("'group-by' must be a list of field names", 'correlation.group-by');
  const groupBy = (gb ?? []) as string[];

  // aliases: { alias: { ruleRef: field } }
  const aliases = new Map<string, Map<string, string>>();
  if (corr.aliases !== undefined && corr.aliases !== null) {
    if (!isObj(corr.aliases)) fail("'aliases' must be a map", 'correlation.aliases');
    for (const [alias, perRule] of Object.entries(corr.aliases as Obj)) {
      if (!isObj(perRule)) fail(`alias '${alias}' must map rule ids/names to field names`, `correlation.aliases.${alias}`);
      const m = new Map<string, string>();
      for (const [ref, f] of Object.entries(perRule as Obj)) {
        const r = byRef.get(ref);
        if (!r) fail(`alias '${alias}' names rule '${ref}', which is not loaded`, `correlation.aliases.${alias}`);
        if (typeof f !== 'string') fail(`alias '${alias}' of rule '${ref}' must be a field name`, `correlation.aliases.${alias}`);
        m.set(r!.meta.id, f as string);
      }
      for (const rid of ruleIds) if (!m.has(rid)) fail(`alias '${alias}' has no field for rule '${rid}'`, `correlation.aliases.${alias}`);
      aliases.set(alias, m);
    }
  }

  // condition
  let condRaw = corr.condition;
  let field: string | undefined = typeof corr.field === 'string' ? corr.field : undefined;
  if (corr.field !== undefined && typeof corr.field !== 'string') fail("'field' must be a field name", 'correlation.field');
  let percentile: unknown = corr.percentile;
  const condition: CorrelationCondition = {};
  if (condRaw !== undefined && condRaw !== null) {
    if (!isObj(condRaw)) fail("'condition' must be a map such as { gte: 10 }", 'correlation.condition', 'ERR_SIGMA_CONDITION');
    condRaw = condRaw as Obj;
    for (const [k, v] of Object.entries(condRaw as Obj)) {
      if (k === 'field') { if (typeof v !== 'string') fail("'condition.field' must be a field name", 'correlation.condition.field', 'ERR_SIGMA_CONDITION'); field = v as string; continue; }
      if (k === 'percentile') { percentile = v; continue; }
      if (!(CONDITION_OPS as readonly string[]).includes(k)) fail(`unknown condition operator '${k}' (expected ${CONDITION_OPS.join('|')})`, `correlation.condition.${k}`, 'ERR_SIGMA_CONDITION');
      const num = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (!Number.isFinite(num)) fail(`condition '${k}' needs a number, got '${String(v)}'`, `correlation.condition.${k}`, 'ERR_SIGMA_CONDITION');
      if (!ctype.startsWith('value_s') && ctype !== 'value_avg' && ctype !== 'value_percentile' && !Number.isInteger(num)) fail(`condition '${k}' of a ${ctype} correlation must be an integer`, `correlation.condition.${k}`, 'ERR_SIGMA_CONDITION');
      condition[k as ConditionOp] = num;
    }
  }
  const temporal = ctype === 'temporal' || ctype === 'temporal_ordered';
  if (Object.keys(condition).length === 0) {
    if (temporal) condition.gte = ruleIds.length;
    else fail(`a ${ctype} correlation needs a condition (gt, gte, lt, lte, eq, neq)`, 'correlation.condition', 'ERR_SIGMA_CONDITION');
  }
  const needsField = ctype.startsWith('value_');
  if (needsField && !field) fail(`a ${ctype} correlation needs a field (condition.field)`, 'correlation.condition.field', 'ERR_SIGMA_CONDITION');
  if (!needsField && field) fail(`a ${ctype} correlation takes no field`, 'correlation.condition.field', 'ERR_SIGMA_CONDITION');
  if (ctype === 'value_percentile') {
    const p = percentile === undefined ? 50 : Number(percentile);
    if (!Number.isFinite(p) || p <= 0 || p > 100) fail(`percentile must be a number in (0, 100], got '${String(percentile)}'`, 'correlation.percentile', 'ERR_SIGMA_CONDITION');
    percentile = p;
  } else if (percentile !== undefined) fail('percentile is only for value_percentile', 'correlation.percentile', 'ERR_SIGMA_CONDITION');

  const gen = corr.generate;
  if (gen !== undefined && typeof gen !== 'boolean') fail("'generate' must be true or false", 'correlation.generate');
  const cross = root['x-cirt-cross-agency'];
  if (cross !== undefined && typeof cross !== 'boolean') fail("'x-cirt-cross-agency' must be true or false", 'x-cirt-cross-agency');

  const groupAccess = new Map<string, FieldAccess[]>();
  const valueAccess = field ? new Map<string, FieldAccess>() : undefined;
  for (const r of refRules) {
    const names = groupBy.map((g) => aliases.get(g)?.get(r.meta.id) ?? g);
    groupAccess.set(r.meta.id, names.map((n) => mapFieldFor(n, r, ordered)));
    if (valueAccess && field) valueAccess.set(r.meta.id, mapFieldFor(aliases.get(field)?.get(r.meta.id) ?? field, r, ordered));
  }
  const out: CompiledCorrelation = { meta, type: ctype, ruleIds, groupBy, groupAccess, timespanMs: timespanMs!, condition, generate: gen === true, crossAgency: cross === true };
  if (field) { out.field = field; out.valueAccess = valueAccess!; }
  if (ctype === 'value_percentile') out.percentile = percentile as number;
  return out;
}

/** Map a Sigma field name through the pipelines as they apply to `rule` (its logsource), using the engine's own
 * pipeline code on a one-item stand-in rule. */
function mapFieldFor(name: string, rule: CompiledRule, ordered: Pipeline[]): FieldAccess {
  let fields = [name];
  if (ordered.length) {
    const pos = { line: 1, column: 1 };
    const item = { type: 'item' as const, field: name, fields: [name], modifiers: [], values: [], pos, applied: new Set<string>() };
    const stand: ParsedRule = { kind: 'rule', meta: { ...rule.meta }, detections: new Map([['f', { type: 'group', op: 'and', items: [item], pos }]]), conditions: [], extra: [], applied: [], pos };
    applyPipelines(stand, ordered);
    fields = item.fields.length ? item.fields : [name];
  }
  return { fields, getters: fields.map((f) => fieldGetter(f)) };
}

/** First scalar value of a field (alternatives in order), as a string key; undefined when absent. */
export function readField(a: FieldAccess, event: unknown): string | number | boolean | undefined {
  for (const g of a.getters) {
    for (const v of g(event)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
    }
  }
  return undefined;
}

// Pure lint checks of Sigma documents beyond what the engine validates: SigmaHQ conventions (required fields, id
// format, level/status values, tag format, known logsource, unused/unknown selections). Positions come from the
// YAML node ranges. The engine's own errors (parse, modifiers, values, conditions) are added by the caller.
import { LineCounter, parseAllDocuments, isMap, isScalar, type Document } from 'yaml';
import { rsitFromTags } from '../../proto/taxonomy.ts';
import { tlpFromTags } from '../../proto/tlp.ts';

export interface Finding { code: string; message: string; file: string; line: number; column: number; ruleId?: string }

export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'];
export const STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TAG = /^[a-z0-9_-]+\.[a-z0-9._-]+$/;
const ATTACK_TECHNIQUE = /^attack\.t\d{4}(\.\d{3})?$/;
const COND_WORDS = new Set(['and', 'or', 'not', 'of', 'all', 'them', 'any', '1', 'near', 'by', 'count', 'min', 'max', 'avg', 'sum']);

export type Logsource = { product?: string; category?: string; service?: string };
export type LogsourceKnown = (ls: Logsource) => boolean;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Identifiers named in a condition (patterns with * kept as patterns). */
export function conditionIdentifiers(cond: string): string[] {
  const out: string[] = [];
  for (const tok of cond.replace(/\|.*$/s, '').split(/[\s()]+/)) {
    if (tok === '' || COND_WORDS.has(tok.toLowerCase()) || /^\d+$/.test(tok)) continue;
    out.push(tok);
  }
  return out;
}

const glob = (p: string) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

export function lintText(text: string, file: string, known: LogsourceKnown, ids: Map<string, string>): Finding[] {
  const lc = new LineCounter();
  const findings: Finding[] = [];
  let docs: Document.Parsed[];
  try { docs = parseAllDocuments(text, { lineCounter: lc }) as Document.Parsed[]; } catch { return findings; } // the engine reports YAML errors
  for (const doc of docs) {
    if (doc.errors.length || !isMap(doc.contents)) continue;
    const root = doc.contents;
    const raw = doc.toJS() as Obj;
    const pos = (key?: string): { line: number; column: number } => {
      const pair = key ? root.items.find((p) => isScalar(p.key) && p.key.value === key) : undefined;
      const off = (pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined) ?? root.range?.[0] ?? 0;
      const { line, col } = lc.linePos(off);
      return { line, column: col };
    };
    const id = typeof raw.id === 'string' ? raw.id : undefined;
    const add = (code: string, message: string, key?: string) => findings.push({ code, message, file, ...pos(key), ...(id ? { ruleId: id } : {}) });
    const isCorr = isObj(raw.correlation);
    const isFilter = isObj(raw.filter);
    const required = isCorr ? ['title', 'id', 'level', 'correlation'] : isFilter ? ['title', 'id', 'logsource', 'filter'] : ['title', 'id', 'status', 'level', 'logsource', 'detection'];
    for (const k of required) if (raw[k] === undefined || raw[k] === null) add('LINT_MISSING_FIELD', `missing '${k}'`, undefined);
    if (id !== undefined) {
      if (!UUID.test(id)) add('LINT_ID_NOT_UUID', `id '${id}' is not a UUID`, 'id');
      const prev = ids.get(id);
      if (prev !== undefined) add('LINT_DUPLICATE_ID', `id ${id} is also used by ${prev}`, 'id');
      else ids.set(id, `${file}:${pos('id').line}`);
    } else if (raw.id !== undefined) add('LINT_ID_NOT_UUID', "'id' must be a string UUID", 'id');
    if (raw.level !== undefined && !LEVELS.includes(String(raw.level))) add('LINT_BAD_LEVEL', `level '${String(raw.level)}' is not one of ${LEVELS.join('|')}`, 'level');
    if (raw.status !== undefined && !STATUSES.includes(String(raw.status))) add('LINT_BAD_STATUS', `status '${String(raw.status)}' is not one of ${STATUSES.join('|')}`, 'status');
    if (raw.tags !== undefined) {
      if (!Array.isArray(raw.tags)) add('LINT_TAG_FORMAT', "'tags' must be a list", 'tags');
      else for (const t of raw.tags) {
        const s = String(t);
        if (!TAG.test(s)) add('LINT_TAG_FORMAT', `tag '${s}' is not namespace.name in lower case`, 'tags');
        else if (/^attack\.t\d/.test(s) && !ATTACK_TECHNIQUE.test(s)) add('LINT_TAG_FORMAT', `ATT&CK technique tag '${s}' is not attack.tNNNN or attack.tNNNN.NNN`, 'tags');
      }
      const tags = Array.isArray(raw.tags) ? raw.tags.map(String) : [];
      // rsit.<classification>.<type> (proto/taxonomy.ts) and tlp.<level> (proto/tlp.ts): the alert's classification and marking
      for (const problem of rsitFromTags(tags).problems) add('LINT_TAG_RSIT', problem, 'tags');
      for (const problem of tlpFromTags(tags).problems) add('LINT_TAG_TLP', problem, 'tags');
    }
    if (isObj(raw.logsource)) {
      const ls: Logsource = {};
      for (const k of ['product', 'category', 'service'] as const) if (typeof raw.logsource[k] === 'string') ls[k] = raw.logsource[k] as string;
      if (!ls.product && !ls.category && !ls.service) add('LINT_UNKNOWN_LOGSOURCE', 'logsource names no product, category or service', 'logsource');
      else if (!known(ls)) add('LINT_UNKNOWN_LOGSOURCE', `logsource ${JSON.stringify(ls)} is known neither to our pipelines nor to SigmaHQ's logsource.json`, 'logsource');
    }
    const det = isCorr ? undefined : isFilter ? (raw.filter as Obj) : raw.detection;
    if (isObj(det)) {
      const names = Object.keys(det).filter((k) => k !== 'condition' && k !== 'timeframe' && k !== 'rules');
      const conds = det.condition === undefined ? [] : Array.isArray(det.condition) ? det.condition.map(String) : [String(det.condition)];
      if (conds.length === 0) add('LINT_MISSING_FIELD', "missing 'detection.condition'", 'detection');
      const used = new Set<string>();
      for (const c of conds) {
        if (/\|\s*(count|min|max|avg|sum)\b/.test(c) || /\bnear\b/.test(c)) add('LINT_DEPRECATED_AGGREGATION', 'aggregation in the condition is deprecated: write a correlation rule', 'detection');
        if (/\bthem\b/.test(c)) names.forEach((n) => used.add(n));
        for (const ident of conditionIdentifiers(c)) {
          const hits = ident.includes('*') ? names.filter((n) => glob(ident).test(n)) : names.filter((n) => n === ident);
          if (hits.length === 0) add('LINT_UNKNOWN_SELECTION', `condition names '${ident}', which no detection defines`, 'detection');
          hits.forEach((n) => used.add(n));
        }
      }
      for (const n of names) if (conds.length && !used.has(n)) add('LINT_UNUSED_SELECTION', `detection '${n}' is not used by the condition`, 'detection');
    }
  }
  return findings;
}

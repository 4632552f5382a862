// YAML text -> typed Sigma documents (rules, filters, correlations), every node located.
import { createHash } from 'node:crypto';
import { SigmaError } from './errors.ts';
import { LEVELS, type ConditionText, type DetGroup, type DetItem, type Level, type Logsource, type ParsedCorrelation, type ParsedFilter, type ParsedRule, type RuleMeta } from './types.ts';
import { at, get, parseYamlDocuments, toJS, type Pos, type YDoc, type YMap, type YNode, type YScalar } from './yamlnode.ts';

export type ParsedDoc = ParsedRule | ParsedFilter | ParsedCorrelation;

/** Parse a rule file; `yaml` = its already parsed YAML documents (e.g. from the load cache in index.ts). */
export function parseSigmaText(text: string, file?: string, yaml?: { docs: YDoc[]; errors: SigmaError[] }): { docs: ParsedDoc[]; errors: SigmaError[] } {
  const { docs, errors } = yaml ?? parseYamlDocuments(text, file);
  const out: ParsedDoc[] = [];
  const hash = createHash('sha256').update(text).digest('hex');
  for (const d of docs) {
    if (d.root === null) continue; // empty document (e.g. trailing `---`)
    try {
      const doc = parseDocument(d.root, file, d.index);
      if (doc.kind === 'correlation') doc.hash = hash;
      else doc.meta.hash = hash;
      out.push(doc);
    } catch (err) {
      if (err instanceof SigmaError) errors.push(err);
      else throw err;
    }
  }
  return { docs: out, errors };
}

function fail(code: 'ERR_SIGMA_SCHEMA' | 'ERR_SIGMA_CONDITION', msg: string, file: string | undefined, pos: Pos, field?: string, ruleId?: string): never {
  throw new SigmaError(code, msg, { location: at(file, pos, field), ...(ruleId ? { ruleId } : {}) });
}

function parseDocument(root: YNode, file: string | undefined, index: number): ParsedDoc {
  if (root.kind !== 'map') fail('ERR_SIGMA_SCHEMA', 'a Sigma document must be a map', file, root.pos);
  if (get(root, 'correlation')) return { kind: 'correlation', raw: toJS(root), file, line: root.pos.line };
  const meta = parseMeta(root, file, index);
  const filter = get(root, 'filter');
  if (filter) {
    if (filter.value.kind !== 'map') fail('ERR_SIGMA_SCHEMA', "'filter' must be a map", file, filter.value.pos, 'filter', meta.id);
    const rulesE = get(filter.value, 'rules');
    if (!rulesE) fail('ERR_SIGMA_SCHEMA', "filter needs 'rules'", file, filter.keyPos, 'filter', meta.id);
    const rules = stringList(rulesE.value, file, 'filter.rules', meta.id);
    const { detections, conditions } = parseDetection(filter.value, file, meta.id, 'filter', ['rules']);
    return { kind: 'filter', meta, rules, rulesPos: rulesE.keyPos, detections, conditions, extra: [], applied: [], file, pos: root.pos };
  }
  const det = get(root, 'detection');
  if (!det) fail('ERR_SIGMA_SCHEMA', "rule has no 'detection'", file, root.pos, 'detection', meta.id);
  if (det.value.kind !== 'map') fail('ERR_SIGMA_SCHEMA', "'detection' must be a map", file, det.value.pos, 'detection', meta.id);
  const { detections, conditions } = parseDetection(det.value, file, meta.id, 'detection', ['timeframe']);
  const nameE = get(root, 'name');
  const name = nameE ? optString(nameE.value, file, 'name', meta.id) : undefined;
  return { kind: 'rule', meta, ...(name ? { name } : {}), detections, conditions, extra: [], applied: [], file, pos: root.pos };
}

function optString(n: YNode, file: string | undefined, field: string, ruleId?: string): string {
  if (n.kind !== 'scalar' || n.value === null || typeof n.value === 'object') fail('ERR_SIGMA_SCHEMA', `'${field}' must be a string`, file, n.pos, field, ruleId);
  return String(n.value);
}

function stringList(n: YNode, file: string | undefined, field: string, ruleId?: string): string[] {
  if (n.kind === 'scalar') return n.value === null ? [] : [String(n.value)];
  if (n.kind !== 'seq') fail('ERR_SIGMA_SCHEMA', `'${field}' must be a list of strings`, file, n.pos, field, ruleId);
  return n.items.map((i) => {
    if (i.kind !== 'scalar' || i.value === null) fail('ERR_SIGMA_SCHEMA', `'${field}' must be a list of strings`, file, i.pos, field, ruleId);
    return String(i.value);
  });
}

/** An optional string key of the rule (null = absent). */
function strField(root: YMap, k: string, file: string | undefined, ruleId: string): string | undefined {
  const e = get(root, k);
  return e && !(e.value.kind === 'scalar' && e.value.value === null) ? optString(e.value, file, k, ruleId) : undefined;
}

function listField(root: YMap, k: string, file: string | undefined, ruleId: string): string[] {
  const e = get(root, k);
  return e ? stringList(e.value, file, k, ruleId) : [];
}

function parseMeta(root: YMap, file: string | undefined, index: number): RuleMeta {
  const idE = get(root, 'id');
  const titleE = get(root, 'title');
  const id = idE ? optString(idE.value, file, 'id') : undefined;
  if (!titleE) fail('ERR_SIGMA_SCHEMA', "missing 'title'", file, root.pos, 'title', id);
  const title = optString(titleE.value, file, 'title', id);
  // Rules without an id get a deterministic one, so alert ids stay stable across restarts.
  const ruleId = id ?? `sigma-${createHash('sha256').update(`${file ?? ''}#${index}#${title}`).digest('hex').slice(0, 32)}`;
  const levelE = get(root, 'level');
  let level: Level = 'medium';
  if (levelE) {
    const l = optString(levelE.value, file, 'level', ruleId).toLowerCase();
    if (!(LEVELS as readonly string[]).includes(l)) fail('ERR_SIGMA_SCHEMA', `invalid level '${l}' (expected ${LEVELS.join('|')})`, file, levelE.value.pos, 'level', ruleId);
    level = l as Level;
  }
  const logsource: Logsource = {};
  const lsE = get(root, 'logsource');
  if (lsE) {
    if (lsE.value.kind !== 'map') fail('ERR_SIGMA_SCHEMA', "'logsource' must be a map", file, lsE.value.pos, 'logsource', ruleId);
    for (const k of ['product', 'category', 'service'] as const) {
      const e = get(lsE.value, k);
      if (e && !(e.value.kind === 'scalar' && e.value.value === null)) logsource[k] = optString(e.value, file, `logsource.${k}`, ruleId);
    }
  } else if (!get(root, 'filter')) {
    fail('ERR_SIGMA_SCHEMA', "missing 'logsource'", file, root.pos, 'logsource', ruleId);
  }
  const meta: RuleMeta = { id: ruleId, title, level, tags: listField(root, 'tags', file, ruleId), references: listField(root, 'references', file, ruleId), logsource, falsepositives: listField(root, 'falsepositives', file, ruleId) };
  const description = strField(root, 'description', file, ruleId); if (description !== undefined) meta.description = description;
  const author = strField(root, 'author', file, ruleId); if (author !== undefined) meta.author = author;
  const status = strField(root, 'status', file, ruleId); if (status !== undefined) meta.status = status;
  const version = strField(root, 'modified', file, ruleId) ?? strField(root, 'date', file, ruleId); if (version !== undefined) meta.version = version;
  if (file !== undefined) meta.file = file;
  return meta;
}

function conditionText(n: YNode, file: string | undefined, where: string, ruleId: string | undefined): ConditionText {
  if (n.kind !== 'scalar' || typeof n.value !== 'string') fail('ERR_SIGMA_CONDITION', 'condition must be a string', file, n.pos, `${where}.condition`, ruleId);
  return { text: n.value, pos: n.pos, plain: n.plain };
}

/** Parse the detection map (everything but `condition` and the `skip` keys is a named detection). */
export function parseDetection(map: YMap, file: string | undefined, ruleId: string | undefined, where: string, skip: string[]): { detections: Map<string, DetGroup>; conditions: ConditionText[] } {
  const detections = new Map<string, DetGroup>();
  let conditions: ConditionText[] | undefined;
  for (const e of map.entries) {
    if (e.key === 'condition') {
      const v = e.value;
      conditions = v.kind === 'seq' ? v.items.map((n) => conditionText(n, file, where, ruleId)) : [conditionText(v, file, where, ruleId)];
      if (conditions.length === 0) fail('ERR_SIGMA_CONDITION', 'empty condition list', file, v.pos, `${where}.condition`, ruleId);
      continue;
    }
    if (skip.includes(e.key)) continue;
    detections.set(e.key, parseDetectionValue(e.value, file, ruleId, `${where}.${e.key}`));
  }
  if (!conditions) fail('ERR_SIGMA_CONDITION', `'${where}' has no condition`, file, map.pos, `${where}.condition`, ruleId);
  return { detections, conditions };
}

export function parseDetectionValue(n: YNode, file: string | undefined, ruleId: string | undefined, field: string): DetGroup {
  if (n.kind === 'map') {
    if (n.entries.length === 0) fail('ERR_SIGMA_SCHEMA', 'empty detection', file, n.pos, field, ruleId);
    return { type: 'group', op: 'and', items: n.entries.map((e) => parseItem(e.key, e.keyPos, e.value, file, ruleId, field)), pos: n.pos };
  }
  if (n.kind === 'seq') {
    if (n.items.length === 0) fail('ERR_SIGMA_SCHEMA', 'empty detection list', file, n.pos, field, ruleId);
    const items: Array<DetItem | DetGroup> = [];
    const keywords: YScalar[] = [];
    for (const el of n.items) {
      if (el.kind === 'map') items.push(parseDetectionValue(el, file, ruleId, field));
      else if (el.kind === 'scalar') keywords.push(el);
      else fail('ERR_SIGMA_SCHEMA', 'nested lists are not allowed in a detection', file, el.pos, field, ruleId);
    }
    if (keywords.length) items.unshift({ type: 'item', field: null, fields: null, modifiers: [], values: keywords, pos: keywords[0]!.pos, applied: new Set() });
    return { type: 'group', op: 'or', items, pos: n.pos };
  }
  if (n.value === null) fail('ERR_SIGMA_SCHEMA', 'empty detection', file, n.pos, field, ruleId);
  return { type: 'group', op: 'or', items: [{ type: 'item', field: null, fields: null, modifiers: [], values: [n], pos: n.pos, applied: new Set() }], pos: n.pos };
}

function parseItem(key: string, keyPos: Pos, v: YNode, file: string | undefined, ruleId: string | undefined, where: string): DetItem {
  const [rawField = '', ...mods] = key.split('|');
  const field = rawField === '' ? null : rawField;
  let values: YScalar[];
  if (v.kind === 'scalar') values = [v];
  else if (v.kind === 'seq') {
    if (v.items.length === 0) fail('ERR_SIGMA_SCHEMA', `empty value list for '${key}'`, file, v.pos, key, ruleId);
    values = v.items.map((i) => {
      if (i.kind !== 'scalar') fail('ERR_SIGMA_SCHEMA', `values of '${key}' must be scalars`, file, i.pos, key, ruleId);
      return i;
    });
  } else fail('ERR_SIGMA_SCHEMA', `value of '${key}' in ${where} must be a scalar or a list of scalars`, file, v.pos, key, ruleId);
  return { type: 'item', field, fields: field === null ? null : [field], modifiers: mods.map((m) => m.trim()), values, pos: keyPos, applied: new Set() };
}

// Processing pipelines (pySigma-like, STYLE habit 9): validated YAML with priority, vars and transformation
// items that have ids, rule/field/detection-item conditions; unknown keys and types are rejected with a location.
// Applying a pipeline rewrites a parsed rule's detection items (field names) and may add conditions.
import { SigmaError } from './errors.ts';
import { parseDetectionValue } from './parse.ts';
import type { DetGroup, DetItem, ParsedFilter, ParsedRule } from './types.ts';
import { at, get, parseYamlDocuments, type Pos, type YMap, type YNode } from './yamlnode.ts';

export interface LogsourceCondition { type: 'logsource'; product?: string; category?: string; service?: string }
export interface FieldNameCondition { type: 'include_fields' | 'exclude_fields'; fields: string[]; matchType: 'plain' | 're' }
export interface DetectionItemCondition { type: 'processing_item_applied'; processingItemId: string }

export type Transformation =
  | { type: 'field_name_mapping'; mapping: Record<string, string[]> }
  | { type: 'field_name_prefix_mapping'; mapping: Record<string, string[]> }
  | { type: 'field_name_prefix'; prefix: string[] }
  | { type: 'field_name_suffix'; suffix: string }
  | { type: 'add_condition'; conditions: DetGroup; negated: boolean }
  | { type: 'drop_detection_item' };

export interface ProcessingItem {
  id: string;
  transformation: Transformation;
  ruleConditions: LogsourceCondition[];
  ruleCondOp: 'and' | 'or';
  ruleCondNot: boolean;
  fieldNameConditions: FieldNameCondition[];
  fieldNameCondOp: 'and' | 'or';
  fieldNameCondNot: boolean;
  detectionItemConditions: DetectionItemCondition[];
  detectionItemCondOp: 'and' | 'or';
  detectionItemCondNot: boolean;
  pos: Pos;
}

export interface Pipeline {
  name: string;
  priority: number;
  vars: Readonly<Record<string, readonly string[]>>;
  items: readonly ProcessingItem[];
  file?: string;
}

const PIPELINE_KEYS = new Set(['name', 'priority', 'vars', 'transformations', 'allowed_backends']);
const COMMON_ITEM_KEYS = ['id', 'type', 'rule_conditions', 'rule_cond_op', 'rule_cond_not', 'field_name_conditions', 'field_name_cond_op', 'field_name_cond_not', 'detection_item_conditions', 'detection_item_cond_op', 'detection_item_cond_not'];
const TYPE_KEYS: Record<Transformation['type'], string[]> = {
  field_name_mapping: ['mapping'],
  field_name_prefix_mapping: ['mapping'],
  field_name_prefix: ['prefix'],
  field_name_suffix: ['suffix'],
  add_condition: ['conditions', 'negated'],
  drop_detection_item: [],
};

export function loadPipeline(yamlText: string, file?: string): Pipeline {
  const { docs, errors } = parseYamlDocuments(yamlText, file);
  if (errors.length) throw errors[0]!;
  const root = docs[0]?.root;
  function fail(msg: string, pos: Pos, field?: string): never { throw new SigmaError('ERR_SIGMA_PIPELINE', msg, { location: at(file, pos, field) }); }
  if (!root || root.kind !== 'map') return fail('a pipeline must be a YAML map', root?.pos ?? { line: 1, column: 1 });
  if (docs.length > 1) fail('a pipeline file holds one YAML document', docs[1]!.pos);
  for (const e of root.entries) if (!PIPELINE_KEYS.has(e.key)) fail(`unknown pipeline key '${e.key}'`, e.keyPos, e.key);
  const str = (n: YNode, field: string): string => (n.kind === 'scalar' && n.value !== null && typeof n.value !== 'boolean' ? String(n.value) : fail(`'${field}' must be a string`, n.pos, field));
  const strs = (n: YNode, field: string): string[] => (n.kind === 'seq' ? n.items.map((i) => str(i, field)) : [str(n, field)]);
  const map = (n: YNode, field: string): YMap => (n.kind === 'map' ? n : fail(`'${field}' must be a map`, n.pos, field));
  const bool = (n: YNode | undefined, field: string): boolean => (n === undefined ? false : n.kind === 'scalar' && typeof n.value === 'boolean' ? n.value : fail(`'${field}' must be true or false`, n.pos, field));
  const op = (n: YNode | undefined, field: string): 'and' | 'or' => {
    if (!n) return 'and';
    const v = str(n, field);
    return v === 'and' || v === 'or' ? v : fail(`'${field}' must be 'and' or 'or'`, n.pos, field);
  };
  const nameE = get(root, 'name');
  const name = nameE ? str(nameE.value, 'name') : file ?? 'pipeline';
  const prioE = get(root, 'priority');
  const priority = prioE ? (prioE.value.kind === 'scalar' && typeof prioE.value.value === 'number' ? prioE.value.value : fail("'priority' must be a number", prioE.value.pos, 'priority')) : 0;
  const vars: Record<string, string[]> = {};
  const varsE = get(root, 'vars');
  if (varsE) for (const e of map(varsE.value, 'vars').entries) vars[e.key] = strs(e.value, `vars.${e.key}`);
  const items: ProcessingItem[] = [];
  const trE = get(root, 'transformations');
  if (trE) {
    if (trE.value.kind !== 'seq') fail("'transformations' must be a list", trE.value.pos, 'transformations');
    trE.value.items.forEach((node, idx) => {
      const m = map(node, `transformations[${idx}]`);
      const typeE = get(m, 'type');
      if (!typeE) fail(`transformation ${idx + 1} has no 'type'`, m.pos, 'type');
      const type = str(typeE.value, 'type');
      if (!Object.prototype.hasOwnProperty.call(TYPE_KEYS, type)) fail(`unknown transformation type '${type}' (known: ${Object.keys(TYPE_KEYS).join(', ')})`, typeE.value.pos, 'type');
      const t = type as Transformation['type'];
      const allowed = new Set([...COMMON_ITEM_KEYS, ...TYPE_KEYS[t]]);
      for (const e of m.entries) if (!allowed.has(e.key)) fail(`unknown key '${e.key}' in ${type} transformation`, e.keyPos, e.key);
      const need = (k: string): YNode => get(m, k)?.value ?? fail(`${type} needs '${k}'`, m.pos, k);
      let transformation: Transformation;
      switch (t) {
        case 'field_name_mapping':
        case 'field_name_prefix_mapping': {
          const mapping: Record<string, string[]> = {};
          for (const e of map(need('mapping'), 'mapping').entries) mapping[e.key] = strs(e.value, `mapping.${e.key}`);
          transformation = { type: t, mapping };
          break;
        }
        case 'field_name_prefix': transformation = { type: t, prefix: strs(need('prefix'), 'prefix') }; break;
        case 'field_name_suffix': transformation = { type: t, suffix: str(need('suffix'), 'suffix') }; break;
        case 'add_condition': {
          const c = need('conditions');
          let conditions: DetGroup;
          try { conditions = parseDetectionValue(map(c, 'conditions'), file, undefined, 'conditions'); } catch (err) {
            if (err instanceof SigmaError) throw new SigmaError('ERR_SIGMA_PIPELINE', err.message, { location: err.location, cause: err });
            throw err;
          }
          transformation = { type: t, conditions, negated: bool(get(m, 'negated')?.value, 'negated') };
          break;
        }
        case 'drop_detection_item': transformation = { type: t }; break;
      }
      const ruleConditions: LogsourceCondition[] = [];
      const rcE = get(m, 'rule_conditions');
      if (rcE) {
        if (rcE.value.kind !== 'seq') fail("'rule_conditions' must be a list", rcE.value.pos, 'rule_conditions');
        for (const c of rcE.value.items) {
          const cm = map(c, 'rule_conditions[]');
          const ct = get(cm, 'type');
          if (!ct || str(ct.value, 'type') !== 'logsource') fail("only rule conditions of type 'logsource' are supported", ct?.value.pos ?? cm.pos, 'type');
          const lc: LogsourceCondition = { type: 'logsource' };
          for (const e of cm.entries) {
            if (e.key === 'type') continue;
            if (e.key !== 'product' && e.key !== 'category' && e.key !== 'service') fail(`unknown key '${e.key}' in logsource condition`, e.keyPos, e.key);
            lc[e.key as 'product' | 'category' | 'service'] = str(e.value, e.key);
          }
          ruleConditions.push(lc);
        }
      }
      const fieldNameConditions: FieldNameCondition[] = [];
      const fcE = get(m, 'field_name_conditions');
      if (fcE) {
        if (fcE.value.kind !== 'seq') fail("'field_name_conditions' must be a list", fcE.value.pos, 'field_name_conditions');
        for (const c of fcE.value.items) {
          const cm = map(c, 'field_name_conditions[]');
          const ctE = get(cm, 'type');
          const ct = ctE ? str(ctE.value, 'type') : '';
          if (ct !== 'include_fields' && ct !== 'exclude_fields') fail("field name conditions are 'include_fields' or 'exclude_fields'", ctE?.value.pos ?? cm.pos, 'type');
          for (const e of cm.entries) if (!['type', 'fields', 'type_'].includes(e.key)) fail(`unknown key '${e.key}' in field name condition`, e.keyPos, e.key);
          const fE = get(cm, 'fields');
          if (!fE) fail("field name condition needs 'fields'", cm.pos, 'fields');
          const mt = get(cm, 'type_');
          const mtText = mt ? str(mt.value, 'type_') : 'plain';
          if (mtText !== 'plain' && mtText !== 're') fail("'type_' must be plain or re", mt!.value.pos, 'type_');
          const matchType: 'plain' | 're' = mtText === 're' ? 're' : 'plain';
          const fields = strs(fE.value, 'fields');
          if (matchType === 're') for (const f of fields) { try { new RegExp(f); } catch { fail(`invalid field regex '${f}'`, fE.value.pos, 'fields'); } }
          fieldNameConditions.push({ type: ct as FieldNameCondition['type'], fields, matchType });
        }
      }
      const detectionItemConditions: DetectionItemCondition[] = [];
      const dcE = get(m, 'detection_item_conditions');
      if (dcE) {
        if (dcE.value.kind !== 'seq') fail("'detection_item_conditions' must be a list", dcE.value.pos, 'detection_item_conditions');
        for (const c of dcE.value.items) {
          const cm = map(c, 'detection_item_conditions[]');
          const ctE = get(cm, 'type');
          if (!ctE || str(ctE.value, 'type') !== 'processing_item_applied') fail("only detection item conditions of type 'processing_item_applied' are supported", ctE?.value.pos ?? cm.pos, 'type');
          for (const e of cm.entries) if (e.key !== 'type' && e.key !== 'processing_item_id') fail(`unknown key '${e.key}' in detection item condition`, e.keyPos, e.key);
          const idE = get(cm, 'processing_item_id');
          if (!idE) fail("condition needs 'processing_item_id'", cm.pos, 'processing_item_id');
          detectionItemConditions.push({ type: 'processing_item_applied', processingItemId: str(idE.value, 'processing_item_id') });
        }
      }
      const idE = get(m, 'id');
      items.push({
        id: idE ? str(idE.value, 'id') : `${name}#${idx + 1}`,
        transformation, ruleConditions,
        ruleCondOp: op(get(m, 'rule_cond_op')?.value, 'rule_cond_op'), ruleCondNot: bool(get(m, 'rule_cond_not')?.value, 'rule_cond_not'),
        fieldNameConditions,
        fieldNameCondOp: op(get(m, 'field_name_cond_op')?.value, 'field_name_cond_op'), fieldNameCondNot: bool(get(m, 'field_name_cond_not')?.value, 'field_name_cond_not'),
        detectionItemConditions,
        detectionItemCondOp: op(get(m, 'detection_item_cond_op')?.value, 'detection_item_cond_op'), detectionItemCondNot: bool(get(m, 'detection_item_cond_not')?.value, 'detection_item_cond_not'),
        pos: m.pos,
      });
    });
  }
  const p: Pipeline = { name, priority, vars, items, ...(file !== undefined ? { file } : {}) };
  return Object.freeze(p);
}

/** Pipelines in application order (ascending priority, stable), and their merged vars (later wins). */
export function resolvePipelines(pipelines: readonly Pipeline[]): { ordered: Pipeline[]; vars: Record<string, readonly string[]> } {
  const ordered = pipelines.map((p, i) => ({ p, i })).sort((a, b) => a.p.priority - b.p.priority || a.i - b.i).map((x) => x.p);
  const vars: Record<string, readonly string[]> = {};
  for (const p of ordered) Object.assign(vars, p.vars);
  return { ordered, vars };
}

function logsourceHolds(c: LogsourceCondition, ls: ParsedRule['meta']['logsource']): boolean {
  return (c.product === undefined || c.product === ls.product) && (c.category === undefined || c.category === ls.category) && (c.service === undefined || c.service === ls.service);
}

// Called for every rule and processing item: plain loops, no closure per call.
function ruleConditionsHold(item: ProcessingItem, rule: ParsedRule | ParsedFilter): boolean {
  const cs = item.ruleConditions;
  if (cs.length === 0) return true;
  const ls = rule.meta.logsource;
  let r: boolean;
  if (item.ruleCondOp === 'and') { r = true; for (const c of cs) if (!logsourceHolds(c, ls)) { r = false; break; } } else { r = false; for (const c of cs) if (logsourceHolds(c, ls)) { r = true; break; } }
  return r !== item.ruleCondNot;
}

function fieldConditionHolds(c: FieldNameCondition, field: string): boolean {
  let hit = false;
  for (const f of c.fields) if (c.matchType === 're' ? fieldRegex(f).test(field) : f === field) { hit = true; break; }
  return c.type === 'include_fields' ? hit : !hit;
}

const fieldRegexes = new Map<string, RegExp>();
/** Field-name regexes of a pipeline, compiled once (they were validated when the pipeline was loaded). */
function fieldRegex(src: string): RegExp {
  let re = fieldRegexes.get(src);
  if (re === undefined) { re = new RegExp(src); fieldRegexes.set(src, re); }
  return re;
}

function fieldConditionsHold(item: ProcessingItem, field: string | null): boolean {
  const cs = item.fieldNameConditions;
  if (cs.length === 0) return true;
  if (field === null) return false;
  let r: boolean;
  if (item.fieldNameCondOp === 'and') { r = true; for (const c of cs) if (!fieldConditionHolds(c, field)) { r = false; break; } } else { r = false; for (const c of cs) if (fieldConditionHolds(c, field)) { r = true; break; } }
  return r !== item.fieldNameCondNot;
}

function detectionItemConditionsHold(item: ProcessingItem, det: DetItem): boolean {
  const cs = item.detectionItemConditions;
  if (cs.length === 0) return true;
  let r: boolean;
  if (item.detectionItemCondOp === 'and') { r = true; for (const c of cs) if (!det.applied.has(c.processingItemId)) { r = false; break; } } else { r = false; for (const c of cs) if (det.applied.has(c.processingItemId)) { r = true; break; } }
  return r !== item.detectionItemCondNot;
}

/** Rewrite one field name; undefined when the transformation does not touch it. */
function mapField(t: Transformation, field: string): string[] | undefined {
  switch (t.type) {
    case 'field_name_mapping': return Object.prototype.hasOwnProperty.call(t.mapping, field) ? t.mapping[field] : undefined;
    case 'field_name_prefix_mapping': {
      for (const [from, to] of Object.entries(t.mapping)) if (field.startsWith(from)) return to.map((p) => p + field.slice(from.length));
      return undefined;
    }
    case 'field_name_prefix': return t.prefix.map((p) => p + field);
    case 'field_name_suffix': return [field + t.suffix];
    default: return undefined;
  }
}

function forEachItem(g: DetGroup, fn: (it: DetItem) => void): void {
  for (const it of g.items) if (it.type === 'group') forEachItem(it, fn); else fn(it);
}

function dropItems(g: DetGroup, pred: (it: DetItem) => boolean): void {
  g.items = g.items.filter((it) => (it.type === 'group' ? (dropItems(it, pred), true) : !pred(it)));
}

function cloneGroup(g: DetGroup): DetGroup {
  return { ...g, items: g.items.map((it) => (it.type === 'group' ? cloneGroup(it) : { ...it, applied: new Set(it.applied), fields: it.fields ? [...it.fields] : null })) };
}

/** Apply pipelines to a parsed rule in place (call on a fresh parse per pipeline set). */
export function applyPipelines(rule: ParsedRule | ParsedFilter, ordered: readonly Pipeline[]): void {
  let added = 0;
  for (const p of ordered) {
    for (const item of p.items) {
      if (!ruleConditionsHold(item, rule)) continue;
      const t = item.transformation;
      let touched = false;
      if (t.type === 'add_condition') {
        const name = `_pipeline_${added++}_${item.id}`;
        rule.detections.set(name, cloneGroup(t.conditions));
        rule.extra.push({ name, negated: t.negated });
        touched = true;
      } else if (t.type === 'drop_detection_item') {
        for (const g of rule.detections.values()) dropItems(g, (it) => {
          const hit = it.fields !== null && it.fields.some((f) => fieldConditionsHold(item, f)) && detectionItemConditionsHold(item, it);
          if (hit) touched = true;
          return hit;
        });
      } else {
        for (const g of rule.detections.values()) forEachItem(g, (it) => {
          if (it.fields === null || !detectionItemConditionsHold(item, it)) return;
          let changed = false;
          it.fields = it.fields.flatMap((f) => {
            if (!fieldConditionsHold(item, f)) return [f];
            const m = mapField(t, f);
            if (m === undefined) return [f];
            changed = true;
            return m;
          });
          if (it.modifiers.includes('fieldref')) {
            it.refFields ??= new Map();
            for (const v of it.values) {
              const name = String(v.value);
              const cur = it.refFields.get(name) ?? [name];
              it.refFields.set(name, cur.flatMap((f) => (fieldConditionsHold(item, f) ? mapField(t, f) ?? [f] : [f])));
            }
          }
          if (changed) { it.applied.add(item.id); touched = true; }
        });
      }
      if (touched && !rule.applied.includes(item.id)) rule.applied.push(item.id);
    }
  }
}

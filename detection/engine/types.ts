// Shared types of the engine: rule metadata, the parsed detection model that pipelines transform and the
// compiler consumes.
import type { Pos, YScalar } from './yamlnode.ts';

export type Level = 'informational' | 'low' | 'medium' | 'high' | 'critical';
export const LEVELS: readonly Level[] = ['informational', 'low', 'medium', 'high', 'critical'];

export interface Logsource { product?: string; category?: string; service?: string }

export interface RuleMeta {
  id: string;
  title: string;
  description?: string;
  author?: string;
  level: Level;
  status?: string;
  tags: string[];
  references: string[];
  logsource: Logsource;
  falsepositives: string[];
  file?: string;
  /** SHA-256 (hex) of the whole rule file's text as loaded: which exact text fired (evidence bundles). */
  hash?: string;
  /** Sigma `modified`, else `date`, as written. */
  version?: string;
}

/** One `field|mod|mod: values` entry (field null = keyword search over the whole event). */
export interface DetItem {
  type: 'item';
  /** field name as written in the rule */
  field: string | null;
  /** event fields after the pipelines (alternatives are OR-ed); null for keywords */
  fields: string[] | null;
  modifiers: string[];
  values: YScalar[];
  pos: Pos;
  /** ids of the pipeline transformations applied to this item */
  applied: Set<string>;
  /** mapped names of fieldref targets */
  refFields?: Map<string, string[]>;
}

export interface DetGroup { type: 'group'; op: 'and' | 'or'; items: Array<DetItem | DetGroup>; pos: Pos }

export interface ConditionText { text: string; pos: Pos; plain: boolean }

export interface ParsedRule {
  kind: 'rule';
  meta: RuleMeta;
  /** rule `name` (Sigma 2 references), if any */
  name?: string;
  detections: Map<string, DetGroup>;
  conditions: ConditionText[];
  /** detections added by pipelines (`add_condition`), AND-ed to the condition */
  extra: Array<{ name: string; negated: boolean }>;
  applied: string[];
  file?: string;
  pos: Pos;
}

export interface ParsedFilter {
  kind: 'filter';
  meta: RuleMeta;
  rules: string[];
  rulesPos: Pos;
  detections: Map<string, DetGroup>;
  conditions: ConditionText[];
  extra: Array<{ name: string; negated: boolean }>;
  applied: string[];
  file?: string;
  pos: Pos;
}

export interface ParsedCorrelation { kind: 'correlation'; raw: unknown; file?: string; line: number; hash?: string }

// Public API of the Sigma engine: parse -> pipelines -> compile -> match. Pure, except loadRuleDirectory.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SigmaError } from './errors.ts';
import { parseSigmaText, type ParsedDoc } from './parse.ts';
import { applyPipelines, loadPipeline, resolvePipelines, type Pipeline } from './pipeline.ts';
import { compileFilter, compileRule, SigmaCompiledRule, type CompiledRule } from './compile.ts';
import type { ParsedFilter, RuleMeta } from './types.ts';
import { at } from './yamlnode.ts';

export type { RuleMeta, Level, Logsource } from './types.ts';
export type { CompiledRule } from './compile.ts';
export type { Pipeline } from './pipeline.ts';
export { SigmaError, SIGMA_ERROR_CODES, type SigmaErrorCode } from './errors.ts';
export { SigmaCompiledRule } from './compile.ts';
export { MODIFIERS } from './modifiers.ts';
export { parseCondition } from './condition.ts';
export { loadPipeline };

export interface Correlation { raw: unknown; file?: string; line: number }

export interface LoadResult {
  rules: CompiledRule[];
  /** collect-errors mode: bad rules are reported here with their location, the rest load */
  errors: SigmaError[];
  /** correlation documents, not compiled here (another stage handles them) */
  correlations: Correlation[];
}

export interface CompileOptions { file?: string; pipelines?: Pipeline[] }

/** Compile every Sigma document of a YAML text (several documents separated by `---` are allowed). */
export function compileRules(yamlText: string, opts: CompileOptions = {}): LoadResult {
  const parsed = parseSigmaText(yamlText, opts.file);
  return compileParsed([parsed], opts.pipelines ?? []);
}

/** Load every *.yml / *.yaml file under `dir` (recursively, in sorted order). Never throws for bad rules. */
export function loadRuleDirectory(dir: string, opts: { pipelines?: Pipeline[] } = {}): LoadResult {
  const files: string[] = [];
  const ioErrors: SigmaError[] = [];
  const walk = (d: string): void => {
    let entries;
    try { entries = readdirSync(d, { withFileTypes: true }); } catch (err) {
      ioErrors.push(new SigmaError('ERR_SIGMA_IO', `cannot read directory: ${String(err)}`, { location: { file: d, line: 1, column: 1 }, cause: err }));
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.ya?ml$/i.test(e.name)) files.push(p);
    }
  };
  walk(dir);
  const parsed: Array<{ docs: ParsedDoc[]; errors: SigmaError[] }> = [];
  for (const f of files) {
    let text: string;
    try { text = readFileSync(f, 'utf8'); } catch (err) {
      ioErrors.push(new SigmaError('ERR_SIGMA_IO', `cannot read rule file: ${String(err)}`, { location: { file: f, line: 1, column: 1 }, cause: err }));
      continue;
    }
    parsed.push(parseSigmaText(text, f));
  }
  const res = compileParsed(parsed, opts.pipelines ?? []);
  res.errors.unshift(...ioErrors);
  return res;
}

function compileParsed(parsed: Array<{ docs: ParsedDoc[]; errors: SigmaError[] }>, pipelines: Pipeline[]): LoadResult {
  const { ordered, vars } = resolvePipelines(pipelines);
  const rules: SigmaCompiledRule[] = [];
  const errors: SigmaError[] = [];
  const correlations: Correlation[] = [];
  const filters: ParsedFilter[] = [];
  for (const p of parsed) {
    errors.push(...p.errors);
    for (const doc of p.docs) {
      if (doc.kind === 'correlation') { correlations.push({ raw: doc.raw, ...(doc.file !== undefined ? { file: doc.file } : {}), line: doc.line }); continue; }
      if (doc.kind === 'filter') { filters.push(doc); continue; }
      try {
        applyPipelines(doc, ordered);
        rules.push(compileRule(doc, { vars }));
      } catch (err) {
        if (err instanceof SigmaError) errors.push(err); else throw err;
      }
    }
  }
  // Filters: AND the filter's condition to every referenced rule (by id, or by rule name).
  if (filters.length) {
    const byRef = new Map<string, SigmaCompiledRule[]>();
    const add = (k: string, r: SigmaCompiledRule): void => { const l = byRef.get(k) ?? []; l.push(r); byRef.set(k, l); };
    for (const r of rules) { add(r.meta.id, r); if (r.name) add(r.name, r); }
    for (const f of filters) {
      try {
        applyPipelines(f, ordered);
        const pred = compileFilter(f, { vars });
        const targets = f.rules.flatMap((ref) => byRef.get(ref) ?? []).filter((r) => logsourceCompatible(f.meta, r.meta));
        if (targets.length === 0) {
          throw new SigmaError('ERR_SIGMA_FILTER', `filter '${f.meta.title}' references no loaded rule with a matching logsource (${f.rules.join(', ')})`, { location: at(f.file, f.rulesPos, 'filter.rules'), ruleId: f.meta.id });
        }
        for (const r of new Set(targets)) r.addFilter(pred);
      } catch (err) {
        if (err instanceof SigmaError) errors.push(err); else throw err;
      }
    }
  }
  return { rules, errors, correlations };
}

function logsourceCompatible(filter: RuleMeta, rule: RuleMeta): boolean {
  const f = filter.logsource; const r = rule.logsource;
  return (f.product === undefined || f.product === r.product) && (f.category === undefined || f.category === r.category) && (f.service === undefined || f.service === r.service);
}

export { compileCorrelations, parseTimespan, conditionHolds, nearestRank, CORRELATION_TYPES, type CompiledCorrelation, type CorrelationType, type CorrelationCondition, type CorrelationMeta } from './correlation.ts';
export { CorrelationState, type CorrelationHit, type CorrelationOptions, type CorrelationSnapshot, type CorrelationCounters } from './correlation_state.ts';

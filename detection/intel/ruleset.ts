// One place that turns rule paths + pipeline files + intel paths into what the Detector runs: compiled rules,
// compiled correlations, the suppressed set, with every located error. Used by the detector service (start-up and
// hot reload) and by `cirt rules test|replay`, so the CLI runs exactly what production runs.
import { readFileSync, statSync } from 'node:fs';
import type { CirtError } from '../../proto/errors.ts';
import { compileCorrelations, compileRules, loadPipeline, loadRuleDirectory, SigmaError, type CompiledCorrelation, type CompiledRule, type LoadResult, type Pipeline } from '../engine/index.ts';
import { intelPipeline, loadIntel, type IntelSet } from './intel.ts';

export const DEFAULT_PIPELINES = ['detection/pipelines/ecs-netflow.yml', 'detection/pipelines/windows-evtx.yml', 'detection/pipelines/honeypot.yml'];
export const DEFAULT_INTEL = ['rules/intel'];

export interface RuleSetSources {
  /** rule files or directories (directories recursively: *.yml, *.yaml) */
  rulePaths: readonly string[];
  pipelineFiles: readonly string[];
  /** intel files or directories; [] = no intel (placeholders of intel lists are then undefined) */
  intelPaths: readonly string[];
}

export interface RuleSet {
  rules: CompiledRule[];
  correlations: CompiledCorrelation[];
  suppressed: Set<string>;
  pipelines: Pipeline[];
  intel: IntelSet;
  /** rule, correlation, pipeline and intel errors, located; the rest of the set still loaded */
  errors: CirtError[];
}

export function loadRulePaths(paths: readonly string[], pipelines: Pipeline[]): LoadResult {
  const out: LoadResult = { rules: [], errors: [], correlations: [] };
  for (const p of paths) {
    let dir: boolean;
    try { dir = statSync(p).isDirectory(); } catch (err) {
      out.errors.push(new SigmaError('ERR_SIGMA_IO', `cannot read: ${(err as Error).message}`, { location: { file: p, line: 1, column: 1 }, cause: err }));
      continue;
    }
    let res: LoadResult;
    if (dir) res = loadRuleDirectory(p, { pipelines });
    else {
      try { res = compileRules(readFileSync(p, 'utf8'), { file: p, pipelines }); } catch (err) {
        out.errors.push(new SigmaError('ERR_SIGMA_IO', `cannot read: ${(err as Error).message}`, { location: { file: p, line: 1, column: 1 }, cause: err }));
        continue;
      }
    }
    out.rules.push(...res.rules); out.errors.push(...res.errors); out.correlations.push(...res.correlations);
  }
  return out;
}

export function buildRuleSet(src: RuleSetSources, now?: Date): RuleSet {
  const errors: CirtError[] = [];
  const pipelines: Pipeline[] = [];
  for (const f of src.pipelineFiles) {
    try { pipelines.push(loadPipeline(readFileSync(f, 'utf8'), f)); } catch (err) {
      if (err instanceof SigmaError) errors.push(err);
      else errors.push(new SigmaError('ERR_SIGMA_IO', `cannot read pipeline: ${(err as Error).message}`, { location: { file: f, line: 1, column: 1 }, cause: err }));
    }
  }
  const intel = loadIntel(src.intelPaths, now);
  errors.push(...intel.errors);
  if (src.intelPaths.length) pipelines.push(intelPipeline(intel));
  const loaded = loadRulePaths(src.rulePaths, pipelines);
  errors.push(...loaded.errors);
  const corr = compileCorrelations(loaded.correlations, loaded.rules, pipelines);
  errors.push(...corr.errors);
  return { rules: loaded.rules, correlations: corr.correlations, suppressed: corr.suppressed, pipelines, intel, errors };
}

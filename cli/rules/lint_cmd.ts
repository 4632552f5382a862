// `cirt rules lint <paths…>`: the engine's validation (every error with file:line:column) plus SigmaHQ
// conventions (lint_core.ts), over every rule file; never stops at the first error; summary by code.
import { existsSync, readFileSync } from 'node:fs';
import { compileCorrelations, compileRules, loadPipeline, type LoadResult, type Pipeline } from '../../detection/engine/index.ts';
import { DEFAULT_INTEL, DEFAULT_PIPELINES, intelPipeline, loadIntel } from '../../detection/intel/index.ts';
import { parseArgs, table, type Out } from './args.ts';
import { lintText, type Finding } from './lint_core.ts';
import { logsourceChecker, SIGMAHQ_LOGSOURCES } from './logsources.ts';
import { ruleFiles } from './test_cmd.ts';

export const LINT_HELP = `usage: cirt rules lint <paths…> [--pipeline file]… [--intel path]… [--logsources file] [--quiet] [--json]
Validates every Sigma file under <paths>: engine errors (ERR_SIGMA_*) and SigmaHQ conventions (LINT_*: required
fields, UUID ids, level/status values, duplicate ids, tag format, known logsource, unused/unknown selections).
--quiet prints only the summary. Exit 0 no findings, 1 findings, 2 usage.`;

export function lintPaths(paths: readonly string[], opts: { pipelines: Pipeline[]; pipelineFiles: readonly string[]; logsources: string }): { files: number; documents: number; findings: Finding[] } {
  const known = logsourceChecker(opts.pipelineFiles, opts.logsources);
  const ids = new Map<string, string>();
  const findings: Finding[] = [];
  const all: LoadResult = { rules: [], errors: [], correlations: [] };
  let documents = 0;
  const files = ruleFiles(paths);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const res = compileRules(text, { file, pipelines: opts.pipelines });
    documents += res.rules.length + res.correlations.length;
    all.rules.push(...res.rules); all.correlations.push(...res.correlations); all.errors.push(...res.errors);
    findings.push(...lintText(text, file, known, ids));
  }
  const corr = compileCorrelations(all.correlations, all.rules, opts.pipelines);
  for (const e of [...all.errors, ...corr.errors]) findings.push({ code: e.code, message: e.message, file: e.location?.file ?? '', line: e.location?.line ?? 1, column: e.location?.column ?? 1, ...(e.ruleId ? { ruleId: e.ruleId } : {}) });
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return { files: files.length, documents, findings };
}

export function runLint(argv: readonly string[], out: Out): number {
  const a = parseArgs(argv, { flags: ['json', 'help', 'quiet'], options: ['pipeline', 'intel', 'logsources'] });
  if (a.flags.has('help')) { out.stdout(LINT_HELP); return 0; }
  if (a.positionals.length === 0) { out.stderr(`${LINT_HELP}\n`); return 2; }
  for (const p of a.positionals) if (!existsSync(p)) { out.stderr(`no such file or directory: ${p}\n`); return 2; }
  const t0 = performance.now();
  const pipelineFiles = a.options.get('pipeline') ?? DEFAULT_PIPELINES;
  const pipelines = pipelineFiles.map((f) => loadPipeline(readFileSync(f, 'utf8'), f));
  const intelPaths = a.options.get('intel') ?? DEFAULT_INTEL.filter((p) => existsSync(p));
  if (intelPaths.length) pipelines.push(intelPipeline(loadIntel(intelPaths)));
  const res = lintPaths(a.positionals, { pipelines, pipelineFiles, logsources: a.options.get('logsources')?.[0] ?? SIGMAHQ_LOGSOURCES });
  const byCode: Record<string, number> = {};
  for (const f of res.findings) byCode[f.code] = (byCode[f.code] ?? 0) + 1;
  const ms = Math.round(performance.now() - t0);
  if (a.flags.has('json')) out.stdout(JSON.stringify({ files: res.files, documents: res.documents, findings: res.findings.length, byCode, ms, ...(a.flags.has('quiet') ? {} : { details: res.findings }) }, null, 2));
  else {
    if (!a.flags.has('quiet')) for (const f of res.findings) out.stdout(`${f.file}:${f.line}:${f.column}: ${f.code} ${f.message}`);
    out.stdout(`\n${table(['code', 'count'], Object.entries(byCode).sort((x, y) => y[1] - x[1]).map(([k, v]) => [k, String(v)]))}`);
    out.stdout(`\n${res.files} files, ${res.documents} rules compiled, ${res.findings.length} findings, ${ms} ms`);
  }
  return res.findings.length ? 1 : 0;
}

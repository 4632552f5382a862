// Public API of the Sigma engine: parse -> pipelines -> compile -> match. Pure, except loadRuleDirectory.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SigmaError } from './errors.ts';
import { parseSigmaText, type ParsedDoc } from './parse.ts';
import { applyPipelines, loadPipeline, resolvePipelines, type Pipeline } from './pipeline.ts';
import { compileFilter, compileRule, SigmaCompiledRule, type CompileContext, type CompiledRule } from './compile.ts';
import type { ParsedFilter, RuleMeta } from './types.ts';
import { at, parseYamlDocuments, type YDoc } from './yamlnode.ts';

export type { RuleMeta, Level, Logsource } from './types.ts';
export type { CompiledRule } from './compile.ts';
export type { Pipeline } from './pipeline.ts';
export { SigmaError, SIGMA_ERROR_CODES, type SigmaErrorCode } from './errors.ts';
export { SigmaCompiledRule } from './compile.ts';
export { MODIFIERS } from './modifiers.ts';
export { parseCondition } from './condition.ts';
export { loadPipeline };

export interface Correlation { raw: unknown; file?: string; line: number; hash?: string }

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
  const c = new RuleCompiler(opts.pipelines ?? []);
  c.add(parseSigmaText(yamlText, opts.file));
  return c.finish();
}

export interface LoadOptions {
  pipelines?: Pipeline[];
  /**
   * Folder for the parse cache (off when undefined): the located YAML trees of the rule files, keyed by a hash
   * of each file's text, one JSON file per rule directory. A warm load skips YAML parsing (most of the load
   * time); pipelines and compilation always run, so the result is identical. Files with YAML errors are never
   * cached (their errors are re-parsed, with locations). Safe to delete at any time.
   */
  cacheDir?: string;
}

/** Bump when the YAML tree layout (yamlnode.ts) changes: older cache files are then ignored. */
const CACHE_VERSION = 'ydoc-1';

interface CacheFile { version: string; files: Record<string, YDoc[]> }

function readCache(path: string): Map<string, YDoc[]> {
  try {
    const c = JSON.parse(readFileSync(path, 'utf8')) as CacheFile;
    if (c.version === CACHE_VERSION && c.files && typeof c.files === 'object') return new Map(Object.entries(c.files));
  } catch { /* missing or unreadable: start empty */ }
  return new Map();
}

function writeCache(path: string, entries: Map<string, YDoc[]>): void {
  try {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: CACHE_VERSION, files: Object.fromEntries(entries) } satisfies CacheFile));
    renameSync(tmp, path);
  } catch { /* a cache that cannot be written only costs time */ }
}

/** Whether a YAML tree survives JSON unchanged (no .inf/.nan/-0 numbers). */
function jsonSafe(n: YDoc['root']): boolean {
  if (n === null) return true;
  switch (n.kind) {
    case 'scalar': return typeof n.value !== 'number' || (Number.isFinite(n.value) && !Object.is(n.value, -0));
    case 'seq': return n.items.every(jsonSafe);
    case 'map': return n.entries.every((e) => jsonSafe(e.value));
  }
}

/** Load every *.yml / *.yaml file under `dir` (recursively, in sorted order). Never throws for bad rules. */
export function loadRuleDirectory(dir: string, opts: LoadOptions = {}): LoadResult {
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
  const compiler = new RuleCompiler(opts.pipelines ?? []);
  let cachePath: string | undefined;
  let cached = new Map<string, YDoc[]>();
  const fresh = new Map<string, YDoc[]>();
  let misses = 0;
  if (opts.cacheDir !== undefined) {
    try { mkdirSync(opts.cacheDir, { recursive: true }); } catch { /* writeCache will fail quietly */ }
    cachePath = join(opts.cacheDir, `rules-${createHash('sha1').update(resolve(dir)).digest('hex').slice(0, 16)}.json`);
    cached = readCache(cachePath);
  }
  for (const f of files) {
    let text: string;
    try { text = readFileSync(f, 'utf8'); } catch (err) {
      ioErrors.push(new SigmaError('ERR_SIGMA_IO', `cannot read rule file: ${String(err)}`, { location: { file: f, line: 1, column: 1 }, cause: err }));
      continue;
    }
    if (cachePath === undefined) { compiler.add(parseSigmaText(text, f)); continue; }
    // The key covers the path too: locations in errors name the file.
    const key = createHash('sha1').update(f).update('\0').update(text).digest('base64');
    let docs = cached.get(key);
    if (docs === undefined) {
      misses++;
      const y = parseYamlDocuments(text, f);
      if (y.errors.length === 0 && y.docs.every((d) => jsonSafe(d.root))) docs = y.docs;
      compiler.add(parseSigmaText(text, f, y));
      if (docs) fresh.set(key, docs);
      continue;
    }
    fresh.set(key, docs);
    compiler.add(parseSigmaText(text, f, { docs, errors: [] }));
  }
  // Rewrite the cache only when something changed (new, edited or deleted files).
  if (cachePath !== undefined && (misses > 0 || fresh.size !== cached.size)) writeCache(cachePath, fresh);
  const res = compiler.finish();
  res.errors.unshift(...ioErrors);
  return res;
}

/**
 * Compiles parsed rule files one at a time, as they are read (so each file's YAML tree is garbage soon, which keeps
 * the young generation cheap), then ANDs the filters to the rules they reference. Errors keep the order of the files.
 */
class RuleCompiler {
  readonly rules: SigmaCompiledRule[] = [];
  readonly errors: SigmaError[] = [];
  readonly correlations: Correlation[] = [];
  private readonly filters: ParsedFilter[] = [];
  private readonly ordered: Pipeline[];
  /** the pipelines' vars, and the compiled items shared between the rules of this load (compile.ts CompileContext) */
  private readonly ctx: CompileContext;

  constructor(pipelines: Pipeline[]) {
    const { ordered, vars } = resolvePipelines(pipelines);
    this.ordered = ordered;
    this.ctx = { vars, memo: new Map() };
  }

  add(p: { docs: ParsedDoc[]; errors: SigmaError[] }): void {
    for (const e of p.errors) this.errors.push(e);
    for (const doc of p.docs) {
      if (doc.kind === 'correlation') { this.correlations.push({ raw: doc.raw, ...(doc.file !== undefined ? { file: doc.file } : {}), line: doc.line, ...(doc.hash !== undefined ? { hash: doc.hash } : {}) }); continue; }
      if (doc.kind === 'filter') { this.filters.push(doc); continue; }
      try {
        applyPipelines(doc, this.ordered);
        this.rules.push(compileRule(doc, this.ctx));
      } catch (err) {
        if (err instanceof SigmaError) this.errors.push(err); else throw err;
      }
    }
  }

  finish(): LoadResult {
    const { rules, errors, correlations, filters } = this;
    // Filters: AND the filter's condition to every referenced rule (by id, or by rule name).
    if (filters.length) {
      const byRef = new Map<string, SigmaCompiledRule[]>();
      const add = (k: string, r: SigmaCompiledRule): void => { const l = byRef.get(k) ?? []; l.push(r); byRef.set(k, l); };
      for (const r of rules) { add(r.meta.id, r); if (r.name) add(r.name, r); }
      for (const f of filters) {
        try {
          applyPipelines(f, this.ordered);
          const pred = compileFilter(f, this.ctx);
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
}

function logsourceCompatible(filter: RuleMeta, rule: RuleMeta): boolean {
  const f = filter.logsource; const r = rule.logsource;
  return (f.product === undefined || f.product === r.product) && (f.category === undefined || f.category === r.category) && (f.service === undefined || f.service === r.service);
}

export { compileCorrelations, parseTimespan, conditionHolds, nearestRank, CORRELATION_TYPES, type CompiledCorrelation, type CorrelationType, type CorrelationCondition, type CorrelationMeta } from './correlation.ts';
export { CorrelationState, type CorrelationHit, type CorrelationOptions, type CorrelationSnapshot, type CorrelationCounters } from './correlation_state.ts';

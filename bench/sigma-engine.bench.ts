// Sigma engine benchmark: all SigmaHQ rules against the SigmaHQ regression events (varied up to N events), our
// engine (all rules / logsource routing / literal prefilter) and the peer rsigma (bench/peers/rsigma.sh) on the
// same rules and events in the same run. Prints ONE JSON line at the end. Run: npx tsx bench/sigma-engine.bench.ts
// Env: BENCH_EVENTS (default 100000), BENCH_ITER (default 5), RSIGMA (path of the rsigma binary).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { loadPipeline, loadRuleDirectory, type CompiledRule } from '../detection/engine/index.ts';
import { buildRuleIndex } from '../detection/engine/prefilter.ts';
import { FieldMemo } from '../detection/engine/fields.ts';
import { RuleRouter } from '../detection/service/logsource.ts';

type Ev = Record<string, unknown>;
const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, '..');
const CORPUS = resolve(ROOT, '../shared/corpora/sigmahq');
const OUT = join(ROOT, '.stack', 'bench');
const N = Number(process.env.BENCH_EVENTS ?? 100_000);
const ITER = Number(process.env.BENCH_ITER ?? 5);
const RSIGMA = process.env.RSIGMA ?? join(ROOT, '.stack/peers/rsigma/bin/rsigma');
const log = (msg: string): void => { process.stderr.write(`[bench] ${msg}\n`); };
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
const mb = (b: number): number => Math.round(b / 1048576);

// ---- rules: load + compile (in-process, timed) ----
const ruleDirs = readdirSync(CORPUS, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name.startsWith('rules')).map((e) => join(CORPUS, e.name)).sort();
// BENCH_LOAD_ONLY=1 (used below, in fresh processes): load with the parse cache in BENCH_CACHE_DIR and exit.
const cacheDir = process.env.BENCH_LOAD_ONLY === '1' ? process.env.BENCH_CACHE_DIR : undefined;
const t0 = performance.now();
const pfile = join(ROOT, 'detection/pipelines/windows-evtx.yml');
const pipeline = loadPipeline(readFileSync(pfile, 'utf8'), pfile);
const rules: CompiledRule[] = [];
let ruleErrors = 0;
for (const d of ruleDirs) { const r = loadRuleDirectory(d, { pipelines: [pipeline], ...(cacheDir ? { cacheDir } : {}) }); rules.push(...r.rules); ruleErrors += r.errors.length; }
const loadMs = performance.now() - t0;
if (process.env.BENCH_LOAD_ONLY === '1') {
  console.log(JSON.stringify({ loadMs: Math.round(loadMs), compiled: rules.length, rssMB: mb(process.memoryUsage().rss) }));
  process.exit(0);
}
/** Load + compile in fresh processes with the parse cache: first run fills it (cold), the next ones use it (warm). */
function cachedLoads(): { coldFillMs: number; warmMs: number; compiled: number; cacheMB: number } {
  const dir = join(OUT, 'parse-cache');
  rmSync(dir, { recursive: true, force: true });
  const once = (): { loadMs: number; compiled: number } => {
    const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], { env: { ...process.env, BENCH_LOAD_ONLY: '1', BENCH_CACHE_DIR: dir }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`load-only run failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as { loadMs: number; compiled: number };
  };
  const cold = once();
  const warm = [once(), once(), once()];
  const bytes = readdirSync(dir).reduce((a, f) => a + statSync(join(dir, f)).size, 0);
  if (warm.some((w) => w.compiled !== cold.compiled)) throw new Error('cached load compiled a different number of rules');
  return { coldFillMs: cold.loadMs, warmMs: median(warm.map((w) => w.loadMs)), compiled: cold.compiled, cacheMB: mb(bytes) };
}
const t1 = performance.now();
const index = buildRuleIndex(rules);
const indexMs = performance.now() - t1;
global.gc?.();
const rssAfterLoad = process.memoryUsage().rss;
log(`${rules.length} rules compiled (${ruleErrors} errors) in ${loadMs.toFixed(0)} ms, index ${indexMs.toFixed(0)} ms, RSS ${mb(rssAfterLoad)} MB`);

// ---- events: the regression events, varied (record id, time, host) up to N ----
function readJsonEvents(file: string): Ev[] {
  const t = readFileSync(file, 'utf8'); const out: Ev[] = [];
  let depth = 0; let start = -1; let inStr = false; let esc = false;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (inStr) { if (esc) esc = false; else if (c === '\\') esc = true; else if (c === '"') inStr = false; continue; }
    if (c === '"') inStr = true; else if (c === '{') { if (depth++ === 0) start = i; } else if (c === '}') { if (--depth === 0) out.push(JSON.parse(t.slice(start, i + 1)) as Ev); }
  }
  return out;
}
const jsonFiles = (d: string): string[] => readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).flatMap((e) => (e.isDirectory() ? jsonFiles(join(d, e.name)) : e.name.endsWith('.json') ? [join(d, e.name)] : []));
const base = jsonFiles(join(CORPUS, 'regression_data')).flatMap(readJsonEvents);
const events: Ev[] = [];
for (let i = 0; i < N; i++) {
  const e = structuredClone(base[i % base.length]!);
  const sys = (e.Event as Ev).System as Ev;
  sys.EventRecordID = 1_000_000 + i;
  sys.Computer = `host-${i % 997}.agency.local`;
  events.push(e);
}
log(`${events.length} events from ${base.length} regression events`);

// ---- logsource routing + per-route prefilter: the streaming detector's own RuleRouter (detection/service/logsource.ts)
const router = new RuleRouter(rules);
const memo = new FieldMemo();
// Route indexes are built lazily, on the first event of each route: time building them for the base events.
const tr = performance.now();
for (const e of base) router.indexFor(e);
const routeIndexMs = performance.now() - tr;
log(`${router.routeCount} routes, their indexes built in ${routeIndexMs.toFixed(0)} ms`);
function routedMatches(e: Ev): number {
  const ix = router.indexFor(e);
  const m = memo.reset(e);
  let n = 0;
  for (const i of ix.candidatesIn(m)) if (ix.rules[i]!.matchMemo!(m)) n++;
  return n;
}

type Mode = (e: Ev) => number;
const modes: Record<string, Mode> = {
  all: (e) => { let m = 0; for (const r of rules) if (r.match(e)) m++; return m; },
  routed: (e) => { let m = 0; for (const r of router.rulesFor(e)) if (r.match(e)) m++; return m; },
  prefilter: (e) => index.matches(e).length,
  routedPrefilter: routedMatches,
};
function run(mode: Mode, evs: Ev[], iters: number): { eps: number; matches: number } {
  let matches = 0;
  for (const e of evs.slice(0, Math.min(evs.length, 500))) mode(e); // warm-up
  const rates: number[] = [];
  for (let it = 0; it < iters; it++) {
    let m = 0;
    const s = performance.now();
    for (const e of evs) m += mode(e);
    rates.push(evs.length / ((performance.now() - s) / 1000));
    matches = m;
  }
  return { eps: Math.round(median(rates)), matches };
}
// Evaluating every rule on every event is slow: measure it (and check the others against it) on a slice.
const slice = events.slice(0, Math.min(events.length, 2 * base.length));
const ours: Record<string, { events: number; eps: number; matches: number }> = {};
for (const [name, mode] of Object.entries(modes)) {
  const fast = name === 'prefilter' || name === 'routedPrefilter';
  const evs = fast ? events : slice;
  const r = run(mode, evs, fast ? ITER : 1);
  ours[name] = { events: evs.length, ...r };
  log(`ours/${name}: ${r.eps} events/s over ${evs.length} events, ${r.matches} matches`);
}
// The prefilter must not change what matches: same counts as evaluating every (routed) rule.
const sliceCheck = { all: ours.all!.matches, prefilter: run(modes.prefilter!, slice, 1).matches, routed: ours.routed!.matches, routedPrefilter: run(modes.routedPrefilter!, slice, 1).matches };
if (sliceCheck.prefilter !== sliceCheck.all || sliceCheck.routedPrefilter !== sliceCheck.routed) throw new Error(`match counts differ on the slice: ${JSON.stringify(sliceCheck)}`);
let candidates = 0;
for (const e of base) candidates += index.candidates(e).length;

// ---- peer: rsigma on the same rules and the same events (flattened, see bench/README.md) ----
interface PeerResult { version?: string; loadMs?: number; events?: number; eps?: number; matches?: number; sliceMatches?: number; rssMaxMB?: number; error?: string }
function flatten(e: Ev): Ev {
  const ev = e.Event as Ev; const sys = ev.System as Ev;
  const out: Ev = {};
  for (const [k, v] of Object.entries(sys)) if (v === null || typeof v !== 'object') out[k] = v;
  const prov = (sys.Provider as Ev | undefined)?.['#attributes'] as Ev | undefined;
  if (prov?.Name !== undefined) { out.Provider_Name = prov.Name; }
  const data = ev.EventData;
  if (data && typeof data === 'object') Object.assign(out, data);
  const ud = ev.UserData;
  if (ud && typeof ud === 'object') for (const el of Object.values(ud as Ev)) if (el && typeof el === 'object') Object.assign(out, el);
  return out;
}
function timeProc(args: string[], input: string): { ms: number; stdout: string; stderr: string; status: number | null; rssMaxMB?: number } {
  const s = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'MAXRSS_KB=%M', RSIGMA, ...args], { input: readFileSync(input), maxBuffer: 1 << 30, encoding: 'utf8' });
  const ms = performance.now() - s;
  const m = /MAXRSS_KB=(\d+)/.exec(r.stderr ?? '');
  return { ms, stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status, ...(m ? { rssMaxMB: Math.round(Number(m[1]) / 1024) } : {}) };
}
function peer(): PeerResult {
  if (!existsSync(RSIGMA)) return { error: `rsigma not installed at ${RSIGMA} (bench/peers/rsigma.sh install)` };
  mkdirSync(OUT, { recursive: true });
  const empty = join(OUT, 'empty.jsonl'); const big = join(OUT, 'events.jsonl'); const small = join(OUT, 'slice.jsonl');
  writeFileSync(empty, '');
  writeFileSync(big, events.map((e) => JSON.stringify(flatten(e))).join('\n') + '\n');
  writeFileSync(small, slice.map((e) => JSON.stringify(flatten(e))).join('\n') + '\n');
  const version = spawnSync(RSIGMA, ['--version'], { encoding: 'utf8' }).stdout.trim();
  // rsigma takes one rules path: a directory of symlinks to the rules* directories.
  const rulesDir = join(OUT, 'rules');
  mkdirSync(rulesDir, { recursive: true });
  for (const d of ruleDirs) { const l = join(rulesDir, basename(d)); if (!existsSync(l)) symlinkSync(d, l); }
  const withRules = ['engine', 'eval', '-r', rulesDir, '--output-format', 'ndjson'];
  const loads: number[] = [];
  for (let i = 0; i < 3; i++) { const r = timeProc(withRules, empty); if (r.status !== 0) return { version, error: `rsigma failed: ${r.stderr.slice(0, 500)}` }; loads.push(r.ms); }
  const loadMs = median(loads);
  const rates: number[] = []; let matches = 0; let rssMaxMB: number | undefined;
  for (let i = 0; i < 3; i++) {
    const r = timeProc(withRules, big);
    if (r.status !== 0) return { version, error: `rsigma failed: ${r.stderr.slice(0, 500)}` };
    rates.push(events.length / (Math.max(1, r.ms - loadMs) / 1000));
    matches = countMatches(r.stdout); rssMaxMB = r.rssMaxMB;
  }
  const sliceMatches = countMatches(timeProc(withRules, small).stdout);
  return { version, loadMs: Math.round(loadMs), events: events.length, eps: Math.round(median(rates)), matches, sliceMatches, ...(rssMaxMB !== undefined ? { rssMaxMB } : {}) };
}
function countMatches(stdout: string): number {
  // One JSON object per match (detection) line.
  let n = 0;
  for (const line of stdout.split('\n')) if (line.startsWith('{')) n++;
  return n;
}
mkdirSync(OUT, { recursive: true });
const parseCache = cachedLoads();
log(`parse cache: ${JSON.stringify(parseCache)}`);
const rsigma = peer();
log(`rsigma: ${JSON.stringify(rsigma)}`);

const result = {
  bench: 'sigma-engine',
  node: process.version,
  rules: { loaded: rules.length + ruleErrors, compiled: rules.length, errors: ruleErrors, loadCompileMs: Math.round(loadMs), indexMs: Math.round(indexMs), routes: router.routeCount, routeIndexMs: Math.round(routeIndexMs), parseCache },
  rssAfterLoadMB: mb(rssAfterLoad),
  events: events.length,
  ours: { mode: 'routedPrefilter', eventsPerSec: ours.routedPrefilter!.eps, matches: ours.routedPrefilter!.matches, modes: ours, candidatesPerEvent: Math.round(candidates / base.length), index: index.stats, sliceMatches: sliceCheck },
  rsigma,
  goals: {
    eventsPerSecAtLeastRsigma: rsigma.eps === undefined ? null : ours.routedPrefilter!.eps >= rsigma.eps,
    loadCompileUnder1s: loadMs + indexMs < 1000,
    loadCompileWarmCacheUnder1s: parseCache.warmMs + indexMs < 1000,
    rssAfterLoadUnder512MB: mb(rssAfterLoad) < 512,
  },
  rssEndMB: mb(process.memoryUsage().rss),
};
console.log(JSON.stringify(result));

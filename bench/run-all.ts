// Every benchmark of the project, each in its own child process, one after the other (they share 2 cores, the
// Kafka and the OpenSearch: running them in parallel would measure each other). Each prints ONE JSON line on
// stdout; this parses it, prints ONE table (measure, ours, peer, ratio, goal, met?) and writes everything (table,
// raw JSON lines, exit codes, durations, load averages) to bench/results/<date>.json.
//   npm run bench                 (= tsx bench/run-all.ts)
//   npm run bench -- --quick      (smaller runs: e2e --quick, fewer events/iterations elsewhere)
//   npm run bench -- --only sigma-engine,e2e
//   npm run bench -- --render bench/results/<date>.json   (no run: rebuild that file's table from its raw JSON lines)
// A bench that is missing, fails, times out or prints no JSON is a row saying so, never a crash. The peer that
// needs a build (rsigma, bench/peers/rsigma.sh) is installed here, on the bench path (idempotent), never by CI.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const QUICK = process.argv.includes('--quick');
const onlyArg = process.argv.find((a, i, all) => a.startsWith('--only=') || all[i - 1] === '--only');
const ONLY = onlyArg ? new Set(onlyArg.replace(/^--only=/, '').split(',')) : undefined;

type J = Record<string, unknown>;
export interface Row { bench: string; measure: string; ours: string; peer: string; ratio: string; goal: string; met: string }

/** One row per agent RSS run: max (the goal) and median RSS, with the runtime profile it ran with. */
function agentRssRows(j: J): Omit<Row, 'bench'>[] {
  const max = num(at(j, 'rssMB.max'));
  return [{ measure: `agent RSS max / median at ${fmt(at(j, 'targetEventsPerSec'))} ev/s offered (${fmt(at(j, 'achievedEventsPerSec'))} achieved), profile ${String(at(j, 'profile') ?? at(j, 'runner'))}, MB`, ours: `${fmt(max)} / ${fmt(at(j, 'rssMB.median'))}`, peer: '', ratio: '', goal: '< 64 MB', met: yes(max !== undefined ? max < 64 : undefined) }];
}

/** Reads a.b.c out of a parsed JSON line; undefined when any step is missing. */
export function at(o: unknown, path: string): unknown {
  let v: unknown = o;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as J)[k];
  }
  return v;
}
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const fmt = (v: unknown, unit = ''): string => {
  const n = num(v);
  if (n === undefined) return v === undefined || v === null ? '–' : String(v);
  return `${n >= 100 ? Math.round(n).toLocaleString('en') : String(Math.round(n * 100) / 100)}${unit}`;
};
const ratioOf = (a: unknown, b: unknown): string => (num(a) !== undefined && num(b) ? String(Math.round((num(a)! / num(b)!) * 100) / 100) : '–');
const yes = (b: unknown): string => (b === true ? 'yes' : b === false ? 'NO' : '–');

interface Bench {
  name: string;
  file: string;
  env?: Record<string, string>;
  args?: string[];
  timeoutMin: number;
  /** install a peer first (idempotent); a failure is recorded, the bench still runs */
  before?: () => string | undefined;
  rows: (j: J) => Omit<Row, 'bench'>[];
}

function installRsigma(): string | undefined {
  const r = spawnSync('bash', [join(ROOT, 'bench/peers/rsigma.sh'), 'install'], { cwd: ROOT, encoding: 'utf8', timeout: 60 * 60_000 });
  return r.status === 0 ? undefined : `rsigma install failed (exit ${r.status}): ${(r.stderr || r.stdout).slice(-300)}`;
}

const BENCHES: Bench[] = [
  {
    name: 'sigma-engine', file: 'bench/sigma-engine.bench.ts', env: { BENCH_EVENTS: '10000', ...(QUICK ? { BENCH_ITER: '3' } : {}) }, timeoutMin: 30, before: installRsigma,
    rows: (j) => [
      { measure: 'Sigma events/s, routing+prefilter (3,757 SigmaHQ rules, 10k events)', ours: fmt(at(j, 'ours.eventsPerSec')), peer: `rsigma ${fmt(at(j, 'rsigma.eps'))}${at(j, 'rsigma.error') ? ` (${String(at(j, 'rsigma.error')).slice(0, 40)})` : ''}`, ratio: ratioOf(at(j, 'ours.eventsPerSec'), at(j, 'rsigma.eps')), goal: '≥ rsigma', met: yes(at(j, 'goals.eventsPerSecAtLeastRsigma')) },
      { measure: 'Sigma events/s, prefilter over all rules', ours: fmt(at(j, 'ours.modes.prefilter.eps')), peer: `rsigma ${fmt(at(j, 'rsigma.eps'))}`, ratio: ratioOf(at(j, 'ours.modes.prefilter.eps'), at(j, 'rsigma.eps')), goal: '≥ rsigma', met: yes(num(at(j, 'ours.modes.prefilter.eps')) !== undefined && num(at(j, 'rsigma.eps')) !== undefined ? num(at(j, 'ours.modes.prefilter.eps'))! >= num(at(j, 'rsigma.eps'))! : undefined) },
      { measure: 'Sigma load + compile + index, cold (ms)', ours: fmt((num(at(j, 'rules.loadCompileMs')) ?? NaN) + (num(at(j, 'rules.indexMs')) ?? NaN)), peer: `rsigma ${fmt(at(j, 'rsigma.loadMs'))}`, ratio: ratioOf((num(at(j, 'rules.loadCompileMs')) ?? NaN) + (num(at(j, 'rules.indexMs')) ?? NaN), at(j, 'rsigma.loadMs')), goal: '< 1,000 ms', met: yes(at(j, 'goals.loadCompileUnder1s')) },
      { measure: 'Sigma load + compile + index, warm parse cache (ms)', ours: fmt((num(at(j, 'rules.parseCache.warmMs')) ?? NaN) + (num(at(j, 'rules.indexMs')) ?? NaN)), peer: '', ratio: '', goal: '< 1,000 ms', met: yes(at(j, 'goals.loadCompileWarmCacheUnder1s')) },
      { measure: 'Sigma RSS after load (MB)', ours: fmt(at(j, 'rssAfterLoadMB')), peer: `rsigma max ${fmt(at(j, 'rsigma.rssMaxMB'))}`, ratio: ratioOf(at(j, 'rssAfterLoadMB'), at(j, 'rsigma.rssMaxMB')), goal: '< 512 MB', met: yes(at(j, 'goals.rssAfterLoadUnder512MB') ?? at(j, 'goals.rssUnder512MB')) },
    ],
  },
  {
    name: 'netflow-decode', file: 'bench/netflow-decode.bench.ts', timeoutMin: 10,
    rows: (j) => (['dataOnly', 'full'] as const).map((c) => ({ measure: `NetFlow v9 flows/s, ${c === 'dataOnly' ? 'data sets (steady state)' : 'full packets (templates included)'}`, ours: fmt(at(j, `${c}.ours.flowsPerSec`)), peer: `node-netflowv9 ${fmt(at(j, `${c}.node-netflowv9.flowsPerSec`))}`, ratio: fmt(at(j, `${c}.speedupVsPeer`)), goal: '≥ 2×', met: yes(num(at(j, `${c}.speedupVsPeer`)) !== undefined ? num(at(j, `${c}.speedupVsPeer`))! >= 2 : undefined) })),
  },
  {
    name: 'gateway', file: 'bench/gateway.bench.ts', env: QUICK ? { BENCH_EVENTS: '100000' } : {}, timeoutMin: 20,
    rows: (j) => [
      { measure: `gateway events/s (gRPC mTLS → Kafka acks=all, ${fmt(at(j, 'agents'))} agents)`, ours: fmt(at(j, 'gateway.eventsPerSec')), peer: `Kafka direct ${fmt(at(j, 'peerKafkaDirect.eventsPerSec'))}`, ratio: fmt(at(j, 'ratioToPeer')), goal: `≥ ${fmt(at(j, 'goalEventsPerSec'))} ev/s`, met: yes(num(at(j, 'gateway.eventsPerSec')) !== undefined && num(at(j, 'goalEventsPerSec')) !== undefined ? num(at(j, 'gateway.eventsPerSec'))! >= num(at(j, 'goalEventsPerSec'))! : undefined) },
      { measure: 'gateway batch ack latency p99 (ms)', ours: fmt(at(j, 'gateway.p99Ms')), peer: `Kafka direct ${fmt(at(j, 'peerKafkaDirect.p99Ms'))}`, ratio: ratioOf(at(j, 'gateway.p99Ms'), at(j, 'peerKafkaDirect.p99Ms')), goal: '', met: '' },
    ],
  },
  {
    name: 'gateway-hotpath', file: 'bench/gateway_hotpath.bench.ts', timeoutMin: 10,
    rows: (j) => [{ measure: 'gateway decode + validate, events/s per core (no I/O)', ours: fmt(at(j, 'maxEventsPerSecPerCore.decodePlusPlan')), peer: '', ratio: '', goal: '', met: '' }],
  },
  {
    name: 'indexer', file: 'bench/indexer.bench.ts', env: QUICK ? { BENCH_DOCS: '30000', BENCH_ROUNDS: '1' } : {}, timeoutMin: 20,
    rows: (j) => [{ measure: 'indexer docs/s into OpenSearch', ours: fmt(at(j, 'ours_docs_s')), peer: `raw _bulk ${fmt(at(j, 'raw_bulk_docs_s'))}`, ratio: fmt(at(j, 'ours_vs_raw')), goal: `≥ ${fmt(at(j, 'goal'))} × raw`, met: yes(num(at(j, 'ours_vs_raw')) !== undefined ? num(at(j, 'ours_vs_raw'))! >= (num(at(j, 'goal')) ?? 0.9) : undefined) }],
  },
  {
    name: 'kafka-clients', file: 'bench/kafka-clients.bench.ts', env: QUICK ? { BENCH_MESSAGES: '50000' } : {}, timeoutMin: 20,
    rows: (j) => (['produce', 'consume'] as const).map((k) => ({ measure: `Kafka ${k} msg/s (@platformatic/kafka, our producer)`, ours: fmt(at(j, `platformatic.${k}_msgs_s`)), peer: `kafkajs ${fmt(at(j, `kafkajs.${k}_msgs_s`))}`, ratio: fmt(at(j, `platformatic_vs_kafkajs.${k}`)), goal: k === 'produce' ? '≥ kafkajs' : 'informative', met: k === 'produce' ? yes(num(at(j, 'platformatic_vs_kafkajs.produce')) !== undefined ? num(at(j, 'platformatic_vs_kafkajs.produce'))! >= 1 : undefined) : '' })),
  },
  {
    name: 'detector-flows', file: 'bench/detector-flows.bench.ts', env: { BENCH_SIGMAHQ: '1', ...(QUICK ? { BENCH_ITER: '1' } : {}) }, timeoutMin: 10,
    rows: (j) => [{ measure: `detector on flows, in-process (${fmt(at(j, 'rules'))} rules, ${fmt(at(j, 'correlations'))} correlations), CPU µs/event`, ours: fmt(at(j, 'cpuUsPerEvent')), peer: '', ratio: '', goal: 'informative (e2e ≥ 20k ev/s)', met: '' }],
  },
  {
    name: 'collector', file: 'bench/collector.bench.ts', timeoutMin: 15,
    rows: (j) => [
      { measure: 'NetFlow UDP collector, highest zero-loss packets/s (13 flows each, 2 s steps)', ours: fmt(at(j, 'maxZeroLossPps.ours')), peer: `nfcapd ${fmt(at(j, 'maxZeroLossPps.nfcapd'))}`, ratio: fmt(at(j, 'oursVsNfcapd')), goal: '≥ nfcapd', met: yes(num(at(j, 'maxZeroLossPps.ours')) !== undefined && num(at(j, 'maxZeroLossPps.nfcapd')) !== undefined ? num(at(j, 'maxZeroLossPps.ours'))! >= num(at(j, 'maxZeroLossPps.nfcapd'))! : undefined) },
      { measure: 'the same without the disk spill (what the decoder keeps up with)', ours: fmt(at(j, 'maxZeroLossPps.oursQueueOnly')), peer: `nfcapd ${fmt(at(j, 'maxZeroLossPps.nfcapd'))}`, ratio: '', goal: '', met: '' },
    ],
  },
  {
    name: 'agent-rss', file: 'bench/agent-rss.bench.ts', env: { BENCH_PROFILE: 'standard' }, timeoutMin: 15,
    rows: agentRssRows,
  },
  {
    name: 'agent-rss-lean', file: 'bench/agent-rss.bench.ts', env: { BENCH_PROFILE: 'lean' }, timeoutMin: 15,
    rows: agentRssRows,
  },
  {
    name: 'e2e', file: 'bench/e2e.bench.ts', args: QUICK ? ['--quick'] : [], timeoutMin: QUICK ? 8 : 25,
    rows: (j) => {
      const points = (at(j, 'points') as J[] | undefined) ?? [];
      return points.map((p) => ({
        measure: `e2e agent→OpenSearch: ${fmt(at(p, 'rules'))} rules (${fmt(at(p, 'rulesApplyingToNetflow'))} apply to flows), ${fmt(at(p, 'agencies'))} agenc${at(p, 'agencies') === 1 ? 'y' : 'ies'}, ${fmt(at(p, 'offeredEventsPerSec'))} ev/s offered`,
        ours: `${fmt(at(p, 'sustainedEventsPerSec'))} ev/s; alert p50/p99 ${fmt((num(at(p, 'visibleLatencyMs.p50')) ?? NaN) / 1000)}/${fmt((num(at(p, 'visibleLatencyMs.p99')) ?? NaN) / 1000)} s`,
        peer: '',
        ratio: '',
        goal: '≥ 20,000 ev/s, p99 < 2 s',
        met: (num(at(p, 'offeredEventsPerSec')) ?? 0) >= 20_000 ? yes(at(p, 'met')) : 'n/a (sweep)',
      }));
    },
  },
];

/** Any other bench: its top-level numbers, abridged. */
function generic(j: J): Omit<Row, 'bench'>[] {
  const nums = Object.entries(j).filter(([, v]) => typeof v === 'number').slice(0, 4).map(([k, v]) => `${k}=${fmt(v)}`).join(', ');
  return [{ measure: `${String(j.bench ?? 'bench')} (no table mapping: top-level figures)`, ours: nums || '(see JSON)', peer: '', ratio: '', goal: '', met: '' }];
}

// any *.bench.ts not listed above still runs, with the generic row
for (const f of readdirSync(join(ROOT, 'bench')).filter((f) => f.endsWith('.bench.ts')).sort()) {
  if (!BENCHES.some((b) => b.file === `bench/${f}`)) BENCHES.push({ name: f.replace(/\.bench\.ts$/, ''), file: `bench/${f}`, timeoutMin: 15, rows: generic });
}

interface Outcome { name: string; file: string; status: 'ok' | 'missing' | 'failed' | 'timeout' | 'no-json'; exitCode: number | null; seconds: number; loadavgBefore: number[]; loadavgAfter: number[]; json?: J; stderrTail?: string; peerInstall?: string }

function runOne(b: Bench): Promise<Outcome> {
  const base = { name: b.name, file: b.file, loadavgBefore: loadavg().map((x) => Math.round(x * 10) / 10) };
  if (!existsSync(join(ROOT, b.file))) return Promise.resolve({ ...base, status: 'missing', exitCode: null, seconds: 0, loadavgAfter: base.loadavgBefore });
  const peerInstall = b.before?.();
  const t0 = Date.now();
  process.stderr.write(`[bench] ${b.name}: ${b.file} ${b.args?.join(' ') ?? ''} ${JSON.stringify(b.env ?? {})}\n`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, b.file), ...(b.args ?? [])], { cwd: ROOT, env: { ...process.env, ...b.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); if (err.length > 200_000) err = err.slice(-100_000); });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ }
      setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 20_000).unref();
    }, b.timeoutMin * 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const seconds = Math.round((Date.now() - t0) / 100) / 10;
      const line = out.trim().split('\n').reverse().find((l) => l.startsWith('{'));
      let json: J | undefined;
      try { json = line ? (JSON.parse(line) as J) : undefined; } catch { json = undefined; }
      const status: Outcome['status'] = timedOut ? 'timeout' : code !== 0 ? 'failed' : json ? 'ok' : 'no-json';
      resolve({ ...base, status, exitCode: code, seconds, loadavgAfter: loadavg().map((x) => Math.round(x * 10) / 10), ...(json ? { json } : {}), ...(status !== 'ok' ? { stderrTail: err.trim().split('\n').slice(-40).join('\n') } : {}), ...(peerInstall ? { peerInstall } : {}) });
    });
  });
}

/** The most telling line of a failed bench's stderr: the first that names an error, else the last. */
function firstError(tail: string): string {
  const lines = tail.split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines.find((l) => /\b\w*Error\b|\bERR_[A-Z_]+|failed|refused/.test(l)) ?? lines.pop() ?? '').slice(0, 110);
}

/** Rows of one outcome (also used by --render to rebuild the table of a saved run with the current mappings). */
function rowsOf(b: Bench, o: Outcome): Row[] {
  let mapped: Omit<Row, 'bench'>[] = [];
  if (o.json) {
    try { mapped = b.rows(o.json); } catch (e) { mapped = [{ measure: `(could not read the JSON: ${(e as Error).message})`, ours: '', peer: '', ratio: '', goal: '', met: '' }]; }
  }
  if (o.status !== 'ok' || mapped.length === 0) {
    const why = o.status === 'missing' ? 'not present in this tree' : o.status === 'timeout' ? `timed out after ${b.timeoutMin || '?'} min` : o.status === 'no-json' ? 'printed no JSON line' : `failed (exit ${o.exitCode}): ${firstError(o.stderrTail ?? '')}`;
    mapped.unshift({ measure: `${b.name}: ${why}`, ours: '–', peer: '–', ratio: '–', goal: '–', met: o.status === 'missing' ? 'n/a' : 'NO' });
  }
  return mapped.map((r) => ({ bench: b.name, ...r }));
}

// --render FILE: no run; rebuild the rows of a saved results file (raw JSON lines unchanged) and print the table
const renderArg = process.argv.find((a, i, all) => all[i - 1] === '--render');
const saved = renderArg ? (JSON.parse(readFileSync(renderArg, 'utf8')) as { started: string; rows: Row[]; benches: Outcome[] }) : undefined;
const started = saved ? new Date(saved.started) : new Date();
const outcomes: Outcome[] = saved ? saved.benches : [];
const rows: Row[] = [];
if (saved) {
  for (const o of outcomes) rows.push(...rowsOf(BENCHES.find((b) => b.name === o.name) ?? { name: o.name, file: o.file, timeoutMin: 0, rows: generic }, o));
} else {
  for (const b of BENCHES) {
    if (ONLY && !ONLY.has(b.name)) continue;
    const o = await runOne(b);
    outcomes.push(o);
    rows.push(...rowsOf(b, o));
    process.stderr.write(`[bench] ${b.name}: ${o.status} in ${o.seconds} s\n`);
  }
}

// ---- the table -----------------------------------------------------------------------------------------------
const header: Row = { bench: 'bench', measure: 'measure', ours: 'ours', peer: 'peer', ratio: 'ratio', goal: 'goal', met: 'met?' };
const cols = Object.keys(header) as (keyof Row)[];
const width = Object.fromEntries(cols.map((c) => [c, Math.min(c === 'measure' ? 92 : 40, Math.max(...[header, ...rows].map((r) => r[c].length)))])) as Record<keyof Row, number>;
const cell = (s: string, w: number) => (s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w));
const line = (r: Row) => `| ${cols.map((c) => cell(r[c], width[c])).join(' | ')} |`;
const table = [line(header), `|${cols.map((c) => '-'.repeat(width[c] + 2)).join('|')}|`, ...rows.map(line)].join('\n');
console.log(`Benchmarks, ${started.toISOString()}, ${cpus().length} cores (shared with other engineers' work: absolute figures vary with load; ratios are same-run)`);
console.log(table);

if (saved && renderArg) {
  writeFileSync(renderArg, JSON.stringify({ ...saved, rows }, null, 2) + '\n');
  console.log(`rows re-rendered in ${renderArg}`);
} else {
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const day = started.toISOString().slice(0, 10);
  let file = join(dir, `${day}.json`);
  for (let i = 2; existsSync(file); i++) file = join(dir, `${day}-${i}.json`);
  const commit = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() || null;
  writeFileSync(file, JSON.stringify({ started: started.toISOString(), finished: new Date().toISOString(), quick: QUICK, node: process.version, cores: cpus().length, cpu: cpus()[0]?.model, commit, rows, benches: outcomes }, null, 2) + '\n');
  console.log(`written: ${file.slice(ROOT.length + 1)}`);
}

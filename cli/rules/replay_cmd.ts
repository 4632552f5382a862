// `cirt rules replay <files…>`: JSON-lines ECS events, honeypot logs (Cowrie JSON, Dionaea log_json: recognised by
// their first record, decoded by the agent's agents/inputs/honeypot), evtx-style JSON (one object or a list with `Event`) and
// captures (pcap or pcapng, recognised by their magic number) through the production Detector locally; progress on
// stderr, per-rule summary on stdout. A capture goes through the agent's own code path (agents/pcap CaptureProcessor):
// UDP datagrams to a NetFlow/IPFIX collector port are decoded as exports, every other IP packet is metered into flows
// by agents/flowmeter, so raw traffic (e.g. an nmap scan recorded with tcpdump) yields the same flow events the agent's
// `pcap` input ships. `--live --gateway host:port --cert <prefix>` instead runs a real agent (agents/main.ts) that
// ships the same files (captures, evtx JSON, JSON lines) through the gateway into the running pipeline.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Alert, EcsEvent } from '../../proto/ecs.ts';
import { readJsonLines } from '../../agents/inputs/jsonl_replay.ts';
import { decodeHoneypot, sniffHoneypotFormat } from '../../agents/inputs/honeypot/index.ts';
import { captureFormat, readCapture } from '../../agents/pcap/index.ts';
import { CaptureProcessor } from '../../agents/pcap/capture_processor.ts';
import { buildRuleSet, DEFAULT_INTEL, DEFAULT_PIPELINES } from '../../detection/intel/index.ts';
import { parseArgs, table, UsageError, type Out } from './args.ts';
import { ROOT } from '../services.ts';
import { newDetector } from './testcases.ts';

export const REPLAY_HELP = `usage: cirt rules replay <files…> [--rules dir]… [--speed 0|N] [--json]
       cirt rules replay <files…> --live --gateway host:port --cert <dir/agency.agent> [--ca file] [--timeout s]
Files: *.jsonl (ECS events), Cowrie JSON / Dionaea log_json logs (by their first record, any name), *.json
(evtx_dump-style Windows events), pcap/pcapng captures (by magic number, any
name): NetFlow v5/v9/IPFIX exports to UDP 2055/4739/9995/9996 are decoded, all other traffic is metered into flows
(agents/flowmeter, the agent's defaults: idle 15 s, active 30 min).
--speed 0 = as fast as possible (default); N = N times real time (by event @timestamp).
--live ships the files through a real agent into the running pipeline (alerts land in OpenSearch) and returns once
the gateway acknowledged every event.
Exit 0 done (the summary says what fired), 1 input errors, 2 usage.`;

/** A capture's flow events, as the agent's `pcap` input would emit them (capture time kept; no pacing). */
export function readCaptureEvents(file: string, buf: Buffer = readFileSync(file)): { events: EcsEvent[]; errors: string[] } {
  const proc = new CaptureProcessor({ source: file });
  const events: EcsEvent[] = []; const errors: string[] = [];
  const add = (evs: EcsEvent[]) => { for (const e of evs) events.push({ organization: { id: 'replay' }, ...e }); };
  for (const item of readCapture(buf, file)) {
    if (item instanceof Error) { errors.push(String(item)); continue; }
    const r = proc.process(item);
    add(r.events);
    for (const e of r.errors) errors.push(String(e));
  }
  add(proc.flush());
  // flows are emitted when they end; the detector sees them in event-time order, as after the agent's spool
  events.sort((x, y) => Date.parse(String(x['@timestamp'])) - Date.parse(String(y['@timestamp'])));
  return { events, errors };
}

/** A honeypot log's events, as the agent's file input with `format: cowrie|dionaea` would emit them. */
export function readHoneypotEvents(file: string, text: string, format: 'cowrie' | 'dionaea'): { events: EcsEvent[]; errors: string[] } {
  const events: EcsEvent[] = []; const errors: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let rec: unknown;
    try { rec = JSON.parse(line); } catch (err) { errors.push(`${file}:${i + 1}: not JSON: ${(err as Error).message}`); return; }
    const r = decodeHoneypot(format, rec);
    if ('event' in r) events.push({ organization: { id: 'replay' }, ...r.event, log: { file: { path: file } } });
    else errors.push(`${file}:${i + 1}${r.field ? ` field ${r.field}` : ''}: ${format}: ${r.error}`);
  });
  return { events, errors };
}

export function readEvents(file: string): { events: EcsEvent[]; errors: string[] } {
  const buf = readFileSync(file);
  if (captureFormat(buf) !== undefined || /\.pcap(ng)?$/i.test(file)) return readCaptureEvents(file, buf);
  const honeypot = sniffHoneypotFormat(buf.subarray(0, 64 * 1024).toString('utf8'));
  if (honeypot) return readHoneypotEvents(file, buf.toString('utf8'), honeypot);
  if (/\.json$/i.test(file)) {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    const list = (Array.isArray(doc) ? doc : [doc]) as Array<Record<string, unknown>>;
    return { events: list.map((e) => ({ '@timestamp': String((e.Event as { System?: { TimeCreated?: { '#attributes'?: { SystemTime?: string } } } } | undefined)?.System?.TimeCreated?.['#attributes']?.SystemTime ?? new Date().toISOString()), organization: { id: 'replay' }, ...e }) as unknown as EcsEvent), errors: [] };
  }
  const r = readJsonLines(file);
  return { events: r.items.map((i) => ({ organization: { id: 'replay' }, ...i.event })), errors: r.errors.map(String) };
}

/** The agent configuration (YAML) that ships `files` with the right input for each kind of file. Pure. */
export function liveAgentConfig(o: { files: string[]; agentId: string; gateway: string; ca: string; cert: string; key: string; spoolDir: string; httpPort: number; speed: number; isCapture: (f: string) => boolean; honeypotFormat?: (f: string) => 'cowrie' | 'dionaea' | undefined }): string {
  const q = (v: string) => JSON.stringify(v);
  const hpFormat = (f: string) => (o.isCapture(f) ? undefined : o.honeypotFormat?.(f));
  const honeypots = o.files.filter((f) => hpFormat(f) !== undefined);
  const rest = o.files.filter((f) => hpFormat(f) === undefined);
  const captures = rest.filter((f) => o.isCapture(f));
  const evtx = rest.filter((f) => !o.isCapture(f) && /\.json$/i.test(f));
  const jsonl = rest.filter((f) => !o.isCapture(f) && !/\.json$/i.test(f));
  const lines = [
    `agentId: ${q(o.agentId)}`,
    'gateway:', `  address: ${q(o.gateway)}`, `  ca: ${q(o.ca)}`, `  cert: ${q(o.cert)}`, `  key: ${q(o.key)}`,
    'http:', `  port: ${o.httpPort}`,
    'spool:', `  dir: ${q(o.spoolDir)}`,
    'replay:', '  resume: false', '  shiftToNow: false', `  files: [${jsonl.map(q).join(', ')}]`,
    'inputs:',
    ...(captures.length ? ['  - type: pcap', `    files: [${captures.map(q).join(', ')}]`, `    speed: ${o.speed}`] : []),
    ...(evtx.length ? ['  - type: evtx', `    paths: [${evtx.map(q).join(', ')}]`, '    format: json'] : []),
    // honeypot logs: the file input with the honeypot's decoder, from the first line (positions beside the spool)
    ...honeypots.flatMap((f, i) => ['  - type: file', `    paths: [${q(f)}]`, `    format: ${hpFormat(f)!}`, '    startAt: beginning', `    positionFile: ${q(join(dirname(o.spoolDir), `honeypot-positions-${i}.json`))}`]),
  ];
  if (!captures.length && !evtx.length && !honeypots.length) lines.pop();
  return lines.join('\n') + '\n';
}

interface AgentHealthView { spool: { backlogBytes: number; backlogRecords: number }; shipper: { acked: number }; inputs: { received: number }[] }

/**
 * `--live`: a real agent (agents/main.ts) ships the files through the gateway into the running pipeline. The agent id
 * comes from the certificate's file name (`<dir>/<agency>.<agent>.crt`, as scripts/dev-certs.sh names them); the
 * command returns once every record the inputs produced was acknowledged by the gateway (or after --timeout seconds).
 */
async function live(a: ReturnType<typeof parseArgs>, out: Out): Promise<number> {
  const gw = a.options.get('gateway')?.[0]; const cert = a.options.get('cert')?.[0];
  if (!gw || !cert) throw new UsageError('--live needs --gateway host:port and --cert <dir/agency.agent>');
  const m = /([a-z0-9-]+)\.([a-z0-9-]+)$/.exec(basename(cert));
  if (!m) throw new UsageError(`--cert ${cert}: expected <dir>/<agency>.<agent> (the .crt and .key beside it)`);
  for (const f of [`${cert}.crt`, `${cert}.key`, ...a.positionals]) if (!existsSync(f)) throw new UsageError(`${f}: no such file`);
  const work = mkdtempSync(join(tmpdir(), 'cirt-replay-live-'));
  const httpPort = 20000 + Math.floor(Math.random() * 10000);
  const config = join(work, 'agent.yml');
  writeFileSync(config, liveAgentConfig({
    files: a.positionals.map((f) => resolve(f)), agentId: m[2]!, gateway: gw, ca: resolve(a.options.get('ca')?.[0] ?? join(dirname(cert), 'ca.crt')),
    cert: resolve(`${cert}.crt`), key: resolve(`${cert}.key`), spoolDir: join(work, 'spool'), httpPort, speed: Number(a.options.get('speed')?.[0] ?? 0),
    isCapture: (f) => captureFormat(readFileSync(f).subarray(0, 4)) !== undefined || /\.pcap(ng)?$/i.test(f),
    honeypotFormat: (f) => sniffHoneypotFormat(readFileSync(f).subarray(0, 64 * 1024).toString('utf8')),
  }));
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'agents', 'main.ts'), '--config', config], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? 1)));
  const deadline = Date.now() + Number(a.options.get('timeout')?.[0] ?? 600) * 1000;
  let last: AgentHealthView | undefined;
  let stableSince = 0;
  let done = false;
  while (Date.now() < deadline && child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 500));
    const h = await fetch(`http://127.0.0.1:${httpPort}/healthz`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.json() as Promise<AgentHealthView>).catch(() => undefined);
    if (!h) continue;
    const received = h.inputs.reduce((n, i) => n + i.received, 0);
    out.stderr(`\rlive: ${received} read, ${h.shipper.acked} acknowledged by the gateway, ${h.spool.backlogRecords} waiting   `);
    const settled = received > 0 && h.spool.backlogBytes === 0 && h.spool.backlogRecords === 0;
    const same = last !== undefined && last.shipper.acked === h.shipper.acked && last.inputs.reduce((n, i) => n + i.received, 0) === received;
    stableSince = settled && same ? stableSince || Date.now() : 0;
    last = h;
    if (stableSince && Date.now() - stableSince >= 3_000) { done = true; break; }
  }
  child.kill('SIGTERM');
  const code = await exited;
  out.stderr('\n');
  const acked = last?.shipper.acked ?? 0;
  if (a.flags.has('json')) out.stdout(JSON.stringify({ live: true, gateway: gw, agent: `${m[1]}/${m[2]}`, acknowledged: acked, complete: done }) + '\n');
  else out.stdout(`${acked} event(s) shipped to ${gw} as ${m[1]}/${m[2]} and acknowledged${done ? '' : ' (NOT complete: timed out or the agent stopped)'}; their alerts appear in the operations room.\n`);
  return done && code === 0 ? 0 : 1;
}

export async function runReplay(argv: readonly string[], out: Out): Promise<number> {
  const a = parseArgs(argv, { flags: ['json', 'help', 'live'], options: ['rules', 'speed', 'gateway', 'cert', 'ca', 'intel', 'pipeline', 'timeout'] });
  if (a.flags.has('help')) { out.stdout(REPLAY_HELP); return 0; }
  if (a.positionals.length === 0) { out.stderr(`${REPLAY_HELP}\n`); return 2; }
  for (const p of a.positionals) if (!existsSync(p)) { out.stderr(`no such file: ${p}\n`); return 2; }
  if (a.flags.has('live')) return live(a, out);
  const speed = Number(a.options.get('speed')?.[0] ?? 0);
  if (!(speed >= 0)) throw new UsageError('--speed must be 0 or a positive number');
  const set = buildRuleSet({ rulePaths: a.options.get('rules') ?? ['rules'], pipelineFiles: a.options.get('pipeline') ?? DEFAULT_PIPELINES, intelPaths: a.options.get('intel') ?? DEFAULT_INTEL.filter((p) => existsSync(p)) });
  for (const e of set.errors) out.stderr(`warning: ${String(e)}\n`);
  const events: EcsEvent[] = []; const errors: string[] = [];
  for (const f of a.positionals) {
    try { const r = readEvents(f); events.push(...r.events); errors.push(...r.errors); } catch (err) { errors.push(`${f}: ${(err as Error).message}`); }
  }
  for (const e of errors) out.stderr(`input error: ${e}\n`);
  const d = newDetector(set);
  const t0 = Date.now(); const firstTs = Date.parse(String(events[0]?.['@timestamp'])); let lastPrint = 0;
  const alerts: Alert[] = [];
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    if (speed > 0 && Number.isFinite(firstTs)) {
      const due = t0 + (Date.parse(String(ev['@timestamp'])) - firstTs) / speed;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, Math.min(wait, 60_000)));
    }
    alerts.push(...d.evaluateEvent(ev, new Date()));
    const now = Date.now();
    if (now - lastPrint > 250 || i === events.length - 1) {
      lastPrint = now;
      const rate = (i + 1) / Math.max(0.001, (now - t0) / 1000);
      out.stderr(`\r${i + 1}/${events.length} events  ${Math.round(rate)} ev/s  ETA ${Math.ceil((events.length - i - 1) / rate)} s  alerts ${alerts.length}   `);
    }
  }
  out.stderr('\n');
  const byRule = new Map<string, { title: string; count: number }>();
  for (const al of alerts) { const x = byRule.get(al.rule.id) ?? { title: al.rule.name, count: 0 }; x.count++; byRule.set(al.rule.id, x); }
  const rows = [...byRule.entries()].sort((x, y) => y[1].count - x[1].count);
  if (a.flags.has('json')) out.stdout(JSON.stringify({ events: events.length, inputErrors: errors.length, alerts: alerts.length, byRule: Object.fromEntries(rows.map(([id, v]) => [id, v])), counters: d.counters }, null, 2));
  else {
    out.stdout(table(['alerts', 'rule', 'id'], rows.map(([id, v]) => [String(v.count), v.title, id])));
    out.stdout(`\n${events.length} events, ${alerts.length} alerts, ${d.counters.matches} rule matches (${d.counters.suppressed} feeding correlations), ${errors.length} input errors`);
  }
  return errors.length ? 1 : 0;
}

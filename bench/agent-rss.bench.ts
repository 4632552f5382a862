// Agent memory at 10k events/s: the real agent (agents/main.ts, its own process, spool in a temp dir, NetFlow input)
// shipping to a real gateway (cli/services.ts pipelineServices(...) filtered to the gateway, own ports, dev certs
// from scripts/dev-certs.sh in a temp dir, the shared Kafka at 127.0.0.1:19092 — `stack.sh start` is idempotent and
// this bench never stops it). This process sends the softflowd v9 export (13 flows per packet) to the agent's
// NetFlow port, paced to BENCH_EPS events/s (default 10,000) for BENCH_SECONDS (default 30), samples the agent's
// VmRSS from /proc/<pid>/status every second, then waits (at most 60 s) for the gateway to acknowledge everything.
// Prints ONE JSON line: max / median RSS (while fed), events sent / received / spooled / acked.
//   npx tsx bench/agent-rss.bench.ts
// Env: BENCH_EPS, BENCH_SECONDS, BENCH_AGENT_RUNNER=dist|tsx (see RUNNER), BENCH_PROFILE=standard|lean (dist),
// BENCH_NODE_OPTIONS (node flags instead of the profile's), BENCH_AGENT_ENV (extra env, e.g. MALLOC_ARENA_MAX=2),
// BENCH_SHIPPING (agent `shipping:` keys, e.g. maxInflightBatches=2,maxBatchEvents=200),
// BENCH_COMPRESSION (the agent's gateway.compression; default: the config default, gzip).
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { AGENT_NODE_ARGS, pipelineServices, ROOT, startService, stopService, waitHealthy, logFile, tail } from '../cli/services.ts';
import { decodeFrame, readCapture, type CaptureFrame } from '../agents/pcap/index.ts';

const EPS = Number(process.env.BENCH_EPS ?? 10_000);
/** `dist` (default: as agencies run it, scripts/build-agent.mjs) or `tsx` (as `npm start` and the tests run it, D1). */
const RUNNER = process.env.BENCH_AGENT_RUNNER ?? 'dist';
/** The runtime profile of the launcher (agents/runtime_profile.json): `standard` or `lean`. */
const PROFILE = process.env.BENCH_PROFILE ?? 'standard';
const bundleDir = join(ROOT, '.stack', 'bench', `agent-rss-${process.pid}`);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
// Ports: free ones picked at start (other engineers' benches and tests run on this machine too).
let GATEWAY_PORT = 0;
let HTTP_BASE = 0; // the gateway's http port is HTTP_BASE + 1
let AGENT_HTTP = 0;
let NETFLOW_PORT = 0;
const FLOWS_PER_PACKET = 13;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fixturePacket(): Buffer {
  const file = join(ROOT, 'agents/test/fixtures/netflow-v9.pcap');
  const frame = [...readCapture(readFileSync(file))].find((f): f is CaptureFrame => !(f instanceof Error))!;
  const info = decodeFrame(frame.linkType, frame.data);
  if (!info || info instanceof Error || !info.payload) throw new Error('no UDP payload in the fixture');
  return Buffer.from(info.payload);
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

async function metric(name: string): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${AGENT_HTTP}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
    let sum = 0;
    for (const line of text.split('\n')) if (line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{')) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    return sum;
  } catch {
    return Number.NaN;
  }
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function memoryBreakdown(): Promise<Record<string, number>> {
  const mb = (x: number) => Math.round(x / 1e5) / 10;
  return {
    heapUsedMB: mb(await metric('nodejs_heap_size_used_bytes')),
    heapTotalMB: mb(await metric('nodejs_heap_size_total_bytes')),
    newSpaceMB: mb(await metric('nodejs_heap_space_size_total_bytes{space="new"}')),
    externalMB: mb(await metric('nodejs_external_memory_bytes')),
  };
}

/** RSS by mapping kind from /proc/<pid>/smaps: the node binary's pages, malloc's [heap], anonymous (V8 heap, buffers, thread stacks), other files. */
function smapsMB(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  let kind = 'anon';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const path = head[1] ?? '';
      const perms = line.split(' ')[1] ?? '';
      // the node binary by segment: code (r-x), read-only data (r--: V8's snapshot, ICU data, symbols), data (rw-)
      kind = path === '' ? 'anon' : path === '[heap]' ? 'mallocHeap' : path.endsWith('/node') ? `nodeBinary.${perms.slice(0, 3)}` : path.startsWith('[') ? 'other' : 'files';
      continue;
    }
    const m = /^Rss:\s+(\d+) kB/.exec(line);
    if (m) out[kind] = (out[kind] ?? 0) + Number(m[1]);
  }
  out['nodeBinary'] = Object.entries(out).reduce((n, [k, v]) => (k.startsWith('nodeBinary.') ? n + v : n), 0);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.round(v / 102.4) / 10]));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main(): Promise<void> {
  if (spawnSync('bash', [join(ROOT, 'stack/stack.sh'), 'start'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] }).status !== 0) throw new Error('stack.sh start failed');
  [GATEWAY_PORT, AGENT_HTTP, NETFLOW_PORT] = [await freePort(), await freePort(), await freePort()];
  HTTP_BASE = (await freePort()) - 1;
  const tmp = mkdtempSync(join(os.tmpdir(), 'agent-rss-'));
  const certs = join(tmp, 'certs');
  const r = spawnSync('bash', [join(ROOT, 'scripts/dev-certs.sh'), certs, 'mofa:agent-01'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dev-certs: ${r.stderr}`);

  const gateway = pipelineServices({ kafkaBrokers: '127.0.0.1:19092', opensearchUrl: 'http://127.0.0.1:19200', gatewayPort: GATEWAY_PORT, uiPort: 0, httpPortBase: HTTP_BASE }, { demoAgent: false, instance: 'rssbench', certsDir: certs }).filter((s) => s.name.startsWith('gateway'));
  let agent: ReturnType<typeof spawn> | undefined;
  try {
    for (const s of gateway) startService(s);
    for (const s of gateway) await waitHealthy(s, 60_000);

    const config = join(tmp, 'agent.yml');
    writeFileSync(config, [
      'agentId: agent-01',
      'gateway:',
      `  address: 127.0.0.1:${GATEWAY_PORT}`,
      `  ca: ${join(certs, 'ca.crt')}`,
      `  cert: ${join(certs, 'mofa.agent-01.crt')}`,
      `  key: ${join(certs, 'mofa.agent-01.key')}`,
      'http:',
      '  host: 127.0.0.1',
      `  port: ${AGENT_HTTP}`,
      ...(process.env.BENCH_SHIPPING ? ['shipping:', ...process.env.BENCH_SHIPPING.split(',').map((kv) => `  ${kv.replace('=', ': ')}`)] : []),
      'spool:',
      `  dir: ${join(tmp, 'spool')}`,
      'inputs:',
      '  - type: netflow',
      '    host: 127.0.0.1',
      `    port: ${NETFLOW_PORT}`,
      '',
    ].join('\n'));
    const agentEnv = Object.fromEntries((process.env.BENCH_AGENT_ENV ?? '').split(' ').filter((x) => x.includes('=')).map((x) => [x.slice(0, x.indexOf('=')), x.slice(x.indexOf('=') + 1)]));
    if (process.env.BENCH_COMPRESSION) agentEnv['CIRT_AGENT_COMPRESSION'] = process.env.BENCH_COMPRESSION;
    const nodeOptions = process.env.BENCH_NODE_OPTIONS?.split(' ').filter((x) => x !== '');
    let command: string;
    let args: string[];
    if (RUNNER === 'dist') {
      // As agencies run it: `scripts/build-agent.mjs` (one minified bundle + the cirt-agent launcher, which execs node
      // with the runtime profile BENCH_PROFILE). BENCH_NODE_OPTIONS runs the bundle with those options instead.
      const b = spawnSync(process.execPath, [join(ROOT, 'scripts/build-agent.mjs'), bundleDir], { cwd: ROOT, encoding: 'utf8' });
      if (b.status !== 0) throw new Error(`build-agent: ${b.stderr}`);
      agentEnv['CIRT_AGENT_PROFILE'] = PROFILE;
      [command, args] = nodeOptions ? [process.execPath, [...nodeOptions, join(bundleDir, 'agent.mjs')]] : [join(bundleDir, 'cirt-agent'), []];
    } else {
      // As `npm start` and the tests run it: tsx, with cli/services.ts AGENT_NODE_ARGS (or BENCH_NODE_OPTIONS).
      [command, args] = [process.execPath, [...(nodeOptions ?? AGENT_NODE_ARGS), '--import', 'tsx', join(ROOT, 'agents/main.ts')]];
    }
    agent = spawn(command, [...args, '--config', config], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...agentEnv } });
    let agentErr = '';
    agent.stderr!.on('data', (d: Buffer) => (agentErr = (agentErr + d.toString()).slice(-4000)));
    const pid = agent.pid!;
    for (let i = 0; ; i++) {
      if (!Number.isNaN(await metric('agent_records_acked_total'))) break;
      if (i > 100 || agent.exitCode !== null) throw new Error(`agent not up: ${agentErr}`);
      await sleep(200);
    }
    const rssIdleKb = rssKb(pid);

    // Feed: paced every 10 ms; sample RSS every second.
    const pkt = fixturePacket();
    const sock = createSocket('udp4');
    await new Promise<void>((res) => sock.connect(NETFLOW_PORT, '127.0.0.1', () => res()));
    const pps = EPS / FLOWS_PER_PACKET;
    const total = Math.round(pps * SECONDS);
    const samples: number[] = [];
    let sent = 0;
    const t0 = Date.now();
    let mem: Record<string, number> = {};
    const sampler = setInterval(() => {
      samples.push(rssKb(pid));
      // Where the memory is, at the RSS peak so far (prom-client default metrics of the agent).
      if (samples.at(-1) === Math.max(...samples)) void memoryBreakdown().then((m) => (mem = m));
    }, 1000);
    while (sent < total) {
      const due = Math.min(total, Math.floor(((Date.now() - t0) / 1000) * pps)) - sent;
      for (let i = 0; i < due; i++, sent++) sock.send(pkt);
      await sleep(10);
    }
    const feedMs = Date.now() - t0;
    const smapsAtEnd = smapsMB(pid);
    clearInterval(sampler);
    sock.close();

    // Drain: until acked stops moving and covers what was received, at most 60 s; RSS still sampled.
    const received = async () => metric('agent_events_received_total');
    let acked = 0;
    const drainSamples: number[] = [];
    for (let i = 0, last = -1; i < 120; i++) {
      acked = await metric('agent_records_acked_total');
      drainSamples.push(rssKb(pid));
      if (acked >= (await received()) && acked === last) break;
      last = acked;
      await sleep(500);
    }
    const heapUsed = await metric('nodejs_heap_size_used_bytes');
    const result = {
      bench: 'agent-rss', node: process.version, loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100), runner: RUNNER, profile: RUNNER === 'dist' && !nodeOptions ? PROFILE : undefined, nodeOptions: nodeOptions ?? (RUNNER === 'tsx' ? AGENT_NODE_ARGS : undefined), agentEnv,
      targetEventsPerSec: EPS, seconds: SECONDS, feedMs, eventsSent: sent * FLOWS_PER_PACKET, achievedEventsPerSec: Math.round((sent * FLOWS_PER_PACKET * 1000) / feedMs),
      eventsReceived: await received(), eventsSpooled: await metric('agent_events_spooled_total'), recordsAcked: acked,
      netflowDroppedPackets: await metric('agent_input_stat{input="netflow-udp:127.0.0.1:' + String(NETFLOW_PORT) + '",stat="dropped_packets_total"}'),
      rssMB: { idle: Math.round(rssIdleKb / 102.4) / 10, max: Math.round(Math.max(...samples) / 102.4) / 10, median: Math.round(median(samples) / 102.4) / 10, maxWhileDraining: Math.round(Math.max(...drainSamples) / 102.4) / 10 },
      heapUsedMBAfter: Math.round(heapUsed / 1e5) / 10,
      atPeak: mem,
      smapsAtEndOfFeedMB: smapsAtEnd,
      samplesMB: samples.map((k) => Math.round(k / 102.4) / 10),
      goal: 'max RSS < 64 MB at 10k events/s',
    };
    console.log(JSON.stringify(result));
  } catch (err) {
    process.stderr.write(`${String(err)}\n${gateway.map((s) => tail(logFile(s.name), 20)).join('\n')}\n`);
    process.exitCode = 1;
  } finally {
    if (agent && agent.exitCode === null) {
      agent.kill('SIGTERM');
      await Promise.race([new Promise((r) => agent!.once('exit', r)), sleep(15_000)]);
      if (agent.exitCode === null) agent.kill('SIGKILL');
    }
    for (const s of gateway) await stopService(s.name);
    rmSync(tmp, { recursive: true, force: true });
    rmSync(bundleDir, { recursive: true, force: true });
  }
}

await main();

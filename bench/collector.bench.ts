// UDP NetFlow collector: the highest packet rate with zero loss, ours (agents/inputs/netflow_udp.ts, no-op emit: no
// spool) vs nfcapd (nfdump 1.7, writing its file; flows counted afterwards with `nfdump -R`), same run, loopback only.
// A sender process blasts the softflowd v9 export (agents/test/fixtures/netflow-v9.pcap: templates, options and 13
// flows per packet, 1,068 bytes) at a paced rate to 127.0.0.1:<port>. The rates step up (BENCH_RATES); at each
// step both collectors are run, one after the other (order alternates), each fresh, for BENCH_STEP_MS; a collector
// leaves the ladder after its first step with loss. Loss = flows sent - flows the collector decoded (ours: decoder
// records; nfcapd: flows in its file). Both ask for the same socket buffer (8 MiB; the kernel caps it at
// net.core.rmem_max). The sender's achieved rate is reported: above its ceiling the ladder measures the sender.
// A third contender, `dgram` (BENCH_DGRAM=0 to skip), is a bare node:dgram socket that only counts datagrams: the
// ceiling of Node's own receive path on this machine, whatever the decoder does.
// Ours runs as configured by default: its in-memory queue with the disk spill behind it (agents/inputs/packet_spill.ts),
// so a burst the decoder cannot follow goes to disk, in order, and is decoded afterwards. A fourth contender,
// `oursQueueOnly` (BENCH_QUEUE_ONLY=0 to skip), is the same collector without the spill: its highest zero-loss rate
// is what the decoder itself keeps up with (plus what the 20,000-packet queue absorbs in a step).
// Prints ONE JSON line.   npx tsx bench/collector.bench.ts
// Children: `collector.bench.ts sender <port> <pps> <ms>` and `collector.bench.ts ours`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { readCapture, decodeFrame, type CaptureFrame } from '../agents/pcap/index.ts';
import { readFileSync } from 'node:fs';

const FIXTURE = new URL('../agents/test/fixtures/netflow-v9.pcap', import.meta.url).pathname;
const SELF = new URL(import.meta.url).pathname;
const RCVBUF = 8 * 1024 * 1024;
const FLOWS_PER_PACKET = 13;
const WARMUP_PACKETS = 1000;
/** The collector's disk spill behind its queue (its default); BENCH_SPILL_BYTES=0 measures the queue alone. */
const SPILL_BYTES = Number(process.env.BENCH_SPILL_BYTES ?? 256 * 1024 * 1024);

function fixturePacket(): Buffer {
  const frame = [...readCapture(readFileSync(FIXTURE))].find((f): f is CaptureFrame => !(f instanceof Error))!;
  const info = decodeFrame(frame.linkType, frame.data);
  if (!info || info instanceof Error || !info.payload) throw new Error('no UDP payload in the fixture');
  return Buffer.from(info.payload);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- sender child: paced blast, prints {sent, ms} ----
async function sender(port: number, pps: number, ms: number): Promise<void> {
  const pkt = fixturePacket();
  const s = createSocket({ type: 'udp4', sendBufferSize: RCVBUF });
  await new Promise<void>((r) => s.connect(port, '127.0.0.1', () => r()));
  // Warm-up (counted in `sent` like the rest): 1,000 packets over 1 s, then a 0.5 s pause, so a JIT-compiled
  // collector is measured warm, as it runs in production after its first seconds.
  for (let i = 0; i < WARMUP_PACKETS; i++) {
    s.send(pkt);
    if (i % 10 === 9) await sleep(10);
  }
  await sleep(500);
  let sent = WARMUP_PACKETS;
  let inflight = 0;
  const t0 = process.hrtime.bigint();
  const total = WARMUP_PACKETS + Math.round((pps * ms) / 1000);
  const done = () => inflight--;
  while (sent < total) {
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
    const due = Math.min(total, WARMUP_PACKETS + Math.floor((elapsed * pps) / 1000)) - sent;
    for (let i = 0; i < due && inflight < 4096; i++) {
      inflight++;
      sent++;
      s.send(pkt, done);
    }
    await new Promise((r) => setImmediate(r));
  }
  while (inflight > 0) await new Promise((r) => setImmediate(r));
  const took = Number(process.hrtime.bigint() - t0) / 1e6; // the paced part only
  s.close();
  process.stdout.write(`${JSON.stringify({ sent, ms: Math.round(took) })}\n`);
}

// ---- our collector child: prints {port}; on "report" prints counters; on "stop" exits ----
// `dgram` mode: a bare node:dgram socket that only counts datagrams (same buffer): the ceiling of Node's receive path.
async function oursChild(bare: boolean, spillBytes: number): Promise<void> {
  const { createNetflowInput } = await import('../agents/inputs/netflow_udp.ts');
  const { createLogger } = await import('../proto/runtime/log.ts');
  const stateDir = mkdtempSync(join(os.tmpdir(), 'collector-bench-'));
  const input = bare ? bareInput() : createNetflowInput({ host: '127.0.0.1', port: 0, receiveBufferBytes: RCVBUF, queuePackets: 20_000, whenFull: 'drop_newest', maxTemplates: 10_000, templateTtlSeconds: 1800, spillMaxBytes: spillBytes }, { stateDir });
  await input.start({ emit: async () => undefined, reject: () => undefined, log: createLogger('bench', { write: () => undefined }) });
  process.stdout.write(`${JSON.stringify({ port: input.address().port })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'report') process.stdout.write(`${JSON.stringify(input.counters())}\n`);
    if (line === 'stop') break;
  }
  await input.stop();
  rmSync(stateDir, { recursive: true, force: true });
  process.exit(0);
}

function bareInput() {
  const s = createSocket({ type: 'udp4', recvBufferSize: RCVBUF });
  let n = 0;
  s.on('message', () => void n++);
  return {
    start: () => new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r())),
    stop: () => new Promise<void>((r) => s.close(() => r())),
    address: () => ({ host: '127.0.0.1', port: s.address().port }),
    counters: () => ({ received_packets_total: n, decoded_records_total: n * FLOWS_PER_PACKET, queue_length: 0, dropped_packets_total: 0 }),
  };
}

function lines(child: ChildProcess): () => Promise<string> {
  const queue: string[] = [];
  const waiters: ((l: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    const w = waiters.shift();
    if (w) w(l);
    else queue.push(l);
  });
  return () => new Promise((r) => (queue.length > 0 ? r(queue.shift()!) : waiters.push(r)));
}

async function runSender(port: number, pps: number, ms: number): Promise<{ sent: number; ms: number }> {
  const c = spawn(process.execPath, ['--import', 'tsx', SELF, 'sender', String(port), String(pps), String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const next = lines(c);
  const out = JSON.parse(await next()) as { sent: number; ms: number };
  await new Promise((r) => c.once('exit', r));
  return out;
}

interface StepResult { sentPackets: number; sentPps: number; flowsSent: number; flowsReceived: number; lost: number; receivedPackets?: number; queueDropped?: number; spilledPackets?: number }

async function stepOurs(pps: number, ms: number, mode: 'ours' | 'ours-queue' | 'dgram'): Promise<StepResult> {
  const c = spawn(process.execPath, ['--import', 'tsx', SELF, mode], { stdio: ['pipe', 'pipe', 'inherit'] });
  const next = lines(c);
  const { port } = JSON.parse(await next()) as { port: number };
  const s = await runSender(port, pps, ms);
  // Drain: wait until the decoder has caught up (counter stable for 300 ms), at most 5 s.
  let last = -1;
  let counters: Record<string, number> = {};
  for (let i = 0; i < 50; i++) {
    c.stdin!.write('report\n');
    counters = JSON.parse(await next()) as Record<string, number>;
    const n = counters['decoded_records_total'] ?? 0;
    if (n === last && (counters['queue_length'] ?? 0) + (counters['spill_packets'] ?? 0) === 0) break;
    last = n;
    await sleep(300);
  }
  c.stdin!.write('stop\n');
  await new Promise((r) => c.once('exit', r));
  const flowsSent = s.sent * FLOWS_PER_PACKET;
  const flowsReceived = counters['decoded_records_total'] ?? 0;
  // receivedPackets < sentPackets: lost in the kernel socket buffer; queueDropped: our queue was full.
  return { sentPackets: s.sent, sentPps: Math.round(((s.sent - WARMUP_PACKETS) * 1000) / s.ms), flowsSent, flowsReceived, lost: flowsSent - flowsReceived, receivedPackets: counters['received_packets_total'] ?? 0, queueDropped: counters['dropped_packets_total'] ?? 0, spilledPackets: counters['spilled_packets_total'] ?? 0 };
}

let nfPort = 39_555;
async function stepNfcapd(pps: number, ms: number): Promise<StepResult> {
  const dir = mkdtempSync(join(os.tmpdir(), 'nfcapd-bench-'));
  const port = nfPort++;
  const c = spawn('nfcapd', ['-b', '127.0.0.1', '-p', String(port), '-w', dir, '-t', '3600', '-B', String(RCVBUF)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await sleep(700); // nfcapd has no readiness signal; it binds at once
  if (c.exitCode !== null) throw new Error(`nfcapd exited: ${err}`);
  const s = await runSender(port, pps, ms);
  await sleep(1000);
  c.kill('SIGTERM'); // nfcapd flushes and closes its file on SIGTERM
  await new Promise((r) => c.once('exit', r));
  const r = spawnSync('nfdump', ['-R', dir, '-q', '-o', 'fmt:%pr'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const flowsReceived = r.stdout.split('\n').filter((l) => l.trim() !== '').length;
  rmSync(dir, { recursive: true, force: true });
  const flowsSent = s.sent * FLOWS_PER_PACKET;
  return { sentPackets: s.sent, sentPps: Math.round(((s.sent - WARMUP_PACKETS) * 1000) / s.ms), flowsSent, flowsReceived, lost: flowsSent - flowsReceived };
}

async function main(): Promise<void> {
  const rates = (process.env.BENCH_RATES ?? '5000,20000,40000,50000,55000,60000,65000,70000,80000,90000,100000').split(',').map(Number);
  const stepMs = Number(process.env.BENCH_STEP_MS ?? 2000);
  const deadline = Date.now() + Number(process.env.BENCH_MAX_MS ?? 600_000);
  const alive = { ours: true, nfcapd: true, dgram: process.env.BENCH_DGRAM !== '0', oursQueueOnly: process.env.BENCH_QUEUE_ONLY !== '0' };
  const best: Record<keyof typeof alive, { pps: number; sentPps: number } | null> = { ours: null, nfcapd: null, dgram: null, oursQueueOnly: null };
  const firstLoss: Record<string, unknown> = {};
  const steps: Record<string, unknown>[] = [];
  for (const [i, pps] of rates.entries()) {
    if (!Object.values(alive).some(Boolean) || Date.now() > deadline) break;
    const order = i % 2 === 0 ? (['ours', 'nfcapd', 'oursQueueOnly', 'dgram'] as const) : (['dgram', 'oursQueueOnly', 'nfcapd', 'ours'] as const);
    const row: Record<string, unknown> = { pps, loadavg: Math.round(os.loadavg()[0]! * 100) / 100 };
    for (const who of order) {
      if (!alive[who]) continue;
      const r = who === 'nfcapd' ? await stepNfcapd(pps, stepMs) : await stepOurs(pps, stepMs, who === 'oursQueueOnly' ? 'ours-queue' : who);
      row[who] = r;
      process.stderr.write(`${pps} pps ${who}: ${JSON.stringify(r)}\n`);
      if (r.lost === 0) best[who] = { pps, sentPps: r.sentPps };
      else {
        alive[who] = false;
        firstLoss[who] = { pps, ...r };
      }
    }
    steps.push(row);
  }
  const ratio = best.ours && best.nfcapd ? Math.round((best.ours.pps / best.nfcapd.pps) * 100) / 100 : null;
  console.log(JSON.stringify({
    bench: 'collector', node: process.version, packetBytes: fixturePacket().length, flowsPerPacket: FLOWS_PER_PACKET, stepMs, rcvbufAsked: RCVBUF,
    rmemMax: Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim()),
    spillMaxBytes: SPILL_BYTES,
    maxZeroLossPps: { ours: best.ours?.pps ?? 0, nfcapd: best.nfcapd?.pps ?? 0, oursQueueOnly: best.oursQueueOnly?.pps ?? 0, nodeDgramCountOnly: best.dgram?.pps ?? 0 }, oursVsNfcapd: ratio,
    stillZeroLossAtTop: alive, firstLoss, steps, goal: 'ours >= nfcapd (highest zero-loss packet rate, same run)',
  }));
}

const mode = process.argv[2];
if (mode === 'sender') await sender(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]));
else if (mode === 'ours' || mode === 'ours-queue' || mode === 'dgram') await oursChild(mode === 'dgram', mode === 'ours-queue' ? 0 : SPILL_BYTES);
else await main();

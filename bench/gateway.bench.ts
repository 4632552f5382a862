// Gateway throughput, end to end: load agents stream numbered batches over gRPC + mTLS (loopback) to the real
// gateway (own process, bench/gateway_server.ts) which validates, stamps and produces them to the real Kafka
// (idempotent, acks=all) before acking. Peer baseline in the same run: the same events produced straight to Kafka
// by the same client (@platformatic/kafka via proto/runtime/kafka.ts), no gRPC and no gateway: the ceiling.
//   npx tsx bench/gateway.bench.ts            (BENCH_EVENTS=500000 BENCH_BATCH=1000 BENCH_AGENTS=4 BENCH_WINDOW=8)
// Prints ONE JSON line. BENCH_PROFILE=1 writes a CPU profile of the gateway process into .stack/bench-profiles/.
import { fork, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { Admin } from '@platformatic/kafka';
import { TOPICS } from '../proto/ecs.ts';
import { AckStatus, IngestClient, RecordKind, type Ack, type Batch } from '../proto/gen/ingest.ts';
import { ProduceQueue } from '../ingest/gateway/produce_queue.ts';
import { createProducer } from '../proto/runtime/kafka.ts';
import { requireKafka } from '../proto/testing/preflight.ts';

const N = Number(process.env.BENCH_EVENTS ?? 500_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 4);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 8);
const brokers = process.env.CIRT_KAFKA_BROKERS ?? '127.0.0.1:19092';
const ROOT = new URL('..', import.meta.url).pathname;
const PREFIX = 'bench.';
const agency = `bench${randomBytes(2).toString('hex')}`;

await requireKafka(brokers);
const work = mkdtempSync(join(tmpdir(), 'cirt-gwbench-'));
const certs = join(work, 'certs');
const agents = Array.from({ length: AGENTS }, (_, i) => `agent-${String(i + 1).padStart(2, '0')}`);
const r = spawnSync('bash', [join(ROOT, 'scripts/dev-certs.sh'), certs, ...agents.map((a) => `${agency}:${a}`)], { encoding: 'utf8' });
if (r.status !== 0) throw new Error(`dev-certs failed: ${r.stderr}`);

// the bench topics (the broker does not auto-create), same partitioning as telemetry.*
const admin = new Admin({ clientId: 'cirt-gwbench', bootstrapBrokers: brokers.split(',') });
const existing = new Set(await admin.listTopics());
const wanted = [TOPICS.flows, TOPICS.logs, TOPICS.rejected].map((t) => PREFIX + t).filter((t) => !existing.has(t));
if (wanted.length) await admin.createTopics({ topics: wanted, partitions: 3, replicas: 1 });
await admin.close();

// ---- the events: synthetic flows, encoded once (the agent's cost, not the gateway's) --------------------------
const t0 = Date.now();
const events: Buffer[] = [];
for (let i = 0; i < N; i++) {
  events.push(Buffer.from(JSON.stringify({
    '@timestamp': new Date(t0 - (N - i)).toISOString(),
    event: { kind: 'event', category: ['network'], type: ['connection'], dataset: 'netflow.flow' },
    source: { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 1024 + (i % 60000) },
    destination: { ip: `192.0.2.${i % 250}`, port: [53, 80, 443, 445, 22][i % 5] },
    network: { transport: i % 3 ? 'tcp' : 'udp', bytes: 100 + (i % 9000), packets: 1 + (i % 50) },
  })));
}
const eventBytes = events.reduce((n, b) => n + b.length, 0);
const chunks: Buffer[][] = [];
for (let i = 0; i < N; i += BATCH) chunks.push(events.slice(i, i + BATCH));

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 100) / 100 : 0;
};

// ---- peer baseline: the same events, straight to Kafka, same client, same concurrency as the gateway's ----------
// Through the same ProduceQueue as the gateway: concurrent send() on the idempotent producer is not safe (see
// ingest/gateway/produce_queue.ts), so the correct ceiling is one request in flight with group commit.
async function baseline(): Promise<{ eventsPerSec: number; p50Ms: number; p99Ms: number }> {
  const producer = new ProduceQueue(createProducer({ brokers: brokers.split(','), clientId: 'cirt-gwbench-direct' }));
  const lat: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(agents.map(async (agent) => {
    for (let i = next++; i < chunks.length; i = next++) {
      const t = performance.now();
      const value = `{"agency":"${agency}","agentId":"${agent}","seq":${i},"events":[${chunks[i]!.join(',')}]}`;
      await producer.send([{ topic: PREFIX + TOPICS.flows, key: `${agency}/${agent}`, value }]);
      lat.push(performance.now() - t);
    }
  }));
  const secs = (performance.now() - start) / 1000;
  await producer.close();
  return { eventsPerSec: Math.round(N / secs), p50Ms: pct(lat, 50), p99Ms: pct(lat, 99) };
}

// ---- through the gateway -------------------------------------------------------------------------------------
async function throughGateway() {
  const profileDir = join(ROOT, '.stack/bench-profiles');
  if (process.env.BENCH_PROFILE) mkdirSync(profileDir, { recursive: true });
  const child = fork(join(ROOT, 'bench/gateway_server.ts'), [certs, PREFIX, brokers], {
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited: Error | undefined;
  child.once('exit', (code) => (exited = new Error(`gateway process exited (${code})`)));
  const ask = <T>(type: string, want: string) => new Promise<T>((resolve, reject) => {
    if (exited) return reject(exited);
    const on = (m: { type: string }) => {
      if (m.type === want) {
        child.off('message', on);
        resolve(m as T);
      }
    };
    child.on('message', on);
    if (type) child.send({ type });
  });
  const { port } = await ask<{ port: number }>('', 'ready');
  const ca = readFileSync(join(certs, 'ca.crt'));
  const lat: number[] = [];
  let acked = 0;
  let batches = 0;
  let next = 0;
  let retries = 0;
  const clients: IngestClient[] = [];
  const start = performance.now();
  let peakRss = 0;
  const sampler = setInterval(() => void ask<{ rss: number }>('stats', 'stats').then((s) => (peakRss = Math.max(peakRss, s.rss))), 250);
  await Promise.all(agents.map((agent) => new Promise<void>((resolve, reject) => {
    const c = new IngestClient(`127.0.0.1:${port}`, credentials.createSsl(ca, readFileSync(join(certs, `${agency}.${agent}.key`)), readFileSync(join(certs, `${agency}.${agent}.crt`))), { 'grpc.max_send_message_length': 16 * 1024 * 1024 });
    clients.push(c);
    const bootId = randomUUID();
    const call = c.ship();
    const sentAt = new Map<number, { t: number; batch: Batch }>();
    let seq = 0;
    const pump = () => {
      while (sentAt.size < WINDOW && next < chunks.length) {
        const records = chunks[next++]!.map((eventJson) => ({ kind: RecordKind.RECORD_KIND_FLOW, eventJson }));
        const batch: Batch = { agentId: agent, bootId, seq: ++seq, records };
        sentAt.set(batch.seq, { t: performance.now(), batch });
        call.write(batch);
      }
      if (sentAt.size === 0 && next >= chunks.length) {
        call.end();
        resolve();
      }
    };
    call.on('data', (ack: Ack) => {
      const s = sentAt.get(ack.seq);
      if (!s) return;
      if (ack.status === AckStatus.ACK_STATUS_RETRY) {
        retries++;
        call.write(s.batch);
        return;
      }
      if (ack.status !== AckStatus.ACK_STATUS_OK) return reject(new Error(`batch ${ack.seq} refused: ${ack.errorCode} ${ack.errorMessage}`));
      sentAt.delete(ack.seq);
      lat.push(performance.now() - s.t);
      acked += ack.accepted;
      batches++;
      pump();
    });
    call.on('error', reject);
    pump();
  })));
  const secs = (performance.now() - start) / 1000;
  clearInterval(sampler);
  const stats = await ask<{ rss: number; cpu: { user: number; system: number } }>('stats', 'stats');
  for (const c of clients) c.close();
  child.send({ type: 'stop' });
  await new Promise((r) => child.once('exit', r));
  if (acked !== N) throw new Error(`acked ${acked} of ${N} events`);
  return {
    eventsPerSec: Math.round(N / secs),
    batchesPerSec: Math.round((batches / secs) * 10) / 10,
    p50Ms: pct(lat, 50),
    p99Ms: pct(lat, 99),
    gatewayRssMb: Math.round(Math.max(peakRss, stats.rss) / 1048576),
    gatewayCpuSec: Math.round(((stats.cpu.user + stats.cpu.system) / 1e6) * 10) / 10,
    seconds: Math.round(secs * 10) / 10,
    retries,
  };
}

const direct = await baseline();
const gw = await throughGateway();
rmSync(work, { recursive: true, force: true });
console.log(JSON.stringify({
  bench: 'gateway',
  events: N,
  batchEvents: BATCH,
  agents: AGENTS,
  window: WINDOW,
  avgEventBytes: Math.round(eventBytes / N),
  gateway: gw,
  peerKafkaDirect: direct,
  ratioToPeer: Math.round((gw.eventsPerSec / direct.eventsPerSec) * 100) / 100,
  goalEventsPerSec: 200_000,
}));
process.exit(0);

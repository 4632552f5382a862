// Agent offline, end to end through the real processes: the real agent (agents/main.ts) replays N flow events to its
// own gateway + indexer (gateway 45317, health 45131/45133, agent 45134, a fresh agency). When part of them is
// acknowledged the gateway is stopped for OFFLINE_MS (default 60 s; env CIRT_OFFLINE_MS): the agent keeps reading
// its input into the disk spool, reconnects with backoff, and after the gateway is back every event lands in
// events-* exactly once (count == N == distinct event.id) and the agent's spool backlog is 0.
// Shared Kafka/OpenSearch; the indexer's fresh consumer group starts at the end of the topics (not their history).
// Other indexers on the shared Kafka (npm start, other tests) may index the same events too: the ids are
// deterministic, so that changes nothing in the counts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { ensureCerts, logFile, pipelineServices, runningPid, startService, stopService, tail, waitHealthy, type Endpoints, type ServiceSpec } from '../../cli/services.ts';
import { TOPICS } from '../../proto/ecs.ts';
import { requireKafka, requireOpenSearch } from '../../proto/testing/preflight.ts';

const N = 10_000;
const OFFLINE_MS = Number(process.env.CIRT_OFFLINE_MS ?? 60_000);
const AGENT_HTTP = 45134;
const ep: Endpoints = {
  kafkaBrokers: process.env.CIRT_KAFKA_BROKERS ?? '127.0.0.1:19092',
  opensearchUrl: process.env.CIRT_OPENSEARCH_URL ?? 'http://127.0.0.1:19200',
  gatewayPort: 45317,
  uiPort: 45601,
  httpPortBase: 45130,
};
const tag = randomBytes(3).toString('hex');
const agency = `offline${tag}`;
const work = mkdtempSync(join(tmpdir(), 'cirt-offline-'));
const certs = join(work, 'certs');
let services: ServiceSpec[] = [];
let gateway: ServiceSpec;
let agent: ServiceSpec;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  await requireKafka(ep.kafkaBrokers);
  await requireOpenSearch(ep.opensearchUrl);
  ensureCerts(certs);
  const r = spawnSync('bash', ['scripts/dev-certs.sh', certs, `${agency}:agent-01`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const t0 = Date.now() - N;
  const lines: string[] = [];
  for (let i = 0; i < N; i++) {
    lines.push(JSON.stringify({
      '@timestamp': new Date(t0 + i).toISOString(),
      event: { kind: 'event', category: ['network'], type: ['connection'], dataset: 'netflow.flow' },
      source: { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 1024 + (i % 60000) },
      destination: { ip: `198.18.${(i >> 8) & 255}.${i & 255}`, port: [53, 80, 443, 22][i % 4] },
      network: { transport: 'tcp', bytes: 100 + i, packets: 1 + (i % 50) },
    }));
  }
  const replay = join(work, 'flows.jsonl');
  writeFileSync(replay, lines.join('\n') + '\n');
  const config = join(work, 'agent.yml');
  writeFileSync(config, 'agentId: agent-01\nshipping:\n  maxBatchEvents: 100\n  maxInflightBatches: 1\n  flushMs: 50\n');
  const group = `cirt-indexer-offline-${tag}`;
  // a fresh group would read all of telemetry.* history first: commit the topics' current end offsets for it (as
  // numbers: kafkajs resetOffsets() stores -1, "latest when the consumer starts", which would skip what the agent
  // sends before the indexer has joined)
  const admin = new Kafka({ clientId: 'cirt-offline-test', brokers: ep.kafkaBrokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const topics = new Set(await admin.listTopics());
  for (const topic of [TOPICS.alerts, TOPICS.flows, TOPICS.logs]) {
    if (!topics.has(topic)) continue;
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({ groupId: group, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
  }
  await admin.disconnect();
  services = pipelineServices(ep, { demoAgent: false, instance: 'offline', certsDir: certs })
    .filter((s) => /^(gateway|indexer)-/.test(s.name))
    .map((s) => (s.name.startsWith('indexer-') ? { ...s, env: { ...s.env, CIRT_INDEXER_GROUP: group, CIRT_INDEX_TELEMETRY: 'true' } } : s));
  gateway = services.find((s) => s.name.startsWith('gateway-'))!;
  for (const s of services) {
    startService(s);
    await waitHealthy(s, 60_000);
  }
  agent = {
    name: 'agent-offline',
    entry: 'agents/main.ts',
    args: ['--config', config],
    env: {
      CIRT_GATEWAY_ADDRESS: `127.0.0.1:${ep.gatewayPort}`,
      CIRT_AGENT_CA: join(certs, 'ca.crt'),
      CIRT_AGENT_CERT: join(certs, `${agency}.agent-01.crt`),
      CIRT_AGENT_KEY: join(certs, `${agency}.agent-01.key`),
      CIRT_AGENT_SPOOL_DIR: join(work, 'spool'),
      CIRT_AGENT_HTTP_PORT: String(AGENT_HTTP),
      CIRT_REPLAY_FILES: replay,
    },
    healthUrl: `http://127.0.0.1:${AGENT_HTTP}/healthz`,
  };
  services.push(agent);
});

after(async () => {
  for (const s of [...services].reverse()) await stopService(s.name);
});

interface AgentHealth { shipper: { acked: number }; gateway: { connected: boolean; reconnects: number }; spool: { backlogBytes: number } }
const health = () => fetch(agent.healthUrl!, { signal: AbortSignal.timeout(2_000) }).then((r) => r.json() as Promise<AgentHealth>).catch(() => undefined);

async function os<T>(path: string, body: object): Promise<T> {
  const res = await fetch(`${ep.opensearchUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  if (res.status === 404) return {} as T;
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
// the agent's own health events (event.dataset cirt.agent_health, every 30 s) are not part of the count
const ofAgency = { bool: { filter: [{ term: { 'organization.id': agency } }, { term: { 'event.dataset': 'netflow.flow' } }] } };
const count = async () => (await os<{ count?: number }>('/events-*/_count?ignore_unavailable=true', { query: ofAgency })).count ?? 0;
async function distinctEventIds(): Promise<number> {
  let afterKey: unknown;
  let n = 0;
  for (;;) {
    const r = await os<{ aggregations: { ids: { buckets: unknown[]; after_key?: unknown } } }>('/events-*/_search', {
      size: 0,
      query: ofAgency,
      aggs: { ids: { composite: { size: 10_000, sources: [{ id: { terms: { field: 'event.id' } } }], ...(afterKey ? { after: afterKey } : {}) } } },
    });
    n += r.aggregations.ids.buckets.length;
    afterKey = r.aggregations.ids.after_key;
    if (!afterKey || r.aggregations.ids.buckets.length === 0) return n;
  }
}

test(`gateway unreachable for ${OFFLINE_MS / 1000} s mid-stream: the agent spools, reconnects, ${N.toLocaleString('en')} events land exactly once`, { timeout: OFFLINE_MS + 240_000 }, async () => {
  const logs = () => services.map((s) => `--- ${s.name}\n${tail(logFile(s.name), 8)}`).join('\n');
  startService(agent);
  let h: AgentHealth | undefined;
  for (const until = Date.now() + 60_000; Date.now() < until; await sleep(20)) {
    h = await health();
    if (h && h.shipper.acked >= 1_000) break;
    if (!runningPid(agent.name)) assert.fail(`the agent exited\n${logs()}`);
  }
  assert.ok(h && h.shipper.acked >= 1_000 && h.shipper.acked < N, `stop the gateway mid-stream (acked ${h?.shipper.acked})\n${logs()}`);
  await stopService(gateway.name, 15_000);
  const offlineAt = Date.now();
  await sleep(3_000);
  const during = await health();
  assert.ok(during, 'the agent keeps serving /healthz while offline');
  assert.equal(during.gateway.connected, false, 'the agent knows it is disconnected');
  assert.ok(during.spool.backlogBytes > 0, 'the unacknowledged events wait in the spool');
  await sleep(Math.max(0, OFFLINE_MS - (Date.now() - offlineAt)));
  const beforeRestart = await health();
  assert.equal(beforeRestart?.shipper.acked, during.shipper.acked, 'nothing is acknowledged while the gateway is down');
  console.log(`offline ${Math.round((Date.now() - offlineAt) / 1000)} s: acked ${during.shipper.acked} of ${N}, spool backlog ${beforeRestart?.spool.backlogBytes} bytes, reconnect attempts ${beforeRestart?.gateway.reconnects}`);
  const back = Date.now();
  startService(gateway);
  await waitHealthy(gateway, 60_000);

  for (const until = Date.now() + 150_000; Date.now() < until; await sleep(1_000)) {
    await fetch(`${ep.opensearchUrl}/events-*/_refresh?ignore_unavailable=true`, { method: 'POST' }).catch(() => undefined);
    if ((await count()) >= N) break;
  }
  await sleep(3_000); // a late duplicate would show up now
  await fetch(`${ep.opensearchUrl}/events-*/_refresh?ignore_unavailable=true`, { method: 'POST' }).catch(() => undefined);
  const n = await count();
  console.log(`after the gateway came back: ${n} of ${N} events indexed in ${Math.round((Date.now() - back) / 1000)} s`);
  assert.equal(n, N, `events-* holds ${n} of ${N} events of ${agency}\n${logs()}`);
  assert.equal(await distinctEventIds(), N, 'every event.id is distinct (no duplicate)');
  const end = await health();
  assert.equal(end?.spool.backlogBytes, 0, 'the spool is empty: everything was acknowledged');
  assert.ok((end?.gateway.reconnects ?? 0) > 0, 'the agent reconnected');
});

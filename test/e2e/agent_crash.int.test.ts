// Crash test, end to end through the real processes: the real agent (agents/main.ts, started by cli/services.ts)
// replays 20,000 flow events to its own gateway + indexer instances (gateway 34317, health 39131-39133, agent 39134,
// a fresh agency). When part of them is acknowledged the agent is killed with SIGKILL, then restarted on the same
// spool directory. Every event must land in events-* exactly once: count == N and N distinct event.id.
// Why it holds: records are spooled before they are shipped and leave the spool only once acked; the jsonl input
// stamps each event with a stable id and checkpoints its position, so the restarted agent re-sends the unacked
// records and the few re-read lines with the same ids, and the indexer's deterministic _id absorbs them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensureCerts, logFile, pipelineServices, runningPid, startService, stopService, tail, waitHealthy, type Endpoints, type ServiceSpec } from '../../cli/services.ts';
import { requireKafka, requireOpenSearch } from '../../proto/testing/preflight.ts';

const N = 20_000;
const AGENT_HTTP = 39134;
const ep: Endpoints = {
  kafkaBrokers: process.env.CIRT_KAFKA_BROKERS ?? '127.0.0.1:19092',
  opensearchUrl: process.env.CIRT_OPENSEARCH_URL ?? 'http://127.0.0.1:19200',
  gatewayPort: 34317,
  uiPort: 35601,
  httpPortBase: 39130,
};
const agency = `crash${randomBytes(3).toString('hex')}`;
const work = mkdtempSync(join(tmpdir(), 'cirt-crash-'));
const certs = join(work, 'certs');
let services: ServiceSpec[] = [];
let agent: ServiceSpec;

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
  // small batches, one in flight: the replay takes a few seconds, long enough to kill the agent in the middle
  const config = join(work, 'agent.yml');
  writeFileSync(config, 'agentId: agent-01\nshipping:\n  maxBatchEvents: 100\n  maxInflightBatches: 1\n  flushMs: 50\n');
  // a fresh indexer group reads telemetry.flows from the start (other runs' batches of up to 500 events each):
  // 20 Kafka records per _bulk stays under OpenSearch's indexing-pressure limit (10% of a 512 MB heap)
  const indexerConfig = join(work, 'indexer.yml');
  writeFileSync(indexerConfig, 'kafka:\n  maxBatch: 20\n');
  services = pipelineServices(ep, { demoAgent: false, instance: 'crash', certsDir: certs })
    .filter((s) => /^(gateway|indexer)-/.test(s.name))
    .map((s) => (s.name.startsWith('indexer-') ? { ...s, args: [indexerConfig] } : s));
  for (const s of services) {
    startService(s);
    await waitHealthy(s, 60_000);
  }
  agent = {
    name: 'agent-crash',
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

async function os<T>(path: string, body: object): Promise<T> {
  const res = await fetch(`${ep.opensearchUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  if (res.status === 404) return {} as T;
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const ofAgency = { term: { 'organization.id': agency } };
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

interface AgentHealth {
  shipper: { acked: number };
  spool: { backlogBytes: number };
}

test(`kill -9 mid-stream and restart: ${N.toLocaleString('en')} events land in events-* exactly once`, async () => {
  const logs = () => services.map((s) => `--- ${s.name}\n${tail(logFile(s.name), 8)}`).join('\n');
  const { pid } = startService(agent);
  // wait until part (not all) is acknowledged, then SIGKILL
  let ackedAtKill = -1;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const h = await fetch(agent.healthUrl!, { signal: AbortSignal.timeout(1_000) }).then((r) => r.json() as Promise<AgentHealth>).catch(() => undefined);
    if (h && h.shipper.acked >= 1_000) {
      process.kill(pid, 'SIGKILL');
      ackedAtKill = h.shipper.acked;
      break;
    }
    if (!runningPid(agent.name)) assert.fail(`the agent exited before it was killed\n${logs()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(ackedAtKill > 0, `the agent acknowledged nothing within 60 s\n${logs()}`);
  assert.ok(ackedAtKill < N, `killed after ${ackedAtKill} of ${N} were acked: not mid-stream (make the batches smaller)`);
  while (runningPid(agent.name)) await new Promise((r) => setTimeout(r, 50));
  console.log(`agent killed with SIGKILL after ${ackedAtKill} of ${N} events were acknowledged; restarting on the same spool`);
  startService(agent);
  await waitHealthy(agent, 30_000);

  let n = 0;
  let last = -1;
  let stalledSince = Date.now();
  const end = Date.now() + 150_000;
  while (Date.now() < end) {
    await fetch(`${ep.opensearchUrl}/events-*/_refresh?ignore_unavailable=true`, { method: 'POST' }).catch(() => undefined);
    n = await count();
    if (n >= N) {
      // let any late duplicate arrive before judging
      await new Promise((r) => setTimeout(r, 3_000));
      await fetch(`${ep.opensearchUrl}/events-*/_refresh?ignore_unavailable=true`, { method: 'POST' }).catch(() => undefined);
      n = await count();
      break;
    }
    if (n !== last) {
      last = n;
      stalledSince = Date.now();
    } else if (Date.now() - stalledSince > 45_000) break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  assert.equal(n, N, `events-* holds ${n} of ${N} events of ${agency}\n${logs()}`);
  assert.equal(await distinctEventIds(), N, 'every event.id is distinct (no duplicate)');
  const h = (await (await fetch(agent.healthUrl!)).json()) as AgentHealth;
  assert.equal(h.spool.backlogBytes, 0, 'the restarted agent has nothing left unacknowledged');
});

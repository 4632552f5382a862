// Volume, end to end through the real processes: 50,000 synthetic flow events in a JSON-lines file, replayed by the
// real agent (agents/main.ts) over gRPC + mTLS to the real gateway -> Kafka telemetry.flows -> the real indexer ->
// OpenSearch events-*. Every event must be there exactly once: count = 50,000 and 50,000 distinct event.id.
// Its own ports (gateway 24317, health 29121-29123) and its own agency per run; the timings are printed, not asserted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensureCerts, logFile, pipelineServices, startService, stopService, tail, waitHealthy, type Endpoints, type ServiceSpec } from '../../cli/services.ts';
import { requireKafka, requireOpenSearch } from '../../proto/testing/preflight.ts';

const N = 50_000;
const ep: Endpoints = {
  kafkaBrokers: process.env.CIRT_KAFKA_BROKERS ?? '127.0.0.1:19092',
  opensearchUrl: process.env.CIRT_OPENSEARCH_URL ?? 'http://127.0.0.1:19200',
  gatewayPort: 24317,
  uiPort: 25601,
  httpPortBase: 29120,
};
const agency = `vol${randomBytes(3).toString('hex')}`;
const work = mkdtempSync(join(tmpdir(), 'cirt-volume-'));
const certs = join(work, 'certs');
let services: ServiceSpec[] = [];
let agentStartedAt = 0;

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
  // only what the volume path needs: gateway and indexer (no detector, no operations room)
  services = pipelineServices(ep, { demoAgent: false, instance: 'vol', certsDir: certs }).filter((s) => /^(gateway|indexer)-/.test(s.name));
  for (const s of services) {
    startService(s);
    await waitHealthy(s, 60_000);
  }
  const agent: ServiceSpec = {
    name: 'agent-vol',
    entry: 'agents/main.ts',
    env: {
      CIRT_AGENT_ID: 'agent-01',
      CIRT_GATEWAY_ADDRESS: `127.0.0.1:${ep.gatewayPort}`,
      CIRT_AGENT_CA: join(certs, 'ca.crt'),
      CIRT_AGENT_CERT: join(certs, `${agency}.agent-01.crt`),
      CIRT_AGENT_KEY: join(certs, `${agency}.agent-01.key`),
      CIRT_AGENT_SPOOL_DIR: join(work, 'spool'),
      CIRT_REPLAY_FILES: replay,
    },
  };
  services.push(agent);
  agentStartedAt = Date.now();
  startService(agent);
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

/** Exact number of distinct event.id (composite aggregation, paged; cardinality would be approximate at 50k). */
async function distinctEventIds(): Promise<number> {
  let after: unknown;
  let n = 0;
  for (;;) {
    const r = await os<{ aggregations: { ids: { buckets: unknown[]; after_key?: unknown } } }>('/events-*/_search', {
      size: 0,
      query: ofAgency,
      aggs: { ids: { composite: { size: 10_000, sources: [{ id: { terms: { field: 'event.id' } } }], ...(after ? { after } : {}) } } },
    });
    n += r.aggregations.ids.buckets.length;
    after = r.aggregations.ids.after_key;
    if (!after || r.aggregations.ids.buckets.length === 0) return n;
  }
}

test(`${N.toLocaleString('en')} events through agent -> gateway -> Kafka -> indexer land in events-* once each`, async () => {
  const deadline = Date.now() + 170_000;
  let n = 0;
  let last = -1;
  let stalledSince = Date.now();
  while (Date.now() < deadline) {
    await fetch(`${ep.opensearchUrl}/events-*/_refresh?ignore_unavailable=true`, { method: 'POST' }).catch(() => undefined);
    n = await count();
    if (n >= N) break;
    if (n !== last) {
      last = n;
      stalledSince = Date.now();
    } else if (Date.now() - stalledSince > 60_000) {
      break;
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  const secs = (Date.now() - agentStartedAt) / 1000;
  const logs = () => services.map((s) => `--- ${s.name}\n${tail(logFile(s.name), 6)}`).join('\n');
  console.log(`volume: ${n} of ${N} events indexed ${secs.toFixed(1)} s after the agent started (${Math.round(n / secs)} ev/s end to end)`);
  assert.equal(n, N, `events-* holds ${n} of ${N} events of ${agency}\n${logs()}`);
  assert.equal(await distinctEventIds(), N, 'every event.id is distinct (no duplicate)');
});

// Agent offline, end to end through the real processes: the real agent (agents/main.ts) replays N flow events to its
// own gateway + indexer (gateway 23317, health 23131/23133, agent 23134, a fresh agency). When part of them is
// acknowledged the gateway is stopped for OFFLINE_MS (default 60 s; env CIRT_OFFLINE_MS): the agent keeps reading
// its input into the disk spool, reconnects with backoff, and after the gateway is back every event lands in
// events-* exactly once (count == N == distinct event.id) and the agent's spool backlog is 0.
// Shared Kafka/OpenSearch; the instance's consumer groups start at the end of the topics (not their history).
// Other indexers on the shared Kafka (npm start, other tests) may index the same events too: the ids are
// deterministic, so that changes nothing in the counts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pipelineServices, runningPid, startService, stopService, waitHealthy, type Endpoints, type ServiceSpec } from '../../cli/services.ts';
import { requireKafka, requireOpenSearch } from '../../proto/testing/preflight.ts';
import { agencyCerts, agentSpec, serviceLogs, startGroupsAtEnd, syntheticFlows, waitForEvents } from '../harness.ts';

const N = 10_000;
const OFFLINE_MS = Number(process.env.CIRT_OFFLINE_MS ?? 60_000);
const AGENT_HTTP = 23134;
const ep: Endpoints = {
  kafkaBrokers: process.env.CIRT_KAFKA_BROKERS ?? '127.0.0.1:19092',
  opensearchUrl: process.env.CIRT_OPENSEARCH_URL ?? 'http://127.0.0.1:19200',
  gatewayPort: 23317,
  uiPort: 23601,
  httpPortBase: 23130,
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
  await startGroupsAtEnd(ep.kafkaBrokers, 'offline');
  agencyCerts(certs, agency);
  const replay = join(work, 'flows.jsonl');
  writeFileSync(replay, syntheticFlows(N));
  const config = join(work, 'agent.yml');
  writeFileSync(config, 'agentId: agent-01\nshipping:\n  maxBatchEvents: 100\n  maxInflightBatches: 1\n  flushMs: 50\n');
  services = pipelineServices(ep, { demoAgent: false, instance: 'offline', certsDir: certs })
    .filter((s) => /^(gateway|indexer)-/.test(s.name))
    .map((s) => (s.name.startsWith('indexer-') ? { ...s, env: { ...s.env, CIRT_INDEX_TELEMETRY: 'true' } } : s));
  gateway = services.find((s) => s.name.startsWith('gateway-'))!;
  for (const s of services) {
    startService(s);
    await waitHealthy(s, 60_000);
  }
  agent = agentSpec({ name: 'agent-offline', agency, certs, gatewayPort: ep.gatewayPort, replay, spoolDir: join(work, 'spool'), httpPort: AGENT_HTTP, config });
  services.push(agent);
});

after(async () => {
  for (const s of [...services].reverse()) await stopService(s.name);
});

interface AgentHealth { shipper: { acked: number }; gateway: { connected: boolean; reconnects: number }; spool: { backlogBytes: number } }
const health = () => fetch(agent.healthUrl!, { signal: AbortSignal.timeout(2_000) }).then((r) => r.json() as Promise<AgentHealth>).catch(() => undefined);

test(`gateway unreachable for ${OFFLINE_MS / 1000} s mid-stream: the agent spools, reconnects, ${N.toLocaleString('en')} events land exactly once`, { timeout: OFFLINE_MS + 240_000 }, async () => {
  const logs = () => serviceLogs(services);
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

  const { total, distinct } = await waitForEvents(ep.opensearchUrl, agency, N, { timeoutMs: 150_000 });
  console.log(`after the gateway came back: ${total} of ${N} events indexed in ${Math.round((Date.now() - back) / 1000)} s`);
  assert.equal(total, N, `events-* holds ${total} of ${N} events of ${agency}\n${logs()}`);
  assert.equal(distinct, N, 'every event.id is distinct (no duplicate)');
  const end = await health();
  assert.equal(end?.spool.backlogBytes, 0, 'the spool is empty: everything was acknowledged');
  assert.ok((end?.gateway.reconnects ?? 0) > 0, 'the agent reconnected');
});

// Crash test, end to end through the real processes: the real agent (agents/main.ts, started by cli/services.ts)
// replays 20,000 flow events to its own gateway + indexer instances (gateway 22317, health 22131-22133, agent 22134,
// a fresh agency). When part of them is acknowledged the agent is killed with SIGKILL, then restarted on the same
// spool directory. Every event must land in events-* exactly once: count == N and N distinct event.id.
// Why it holds: records are spooled before they are shipped and leave the spool only once acked; the jsonl input
// stamps each event with a stable id and checkpoints its position, so the restarted agent re-sends the unacked
// records and the few re-read lines with the same ids, and the indexer's deterministic _id absorbs them.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pipelineServices, runningPid, startService, stopService, waitHealthy, type Endpoints, type ServiceSpec } from '../../cli/services.ts';
import { requireKafka, requireOpenSearch } from '../../proto/testing/preflight.ts';
import { agencyCerts, agentSpec, serviceLogs, startGroupsAtEnd, syntheticFlows, waitForEvents } from '../harness.ts';

const N = 20_000;
const AGENT_HTTP = 22134;
const ep: Endpoints = {
  kafkaBrokers: process.env.CIRT_KAFKA_BROKERS ?? '127.0.0.1:19092',
  opensearchUrl: process.env.CIRT_OPENSEARCH_URL ?? 'http://127.0.0.1:19200',
  gatewayPort: 22317,
  uiPort: 22601,
  httpPortBase: 22130,
};
const agency = `crash${randomBytes(3).toString('hex')}`;
const work = mkdtempSync(join(tmpdir(), 'cirt-crash-'));
const certs = join(work, 'certs');
let services: ServiceSpec[] = [];
let agent: ServiceSpec;

before(async () => {
  await requireKafka(ep.kafkaBrokers);
  await requireOpenSearch(ep.opensearchUrl);
  await startGroupsAtEnd(ep.kafkaBrokers, 'crash');
  agencyCerts(certs, agency);
  const replay = join(work, 'flows.jsonl');
  writeFileSync(replay, syntheticFlows(N));
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
  agent = agentSpec({ name: 'agent-crash', agency, certs, gatewayPort: ep.gatewayPort, replay, spoolDir: join(work, 'spool'), httpPort: AGENT_HTTP, config });
  services.push(agent);
});

after(async () => {
  for (const s of [...services].reverse()) await stopService(s.name);
});

interface AgentHealth {
  shipper: { acked: number };
  spool: { backlogBytes: number };
}

test(`kill -9 mid-stream and restart: ${N.toLocaleString('en')} events land in events-* exactly once`, async () => {
  const logs = () => serviceLogs(services);
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
  await new Promise((r) => setTimeout(r, 500)); // let the killed process be reaped before its pid file is reused
  console.log(`agent killed with SIGKILL after ${ackedAtKill} of ${N} events were acknowledged; restarting on the same spool`);
  startService(agent);
  await waitHealthy(agent, 30_000);

  const { total, distinct } = await waitForEvents(ep.opensearchUrl, agency, N, { timeoutMs: 150_000, stallMs: 45_000 });
  assert.equal(total, N, `events-* holds ${total} of ${N} events of ${agency}\n${logs()}`);
  assert.equal(distinct, N, 'every event.id is distinct (no duplicate)');
  const h = (await (await fetch(agent.healthUrl!)).json()) as AgentHealth;
  assert.equal(h.spool.backlogBytes, 0, 'the restarted agent has nothing left unacknowledged');
});

// Volume, end to end through the real processes: 50,000 synthetic flow events in a JSON-lines file, replayed by the
// real agent (agents/main.ts) over gRPC + mTLS to the real gateway -> Kafka telemetry.flows -> the real indexer ->
// OpenSearch events-*. Every event must be there exactly once: count = 50,000 and 50,000 distinct event.id.
// Its own ports (gateway 24317, health 29121-29123) and its own agency per run; the timings are printed, not asserted.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pipelineServices, startService, stopService, waitHealthy, type Endpoints, type ServiceSpec } from '../../cli/services.ts';
import { requireKafka, requireOpenSearch } from '../../proto/testing/preflight.ts';
import { agencyCerts, agentSpec, serviceLogs, startGroupsAtEnd, syntheticFlows, waitForEvents } from '../harness.ts';

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
  await startGroupsAtEnd(ep.kafkaBrokers, 'vol');
  agencyCerts(certs, agency);
  const replay = join(work, 'flows.jsonl');
  writeFileSync(replay, syntheticFlows(N));
  // only what the volume path needs: gateway and indexer (no detector, no operations room)
  services = pipelineServices(ep, { demoAgent: false, instance: 'vol', certsDir: certs }).filter((s) => /^(gateway|indexer)-/.test(s.name));
  for (const s of services) {
    startService(s);
    await waitHealthy(s, 60_000);
  }
  const agent = agentSpec({ name: 'agent-vol', agency, certs, gatewayPort: ep.gatewayPort, replay, spoolDir: join(work, 'spool') });
  services.push(agent);
  agentStartedAt = Date.now();
  startService(agent);
});

after(async () => {
  for (const s of [...services].reverse()) await stopService(s.name);
});

test(`${N.toLocaleString('en')} events through agent -> gateway -> Kafka -> indexer land in events-* once each`, async () => {
  const { total, distinct } = await waitForEvents(ep.opensearchUrl, agency, N, { timeoutMs: 170_000, stallMs: 60_000 });
  const secs = (Date.now() - agentStartedAt) / 1000;
  console.log(`volume: ${total} of ${N} events indexed ${secs.toFixed(1)} s after the agent started (${Math.round(total / secs)} ev/s end to end)`);
  assert.equal(total, N, `events-* holds ${total} of ${N} events of ${agency}\n${serviceLogs(services, 6)}`);
  assert.equal(distinct, N, 'every event.id is distinct (no duplicate)');
});

// Issue 10, through the running pipeline: a CIRT honeypot sensor's agent tails the Cowrie log
// (agents/inputs/honeypot/test/fixtures/cowrie.json) with a `file` input in format cowrie, and replays one agency-side
// flow from the same attacker (JSON lines) -> disk spool -> gRPC + mTLS -> its own gateway -> Kafka telemetry.logs /
// telemetry.flows -> its own detector (rules/, honeypot logsource) -> Kafka alerts -> its own indexer -> OpenSearch.
// Checks that the honeypot alerts land in alerts-* for this run's agency, and that the wall's "Honeypot sensors"
// query (ui-plugin/server/services/honeypot_sensors.ts) finds the attacker, its sensor and the agency on the real
// OpenSearch mappings. Ports: gateway 21217, health/metrics 21241-21243, agent 21244 (none of 21200-21299 is shared).
// The events keep their logged time (2026-11-26T09:14-09:20Z): we search alerts-* / events-* for this run's agency.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@opensearch-project/opensearch';
import { ROOT, stopService, type Endpoints, type ServiceSpec } from '../../cli/services.ts';
import { requireKafka, requireOpenSearch } from '../../proto/testing/preflight.ts';
import { honeypotSensors } from '../../ui-plugin/server/services/honeypot_sensors.ts';
import { createOpenSearchStore } from '../../ui-plugin/server/services/opensearch_store.ts';
import { agencyCerts, eventually, searchDocs, startBackend, startGroupsAtEnd, startYamlAgent } from '../harness.ts';

const ep: Endpoints = {
  kafkaBrokers: process.env.CIRT_KAFKA_BROKERS ?? '127.0.0.1:19092',
  opensearchUrl: process.env.CIRT_OPENSEARCH_URL ?? 'http://127.0.0.1:19200',
  gatewayPort: 21217,
  uiPort: 21299, // the operations room is not started by this test
  httpPortBase: 21240,
};
const INSTANCE = `hp${randomBytes(2).toString('hex')}`;
const agency = `hp${randomBytes(3).toString('hex')}`;
const work = mkdtempSync(join(tmpdir(), 'cirt-honeypot-'));
const certs = join(work, 'certs');
const cowrieLog = join(work, 'cowrie.json');
const services: ServiceSpec[] = [];

before(async () => {
  await requireKafka(ep.kafkaBrokers);
  await requireOpenSearch(ep.opensearchUrl);
  agencyCerts(certs, agency);
  copyFileSync(join(ROOT, 'agents/inputs/honeypot/test/fixtures/cowrie.json'), cowrieLog);
  // the agency side: one inbound flow from the Cowrie attacker, 20 minutes after its session
  const flows = join(work, 'flows.jsonl');
  writeFileSync(flows, JSON.stringify({ '@timestamp': '2026-11-26T09:34:00.000Z', event: { kind: 'event', category: ['network'], dataset: 'netflow.flow' }, source: { ip: '203.0.113.45', port: 40022 }, destination: { ip: '10.1.0.20', port: 22 }, network: { transport: 'tcp', packets: 6, bytes: 360 } }) + '\n');
  await startGroupsAtEnd(ep.kafkaBrokers, INSTANCE);
  await startBackend(ep, INSTANCE, certs, services);
  await startYamlAgent({ ep, instance: INSTANCE, agency, certs, work, body: [
    'replay:',
    `  files: [${JSON.stringify(flows)}]`,
    '  shiftToNow: false',
    '  resume: false',
    'inputs:',
    '  - type: file',
    `    paths: [${JSON.stringify(cowrieLog)}]`,
    '    format: cowrie',
    '    startAt: beginning',
    `    positionFile: ${JSON.stringify(join(work, 'positions.json'))}`,
  ] }, services);
});

after(async () => {
  for (const s of [...services].reverse()) await stopService(s.name);
  rmSync(work, { recursive: true, force: true });
});

const ruleName = (a: Record<string, unknown>) => (a.rule as { name: string }).name;

test('the Cowrie log tailed by the agent raises the honeypot alerts in OpenSearch alerts-* for its agency', async () => {
  const alerts = await eventually('honeypot alerts in alerts-*', async () => {
    const r = await searchDocs(ep.opensearchUrl, 'alerts-*', { term: { 'organization.id': agency } });
    return r.hits.length >= 4 ? r.hits : undefined;
  }, 120_000, services);
  const count = (name: string) => alerts.filter((a) => ruleName(a) === name).length;
  assert.deepEqual([count('Connection To A CIRT Honeypot Sensor'), count('Successful Login On A Honeypot'), count('Malware Downloaded To A Honeypot')], [2, 1, 1]);
  const malware = alerts.find((a) => ruleName(a) === 'Malware Downloaded To A Honeypot')!;
  assert.match(String(malware['@timestamp']), /^2026-11-26T09:14:11\./, 'event time = the Cowrie log\'s time');
  // observer.name is the shipping agent, stamped by the gateway (ingest/gateway/validate.ts)
  assert.deepEqual(malware.observer, { type: 'honeypot', product: 'cowrie', hostname: 'hp-sensor-01', name: 'agent-01' });
  const ev = (malware.events as Record<string, any>[])[0]!; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(ev.file.hash.sha256, '29f8f61cc9006cb189a599d7e7b86b96dfc21f3bfcb39e015a3e98c7182c8fae');
  assert.equal(ev.url.original, 'http://198.51.100.77/bins/x86.sh');
  assert.equal(ev.source.ip, '203.0.113.45');
  assert.equal(ev.log.file.path, cowrieLog);
});

test('the wall\'s Honeypot sensors query finds the attackers, the sensor, and the agency where one of them also appears', async () => {
  const client = new Client({ node: ep.opensearchUrl });
  const store = createOpenSearchStore(client as never);
  const liaison = { username: 'it', role: 'liaison' as const, agency }; // scopes every query to this run's agency
  const data = await eventually('both honeypot sources and the agency flow in events-*', async () => {
    const d = await honeypotSensors(store, { alerts: 'alerts-*', events: 'events-*' }, new Date('2026-11-26T12:00:00Z'), liaison, { hours: 24, size: 20 });
    return d.total_hits >= 17 && d.sources.some((s) => s.in_agencies) ? d : undefined;
  }, 60_000, services);
  await client.close();
  assert.equal(data.total_hits, 17);
  assert.equal(data.distinct_sources, 2);
  assert.deepEqual(data.sources, [
    { ip: '203.0.113.45', hits: 14, sensors: ['hp-sensor-01'], products: ['cowrie'], first_seen: '2026-11-26T09:14:02.118Z', last_seen: '2026-11-26T09:14:16.731Z', in_agencies: true, agencies: [agency] },
    { ip: '198.51.100.23', hits: 3, sensors: ['hp-sensor-01'], products: ['cowrie'], first_seen: '2026-11-26T09:20:41.551Z', last_seen: '2026-11-26T09:20:45.449Z', in_agencies: false, agencies: [] },
  ]);
});

// Issue 7, through the running pipeline: the real agent replays the nmap scan captures
// (agents/test/fixtures/scans/, recorded with tcpdump on lo) with a `pcap` input — raw packets -> agents/flowmeter
// flows -> disk spool -> gRPC + mTLS -> its own gateway instance -> Kafka telemetry.flows -> its own detector instance
// (rules/, correlations in event time) -> Kafka alerts -> its own indexer instance -> OpenSearch alerts-*.
// Ports: gateway 21317, health/metrics 21141-21143, agent 21144 (below the kernel's ephemeral range 32768-60999, where
// a busy machine's outgoing connections can hold a port the moment a service wants to listen on it). The flows keep their capture time (2026-11-26), so
// the alerts land in alerts-<capture date>: we search alerts-* for this run's agency.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, stopService, type Endpoints, type ServiceSpec } from '../../cli/services.ts';
import { requireKafka, requireOpenSearch } from '../../proto/testing/preflight.ts';
import { agencyCerts, eventually, searchDocs, startBackend, startGroupsAtEnd, startYamlAgent } from '../harness.ts';

const ep: Endpoints = {
  kafkaBrokers: process.env.CIRT_KAFKA_BROKERS ?? '127.0.0.1:19092',
  opensearchUrl: process.env.CIRT_OPENSEARCH_URL ?? 'http://127.0.0.1:19200',
  gatewayPort: 21317,
  uiPort: 21601, // the operations room is not started by this test
  httpPortBase: 21140,
};
const INSTANCE = 'scan';
const agency = `scan${randomBytes(3).toString('hex')}`;
const work = mkdtempSync(join(tmpdir(), 'cirt-scan-'));
const certs = join(work, 'certs');
const captures = ['nmap_horizontal_23.pcap', 'nmap_vertical_1-100.pcap'].map((f) => join(ROOT, 'agents/test/fixtures/scans', f));
const services: ServiceSpec[] = [];

before(async () => {
  await requireKafka(ep.kafkaBrokers);
  await requireOpenSearch(ep.opensearchUrl);
  agencyCerts(certs, agency);
  await startGroupsAtEnd(ep.kafkaBrokers, INSTANCE);
  await startBackend(ep, INSTANCE, certs, services);
  await startYamlAgent({ ep, instance: INSTANCE, agency, certs, work, body: [
    'inputs:',
    '  - type: pcap',
    `    files: [${captures.map((c) => JSON.stringify(c)).join(', ')}]`,
    '    speed: 0',
  ] }, services);
});

after(async () => {
  for (const s of [...services].reverse()) await stopService(s.name);
});

const ruleName = (a: Record<string, unknown>) => (a.rule as { name: string }).name;

test('the agent replaying the nmap captures raises the port-scan alerts in OpenSearch alerts-* for its agency', async () => {
  const alerts = await eventually('horizontal and vertical port-scan alerts in alerts-*', async () => {
    const r = await searchDocs(ep.opensearchUrl, 'alerts-*', { term: { 'organization.id': agency } });
    const names = new Set(r.hits.map(ruleName));
    return names.has('Horizontal Port Scan') && names.has('Vertical Port Scan') ? r.hits : undefined;
  }, 120_000, services);
  // only the two scan correlations fire on these captures (the short-probe base rule feeds them silently)
  assert.deepEqual([...new Set(alerts.map(ruleName))].sort(), ['Horizontal Port Scan', 'Vertical Port Scan']);
  for (const a of alerts) {
    assert.equal((a.organization as { id: string }).id, agency, 'agency from the agent certificate');
    // event time = capture time: the scans were recorded on 2026-11-26, and the alert carries that date
    assert.match(String(a['@timestamp']), /^2026-11-26T02:06:/);
  }
  type Corr = { type: string; group_by: Record<string, string>; value: number; timespan_ms: number };
  const horizontal = alerts.find((a) => ruleName(a) === 'Horizontal Port Scan')!;
  const hc = horizontal.correlation as Corr;
  assert.deepEqual(hc.group_by, { src_ip: '127.0.0.1', dst_port: '23' });
  assert.equal(hc.type, 'value_count');
  assert.ok(hc.value >= 20, `>= 20 distinct destinations, got ${hc.value}`);
  const events = horizontal.events as { source: { ip: string }; destination: { ip: string; port: number }; flowmeter?: { source?: string } }[];
  assert.ok(events.length > 0, 'the alert carries its triggering flows');
  for (const e of events) {
    assert.equal(e.source.ip, '127.0.0.1');
    assert.equal(e.destination.port, 23);
    assert.match(e.destination.ip, /^127\.0\.0\.\d+$/);
    assert.equal(e.flowmeter?.source, captures[0], 'metered from the capture by the agent\'s flow meter');
  }
  assert.ok(new Set(events.map((e) => e.destination.ip)).size >= 20, 'distinct destination addresses on one port');
  // the vertical group (src, dst 127.0.0.1) also holds the horizontal scan's one probe to 127.0.0.1:23: both
  // captures come from the same agent and agency, as they would on a real network
  for (const vertical of alerts.filter((a) => ruleName(a) === 'Vertical Port Scan')) {
    const vc = vertical.correlation as Corr;
    assert.deepEqual(vc.group_by, { src_ip: '127.0.0.1', dst_ip: '127.0.0.1' });
    assert.ok(vc.value >= 20, `>= 20 distinct ports, got ${vc.value}`);
    assert.ok((vertical.events as { destination: { ip: string } }[]).every((e) => e.destination.ip === '127.0.0.1'));
  }
});

test('every flow the agent metered from the captures is indexed in events-* (40 + 100 flows)', async () => {
  const r = await eventually('140 flow events in events-*', async () => {
    // flows only: the agent also ships its own health metrics (event.dataset cirt.agent_health) as events
    const s = await searchDocs(ep.opensearchUrl, 'events-*', { bool: { filter: [{ term: { 'organization.id': agency } }, { term: { 'event.dataset': 'netflow.flow' } }] } });
    return s.total >= 140 ? s : undefined;
  }, 60_000, services);
  assert.equal(r.total, 140, '40 horizontal probes + 100 vertical probes, one flow each');
  assert.ok(r.hits.every((h) => (h.flowmeter as { source?: string } | undefined)?.source !== undefined), 'every flow comes from the flow meter');
});

// The walking skeleton, end to end against the real stack: an agent replays events over gRPC + mTLS to the
// gateway -> Kafka telemetry.* -> detector (Sigma rules from rules/) -> Kafka alerts -> indexer -> OpenSearch
// alerts-* -> the operations room's JSON API. Everything runs as the real processes `npm start` runs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pipelineServices, startService, stopService, waitHealthy, type Endpoints, type ServiceSpec } from '../../cli/services.ts';
import { requireKafka, requireOpenSearch } from '../../proto/testing/preflight.ts';
import { agencyCerts, agentSpec, eventually, searchDocs, sentByAgency, startGroupsAtEnd } from '../harness.ts';

const ep: Endpoints = {
  kafkaBrokers: process.env.CIRT_KAFKA_BROKERS ?? '127.0.0.1:19092',
  opensearchUrl: process.env.CIRT_OPENSEARCH_URL ?? 'http://127.0.0.1:19200',
  gatewayPort: 14317,
  uiPort: 15601,
  httpPortBase: 19110,
};
const agency = `e2e${randomBytes(3).toString('hex')}`;
const work = mkdtempSync(join(tmpdir(), 'cirt-e2e-'));
const certs = join(work, 'certs');
let services: ServiceSpec[] = [];

const now = Date.now();
const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
const events = [
  // benign flow: no alert
  { '@timestamp': iso(5000), event: { kind: 'event', category: ['network'], type: ['connection'], dataset: 'netflow.flow' }, source: { ip: '10.1.1.10', port: 50000 }, destination: { ip: '10.1.1.53', port: 53 }, network: { transport: 'udp', bytes: 120, packets: 2 } },
  // SMB to the internet: rules/network/net_flow_smb_to_internet.yml
  { '@timestamp': iso(4000), event: { kind: 'event', category: ['network'], type: ['connection'], dataset: 'netflow.flow' }, source: { ip: '10.1.1.77', port: 49822 }, destination: { ip: '185.220.101.4', port: 445 }, network: { transport: 'tcp', bytes: 3120, packets: 14 } },
  // failed root password over SSH: rules/linux/lnx_sshd_failed_root_password.yml
  { '@timestamp': iso(3000), event: { kind: 'event', category: ['authentication'], dataset: 'linux.auth', outcome: 'failure' }, host: { name: 'web-01' }, process: { name: 'sshd', pid: 2211 }, source: { ip: '203.0.113.50' }, message: 'Failed password for root from 203.0.113.50 port 40112 ssh2' },
  // benign log: no alert
  { '@timestamp': iso(2000), event: { kind: 'event', category: ['authentication'], dataset: 'linux.auth', outcome: 'success' }, host: { name: 'web-01' }, process: { name: 'sshd', pid: 2240 }, message: 'Accepted publickey for deploy from 10.1.1.5 port 40200 ssh2' },
];

before(async () => {
  await requireKafka(ep.kafkaBrokers);
  await requireOpenSearch(ep.opensearchUrl);
  await startGroupsAtEnd(ep.kafkaBrokers, 'e2e');
  agencyCerts(certs, agency);
  const replay = join(work, 'events.jsonl');
  writeFileSync(replay, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  services = pipelineServices(ep, { demoAgent: false, instance: 'e2e', certsDir: certs });
  for (const s of services) {
    startService(s);
    await waitHealthy(s, 60_000);
  }
  const agent = agentSpec({ name: 'agent-e2e', agency, certs, gatewayPort: ep.gatewayPort, replay, spoolDir: join(work, 'spool') });
  services.push(agent);
  startService(agent);
});

after(async () => {
  for (const s of [...services].reverse()) await stopService(s.name);
});

test('the agent\'s events become alerts in OpenSearch alerts-*, stamped with the agency from the certificate', async () => {
  const alerts = await eventually('2 alerts in OpenSearch', async () => {
    const r = await searchDocs(ep.opensearchUrl, 'alerts-*', { term: { 'organization.id': agency } });
    return r.total >= 2 ? r.hits : undefined;
  }, 120_000, services);
  assert.equal(alerts.length, 2, 'exactly the two malicious events raise alerts');
  const byRule = new Map(alerts.map((a) => [(a.rule as { name: string }).name, a]));
  const smb = byRule.get('SMB Traffic To The Internet');
  const ssh = byRule.get('SSH Failed Password For Root');
  assert.ok(smb, `SMB alert missing; got ${[...byRule.keys()].join(', ')}`);
  assert.ok(ssh, `SSH alert missing; got ${[...byRule.keys()].join(', ')}`);
  assert.deepEqual((smb.destination as { ip: string; port: number }), { ip: '185.220.101.4', port: 445 });
  assert.equal((smb.alert as { severity: string }).severity, 'medium');
  assert.equal((ssh.source as { ip: string }).ip, '203.0.113.50');
  assert.ok((ssh.rule as { author?: string }).author, 'rule author attribution travels with the alert');
  const triggering = (ssh.events as { agent: { id: string }; organization: { id: string } }[])[0]!;
  assert.equal(triggering.organization.id, agency);
  assert.equal(triggering.agent.id, 'agent-01');
});

test('every event the agent sent is indexed once in events-*', async () => {
  const r = await eventually('4 events in events-*', async () => {
    const s = await searchDocs(ep.opensearchUrl, 'events-*', sentByAgency(agency));
    return s.total >= events.length ? s : undefined;
  }, 60_000, services);
  assert.equal(r.total, events.length);
  const ids = new Set(r.hits.map((h) => (h.event as { id: string }).id));
  assert.equal(ids.size, events.length, 'event ids are unique');
});

test('the operations room API lists the alerts of the agency', async () => {
  const anonymous = await fetch(`http://127.0.0.1:${ep.uiPort}/api/cirt/alerts?agency=${agency}`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(anonymous.status, 401, 'no data without a session');
  const login = await fetch(`http://127.0.0.1:${ep.uiPort}/api/cirt/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'analyst', password: 'analyst' }),
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(login.status, 200, 'the dev analyst can log in');
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const res = await fetch(`http://127.0.0.1:${ep.uiPort}/api/cirt/alerts?agency=${agency}`, { headers: { cookie }, signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { total: number; alerts: { rule: { name: string }; organization: { id: string } }[] };
  assert.equal(body.total, 2);
  assert.ok(body.alerts.every((a) => a.organization.id === agency));
  assert.deepEqual(body.alerts.map((a) => a.rule.name).sort(), ['SMB Traffic To The Internet', 'SSH Failed Password For Root']);
  const page = await fetch(`http://127.0.0.1:${ep.uiPort}/`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
});

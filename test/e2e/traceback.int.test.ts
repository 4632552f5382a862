// Issue 10, "traceback returns the agencies a replayed source touched", through the running pipeline: three
// agencies' real agents (each with its own certificate) replay flows and an sshd log from one external source ->
// gRPC + mTLS -> this test's gateway -> Kafka telemetry.* -> its detector (rules/: the sshd rule per agency, the
// cross-agency correlation once the source reached three agencies) -> Kafka alerts -> its indexer (raw telemetry
// into events-*, alerts into alerts-*) -> the operations room's GET /api/cirt/traceback (standalone host, in-process).
// The source is a random address of 2001:db8::/32 (documentation range, unique per run), so the shared events-*
// holds nothing else about it and "exactly these agencies" is a real assertion. Replay keeps the events' own
// timestamps (shiftToNow false), so first/last seen are checked to the millisecond.
// Ports (issue 10's range): gateway 21330, health/metrics 21341-21343, agents 21344-21346, operations room 21350.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startService, stopService, type Endpoints, type ServiceSpec } from '../../cli/services.ts';
import { requireKafka, requireOpenSearch } from '../../proto/testing/preflight.ts';
import type { TracebackResponse } from '../../ui-plugin/common/index.ts';
import { hashPassword } from '../../ui-plugin/server/auth/passwords.ts';
import { startHost, type RunningHost } from '../../ui-plugin/standalone/host.ts';
import { agencyCerts, agentSpec, eventually, startBackend, startGroupsAtEnd } from '../harness.ts';

const ep: Endpoints = {
  kafkaBrokers: process.env.CIRT_KAFKA_BROKERS ?? '127.0.0.1:19092',
  opensearchUrl: process.env.CIRT_OPENSEARCH_URL ?? 'http://127.0.0.1:19200',
  gatewayPort: 21330,
  uiPort: 21350,
  httpPortBase: 21340,
};
const INSTANCE = 'traceback';
const run = randomBytes(3).toString('hex');
const SOURCE = `2001:db8:${parseInt(run.slice(0, 4), 16).toString(16)}::${parseInt(run.slice(4), 16).toString(16)}`;
const work = mkdtempSync(join(tmpdir(), 'cirt-traceback-'));
const certs = join(work, 'certs');

const now = Date.now();
const at = (minutesAgo: number, ms = 0) => new Date(now - minutesAgo * 60_000 + ms).toISOString();
const flow = (ts: string, src: string, dst: string, port: number, bytes: number, packets: number) => ({
  '@timestamp': ts,
  event: { kind: 'event', category: ['network'], type: ['connection'], dataset: 'netflow.flow' },
  source: { ip: src, port: 51000 + port },
  destination: { ip: dst, port },
  network: { transport: 'tcp', bytes, packets },
});
const sshFailure = (ts: string, host: string) => ({
  '@timestamp': ts,
  event: { kind: 'event', category: ['authentication'], dataset: 'linux.auth', outcome: 'failure' },
  host: { name: host },
  process: { name: 'sshd', pid: 4242 },
  source: { ip: SOURCE },
  message: `Failed password for root from ${SOURCE} port 40112 ssh2`,
});

interface Expected {
  agency: string;
  events: Record<string, unknown>[];
  /** What traceback must report: events involving SOURCE, their bytes/packets, first/last @timestamp. */
  involving: number;
  bytes: number;
  packets: number;
  first: string;
  last: string;
  sshAlerts: number;
}

/**
 * The agency's events in file order (the agent ships them in that order): its flows from the source, the sshd
 * failure, and last a flow at LAST_FLOW, the same instant in every agency. The cross-agency correlation evaluates
 * each event over (t - 15 min, t]; the three agents' streams interleave in any order, so the one arriving last must
 * be the newest of all for the window to hold the three agencies.
 */
function agencyPlan(name: string, flows: [number, string, number, number, number][], ssh: number | undefined): Expected {
  const events: Record<string, unknown>[] = flows.map(([minutesAgo, dst, port, bytes, packets], i) => flow(i === flows.length - 1 ? LAST_FLOW : at(minutesAgo, i), SOURCE, dst, port, bytes, packets));
  if (ssh !== undefined) events.splice(flows.length - 1, 0, sshFailure(at(ssh, 7), `${name}-web-01`));
  const involving = events.map((e) => String(e['@timestamp'])).sort();
  // noise: the agency's own traffic, not involving the source
  events.push(flow(at(2), '10.9.0.1', '10.9.0.53', 53, 80, 1));
  return {
    agency: `${name}${run}`,
    events,
    involving: involving.length,
    bytes: flows.reduce((n, f) => n + f[3], 0),
    packets: flows.reduce((n, f) => n + f[4], 0),
    first: involving[0] as string,
    last: involving[involving.length - 1] as string,
    sshAlerts: ssh === undefined ? 0 : 1,
  };
}

const LAST_FLOW = at(1);
const plans: Expected[] = [
  agencyPlan('tba', [[9, '10.1.0.5', 22, 600, 6], [8, '10.1.0.6', 22, 640, 7], [7, '10.1.0.6', 445, 1200, 9]], 6),
  agencyPlan('tbb', [[5, '10.2.0.9', 22, 300, 3], [4, '10.2.0.9', 3389, 400, 4]], 4),
  agencyPlan('tbc', [[3, '10.3.0.1', 22, 90, 1]], undefined),
];

const services: ServiceSpec[] = [];
let host: RunningHost | undefined;

before(async () => {
  await requireKafka(ep.kafkaBrokers);
  await requireOpenSearch(ep.opensearchUrl);
  for (const p of plans) agencyCerts(certs, p.agency);
  await startGroupsAtEnd(ep.kafkaBrokers, INSTANCE);
  await startBackend(ep, INSTANCE, certs, services);
  host = await startHost({
    port: ep.uiPort,
    host: '127.0.0.1',
    opensearchUrl: ep.opensearchUrl,
    users: new Map([
      ['analyst', { username: 'analyst', role: 'analyst' as const, passwordHash: await hashPassword('analyst-pw') }],
      ['liaison', { username: 'liaison', role: 'liaison' as const, agency: plans[1]!.agency, passwordHash: await hashPassword('liaison-pw') }],
    ]),
    logger: { info() {}, warn() {}, error() {} },
  });
  for (const [i, p] of plans.entries()) {
    const replay = join(work, `${p.agency}.jsonl`);
    writeFileSync(replay, p.events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const config = join(work, `${p.agency}.yml`);
    writeFileSync(config, 'replay:\n  shiftToNow: false\n'); // keep the events' own timestamps
    const agent = agentSpec({ name: `agent-${INSTANCE}-${i}`, agency: p.agency, certs, gatewayPort: ep.gatewayPort, replay, spoolDir: join(work, `spool-${i}`), httpPort: ep.httpPortBase + 4 + i, config });
    services.push(agent);
    startService(agent);
  }
});

after(async () => {
  await host?.close();
  for (const s of [...services].reverse()) await stopService(s.name);
});

async function login(username: string, password: string): Promise<string> {
  const res = await fetch(`${host!.url}api/cirt/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }), signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200, await res.clone().text());
  return (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
}

async function traceback(cookie: string, ip: string): Promise<TracebackResponse> {
  const res = await fetch(`${host!.url}api/cirt/traceback?ip=${encodeURIComponent(ip)}`, { headers: { cookie }, signal: AbortSignal.timeout(15_000) });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as TracebackResponse;
}

const SSH_RULE = 'SSH Failed Password For Root';
const CROSS_RULE = 'One External Source Seen In Several Agencies';

test('traceback lists exactly the agencies the replayed source touched, with their counts, volume and first/last seen', async () => {
  const cookie = await login('analyst', 'analyst-pw');
  const expectedEvents = plans.reduce((n, p) => n + p.involving, 0);
  // Everything indexed, and the alerts raised: the sshd alerts of two agencies and the cross-agency correlation.
  const tb = await eventually('every event and alert of the source in the traceback', async () => {
    const t = await traceback(cookie, SOURCE);
    const rules = new Map(t.rules.map((r) => [r.rule_name, r.count]));
    return t.summary.events === expectedEvents && rules.get(SSH_RULE) === 2 && (rules.get(CROSS_RULE) ?? 0) >= 1 ? t : undefined;
  }, 150_000, services);

  assert.equal(tb.query.ip, SOURCE);
  assert.deepEqual(tb.agencies.map((a) => a.agency).sort(), plans.map((p) => p.agency).sort(), 'exactly the three agencies');
  for (const p of plans) {
    const row = tb.agencies.find((a) => a.agency === p.agency)!;
    assert.deepEqual(
      { events: row.events, bytes: row.bytes, packets: row.packets, first_seen: row.first_seen, last_seen: row.last_seen },
      { events: p.involving, bytes: p.bytes, packets: p.packets, first_seen: p.first, last_seen: p.last },
      p.agency,
    );
    assert.deepEqual(row.sensors.map((s) => [s.agent, s.events, s.observers]), [['agent-01', p.involving, ['agent-01']]], `${p.agency}: the agent from its certificate`);
    assert.equal(row.as_destination.events, 0, `${p.agency}: the source only ever initiated`);
    assert.equal(row.alerts.total, p.sshAlerts, `${p.agency}: its own alerts (the correlation belongs to the CIRT)`);
  }
  assert.deepEqual([tb.summary.agencies, tb.summary.sensors, tb.summary.first_seen, tb.summary.last_seen], [3, 3, plans[0]!.first, LAST_FLOW]);
  assert.equal(tb.summary.as_source.peers, 4, 'four distinct internal hosts contacted (10.1.0.5, 10.1.0.6, 10.2.0.9, 10.3.0.1)');
  assert.equal(tb.summary.as_source.ports, 3, 'ports 22, 445, 3389');
  const cross = tb.rules.find((r) => r.rule_name === CROSS_RULE)!;
  assert.deepEqual(cross.agencies, ['cross-agency']);
  assert.ok(!tb.agencies.some((a) => a.agency === 'cross-agency'));
  assert.equal(tb.summary.alerts, 2 + cross.count);
  assert.ok(tb.latest_alerts.some((a) => a.rule.name === CROSS_RULE), 'the campaign alert is among the latest, with its id to link to');
});

test('the liaison of one of those agencies sees only its own row', async () => {
  const cookie = await login('liaison', 'liaison-pw');
  const tb = await traceback(cookie, SOURCE);
  const own = plans[1]!;
  assert.deepEqual(tb.agencies.map((a) => [a.agency, a.events, a.alerts.total]), [[own.agency, own.involving, 1]]);
  assert.deepEqual([tb.summary.events, tb.summary.alerts], [own.involving, 1]);
  assert.ok(tb.rules.every((r) => r.rule_name !== CROSS_RULE), 'the CIRT\'s cross-agency alert is not shown to an agency');
});

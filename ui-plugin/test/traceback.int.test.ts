// Integration: GET /api/cirt/traceback through the standalone host (port 21360) against the REAL OpenSearch, on
// this run's own indices (uit<run>-*, removed afterwards). The events index is mapped like the indexer's events-*
// template for the fields traceback aggregates (ip, keyword, long); the alerts come from the shared fixture
// (198.51.100.7 has an alert in agency A and one in agency B). Fails with the reason when OpenSearch is down.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TracebackResponse } from '../common/index';
import { startHost, type RunningHost } from '../standalone/host';
import { createFixture, login, makeAlert, PASSWORDS, type Fixture, type Login } from './opensearch_fixture';

const PORT = 21360;
const ATTACKER = '198.51.100.7';
const NEIGHBOUR = '198.51.100.99'; // same /24, seen by agency C only
const V6 = '2001:db8:77::5';

/** Mapped as ingest/indexer/templates.ts EVENTS_TEMPLATE maps them (ui-plugin may not import ingest/). */
const endpoint = { properties: { ip: { type: 'ip' }, port: { type: 'integer' }, bytes: { type: 'long' }, packets: { type: 'long' } } };
const EVENTS_MAPPINGS = {
  properties: {
    '@timestamp': { type: 'date' },
    event: { properties: { id: { type: 'keyword' }, dataset: { type: 'keyword' } } },
    organization: { properties: { id: { type: 'keyword' } } },
    agent: { properties: { id: { type: 'keyword' } } },
    observer: { properties: { name: { type: 'keyword' } } },
    source: endpoint,
    destination: endpoint,
    network: { properties: { transport: { type: 'keyword' }, bytes: { type: 'long' }, packets: { type: 'long' } } },
  },
};

interface Flow {
  at: string;
  agency: string;
  agent: string;
  observer?: string;
  src: string;
  dst: string;
  port: number;
  bytes: number;
  packets: number;
}

describe('traceback against the real OpenSearch', () => {
  let fx: Fixture;
  let host: RunningHost;
  let analyst: Login;
  let liaison: Login;
  let agencyC: string;
  const flows: Flow[] = [];

  const get = async (session: Login, query: string): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${host.url}api/cirt/traceback?${query}`, { headers: { cookie: session.cookie }, signal: AbortSignal.timeout(15_000) });
    return { status: res.status, body: await res.json() };
  };
  const trace = async (session: Login, query: string): Promise<TracebackResponse> => {
    const r = await get(session, query);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body as TracebackResponse;
  };

  before(async () => {
    fx = await createFixture();
    agencyC = `moh${fx.run}`;
    const A = fx.agencyA;
    const B = fx.agencyB;
    const f = (at: string, agency: string, agent: string, src: string, dst: string, port: number, bytes: number, packets: number, observer?: string): Flow => ({ at, agency, agent, src, dst, port, bytes, packets, ...(observer ? { observer } : {}) });
    flows.push(
      // agency A: two sensors; the attacker scans three hosts on 445 and 22, and one host answers back
      f('2026-05-01T10:00:00.000Z', A, 'agent-01', ATTACKER, '10.1.0.5', 445, 100, 2, 'edge-fw'),
      f('2026-05-01T10:05:00.000Z', A, 'agent-01', ATTACKER, '10.1.0.6', 445, 200, 3, 'edge-fw'),
      f('2026-05-01T10:10:00.000Z', A, 'agent-01', ATTACKER, '10.1.0.6', 22, 300, 4),
      f('2026-05-01T11:00:00.000Z', A, 'agent-02', '10.1.0.7', ATTACKER, 4444, 1000, 10),
      // agency B: one sensor, one flow
      f('2026-05-01T12:30:00.000Z', B, 'agent-01', ATTACKER, '10.2.0.9', 445, 50, 1),
      // agency C: only the neighbour in the same /24, and an IPv6 source
      f('2026-05-01T09:00:00.000Z', agencyC, 'agent-01', NEIGHBOUR, '10.3.0.1', 3389, 70, 1),
      f('2026-05-01T09:30:00.000Z', agencyC, 'agent-01', V6, '2001:db8:1::10', 443, 900, 6),
      // noise: the same agencies, other addresses
      f('2026-05-01T10:00:00.000Z', A, 'agent-01', '10.1.0.5', '10.1.0.53', 53, 80, 1),
      f('2026-05-01T10:00:00.000Z', B, 'agent-01', '10.2.0.1', '198.51.101.7', 443, 80, 1),
    );
    const index = fx.indices.events.replace('*', 'traceback');
    await fx.client.indices.create({ index, body: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: EVENTS_MAPPINGS as never } });
    const body = flows.flatMap((x, i) => [
      { create: { _index: index, _id: `${fx.run}-f${i}` } },
      {
        '@timestamp': x.at,
        event: { id: `${fx.run}-f${i}`, dataset: 'netflow.flow' },
        organization: { id: x.agency },
        agent: { id: x.agent },
        observer: { name: x.observer ?? x.agent },
        source: { ip: x.src, port: 40000 + i },
        destination: { ip: x.dst, port: x.port },
        network: { transport: 'tcp', bytes: x.bytes, packets: x.packets },
      },
    ]);
    // A cross-agency correlation alert: the address only in correlation.group_by (as the detector writes them).
    const corr = { ...makeAlert(`${fx.run}-x1`, '2026-05-01T12:31:00.000Z', 'cross-agency', 'high', 'campaign', ATTACKER, 'cirt-corr-0001'), correlation: { type: 'value_count', group_by: { src_ip: ATTACKER }, value: 3 } };
    delete (corr as { source?: unknown }).source;
    delete (corr as { destination?: unknown }).destination;
    body.push({ create: { _index: fx.indices.alerts.replace('*', '2026.05.01'), _id: corr.alert.id } }, corr as never);
    const bulk = await fx.client.bulk({ body, refresh: 'true' } as never);
    assert.equal((bulk.body as { errors: boolean }).errors, false, JSON.stringify(bulk.body).slice(0, 500));
    host = await startHost({ port: PORT, host: '127.0.0.1', opensearchUrl: process.env.CIRT_OPENSEARCH_URL ?? 'http://127.0.0.1:19200', indices: fx.indices, users: fx.users, logger: { info() {}, warn() {}, error() {} } });
    analyst = await login(host.url, 'analyst', PASSWORDS.analyst);
    liaison = await login(host.url, 'liaison', PASSWORDS.liaison);
  });

  after(async () => {
    await host?.close();
    await fx?.cleanup();
  });

  test('the CIRT sees every agency and sensor the address touched, with exact counts, volume and first/last seen', async () => {
    const tb = await trace(analyst, `ip=${ATTACKER}`);
    assert.deepEqual(tb.agencies.map((a) => a.agency), [fx.agencyA, fx.agencyB], 'exactly the agencies that saw it, most events first');
    const [a, b] = tb.agencies as [TracebackResponse['agencies'][number], TracebackResponse['agencies'][number]];
    assert.deepEqual([a.events, a.bytes, a.packets, a.first_seen, a.last_seen], [4, 1600, 19, '2026-05-01T10:00:00.000Z', '2026-05-01T11:00:00.000Z']);
    assert.deepEqual(a.as_source, { events: 3, peers: 2, ports: 2 });
    assert.deepEqual(a.as_destination, { events: 1, peers: 1, ports: 1 });
    assert.deepEqual(a.sensors.map((s) => [s.agent, s.events, s.observers.sort(), s.first_seen, s.last_seen]), [
      ['agent-01', 3, ['agent-01', 'edge-fw'], '2026-05-01T10:00:00.000Z', '2026-05-01T10:10:00.000Z'],
      ['agent-02', 1, ['agent-02'], '2026-05-01T11:00:00.000Z', '2026-05-01T11:00:00.000Z'],
    ]);
    assert.deepEqual([b.events, b.bytes, b.first_seen, b.last_seen, b.sensors.length], [1, 50, '2026-05-01T12:30:00.000Z', '2026-05-01T12:30:00.000Z', 1]);
    // the fixture's alerts with source 198.51.100.7: one critical in A, one high in B
    assert.deepEqual([a.alerts.total, a.alerts.by_severity.critical, b.alerts.total, b.alerts.by_severity.high], [1, 1, 1, 1]);
    assert.deepEqual(tb.rules.map((r) => [r.rule_id, r.count, r.agencies.sort()]), [['cirt-net-0001', 2, [fx.agencyA, fx.agencyB].sort()], ['cirt-corr-0001', 1, ['cross-agency']]]);
    assert.equal(tb.rules[0]?.rule_name, 'Outbound SMB to the internet');
    assert.deepEqual(tb.latest_alerts.map((x) => x.alert.id), [`${fx.run}-b1`, `${fx.run}-a2`, `${fx.run}-x1`], 'newest first; the (older) correlation alert found by its group-by');
    assert.ok(tb.latest_alerts.every((x) => !('events' in x)), 'without their triggering events');
    assert.deepEqual({ ...tb.summary }, {
      first_seen: '2026-05-01T10:00:00.000Z',
      last_seen: '2026-05-01T12:30:00.000Z',
      events: 5,
      bytes: 1650,
      packets: 20,
      as_source: { events: 4, peers: 3, ports: 2 },
      as_destination: { events: 1, peers: 1, ports: 1 },
      agencies: 2,
      sensors: 3,
      alerts: 3,
    });
    assert.deepEqual(tb.top_ports, [{ port: 445, events: 3 }, { port: 22, events: 1 }, { port: 4444, events: 1 }]);
    assert.deepEqual(tb.top_peers[0], { ip: '10.1.0.6', events: 2 });
    assert.equal(tb.truncated, false);
  });

  test('a CIDR block takes in the neighbour (agency C); an IPv6 address is found as such', async () => {
    const block = await trace(analyst, 'ip=198.51.100.0/24');
    assert.deepEqual(block.agencies.map((x) => [x.agency, x.events]), [[fx.agencyA, 4], [fx.agencyB, 1], [agencyC, 1]]);
    assert.equal(block.summary.alerts, 2, 'a block matches the ip fields only, not a correlation\'s group-by string');
    assert.equal(block.query.ip, '198.51.100.0/24');
    const v6 = await trace(analyst, `ip=${encodeURIComponent('2001:DB8:77:0::5')}`);
    assert.equal(v6.query.ip, V6);
    assert.deepEqual(v6.agencies.map((x) => [x.agency, x.events, x.bytes]), [[agencyC, 1, 900]]);
    const v6block = await trace(analyst, `ip=${encodeURIComponent('2001:db8:77::/48')}`);
    assert.equal(v6block.summary.events, 1);
  });

  test('from/to narrow the window (to exclusive)', async () => {
    const tb = await trace(analyst, `ip=${ATTACKER}&from=2026-05-01T10:05:00Z&to=2026-05-01T11:00:00Z`);
    assert.deepEqual(tb.agencies.map((x) => [x.agency, x.events, x.first_seen, x.last_seen]), [[fx.agencyA, 2, '2026-05-01T10:05:00.000Z', '2026-05-01T10:10:00.000Z']]);
  });

  test('a liaison sees only its own agency\'s rows, alerts and peers', async () => {
    const tb = await trace(liaison, `ip=${ATTACKER}`);
    assert.deepEqual(tb.agencies.map((x) => [x.agency, x.events, x.alerts.total]), [[fx.agencyA, 4, 1]]);
    assert.deepEqual([tb.summary.events, tb.summary.alerts, tb.summary.agencies], [4, 1, 1]);
    assert.deepEqual(tb.latest_alerts.map((x) => x.organization.id), [fx.agencyA]);
    assert.ok(!tb.top_peers.some((p) => p.ip.startsWith('10.2.')), 'no peer of another agency leaks');
    const other = await trace(liaison, `ip=${NEIGHBOUR}`);
    assert.deepEqual([other.agencies, other.summary.events], [[], 0], 'what only another agency saw is not there');
  });

  test('bad input is a 400 with the field named; no session is a 401', async () => {
    for (const q of ['ip=not-an-ip', 'ip=10.0.0.0/33', '', `ip=${ATTACKER}&size=5`]) {
      const r = await get(analyst, q);
      assert.equal(r.status, 400, q);
      assert.equal((r.body as { code: string }).code, 'ERR_UI_VALIDATION', q);
    }
    const anon = await fetch(`${host.url}api/cirt/traceback?ip=${ATTACKER}`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(anon.status, 401);
  });
});

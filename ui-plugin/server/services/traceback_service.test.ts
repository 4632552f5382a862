// TracebackService: what it asks OpenSearch (the address on either side, scoped, aggregations only) and how it
// reads the answer. The aggregation shapes are checked against the real OpenSearch in test/traceback.int.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Principal } from '../../common/index';
import { buildAlertsSearch, buildEventsSearch, toTraceback, TracebackService } from './traceback_service';
import type { SearchBody, SearchResult } from './store';

const ANALYST: Principal = { username: 'ana', role: 'analyst' };
const LEAD: Principal = { username: 'boss', role: 'lead' };
const LIAISON: Principal = { username: 'li', role: 'liaison', agency: 'mofa' };
const IP = '198.51.100.7';

const eitherSide = (ip: string) => ({ bool: { should: [{ term: { 'source.ip': ip } }, { term: { 'destination.ip': ip } }], minimum_should_match: 1 } });

function recordingStore(answers: { events: SearchResult; alerts: SearchResult }) {
  const calls: { index: string; body: SearchBody }[] = [];
  return {
    calls,
    store: {
      async search(index: string, body: SearchBody) {
        calls.push({ index, body });
        return index.includes('events') ? answers.events : answers.alerts;
      },
    },
  };
}

const empty: SearchResult = { hits: { total: { value: 0 }, hits: [] }, aggregations: {} };

describe('the searches', () => {
  test('CIRT staff: the address as source or destination, no agency filter, every retained day', () => {
    const events = buildEventsSearch({ ip: IP }, ANALYST);
    assert.deepEqual(events.query, { bool: { filter: [eitherSide(IP)], must: [] } });
    assert.equal(events.size, 0, 'aggregations only: no event is fetched');
    const alerts = buildAlertsSearch({ ip: IP }, ANALYST);
    const correlationSide = { bool: { should: [...eitherSide(IP).bool.should, { term: { 'correlation.group_by.src_ip.keyword': IP } }, { term: { 'correlation.group_by.dst_ip.keyword': IP } }], minimum_should_match: 1 } };
    assert.deepEqual(alerts.query, { bool: { filter: [correlationSide], must: [] } }, 'correlation alerts carry the address only in their group-by');
    assert.deepEqual(alerts._source, { excludes: ['events'] }, 'the latest alerts come without their triggering events');
  });

  test('a liaison: its organization.id filter comes first in both searches', () => {
    for (const body of [buildEventsSearch({ ip: IP }, LIAISON), buildAlertsSearch({ ip: IP }, LIAISON)]) {
      const q = body.query as { bool: { filter: [unknown, { bool: { filter: [{ bool: { should: unknown[] } }] } }] } };
      assert.deepEqual(q.bool.filter[0], { term: { 'organization.id': 'mofa' } });
      assert.deepEqual(q.bool.filter[1].bool.filter[0].bool.should.slice(0, 2), eitherSide(IP).bool.should);
    }
  });

  test('a CIDR block is a term on the ip fields; from/to bound @timestamp (to exclusive)', () => {
    const body = buildEventsSearch({ ip: '10.1.0.0/16', from: '2026-05-01T00:00:00.000Z', to: '2026-05-02T00:00:00.000Z' }, ANALYST);
    assert.deepEqual(body.query, { bool: { filter: [eitherSide('10.1.0.0/16'), { range: { '@timestamp': { gte: '2026-05-01T00:00:00.000Z', lt: '2026-05-02T00:00:00.000Z' } } }], must: [] } });
    const alertsQuery = JSON.stringify(buildAlertsSearch({ ip: '10.1.0.0/16' }, ANALYST).query);
    assert.ok(!alertsQuery.includes('correlation.group_by'), 'a block cannot match a keyword: only the ip fields');
    const aggs = body.aggs as Record<string, { filter?: unknown }>;
    assert.deepEqual(aggs.as_source?.filter, { term: { 'source.ip': '10.1.0.0/16' } });
    assert.deepEqual(aggs.as_destination?.filter, { term: { 'destination.ip': '10.1.0.0/16' } });
  });

  test('per agency, per sensor: terms on organization.id > agent.id (+ observer.name) with min/max/sum/cardinality', () => {
    const aggs = buildEventsSearch({ ip: IP }, ANALYST).aggs as Record<string, Record<string, unknown>>;
    const agencies = aggs.agencies as { terms: { field: string }; aggs: Record<string, Record<string, unknown>> };
    assert.equal(agencies.terms.field, 'organization.id');
    const sensors = agencies.aggs.sensors as { terms: { field: string }; aggs: Record<string, Record<string, unknown>> };
    assert.equal(sensors.terms.field, 'agent.id');
    assert.deepEqual(sensors.aggs.observers, { terms: { field: 'observer.name', size: 10 } });
    for (const level of [aggs, agencies.aggs, sensors.aggs]) {
      assert.deepEqual(level.first_seen, { min: { field: '@timestamp' } });
      assert.deepEqual(level.last_seen, { max: { field: '@timestamp' } });
      assert.deepEqual(level.bytes, { sum: { field: 'network.bytes' } });
      assert.deepEqual(level.packets, { sum: { field: 'network.packets' } });
      assert.deepEqual((level.as_source as { aggs: unknown }).aggs, { peers: { cardinality: { field: 'destination.ip' } }, ports: { cardinality: { field: 'destination.port' } } });
      assert.deepEqual((level.as_destination as { aggs: unknown }).aggs, { peers: { cardinality: { field: 'source.ip' } }, ports: { cardinality: { field: 'destination.port' } } });
    }
  });
});

// An answer in OpenSearch's shapes: agency mofa (2 sensors), mof (1), moh with alerts only (its events expired),
// and a cross-agency correlation alert.
const T = (iso: string) => ({ value: Date.parse(iso), value_as_string: iso });
const sideAgg = (n: number, peers: number, ports: number) => ({ doc_count: n, peers: { value: peers }, ports: { value: ports } });
const trafficOf = (n: number, first: string, last: string, bytes: number, src: [number, number, number], dst: [number, number, number]) => ({
  doc_count: n,
  first_seen: T(first),
  last_seen: T(last),
  bytes: { value: bytes },
  packets: { value: n * 2 },
  as_source: sideAgg(...src),
  as_destination: sideAgg(...dst),
});
const eventsAnswer: SearchResult = {
  hits: { total: { value: 7, relation: 'eq' }, hits: [] },
  aggregations: {
    ...trafficOf(7, '2026-05-01T10:00:00.000Z', '2026-05-01T12:00:00.000Z', 7000, [6, 5, 2], [1, 1, 1]),
    agencies: {
      sum_other_doc_count: 0,
      buckets: [
        {
          key: 'mofa',
          ...trafficOf(5, '2026-05-01T10:00:00.000Z', '2026-05-01T11:00:00.000Z', 5000, [4, 3, 2], [1, 1, 1]),
          sensors: {
            sum_other_doc_count: 0,
            buckets: [
              { key: 'agent-01', ...trafficOf(3, '2026-05-01T10:00:00.000Z', '2026-05-01T10:30:00.000Z', 3000, [3, 2, 1], [0, 0, 0]), observers: { buckets: [{ key: 'agent-01', doc_count: 2 }, { key: 'edge-fw', doc_count: 1 }] } },
              { key: 'agent-02', ...trafficOf(2, '2026-05-01T10:40:00.000Z', '2026-05-01T11:00:00.000Z', 2000, [1, 1, 1], [1, 1, 1]), observers: { buckets: [{ key: 'agent-02', doc_count: 2 }] } },
            ],
          },
        },
        {
          key: 'mof',
          ...trafficOf(2, '2026-05-01T11:30:00.000Z', '2026-05-01T12:00:00.000Z', 2000, [2, 2, 1], [0, 0, 0]),
          sensors: { sum_other_doc_count: 3, buckets: [{ key: 'agent-01', ...trafficOf(2, '2026-05-01T11:30:00.000Z', '2026-05-01T12:00:00.000Z', 2000, [2, 2, 1], [0, 0, 0]), observers: { buckets: [] } }] },
        },
      ],
    },
    top_ports: { buckets: [{ key: 445, doc_count: 5 }, { key: 22, doc_count: 2 }] },
    peers_as_source: { doc_count: 6, top: { buckets: [{ key: '10.0.0.5', doc_count: 4 }, { key: '10.0.0.6', doc_count: 2 }] } },
    peers_as_destination: { doc_count: 1, top: { buckets: [{ key: '10.0.0.6', doc_count: 1 }] } },
  },
};
const sev = (...pairs: [string, number][]) => ({ buckets: pairs.map(([key, doc_count]) => ({ key, doc_count })) });
const latest = { '@timestamp': '2026-05-01T12:00:00.000Z', alert: { id: 'al-1' }, organization: { id: 'mof' } };
const alertsAnswer: SearchResult = {
  hits: { total: { value: 4, relation: 'eq' }, hits: [{ _id: 'al-1', _index: 'alerts-2026.05.01', _source: latest }] },
  aggregations: {
    agencies: {
      sum_other_doc_count: 0,
      buckets: [
        { key: 'mofa', doc_count: 1, severity: sev(['high', 1]), first: T('2026-05-01T10:05:00.000Z'), last: T('2026-05-01T10:05:00.000Z') },
        { key: 'moh', doc_count: 2, severity: sev(['medium', 1], ['critical', 1]), first: T('2026-04-01T00:00:00.000Z'), last: T('2026-04-02T00:00:00.000Z') },
        { key: 'cross-agency', doc_count: 1, severity: sev(['critical', 1]), first: T('2026-05-01T12:00:00.000Z'), last: T('2026-05-01T12:00:00.000Z') },
      ],
    },
    rules: {
      sum_other_doc_count: 0,
      buckets: [
        { key: 'cirt-net-0001', doc_count: 3, severity: sev(['high', 1], ['medium', 1], ['critical', 1]), last: T('2026-05-01T10:05:00.000Z'), agencies: sev(['moh', 2], ['mofa', 1]), name: { hits: { hits: [{ _source: { rule: { name: 'Outbound SMB' } } }] } } },
        { key: 'cirt-corr-0001', doc_count: 1, severity: sev(['critical', 1]), last: T('2026-05-01T12:00:00.000Z'), agencies: sev(['cross-agency', 1]), name: { hits: { hits: [] } } },
      ],
    },
  },
};

describe('reading the answer', () => {
  const tb = toTraceback({ ip: IP }, eventsAnswer, alertsAnswer);

  test('agencies: traffic from events-*, alert counts from alerts-*, most events first; alert-only agencies kept', () => {
    assert.deepEqual(tb.agencies.map((a) => [a.agency, a.events, a.alerts.total]), [['mofa', 5, 1], ['mof', 2, 0], ['moh', 0, 2]]);
    const mofa = tb.agencies[0]!;
    assert.equal(mofa.first_seen, '2026-05-01T10:00:00.000Z');
    assert.equal(mofa.last_seen, '2026-05-01T11:00:00.000Z');
    assert.deepEqual([mofa.bytes, mofa.packets], [5000, 10]);
    assert.deepEqual(mofa.as_source, { events: 4, peers: 3, ports: 2 });
    assert.deepEqual(mofa.as_destination, { events: 1, peers: 1, ports: 1 });
    assert.deepEqual(mofa.sensors.map((s) => [s.agent, s.observers, s.events, s.first_seen, s.last_seen]), [
      ['agent-01', ['agent-01', 'edge-fw'], 3, '2026-05-01T10:00:00.000Z', '2026-05-01T10:30:00.000Z'],
      ['agent-02', ['agent-02'], 2, '2026-05-01T10:40:00.000Z', '2026-05-01T11:00:00.000Z'],
    ]);
    assert.deepEqual(mofa.alerts, { total: 1, by_severity: { informational: 0, low: 0, medium: 0, high: 1, critical: 0 }, first: '2026-05-01T10:05:00.000Z', last: '2026-05-01T10:05:00.000Z' });
    const moh = tb.agencies[2]!;
    assert.equal(moh.first_seen, undefined, 'no telemetry retained: no first seen is claimed');
    assert.deepEqual([moh.bytes, moh.sensors, moh.alerts.first], [0, [], '2026-04-01T00:00:00.000Z']);
    assert.ok(!tb.agencies.some((a) => a.agency === 'cross-agency'), 'the correlation pseudo-agency is not an agency');
  });

  test('summary, rules, latest alerts, top ports and peers (peers seen on both sides summed)', () => {
    assert.deepEqual(tb.summary, {
      first_seen: '2026-05-01T10:00:00.000Z',
      last_seen: '2026-05-01T12:00:00.000Z',
      events: 7,
      bytes: 7000,
      packets: 14,
      as_source: { events: 6, peers: 5, ports: 2 },
      as_destination: { events: 1, peers: 1, ports: 1 },
      agencies: 3,
      sensors: 3,
      alerts: 4,
    });
    assert.deepEqual(tb.rules.map((r) => [r.rule_id, r.rule_name, r.count, r.by_severity.critical, r.agencies, r.last]), [
      ['cirt-net-0001', 'Outbound SMB', 3, 1, ['moh', 'mofa'], '2026-05-01T10:05:00.000Z'],
      ['cirt-corr-0001', 'cirt-corr-0001', 1, 1, ['cross-agency'], '2026-05-01T12:00:00.000Z'],
    ]);
    assert.deepEqual(tb.latest_alerts, [latest]);
    assert.deepEqual(tb.top_ports, [{ port: 445, events: 5 }, { port: 22, events: 2 }]);
    assert.deepEqual(tb.top_peers, [{ ip: '10.0.0.5', events: 4 }, { ip: '10.0.0.6', events: 3 }]);
    assert.equal(tb.truncated, true, 'mof has more sensors than listed (sum_other_doc_count 3)');
    assert.deepEqual(tb.query, { ip: IP });
  });

  test('nothing retained: an empty, well-formed answer', () => {
    const none = toTraceback({ ip: IP, from: '2026-05-01T00:00:00.000Z' }, empty, empty);
    assert.deepEqual(none.summary, { events: 0, bytes: 0, packets: 0, as_source: { events: 0, peers: 0, ports: 0 }, as_destination: { events: 0, peers: 0, ports: 0 }, agencies: 0, sensors: 0, alerts: 0 });
    assert.deepEqual([none.agencies, none.rules, none.latest_alerts, none.top_ports, none.top_peers, none.truncated], [[], [], [], [], [], false]);
    assert.deepEqual(none.query, { ip: IP, from: '2026-05-01T00:00:00.000Z' });
  });
});

describe('TracebackService', () => {
  test('every role that reads alerts may trace back; both searches go to the configured indices, scoped', async () => {
    for (const p of [ANALYST, LEAD, LIAISON]) {
      const rec = recordingStore({ events: eventsAnswer, alerts: alertsAnswer });
      const svc = new TracebackService(rec.store, { events: 'x-events-*', alerts: 'x-alerts-*' });
      const tb = await svc.traceback({ ip: IP }, p);
      assert.equal(tb.summary.events, 7);
      assert.deepEqual(rec.calls.map((c) => c.index).sort(), ['x-alerts-*', 'x-events-*']);
      for (const c of rec.calls) {
        const filter0 = (c.body.query as { bool: { filter: unknown[] } }).bool.filter[0];
        if (p.role === 'liaison') assert.deepEqual(filter0, { term: { 'organization.id': 'mofa' } }, c.index);
        else assert.deepEqual((filter0 as { bool: { should: unknown[] } }).bool.should.slice(0, 2), eitherSide(IP).bool.should, c.index);
      }
    }
  });

  test('a store answer without hits is ERR_UI_STORE_RESPONSE, never a crash in the mapping', async () => {
    const rec = recordingStore({ events: {} as SearchResult, alerts: alertsAnswer });
    await assert.rejects(new TracebackService(rec.store, { events: 'events-*', alerts: 'alerts-*' }).traceback({ ip: IP }, ANALYST), { code: 'ERR_UI_STORE_RESPONSE' });
  });

  test('a liaison without an agency sees nothing (403)', async () => {
    const rec = recordingStore({ events: empty, alerts: empty });
    await assert.rejects(new TracebackService(rec.store, { events: 'events-*', alerts: 'alerts-*' }).traceback({ ip: IP }, { username: 'x', role: 'liaison' }), { code: 'ERR_UI_FORBIDDEN' });
    assert.equal(rec.calls.length, 0);
  });
});

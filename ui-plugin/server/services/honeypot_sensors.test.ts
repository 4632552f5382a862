// The "Honeypot sensors" panel: the queries it sends (honeypot hits, then the same addresses in agency telemetry and
// alerts, all scoped) and how it assembles the answer; the route's validation and permission.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HONEYPOTS_PATH, type HoneypotSensorsData, type Principal } from '../../common/index';
import { createWallRoutes } from '../routes/wall';
import type { DocStore, SearchBody, SearchResult } from './store';
import { WallService } from './wall_service';

const NOW = new Date('2026-11-26T12:00:00Z');
const ANALYST: Principal = { username: 'ana', role: 'analyst' };
const LIAISON: Principal = { username: 'lia', role: 'liaison', agency: 'mofa' };

const honeypotHits: SearchResult = {
  hits: { total: { value: 23 }, hits: [] },
  aggregations: {
    distinct: { value: 2 },
    sources: {
      buckets: [
        { key: '203.0.113.45', doc_count: 18, sensors: { buckets: [{ key: 'hp-sensor-01', doc_count: 14 }, { key: 'hp-sensor-02', doc_count: 4 }] }, products: { buckets: [{ key: 'cowrie', doc_count: 14 }, { key: 'dionaea', doc_count: 4 }] }, first: { value: Date.parse('2026-11-26T09:14:02.118Z') }, last: { value: Date.parse('2026-11-26T09:31:17.402Z') } },
        { key: '198.51.100.23', doc_count: 5, sensors: { buckets: [{ key: 'hp-sensor-01', doc_count: 5 }] }, products: { buckets: [{ key: 'cowrie', doc_count: 5 }] }, first: { value: Date.parse('2026-11-26T09:20:41.551Z') }, last: { value: Date.parse('2026-11-26T09:20:45.449Z') } },
      ],
    },
  },
};
const side = (ip: string, agencies: string[]) => ({ ips: { buckets: [{ key: ip, doc_count: 3, agencies: { buckets: agencies.map((a) => ({ key: a, doc_count: 1 })) } }] } });
const telemetry: SearchResult = { hits: { hits: [] }, aggregations: { as_source: side('203.0.113.45', ['mofa']), as_destination: side('203.0.113.45', ['moh']) } };
const alerts: SearchResult = { hits: { hits: [] }, aggregations: { as_source: side('203.0.113.45', ['cross-agency', 'mofa']), as_destination: { ips: { buckets: [] } } } };

function recordingStore(answers: SearchResult[]) {
  const calls: { index: string; body: SearchBody }[] = [];
  const store = { search: async (index: string, body: SearchBody) => (calls.push({ index, body }), answers[calls.length - 1] ?? { hits: { hits: [] } }) } as unknown as DocStore;
  return { store, calls };
}

test('top honeypot sources with their sensors, first/last seen, and the agencies where the same address appears', async () => {
  const { store, calls } = recordingStore([honeypotHits, telemetry, alerts]);
  const svc = new WallService(store, { alerts: 'alerts-*', events: 'events-*' }, () => NOW);
  const data = await svc.honeypots(24, 20, ANALYST);
  assert.deepEqual(data, {
    generated_at: '2026-11-26T12:00:00.000Z',
    hours: 24,
    total_hits: 23,
    distinct_sources: 2,
    sources: [
      { ip: '203.0.113.45', hits: 18, sensors: ['hp-sensor-01', 'hp-sensor-02'], products: ['cowrie', 'dionaea'], first_seen: '2026-11-26T09:14:02.118Z', last_seen: '2026-11-26T09:31:17.402Z', in_agencies: true, agencies: ['mofa', 'moh'] },
      { ip: '198.51.100.23', hits: 5, sensors: ['hp-sensor-01'], products: ['cowrie'], first_seen: '2026-11-26T09:20:41.551Z', last_seen: '2026-11-26T09:20:45.449Z', in_agencies: false, agencies: [] },
    ],
  } satisfies HoneypotSensorsData);
  // 1: honeypot hits in the last 24 h; 2, 3: the same addresses, as source or destination, outside the honeypots
  assert.deepEqual(calls.map((c) => c.index), ['events-*', 'events-*', 'alerts-*']);
  const first = JSON.stringify(calls[0]!.body);
  for (const s of ['{"term":{"observer.type":"honeypot"}}', '"gte":"2026-11-25T12:00:00.000Z"', '"field":"source.ip","size":20', '"observer.hostname"']) assert.ok(first.includes(s), s);
  for (const c of calls.slice(1)) {
    const q = JSON.stringify(c.body.query);
    assert.ok(q.includes('"must_not":[{"term":{"observer.type":"honeypot"}}]'), 'agency side excludes the honeypots themselves');
    assert.ok(q.includes('{"terms":{"source.ip":["203.0.113.45","198.51.100.23"]}}') && q.includes('{"terms":{"destination.ip":["203.0.113.45","198.51.100.23"]}}'), q);
  }
});

test('no honeypot hit: one query, an empty panel', async () => {
  const { store, calls } = recordingStore([{ hits: { total: 0, hits: [] }, aggregations: { distinct: { value: 0 }, sources: { buckets: [] } } }]);
  const data = await new WallService(store, { alerts: 'a', events: 'e' }, () => NOW).honeypots(6, 10, ANALYST);
  assert.equal(calls.length, 1);
  assert.deepEqual([data.total_hits, data.sources, data.hours], [0, [], 6]);
});

test('route: validated query (hours 1..168, size 1..100), wall:read permission', async () => {
  const { store, calls } = recordingStore([honeypotHits, telemetry, alerts]);
  const routes = createWallRoutes(new WallService(store, { alerts: 'alerts-*', events: 'events-*' }, () => NOW), { error: () => {} });
  const route = routes.find((r) => r.path === HONEYPOTS_PATH && r.method === 'GET')!;
  assert.ok(route, 'GET /api/cirt/wall/honeypots is registered');
  const ok = await route.handler({ query: { hours: '12', size: '5' }, params: {}, principal: ANALYST });
  assert.equal(ok.status, 200);
  assert.equal((ok.body as HoneypotSensorsData).hours, 12);
  assert.ok(JSON.stringify(calls[0]!.body).includes('"size":5'));
  for (const query of [{ hours: '0' }, { hours: '500' }, { size: 'x' }, { nope: '1' }]) {
    const bad = await route.handler({ query, params: {}, principal: ANALYST });
    assert.equal(bad.status, 400, JSON.stringify(query));
  }
  assert.equal((await route.handler({ query: {}, params: {}, principal: LIAISON })).status, 403);
  assert.equal((await route.handler({ query: {}, params: {} })).status, 401);
});

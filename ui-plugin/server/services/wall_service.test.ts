import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Principal } from '../../common/index';
import type { DocStore } from './store';
import { agencyHealth, WallService } from './wall_service';

test('agencyHealth: latest heartbeat per agent summed; earliest of the agents\' newest certificates', () => {
  const hit = (ts: string, bytes: number, records: number, connected: boolean) => ({ latest: { hits: { hits: [{ _source: { '@timestamp': ts, cirt: { agent: { spool: { backlog_bytes: bytes, backlog_records: records }, shipper: { connected } } } } }] } } });
  const health = agencyHealth({
    key: 'moh',
    doc_count: 10,
    heartbeat: { agents: { buckets: [{ key: 'a1', doc_count: 3, ...hit('2026-05-01T11:59:00Z', 100, 1, true) }, { key: 'a2', doc_count: 1, ...hit('2026-05-01T11:50:00.000Z', 50, 2, false) }, { key: 'a3', doc_count: 1, latest: { hits: { hits: [] } } }] } },
    cert: { agents: { buckets: [{ key: 'a1', doc_count: 5, not_after: { value: 1, value_as_string: '2026-06-01T00:00:00.000Z' } }, { key: 'a2', doc_count: 5, not_after: { value: 1, value_as_string: '2026-05-10T00:00:00.000Z' } }] } },
  });
  assert.deepEqual(health, {
    spool: { agents: 2, backlog_bytes: 150, backlog_records: 3, disconnected: 1, heartbeat_at: '2026-05-01T11:50:00.000Z' },
    certificate: { not_after: '2026-05-10T00:00:00.000Z', agent: 'a2' },
  });
  assert.deepEqual(agencyHealth({ key: 'x', doc_count: 1 }), {}, 'no heartbeat, no certificate: nothing claimed');
});

test('the wall query asks for heartbeats and certificate expiries per agency, scoped', async () => {
  const bodies: Record<string, unknown>[] = [];
  const store = { search: async (_index: string, body: Record<string, unknown>) => (bodies.push(body), { hits: { hits: [] }, aggregations: {} }) } as unknown as DocStore;
  const svc = new WallService(store, { alerts: 'alerts-*', events: 'events-*' }, () => new Date('2026-05-01T12:00:00Z'));
  await svc.wall(60, { username: 'a', role: 'analyst' } as Principal);
  const aggs = JSON.stringify(bodies[0]);
  for (const s of ['"cirt.agent_health"', '"top_hits"', '"cirt.agent_cert.not_after"', '"agent.id"', '"must_not"']) assert.ok(aggs.includes(s), s);
  await assert.rejects(svc.wall(60, { username: 'l', role: 'liaison', agency: 'moh' } as Principal), /wall/);
});

test('the wall counts alerts per RSIT classification (alerts without one count as other)', async () => {
  const bodies: Record<string, unknown>[] = [];
  const classifications = { buckets: [{ key: 'information-gathering', doc_count: 7 }, { key: 'other', doc_count: 2 }] };
  const store = {
    search: async (_index: string, body: Record<string, unknown>) => {
      bodies.push(body);
      return { hits: { hits: [] }, aggregations: JSON.stringify(body).includes('rsit.classification') ? { classifications } : {} };
    },
  } as unknown as DocStore;
  const svc = new WallService(store, { alerts: 'alerts-*', events: 'events-*' }, () => new Date('2026-05-01T12:00:00Z'));
  const wall = await svc.wall(60, { username: 'a', role: 'analyst' } as Principal);
  assert.deepEqual(wall.classifications, [{ classification: 'information-gathering', alerts: 7 }, { classification: 'other', alerts: 2 }]);
  const agg = bodies.map((b) => (b.aggs as Record<string, unknown> | undefined)?.classifications).find(Boolean);
  assert.deepEqual(agg, { terms: { field: 'rsit.classification', size: 20, missing: 'other' } });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadIndexerConfig } from '../indexer/config.ts';
import { indicesToDelete, parseDailyIndex, parsePeriodIndex, retainedDailyIndex } from '../indexer/retention.ts';
import { ALERTS_TEMPLATE } from '../indexer/templates.ts';

const days = { events: 30, alerts: 365, deadletter: 90, audit: 730 };

test('each class is kept for its own number of days, counted from the end of the index day', () => {
  const now = new Date('2026-11-26T00:00:00Z');
  const indices = [
    'events-2026.10.26', // day ends 10-27: exactly 30 days -> delete
    'events-2026.10.27', // 29 days old at its end -> keep
    'alerts-2025.11.25', // ends 2025-11-26 = 365 days -> delete
    'alerts-2025.11.26', // keep
    'deadletter-2026.08.27', // ends 08-28 = 90 days -> delete
    'deadletter-2026.08.28', // keep
  ];
  assert.deepEqual(indicesToDelete(indices, now, days), ['alerts-2025.11.25', 'deadletter-2026.08.27', 'events-2026.10.26']);
  assert.deepEqual(indicesToDelete(indices, new Date('2026-11-25T23:59:59.999Z'), days), [], 'one millisecond earlier, none is due');
});

test('names that are not our daily indices are never deleted', () => {
  const old = new Date('2030-01-01T00:00:00Z');
  assert.deepEqual(indicesToDelete(['events-2020.02.30', 'events-2020.1.1', 'events-2020.01.01-restored', '.kibana', 'events-foo', 'metrics-2020.01.01', 'events-2020.01.01'], old, days), ['events-2020.01.01']);
  assert.equal(parseDailyIndex('events-2020.13.01'), undefined);
  assert.deepEqual(parseDailyIndex('alerts-2024.02.29'), { dataClass: 'alerts', dayStartMs: Date.UTC(2024, 1, 29) });
});

test('retention and store engine are configurable, with the documented defaults and unknown keys rejected', () => {
  const d = loadIndexerConfig(undefined, undefined, {});
  assert.deepEqual({ ...d.retention }, { enabled: true, events: 30, alerts: 365, deadletter: 90, audit: 730, incidents: 'never', advisories: 'never', sweepEveryMinutes: 1440 });
  assert.deepEqual({ ...d.store }, { engine: 'opensearch', url: 'http://127.0.0.1:19200' });
  const c = loadIndexerConfig(undefined, { 'retention.events': 7, 'store.engine': 'elasticsearch' }, { CIRT_STORE_URL: 'https://es.example:9200' });
  assert.equal(c.retention.events, 7);
  assert.deepEqual({ ...c.store }, { engine: 'elasticsearch', url: 'https://es.example:9200' });
  assert.throws(() => loadIndexerConfig(undefined, { 'store.engine': 'solr' }, {}), /store\/engine/);
  assert.throws(() => loadIndexerConfig(undefined, { 'retention.logs': 3 }, {}), /unknown key 'logs'/);
  assert.throws(() => loadIndexerConfig(undefined, { 'retention.alerts': 0 }, {}), /retention\/alerts/);
  assert.throws(() => loadIndexerConfig(undefined, { 'retention.incidents': 30 }, {}), /retention\/incidents/, 'incidents are never deleted');
});

test('monthly audit indices are kept for the audit retention, counted from the end of their month', () => {
  // audit-2024.11 ends 2024-12-01; 730 days later is 2026-12-01
  assert.deepEqual(indicesToDelete(['audit-2024.11', 'audit-2024.12', 'audit-2024.13', 'audit-x', 'incidents', 'advisories'], new Date('2026-12-01T00:00:00Z'), days), ['audit-2024.11']);
  assert.deepEqual(indicesToDelete(['audit-2024.11'], new Date('2026-11-30T23:59:59.999Z'), days), []);
  assert.deepEqual(parsePeriodIndex('audit-2026.02'), { dataClass: 'audit', startMs: Date.UTC(2026, 1, 1), endMs: Date.UTC(2026, 2, 1) });
  assert.equal(parseDailyIndex('audit-2026.02'), undefined);
});

test('the alerts template maps the RSIT classification and the TLP as keywords', () => {
  const p = ALERTS_TEMPLATE.template.mappings.properties;
  assert.deepEqual(p.rsit, { properties: { classification: { type: 'keyword' }, type: { type: 'keyword' } } });
  assert.deepEqual(p.tlp, { type: 'keyword' });
});

test('a document older than its retention goes to the oldest day still kept, never to an index the next sweep deletes', () => {
  const now = new Date('2026-11-26T10:00:00Z');
  assert.deepEqual(retainedDailyIndex('events', '2026-11-25T23:59:59.999Z', now, 30), { index: 'events-2026.11.25', clamped: false });
  assert.deepEqual(retainedDailyIndex('events', '2026-10-28T00:00:00Z', now, 30), { index: 'events-2026.10.28', clamped: false }, 'kept 30 days from the end of its day');
  const old = retainedDailyIndex('events', '2026-09-01T12:00:00Z', now, 30);
  assert.deepEqual(old, { index: 'events-2026.10.28', clamped: true });
  for (const t of ['2026-10-27T23:00:00Z', '2026-09-01T12:00:00Z', '1970-01-01T00:00:00Z']) {
    const { index } = retainedDailyIndex('events', t, now, 30);
    assert.deepEqual(indicesToDelete([index], new Date(now.getTime() + 86_400_000 - 1), { events: 30, alerts: 365, deadletter: 90, audit: 730 }), [], `${t} -> ${index} survives the sweeps of the next day`);
  }
  assert.deepEqual(retainedDailyIndex('alerts', '2026-09-01T12:00:00Z', now, undefined), { index: 'alerts-2026.09.01', clamped: false }, 'no retention, no move');
  assert.deepEqual(retainedDailyIndex('events', '2027-01-01T00:00:00Z', now, 30), { index: 'events-2027.01.01', clamped: false }, 'future days are kept as they are');
});

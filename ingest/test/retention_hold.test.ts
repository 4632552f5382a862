// Evidence held for incidents (the operations room's `incident-events` index, and any `evidence-*` name) is never
// swept by the telemetry retention, however old: only events|alerts|deadletter-YYYY.MM.DD are candidates, and
// the sweep lists only RETENTION_PATTERNS, which match none of the hold indices.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indicesToDelete, RETENTION_PATTERNS } from '../indexer/retention.ts';

const DAYS = { events: 30, alerts: 365, deadletter: 90, audit: 730 };

test('held evidence survives the sweep that deletes the raw telemetry it was copied from', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const names = ['events-2026.05.01', 'incident-events', 'evidence-2026.05.01', 'incident-events-2026.05.01', 'uitabc-incident-events'];
  assert.deepEqual(indicesToDelete(names, now, DAYS), ['events-2026.05.01']);
});

test('the sweep lists no pattern that matches a hold index', () => {
  const matches = (pattern: string, name: string) => (pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern);
  for (const held of ['incident-events', 'evidence-2026.05.01']) {
    assert.deepEqual(RETENTION_PATTERNS.filter((p) => matches(p, held)), [], held);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { certClass, certLabel, formatBytes, spoolClass } from './wall';

const now = new Date('2026-05-01T12:00:00.000Z');
const inDays = (d: number) => new Date(now.getTime() + d * 86_400_000).toISOString();

test('certificate expiry: red under 14 days, amber under 30, expired, unknown', () => {
  assert.deepEqual([inDays(-1), inDays(0.5), inDays(13.9), inDays(14), inDays(29.9), inDays(30), undefined, 'nope'].map((t) => certClass(t, now)), ['expired', 'red', 'red', 'amber', 'amber', 'ok', 'unknown', 'unknown']);
  assert.deepEqual([inDays(-3), inDays(0.25), inDays(8.5), undefined].map((t) => certLabel(t, now)), ['expired 3 d ago', 'in 6 h', 'in 8 d', '—']);
});

test('spool backlog: stale heartbeat, backlog or disconnected, ok', () => {
  const spool = (min: number, records: number, disconnected = 0) => ({ agents: 1, backlog_bytes: records * 100, backlog_records: records, disconnected, heartbeat_at: new Date(now.getTime() - min * 60_000).toISOString() });
  assert.equal(spoolClass(undefined, now), 'unknown');
  assert.equal(spoolClass(spool(1, 0), now), 'ok');
  assert.equal(spoolClass(spool(1, 5), now), 'backlog');
  assert.equal(spoolClass(spool(1, 0, 1), now), 'backlog');
  assert.equal(spoolClass(spool(6, 0), now), 'stale');
  assert.deepEqual([0, 1023, 1536, 48 * 1024 * 1024, 3 * 1024 ** 4].map(formatBytes), ['0 B', '1023 B', '1.5 KiB', '48 MiB', '3 TiB']);
});

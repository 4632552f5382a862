import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EcsEvent } from '../../proto/ecs.ts';
import { buildHeartbeat, HEARTBEAT_DATASET, startHeartbeat } from '../heartbeat.ts';

test('buildHeartbeat: ECS metric event with spool, shipper and input figures', () => {
  const e = buildHeartbeat(
    {
      bootId: 'boot-1',
      spool: { pendingBytes: 4096, unreadRecords: 12, counters: { appended: 20, acked: 8, droppedFull: 2, tornRecords: 1, corruptRegions: 0, fullRefusals: 0, writeErrors: 3, diskFullErrors: 3, ackSaveErrors: 0 } },
      shipper: { connected: false, reconnects: 3, rejectedEvents: 5 },
      inputs: [{ name: 'jsonl:agents/demo/demo-events.jsonl', received: 10, spooled: 9, rejected: 1, counters: { lines_total: 10 } }],
    },
    new Date('2026-05-01T12:00:00.000Z'),
  );
  assert.deepEqual(e, {
    '@timestamp': '2026-05-01T12:00:00.000Z',
    event: { kind: 'metric', dataset: HEARTBEAT_DATASET, module: 'cirt' },
    cirt: {
      agent: {
        boot_id: 'boot-1',
        spool: { backlog_bytes: 4096, backlog_records: 12, acked_total: 8, dropped_total: 2, torn_total: 1 },
        shipper: { connected: false, reconnects: 3, rejected_events: 5 },
        inputs: [{ name: 'jsonl:agents/demo/demo-events.jsonl', received: 10, spooled: 9, rejected: 1, lines_total: 10 }],
      },
    },
  });
  assert.equal(HEARTBEAT_DATASET, 'cirt.agent_health');
});

test('startHeartbeat: immediate first beat, then one per interval, never two pending at once', async () => {
  const sent: EcsEvent[] = [];
  let release: (() => void) | undefined;
  const hb = startHeartbeat({
    intervalMs: 20,
    immediate: true,
    build: () => ({ '@timestamp': new Date().toISOString() }),
    emit: (e) => {
      sent.push(e);
      return new Promise<void>((r) => (release = r)); // a full spool: the first beat waits
    },
    onError: (err) => assert.fail(String(err)),
  });
  assert.equal(sent.length, 1, 'the first beat at start');
  await new Promise((r) => setTimeout(r, 90));
  assert.equal(sent.length, 1, 'ticks while a beat is pending are skipped');
  release?.();
  await new Promise((r) => setTimeout(r, 60));
  assert.ok(sent.length >= 2, `beats resume once the spool took the pending one (${sent.length})`);
  hb.stop();
  release?.();
});

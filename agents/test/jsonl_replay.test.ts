import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJsonLines, readJsonLines, shiftToNow } from '../inputs/jsonl_replay.ts';

test('good lines are kept, bad lines are reported with file and line', () => {
  const text = ['{"@timestamp":"2026-01-01T00:00:00Z","event":{"category":["network"],"dataset":"netflow.flow"}}', '', 'nope', '{"message":"no time"}', '{"@timestamp":"2026-01-01T00:00:01Z","message":"ok"}'].join('\n');
  const r = parseJsonLines(text, 'x.jsonl');
  assert.deepEqual(r.items.map((i) => i.kind), ['flow', 'log']);
  assert.deepEqual(r.errors.map((e) => [e.code, e.location?.line]), [['ERR_REPLAY_JSON', 3], ['ERR_REPLAY_EVENT', 4]]);
  assert.match(r.errors[0]!.toString(), /^x\.jsonl:3: not JSON/);
});

test('timestamps are shifted so the newest lands now, spacing kept', () => {
  const r = parseJsonLines('{"@timestamp":"2026-01-01T00:00:00Z","event":{"start":"2025-12-31T23:59:59Z"}}\n{"@timestamp":"2026-01-01T00:00:10Z"}', 'f');
  const shifted = shiftToNow(r.items, new Date('2026-11-26T12:00:00Z'));
  assert.deepEqual(shifted.map((i) => i.event['@timestamp']), ['2026-11-26T11:59:50.000Z', '2026-11-26T12:00:00.000Z']);
  assert.equal(shifted[0]!.event.event?.start, '2026-11-26T11:59:49.000Z');
});

test('the bundled demo file parses without errors', () => {
  const r = readJsonLines(new URL('../demo/demo-events.jsonl', import.meta.url).pathname);
  assert.deepEqual(r.errors, []);
  assert.ok(r.items.some((i) => i.kind === 'flow') && r.items.some((i) => i.kind === 'log'));
});

test('a missing file is a located error, not a crash', () => {
  const r = readJsonLines('/nonexistent/file.jsonl');
  assert.equal(r.errors[0]?.code, 'ERR_REPLAY_FILE');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EcsEvent, RejectedRecord } from '../../proto/ecs.ts';
import { RecordKind, type Batch } from '../../proto/gen/ingest.ts';
import { eventId, stampedEvents, type TelemetryBatch } from '../../proto/telemetry.ts';
import { planBatch } from '../gateway/validate.ts';

const who = { agency: 'moh', agent: 'agent-01', serial: '01' };
const limits = { maxEventBytes: 1000, maxPastMs: 3_600_000, maxFutureMs: 60_000 };
const now = new Date('2026-11-26T12:00:00Z');
const rec = (kind: RecordKind, value: unknown) => ({ kind, eventJson: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)) });

/** What a consumer of telemetry.* reads from a Kafka value. */
const read = (value: string): EcsEvent[] => stampedEvents(JSON.parse(value));

function batch(records: Batch['records']): Batch {
  return { agentId: 'agent-01', bootId: 'boot-1', seq: 7, records };
}

test('valid flows and logs go to their topics, stamped with the identity from the certificate', () => {
  const plan = planBatch(batch([
    rec(RecordKind.RECORD_KIND_FLOW, { '@timestamp': '2026-11-26T11:59:00Z', organization: { id: 'forged' }, source: { ip: '10.0.0.1' } }),
    rec(RecordKind.RECORD_KIND_LOG, { '@timestamp': '2026-11-26T11:59:30Z', message: 'hello' }),
  ]), who, limits, now);
  assert.equal(plan.accepted, 2);
  assert.equal(plan.rejected, 0);
  assert.deepEqual(plan.records.map((r) => r.topic).sort(), ['telemetry.flows', 'telemetry.logs']);
  const value = plan.records.find((r) => r.topic === 'telemetry.flows')!.value;
  const flows = JSON.parse(value) as TelemetryBatch;
  assert.equal(flows.agency, 'moh');
  assert.deepEqual(flows.index, [0]);
  assert.deepEqual((flows.sent[0] as { organization: unknown }).organization, { id: 'forged' }, 'sent as the agent sent it');
  const e = read(value)[0]!;
  assert.deepEqual(e.organization, { id: 'moh' }, 'the payload cannot claim another agency');
  assert.equal(e.agent?.id, 'agent-01');
  assert.equal(e.agent?.ephemeral_id, 'boot-1');
  assert.equal(e.event?.ingested, now.toISOString());
  assert.equal(e.event?.id, eventId('moh', 'agent-01', 'boot-1', 7, 0));
  assert.equal(e['@timestamp'], '2026-11-26T11:59:00.000Z', 'timestamps in canonical form');
  const logs = read(plan.records.find((r) => r.topic === 'telemetry.logs')!.value);
  assert.equal(logs[0]!.event?.id, eventId('moh', 'agent-01', 'boot-1', 7, 1), 'ids by position in the agent batch, across topics');
  assert.ok(plan.records.every((r) => r.key === 'moh/agent-01'));
});

test('bad records go to telemetry.rejected with a reason while the good ones go through', () => {
  const plan = planBatch(batch([
    rec(RecordKind.RECORD_KIND_LOG, '{not json'),
    rec(RecordKind.RECORD_KIND_LOG, [1, 2]),
    rec(RecordKind.RECORD_KIND_LOG, { message: 'no timestamp' }),
    rec(RecordKind.RECORD_KIND_UNSPECIFIED, { '@timestamp': '2026-11-26T11:59:00Z' }),
    rec(RecordKind.RECORD_KIND_LOG, { '@timestamp': '2026-11-26T11:59:00Z', message: 'x'.repeat(2000) }),
    rec(RecordKind.RECORD_KIND_LOG, { '@timestamp': '2026-11-26T11:59:00Z', message: 'good' }),
  ]), who, limits, now);
  assert.equal(plan.accepted, 1);
  assert.equal(plan.rejected, 5);
  const rejected = plan.records.filter((r) => r.topic === 'telemetry.rejected').map((r) => JSON.parse(r.value) as RejectedRecord);
  assert.deepEqual(rejected.map((r) => [r.index, r.code]), [
    [0, 'ERR_GATEWAY_EVENT_JSON'],
    [1, 'ERR_GATEWAY_EVENT_SHAPE'],
    [2, 'ERR_GATEWAY_EVENT_TIMESTAMP'],
    [3, 'ERR_GATEWAY_RECORD_KIND'],
    [4, 'ERR_GATEWAY_EVENT_TOO_LARGE'],
  ]);
  assert.equal(rejected[0]!.original, '{not json');
  assert.equal(rejected[0]!.seq, 7);
});

test('timestamps too old or in the future are kept but tagged', () => {
  const plan = planBatch(batch([
    rec(RecordKind.RECORD_KIND_LOG, { '@timestamp': '2026-11-20T00:00:00Z', tags: ['x'] }),
    rec(RecordKind.RECORD_KIND_LOG, { '@timestamp': '2026-11-27T00:00:00Z' }),
  ]), who, limits, now);
  const events = read(plan.records[0]!.value);
  assert.deepEqual(events.map((e) => e.tags), [['x', 'timestamp_too_old'], ['timestamp_in_future']]);
});

test('event ids are deterministic per (agent, boot, seq, index)', () => {
  assert.equal(eventId('moh', 'a', 'b', 1, 0), eventId('moh', 'a', 'b', 1, 0));
  assert.notEqual(eventId('moh', 'a', 'b', 1, 0), eventId('moh', 'a', 'b', 1, 1));
  assert.notEqual(eventId('moh', 'a', 'b', 1, 0), eventId('mofa', 'a', 'b', 1, 0));
});

test('an agent-given event id survives re-shipping but is scoped to the certificate identity', () => {
  const ev = { '@timestamp': '2026-11-26T11:59:00Z', event: { id: 'spool-42' } };
  const a = planBatch(batch([rec(RecordKind.RECORD_KIND_LOG, ev)]), who, limits, now);
  const again = planBatch({ ...batch([rec(RecordKind.RECORD_KIND_LOG, ev)]), bootId: 'boot-2', seq: 1 }, who, limits, now);
  const other = planBatch(batch([rec(RecordKind.RECORD_KIND_LOG, ev)]), { ...who, agency: 'mofa' }, limits, now);
  const id = (p: typeof a) => read(p.records[0]!.value)[0]!.event?.id;
  assert.equal(id(a), id(again), 'same record after an agent restart: same id');
  assert.notEqual(id(a), id(other), 'another agency cannot collide with it');
});

test('every accepted event carries the agent certificate expiry and serial from the identity, not the payload', () => {
  const certified = { ...who, serial: '5F3A01', validTo: '2026-12-05T10:00:00.000Z' };
  const tls = { version: '1.3', client: { not_after: '2099-01-01T00:00:00.000Z', ja3: 'abc' } };
  const plan = planBatch(batch([
    rec(RecordKind.RECORD_KIND_FLOW, { '@timestamp': '2026-11-26T11:59:00Z', source: { ip: '10.0.0.1' } }),
    rec(RecordKind.RECORD_KIND_LOG, { '@timestamp': '2026-11-26T11:59:30Z', tls, cirt: { agent_cert: { not_after: '2099-01-01T00:00:00.000Z', serial: 'FORGED' } } }),
    rec(RecordKind.RECORD_KIND_LOG, 'not json'),
  ]), certified, limits, now);
  assert.equal(plan.accepted, 2);
  const events = plan.records.filter((r) => r.topic !== 'telemetry.rejected').flatMap((r) => read(r.value));
  const flow = events.find((e) => e.source)!;
  assert.deepEqual(flow.cirt?.agent_cert, { not_after: '2026-12-05T10:00:00.000Z', serial: '5F3A01' });
  const log = events.find((e) => !e.source)!;
  assert.deepEqual(log.cirt?.agent_cert, { not_after: '2026-12-05T10:00:00.000Z', serial: '5F3A01' }, 'the payload cannot claim another expiry or serial');
  assert.deepEqual(log.tls, tls, 'the TLS the event observed is left alone');
  const rejected = JSON.parse(plan.records.find((r) => r.topic === 'telemetry.rejected')!.value) as RejectedRecord;
  assert.equal(rejected.code, 'ERR_GATEWAY_EVENT_JSON', 'rejected records are not stamped');
  const noExpiry = planBatch(batch([rec(RecordKind.RECORD_KIND_LOG, { '@timestamp': '2026-11-26T11:59:30Z', cirt: { agent_cert: { not_after: '2099-01-01T00:00:00.000Z' } } })]), { ...who, serial: 'AB' }, limits, now);
  assert.deepEqual(read(noExpiry.records[0]!.value)[0]!.cirt?.agent_cert, { serial: 'AB' }, 'no expiry when the certificate has none, whatever the payload said');
});

test('a consumer reads the batches written before the envelope format, and refuses values of no known shape', () => {
  const v1 = { agency: 'moh', agentId: 'a', bootId: 'b', seq: 1, receivedAt: now.toISOString(), events: [{ '@timestamp': '2026-11-26T11:59:00.000Z', organization: { id: 'moh' } }] };
  assert.deepEqual(stampedEvents(v1), v1.events);
  assert.throws(() => stampedEvents([1]), { code: 'ERR_TELEMETRY_FORMAT' });
  assert.throws(() => stampedEvents({ v: 3, sent: [] }), /version 3/);
});

test('the Kafka value is valid JSON whatever the event text (whitespace, escapes, U+2028, astral characters)', () => {
  const texts = [' {"@timestamp":"2026-11-26T11:59:00Z","m":"a\\u0000b\\"c"} ', '{"@timestamp":"2026-11-26T11:59:00Z","m":"\u2028 \u{1F600}"}\n'];
  const plan = planBatch(batch(texts.map((t) => ({ kind: RecordKind.RECORD_KIND_LOG, eventJson: Buffer.from(t) }))), who, limits, now);
  assert.equal(plan.accepted, 2);
  const events = read(plan.records[0]!.value);
  assert.deepEqual(events.map((e) => (e as { m?: string }).m), ['a\u0000b"c', '\u2028 \u{1F600}']);
});

// Validation and stamping of one agent batch, pure: decides per record whether it goes to telemetry.* (stamped
// with the identity taken from the certificate) or to telemetry.rejected (with a reason). Nothing is dropped.
import { hash } from 'node:crypto';
import type { EcsEvent, RejectedRecord, TelemetryBatch } from '../../proto/ecs.ts';
import { TOPICS } from '../../proto/ecs.ts';
import { RecordKind, type Batch } from '../../proto/gen/ingest.ts';
import type { PeerIdentity } from './identity.ts';

export interface ValidationLimits {
  maxEventBytes: number;
  /** Events older than this are accepted but tagged `timestamp_too_old`. */
  maxPastMs: number;
  /** Events further in the future than this are accepted but tagged `timestamp_in_future`. */
  maxFutureMs: number;
}

export interface KafkaRecordPlan {
  topic: string;
  key: string;
  value: string;
}

export interface BatchPlan {
  records: KafkaRecordPlan[];
  accepted: number;
  rejected: number;
}

const ORIGINAL_CAP = 4096;
/** Already what toISOString() would give: no re-formatting needed. */
const CANONICAL_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const decoder = new TextDecoder();
/** UTF-8 text of a record without copying its bytes first. */
const utf8 = (bytes: Uint8Array) => decoder.decode(bytes);

export function planBatch(batch: Batch, who: PeerIdentity, limits: ValidationLimits, now: Date): BatchPlan {
  const receivedAt = now.toISOString();
  const byTopic = new Map<string, EcsEvent[]>();
  const records: KafkaRecordPlan[] = [];
  const key = `${who.agency}/${who.agent}`;
  let rejected = 0;

  batch.records.forEach((record, index) => {
    const reject = (code: string, reason: string) => {
      rejected++;
      const value: RejectedRecord = {
        agency: who.agency,
        agentId: who.agent,
        bootId: batch.bootId,
        seq: batch.seq,
        index,
        code,
        reason,
        receivedAt,
        original: Buffer.from(record.eventJson).subarray(0, ORIGINAL_CAP).toString('utf8'),
      };
      records.push({ topic: TOPICS.rejected, key, value: JSON.stringify(value) });
    };
    const topic = record.kind === RecordKind.RECORD_KIND_FLOW ? TOPICS.flows : record.kind === RecordKind.RECORD_KIND_LOG ? TOPICS.logs : undefined;
    if (!topic) return reject('ERR_GATEWAY_RECORD_KIND', `record ${index}: unknown kind ${record.kind}`);
    if (record.eventJson.length > limits.maxEventBytes) {
      return reject('ERR_GATEWAY_EVENT_TOO_LARGE', `record ${index}: ${record.eventJson.length} bytes exceeds the limit of ${limits.maxEventBytes}`);
    }
    let event: unknown;
    try {
      event = JSON.parse(utf8(record.eventJson));
    } catch (err) {
      return reject('ERR_GATEWAY_EVENT_JSON', `record ${index}: not JSON: ${(err as Error).message}`);
    }
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      return reject('ERR_GATEWAY_EVENT_SHAPE', `record ${index}: an event must be a JSON object`);
    }
    const e = event as EcsEvent;
    const ts = typeof e['@timestamp'] === 'string' ? Date.parse(e['@timestamp']) : Number.NaN;
    if (Number.isNaN(ts)) return reject('ERR_GATEWAY_EVENT_TIMESTAMP', `record ${index}: @timestamp is missing or not a date`);
    // (hot path: a Set only for the events that carry or get tags)
    let tags: Set<string> | undefined = Array.isArray(e.tags) ? new Set(e.tags) : undefined;
    if (now.getTime() - ts > limits.maxPastMs) (tags ??= new Set()).add('timestamp_too_old');
    if (ts - now.getTime() > limits.maxFutureMs) (tags ??= new Set()).add('timestamp_in_future');
    // Stamped in place: the object was just parsed from the record and belongs to nobody else (cheaper than
    // spreading a copy, measured by bench/gateway_hotpath.bench.ts).
    const stamped = e;
    if (!CANONICAL_TS.test(e['@timestamp'] as string)) stamped['@timestamp'] = new Date(ts).toISOString();
    stamped.event = { ...e.event, id: e.event?.id ? agentEventId(who, String(e.event.id)) : eventId(who, batch, index), ingested: receivedAt };
    // Identity from the certificate overrides whatever the payload claimed.
    stamped.organization = { id: who.agency };
    // The agent's mTLS client certificate (expiry for agency health on the wall, serial for audit), from the
    // certificate like the agency, in our own namespace: the event's ECS tls.* describes what it observed and is kept.
    stamped.cirt = { ...e.cirt, agent_cert: { ...(who.validTo ? { not_after: who.validTo } : {}), serial: who.serial } };
    stamped.agent = { ...e.agent, id: who.agent, ephemeral_id: batch.bootId };
    stamped.observer = { ...e.observer, name: e.observer?.name ?? who.agent };
    if (tags?.size) stamped.tags = [...tags];
    const list = byTopic.get(topic) ?? [];
    list.push(stamped);
    byTopic.set(topic, list);
  });

  let accepted = 0;
  for (const [topic, events] of byTopic) {
    accepted += events.length;
    const value: TelemetryBatch = { agency: who.agency, agentId: who.agent, bootId: batch.bootId, seq: batch.seq, receivedAt, events };
    records.push({ topic, key, value: JSON.stringify(value) });
  }
  return { records, accepted, rejected };
}

/**
 * The agent gives each event an id when it spools it, so a record re-shipped after an agent restart (new boot,
 * new seq) keeps its id. It is scoped by the certificate's identity, so one agency cannot overwrite another's.
 */
export function agentEventId(who: PeerIdentity, id: string): string {
  return hash('sha256', `${who.agency}\0${who.agent}\0${id}`, 'base64url').slice(0, 22);
}

/** Deterministic event id for events that carry none: a re-sent batch yields the same ids. */
export function eventId(who: PeerIdentity, batch: Pick<Batch, 'bootId' | 'seq'>, index: number): string {
  return hash('sha256', `${who.agency}\0${who.agent}\0${batch.bootId}\0${batch.seq}\0${index}`, 'base64url').slice(0, 22);
}

// Validation of one agent batch, pure: decides per record whether it goes to telemetry.* (with the identity taken
// from the certificate in the batch envelope, proto/telemetry.ts) or to telemetry.rejected (with a reason). Nothing
// is dropped. The accepted events are passed on as the agent sent them: parsing validates them, and the Kafka value
// is built from their text, so no event is re-serialised here (docs/decisions.md D25).
import type { RejectedRecord } from '../../proto/ecs.ts';
import { TOPICS } from '../../proto/ecs.ts';
import { RecordKind, type Batch } from '../../proto/gen/ingest.ts';
import type { TelemetryBatch } from '../../proto/telemetry.ts';
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
const decoder = new TextDecoder();
/** UTF-8 text of a record without copying its bytes first. */
const utf8 = (bytes: Uint8Array) => decoder.decode(bytes);

/** The events of one topic: their text as sent, their position in the agent batch, and the gateway's findings. */
interface TopicPart {
  texts: string[];
  index: number[];
  flags: Record<string, string[]> | undefined;
}

export function planBatch(batch: Batch, who: PeerIdentity, limits: ValidationLimits, now: Date): BatchPlan {
  const receivedAt = now.toISOString();
  const nowMs = now.getTime();
  const byTopic = new Map<string, TopicPart>();
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
    const text = utf8(record.eventJson);
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch (err) {
      return reject('ERR_GATEWAY_EVENT_JSON', `record ${index}: not JSON: ${(err as Error).message}`);
    }
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      return reject('ERR_GATEWAY_EVENT_SHAPE', `record ${index}: an event must be a JSON object`);
    }
    const stamp = (event as Record<string, unknown>)['@timestamp'];
    const ts = typeof stamp === 'string' ? Date.parse(stamp) : Number.NaN;
    if (Number.isNaN(ts)) return reject('ERR_GATEWAY_EVENT_TIMESTAMP', `record ${index}: @timestamp is missing or not a date`);
    let part = byTopic.get(topic);
    if (!part) byTopic.set(topic, (part = { texts: [], index: [], flags: undefined }));
    const flag = nowMs - ts > limits.maxPastMs ? 'timestamp_too_old' : ts - nowMs > limits.maxFutureMs ? 'timestamp_in_future' : undefined;
    if (flag) (part.flags ??= {})[part.texts.length] = [flag];
    part.texts.push(text);
    part.index.push(index);
  });

  let accepted = 0;
  for (const [topic, part] of byTopic) {
    accepted += part.texts.length;
    const envelope: Omit<TelemetryBatch, 'sent'> = {
      v: 2,
      agency: who.agency,
      agentId: who.agent,
      bootId: batch.bootId,
      seq: batch.seq,
      receivedAt,
      cert: { serial: who.serial, ...(who.validTo ? { notAfter: who.validTo } : {}) },
      index: part.index,
      ...(part.flags ? { flags: part.flags } : {}),
    };
    // Each text parsed as one JSON object above, so the array of them is valid JSON.
    const head = JSON.stringify(envelope);
    records.push({ topic, key, value: `${head.slice(0, -1)},"sent":[${part.texts.join(',')}]}` });
  }
  return { records, accepted, rejected };
}

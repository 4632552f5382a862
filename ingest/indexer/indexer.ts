// Writes documents with _bulk: retries only the items that failed with 429/5xx (with backoff), sends mapping
// errors and other permanent refusals to a dead-letter index with the reason, and resolves only when every
// document is either written or dead-lettered, so the caller can commit its Kafka offsets.
import { dailyIndex, type Alert, type EcsEvent } from '../../proto/ecs.ts';
import { CirtError } from '../../proto/errors.ts';
import type { Logger } from '../../proto/runtime/log.ts';
import { chunkBySize, classifyBulk, deadLetter, type IndexDoc } from './bulk.ts';
import { retainedDailyIndex } from './retention.ts';
import type { DocumentStore } from './store.ts';

export interface WriteResult {
  written: number;
  deadLettered: number;
  retries: number;
}

export interface WriteOptions {
  log: Logger;
  maxAttempts?: number;
  baseDelayMs?: number;
  now?: () => Date;
  /** Largest _bulk body (bytes, approximate); OpenSearch refuses bodies over http.max_content_length. */
  maxBulkBytes?: number;
}

/** Writes the documents in _bulk requests of at most maxBulkBytes each (default 8 MiB), one after the other. */
export async function writeDocs(store: DocumentStore, docs: IndexDoc[], opts: WriteOptions): Promise<WriteResult> {
  const total: WriteResult = { written: 0, deadLettered: 0, retries: 0 };
  for (const chunk of chunkBySize(docs, opts.maxBulkBytes ?? 8 * 1024 * 1024)) {
    const r = await writeBulk(store, chunk, opts);
    total.written += r.written;
    total.deadLettered += r.deadLettered;
    total.retries += r.retries;
  }
  return total;
}

async function writeBulk(store: DocumentStore, docs: IndexDoc[], opts: WriteOptions): Promise<WriteResult> {
  const now = opts.now ?? (() => new Date());
  const result: WriteResult = { written: 0, deadLettered: 0, retries: 0 };
  let todo = docs;
  for (let attempt = 0; todo.length > 0; attempt++) {
    if (attempt >= (opts.maxAttempts ?? 8)) {
      throw new CirtError('ERR_INDEXER_RETRIES_EXHAUSTED', `${todo.length} document(s) still refused after ${attempt} attempts`, { retryable: true });
    }
    if (attempt > 0) {
      result.retries += todo.length;
      await new Promise((r) => setTimeout(r, Math.min(10_000, (opts.baseDelayMs ?? 200) * 2 ** attempt)));
    }
    const outcome = classifyBulk(todo, await store.bulk(todo));
    result.written += outcome.written.length;
    if (outcome.dead.length > 0) {
      for (const d of outcome.dead) opts.log.warn('document refused; sent to the dead-letter index', { index: d.doc.index, id: d.doc.id, status: d.status, reason: d.reason });
      const letters = outcome.dead.map((d) => deadLetter(d, now()));
      const dlOutcome = classifyBulk(letters, await store.bulk(letters));
      if (dlOutcome.dead.length + dlOutcome.retry.length > 0) {
        throw new CirtError('ERR_INDEXER_DEADLETTER', `the dead-letter index refused ${dlOutcome.dead.length + dlOutcome.retry.length} document(s)`, { retryable: true });
      }
      result.deadLettered += letters.length;
    }
    todo = outcome.retry;
  }
  return result;
}

/** Where documents go: the daily index of their @timestamp, kept out of the retention sweep (retention.ts). */
export interface Placement {
  now: Date;
  /** Retention days per class; undefined = no sweep, every document in the index of its own day. */
  days?: { events: number; alerts: number };
  /** Called for each document moved to a younger index than its own day. */
  onClamped?: (dataClass: 'events' | 'alerts') => void;
}

function place(dataClass: 'events' | 'alerts', timestamp: string, at: Placement | undefined): string {
  if (!at) return dailyIndex(dataClass, timestamp);
  const p = retainedDailyIndex(dataClass, timestamp, at.now, at.days?.[dataClass]);
  if (p.clamped) at.onClamped?.(dataClass);
  return p.index;
}

export function alertDoc(alert: Alert, at?: Placement): IndexDoc {
  return { index: place('alerts', alert['@timestamp'], at), id: alert.alert.id, doc: alert as unknown as Record<string, unknown> };
}

/** Raw telemetry documents; `events` are stamped (proto/telemetry.ts stampedEvents), so each has its event.id. */
export function eventDocs(events: readonly EcsEvent[], at?: Placement): IndexDoc[] {
  return events.map((e) => ({
    index: place('events', e['@timestamp'], at),
    id: String(e.event?.id),
    doc: e as Record<string, unknown>,
  }));
}

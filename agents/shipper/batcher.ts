// Pure bookkeeping of the shipper: numbered batches cut from the spool, in flight until acknowledged.
// A record leaves the spool only when its batch and every batch before it were acknowledged (the spool's
// ack cursor only moves over a contiguous prefix); unacked batches are re-sent in seq order after a reconnect.
// A batch is serialized as it is cut (the spool's read buffer is reused by its next read), and kept in flight as its
// place in the spool, not its records: memory stays the same whatever the window (maxInflightBatches ×
// maxBatchBytes would otherwise be held), and a batch sent again is read back from the spool.
import { encodeBatch } from './batch_codec.ts';
import type { Cursor } from '../spool/disk_spool.ts';
import type { SpoolRecord } from '../spool/record_codec.ts';

export interface BatcherLimits {
  maxBatchEvents: number;
  maxBatchBytes: number;
  maxInflightBatches: number;
}

/** What the batcher needs of the spool. */
export interface RecordSource {
  /** Records whose payloads may be views into a buffer that the next `read` reuses. */
  read(maxRecords: number, maxBytes: number): { records: SpoolRecord[]; start: Cursor; end: Cursor };
  /** The records between two cursors that `read` returned before (a batch to send again). */
  readRange(start: Cursor, end: Cursor): SpoolRecord[];
  /** `records`: how many records lie between the last commit and `end` (the spool counts them itself without it). */
  commit(end: Cursor, records?: number): void;
  readonly unreadRecords: number;
}

/** A batch as sent: its sequence number, its record count, and its bytes (a serialized proto Batch). */
export interface SerializedBatch {
  seq: number;
  records: number;
  bytes: Buffer;
}

interface InFlight {
  seq: number;
  start: Cursor;
  end: Cursor;
  records: number;
  settled: boolean;
}

export class Batcher {
  private readonly inflight = new Map<number, InFlight>();
  private nextSeq = 1;

  constructor(
    private readonly agentId: string,
    private readonly bootId: string,
    private readonly limits: BatcherLimits,
    private readonly source: RecordSource,
  ) {}

  get queued(): number {
    return this.source.unreadRecords;
  }
  get inflightRecords(): number {
    let n = 0;
    for (const f of this.inflight.values()) if (!f.settled) n += f.records;
    return n;
  }
  get idle(): boolean {
    return this.source.unreadRecords === 0 && this.inflight.size === 0;
  }

  /** Whether a full batch is waiting (ship now rather than at the next flush tick). */
  batchReady(): boolean {
    return this.source.unreadRecords >= this.limits.maxBatchEvents;
  }

  /** Cuts the next batch from the spool if the in-flight window allows; it stays in flight until acked. */
  next(): SerializedBatch | undefined {
    if (this.inflight.size >= this.limits.maxInflightBatches || this.source.unreadRecords === 0) return undefined;
    const { records, start, end } = this.source.read(this.limits.maxBatchEvents, this.limits.maxBatchBytes);
    if (records.length === 0) return undefined;
    const f: InFlight = { seq: this.nextSeq++, start, end, records: records.length, settled: false };
    this.inflight.set(f.seq, f);
    return this.batchOf(f, records);
  }

  /** The batches to re-send after a reconnect, in seq order (read back from the spool). */
  unacked(): SerializedBatch[] {
    return [...this.inflight.values()].filter((f) => !f.settled).sort((a, b) => a.seq - b.seq).map((f) => this.batchOf(f));
  }

  /** An unacknowledged batch, read back from the spool (to send again). */
  get(seq: number): SerializedBatch | undefined {
    const f = this.inflight.get(seq);
    return f && !f.settled ? this.batchOf(f) : undefined;
  }

  /** Records of an unacknowledged batch, without reading it back. */
  size(seq: number): number {
    const f = this.inflight.get(seq);
    return f && !f.settled ? f.records : 0;
  }

  private batchOf(f: InFlight, records = this.source.readRange(f.start, f.end)): SerializedBatch {
    const bytes = encodeBatch({ agentId: this.agentId, bootId: this.bootId, seq: f.seq, records: records.map((r) => ({ kind: r.kind, eventJson: r.payload })) });
    return { seq: f.seq, records: records.length, bytes };
  }

  /** The gateway made a batch durable (or refused it for good): returns its record count, moves the spool's ack cursor. */
  settle(seq: number): number {
    const f = this.inflight.get(seq);
    if (!f || f.settled) return 0;
    f.settled = true;
    const seqs = [...this.inflight.keys()].sort((a, b) => a - b);
    for (const s of seqs) {
      const head = this.inflight.get(s)!;
      if (!head.settled) break;
      this.source.commit(head.end, head.records);
      this.inflight.delete(s);
    }
    return f.records;
  }
}

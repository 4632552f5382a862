// Pure bookkeeping of the shipper: numbered batches cut from the spool, in flight until acknowledged.
// A record leaves the spool only when its batch and every batch before it were acknowledged (the spool's
// ack cursor only moves over a contiguous prefix); unacked batches are re-sent in seq order after a reconnect.
import type { Batch } from '../../proto/gen/ingest.ts';
import type { Cursor } from '../spool/disk_spool.ts';
import type { SpoolRecord } from '../spool/record_codec.ts';

export interface BatcherLimits {
  maxBatchEvents: number;
  maxBatchBytes: number;
  maxInflightBatches: number;
}

/** What the batcher needs of the spool. */
export interface RecordSource {
  read(maxRecords: number, maxBytes: number): { records: SpoolRecord[]; end: Cursor };
  /** `records`: how many records lie between the last commit and `end` (the spool counts them itself without it). */
  commit(end: Cursor, records?: number): void;
  readonly unreadRecords: number;
}

interface InFlight {
  batch: Batch;
  end: Cursor;
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
    for (const f of this.inflight.values()) if (!f.settled) n += f.batch.records.length;
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
  next(): Batch | undefined {
    if (this.inflight.size >= this.limits.maxInflightBatches || this.source.unreadRecords === 0) return undefined;
    const { records, end } = this.source.read(this.limits.maxBatchEvents, this.limits.maxBatchBytes);
    if (records.length === 0) return undefined;
    const batch: Batch = { agentId: this.agentId, bootId: this.bootId, seq: this.nextSeq++, records: records.map((r) => ({ kind: r.kind, eventJson: r.payload })) };
    this.inflight.set(batch.seq, { batch, end, settled: false });
    return batch;
  }

  /** The batches to re-send after a reconnect, in seq order. */
  unacked(): Batch[] {
    return [...this.inflight.values()].filter((f) => !f.settled).map((f) => f.batch).sort((a, b) => a.seq - b.seq);
  }

  get(seq: number): Batch | undefined {
    const f = this.inflight.get(seq);
    return f && !f.settled ? f.batch : undefined;
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
      this.source.commit(head.end, head.batch.records.length);
      this.inflight.delete(s);
    }
    return f.batch.records.length;
  }
}

// Pure bookkeeping of the shipper: queued records, numbered batches in flight, acks. No I/O, so the
// at-least-once rules (a record leaves only when its batch is acknowledged; unacked batches are re-sent
// in order after a reconnect) are unit-tested without a network.
import type { Batch, Record as WireRecord } from '../../proto/gen/ingest.ts';

export interface BatcherLimits {
  maxBatchEvents: number;
  maxBatchBytes: number;
  maxInflightBatches: number;
  maxQueuedEvents: number;
}

export class Batcher {
  private queue: WireRecord[] = [];
  private queuedBytes = 0;
  private readonly inflight = new Map<number, Batch>();
  private nextSeq = 1;

  constructor(
    private readonly agentId: string,
    private readonly bootId: string,
    private readonly limits: BatcherLimits,
  ) {}

  get queued(): number {
    return this.queue.length;
  }
  get inflightBatches(): number {
    return this.inflight.size;
  }
  get inflightRecords(): number {
    let n = 0;
    for (const b of this.inflight.values()) n += b.records.length;
    return n;
  }
  get idle(): boolean {
    return this.queue.length === 0 && this.inflight.size === 0;
  }
  hasRoom(): boolean {
    return this.queue.length < this.limits.maxQueuedEvents;
  }

  push(record: WireRecord): void {
    this.queue.push(record);
    this.queuedBytes += record.eventJson.length;
  }

  /** Whether a full batch is waiting (ship now rather than at the next flush tick). */
  batchReady(): boolean {
    return this.queue.length >= this.limits.maxBatchEvents || this.queuedBytes >= this.limits.maxBatchBytes;
  }

  /** Cuts the next batch from the queue if the in-flight window allows; it stays in flight until acked. */
  next(): Batch | undefined {
    if (this.queue.length === 0 || this.inflight.size >= this.limits.maxInflightBatches) return undefined;
    const records: WireRecord[] = [];
    let bytes = 0;
    while (records.length < this.limits.maxBatchEvents && this.queue.length > 0) {
      const size = this.queue[0]!.eventJson.length;
      if (records.length > 0 && bytes + size > this.limits.maxBatchBytes) break;
      records.push(this.queue.shift()!);
      bytes += size;
    }
    this.queuedBytes -= bytes;
    const batch: Batch = { agentId: this.agentId, bootId: this.bootId, seq: this.nextSeq++, records };
    this.inflight.set(batch.seq, batch);
    return batch;
  }

  /** The batches to re-send after a reconnect, in seq order. */
  unacked(): Batch[] {
    return [...this.inflight.values()].sort((a, b) => a.seq - b.seq);
  }

  get(seq: number): Batch | undefined {
    return this.inflight.get(seq);
  }

  /** Forget a batch the gateway made durable (or rejected for good); returns its record count. */
  settle(seq: number): number {
    const batch = this.inflight.get(seq);
    if (!batch) return 0;
    this.inflight.delete(seq);
    return batch.records.length;
  }
}

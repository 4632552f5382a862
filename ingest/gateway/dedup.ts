// Remembers, per (agency, agent, boot), which batch seqs were already made durable, so a batch re-sent after a
// reconnect (its ack was lost) is acknowledged again without being produced twice.
//
// Exact seqs, not a "highest seq" watermark: batches of one stream are handled in order, so seq 3 may be answered
// RETRY (Kafka hiccup) while seqs 4 and 5 are made durable; with a watermark the re-sent seq 3 would then be taken
// for a duplicate and acknowledged without ever reaching Kafka (silent loss). Bounded twice: per boot the
// `maxSeqsPerBoot` most recent durable seqs are kept (older ones count as durable: everything below `floor`), and
// the least recently used boots are forgotten first.

import { OldestKey } from '../../proto/runtime/oldest_key.ts';

interface BootSeqs {
  seqs: Set<number>;
  /** The first inserted of `seqs` (proto/runtime/oldest_key.ts: a fresh values().next() would walk deleted slots). */
  oldest: OldestKey<number>;
  /** Seqs at or below this were durable and have been evicted from `seqs`. */
  floor: number;
}

export class BatchWatermarks {
  private readonly seen = new Map<string, BootSeqs>();
  private readonly oldestBoot = new OldestKey(() => this.seen.keys());
  constructor(
    private readonly maxBoots: number,
    private readonly maxSeqsPerBoot = 4096,
  ) {}

  isDuplicate(agency: string, agent: string, boot: string, seq: number): boolean {
    const b = this.seen.get(key(agency, agent, boot));
    return b !== undefined && (seq <= b.floor || b.seqs.has(seq));
  }

  record(agency: string, agent: string, boot: string, seq: number): void {
    const k = key(agency, agent, boot);
    let b = this.seen.get(k);
    if (!b) {
      const seqs = new Set<number>();
      b = { seqs, oldest: new OldestKey(() => seqs.values()), floor: -Infinity };
    }
    b.seqs.add(seq);
    if (b.seqs.size > this.maxSeqsPerBoot) {
      const oldest = b.oldest.take()!;
      b.seqs.delete(oldest);
      b.floor = Math.max(b.floor, oldest);
    }
    this.seen.delete(k);
    this.seen.set(k, b);
    if (this.seen.size > this.maxBoots) this.seen.delete(this.oldestBoot.take()!);
  }

  get size(): number {
    return this.seen.size;
  }
}

const key = (agency: string, agent: string, boot: string) => `${agency}\0${agent}\0${boot}`;

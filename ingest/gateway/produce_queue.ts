// One produce request in flight at a time, with group commit: the records of every agent batch that arrives while
// a request is in flight go together in the next one.
//
// Why: @platformatic/kafka's idempotent producer is not safe under concurrent send() calls — parallel requests to
// one partition reach the broker with out-of-order sequence numbers (OUT_OF_ORDER_SEQUENCE_NUMBER, after which the
// producer refuses every later send; measured here with 4 agents, see bench/gateway.bench.ts), or are acknowledged
// while dropped (platformatic/kafka#326). Serialising is correct; grouping keeps the throughput, since one request
// carries many agent batches (and costs one broker round trip instead of many).
import type { KafkaProducer, KafkaRecordOut } from '../../proto/runtime/kafka.ts';

interface Waiter {
  records: KafkaRecordOut[];
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class ProduceQueue implements KafkaProducer {
  private queue: Waiter[] = [];
  private busy = false;

  /** maxRequestBytes caps one grouped request (an agent batch bigger than that still goes, alone). */
  constructor(
    private readonly producer: KafkaProducer,
    private readonly maxRequestBytes = 16 * 1024 * 1024,
  ) {}

  send(records: KafkaRecordOut[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const bytes = records.reduce((n, r) => n + r.value.length + r.key.length, 0);
      this.queue.push({ records, bytes, resolve, reject });
      void this.drain();
    });
  }

  get waiting(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    while (this.busy || this.queue.length) await new Promise((r) => setTimeout(r, 10));
    await this.producer.close();
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length) {
        const group: Waiter[] = [];
        let bytes = 0;
        while (this.queue.length && (group.length === 0 || bytes + this.queue[0]!.bytes <= this.maxRequestBytes)) {
          const w = this.queue.shift()!;
          group.push(w);
          bytes += w.bytes;
        }
        try {
          await this.producer.send(group.length === 1 ? group[0]!.records : group.flatMap((w) => w.records));
          for (const w of group) w.resolve();
        } catch (err) {
          for (const w of group) w.reject(err);
        }
      }
    } finally {
      this.busy = false;
    }
  }
}

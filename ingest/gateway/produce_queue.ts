// Superseded: the one-request-in-flight + group-commit protection now lives in the shared producer
// (proto/runtime/kafka.ts `serialProducer`, used by `createProducer`), so the detector and the indexer are safe too.
// This pass-through remains only because bench/gateway.bench.ts still imports it; delete it with that import.
import type { KafkaProducer, KafkaRecordOut } from '../../proto/runtime/kafka.ts';

/** @deprecated createProducer() already serialises and coalesces sends. */
export class ProduceQueue implements KafkaProducer {
  constructor(private readonly producer: KafkaProducer) {}

  send(records: KafkaRecordOut[]): Promise<void> {
    return this.producer.send(records);
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}

// Kafka plumbing shared by the gateway, detector and indexer (@platformatic/kafka; see docs/decisions.md):
// an idempotent acks=all producer, and a consumer loop that hands micro-batches to a handler and commits the
// offsets of a batch only after the handler resolved (at-least-once; downstream writes are idempotent).
import { Consumer, Producer, ProduceAcks, type Message, type MessagesStream } from '@platformatic/kafka';
import { CirtError, errorMessage } from '../errors.ts';
import type { Logger } from './log.ts';

export class KafkaError extends CirtError {}

export interface KafkaRecordOut {
  topic: string;
  key: string;
  value: Buffer | string;
  headers?: Record<string, string>;
}

export interface KafkaProducer {
  /** Resolves once the broker acknowledged every record (acks=all, idempotent). */
  send(records: KafkaRecordOut[]): Promise<void>;
  close(): Promise<void>;
}

export function createProducer(opts: { brokers: string[]; clientId: string; timeoutMs?: number }): KafkaProducer {
  const producer = new Producer({
    clientId: opts.clientId,
    bootstrapBrokers: opts.brokers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    timeout: opts.timeoutMs ?? 10_000,
    retries: 3,
    retryDelay: 250,
    compression: 'none',
  });
  return {
    async send(records) {
      if (records.length === 0) return;
      try {
        await producer.send({
          messages: records.map((r) => ({
            topic: r.topic,
            key: Buffer.from(r.key),
            value: typeof r.value === 'string' ? Buffer.from(r.value) : r.value,
            headers: r.headers ? new Map(Object.entries(r.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])) : undefined,
          })),
        });
      } catch (err) {
        throw new KafkaError('ERR_KAFKA_PRODUCE', `Kafka did not acknowledge ${records.length} record(s): ${errorMessage(err)}`, { cause: err, retryable: true });
      }
    },
    close: () => producer.close(),
  };
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: bigint;
  key: string;
  value: Buffer;
  timestamp: bigint;
}

export interface BatchConsumerOptions {
  brokers: string[];
  clientId: string;
  groupId: string;
  topics: string[];
  maxBatch: number;
  maxWaitMs: number;
  log: Logger;
  /** Must resolve only when the batch's output is durable downstream; a rejection retries the same batch. */
  handler: (records: ConsumedRecord[]) => Promise<void>;
}

export interface RunningConsumer {
  stop(): Promise<void>;
  /** Records handed to the handler and committed. */
  readonly committed: number;
  readonly lastError: string | undefined;
}

export async function runBatchConsumer(opts: BatchConsumerOptions): Promise<RunningConsumer> {
  const consumer = new Consumer({
    clientId: opts.clientId,
    groupId: opts.groupId,
    bootstrapBrokers: opts.brokers,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    rebalanceTimeout: 15_000,
    maxWaitTime: Math.min(opts.maxWaitMs, 500),
    timeout: 10_000,
  });
  let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>;
  try {
    stream = await consumer.consume({ topics: opts.topics, mode: 'committed', fallbackMode: 'earliest', autocommit: false });
  } catch (err) {
    await consumer.close().catch(() => undefined);
    throw new KafkaError('ERR_KAFKA_CONSUME', `cannot join group ${opts.groupId} on ${opts.topics.join(',')}: ${errorMessage(err)}`, { cause: err, retryable: true });
  }

  let buffer: Message<Buffer, Buffer, Buffer, Buffer>[] = [];
  let flushing: Promise<void> | undefined;
  let stopped = false;
  let committed = 0;
  let lastError: string | undefined;

  const flush = (): Promise<void> => {
    if (flushing || buffer.length === 0) return flushing ?? Promise.resolve();
    const batch = buffer;
    buffer = [];
    stream.pause();
    flushing = (async () => {
      const records = batch.map((m) => ({
        topic: m.topic,
        partition: m.partition,
        offset: m.offset,
        key: m.key ? m.key.toString() : '',
        value: m.value ?? Buffer.alloc(0),
        timestamp: m.timestamp,
      }));
      for (let attempt = 0; !stopped; attempt++) {
        try {
          await opts.handler(records);
          lastError = undefined;
          break;
        } catch (err) {
          lastError = errorMessage(err);
          opts.log.warn('batch handler failed, retrying the same batch', { attempt, records: records.length, error: err });
          await sleep(Math.min(30_000, 250 * 2 ** attempt) * (0.5 + Math.random() / 2));
        }
      }
      if (stopped && lastError) return; // not committed: redelivered after restart
      const lastPerPartition = new Map<string, Message<Buffer, Buffer, Buffer, Buffer>>();
      for (const m of batch) lastPerPartition.set(`${m.topic}/${m.partition}`, m);
      await Promise.all([...lastPerPartition.values()].map((m) => m.commit()));
      committed += batch.length;
    })()
      .catch((err) => {
        lastError = errorMessage(err);
        opts.log.error('offset commit failed; records will be redelivered', { error: err });
      })
      .finally(() => {
        flushing = undefined;
        if (!stopped) stream.resume();
      });
    return flushing;
  };

  stream.on('data', (m: Message<Buffer, Buffer, Buffer, Buffer>) => {
    buffer.push(m);
    if (buffer.length >= opts.maxBatch) void flush();
  });
  stream.on('error', (err: Error) => {
    lastError = errorMessage(err);
    opts.log.error('consumer stream error', { error: err });
  });
  const timer = setInterval(() => void flush(), opts.maxWaitMs);

  return {
    get committed() {
      return committed;
    },
    get lastError() {
      return lastError;
    },
    async stop() {
      clearInterval(timer);
      await flush();
      stopped = true;
      await (stream.close() as Promise<void>).catch(() => undefined);
      await consumer.close().catch(() => undefined);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

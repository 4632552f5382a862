// Kafka plumbing shared by the gateway, detector and indexer (@platformatic/kafka; see docs/decisions.md):
// an idempotent acks=all producer (one request in flight, concurrent sends coalesced into the next request, the
// client recreated after a failed request), and a consumer loop that hands micro-batches to a handler and commits
// the offsets of a batch only after the handler resolved (at-least-once; downstream writes are idempotent).
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

/** What the serialising producer needs from a client: one produce request, and close. */
export interface RawSender {
  send(records: KafkaRecordOut[]): Promise<void>;
  close(): Promise<void>;
}

export interface ProducerStats {
  /** Produce requests sent (each carries one or more coalesced send() calls). */
  readonly requests: number;
  /** Times the underlying client was thrown away and recreated after a failed request. */
  readonly resets: number;
  /** send() calls waiting for the request in flight. */
  readonly waiting: number;
}

/** Broker answers after which the idempotent producer's (id, epoch, sequence) state is unusable. */
const FATAL_SEQUENCE_ERRORS = ['OUT_OF_ORDER_SEQUENCE_NUMBER', 'DUPLICATE_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING'];

export function fatalSequenceError(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const walk = (e: unknown): string | undefined => {
    if (!e || typeof e !== 'object' || seen.has(e)) return undefined;
    seen.add(e);
    const x = e as { apiId?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof x.apiId === 'string' && FATAL_SEQUENCE_ERRORS.includes(x.apiId)) return x.apiId;
    for (const inner of [x.cause, ...(Array.isArray(x.errors) ? x.errors : [])]) {
      const found = walk(inner);
      if (found) return found;
    }
    return undefined;
  };
  return walk(err);
}

interface Waiter {
  records: KafkaRecordOut[];
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * One produce request in flight at a time, with group commit: every send() that arrives while a request is in
 * flight goes, with the others queued, into the next request (up to maxRequestBytes, default 4 MiB, under the broker's
 * 10 MiB message.max.bytes; a larger send is split into several requests and resolves when all are acknowledged).
 *
 * Why: @platformatic/kafka 1.35's idempotent producer is not safe under concurrent send() calls: parallel requests
 * to one partition reach the broker out of sequence (OUT_OF_ORDER_SEQUENCE_NUMBER, after which every later send
 * fails), or are acknowledged while dropped (platformatic/kafka#326). And after any failed request its per-partition
 * sequence numbers are ambiguous (they advance only on success, though the broker may have written the batch), so the
 * next request could be taken for a duplicate and dropped. Hence: after ANY failed request the client is closed and
 * a new one made (a new producer id, sequences from 0), and the callers get a retryable KafkaError; a retry may then
 * write a record twice, which the deterministic ids downstream absorb (at-least-once, docs/decisions.md D7, D10).
 */
export function serialProducer(makeSender: () => RawSender, opts: { maxRequestBytes?: number; onReset?: (err: unknown) => void } = {}): KafkaProducer & ProducerStats {
  const maxRequestBytes = opts.maxRequestBytes ?? 4 * 1024 * 1024;
  let sender: RawSender | undefined;
  let queue: Waiter[] = [];
  let busy = false;
  let closed = false;
  let requests = 0;
  let resets = 0;
  let idle: (() => void) | undefined;

  const drain = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      while (queue.length) {
        const group: Waiter[] = [];
        let bytes = 0;
        while (queue.length && (group.length === 0 || bytes + queue[0]!.bytes <= maxRequestBytes)) {
          const w = queue.shift()!;
          group.push(w);
          bytes += w.bytes;
        }
        const records = group.length === 1 ? group[0]!.records : group.flatMap((w) => w.records);
        requests++;
        try {
          sender ??= makeSender();
          await sender.send(records);
          for (const w of group) w.resolve();
        } catch (err) {
          const fatal = fatalSequenceError(err);
          const old = sender;
          sender = undefined;
          resets++;
          opts.onReset?.(err);
          await old?.close().catch(() => undefined);
          const error = fatal
            ? new KafkaError('ERR_KAFKA_PRODUCER_RESET', `Kafka refused the producer's sequence (${fatal}); the producer was recreated, retry the ${records.length} record(s)`, { cause: err, retryable: true })
            : new KafkaError('ERR_KAFKA_PRODUCE', `Kafka did not acknowledge ${records.length} record(s): ${errorMessage(err)}`, { cause: err, retryable: true });
          for (const w of group) w.reject(error);
        }
      }
    } finally {
      busy = false;
      idle?.();
    }
  };

  return {
    send(records) {
      if (closed) return Promise.reject(new KafkaError('ERR_KAFKA_PRODUCER_CLOSED', 'the producer is closed'));
      if (records.length === 0) return Promise.resolve();
      // A send larger than one request is split, so no request exceeds the broker's size limits.
      const parts: { records: KafkaRecordOut[]; bytes: number }[] = [];
      for (const r of records) {
        const size = r.value.length + r.key.length;
        const last = parts[parts.length - 1];
        if (last && last.bytes + size <= maxRequestBytes) {
          last.records.push(r);
          last.bytes += size;
        } else parts.push({ records: [r], bytes: size });
      }
      const enqueue = (part: { records: KafkaRecordOut[]; bytes: number }) =>
        new Promise<void>((resolve, reject) => {
          queue.push({ ...part, resolve, reject });
          void drain();
        });
      return Promise.all(parts.map(enqueue)).then(() => undefined);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (busy) await new Promise<void>((r) => (idle = r));
      const rest = queue;
      queue = [];
      for (const w of rest) w.reject(new KafkaError('ERR_KAFKA_PRODUCER_CLOSED', 'the producer is closed'));
      await sender?.close();
      sender = undefined;
    },
    get requests() {
      return requests;
    },
    get resets() {
      return resets;
    },
    get waiting() {
      return queue.length;
    },
  };
}

export function platformaticSender(opts: { brokers: string[]; clientId: string; timeoutMs?: number }): RawSender {
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
      await producer.send({
        messages: records.map((r) => ({
          topic: r.topic,
          key: Buffer.from(r.key),
          value: typeof r.value === 'string' ? Buffer.from(r.value) : r.value,
          headers: r.headers ? new Map(Object.entries(r.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])) : undefined,
        })),
      });
    },
    close: () => producer.close(),
  };
}

/** The idempotent acks=all producer every service uses; safe to call send() concurrently (see serialProducer). */
export function createProducer(opts: { brokers: string[]; clientId: string; timeoutMs?: number; maxRequestBytes?: number; onReset?: (err: unknown) => void }): KafkaProducer & ProducerStats {
  return serialProducer(() => platformaticSender(opts), { maxRequestBytes: opts.maxRequestBytes, onReset: opts.onReset });
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
  /** Longest pause between two attempts at a batch whose handler failed (default 30 s). */
  maxRetryDelayMs?: number;
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
  type Msg = Message<Buffer, Buffer, Buffer, Buffer>;
  interface Session {
    consumer: Consumer;
    stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>;
  }

  const join = async (): Promise<Session> => {
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
    try {
      const stream = await consumer.consume({ topics: opts.topics, mode: 'committed', fallbackMode: 'earliest', autocommit: false });
      return { consumer, stream };
    } catch (err) {
      await consumer.close().catch(() => undefined);
      throw new KafkaError('ERR_KAFKA_CONSUME', `cannot join group ${opts.groupId} on ${opts.topics.join(',')}: ${errorMessage(err)}`, { cause: err, retryable: true });
    }
  };

  let session: Session | undefined = await join();
  let buffer: Msg[] = [];
  let flushing: Promise<void> | undefined;
  let stopped = false;
  let rejoining = false;
  let committed = 0;
  let lastError: string | undefined;

  const flush = (): Promise<void> => {
    if (flushing || buffer.length === 0 || !session) return flushing ?? Promise.resolve();
    const batch = buffer;
    const own = session;
    buffer = [];
    own.stream.pause();
    flushing = (async () => {
      const records = batch.map((m) => ({
        topic: m.topic,
        partition: m.partition,
        offset: m.offset,
        key: m.key ? m.key.toString() : '',
        value: m.value ?? Buffer.alloc(0),
        timestamp: m.timestamp,
      }));
      for (let attempt = 0; !stopped && session === own; attempt++) {
        try {
          await opts.handler(records);
          lastError = undefined;
          break;
        } catch (err) {
          lastError = errorMessage(err);
          opts.log.warn('batch handler failed, retrying the same batch', { attempt, records: records.length, error: err });
          await sleep(Math.min(opts.maxRetryDelayMs ?? 30_000, 250 * 2 ** attempt) * (0.5 + Math.random() / 2));
        }
      }
      // Not done, or the session it came from is gone: not committed, so redelivered after the rejoin/restart.
      if (lastError || session !== own) return;
      const lastPerPartition = new Map<string, Msg>();
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
        if (!stopped && session === own) own.stream.resume();
      });
    return flushing;
  };

  /** The stream died (broker restarted, metadata lost…): drop what is uncommitted, rejoin with backoff. */
  const rejoin = async (reason: string): Promise<void> => {
    if (stopped || rejoining) return;
    rejoining = true;
    lastError = reason;
    const old = session;
    session = undefined;
    buffer = [];
    opts.log.warn('consumer lost its stream; rejoining the group', { group: opts.groupId, reason });
    await (old?.stream.close() as Promise<void> | undefined)?.catch(() => undefined);
    await old?.consumer.close().catch(() => undefined);
    for (let attempt = 0; !stopped; attempt++) {
      await sleep(Math.min(10_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2));
      try {
        const next = await join();
        if (stopped) {
          await next.consumer.close().catch(() => undefined);
          break;
        }
        session = next;
        attach(next);
        opts.log.info('consumer rejoined the group', { group: opts.groupId, attempt });
        break;
      } catch (err) {
        lastError = errorMessage(err);
      }
    }
    rejoining = false;
  };

  const attach = (s: Session) => {
    s.stream.on('data', (m: Msg) => {
      if (session !== s) return;
      buffer.push(m);
      if (buffer.length >= opts.maxBatch) void flush();
    });
    s.stream.on('error', (err: Error) => {
      opts.log.error('consumer stream error', { error: err });
      if (session === s) void rejoin(errorMessage(err));
    });
    s.stream.on('close', () => {
      if (session === s && !stopped) void rejoin('the consumer stream closed');
    });
  };
  attach(session);
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
      const s = session;
      session = undefined;
      await (s?.stream.close() as Promise<void> | undefined)?.catch(() => undefined);
      await s?.consumer.close().catch(() => undefined);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The `kafka:` section of a consuming service's config schema: brokers, client and group ids, micro-batching. */
export function kafkaConsumerSchema(defaults: { clientId: string; groupId: string; maxBatch: number; maxWaitMs: number }, extra: Record<string, object> = {}) {
  return {
    type: 'object', additionalProperties: false, default: {},
    properties: {
      brokers: { type: 'array', items: { type: 'string' }, minItems: 1, default: ['127.0.0.1:19092'], description: 'Kafka bootstrap brokers, host:port.' },
      clientId: { type: 'string', default: defaults.clientId, description: 'Kafka client id.' },
      groupId: { type: 'string', default: defaults.groupId, description: 'Kafka consumer group; instances with the same group share the partitions.' },
      maxBatch: { type: 'integer', minimum: 1, default: defaults.maxBatch, description: 'Kafka records handed to the handler at once (each telemetry record is one agent batch of up to 500 events).' },
      maxWaitMs: { type: 'integer', minimum: 10, default: defaults.maxWaitMs, description: 'Longest wait for records before a fetch returns.' },
      ...extra,
    },
  } as const;
}

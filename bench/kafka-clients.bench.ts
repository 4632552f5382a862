// Kafka client choice, measured (docs/decisions.md D3): the same N records (~300 B each, in batches) produced with
// acks=all + idempotence and consumed back, by each candidate client, against the same broker in the same run.
//   npx tsx bench/kafka-clients.bench.ts      (BENCH_MESSAGES=200000 BENCH_BATCH=1000 BENCH_WINDOW=1)
// Candidates: @platformatic/kafka 1.35 through our proto/runtime/kafka.ts producer (the one the services use),
// kafkajs 2.2.4, and @confluentinc/kafka-javascript (librdkafka) if it can be loaded: it is not a dependency
// (its install needs a native build), so point BENCH_CONFLUENT_DIR at a folder whose node_modules holds it.
// Each client gets a fresh 3-partition topic and a fresh consumer group; producing awaits BENCH_WINDOW batches at a
// time. Consumption is timed from subscribe to the N-th record. Prints ONE JSON line.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Admin, Consumer } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { createProducer } from '../proto/runtime/kafka.ts';
import { requireKafka } from '../proto/testing/preflight.ts';

const N = Number(process.env.BENCH_MESSAGES ?? 200_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 1);
const brokers = (process.env.CIRT_KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const run = randomBytes(3).toString('hex');

await requireKafka(brokers.join(','));

// ~300 B JSON flow records, built once
const values: Buffer[] = [];
for (let i = 0; i < N; i++) {
  values.push(Buffer.from(JSON.stringify({
    '@timestamp': new Date(1_764_000_000_000 + i).toISOString(),
    event: { id: `${run}-${i}`, kind: 'event', category: ['network'], dataset: 'netflow.flow' },
    source: { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 1024 + (i % 60000) },
    destination: { ip: `192.0.2.${i % 250}`, port: [53, 80, 443, 445, 22][i % 5] },
    network: { transport: i % 3 ? 'tcp' : 'udp', bytes: 100 + (i % 9000), packets: 1 + (i % 50) },
    organization: { id: 'bench' },
  })));
}
const keys = values.map((_, i) => `bench/agent-${i % 16}`);
const bytes = values.reduce((n, v) => n + v.length, 0);

interface Client {
  produce(topic: string): Promise<void>;
  /** Resolves when N records were read. */
  consume(topic: string): Promise<void>;
}

async function inWindows(send: (from: number, to: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < N) {
      const from = next;
      next = Math.min(N, next + BATCH);
      await send(from, next);
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, lane));
}

const platformatic: Client = {
  async produce(topic) {
    const p = createProducer({ brokers, clientId: `bench-plt-${run}` });
    await inWindows((a, b) => p.send(keys.slice(a, b).map((key, i) => ({ topic, key, value: values[a + i]! }))));
    await p.close();
  },
  async consume(topic) {
    const c = new Consumer({ clientId: `bench-plt-${run}`, groupId: `bench-plt-${run}`, bootstrapBrokers: brokers, maxWaitTime: 100 });
    const stream = await c.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    let n = 0;
    for await (const m of stream) {
      if (m.value) n++;
      if (n >= N) break;
    }
    await (stream.close() as Promise<void>).catch(() => undefined);
    await c.close();
  },
};

const kafkajs: Client = {
  async produce(topic) {
    const k = new Kafka({ clientId: `bench-kjs-${run}`, brokers, logLevel: logLevel.NOTHING });
    const p = k.producer({ idempotent: true, maxInFlightRequests: 1 });
    await p.connect();
    await inWindows((a, b) => p.send({ topic, acks: -1, messages: keys.slice(a, b).map((key, i) => ({ key, value: values[a + i]! })) }));
    await p.disconnect();
  },
  async consume(topic) {
    const k = new Kafka({ clientId: `bench-kjs-${run}`, brokers, logLevel: logLevel.NOTHING });
    const c = k.consumer({ groupId: `bench-kjs-${run}`, maxWaitTimeInMs: 100 });
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    let n = 0;
    await new Promise<void>((resolve, reject) => {
      c.run({ autoCommit: false, eachBatch: async ({ batch }) => { n += batch.messages.length; if (n >= N) resolve(); } }).catch(reject);
    });
    await c.disconnect();
  },
};

/** The KafkaJS-compatible promise API of @confluentinc/kafka-javascript, loaded from BENCH_CONFLUENT_DIR. */
function loadConfluent(): { client?: Client; reason?: string; version?: string } {
  const dir = process.env.BENCH_CONFLUENT_DIR;
  if (!dir) return { reason: 'not installed: set BENCH_CONFLUENT_DIR to a folder where `npm install @confluentinc/kafka-javascript` succeeded (see docs/decisions.md D3)' };
  try {
    const req = createRequire(join(dir, 'package.json'));
    const mod = req('@confluentinc/kafka-javascript') as { KafkaJS: { Kafka: new (cfg: object) => ConfluentKafka } };
    const version = (req('@confluentinc/kafka-javascript/package.json') as { version: string }).version;
    const { Kafka: CKafka } = mod.KafkaJS;
    const make = () => new CKafka({ kafkaJS: { clientId: `bench-ckjs-${run}`, brokers, logLevel: 0 } });
    const client: Client = {
      async produce(topic) {
        const p = make().producer({ kafkaJS: { idempotent: true, acks: -1, compression: 'none' }, 'linger.ms': 5 });
        await p.connect();
        await inWindows((a, b) => p.send({ topic, messages: keys.slice(a, b).map((key, i) => ({ key, value: values[a + i]! })) }));
        await p.disconnect();
      },
      async consume(topic) {
        const c = make().consumer({ kafkaJS: { groupId: `bench-ckjs-${run}`, fromBeginning: true, autoCommit: false } });
        await c.connect();
        await c.subscribe({ topics: [topic] });
        let n = 0;
        await new Promise<void>((resolve, reject) => {
          c.run({ eachBatch: async ({ batch }: { batch: { messages: unknown[] } }) => { n += batch.messages.length; if (n >= N) resolve(); } }).catch(reject);
        });
        await c.disconnect();
      },
    };
    return { client, version };
  } catch (err) {
    return { reason: `cannot load from ${dir}: ${(err as Error).message.split('\n')[0]}` };
  }
}
interface ConfluentKafka {
  producer(cfg: object): { connect(): Promise<void>; disconnect(): Promise<void>; send(r: { topic: string; messages: { key: string; value: Buffer }[] }): Promise<unknown> };
  consumer(cfg: object): { connect(): Promise<void>; disconnect(): Promise<void>; subscribe(s: { topics: string[] }): Promise<void>; run(r: { eachBatch: (p: { batch: { messages: unknown[] } }) => Promise<void> }): Promise<void> };
}

async function measure(name: string, client: Client): Promise<Record<string, number>> {
  const topic = `bench.clients.${name}.${run}`;
  const admin = new Admin({ clientId: `bench-${run}`, bootstrapBrokers: brokers });
  await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 });
  try {
    const t0 = performance.now();
    await client.produce(topic);
    const t1 = performance.now();
    await client.consume(topic);
    const t2 = performance.now();
    const offsets = await admin.listOffsets({ topics: [{ name: topic, partitions: [0, 1, 2].map((p) => ({ partitionIndex: p, timestamp: -1n })) }] });
    const stored = offsets.flatMap((t) => t.partitions).reduce((n, p) => n + Number(p.offset), 0);
    const produceS = (t1 - t0) / 1000;
    const consumeS = (t2 - t1) / 1000;
    return {
      produce_msgs_s: Math.round(N / produceS),
      produce_mb_s: Math.round((bytes / 1e6 / produceS) * 10) / 10,
      consume_msgs_s: Math.round(N / consumeS),
      produce_s: Math.round(produceS * 100) / 100,
      consume_s: Math.round(consumeS * 100) / 100,
      records_in_topic: stored,
    };
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.close();
  }
}

const confluent = loadConfluent();
const results: Record<string, unknown> = {};
const candidates: [string, Client | undefined, string | undefined][] = [
  ['platformatic', platformatic, undefined],
  ['kafkajs', kafkajs, undefined],
  ['confluent', confluent.client, confluent.reason],
];
for (const [name, client, reason] of candidates) {
  if (!client) {
    results[name] = { unavailable: reason };
    continue;
  }
  try {
    results[name] = await measure(name, client);
  } catch (err) {
    results[name] = { failed: (err as Error).message };
  }
}
const plt = results.platformatic as { produce_msgs_s?: number; consume_msgs_s?: number };
const ratio = (peer: string, key: 'produce_msgs_s' | 'consume_msgs_s') => {
  const other = (results[peer] as Record<string, number | undefined>)[key];
  return other && plt[key] ? Math.round((plt[key] / other) * 100) / 100 : null;
};
console.log(JSON.stringify({
  bench: 'kafka-clients',
  messages: N,
  avg_bytes: Math.round(bytes / N),
  batch: BATCH,
  window: WINDOW,
  acks: 'all',
  idempotent: true,
  broker: 'kafka 3.9.1',
  confluent_version: confluent.version ?? null,
  ...results,
  platformatic_vs_kafkajs: { produce: ratio('kafkajs', 'produce_msgs_s'), consume: ratio('kafkajs', 'consume_msgs_s') },
  platformatic_vs_confluent: { produce: ratio('confluent', 'produce_msgs_s'), consume: ratio('confluent', 'consume_msgs_s') },
}));
process.exit(0);

// The shared producer against the real Kafka: many concurrent send() calls on one idempotent producer (the case
// that fails with OUT_OF_ORDER_SEQUENCE_NUMBER on a bare @platformatic/kafka 1.35 producer) all land, exactly once,
// and a recreated client (after a failed request) keeps producing to the same partitions.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Admin, Consumer, ProtocolError } from '@platformatic/kafka';
import { requireKafka } from '../testing/preflight.ts';
import { createProducer, platformaticSender, serialProducer, type KafkaRecordOut } from '../runtime/kafka.ts';

const brokers = process.env.CIRT_KAFKA_BROKERS ?? '127.0.0.1:19092';
const topic = `test.producer.${randomBytes(4).toString('hex')}`;

before(async () => {
  await requireKafka(brokers);
  const admin = new Admin({ clientId: 'producer-int', bootstrapBrokers: brokers.split(',') });
  await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 });
  await admin.close();
});

after(async () => {
  const admin = new Admin({ clientId: 'producer-int', bootstrapBrokers: brokers.split(',') });
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.close();
});

/** Every key in the topic, read from the start until `expected` records arrived or 30 s passed. */
async function readKeys(expected: number): Promise<string[]> {
  const consumer = new Consumer({ clientId: 'producer-int-reader', groupId: `producer-int-${randomBytes(4).toString('hex')}`, bootstrapBrokers: brokers.split(','), maxWaitTime: 200 });
  const keys: string[] = [];
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    const deadline = setTimeout(() => void stream.close(), 30_000);
    for await (const m of stream) {
      keys.push(m.key!.toString());
      if (keys.length >= expected) break;
    }
    clearTimeout(deadline);
    await (stream.close() as Promise<void>).catch(() => undefined);
    // anything beyond `expected` would be a duplicate: give it a moment to show up
  } finally {
    await consumer.close().catch(() => undefined);
  }
  return keys;
}

test('300 concurrent sends on one producer: all acknowledged, coalesced, each record exactly once in Kafka', async () => {
  const producer = createProducer({ brokers: brokers.split(','), clientId: 'producer-int' });
  const calls = Array.from({ length: 300 }, (_, c) => Array.from({ length: 20 }, (_, i): KafkaRecordOut => ({ topic, key: `c${c}-r${i}`, value: randomBytes(150).toString('hex') })));
  try {
    await Promise.all(calls.map((records) => producer.send(records)));
    assert.ok(producer.requests < calls.length, `sends were coalesced (${producer.requests} requests for ${calls.length} sends)`);
    assert.equal(producer.resets, 0);
  } finally {
    await producer.close();
  }
  const keys = await readKeys(6000);
  assert.equal(keys.length, 6000);
  assert.equal(new Set(keys).size, 6000, 'no duplicates');
});

test('after a fatal sequence error the client is recreated and the retried records land', async () => {
  let made = 0;
  let injected = false;
  const producer = serialProducer(() => {
    made++;
    const real = platformaticSender({ brokers: brokers.split(','), clientId: 'producer-int-reset' });
    return {
      async send(records) {
        await real.send(records);
        if (!injected) {
          injected = true; // as if the broker had answered OUT_OF_ORDER_SEQUENCE_NUMBER after writing
          throw new ProtocolError('OUT_OF_ORDER_SEQUENCE_NUMBER');
        }
      },
      close: () => real.close(),
    };
  });
  const batch: KafkaRecordOut[] = Array.from({ length: 10 }, (_, i) => ({ topic, key: `reset-${i}`, value: 'x' }));
  try {
    await assert.rejects(producer.send(batch), { code: 'ERR_KAFKA_PRODUCER_RESET', retryable: true });
    await producer.send(batch); // the caller's retry, through a new producer id
    await producer.send([{ topic, key: 'reset-after', value: 'y' }]);
  } finally {
    await producer.close();
  }
  assert.equal(made, 2);
  assert.equal(producer.resets, 1);
  const keys = (await readKeys(6000 + 21)).filter((k) => k.startsWith('reset-'));
  // at-least-once: the batch written before the error is there twice (downstream ids absorb it), nothing is lost
  assert.equal(keys.length, 21);
  assert.equal(new Set(keys).size, 11);
});

#!/usr/bin/env node
// Small Kafka admin helper used by stack/stack.sh (real broker, no mocks).
//
//   node stack/kafka-admin.mjs health  <broker>                 exit 0 + "metadata ok, N topics" if the broker answers
//   node stack/kafka-admin.mjs topics  <broker> <partitions> t… create the topics that do not exist yet (RF 1)
//   node stack/kafka-admin.mjs smoke   <broker> <topic>         produce one message and consume it back
//                                                              (creates <topic> with 1 partition, deletes it after)
//   node stack/kafka-admin.mjs partitions <broker> [topic…]     print "<topic> <partitions>" (all topics by default)
//   node stack/kafka-admin.mjs add-partitions <broker> <count> <topic…>
//                                                              raise the topics' partition count to <count> (scale-out;
//                                                              Kafka never lowers it)
//
// Uses @platformatic/kafka from the repository's node_modules.
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';

const [command, broker, ...rest] = process.argv.slice(2);
const common = {
  bootstrapBrokers: [broker],
  connectTimeout: 3000,
  requestTimeout: 5000,
  retries: 10,
  retryDelay: 500,
};

/** Fail the whole process if something takes longer than `ms` (never hang the caller). */
function deadline(ms) {
  const timer = setTimeout(() => {
    console.error(`timed out after ${ms} ms`);
    process.exit(1);
  }, ms);
  timer.unref();
}

async function withAdmin(fn, options = {}) {
  const admin = new Admin({ ...common, clientId: 'cirt-stack-admin', ...options });
  try {
    return await fn(admin);
  } finally {
    await admin.close().catch(() => {});
  }
}

async function health() {
  deadline(8000);
  const topics = await withAdmin(async (admin) => {
    await admin.metadata({ topics: [] });
    return admin.listTopics();
  }, { retries: 0 }); // a health probe answers now or fails
  console.log(`metadata ok, ${topics.length} topics`);
}

async function ensureTopics(partitions, names) {
  deadline(30000);
  await withAdmin(async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing = names.filter((name) => !existing.has(name));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing, partitions, replicas: 1 });
    }
    // Ask for a group coordinator: this makes the broker create __consumer_offsets now, so the
    // first consumer of a test does not have to wait (and retry) for it.
    await admin.findCoordinator({ keyType: 0, keys: ['cirt-stack'] });
    if (missing.length > 0) console.log(`created topics ${missing.join(', ')} (${partitions} partitions, RF 1)`);
  });
}

async function smoke(topic) {
  deadline(60000);
  const key = `cirt-stack-smoke`;
  const value = `hello ${new Date().toISOString()} ${process.pid}`;
  await withAdmin(async (admin) => {
    if (!(await admin.listTopics()).includes(topic)) {
      await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    }
  });
  const producer = new Producer({ ...common, clientId: 'cirt-stack-smoke', serializers: stringSerializers });
  await producer.send({ messages: [{ topic, key, value, partition: 0 }] });
  await producer.close();
  console.log(`produced  ${topic}: ${key} -> ${value}`);

  const consumer = new Consumer({
    ...common,
    clientId: 'cirt-stack-smoke',
    groupId: `cirt-stack-smoke-${process.pid}-${Date.now()}`,
    deserializers: stringDeserializers,
  });
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
  try {
    for await (const message of stream) {
      if (message.value === value) {
        console.log(`consumed  ${topic}[${message.partition}]@${message.offset}: ${message.key} -> ${message.value}`);
        break;
      }
    }
  } finally {
    await stream.close().catch(() => {});
    await consumer.close(true).catch(() => {});
    await withAdmin((admin) => admin.deleteTopics({ topics: [topic] })).catch(() => {});
  }
}

async function partitions(names) {
  deadline(15000);
  await withAdmin(async (admin) => {
    const topics = names.length > 0 ? names : (await admin.listTopics()).filter((t) => !t.startsWith('__')).sort();
    const meta = await admin.metadata({ topics });
    for (const t of topics) console.log(`${t} ${meta.topics.get(t)?.partitionsCount ?? 'missing'}`);
  });
}

async function addPartitions(count, names) {
  deadline(30000);
  if (!Number.isInteger(count) || count < 1 || names.length === 0) throw new Error('usage: kafka-admin.mjs add-partitions <broker> <count> <topic…>');
  await withAdmin(async (admin) => {
    // assignments null: the broker places the new partitions itself
    await admin.createPartitions({ topics: names.map((name) => ({ name, count, assignments: null })) });
    console.log(`${names.join(', ')}: ${count} partitions`);
  });
}

try {
  if (!broker) throw new Error('usage: kafka-admin.mjs health|topics|smoke|partitions|add-partitions <broker> ...');
  if (command === 'health') await health();
  else if (command === 'topics') await ensureTopics(Number(rest[0]), rest.slice(1));
  else if (command === 'smoke') await smoke(rest[0]);
  else if (command === 'partitions') await partitions(rest);
  else if (command === 'add-partitions') await addPartitions(Number(rest[0]), rest.slice(1));
  else throw new Error(`unknown command ${command}`);
  process.exit(0);
} catch (error) {
  console.error(`${command} failed: ${error?.message ?? error}`);
  process.exit(1);
}

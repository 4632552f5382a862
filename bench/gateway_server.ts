// The gateway under benchmark, in its own process (as in production), started by bench/gateway.bench.ts over IPC.
// It is the real startGateway with the real Kafka producer; only the topic names carry a prefix so the load does
// not flow into the telemetry.* topics the running detector and indexer consume.
//   argv: CERTS_DIR TOPIC_PREFIX BROKERS
import { createProducer, type KafkaProducer } from '../proto/runtime/kafka.ts';
import { createLogger } from '../proto/runtime/log.ts';
import { newRegistry } from '../proto/runtime/service_http.ts';
import { devGatewayConfig } from '../test/harness.ts';
import { startGateway } from '../ingest/gateway/server.ts';

const [certs = '', prefix = 'bench.', brokers = '127.0.0.1:19092'] = process.argv.slice(2);
const config = devGatewayConfig(certs, {
  'http.port': 0,
  'kafka.brokers': brokers.split(','),
  'limits.maxBatchBytes': 8 * 1024 * 1024,
  'limits.maxInflightBytes': 512 * 1024 * 1024,
});
const real = createProducer({ brokers: [...config.kafka.brokers], clientId: 'cirt-gateway-bench' });
const producer: KafkaProducer = {
  send: (records) => real.send(records.map((r) => ({ ...r, topic: prefix + r.topic }))).catch((e: unknown) => {
    if (process.env.BENCH_DEBUG) {
      const f = (x: unknown, d = 0): void => {
        const y = x as { name?: string; message?: string; code?: string; cause?: unknown; errors?: unknown[] } | undefined;
        if (!y || d > 6) return;
        process.stderr.write(`${'  '.repeat(d)}${y.name} ${y.code} ${y.message} ${records.map((r) => `${r.topic}:${r.value.length}`).join(',')}\n`);
        f(y.cause, d + 1);
        for (const z of y.errors ?? []) f(z, d + 1);
      };
      f(e);
    }
    throw e;
  }),
  close: () => real.close(),
};
const gateway = await startGateway({ config, producer, log: createLogger('gateway', { level: 'warn', write: (l) => process.stderr.write(l + '\n') }), registry: newRegistry('gateway') });
process.send!({ type: 'ready', port: gateway.port });
process.on('message', (m: { type: string }) => {
  if (m.type === 'stats') process.send!({ type: 'stats', rss: process.memoryUsage().rss, cpu: process.cpuUsage(), health: gateway.health() });
  if (m.type === 'stop') {
    void gateway.shutdown(2_000).then(() => producer.close()).finally(() => process.exit(0));
  }
});

// Entry point: `tsx ingest/gateway/main.ts [config.yml]`.
import { createProducer } from '../../proto/runtime/kafka.ts';
import { createLogger } from '../../proto/runtime/log.ts';
import { newRegistry, startServiceHttp, untilSignal } from '../../proto/runtime/service_http.ts';
import { loadGatewayConfig } from './config.ts';
import { startGateway } from './server.ts';

const log = createLogger('gateway');
try {
  const config = loadGatewayConfig(process.argv[2]);
  const registry = newRegistry('gateway');
  const producer = createProducer({ brokers: [...config.kafka.brokers], clientId: config.kafka.clientId });
  const gateway = await startGateway({ config, producer, log, registry });
  const http = await startServiceHttp({ port: config.http.port, registry, health: () => gateway.health() });
  log.info('gateway health and metrics', { url: http.url });
  process.on('SIGHUP', () => gateway.reloadDenyList());
  const sig = await untilSignal();
  log.info('shutting down', { signal: sig });
  await gateway.shutdown();
  await producer.close();
  await http.close();
  process.exit(0);
} catch (err) {
  log.error('gateway failed to start', { error: err });
  process.exit(1);
}

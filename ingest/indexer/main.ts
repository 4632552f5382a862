// Entry point of the indexer: `tsx ingest/indexer/main.ts [config.yml]`.
// alerts (and telemetry.*, if configured) -> OpenSearch/Elasticsearch _bulk; offsets committed after the write.
// Store down: the batch handler fails, the consumer loop retries the same batch (paused, so memory stays bounded)
// and catches up from there once the store answers again.
import { Counter, Gauge } from 'prom-client';
import { TOPICS, type Alert } from '../../proto/ecs.ts';
import { stampedEvents } from '../../proto/telemetry.ts';
import { runBatchConsumer } from '../../proto/runtime/kafka.ts';
import { createLogger } from '../../proto/runtime/log.ts';
import { newRegistry, startServiceHttp, untilSignal } from '../../proto/runtime/service_http.ts';
import type { IndexDoc } from './bulk.ts';
import { loadIndexerConfig } from './config.ts';
import { alertDoc, eventDocs, writeDocs } from './indexer.ts';
import { indicesToDelete, RETENTION_PATTERNS } from './retention.ts';
import { createStore } from './store.ts';
import { TEMPLATES } from './templates.ts';

const log = createLogger('indexer');
try {
  const config = loadIndexerConfig(process.argv[2]);
  const store = createStore(config.store);
  for (const [name, body] of Object.entries(TEMPLATES)) await store.putTemplate(name, body);
  const registry = newRegistry('indexer');
  const docsTotal = new Counter({ name: 'cirt_indexer_documents_total', help: 'Documents by outcome', labelNames: ['outcome'], registers: [registry] });
  const badRecords = new Counter({ name: 'cirt_indexer_discarded_records_total', help: 'Kafka records that could not be parsed', labelNames: ['topic'], registers: [registry] });
  const deletedIndices = new Counter({ name: 'cirt_indexer_retention_deleted_indices_total', help: 'Daily indices deleted by the retention sweep', registers: [registry] });
  const sweepErrors = new Counter({ name: 'cirt_indexer_retention_errors_total', help: 'Retention sweeps that failed', registers: [registry] });
  const storeUp = new Gauge({ name: 'cirt_indexer_store_up', help: '1 if the last bulk write succeeded', registers: [registry] });
  let storeState = 'unknown';

  const sweep = async (): Promise<void> => {
    try {
      const doomed = indicesToDelete(await store.listIndices(RETENTION_PATTERNS), new Date(), config.retention);
      if (doomed.length === 0) return;
      await store.deleteIndices(doomed);
      deletedIndices.inc(doomed.length);
      log.info('retention: deleted indices', { indices: doomed });
    } catch (err) {
      sweepErrors.inc();
      log.warn('retention sweep failed; next attempt at the next interval', { error: err });
    }
  };
  let sweepTimer: NodeJS.Timeout | undefined;
  if (config.retention.enabled) {
    await sweep();
    sweepTimer = setInterval(() => void sweep(), config.retention.sweepEveryMinutes * 60_000);
    sweepTimer.unref();
  }

  // Documents older than their class's retention go to the oldest retained day instead (retention.ts), counted.
  const clampedDocs = new Counter({ name: 'cirt_indexer_docs_outside_retention_total', help: 'Documents whose own day is past retention, indexed into the oldest retained day instead of being swept unseen', labelNames: ['class'], registers: [registry] });
  const placement = () => ({
    now: new Date(),
    ...(config.retention.enabled ? { days: { events: config.retention.events, alerts: config.retention.alerts } } : {}),
    onClamped: (c: string) => clampedDocs.inc({ class: c }),
  });
  const consumer = await runBatchConsumer({
    brokers: [...config.kafka.brokers],
    clientId: config.kafka.clientId,
    groupId: config.kafka.groupId,
    topics: config.indexTelemetry ? [TOPICS.alerts, TOPICS.flows, TOPICS.logs] : [TOPICS.alerts],
    maxBatch: config.kafka.maxBatch,
    maxWaitMs: config.kafka.maxWaitMs,
    maxRetryDelayMs: config.kafka.maxRetryDelayMs,
    log,
    handler: async (records) => {
      const docs: IndexDoc[] = [];
      const at = placement(); // one clock reading per batch
      for (const r of records) {
        try {
          const value = JSON.parse(r.value.toString('utf8')) as unknown;
          if (r.topic === TOPICS.alerts) docs.push(alertDoc(value as Alert, at));
          else docs.push(...eventDocs(stampedEvents(value), at));
        } catch (err) {
          badRecords.inc({ topic: r.topic });
          log.error('unparseable record skipped', { topic: r.topic, partition: r.partition, offset: r.offset, error: err });
        }
      }
      if (docs.length === 0) return;
      try {
        const res = await writeDocs(store, docs, { log });
        storeState = 'ok';
        storeUp.set(1);
        docsTotal.inc({ outcome: 'written' }, res.written);
        docsTotal.inc({ outcome: 'dead_lettered' }, res.deadLettered);
        docsTotal.inc({ outcome: 'retried' }, res.retries);
      } catch (err) {
        storeState = (err as Error).message;
        storeUp.set(0);
        throw err;
      }
    },
  });
  const http = await startServiceHttp({
    port: config.http.port,
    registry,
    health: () => ({ status: storeState === 'ok' || storeState === 'unknown' ? 'ok' : 'degraded', store: storeState, committed: consumer.committed, lastError: consumer.lastError }),
  });
  log.info('indexer running', { health: http.url, store: config.store.url, engine: config.store.engine, retention: config.retention });
  const sig = await untilSignal();
  log.info('shutting down', { signal: sig });
  clearInterval(sweepTimer);
  await consumer.stop();
  await store.close();
  await http.close();
  process.exit(0);
} catch (err) {
  log.error('indexer failed', { error: err, detail: String(err) });
  process.exit(1);
}

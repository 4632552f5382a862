// Entry point of the streaming detector: `tsx detection/service/main.ts [config.yml]`.
// telemetry.flows + telemetry.logs -> Sigma rules -> alerts; offsets are committed only after Kafka
// acknowledged the alerts of a batch.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Counter, Gauge } from 'prom-client';
import { TOPICS, type EcsEvent } from '../../proto/ecs.ts';
import { stampedEvents } from '../../proto/telemetry.ts';
import { createProducer, runBatchConsumer } from '../../proto/runtime/kafka.ts';
import { createLogger } from '../../proto/runtime/log.ts';
import { newRegistry, startServiceHttp, untilSignal } from '../../proto/runtime/service_http.ts';
import type { CorrelationSnapshot } from '../engine/index.ts';
import { intelCounts, RuleSetReloader, type RuleSet } from '../intel/index.ts';
import { loadDetectorConfig } from './config.ts';
import { Detector } from './detector.ts';

const log = createLogger('detector');
try {
  const config = loadDetectorConfig(process.argv[2]);
  // Rules, pipelines and threat intel (IOC lists -> placeholders) build one rule set; a poller rebuilds it when a
  // rule or intel file changes. A rebuild with a new error keeps the previous good set (detection/intel/reload.ts).
  const intelPaths = config.rules.intel.filter((p) => existsSync(p));
  const reloadMs = config.rules.reloadIntervalMs;
  const reloader = new RuleSetReloader({ rulePaths: config.rules.dirs, pipelineFiles: config.rules.pipelines, intelPaths });
  const logSet = (set: RuleSet, what: string): void => {
    for (const err of set.errors) log.warn('rule or intel not loaded', { error: String(err), code: (err as { code?: string }).code, location: err.location });
    log.info(what, { rules: set.rules.length, correlations: set.correlations.length, suppressed: set.suppressed.size, dirs: config.rules.dirs, intel: intelCounts(set.intel) });
  };
  logSet(reloader.current, 'rules loaded');
  const registry = newRegistry('detector');
  const markingProblems = new Counter({ name: 'cirt_detector_rule_marking_errors_total', help: 'Invalid or conflicting rsit.*/tlp.* rule tags (per rule load; the alerts fall back to ATT&CK / the default TLP)', registers: [registry] });
  const makeDetector = (set: RuleSet) => {
    const d = new Detector(set.rules, { correlations: set.correlations, suppressed: set.suppressed, correlation: config.correlation, defaultTlp: config.alerts.defaultTlp });
    for (const p of d.markingProblems) log.warn('rule classification tag ignored', { rule_id: p.ruleId, error: p.problem });
    markingProblems.inc(d.markingProblems.length);
    return d;
  };

  const eventsTotal = new Counter({ name: 'cirt_detector_events_total', help: 'Events evaluated', registers: [registry] });
  const alertsTotal = new Counter({ name: 'cirt_detector_alerts_total', help: 'Alerts raised', labelNames: ['rule_id'], registers: [registry] });
  const badRecords = new Counter({ name: 'cirt_detector_discarded_records_total', help: 'Kafka records that are not a telemetry batch', registers: [registry] });
  new Gauge({ name: 'cirt_detector_rules_loaded', help: 'Compiled rules', registers: [registry], collect() { this.set(reloader.current.rules.length); } });
  new Gauge({ name: 'cirt_detector_correlations_loaded', help: 'Compiled correlation rules', registers: [registry], collect() { this.set(reloader.current.correlations.length); } });
  const reloads = new Counter({ name: 'cirt_detector_rule_reloads_total', help: 'Rule/intel reloads', labelNames: ['result'], registers: [registry] });

  let detector = makeDetector(reloader.current);
  if (reloadMs > 0) {
    reloader.start(reloadMs, (o) => {
      if (o.result === 'rejected') {
        reloads.inc({ result: 'rejected' });
        for (const err of o.errors) log.error('reload refused; previous rules stay active', { error: String(err), code: (err as { code?: string }).code, location: err.location });
        return;
      }
      const next = makeDetector(o.set);
      try { next.correlation.restore(detector.correlation.snapshot()); } catch (err) { log.warn('correlation state not carried over the reload', { error: err }); }
      detector = next;
      reloads.inc({ result: 'reloaded' });
      logSet(o.set, 'rules reloaded');
    });
  }
  const stateFile = config.correlation.stateFile;
  if (stateFile && existsSync(stateFile)) {
    try {
      detector.correlation.restore(JSON.parse(readFileSync(stateFile, 'utf8')) as CorrelationSnapshot);
      log.info('correlation state restored', { file: stateFile });
    } catch (err) {
      log.warn('correlation state not restored; starting empty', { file: stateFile, error: err });
    }
  }
  // Written to a temporary file and renamed, so a kill -9 during the write leaves the previous snapshot whole.
  const snapshots = new Counter({ name: 'cirt_detector_state_snapshots_total', help: 'Correlation state snapshots written to correlation.stateFile', labelNames: ['result'], registers: [registry] });
  const saveState = (why: string): void => {
    if (!stateFile) return;
    try {
      writeFileSync(`${stateFile}.tmp`, JSON.stringify(detector.correlation.snapshot()));
      renameSync(`${stateFile}.tmp`, stateFile);
      snapshots.inc({ result: 'ok' });
    } catch (err) {
      snapshots.inc({ result: 'error' });
      log.warn('correlation state not saved', { file: stateFile, why, error: err });
    }
  };
  const snapshotEveryMs = config.correlation.snapshotEverySeconds * 1000;
  let lastSnapshot = Date.now();
  const sweeper = setInterval(() => detector.correlation.sweep(), 60_000);
  sweeper.unref();
  const producer = createProducer({ brokers: [...config.kafka.brokers], clientId: config.kafka.clientId });
  const consumer = await runBatchConsumer({
    brokers: [...config.kafka.brokers],
    clientId: config.kafka.clientId,
    groupId: config.kafka.groupId,
    topics: [TOPICS.flows, TOPICS.logs],
    maxBatch: config.kafka.maxBatch,
    maxWaitMs: config.kafka.maxWaitMs,
    log,
    handler: async (records) => {
      // The consumer commits a batch before it hands over the next one, so here the state holds exactly the
      // committed records: a periodic snapshot taken now never counts an event twice after a restart. A kill -9
      // loses the matches committed since the last one (at most snapshotEverySeconds of stream).
      if (stateFile && snapshotEveryMs > 0 && Date.now() - lastSnapshot >= snapshotEveryMs) {
        saveState('periodic');
        lastSnapshot = Date.now();
      }
      const out = [];
      for (const record of records) {
        let events: EcsEvent[];
        try {
          events = stampedEvents(JSON.parse(record.value.toString('utf8')));
        } catch (err) {
          badRecords.inc();
          log.error('not a telemetry batch; skipped', { topic: record.topic, partition: record.partition, offset: record.offset, error: err });
          continue;
        }
        eventsTotal.inc(events.length);
        for (const alert of detector.evaluate(events, new Date())) {
          alertsTotal.inc({ rule_id: alert.rule.id });
          out.push({ topic: TOPICS.alerts, key: alert.alert.id, value: JSON.stringify(alert) });
        }
      }
      await producer.send(out);
      if (out.length) log.info('alerts raised', { alerts: out.length });
    },
  });
  const http = await startServiceHttp({
    port: config.http.port,
    registry,
    health: () => ({ status: consumer.lastError ? 'degraded' : 'ok', rules: reloader.current.rules.length, correlations: reloader.current.correlations.length, reloads: reloader.counters, committed: consumer.committed, lastError: consumer.lastError, ...detector.counters, correlationState: detector.correlation.counters }),
  });
  new Gauge({
    name: 'cirt_detector_correlation_state', help: 'Correlation state counters (observed, hits, late, evictedKeys, evictedEvents)', labelNames: ['counter'], registers: [registry],
    collect() { for (const [k, v] of Object.entries(detector.correlation.counters)) this.set({ counter: k }, v); },
  });
  // Per-rule health for the operations room's rule-health view and alerting on broken rules.
  new Gauge({
    name: 'cirt_detector_rule_hits', help: 'Matches per rule since start', labelNames: ['rule_id'], registers: [registry],
    collect() { for (const m of detector.ruleMetrics()) this.set({ rule_id: m.id }, m.hits); },
  });
  new Gauge({
    name: 'cirt_detector_rule_errors', help: 'Evaluation errors per rule since start (the rule is skipped for that event)', labelNames: ['rule_id'], registers: [registry],
    collect() { for (const m of detector.ruleMetrics()) this.set({ rule_id: m.id }, m.errors); },
  });
  new Gauge({
    name: 'cirt_detector_rule_eval_microseconds', help: 'Mean evaluation time per rule (sampled)', labelNames: ['rule_id'], registers: [registry],
    collect() { for (const m of detector.ruleMetrics()) this.set({ rule_id: m.id }, m.meanEvalUs); },
  });
  log.info('detector running', { health: http.url });
  const sig = await untilSignal();
  log.info('shutting down', { signal: sig });
  reloader.stop();
  await consumer.stop();
  clearInterval(sweeper);
  saveState('shutdown');
  await producer.close();
  await http.close();
  process.exit(0);
} catch (err) {
  log.error('detector failed', { error: err, detail: String(err) });
  process.exit(1);
}

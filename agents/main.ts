// Entry point of the agency agent: `agent --config file.yml` (or `tsx agents/main.ts [--config] file.yml`; env
// variables override, see agents/config.ts). Runs the configured inputs (jsonl replay, NetFlow/IPFIX collector,
// pcap replay, syslog …), spools every event to disk and ships it to the CIRT gateway; /healthz and /metrics on
// http.port.
import { join } from 'node:path';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { CirtError } from '../proto/errors.ts';
import { createLogger, type Logger } from '../proto/runtime/log.ts';
import { newRegistry, startServiceHttp, untilSignal } from '../proto/runtime/service_http.ts';
import { loadAgentConfigOnce } from './config_loader.ts';
import { effectiveInputs } from './effective_inputs.ts';
import { buildHeartbeat, HEARTBEAT_INTERVAL_MS, startHeartbeat } from './heartbeat.ts';
import type { AgentInput, InputContext } from './inputs/input.ts';
import { createInput } from './inputs/inputs.ts';
import { GrpcShipper } from './shipper/grpc_shipper.ts';
import { DiskSpool } from './spool/disk_spool.ts';

const log = createLogger('agent');

/** `--config x.yml`, `--config=x.yml` or a bare `x.yml`. */
export function configPathFromArgs(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--config' || a === '-c') return argv[i + 1];
    if (a.startsWith('--config=')) return a.slice('--config='.length);
    if (!a.startsWith('-')) return a;
  }
  return undefined;
}

interface InputStats {
  received: number;
  spooled: number;
  rejected: Map<string, number>;
}

/** Logs rejected input at most `perMinute` times per input and code; the counters count every one. */
function rateLimitedRejectLog(logger: Logger, perMinute = 10) {
  const seen = new Map<string, { windowStart: number; n: number }>();
  return (input: string, err: CirtError) => {
    const key = `${input}\0${err.code}`;
    const now = Date.now();
    const s = seen.get(key) ?? { windowStart: now, n: 0 };
    if (now - s.windowStart > 60_000) Object.assign(s, { windowStart: now, n: 0 });
    s.n++;
    seen.set(key, s);
    if (s.n <= perMinute) logger.warn('input rejected', { input, code: err.code, error: err.toString() });
    else if (s.n === perMinute + 1) logger.warn('input rejected (more of this code suppressed for a minute)', { input, code: err.code });
  };
}

/** A prom-client counter fed from a monotonic source at scrape time. */
function counterFrom(registry: Registry, name: string, help: string, labelNames: string[], read: () => [Record<string, string>, number][]) {
  const last = new Map<string, number>();
  new Counter({
    name, help, labelNames, registers: [registry],
    collect() {
      for (const [labels, value] of read()) {
        const key = JSON.stringify(labels);
        const delta = value - (last.get(key) ?? 0);
        if (delta > 0) this.inc(labels, delta);
        last.set(key, value);
      }
    },
  });
}

async function main(): Promise<void> {
  const config = await loadAgentConfigOnce(configPathFromArgs(process.argv.slice(2)));
  const spool = new DiskSpool(config.spool);
  const shipper = new GrpcShipper({ ...config.shipping, address: config.gateway.address, tls: config.gateway, agentId: config.agentId, log, spool, compression: config.gateway.compression });
  log.info('agent started', { agentId: config.agentId, bootId: shipper.bootId, gateway: config.gateway.address, compression: config.gateway.compression, spool: config.spool.dir, unacked: spool.unreadRecords, ...spool.counters });

  const inputs: { input: AgentInput; stats: InputStats }[] = effectiveInputs(config).map((c) => ({
    input: createInput(c, { stateDir: join(config.spool.dir, 'inputs') }),
    stats: { received: 0, spooled: 0, rejected: new Map() },
  }));
  const logReject = rateLimitedRejectLog(log);

  const registry = newRegistry('agent');
  const perInput = <T>(f: (i: AgentInput, s: InputStats) => T) => inputs.map(({ input, stats }) => f(input, stats));
  counterFrom(registry, 'agent_events_received_total', 'Events produced by an input (before the spool)', ['input'], () => perInput((i, s) => [{ input: i.name }, s.received]));
  counterFrom(registry, 'agent_events_spooled_total', 'Events appended to the disk spool', ['input'], () => perInput((i, s) => [{ input: i.name }, s.spooled]));
  counterFrom(registry, 'agent_input_rejected_total', 'Input skipped as invalid, by reason (error code)', ['input', 'code'], () => inputs.flatMap(({ input, stats }) => [...stats.rejected].map(([code, n]): [Record<string, string>, number] => [{ input: input.name, code }, n])));
  const inputCounter = (name: string, help: string, key: string) =>
    counterFrom(registry, name, help, ['input'], () => perInput((i): [Record<string, string>, number] => [{ input: i.name }, i.counters()[key] ?? 0]).filter(([, v]) => v > 0));
  inputCounter('agent_input_received_packets_total', 'Datagrams / frames received by an input', 'received_packets_total');
  inputCounter('agent_input_decoded_records_total', 'Flow records decoded by an input', 'decoded_records_total');
  inputCounter('agent_input_dropped_packets_total', 'Packets dropped because the input queue was full (drop_newest)', 'dropped_packets_total');
  new Gauge({
    name: 'agent_input_stat', help: 'Every counter an input reports (agents/inputs/*), by name', labelNames: ['input', 'stat'], registers: [registry],
    collect() {
      this.reset();
      for (const { input } of inputs) for (const [stat, v] of Object.entries(input.counters())) this.set({ input: input.name, stat }, v);
    },
  });
  counterFrom(registry, 'agent_records_acked_total', 'Records the gateway acknowledged (durable in Kafka)', [], () => [[{}, shipper.getStats().acked]]);
  counterFrom(registry, 'agent_records_rejected_by_gateway_total', 'Records the gateway refused for good', [], () => [[{}, shipper.getStats().rejectedEvents]]);
  counterFrom(registry, 'agent_gateway_reconnects_total', 'Gateway connections re-opened', [], () => [[{}, shipper.getStats().reconnects]]);
  const gauge = (name: string, help: string, read: () => number) => new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
  gauge('agent_records_shipped', 'Records sent to the gateway since start: acknowledged + in flight', () => shipper.getStats().acked + shipper.getStats().inflight);
  gauge('agent_records_inflight', 'Records sent and not yet acknowledged', () => shipper.getStats().inflight);
  counterFrom(registry, 'agent_spool_write_errors_total', 'Spool appends that failed on the filesystem (input paused, retried), by error code', ['code'], () => [
    [{ code: 'ERR_SPOOL_DISK_FULL' }, spool.counters.diskFullErrors],
    [{ code: 'ERR_SPOOL_WRITE' }, spool.counters.writeErrors - spool.counters.diskFullErrors],
  ]);
  counterFrom(registry, 'agent_spool_dropped_records_total', 'Unacknowledged records dropped because the spool was full (whenFull: drop_oldest)', [], () => [[{}, spool.counters.droppedFull]]);
  gauge('agent_spool_backlog_bytes', 'Spool bytes not yet acknowledged by the gateway', () => spool.pendingBytes);
  gauge('agent_spool_backlog_records', 'Spooled records not yet sent', () => spool.unreadRecords);
  gauge('agent_gateway_connected', '1 while the gateway stream is up', () => (shipper.getStats().connected ? 1 : 0));

  const health = () => {
    const s = shipper.getStats();
    return {
      // a spool that cannot be written (disk full) pauses the inputs: degraded even while the gateway is up
      status: s.connected && !spool.lastWriteError ? ('ok' as const) : ('degraded' as const),
      agentId: config.agentId,
      bootId: shipper.bootId,
      gateway: { address: config.gateway.address, connected: s.connected, reconnects: s.reconnects, lastError: s.lastError, compression: config.gateway.compression },
      spool: { dir: config.spool.dir, backlogBytes: spool.pendingBytes, backlogRecords: spool.unreadRecords, inflightRecords: s.inflight, ...spool.counters, ...(spool.lastWriteError ? { lastWriteError: spool.lastWriteError } : {}) },
      shipper: { acked: s.acked, rejectedEvents: s.rejectedEvents, retries: s.retries },
      inputs: inputs.map(({ input, stats }) => ({ name: input.name, received: stats.received, spooled: stats.spooled, rejected: Object.fromEntries(stats.rejected), ...input.counters() })),
    };
  };
  let http: { url: string; close(): Promise<void> } | undefined;
  try {
    http = await startServiceHttp({ port: config.http.port, host: config.http.host, registry, health });
    log.info('health and metrics', { url: http.url });
  } catch (err) {
    // shipping matters more than the agent's own endpoint: keep running, say so loudly
    log.error('health/metrics endpoint not started; the agent runs without it', { error: err, port: config.http.port });
  }

  for (const { input, stats } of inputs) {
    const ilog = log.child(input.name);
    const reject = (err: CirtError) => {
      stats.rejected.set(err.code, (stats.rejected.get(err.code) ?? 0) + 1);
      logReject(input.name, err);
    };
    // a record the spool can never take (too large): rejected, counted, the input goes on
    const refused = (err: unknown) => reject(err as CirtError);
    const ctx: InputContext = {
      log: ilog,
      reject,
      emit: (kind, event) => {
        stats.received++;
        let waiting: Promise<void> | undefined;
        try {
          waiting = shipper.send(kind, event);
        } catch (err) {
          refused(err);
          return;
        }
        if (waiting === undefined) {
          stats.spooled++;
          return;
        }
        return waiting.then(() => void stats.spooled++, refused);
      },
    };
    // finite replays resolve when done, servers once listening; neither blocks the others
    input.start(ctx).then(
      () => ilog.info('input started', { ...input.counters() }),
      (err: unknown) => ilog.error('input failed', { error: err, detail: String(err) }),
    );
  }

  const stats = setInterval(() => log.info('shipper', { ...shipper.getStats(), backlogBytes: spool.pendingBytes }), 30_000);
  // The heartbeat (dataset cirt.agent_health) goes through the spool like any log event: see agents/heartbeat.ts.
  let heartbeats = 0;
  const heartbeat = startHeartbeat({
    intervalMs: HEARTBEAT_INTERVAL_MS,
    immediate: true, // one at start: the wall sees a restart (new boot_id) without waiting 30 s
    build: () =>
      buildHeartbeat(
        {
          bootId: shipper.bootId,
          spool: { pendingBytes: spool.pendingBytes, unreadRecords: spool.unreadRecords, counters: spool.counters },
          shipper: shipper.getStats(),
          inputs: inputs.map(({ input, stats: s }) => ({ name: input.name, received: s.received, spooled: s.spooled, rejected: [...s.rejected.values()].reduce((a, b) => a + b, 0), counters: input.counters() })),
        },
        new Date(),
      ),
    emit: async (event) => {
      await shipper.send('log', event);
      heartbeats++;
    },
    onError: (err) => log.error('heartbeat not spooled', { error: err, detail: String(err) }),
  });
  counterFrom(registry, 'agent_heartbeats_spooled_total', 'Heartbeats (cirt.agent_health) appended to the spool', [], () => [[{}, heartbeats]]);
  const sig = await untilSignal();
  log.info('shutting down; waiting for unacknowledged batches', { signal: sig, ...shipper.getStats() });
  clearInterval(stats);
  heartbeat.stop();
  await Promise.allSettled(inputs.map(({ input }) => input.stop()));
  await shipper.drain(10_000).catch((err: Error) => log.error('shutdown with unacknowledged records (kept in the spool)', { error: err }));
  shipper.close();
  await http?.close();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      log.error('agent failed', { error: err, detail: String(err) });
      process.exit(1);
    },
  );
}

// The agent's heartbeat: one ECS metric event (dataset `cirt.agent_health`) with the agent's own health, shipped
// through the normal path (spool → gateway → Kafka → events-*), so the CIRT's wall sees spool backlog, shipper
// state and input counters per agent. Going through the spool is deliberate: a heartbeat written while the gateway
// was unreachable arrives late, with its own @timestamp, and its age on the wall tells how stale the backlog is.
// Pure: the builder takes the figures, main.ts owns the timer.
import type { CirtAgentHealth, EcsEvent } from '../proto/ecs.ts';
import type { ShipperStats } from './shipper/grpc_shipper.ts';
import type { SpoolCounters } from './spool/disk_spool.ts';

/**
 * How often the agent emits a heartbeat. agents/config.ts has no key for it (owned elsewhere; a `heartbeat.intervalMs`
 * key would be the natural home), so it is a constant here.
 */
export const HEARTBEAT_INTERVAL_MS = 30_000;
export const HEARTBEAT_DATASET = 'cirt.agent_health';

export interface HeartbeatInputFigures {
  name: string;
  received: number;
  spooled: number;
  rejected: number;
  counters: Record<string, number>;
}

export interface HeartbeatFigures {
  bootId: string;
  spool: { pendingBytes: number; unreadRecords: number; counters: Readonly<SpoolCounters> };
  shipper: Pick<ShipperStats, 'connected' | 'reconnects' | 'rejectedEvents'>;
  inputs: HeartbeatInputFigures[];
}

/**
 * The heartbeat event. Input names carry paths and dots (`jsonl:a/b.jsonl`), which an object key would split
 * into nested fields in OpenSearch, so inputs are a list of `{name, received, spooled, rejected, ...counters}`.
 */
export function buildHeartbeat(f: HeartbeatFigures, now: Date): EcsEvent & { cirt: { agent: CirtAgentHealth } } {
  return {
    '@timestamp': now.toISOString(),
    event: { kind: 'metric', dataset: HEARTBEAT_DATASET, module: 'cirt' },
    cirt: {
      agent: {
        boot_id: f.bootId,
        spool: {
          backlog_bytes: f.spool.pendingBytes,
          backlog_records: f.spool.unreadRecords,
          acked_total: f.spool.counters.acked,
          dropped_total: f.spool.counters.droppedFull,
          torn_total: f.spool.counters.tornRecords,
        },
        shipper: { connected: f.shipper.connected, reconnects: f.shipper.reconnects, rejected_events: f.shipper.rejectedEvents },
        inputs: f.inputs.map((i) => ({ ...i.counters, name: i.name, received: i.received, spooled: i.spooled, rejected: i.rejected })),
      },
    },
  };
}

/**
 * Calls `emit(build())` every `intervalMs` (and at once if `immediate`), never two at once: while a heartbeat is still waiting for the spool
 * (policy `block` with a full spool), the next tick is skipped rather than queued. Errors go to `onError`.
 */
export function startHeartbeat(opts: { intervalMs: number; immediate?: boolean; build: () => EcsEvent; emit: (event: EcsEvent) => Promise<void>; onError: (err: unknown) => void }): { stop(): void } {
  let pending = false;
  const tick = () => {
    if (pending) return;
    pending = true;
    let event: EcsEvent;
    try {
      event = opts.build();
    } catch (err) {
      pending = false;
      opts.onError(err);
      return;
    }
    opts.emit(event).then(
      () => (pending = false),
      (err: unknown) => {
        pending = false;
        opts.onError(err);
      },
    );
  };
  const timer = setInterval(tick, opts.intervalMs);
  timer.unref();
  if (opts.immediate) tick();
  return { stop: () => clearInterval(timer) };
}

// The contract every agent input implements (syslog, files, NetFlow/IPFIX collector, pcap replay, JSON-lines
// replay). An input turns its source into ECS events and hands each to `emit`. `emit` returns nothing when the event
// is already in the spool, and a promise, which resolves once it is, when the spool must be waited for (full, or
// the disk refuses): awaiting it is the back-pressure (a full spool slows the input down; nothing is dropped
// silently). `await ctx.emit(…)` is always correct; a hot loop may skip the await when nothing is returned.
import type { EcsEvent } from '../../proto/ecs.ts';
import type { CirtError } from '../../proto/errors.ts';

export type EventKind = 'flow' | 'log';

export type Emit = (kind: EventKind, event: EcsEvent) => Promise<void> | void;

export interface InputContext {
  emit: Emit;
  /** Bad input that was skipped: counted per input and code, logged (rate-limited) with its location. */
  reject: (err: CirtError) => void;
  log: import('../../proto/runtime/log.ts').Logger;
}

export interface AgentInput {
  /** e.g. "syslog-udp:127.0.0.1:5514" — used as the metrics label. */
  readonly name: string;
  /** Starts reading; resolves once the input is listening (servers) or has finished (finite replays). */
  start(ctx: InputContext): Promise<void>;
  stop(): Promise<void>;
  /** Input-specific counters, merged into the agent's /metrics and health. */
  counters(): Record<string, number>;
}

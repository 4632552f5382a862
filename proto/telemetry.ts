// The value of a telemetry.* Kafka record, and the one function that turns it into the events everyone reads.
// The gateway validates each event and attaches the identity it took from the client certificate to the batch
// (the envelope); it does not rewrite the events (re-serialising every event cost ~3 µs of the gateway's ~5 µs per
// event: docs/decisions.md D25). `stampedEvents` applies that identity to every event: the certificate's agency and
// agent override whatever the payload claimed, so a consumer never sees an event without them.
import { hash } from 'node:crypto';
import type { EcsEvent } from './ecs.ts';
import { CirtError } from './errors.ts';

/** Value of a telemetry.* record: one agent batch of one kind. Key: `agency/agent`. Read it with `stampedEvents`. */
export interface TelemetryBatch {
  /** 2: events as the agent sent them + the identity envelope. (1, before: `events` already stamped.) */
  v: 2;
  agency: string;
  agentId: string;
  bootId: string;
  seq: number;
  receivedAt: string;
  /** The agent's mTLS client certificate. */
  cert: { serial: string; notAfter?: string };
  /** Position of each event in the agent's batch (one batch may be split into telemetry.flows and telemetry.logs). */
  index: number[];
  /** Gateway findings (e.g. `timestamp_too_old`) by position in `sent`, only for the events that have some. */
  flags?: Record<string, string[]>;
  /** The events as the agent sent them, validated (a JSON object with a parseable `@timestamp`), NOT stamped. */
  sent: Record<string, unknown>[];
}

/** The format before D25: events stamped by the gateway. Still read, for records written before an upgrade. */
interface TelemetryBatchV1 {
  agency: string;
  agentId: string;
  bootId: string;
  seq: number;
  receivedAt: string;
  events: EcsEvent[];
}

/** A telemetry.* record value of no known shape (ERR_TELEMETRY_FORMAT). */
export class TelemetryFormatError extends CirtError {
  constructor(message: string) {
    super('ERR_TELEMETRY_FORMAT', message);
  }
}

/** Already what toISOString() gives: no re-formatting needed. */
const CANONICAL_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * The batch's events with the identity applied (in place: the objects belong to the caller's JSON.parse):
 * `organization.id` = the certificate's agency, `agent.id`/`agent.ephemeral_id` = its agent and boot,
 * `observer.name` defaults to the agent, `cirt.agent_cert`, a deterministic `event.id`, `event.ingested`, the
 * gateway's tags, and `@timestamp` in canonical ISO form. Throws TelemetryFormatError on a value of another shape.
 */
export function stampedEvents(value: unknown): EcsEvent[] {
  if (!isObject(value)) throw new TelemetryFormatError('a telemetry batch must be a JSON object');
  if (Array.isArray(value.events) && value.v === undefined) return (value as unknown as TelemetryBatchV1).events;
  const b = value as unknown as TelemetryBatch;
  if (value.v !== 2 || !Array.isArray(b.sent) || !Array.isArray(b.index) || typeof b.agency !== 'string' || typeof b.agentId !== 'string' || !isObject(b.cert)) {
    throw new TelemetryFormatError(`not a telemetry batch (version ${String(value.v)}; expected 2 with agency, agentId, cert, index and sent)`);
  }
  const organization = { id: b.agency };
  const agentCert = { ...(b.cert.notAfter ? { not_after: b.cert.notAfter } : {}), serial: b.cert.serial };
  const out = b.sent as unknown as EcsEvent[];
  for (let i = 0; i < out.length; i++) {
    const e = out[i] as EcsEvent & Record<string, unknown>;
    const ts = e['@timestamp'];
    if (!CANONICAL_TS.test(ts)) e['@timestamp'] = new Date(Date.parse(ts)).toISOString();
    const ev = isObject(e.event) ? e.event : (e.event = {});
    ev.id = ev.id ? agentEventId(b.agency, b.agentId, String(ev.id)) : eventId(b.agency, b.agentId, b.bootId, b.seq, b.index[i] ?? i);
    ev.ingested = b.receivedAt;
    e.organization = organization;
    e.cirt = isObject(e.cirt) ? { ...e.cirt, agent_cert: agentCert } : { agent_cert: agentCert };
    e.agent = isObject(e.agent) ? { ...e.agent, id: b.agentId, ephemeral_id: b.bootId } : { id: b.agentId, ephemeral_id: b.bootId };
    e.observer = isObject(e.observer) ? { ...e.observer, name: e.observer.name ?? b.agentId } : { name: b.agentId };
    const flags = b.flags?.[i];
    if (flags) e.tags = [...new Set([...(Array.isArray(e.tags) ? e.tags : []), ...flags])];
  }
  return out;
}

/**
 * The agent gives each event an id when it spools it, so a record re-shipped after an agent restart (new boot,
 * new seq) keeps its id. It is scoped by the certificate's identity, so one agency cannot overwrite another's.
 */
export function agentEventId(agency: string, agent: string, id: string): string {
  return hash('sha256', `${agency}\0${agent}\0${id}`, 'base64url').slice(0, 22);
}

/** Deterministic event id for events that carry none: a re-sent batch yields the same ids. */
export function eventId(agency: string, agent: string, bootId: string, seq: number, index: number): string {
  return hash('sha256', `${agency}\0${agent}\0${bootId}\0${seq}\0${index}`, 'base64url').slice(0, 22);
}

// Canonical event and alert types shared by every component (ECS field names).
// Components meet only here and on Kafka topics; keep this file free of logic beyond tiny pure helpers.
import type { Rsit } from './taxonomy.ts';
import type { Tlp } from './tlp.ts';

export type { Rsit, Tlp };

export type Severity = 'informational' | 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['informational', 'low', 'medium', 'high', 'critical'];

export type AlertStatus = 'open' | 'acknowledged' | 'closed';

export interface EcsEndpoint {
  ip?: string;
  port?: number;
  bytes?: number;
  packets?: number;
  domain?: string;
}

/** One normalised telemetry event (a flow record or a log line), ECS field names. */
export interface EcsEvent {
  '@timestamp': string;
  event?: {
    id?: string;
    kind?: string;
    category?: string[];
    type?: string[];
    action?: string;
    outcome?: string;
    dataset?: string;
    module?: string;
    provider?: string;
    code?: string;
    start?: string;
    end?: string;
    duration?: number;
    created?: string;
    ingested?: string;
    original?: string;
  };
  source?: EcsEndpoint;
  destination?: EcsEndpoint;
  network?: {
    transport?: string;
    protocol?: string;
    iana_number?: string;
    bytes?: number;
    packets?: number;
    direction?: string;
    community_id?: string;
  };
  host?: { name?: string; hostname?: string; ip?: string[]; os?: { type?: string } };
  observer?: { id?: string; name?: string; type?: string; hostname?: string; ip?: string[]; vendor?: string; product?: string };
  organization?: { id?: string; name?: string };
  agent?: { id?: string; ephemeral_id?: string; name?: string; type?: string; version?: string };
  log?: { level?: string; file?: { path?: string }; offset?: number; syslog?: { facility?: { code?: number; name?: string }; severity?: { code?: number; name?: string }; priority?: number } };
  process?: { name?: string; pid?: number; executable?: string; command_line?: string; parent?: { name?: string; executable?: string; command_line?: string } };
  user?: { name?: string; domain?: string };
  message?: string;
  tags?: string[];
  /** ECS TLS fields of what the event observed (e.g. a Zeek or Suricata log); the gateway leaves them alone. */
  tls?: { [field: string]: unknown };
  /**
   * CIRT-specific fields. `cirt.agent` is the agent's heartbeat (event.dataset `cirt.agent_health`); `cirt.agent_cert`
   * is set by the gateway from the agent's mTLS client certificate, never from the payload: its expiry and serial,
   * so agency health can show certificates about to expire.
   */
  cirt?: { agent?: CirtAgentHealth; agent_cert?: { not_after?: string; serial: string }; [field: string]: unknown };
  /** Vendor- or source-specific fields (e.g. Windows EventData) live here or in their ECS-custom namespaces. */
  [field: string]: unknown;
}

/** The agent's own health, sent every 30 s as `cirt.agent` of an event with event.dataset `cirt.agent_health`. */
export interface CirtAgentHealth {
  boot_id: string;
  spool: { backlog_bytes: number; backlog_records: number; acked_total: number; dropped_total: number; torn_total: number };
  shipper: { connected: boolean; reconnects: number; rejected_events: number };
  /** One entry per input: its name and counters (a list, since input names hold dots and paths). */
  inputs: ({ name: string; received: number; spooled: number; rejected: number } & Record<string, number | string>)[];
}

/**
 * Per agency, what the operations room derives from the agents' heartbeats and the gateway-stamped certificate
 * expiry (`cirt.agent_cert.not_after`). Returned by the wall with each agency (`WallData.agencies[i].health`).
 */
export interface AgencyHealth {
  /** Sum over the agency's agents of their latest heartbeat; absent when no agent sent one in the look-back. */
  spool?: {
    agents: number;
    backlog_bytes: number;
    backlog_records: number;
    /** Agents whose latest heartbeat says the gateway stream was down when it was written. */
    disconnected: number;
    /** The oldest of the agents' latest heartbeats: how stale the sum may be. */
    heartbeat_at: string;
  };
  /** The earliest expiry among the certificates the agency's agents presented recently (newest per agent). */
  certificate?: { not_after: string; agent: string };
}

/** An alert as written to Kafka `alerts` and indexed into OpenSearch `alerts-*`. */
export interface Alert {
  '@timestamp': string;
  event: { kind: 'alert'; created: string; dataset?: string };
  alert: {
    /** Deterministic: hash of rule id, agency, group-by values, window start, first event id. */
    id: string;
    status: AlertStatus;
    severity: Severity;
    reason: string;
    window?: { start: string; end: string };
    /** Event fields the rule's detection matched on (as the engine saw them, after the pipeline's field mapping). */
    matched_fields?: string[];
  };
  rule: {
    id: string;
    name: string;
    description?: string;
    /** Sigma rule author: DRL 1.1 requires the attribution to travel with every match. */
    author?: string;
    license?: string;
    level: Severity;
    tags: string[];
    references: string[];
    type: 'detection' | 'correlation';
    /** SHA-256 (hex) of the text of the rule file that fired, as the detector loaded it (evidence bundles). */
    hash?: string;
    /** Sigma `modified`, else `date`, of the rule. */
    version?: string;
  };
  organization: { id: string };
  observer?: EcsEvent['observer'];
  source?: EcsEndpoint;
  destination?: EcsEndpoint;
  host?: EcsEvent['host'];
  threat?: { technique: { id: string }[]; tactic: { name: string }[] };
  /**
   * RSIT incident classification (proto/taxonomy.ts): from the rule's `rsit.*` tag, else its ATT&CK tags; analysts
   * may change it. Set by the detector on every alert; absent on documents indexed before it existed.
   */
  rsit?: Rsit;
  /** TLP 2.0 marking (proto/tlp.ts): the rule's `tlp.*` tag, else the detector's default (AMBER). Same remark. */
  tlp?: Tlp;
  /** The triggering events (capped), as they were matched. */
  events: EcsEvent[];
}

/** Kafka topics (DESIGN.md "Topics and keys"). */
export const TOPICS = {
  flows: 'telemetry.flows',
  logs: 'telemetry.logs',
  rejected: 'telemetry.rejected',
  alerts: 'alerts',
} as const;

/** Index naming: alerts-YYYY.MM.DD etc. */
export function dailyIndex(prefix: 'alerts' | 'events' | 'deadletter', timestamp: string): string {
  const d = new Date(timestamp);
  const day = Number.isNaN(d.getTime()) ? new Date() : d;
  const y = day.getUTCFullYear();
  const m = String(day.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(day.getUTCDate()).padStart(2, '0');
  return `${prefix}-${y}.${m}.${dd}`;
}

/** Value of a telemetry.rejected record: what was refused, where it came from and why. */
export interface RejectedRecord {
  agency: string;
  agentId: string;
  bootId: string;
  seq: number;
  index: number;
  code: string;
  reason: string;
  receivedAt: string;
  /** The original record, as text, capped. */
  original: string;
}

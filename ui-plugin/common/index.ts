// Shared by server/ and public/: ids, paths and the few types both sides need.
// Imports from the rest of the repository are TYPE-ONLY (DESIGN.md: ui-plugin may import proto "types only"):
// type imports are erased by babel/esbuild, so the plugin still builds when dropped alone into OSD's plugins/.
import type { Alert, Severity } from '../../proto/ecs';
import type { Rsit, Tlp } from './taxonomy';

export type { Alert, Severity };
// RSIT classification and TLP 2.0 (issue 10): lists, checks, colours.
export * from './taxonomy';

export const PLUGIN_ID = 'cirtOperations';
export const PLUGIN_NAME = 'CIRT operations room';

/** Base of every HTTP route of the plugin (server and standalone host). */
export const API_BASE_PATH = '/api/cirt';
export const ALERTS_PATH = `${API_BASE_PATH}/alerts`;
export const ALERT_BY_ID_PATH = `${API_BASE_PATH}/alerts/{id}`;
export const HEALTH_PATH = `${API_BASE_PATH}/health`;

/** Index pattern the alerts are read from (the indexer writes alerts-YYYY.MM.DD). */
export const DEFAULT_ALERTS_INDEX_PATTERN = 'alerts-*';

export const PAGE_SIZE = { min: 1, max: 500, default: 50 } as const;
/** OpenSearch's default index.max_result_window: from + size may not exceed it. */
export const MAX_RESULT_WINDOW = 10_000;
export const AUTO_REFRESH_MS = 10_000;

/**
 * The severities, lowest first. A local copy of proto/ecs.ts SEVERITIES (a value import would tie the plugin's
 * build to files outside its folder); `common/index.test.ts` checks the two stay equal, and the type below
 * fails compilation if a Severity is missing here.
 */
export const SEVERITY_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const satisfies readonly Severity[];
type MissingSeverity = Exclude<Severity, (typeof SEVERITY_LEVELS)[number]>;
const _allSeveritiesListed: MissingSeverity extends never ? true : never = true;
void _allSeveritiesListed;

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITY_LEVELS as readonly string[]).includes(value);
}

/** GET /api/cirt/alerts answer. */
export interface AlertListResponse {
  total: number;
  alerts: Alert[];
}

/** Body of every 4xx/5xx answer of the plugin's routes. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Operations room (issue 8): roles, triage, incidents, advisories, wall.

export const SESSION_PATH = `${API_BASE_PATH}/session`;
export const LOGIN_PATH = `${API_BASE_PATH}/login`;
export const LOGOUT_PATH = `${API_BASE_PATH}/logout`;
/** Header carrying the CSRF token on every state-changing request (standalone host; OSD uses its `osd-xsrf`). */
export const CSRF_HEADER = 'x-cirt-csrf';
export const SESSION_COOKIE = 'cirt_sid';

export const ROLES = ['analyst', 'lead', 'liaison'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: resolved by the host (session) or by OSD's auth context, never from the request body. */
export interface Principal {
  username: string;
  role: Role;
  /** organization.id of a liaison's agency (liaisons only). */
  agency?: string;
}

export const QUALIFICATIONS = ['true_positive', 'false_positive'] as const;
export type Qualification = (typeof QUALIFICATIONS)[number];
export const ALERT_STATUSES = ['open', 'acknowledged', 'closed'] as const;

/** What the UI adds to an alert document (`_update` on its concrete alerts-* index). */
export interface AlertTriage {
  assignee?: string;
  qualification?: Qualification;
  reason?: string;
  acknowledged_by?: string;
  acknowledged_at?: string;
  incident_id?: string;
  updated_by?: string;
  updated_at?: string;
}

/** An alert as the operations room reads it: the indexer's document plus the triage the UI wrote. */
export type TriagedAlert = Alert & { triage?: AlertTriage };

/** FIRST CSIRT Services Framework incident lifecycle, in order. */
export const INCIDENT_STATUSES = ['new', 'triage', 'containment', 'eradication', 'recovery', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Allowed next states (the server enforces them; the UI offers them). Early closing from new and triage (false alarm, duplicate). */
export const INCIDENT_TRANSITIONS: Record<IncidentStatus, readonly IncidentStatus[]> = {
  new: ['triage', 'closed'],
  triage: ['containment', 'closed'],
  containment: ['eradication'],
  eradication: ['recovery'],
  recovery: ['closed'],
  closed: ['triage'],
};

export interface TimelineEntry {
  at: string;
  by: string;
  action: string;
  detail?: string;
}

export interface Incident {
  id: string;
  title: string;
  description: string;
  status: IncidentStatus;
  severity: Severity;
  assignee?: string;
  /** The affected agencies (keyword array: the liaison filter `organization.id` matches any of them). */
  organization: { id: string[] };
  alert_ids: string[];
  created_at: string;
  created_by: string;
  updated_at: string;
  timeline: TimelineEntry[];
  notes: { at: string; by: string; text: string }[];
  /** RSIT classification (default: that of its alerts when they agree, else other/undetermined); analysts may change it. */
  rsit?: Rsit;
  /** TLP 2.0 marking (default: the highest TLP of its alerts). */
  tlp?: Tlp;
}

export interface WebhookDelivery {
  url: string;
  /** refused: the advisory's TLP is above the target's clearance; nothing was sent (code ERR_UI_TLP_REFUSED). */
  status: 'delivered' | 'failed' | 'refused';
  /** The target's TLP clearance. */
  clearance?: Tlp;
  code?: string;
  message?: string;
  attempts: number;
  http_status?: number;
  at: string;
}

export interface Advisory {
  id: string;
  incident_id: string;
  headline: string;
  severity: Severity;
  organization: { id: string[] };
  sent: string;
  sent_by: string;
  /** TLP 2.0 marking of the advisory (default: the incident's); carried in CAP <code> and STIX object_marking_refs. */
  tlp: Tlp;
  cap_xml: string;
  stix_bundle: Record<string, unknown>;
  deliveries: WebhookDelivery[];
}

export interface AlertGroup {
  key: { rule_id?: string; rule_name?: string; agency?: string; source_ip?: string };
  count: number;
  agencies: number;
  last_seen?: string;
  severity?: Severity;
}

export interface WallData {
  generated_at: string;
  agencies: { agency: string; last_seen?: string; events_per_minute: number; alerts: Record<Severity, number> }[];
  timeline: { interval: string; buckets: { at: string; counts: Record<Severity, number> }[] };
  ticker: TriagedAlert[];
  top_sources: { ip: string; alerts: number; agencies: number }[];
  campaigns: { key: string; kind: 'cross-agency-rule' | 'shared-source'; agencies: string[]; alerts: number }[];
  /** Alerts in the window per RSIT classification (alerts without one count as other), most first. */
  classifications: { classification: string; alerts: number }[];
}

export interface RuleHealth {
  rule_id: string;
  rule_name: string;
  author?: string;
  hits: number;
  qualified: number;
  false_positives: number;
  /** false positives / qualified alerts, or null when none were qualified. */
  false_positive_rate: number | null;
  last_hit?: string;
  silent: boolean;
}

/** An advisory as listed (the CAP/STIX payloads are downloaded separately). */
export type AdvisoryListItem = Omit<Advisory, 'cap_xml' | 'stix_bundle'>;

// ---------------------------------------------------------------------------------------------------------------
// Traceback (issue 10): "where else has this source appeared", for one address or CIDR block.

export const TRACEBACK_PATH = `${API_BASE_PATH}/traceback`;

/** Traffic totals of the address (or block) on one side of the flows. */
export interface TracebackSide {
  events: number;
  /** Distinct addresses on the other side (approximate above 3,000: OpenSearch cardinality). */
  peers: number;
  /** Distinct destination ports. */
  ports: number;
}

export interface TracebackTraffic {
  first_seen?: string;
  last_seen?: string;
  events: number;
  bytes: number;
  packets: number;
  /** The address as source.ip / as destination.ip (an event between two addresses of a block counts in both). */
  as_source: TracebackSide;
  as_destination: TracebackSide;
}

export interface TracebackSensor extends TracebackTraffic {
  /** agent.id (the agent that shipped the events). */
  agent: string;
  /** observer.name values seen with this agent (the exporter / sensor name). */
  observers: string[];
}

export interface TracebackAlertCounts {
  total: number;
  by_severity: Record<Severity, number>;
  first?: string;
  last?: string;
}

export interface TracebackAgency extends TracebackTraffic {
  agency: string;
  sensors: TracebackSensor[];
  alerts: TracebackAlertCounts;
}

export interface TracebackRule {
  rule_id: string;
  rule_name: string;
  count: number;
  /** Alerts per rule level / alert severity. */
  by_severity: Record<Severity, number>;
  agencies: string[];
  last?: string;
}

export interface TracebackResponse {
  /** The address or CIDR block asked for, normalised. */
  query: { ip: string; from?: string; to?: string };
  /** Totals over every agency visible to the caller. */
  summary: TracebackTraffic & { agencies: number; sensors: number; alerts: number };
  /** Per agency (organization.id), most events first; an agency with only alerts (events expired) has events 0. */
  agencies: TracebackAgency[];
  rules: TracebackRule[];
  /** The newest alerts involving the address (link: #/alerts/<alert.id>). */
  latest_alerts: TriagedAlert[];
  /** Top destination ports of its flows, and top peers, each with their event count. */
  top_ports: { port: number; events: number }[];
  top_peers: { ip: string; events: number }[];
  /** True when a bucket list hit its size cap (more agencies, sensors or rules than listed). */
  truncated: boolean;
}

// Honeypot sensors (issue 10): who hits the CIRT's honeypots, and whether the same sources touch agency networks.

export const HONEYPOTS_PATH = `${API_BASE_PATH}/wall/honeypots`;

/** One source address that hit the CIRT's honeypot sensors in the period. */
export interface HoneypotSource {
  ip: string;
  /** Honeypot events of this source (connections, logins, commands, downloads …). */
  hits: number;
  /** Sensor names (observer.hostname) and honeypot products (cowrie, dionaea …) it hit. */
  sensors: string[];
  products: string[];
  first_seen: string;
  last_seen: string;
  /** True when the address also appears in agency telemetry (as source or destination) or agency alerts. */
  in_agencies: boolean;
  agencies: string[];
}

/** GET /api/cirt/wall/honeypots answer. */
export interface HoneypotSensorsData {
  generated_at: string;
  hours: number;
  /** All honeypot events of the period, and the distinct sources (approximate above 3,000: cardinality). */
  total_hits: number;
  distinct_sources: number;
  /** The top sources by hits. */
  sources: HoneypotSource[];
}

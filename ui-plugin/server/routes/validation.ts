// Strict, bounded validation of the alert routes' inputs (the role @osd/config-schema's `schema.object` plays in
// other plugins). Pure functions: the OSD adapter wraps them as route validation functions, the handlers call them
// again so the standalone host gets the very same checks. Unknown keys are rejected.
import {
  ALERT_STATUSES,
  INCIDENT_STATUSES,
  MAX_RESULT_WINDOW,
  PAGE_SIZE,
  QUALIFICATIONS,
  SEVERITY_LEVELS,
  TLP_LEVELS,
  isSeverity,
  isRsit,
  isRsitClassification,
  isTlp,
  RSIT,
  type Rsit,
  type Tlp,
  type IncidentStatus,
  type Qualification,
  type Severity,
} from '../../common/index';
import { isIP } from 'node:net';
import { CirtUiError } from '../errors';

export interface AlertListQuery {
  size: number;
  from: number;
  severity?: Severity;
  /** organization.id of the agency. */
  agency?: string;
  /** Free text (simple_query_string syntax). */
  q?: string;
  /** Lower bound on @timestamp, normalised to ISO 8601 UTC. */
  since?: string;
  /** Upper bound (exclusive) on @timestamp. */
  until?: string;
  /** rule.id */
  rule?: string;
  /** alert.status */
  status?: (typeof ALERT_STATUSES)[number];
  /** source.ip */
  source?: string;
  /** rsit.classification */
  classification?: string;
  /** tlp */
  tlp?: Tlp;
}

export interface AlertIdParams {
  id: string;
}

const LIST_KEYS = new Set(['size', 'from', 'severity', 'agency', 'q', 'since', 'until', 'rule', 'status', 'source', 'classification', 'tlp']);
const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,256}$/;
const AGENCY_PATTERN = /^[A-Za-z0-9_.:@-]{1,128}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const MAX_Q_LENGTH = 256;
const IP_PATTERN = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f:.]{2,45})$/;
const USER_PATTERN = /^[A-Za-z0-9_.@-]{1,64}$/;

function invalid(field: string, message: string): CirtUiError {
  return new CirtUiError('ERR_UI_VALIDATION', `[${field}]: ${message}`, { location: { field } });
}

function asRecord(raw: unknown, what: string): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid(what, 'expected an object');
  return raw as Record<string, unknown>;
}

/** A single scalar: query strings repeat keys as arrays, which we refuse rather than guess. */
function scalar(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') throw invalid(field, 'expected a single value');
  return value;
}

function integer(field: string, value: unknown, min: number, max: number, dflt: number): number {
  const s = scalar(field, value);
  if (s === undefined) return dflt;
  if (!/^\d{1,6}$/.test(s)) throw invalid(field, `expected an integer from ${min} to ${max}, got ${JSON.stringify(s.slice(0, 32))}`);
  const n = Number(s);
  if (n < min || n > max) throw invalid(field, `expected an integer from ${min} to ${max}, got ${n}`);
  return n;
}

/** Throws CirtUiError(ERR_UI_VALIDATION) naming the field. */
export function parseAlertListQuery(raw: unknown): AlertListQuery {
  return parseListLike(raw, LIST_KEYS);
}

function time(field: string, value: unknown): string | undefined {
  const s = scalar(field, value);
  if (s === undefined) return undefined;
  const t = ISO_TIME.test(s) ? Date.parse(s) : Number.NaN;
  if (Number.isNaN(t)) throw invalid(field, 'expected an ISO 8601 time, e.g. 2026-05-01T12:00:00Z');
  return new Date(t).toISOString();
}

function parseListLike(raw: unknown, allowed: Set<string>): AlertListQuery {
  const input = asRecord(raw, 'query');
  for (const key of Object.keys(input)) {
    if (!allowed.has(key)) throw invalid(key.slice(0, 64), `unknown query parameter (allowed: ${[...allowed].join(', ')})`);
  }
  const size = integer('size', input.size, PAGE_SIZE.min, PAGE_SIZE.max, PAGE_SIZE.default);
  const from = integer('from', input.from, 0, MAX_RESULT_WINDOW, 0);
  if (from + size > MAX_RESULT_WINDOW) throw invalid('from', `from + size must not exceed ${MAX_RESULT_WINDOW}`);
  const out: AlertListQuery = { size, from };

  const severity = scalar('severity', input.severity);
  if (severity !== undefined) {
    if (!isSeverity(severity)) throw invalid('severity', `expected one of ${SEVERITY_LEVELS.join(', ')}`);
    out.severity = severity;
  }
  const agency = scalar('agency', input.agency);
  if (agency !== undefined) {
    if (!AGENCY_PATTERN.test(agency)) throw invalid('agency', 'expected an organization id: 1 to 128 of A-Z a-z 0-9 _ . : @ -');
    out.agency = agency;
  }
  const q = scalar('q', input.q);
  if (q !== undefined) {
    const trimmed = q.trim();
    if (trimmed.length > MAX_Q_LENGTH) throw invalid('q', `at most ${MAX_Q_LENGTH} characters`);
    if (trimmed.length > 0) out.q = trimmed;
  }
  const since = time('since', input.since);
  if (since !== undefined) out.since = since;
  const until = time('until', input.until);
  if (until !== undefined) out.until = until;
  const rule = scalar('rule', input.rule);
  if (rule !== undefined) {
    if (!ID_PATTERN.test(rule)) throw invalid('rule', 'expected a rule id: 1 to 256 of A-Z a-z 0-9 _ . : -');
    out.rule = rule;
  }
  const status = scalar('status', input.status);
  if (status !== undefined) {
    if (!(ALERT_STATUSES as readonly string[]).includes(status)) throw invalid('status', `expected one of ${ALERT_STATUSES.join(', ')}`);
    out.status = status as AlertListQuery['status'];
  }
  const source = scalar('source', input.source);
  if (source !== undefined) {
    if (!IP_PATTERN.test(source)) throw invalid('source', 'expected an IPv4 or IPv6 address');
    out.source = source;
  }
  const classification = scalar('classification', input.classification);
  if (classification !== undefined) {
    if (!isRsitClassification(classification)) throw invalid('classification', `expected an RSIT classification: one of ${RSIT.map((c) => c.classification).join(', ')}`);
    out.classification = classification;
  }
  const tlp = scalar('tlp', input.tlp);
  if (tlp !== undefined) out.tlp = tlpValue('tlp', tlp);
  return out;
}

export function parseAlertIdParams(raw: unknown): AlertIdParams {
  const input = asRecord(raw, 'params');
  for (const key of Object.keys(input)) if (key !== 'id') throw invalid(key.slice(0, 64), 'unknown path parameter');
  const id = scalar('id', input.id);
  if (id === undefined || !ID_PATTERN.test(id)) throw invalid('id', 'expected an alert id: 1 to 256 of A-Z a-z 0-9 _ . : -');
  return { id };
}

// ---- groups -----------------------------------------------------------------------------------------------------

export interface GroupQuery extends Omit<AlertListQuery, 'size' | 'from'> {
  by: 'rule_agency' | 'source_ip';
  size: number;
}

const GROUP_KEYS = new Set([...LIST_KEYS, 'by']);

export function parseGroupQuery(raw: unknown): GroupQuery {
  const input = { ...asRecord(raw, 'query') };
  const by = scalar('by', input.by) ?? 'rule_agency';
  if (by !== 'rule_agency' && by !== 'source_ip') throw invalid('by', 'expected rule_agency or source_ip');
  delete input.by;
  const base = parseListLike(input, GROUP_KEYS);
  const { from: _from, size, ...rest } = base;
  return { ...rest, by, size: Math.min(size, 200) };
}

// ---- bodies -----------------------------------------------------------------------------------------------------

function body(raw: unknown, allowed: string[]): Record<string, unknown> {
  const input = asRecord(raw, 'body');
  for (const key of Object.keys(input)) if (!allowed.includes(key)) throw invalid(key.slice(0, 64), `unknown field (allowed: ${allowed.join(', ')})`);
  return input;
}

function text(field: string, value: unknown, opts: { min?: number; max: number; required?: boolean }): string | undefined {
  if (value === undefined || value === null) {
    if (opts.required) throw invalid(field, 'required');
    return undefined;
  }
  if (typeof value !== 'string') throw invalid(field, 'expected a string');
  const t = value.trim();
  if (t.length < (opts.min ?? (opts.required ? 1 : 0))) throw invalid(field, opts.required ? 'required' : 'too short');
  if (t.length > opts.max) throw invalid(field, `at most ${opts.max} characters`);
  return t;
}

function idList(field: string, value: unknown, max: number): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > max) throw invalid(field, `expected 1 to ${max} ids`);
  const ids = value.map((v, i) => {
    if (typeof v !== 'string' || !ID_PATTERN.test(v)) throw invalid(`${field}[${i}]`, 'expected an id: 1 to 256 of A-Z a-z 0-9 _ . : -');
    return v;
  });
  return [...new Set(ids)];
}

function user(field: string, value: unknown): string {
  if (typeof value !== 'string' || !USER_PATTERN.test(value)) throw invalid(field, 'expected a user name: 1 to 64 of A-Z a-z 0-9 _ . @ -');
  return value;
}

export const TRIAGE_ACTIONS = ['acknowledge', 'assign', 'qualify', 'reopen', 'classify'] as const;

export interface TriageRequest {
  ids: string[];
  action: (typeof TRIAGE_ACTIONS)[number] | 'link_incident';
  assignee?: string;
  qualification?: Qualification;
  reason?: string;
  /** classify: the new RSIT classification and/or TLP marking. */
  rsit?: Rsit;
  tlp?: Tlp;
  /** Internal (set when an incident is created from alerts), never from a request. */
  incidentId?: string;
}

/** POST /api/cirt/alerts/triage {ids[1..200], action, assignee?, qualification?, reason?} */
export function parseTriageBody(raw: unknown): TriageRequest {
  const input = body(raw, ['ids', 'action', 'assignee', 'qualification', 'reason', 'rsit', 'tlp']);
  const ids = idList('ids', input.ids, 200);
  const action = input.action;
  if (typeof action !== 'string' || !(TRIAGE_ACTIONS as readonly string[]).includes(action)) throw invalid('action', `expected one of ${TRIAGE_ACTIONS.join(', ')}`);
  const out: TriageRequest = { ids, action: action as TriageRequest['action'] };
  if (action === 'assign') out.assignee = user('assignee', input.assignee);
  else if (input.assignee !== undefined) throw invalid('assignee', 'only with action assign');
  if (action === 'qualify') {
    if (typeof input.qualification !== 'string' || !(QUALIFICATIONS as readonly string[]).includes(input.qualification)) {
      throw invalid('qualification', `expected one of ${QUALIFICATIONS.join(', ')}`);
    }
    out.qualification = input.qualification as Qualification;
    out.reason = text('reason', input.reason, { max: 1000, required: true });
  } else if (input.qualification !== undefined || input.reason !== undefined) {
    throw invalid(input.qualification !== undefined ? 'qualification' : 'reason', 'only with action qualify');
  }
  if (action === 'classify') {
    Object.assign(out, classificationChange(input));
    if (out.rsit === undefined && out.tlp === undefined) throw invalid('rsit', 'action classify needs rsit and/or tlp');
  } else if (input.rsit !== undefined || input.tlp !== undefined) {
    throw invalid(input.rsit !== undefined ? 'rsit' : 'tlp', 'only with action classify');
  }
  return out;
}

export interface IncidentCreate {
  title: string;
  description: string;
  severity: Severity;
  alertIds: string[];
  assignee?: string;
  /** Default: the alerts' classification when they agree, else other/undetermined. */
  rsit?: Rsit;
  /** Default: the highest TLP of the alerts. */
  tlp?: Tlp;
}

/** `rsit: {classification, type}` (a pair of the RSIT) and `tlp` (a TLP 2.0 level), both optional. */
function classificationChange(input: Record<string, unknown>): { rsit?: Rsit; tlp?: Tlp } {
  const out: { rsit?: Rsit; tlp?: Tlp } = {};
  if (input.rsit !== undefined) {
    const r = input.rsit as Record<string, unknown> | null;
    if (!r || typeof r !== 'object' || Array.isArray(r) || Object.keys(r).some((k) => k !== 'classification' && k !== 'type')) throw invalid('rsit', 'expected {classification, type}');
    const c = RSIT.find((x) => x.classification === r.classification);
    if (!c) throw invalid('rsit.classification', `expected an RSIT classification: one of ${RSIT.map((x) => x.classification).join(', ')}`);
    const pair = { classification: c.classification, type: r.type };
    if (!isRsit(pair)) throw invalid('rsit.type', `expected an RSIT type of ${c.classification}: one of ${c.types.map((t) => t.type).join(', ')}`);
    out.rsit = pair;
  }
  if (input.tlp !== undefined) out.tlp = tlpValue('tlp', input.tlp);
  return out;
}

export function parseIncidentCreate(raw: unknown): IncidentCreate {
  const input = body(raw, ['title', 'description', 'severity', 'alert_ids', 'assignee', 'rsit', 'tlp']);
  const severity = input.severity ?? 'medium';
  if (!isSeverity(severity)) throw invalid('severity', `expected one of ${SEVERITY_LEVELS.join(', ')}`);
  return {
    title: text('title', input.title, { max: 200, required: true }) as string,
    description: text('description', input.description, { max: 10_000 }) ?? '',
    severity,
    alertIds: idList('alert_ids', input.alert_ids, 500),
    ...(input.assignee !== undefined ? { assignee: user('assignee', input.assignee) } : {}),
    ...classificationChange(input),
  };
}

export interface IncidentChange {
  status?: IncidentStatus;
  assignee?: string;
  note?: string;
  /** Why (required when closing). */
  reason?: string;
  rsit?: Rsit;
  tlp?: Tlp;
}

export function parseIncidentChange(raw: unknown): IncidentChange {
  const input = body(raw, ['status', 'assignee', 'note', 'reason', 'rsit', 'tlp']);
  const out: IncidentChange = {};
  if (input.status !== undefined) {
    if (typeof input.status !== 'string' || !(INCIDENT_STATUSES as readonly string[]).includes(input.status)) throw invalid('status', `expected one of ${INCIDENT_STATUSES.join(', ')}`);
    out.status = input.status as IncidentStatus;
  }
  if (input.assignee !== undefined) out.assignee = user('assignee', input.assignee);
  const note = text('note', input.note, { max: 10_000 });
  if (note) out.note = note;
  const reason = text('reason', input.reason, { max: 1000 });
  if (reason) out.reason = reason;
  Object.assign(out, classificationChange(input));
  if (Object.keys(out).length === 0) throw invalid('body', 'nothing to change (status, assignee, note, rsit or tlp)');
  return out;
}

export interface IncidentListQuery {
  status?: IncidentStatus;
  size: number;
}

export function parseIncidentListQuery(raw: unknown): IncidentListQuery {
  const input = asRecord(raw, 'query');
  for (const key of Object.keys(input)) if (key !== 'status' && key !== 'size') throw invalid(key.slice(0, 64), 'unknown query parameter (allowed: status, size)');
  const out: IncidentListQuery = { size: integer('size', input.size, 1, 500, 100) };
  const status = scalar('status', input.status);
  if (status !== undefined) {
    if (!(INCIDENT_STATUSES as readonly string[]).includes(status)) throw invalid('status', `expected one of ${INCIDENT_STATUSES.join(', ')}`);
    out.status = status as IncidentStatus;
  }
  return out;
}

export const CAP_URGENCY = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const;
export const CAP_CERTAINTY = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const;

export interface AdvisoryCreate {
  headline: string;
  description: string;
  instruction: string;
  urgency: (typeof CAP_URGENCY)[number];
  certainty: (typeof CAP_CERTAINTY)[number];
  /** Subset of the incident's agencies; default all of them. */
  agencies?: string[];
  /** TLP 2.0 marking; default the incident's. */
  tlp?: Tlp;
}

export function parseAdvisoryCreate(raw: unknown): AdvisoryCreate {
  const input = body(raw, ['headline', 'description', 'instruction', 'urgency', 'certainty', 'agencies', 'tlp']);
  const urgency = input.urgency ?? 'Expected';
  if (typeof urgency !== 'string' || !(CAP_URGENCY as readonly string[]).includes(urgency)) throw invalid('urgency', `expected one of ${CAP_URGENCY.join(', ')}`);
  const certainty = input.certainty ?? 'Observed';
  if (typeof certainty !== 'string' || !(CAP_CERTAINTY as readonly string[]).includes(certainty)) throw invalid('certainty', `expected one of ${CAP_CERTAINTY.join(', ')}`);
  const out: AdvisoryCreate = {
    headline: text('headline', input.headline, { max: 160, required: true }) as string,
    description: text('description', input.description, { max: 10_000, required: true }) as string,
    instruction: text('instruction', input.instruction, { max: 10_000 }) ?? '',
    urgency: urgency as AdvisoryCreate['urgency'],
    certainty: certainty as AdvisoryCreate['certainty'],
  };
  if (input.agencies !== undefined) {
    if (!Array.isArray(input.agencies) || input.agencies.length === 0 || input.agencies.length > 100) throw invalid('agencies', 'expected 1 to 100 agency ids');
    out.agencies = input.agencies.map((a, i) => {
      if (typeof a !== 'string' || !AGENCY_PATTERN.test(a)) throw invalid(`agencies[${i}]`, 'expected an organization id');
      return a;
    });
  }
  if (input.tlp !== undefined) out.tlp = tlpValue('tlp', input.tlp);
  return out;
}

export function tlpValue(field: string, value: unknown): Tlp {
  if (!isTlp(value)) throw invalid(field, `expected a TLP 2.0 level: one of ${TLP_LEVELS.join(', ')}`);
  return value;
}

export function parseIdParams(raw: unknown): { id: string } {
  return parseAlertIdParams(raw);
}

export interface WallQuery {
  minutes: number;
}

export function parseWallQuery(raw: unknown): WallQuery {
  const input = asRecord(raw, 'query');
  for (const key of Object.keys(input)) if (key !== 'minutes') throw invalid(key.slice(0, 64), 'unknown query parameter (allowed: minutes)');
  return { minutes: integer('minutes', input.minutes, 5, 10_080, 60) };
}

export function parseRuleHealthQuery(raw: unknown): { days: number; silentDays: number } {
  const input = asRecord(raw, 'query');
  for (const key of Object.keys(input)) if (key !== 'days' && key !== 'silent_days') throw invalid(key.slice(0, 64), 'unknown query parameter (allowed: days, silent_days)');
  const days = integer('days', input.days, 1, 365, 30);
  const silentDays = integer('silent_days', input.silent_days, 1, 365, 7);
  if (silentDays >= days) throw invalid('silent_days', 'must be smaller than days');
  return { days, silentDays };
}

export function parseNoQuery(raw: unknown): Record<string, never> {
  const input = asRecord(raw, 'query');
  const key = Object.keys(input)[0];
  if (key !== undefined) throw invalid(key.slice(0, 64), 'unknown query parameter');
  return {};
}

// ---- traceback --------------------------------------------------------------------------------------------------

export interface TracebackQuery {
  /** An address (IPv4 / IPv6, normalised) or a CIDR block (`10.1.0.0/16`, `2001:db8::/32`): OpenSearch `ip` fields match either with a term query. */
  ip: string;
  /** Bounds on @timestamp (from inclusive, to exclusive), ISO 8601 UTC; none = everything retained. */
  from?: string;
  to?: string;
}

const TRACEBACK_KEYS = ['ip', 'from', 'to'];

/**
 * Canonical text of an address: IPv4 as is, IPv6 lower-case and compressed (the WHATWG URL parser does it), an
 * IPv4-mapped IPv6 address as its IPv4 (OpenSearch `ip` fields store them as one and the same value).
 */
function canonicalIp(address: string): string {
  if (isIP(address) !== 6) return address;
  const v6 = compressedV6(address);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (!mapped) return v6;
  const [hi, lo] = [parseInt(mapped[1] as string, 16), parseInt(mapped[2] as string, 16)];
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

function compressedV6(address: string): string {
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** `a.b.c.d/n` with the host bits cleared, so the answer names the block itself. */
function ipv4Network(address: string, prefix: number): string {
  const n = address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const size = 2 ** (32 - prefix);
  const net = Math.floor(n / size) * size;
  return `${[24, 16, 8, 0].map((shift) => Math.floor(net / 2 ** shift) % 256).join('.')}/${prefix}`;
}

/** An IPv4/IPv6 address or CIDR block, normalised; throws ERR_UI_VALIDATION naming `field`. */
export function parseIpOrCidr(field: string, value: string): string {
  const [address = '', prefixText, extra] = value.trim().split('/');
  const family = address.includes('%') ? 0 : isIP(address); // no IPv6 zone ids: they never reach an index
  if (family === 0 || extra !== undefined) throw invalid(field, `expected an IPv4 or IPv6 address or a CIDR block (e.g. 198.51.100.7, 2001:db8::1, 10.1.0.0/16), got ${JSON.stringify(value.slice(0, 64))}`);
  if (prefixText === undefined) return canonicalIp(address);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) throw invalid(field, `expected a prefix length from 0 to ${max} after the /, got ${JSON.stringify(prefixText.slice(0, 8))}`);
  const prefix = Number(prefixText);
  return family === 4 ? ipv4Network(address, prefix) : `${compressedV6(address)}/${prefix}`;
}

export function parseTracebackQuery(raw: unknown): TracebackQuery {
  const input = asRecord(raw, 'query');
  for (const key of Object.keys(input)) if (!TRACEBACK_KEYS.includes(key)) throw invalid(key.slice(0, 64), `unknown query parameter (allowed: ${TRACEBACK_KEYS.join(', ')})`);
  const ip = scalar('ip', input.ip);
  if (ip === undefined || ip.trim() === '') throw invalid('ip', 'required: an IPv4 or IPv6 address or a CIDR block');
  const out: TracebackQuery = { ip: parseIpOrCidr('ip', ip) };
  const from = time('from', input.from);
  if (from !== undefined) out.from = from;
  const to = time('to', input.to);
  if (to !== undefined) out.to = to;
  if (from !== undefined && to !== undefined && Date.parse(from) >= Date.parse(to)) throw invalid('to', 'must be later than from');
  return out;
}

export function parseHoneypotsQuery(raw: unknown): { hours: number; size: number } {
  const input = asRecord(raw, 'query');
  for (const key of Object.keys(input)) if (key !== 'hours' && key !== 'size') throw invalid(key.slice(0, 64), 'unknown query parameter (allowed: hours, size)');
  return { hours: integer('hours', input.hours, 1, 168, 24), size: integer('size', input.size, 1, 100, 20) };
}

// Strict, bounded validation of the alert routes' inputs (the role @osd/config-schema's `schema.object` plays in
// other plugins). Pure functions: the OSD adapter wraps them as route validation functions, the handlers call them
// again so the standalone host gets the very same checks. Unknown keys are rejected.
import { MAX_RESULT_WINDOW, PAGE_SIZE, SEVERITY_LEVELS, isSeverity, type Severity } from '../../common/index.ts';
import { CirtUiError } from '../errors.ts';

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
}

export interface AlertIdParams {
  id: string;
}

const LIST_KEYS = new Set(['size', 'from', 'severity', 'agency', 'q', 'since']);
const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,256}$/;
const AGENCY_PATTERN = /^[A-Za-z0-9_.:@-]{1,128}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const MAX_Q_LENGTH = 256;

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
  const input = asRecord(raw, 'query');
  for (const key of Object.keys(input)) {
    if (!LIST_KEYS.has(key)) throw invalid(key.slice(0, 64), `unknown query parameter (allowed: ${[...LIST_KEYS].join(', ')})`);
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
  const since = scalar('since', input.since);
  if (since !== undefined) {
    const t = ISO_TIME.test(since) ? Date.parse(since) : Number.NaN;
    if (Number.isNaN(t)) throw invalid('since', 'expected an ISO 8601 time, e.g. 2026-05-01T12:00:00Z');
    out.since = new Date(t).toISOString();
  }
  return out;
}

export function parseAlertIdParams(raw: unknown): AlertIdParams {
  const input = asRecord(raw, 'params');
  for (const key of Object.keys(input)) if (key !== 'id') throw invalid(key.slice(0, 64), 'unknown path parameter');
  const id = scalar('id', input.id);
  if (id === undefined || !ID_PATTERN.test(id)) throw invalid('id', 'expected an alert id: 1 to 256 of A-Z a-z 0-9 _ . : -');
  return { id };
}

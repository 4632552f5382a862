// The browser side's only knowledge of the HTTP routes. Works over OSD's core.http (base path, its osd-xsrf
// header) or over window.fetch in the standalone host (same origin, session cookie + X-CIRT-CSRF header).
import {
  ALERTS_PATH,
  API_BASE_PATH,
  CSRF_HEADER,
  LOGIN_PATH,
  LOGOUT_PATH,
  SESSION_PATH,
  TRACEBACK_PATH,
  type AdvisoryListItem,
  type AlertGroup,
  type AlertListResponse,
  type HoneypotSensorsData,
  type ApiErrorBody,
  type Incident,
  type IncidentStatus,
  type Qualification,
  type Role,
  type Rsit,
  type RuleHealth,
  type Severity,
  type TracebackResponse,
  type Tlp,
  type TriagedAlert,
  type WallData,
} from '../common/index';
import type { HttpStart } from './osd_types';

export interface AlertFilters {
  severity?: Severity;
  agency?: string;
  q?: string;
  since?: string;
  rule?: string;
  status?: string;
  source?: string;
  /** RSIT classification */
  classification?: string;
  tlp?: Tlp;
  size?: number;
  from?: number;
}

export interface SessionInfo {
  username: string;
  role: Role;
  agency?: string;
  permissions: string[];
  csrfToken?: string;
}

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

/** The transport: GET with a query, POST with a JSON body, and the URL of a download. */
export interface Http {
  get(path: string, query: Record<string, string>, signal?: AbortSignal): Promise<unknown>;
  post(path: string, body: unknown): Promise<unknown>;
  href(path: string): string;
  /** Standalone only: the CSRF token to send on POSTs (from login / session). */
  setCsrfToken?(token: string | undefined): void;
}

/** Query string values for the filters: empty values are left out so the server applies its defaults. */
export function filtersToQuery(filters: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined || value === null) continue;
    const s = String(value).trim();
    if (s !== '') out[key] = s;
  }
  return out;
}

export interface TriageAction {
  action: 'acknowledge' | 'assign' | 'qualify' | 'reopen' | 'classify';
  assignee?: string;
  qualification?: Qualification;
  reason?: string;
  rsit?: Rsit;
  tlp?: Tlp;
}

export interface TriageOutcome {
  updated: string[];
  failed: { id: string; code: string; message: string }[];
}

export interface AdvisoryDraft {
  headline: string;
  description: string;
  instruction: string;
  urgency?: string;
  certainty?: string;
  /** TLP 2.0 marking; omitted: the incident's. A webhook cleared below it gets nothing (its delivery is `refused`). */
  tlp?: Tlp;
}

const enc = encodeURIComponent;

export function createApi(http: Http) {
  return {
    http,
    session: async () => (await http.get(SESSION_PATH, {})) as SessionInfo,
    login: async (username: string, password: string) => {
      const s = (await http.post(LOGIN_PATH, { username, password })) as SessionInfo;
      http.setCsrfToken?.(s.csrfToken);
      return s;
    },
    logout: async () => {
      await http.post(LOGOUT_PATH, {});
      http.setCsrfToken?.(undefined);
    },
    listAlerts: async (filters: AlertFilters, signal?: AbortSignal) => (await http.get(ALERTS_PATH, filtersToQuery(filters), signal)) as AlertListResponse & { alerts: TriagedAlert[] },
    alertGroups: async (filters: AlertFilters & { by: 'rule_agency' | 'source_ip' }, signal?: AbortSignal) =>
      (await http.get(`${ALERTS_PATH}/groups`, filtersToQuery({ ...filters, from: undefined }), signal)) as { groups: AlertGroup[] },
    getAlert: async (id: string, signal?: AbortSignal) => (await http.get(`${ALERTS_PATH}/${enc(id)}`, {}, signal)) as TriagedAlert,
    relatedAlerts: async (id: string) => (await http.get(`${ALERTS_PATH}/${enc(id)}/related`, {})) as { same_source: TriagedAlert[]; same_rule: TriagedAlert[] },
    triage: async (ids: string[], action: TriageAction) => (await http.post(`${ALERTS_PATH}/triage`, { ids, ...action })) as TriageOutcome,
    listIncidents: async (status?: IncidentStatus) => (await http.get(`${API_BASE_PATH}/incidents`, filtersToQuery({ status }))) as { total: number; incidents: Incident[] },
    getIncident: async (id: string) => (await http.get(`${API_BASE_PATH}/incidents/${enc(id)}`, {})) as Incident,
    createIncident: async (input: { title: string; description: string; severity: Severity; alert_ids: string[] }) => (await http.post(`${API_BASE_PATH}/incidents`, input)) as Incident,
    changeIncident: async (id: string, change: { status?: IncidentStatus; assignee?: string; note?: string; reason?: string; rsit?: Rsit; tlp?: Tlp }) =>
      (await http.post(`${API_BASE_PATH}/incidents/${enc(id)}`, change)) as Incident,
    publishAdvisory: async (incidentId: string, draft: AdvisoryDraft) => (await http.post(`${API_BASE_PATH}/incidents/${enc(incidentId)}/advisories`, draft)) as AdvisoryListItem,
    listAdvisories: async (incidentId?: string) => (await http.get(`${API_BASE_PATH}/advisories`, filtersToQuery({ incident: incidentId }))) as { advisories: AdvisoryListItem[] },
    capHref: (id: string) => http.href(`${API_BASE_PATH}/advisories/${enc(id)}/cap.xml`),
    stixHref: (id: string) => http.href(`${API_BASE_PATH}/advisories/${enc(id)}/stix.json`),
    /** The incident's evidence bundle (tar with a SHA-256 manifest); each download is audited. */
    evidenceHref: (incidentId: string) => http.href(`${API_BASE_PATH}/incidents/${enc(incidentId)}/evidence.tar`),
    wall: async (minutes = 60, signal?: AbortSignal) => (await http.get(`${API_BASE_PATH}/wall`, { minutes: String(minutes) }, signal)) as WallData,
    honeypots: async (hours = 24, signal?: AbortSignal) => (await http.get(`${API_BASE_PATH}/wall/honeypots`, { hours: String(hours) }, signal)) as HoneypotSensorsData,
    ruleHealth: async () => (await http.get(`${API_BASE_PATH}/rules/health`, {})) as { rules: RuleHealth[] },
    /** Where else an address (or CIDR block) has appeared: per agency and sensor, over the retained telemetry and alerts. */
    traceback: async (ip: string, window: { from?: string; to?: string } = {}, signal?: AbortSignal) => (await http.get(TRACEBACK_PATH, filtersToQuery({ ip, ...window }), signal)) as TracebackResponse,
  };
}

export type Api = ReturnType<typeof createApi>;

function toApiError(status: number, body: unknown): ApiRequestError {
  const err = body as Partial<ApiErrorBody> | undefined;
  return new ApiRequestError(status, err?.message ?? `HTTP ${status}`, err?.code);
}

/** Over OSD's core.http: it prefixes the base path, adds osd-xsrf, and rejects non-2xx answers with `body` attached. */
export function osdHttp(http: HttpStart): Http {
  const wrap = async <T>(p: Promise<T>): Promise<T> => {
    try {
      return await p;
    } catch (err) {
      const e = err as { body?: { statusCode?: number; message?: string; attributes?: { code?: string } }; message?: string };
      throw new ApiRequestError(e.body?.statusCode ?? 0, e.body?.message ?? e.message ?? 'request failed', e.body?.attributes?.code);
    }
  };
  return {
    get: (path, query, signal) => wrap(http.get(path, signal ? { query, signal } : { query })),
    post: (path, body) => wrap(http.post(path, { body: JSON.stringify(body) })),
    href: (path) => http.basePath.prepend(path),
  };
}

/** Over fetch (standalone host: same origin, cookie session, CSRF token header on POST). */
export function fetchHttp(fetchImpl: typeof fetch = (...args) => fetch(...args), base = ''): Http {
  let csrf: string | undefined;
  const handle = async (res: Response) => {
    const body: unknown = await res.json().catch(() => undefined);
    if (!res.ok) throw toApiError(res.status, body);
    return body;
  };
  return {
    get: async (path, query, signal) => {
      const qs = new URLSearchParams(query).toString();
      return handle(await fetchImpl(`${base}${path}${qs ? `?${qs}` : ''}`, { headers: { accept: 'application/json' }, credentials: 'same-origin', ...(signal ? { signal } : {}) }));
    },
    post: async (path, body) =>
      handle(
        await fetchImpl(`${base}${path}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { accept: 'application/json', 'content-type': 'application/json', ...(csrf ? { [CSRF_HEADER]: csrf } : {}) },
          body: JSON.stringify(body),
        }),
      ),
    href: (path) => `${base}${path}`,
    setCsrfToken: (token) => {
      csrf = token;
    },
  };
}

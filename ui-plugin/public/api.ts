// The browser side's only knowledge of the HTTP routes. Works over OSD's core.http (base path, xsrf header) or
// over window.fetch in the standalone host.
import { ALERTS_PATH, type Alert, type AlertListResponse, type ApiErrorBody, type Severity } from '../common/index.ts';
import type { HttpStart } from './osd_types.ts';

export interface AlertFilters {
  severity?: Severity;
  agency?: string;
  q?: string;
  since?: string;
  size?: number;
  from?: number;
}

/** GET `path` with the given query; resolves with the parsed JSON body, rejects with ApiRequestError. */
export type HttpGet = (path: string, query: Record<string, string>, signal?: AbortSignal) => Promise<unknown>;

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

/** Query string values for the filters: empty values are left out so the server applies its defaults. */
export function filtersToQuery(filters: AlertFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined || value === null) continue;
    const s = String(value).trim();
    if (s !== '') out[key] = s;
  }
  return out;
}

export interface AlertsApi {
  listAlerts(filters: AlertFilters, signal?: AbortSignal): Promise<AlertListResponse>;
  getAlert(id: string, signal?: AbortSignal): Promise<Alert>;
}

export function createAlertsApi(get: HttpGet): AlertsApi {
  return {
    listAlerts: async (filters, signal) => (await get(ALERTS_PATH, filtersToQuery(filters), signal)) as AlertListResponse,
    getAlert: async (id, signal) => (await get(`${ALERTS_PATH}/${encodeURIComponent(id)}`, {}, signal)) as Alert,
  };
}

/** Over OSD's core.http: it prefixes the base path and rejects non-2xx answers with `body` attached. */
export function osdHttpGet(http: HttpStart): HttpGet {
  return async (path, query, signal) => {
    try {
      return await http.get(path, signal ? { query, signal } : { query });
    } catch (err) {
      const e = err as { body?: { statusCode?: number; message?: string; attributes?: { code?: string } }; message?: string };
      throw new ApiRequestError(e.body?.statusCode ?? 0, e.body?.message ?? e.message ?? 'request failed', e.body?.attributes?.code);
    }
  };
}

/** Over fetch (standalone host: same origin). */
export function fetchHttpGet(fetchImpl: typeof fetch = (...args) => fetch(...args), base = ''): HttpGet {
  return async (path, query, signal) => {
    const qs = new URLSearchParams(query).toString();
    const res = await fetchImpl(`${base}${path}${qs ? `?${qs}` : ''}`, { headers: { accept: 'application/json' }, ...(signal ? { signal } : {}) });
    const body: unknown = await res.json().catch(() => undefined);
    if (!res.ok) {
      const err = body as Partial<ApiErrorBody> | undefined;
      throw new ApiRequestError(res.status, err?.message ?? `HTTP ${res.status}`, err?.code);
    }
    return body;
  };
}

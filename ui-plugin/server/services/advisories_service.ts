// Publishing: an incident becomes an advisory for the affected agencies — CAP 1.2 XML + a STIX 2.1 bundle — that
// is pushed to the configured webhooks (POST JSON, retried with backoff) and recorded in the `advisories` index
// with what was sent to whom. Downloads read the record back (a liaison only sees its agency's advisories).
// TLP 2.0: every advisory carries a marking (default: the incident's) and every webhook a clearance (default CLEAR);
// a target whose clearance is below the marking gets nothing: its delivery is `refused` (ERR_UI_TLP_REFUSED, counted,
// audited as advisory.refused) while the cleared targets are still delivered.
import { randomUUID } from 'node:crypto';
import { DEFAULT_TLP, TLP_LEVELS, highestTlp, isTlp, mayShare, type Advisory, type Principal, type Tlp, type TriagedAlert, type WebhookDelivery } from '../../common/index';
import { CirtUiError } from '../errors';
import { requirePermission, visibleTo } from '../auth/principal';
import type { AdvisoryCreate } from '../routes/validation';
import { buildCap, buildStixBundle } from './advisory_formats';
import type { AlertsService } from './alerts_service';
import type { AuditService } from './audit_service';
import type { IncidentsService } from './incidents_service';
import { boolQuery, scoped } from './scope';
import type { DocStore } from './store';

export interface WebhookTarget {
  url: string;
  /** Agencies this endpoint serves; absent = every advisory. */
  agencies?: string[];
  /** The highest TLP this recipient may receive; default CLEAR (only TLP:CLEAR advisories go out). */
  clearance?: Tlp;
}

/** `https://a/hook AMBER,https://b/hook` → targets with their TLP clearance (default CLEAR); throws naming a bad entry. */
/** Why one `<url> [<clearance>]` entry is invalid, or undefined when it is valid (the OSD config schema's check). */
export function webhookEntryError(entry: string): string | undefined {
  try {
    const parsed = parseWebhooks(entry);
    return parsed.length === 1 ? undefined : `expected one '<url>' or '<url> <clearance>', got ${JSON.stringify(entry.slice(0, 200))}`;
  } catch (err) {
    return (err as Error).message;
  }
}

export function parseWebhooks(raw: string): WebhookTarget[] {
  return raw.split(',').map((e) => e.trim()).filter(Boolean).map((entry) => {
    const [url, clearance, ...rest] = entry.split(/\s+/);
    if (rest.length > 0 || (clearance !== undefined && !isTlp(clearance))) throw new Error(`webhook entry '${entry.slice(0, 200)}': expected '<url>' or '<url> <clearance>' with clearance one of ${TLP_LEVELS.join(', ')}`);
    return clearance ? { url: url as string, clearance } : { url: url as string };
  });
}

export interface PublishOptions {
  sender: string;
  senderName: string;
  webhooks: WebhookTarget[];
  /** Attempts per webhook (≥1) and the first backoff; the backoff doubles. */
  attempts: number;
  backoffMs: number;
  timeoutMs: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_PUBLISH_OPTIONS: PublishOptions = { sender: 'cirt@cirt.gov.example', senderName: 'Government CIRT', webhooks: [], attempts: 3, backoffMs: 500, timeoutMs: 5_000 };

export const ADVISORY_MAPPINGS = {
  dynamic: false,
  properties: {
    id: { type: 'keyword' },
    incident_id: { type: 'keyword' },
    headline: { type: 'text' },
    severity: { type: 'keyword' },
    organization: { properties: { id: { type: 'keyword' } } },
    sent: { type: 'date' },
    sent_by: { type: 'keyword' },
    tlp: { type: 'keyword' },
    cap_xml: { type: 'text', index: false },
    stix_bundle: { type: 'object', enabled: false },
    deliveries: { properties: { url: { type: 'keyword' }, status: { type: 'keyword' }, clearance: { type: 'keyword' }, code: { type: 'keyword' }, attempts: { type: 'integer' }, http_status: { type: 'integer' }, at: { type: 'date' } } },
  },
};

/** POSTs the payload, retrying network errors, 5xx and 429 with exponential backoff. Never throws. */
export async function deliver(url: string, payload: unknown, opts: Pick<PublishOptions, 'attempts' | 'backoffMs' | 'timeoutMs' | 'fetch' | 'sleep'>): Promise<WebhookDelivery> {
  const doFetch = opts.fetch ?? fetch;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const body = JSON.stringify(payload);
  let last: number | undefined;
  for (let attempt = 1; attempt <= Math.max(1, opts.attempts); attempt++) {
    try {
      const res = await doFetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(opts.timeoutMs), redirect: 'error' });
      last = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { url, status: 'delivered', attempts: attempt, http_status: res.status, at: new Date().toISOString() };
      if (res.status < 500 && res.status !== 429) return { url, status: 'failed', attempts: attempt, http_status: res.status, at: new Date().toISOString() };
    } catch {
      last = undefined;
    }
    if (attempt < opts.attempts) await sleep(opts.backoffMs * 2 ** (attempt - 1));
  }
  return { url, status: 'failed', attempts: Math.max(1, opts.attempts), ...(last !== undefined ? { http_status: last } : {}), at: new Date().toISOString() };
}

export type AdvisorySummary = Omit<Advisory, 'cap_xml' | 'stix_bundle'>;

/** The typed refusal of sending `marking` to a target cleared only for `clearance` (its message names all three). */
export function tlpRefusal(url: string, marking: Tlp, clearance: Tlp): CirtUiError {
  return new CirtUiError('ERR_UI_TLP_REFUSED', `not sent to ${url}: the advisory is TLP:${marking}, above the target's clearance TLP:${clearance}`, { location: { field: 'tlp' } });
}

export class AdvisoriesService {
  constructor(
    private readonly store: DocStore,
    private readonly index: string,
    private readonly incidents: IncidentsService,
    private readonly alerts: AlertsService,
    private readonly audit: AuditService,
    private readonly options: PublishOptions = DEFAULT_PUBLISH_OPTIONS,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Deliveries refused because the advisory's TLP was above the target's clearance, since start. */
  refusedTotal = 0;

  async publish(incidentId: string, input: AdvisoryCreate, principal: Principal): Promise<AdvisorySummary> {
    requirePermission(principal, 'advisories:publish');
    const incident = await this.incidents.get(incidentId, principal);
    const agencies = input.agencies ?? incident.organization.id;
    const outside = agencies.filter((a) => !incident.organization.id.includes(a));
    if (outside.length > 0) throw new CirtUiError('ERR_UI_VALIDATION', `[agencies]: ${outside.join(', ')} not affected by this incident`, { location: { field: 'agencies' } });
    if (agencies.length === 0) throw new CirtUiError('ERR_UI_VALIDATION', '[agencies]: the incident has no affected agency', { location: { field: 'agencies' } });
    const found: TriagedAlert[] = [];
    for (const id of incident.alert_ids) {
      try {
        found.push(await this.alerts.get(id, principal));
      } catch (err) {
        // An alert removed by retention since the incident was opened: the advisory goes out without its indicators.
        if (!(err instanceof CirtUiError && err.code === 'ERR_UI_NOT_FOUND')) throw err;
      }
    }
    // CAP wants whole seconds; the record keeps the same instant.
    const sent = new Date(Math.floor(this.now().getTime() / 1000) * 1000);
    const id = randomUUID();
    // The lead may mark the advisory explicitly (e.g. a sanitised TLP:CLEAR version); else it inherits the incident's.
    const tlp = input.tlp ?? incident.tlp ?? highestTlp(found.map((a) => a.tlp ?? DEFAULT_TLP), DEFAULT_TLP);
    const build = { id, incident, alerts: found, agencies, headline: input.headline, description: input.description, instruction: input.instruction, urgency: input.urgency, certainty: input.certainty, sent, sender: this.options.sender, senderName: this.options.senderName, tlp };
    const capXml = buildCap(build);
    const stix = buildStixBundle(build);
    const payload = { advisory_id: id, incident_id: incident.id, agencies, headline: input.headline, sent: sent.toISOString(), tlp, cap_xml: capXml, stix_bundle: stix };
    const targets = this.options.webhooks.filter((w) => !w.agencies || w.agencies.some((a) => agencies.includes(a)));
    const deliveries = await Promise.all(
      targets.map(async (w): Promise<WebhookDelivery> => {
        const clearance = w.clearance ?? 'CLEAR';
        if (!mayShare(tlp, clearance)) {
          const refusal = tlpRefusal(w.url, tlp, clearance);
          return { url: w.url, status: 'refused', attempts: 0, clearance, code: refusal.code, message: refusal.message, at: new Date().toISOString() };
        }
        return { ...(await deliver(w.url, { ...payload, agencies: w.agencies ? agencies.filter((a) => w.agencies?.includes(a)) : agencies }, this.options)), clearance };
      }),
    );
    const advisory: Advisory = {
      id,
      incident_id: incident.id,
      headline: input.headline,
      severity: incident.severity,
      organization: { id: agencies },
      sent: sent.toISOString(),
      sent_by: principal.username,
      tlp,
      cap_xml: capXml,
      stix_bundle: stix,
      deliveries,
    };
    await this.store.ensureIndex(this.index, ADVISORY_MAPPINGS);
    await this.store.index(this.index, id, advisory as unknown as Record<string, unknown>, { create: true });
    await this.audit.record(principal, 'advisory.publish', { type: 'advisory', id, index: this.index }, null, { incident_id: incident.id, agencies, tlp, deliveries, headline: input.headline });
    for (const d of deliveries.filter((x) => x.status === 'refused')) {
      this.refusedTotal++;
      await this.audit.record(principal, 'advisory.refused', { type: 'advisory', id, index: this.index }, null, { url: d.url, tlp, clearance: d.clearance, code: d.code, message: d.message });
    }
    return summary(advisory);
  }

  async list(principal: Principal, incidentId?: string): Promise<{ advisories: AdvisorySummary[] }> {
    requirePermission(principal, 'advisories:read');
    await this.store.ensureIndex(this.index, ADVISORY_MAPPINGS);
    const filter = incidentId ? [{ term: { incident_id: incidentId } }] : [];
    const res = await this.store.search(this.index, { size: 200, sort: [{ sent: { order: 'desc' } }], _source: { excludes: ['cap_xml', 'stix_bundle'] }, query: scoped(principal, boolQuery(filter)) });
    return { advisories: (res.hits?.hits ?? []).map((h) => h._source as AdvisorySummary) };
  }

  async get(id: string, principal: Principal): Promise<Advisory> {
    requirePermission(principal, 'advisories:read');
    await this.store.ensureIndex(this.index, ADVISORY_MAPPINGS);
    const res = await this.store.search(this.index, { size: 1, query: scoped(principal, { ids: { values: [id] } }) });
    const a = res.hits?.hits?.[0]?._source as Advisory | undefined;
    if (!a || !visibleTo(principal, a.organization?.id)) throw new CirtUiError('ERR_UI_NOT_FOUND', `no advisory with id ${id}`, { location: { field: 'id' } });
    return a;
  }
}

function summary(a: Advisory): AdvisorySummary {
  const { cap_xml: _c, stix_bundle: _s, ...rest } = a;
  return rest;
}

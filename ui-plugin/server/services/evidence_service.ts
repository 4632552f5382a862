// Evidence preservation for incidents. HOLD: when alerts are attached to an incident (and again on export), the raw
// events behind them (by the alert's triggering `event.id`s) are copied from `events-*` into `incident-events`, an
// index the indexer's retention never sweeps (it deletes only events|alerts|deadletter-YYYY.MM.DD), so they outlive
// the 30-day telemetry retention while the incident exists. EXPORT: incident + alerts + held events + the rules
// that fired as one tar bundle with a SHA-256 manifest (bundle_format.ts), audited with the manifest's digest.
import type { Alert, Incident, Principal, TriagedAlert } from '../../common/index';
import { requirePermission } from '../auth/principal';
import { CirtUiError } from '../errors';
import { buildBundle, canonicalJson, type Bundle, type MissingEvidence } from '../evidence/bundle_format';
import type { AlertsService } from './alerts_service';
import type { AuditService } from './audit_service';
import type { IncidentsService } from './incidents_service';
import { scoped } from './scope';
import type { DocStore, SearchHit } from './store';

/** A held copy: one document per (incident, event), id `<incident id>:<event id>`. */
export interface HeldEvent {
  incident_id: string;
  event_id: string;
  alert_ids: string[];
  organization?: { id?: string };
  '@timestamp'?: string;
  held_at: string;
  held_by: string;
  /** The events-* index the copy was taken from. */
  source_index: string;
  event: Record<string, unknown>;
}

export const HELD_EVENT_MAPPINGS = {
  dynamic: false,
  properties: {
    incident_id: { type: 'keyword' },
    event_id: { type: 'keyword' },
    alert_ids: { type: 'keyword' },
    organization: { properties: { id: { type: 'keyword' } } },
    '@timestamp': { type: 'date' },
    held_at: { type: 'date' },
    held_by: { type: 'keyword' },
    source_index: { type: 'keyword' },
    // The raw event, kept whole and byte-for-byte as read; not indexed field by field.
    event: { type: 'object', enabled: false },
  },
};

/** Most events one incident's bundle reads back (alerts carry a capped list of triggering events). */
export const MAX_HELD_EVENTS = 10_000;
const LOOKUP_CHUNK = 500;

/** Where to find the exact text of a rule that fired (e.g. the rule pack on disk); undefined when unknown. */
export type RuleSource = (rule: Alert['rule']) => Promise<{ text: string; origin: string } | undefined>;

export interface EvidenceOptions {
  /** Pattern of the raw telemetry (the indexer's events-YYYY.MM.DD). */
  events: string;
  /** The hold index (never matched by the retention sweep). */
  heldEvents: string;
  tool: { name: string; version: string };
  ruleSource?: RuleSource;
}

export interface HoldOutcome {
  /** Copies newly written to the hold index. */
  held: number;
  missing: MissingEvidence[];
}

interface EventRef {
  eventId: string;
  alertIds: string[];
}

/** The triggering event ids of each alert (sorted, de-duplicated), and the references that have no id. */
export function eventRefs(alerts: Alert[]): { refs: EventRef[]; unidentified: MissingEvidence[] } {
  const byId = new Map<string, Set<string>>();
  const unidentified: MissingEvidence[] = [];
  for (const a of alerts) {
    (a.events ?? []).forEach((e, i) => {
      const id = e.event?.id;
      if (typeof id !== 'string' || id === '') {
        unidentified.push({ alert_id: a.alert.id, event_id: `(events[${i}] has no event.id)`, reason: 'the triggering event carries no event.id, so its raw copy cannot be looked up; the alert’s own copy is in alerts.jsonl' });
        return;
      }
      (byId.get(id) ?? byId.set(id, new Set()).get(id)!).add(a.alert.id);
    });
  }
  const refs = [...byId.entries()].map(([eventId, ids]) => ({ eventId, alertIds: [...ids].sort() })).sort((x, y) => (x.eventId < y.eventId ? -1 : 1));
  return { refs, unidentified };
}

/** A file name for a rule id (ids are UUIDs in Sigma, but nothing guarantees it). */
export function ruleFileStem(ruleId: string): string {
  return ruleId.replace(/[^A-Za-z0-9._@+-]/g, '_').slice(0, 80) || '_';
}

function isConflict(err: unknown): boolean {
  return (err as { meta?: { statusCode?: number } } | null)?.meta?.statusCode === 409;
}

function jsonl(rows: unknown[]): Buffer {
  return Buffer.from(rows.map((r) => canonicalJson(r) + '\n').join(''));
}

export class EvidenceService {
  constructor(
    private readonly store: DocStore,
    private readonly incidents: IncidentsService,
    private readonly alerts: AlertsService,
    private readonly audit: AuditService,
    private readonly options: EvidenceOptions,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private async heldHits(incidentId: string, principal: Principal): Promise<SearchHit[]> {
    await this.store.ensureIndex(this.options.heldEvents, HELD_EVENT_MAPPINGS);
    const res = await this.store.search(this.options.heldEvents, { size: MAX_HELD_EVENTS, sort: [{ event_id: { order: 'asc' } }], query: scoped(principal, { term: { incident_id: incidentId } }) });
    return res.hits?.hits ?? [];
  }

  /**
   * Copies the raw events behind `alerts` into the hold index for `incidentId` (idempotent: an event already held
   * for the incident is left as it is). Returns what could not be found, never drops it silently.
   */
  async hold(incidentId: string, alerts: Alert[], principal: Principal): Promise<HoldOutcome> {
    requirePermission(principal, 'incidents:write');
    const { refs, unidentified } = eventRefs(alerts);
    const already = new Set((await this.heldHits(incidentId, principal)).map((h) => (h._source as HeldEvent).event_id));
    const wanted = refs.filter((r) => !already.has(r.eventId));
    const found = new Map<string, SearchHit>();
    for (let i = 0; i < wanted.length; i += LOOKUP_CHUNK) {
      const ids = wanted.slice(i, i + LOOKUP_CHUNK).map((r) => r.eventId);
      const res = await this.store.search(this.options.events, { size: ids.length * 2, query: scoped(principal, { terms: { 'event.id': ids } }) });
      for (const hit of res.hits?.hits ?? []) {
        const id = (hit._source as { event?: { id?: unknown } } | undefined)?.event?.id;
        if (typeof id === 'string' && !found.has(id)) found.set(id, hit);
      }
    }
    const at = this.now().toISOString();
    const missing: MissingEvidence[] = [...unidentified];
    let held = 0;
    for (const ref of wanted) {
      const hit = found.get(ref.eventId);
      if (!hit) {
        for (const alertId of ref.alertIds) {
          missing.push({ alert_id: alertId, event_id: ref.eventId, reason: `not in ${this.options.heldEvents} nor ${this.options.events} (raw telemetry indexing off, or past its retention); the alert’s own copy is in alerts.jsonl` });
        }
        continue;
      }
      const event = hit._source as Record<string, unknown> & { organization?: { id?: string }; '@timestamp'?: string };
      const doc: HeldEvent = {
        incident_id: incidentId,
        event_id: ref.eventId,
        alert_ids: ref.alertIds,
        ...(event.organization?.id ? { organization: { id: event.organization.id } } : {}),
        ...(event['@timestamp'] ? { '@timestamp': event['@timestamp'] } : {}),
        held_at: at,
        held_by: principal.username,
        source_index: hit._index,
        event,
      };
      try {
        await this.store.index(this.options.heldEvents, `${incidentId}:${ref.eventId}`, doc as unknown as Record<string, unknown>, { create: true });
        held++;
      } catch (err) {
        if (!isConflict(err)) throw err; // held meanwhile by another request: the first copy stands
      }
    }
    return { held, missing };
  }

  /** Builds the incident's evidence bundle (holding whatever is not held yet) and audits the export. */
  async export(incidentId: string, principal: Principal): Promise<Bundle & { fileName: string }> {
    requirePermission(principal, 'evidence:export');
    const incident: Incident = await this.incidents.get(incidentId, principal);
    const alerts: TriagedAlert[] = [];
    const notes: string[] = [];
    for (const id of [...incident.alert_ids].sort()) {
      try {
        alerts.push(await this.alerts.get(id, principal));
      } catch (err) {
        if (!(err instanceof CirtUiError) || err.code !== 'ERR_UI_NOT_FOUND') throw err;
        notes.push(`alert ${id} is linked to the incident but no longer in the alerts indices`);
      }
    }
    const { missing } = await this.hold(incident.id, alerts, principal);
    const heldHits = await this.heldHits(incident.id, principal);
    if (heldHits.length >= MAX_HELD_EVENTS) notes.push(`events.jsonl holds the first ${MAX_HELD_EVENTS} held events by event id; more are held in ${this.options.heldEvents}`);
    const events = heldHits.map((h) => h._source as HeldEvent).map((h) => ({ event_id: h.event_id, alert_ids: h.alert_ids, source_index: h.source_index, held_at: h.held_at, held_by: h.held_by, event: h.event }));

    const files: { path: string; data: Buffer }[] = [
      { path: 'incident.json', data: Buffer.from(JSON.stringify(incident, null, 2) + '\n') },
      { path: 'alerts.jsonl', data: jsonl(alerts) },
      { path: 'events.jsonl', data: jsonl(events) },
    ];
    // One entry per rule id: the exact text when the rule source knows it, else the rule as every alert recorded it.
    const byRule = new Map<string, Alert['rule'][]>();
    for (const a of alerts) {
      const seen = byRule.get(a.rule.id) ?? byRule.set(a.rule.id, []).get(a.rule.id)!;
      if (!seen.some((r) => canonicalJson(r) === canonicalJson(a.rule))) seen.push(a.rule);
    }
    for (const [ruleId, records] of [...byRule.entries()].sort(([x], [y]) => (x < y ? -1 : 1))) {
      const stem = `rules/${ruleFileStem(ruleId)}`;
      files.push({ path: `${stem}.alert-record.json`, data: Buffer.from(JSON.stringify(records.map((r) => JSON.parse(canonicalJson(r)) as unknown), null, 2) + '\n') });
      const source = this.options.ruleSource ? await this.options.ruleSource(records[0]!) : undefined;
      if (source) {
        files.push({ path: `${stem}.yml`, data: Buffer.from(source.text) });
        notes.push(`${stem}.yml: ${source.origin}`);
      } else {
        notes.push(`${stem}.yml: the rule text was not available to the operations room; ${stem}.alert-record.json is the rule as the alerts recorded it`);
      }
    }
    const exportedAt = this.now();
    const bundle = buildBundle({
      incidentId: incident.id,
      exportedAt,
      exportedBy: { username: principal.username, role: principal.role, ...(principal.agency ? { agency: principal.agency } : {}) },
      tool: this.options.tool,
      files,
      missingEvents: missing,
      notes,
    });
    await this.audit.record(principal, 'incident.evidence_export', { type: 'incident', id: incident.id, index: this.options.heldEvents }, null, {
      manifest_sha256: bundle.manifestDigest,
      bytes: bundle.tar.length,
      files: bundle.manifest.files.length,
      alerts: alerts.length,
      events: events.length,
      missing_events: missing.length,
    });
    const stamp = exportedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    return { ...bundle, fileName: `evidence-${incident.id}-${stamp}.tar` };
  }
}

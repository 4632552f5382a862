// Incidents (`incidents` index): created from alerts, worked through the FIRST CSIRT Services Framework lifecycle
// new → triage → containment → eradication → recovery → closed. Transitions are validated here; every change
// appends to the timeline, writes with optimistic concurrency and is audited.
import { randomUUID } from 'node:crypto';
import { INCIDENT_TRANSITIONS, SEVERITY_LEVELS, type Incident, type IncidentStatus, type Principal, type Severity, type TriagedAlert } from '../../common/index';
import { checkTlpChange, incidentMarking, rsitText } from './classification';
import { CirtUiError } from '../errors';
import { can, requirePermission, visibleTo } from '../auth/principal';
import type { IncidentChange, IncidentCreate, IncidentListQuery } from '../routes/validation';
import type { AlertsService } from './alerts_service';
import type { AuditService } from './audit_service';
import { boolQuery, scoped } from './scope';
import type { DocStore, SearchHit } from './store';


export function checkTransition(from: IncidentStatus, to: IncidentStatus): void {
  if (!INCIDENT_TRANSITIONS[from].includes(to)) {
    throw new CirtUiError('ERR_UI_CONFLICT', `an incident cannot go from ${from} to ${to} (allowed: ${INCIDENT_TRANSITIONS[from].join(', ') || 'none'})`, { location: { field: 'status' } });
  }
}

export const INCIDENT_MAPPINGS = {
  dynamic: false,
  properties: {
    id: { type: 'keyword' },
    title: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
    description: { type: 'text' },
    status: { type: 'keyword' },
    severity: { type: 'keyword' },
    assignee: { type: 'keyword' },
    organization: { properties: { id: { type: 'keyword' } } },
    alert_ids: { type: 'keyword' },
    created_at: { type: 'date' },
    created_by: { type: 'keyword' },
    updated_at: { type: 'date' },
    timeline: { type: 'object', enabled: false },
    notes: { type: 'object', enabled: false },
    rsit: { properties: { classification: { type: 'keyword' }, type: { type: 'keyword' } } },
    tlp: { type: 'keyword' },
  },
};

export class IncidentsService {
  constructor(
    private readonly store: DocStore,
    private readonly index: string,
    private readonly alerts: AlertsService,
    private readonly audit: AuditService,
    private readonly now: () => Date = () => new Date(),
    /** Called once the alerts are linked: the evidence hold copies their raw events (evidence_service.ts). */
    private readonly onAlertsLinked?: (incidentId: string, alerts: TriagedAlert[], principal: Principal) => Promise<unknown>,
  ) {}

  private async ensure(): Promise<void> {
    await this.store.ensureIndex(this.index, INCIDENT_MAPPINGS);
  }

  async list(query: IncidentListQuery, principal: Principal): Promise<{ total: number; incidents: Incident[] }> {
    requirePermission(principal, 'incidents:read');
    await this.ensure();
    const filter = query.status ? [{ term: { status: query.status } }] : [];
    const res = await this.store.search(this.index, { size: query.size, track_total_hits: true, sort: [{ updated_at: { order: 'desc' } }], query: scoped(principal, boolQuery(filter)) });
    const hits = res.hits?.hits ?? [];
    const t = res.hits?.total;
    return { total: typeof t === 'number' ? t : (t?.value ?? hits.length), incidents: hits.map((h) => h._source as Incident) };
  }

  private async getHit(id: string, principal: Principal): Promise<SearchHit> {
    await this.ensure();
    const res = await this.store.search(this.index, { size: 1, seq_no_primary_term: true, query: scoped(principal, { ids: { values: [id] } }) });
    const hit = res.hits?.hits?.[0];
    // Another agency's incident answers exactly like a missing one.
    if (!hit || !visibleTo(principal, (hit._source as Incident).organization?.id)) throw new CirtUiError('ERR_UI_NOT_FOUND', `no incident with id ${id}`, { location: { field: 'id' } });
    return hit;
  }

  async get(id: string, principal: Principal): Promise<Incident> {
    requirePermission(principal, 'incidents:read');
    return (await this.getHit(id, principal))._source as Incident;
  }

  /** Creates an incident from alerts (all must be visible), links them (triage.incident_id) and audits. */
  async create(input: IncidentCreate, principal: Principal): Promise<Incident> {
    requirePermission(principal, 'incidents:write');
    await this.ensure();
    const alerts = [];
    for (const id of input.alertIds) alerts.push(await this.alerts.get(id, principal));
    const at = this.now().toISOString();
    const agencies = [...new Set(alerts.map((a) => a.organization?.id).filter((x): x is string => typeof x === 'string'))].sort();
    // The incident is at least as severe as its worst alert.
    const worst = alerts.reduce<Severity>((s, a) => (SEVERITY_LEVELS.indexOf(a.alert.severity) > SEVERITY_LEVELS.indexOf(s) ? a.alert.severity : s), input.severity);
    const marking = incidentMarking(alerts, input, principal);
    const incident: Incident = {
      id: randomUUID(),
      title: input.title,
      description: input.description,
      status: 'new',
      severity: worst,
      ...(input.assignee ? { assignee: input.assignee } : {}),
      organization: { id: agencies },
      alert_ids: alerts.map((a) => a.alert.id),
      created_at: at,
      created_by: principal.username,
      updated_at: at,
      timeline: [{ at, by: principal.username, action: 'created', detail: `from ${alerts.length} alert(s); ${rsitText(marking.rsit)}, TLP:${marking.tlp}` }],
      notes: [],
      ...marking,
    };
    await this.store.index(this.index, incident.id, incident as unknown as Record<string, unknown>, { create: true });
    await this.audit.record(principal, 'incident.create', { type: 'incident', id: incident.id, index: this.index }, null, incident);
    await this.alerts.triage({ ids: incident.alert_ids, action: 'link_incident', incidentId: incident.id }, principal);
    await this.onAlertsLinked?.(incident.id, alerts, principal);
    return incident;
  }

  async change(id: string, change: IncidentChange, principal: Principal): Promise<Incident> {
    requirePermission(principal, 'incidents:write');
    const hit = await this.getHit(id, principal);
    const before = hit._source as Incident;
    const at = this.now().toISOString();
    const after: Incident = { ...before, timeline: [...before.timeline], notes: [...before.notes], updated_at: at };
    if (change.status !== undefined && change.status !== before.status) {
      checkTransition(before.status, change.status);
      if ((change.status === 'closed' || before.status === 'closed') && !can(principal, 'incidents:close')) {
        throw new CirtUiError('ERR_UI_FORBIDDEN', `role ${principal.role} may not close or reopen an incident`);
      }
      if (change.status === 'closed' && !change.reason) throw new CirtUiError('ERR_UI_VALIDATION', '[reason]: required when closing an incident', { location: { field: 'reason' } });
      after.status = change.status;
      after.timeline.push({ at, by: principal.username, action: `status ${before.status} → ${change.status}`, ...(change.reason ? { detail: change.reason } : {}) });
    }
    if (change.assignee !== undefined && change.assignee !== before.assignee) {
      after.assignee = change.assignee;
      after.timeline.push({ at, by: principal.username, action: 'assigned', detail: change.assignee });
    }
    if (change.rsit !== undefined && rsitText(change.rsit) !== rsitText(before.rsit)) {
      after.rsit = change.rsit;
      after.timeline.push({ at, by: principal.username, action: 'classified', detail: `${rsitText(before.rsit)} → ${rsitText(change.rsit)}` });
    }
    if (change.tlp !== undefined && change.tlp !== before.tlp) {
      checkTlpChange(before.tlp, change.tlp, principal, 'incident');
      after.tlp = change.tlp;
      after.timeline.push({ at, by: principal.username, action: 'TLP changed', detail: `TLP:${before.tlp ?? 'none'} → TLP:${change.tlp}` });
    }
    if (change.note) {
      after.notes.push({ at, by: principal.username, text: change.note });
      after.timeline.push({ at, by: principal.username, action: 'note added' });
    }
    await this.store.index(this.index, id, after as unknown as Record<string, unknown>, { ifSeqNo: hit._seq_no, ifPrimaryTerm: hit._primary_term });
    await this.audit.record(principal, 'incident.update', { type: 'incident', id, index: this.index }, before, after);
    return after;
  }
}


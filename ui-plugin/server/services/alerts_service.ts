// Framework-free alert queries and triage over an injected store. Every query goes through scoped() (the liaison's
// agency filter); every change is an `_update` by id on the alert's concrete index with optimistic concurrency,
// and is audited.
import {
  DEFAULT_ALERTS_INDEX_PATTERN,
  DEFAULT_TLP,
  type AlertGroup,
  type AlertListResponse,
  type AlertTriage,
  type Principal,
  type Severity,
  type TriagedAlert,
} from '../../common/index';
import { CirtUiError } from '../errors';
import { requirePermission, visibleTo } from '../auth/principal';
import type { AlertListQuery, GroupQuery, TriageRequest } from '../routes/validation';
import type { AuditService } from './audit_service';
import { checkTlpChange } from './classification';
import { boolQuery, scoped } from './scope';
import type { AlertStore, DocStore, SearchBody, SearchHit, SearchResult } from './store';

export type { AlertStore, SearchBody, SearchResult, SearchHit };

/** Fields the free-text filter looks in (ECS names; keyword fields match whole values). */
export const TEXT_FIELDS = ['alert.reason', 'rule.name', 'rule.author', 'rule.id', 'organization.id', 'host.name'] as const;

const SORT_NEWEST_FIRST = [{ '@timestamp': { order: 'desc', unmapped_type: 'date' } }];

/** The triage fields the UI writes, mapped on an alerts-* index before the first update (the indexer's template has no `triage`). */
export const TRIAGE_MAPPING = {
  triage: {
    properties: {
      assignee: { type: 'keyword' },
      qualification: { type: 'keyword' },
      reason: { type: 'text' },
      acknowledged_by: { type: 'keyword' },
      acknowledged_at: { type: 'date' },
      incident_id: { type: 'keyword' },
      updated_by: { type: 'keyword' },
      updated_at: { type: 'date' },
    },
  },
  // Also in the indexer's template; repeated for alerts indices created before alerts carried them.
  rsit: { properties: { classification: { type: 'keyword' }, type: { type: 'keyword' } } },
  tlp: { type: 'keyword' },
};

function listClauses(query: Omit<AlertListQuery, 'size' | 'from'>) {
  const filter: Record<string, unknown>[] = [];
  const must: Record<string, unknown>[] = [];
  if (query.severity !== undefined) filter.push({ term: { 'alert.severity': query.severity } });
  if (query.agency !== undefined) filter.push({ term: { 'organization.id': query.agency } });
  if (query.rule !== undefined) filter.push({ term: { 'rule.id': query.rule } });
  if (query.status !== undefined) filter.push({ term: { 'alert.status': query.status } });
  if (query.source !== undefined) filter.push({ term: { 'source.ip': query.source } });
  if (query.classification !== undefined) filter.push({ term: { 'rsit.classification': query.classification } });
  if (query.tlp !== undefined) filter.push({ term: { tlp: query.tlp } });
  if (query.since !== undefined || query.until !== undefined) {
    filter.push({ range: { '@timestamp': { ...(query.since ? { gte: query.since } : {}), ...(query.until ? { lt: query.until } : {}) } } });
  }
  if (query.q !== undefined) {
    must.push({ simple_query_string: { query: query.q, fields: [...TEXT_FIELDS], default_operator: 'and', lenient: true } });
  }
  return { filter, must };
}

export function buildListQuery(query: AlertListQuery, principal?: Principal): SearchBody {
  const { filter, must } = listClauses(query);
  const q = boolQuery(filter, must);
  return {
    size: query.size,
    from: query.from,
    track_total_hits: true,
    sort: SORT_NEWEST_FIRST,
    query: principal ? scoped(principal, q) : q,
  };
}

function idsQuery(ids: string[]): Record<string, unknown> {
  // Alert ids are deterministic and the indexer uses them as document ids; accept either.
  return { bool: { should: [{ ids: { values: ids } }, { terms: { 'alert.id': ids } }], minimum_should_match: 1 } };
}

export function buildGetQuery(id: string, principal?: Principal): SearchBody {
  const q = idsQuery([id]);
  return { size: 1, sort: SORT_NEWEST_FIRST, seq_no_primary_term: true, query: principal ? scoped(principal, q) : q };
}

function readHits(result: SearchResult): SearchHit[] {
  const hits = result?.hits;
  if (!hits || !Array.isArray(hits.hits)) throw new CirtUiError('ERR_UI_STORE_RESPONSE', 'the store answered without hits');
  for (const hit of hits.hits) {
    if (hit._source === null || typeof hit._source !== 'object') throw new CirtUiError('ERR_UI_STORE_RESPONSE', `hit ${hit._index}/${hit._id} has no _source`);
  }
  return hits.hits;
}

function readResult(result: SearchResult): { total: number; alerts: TriagedAlert[] } {
  const alerts = readHits(result).map((h) => h._source as TriagedAlert);
  const t = result.hits.total;
  const total = typeof t === 'number' ? t : (t?.value ?? alerts.length);
  return { total, alerts };
}

export interface TriageOutcome {
  updated: string[];
  failed: { id: string; code: string; message: string }[];
}

export interface RelatedAlerts {
  same_source: TriagedAlert[];
  same_rule: TriagedAlert[];
}

/** The principal used by callers that predate RBAC (unit tests of the query builders): CIRT-wide read. */
export const SYSTEM_READER: Principal = { username: 'system', role: 'analyst' };

export class AlertsService {
  constructor(
    private readonly store: AlertStore | DocStore,
    private readonly indexPattern: () => string = () => DEFAULT_ALERTS_INDEX_PATTERN,
    private readonly audit?: AuditService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(query: AlertListQuery, principal: Principal = SYSTEM_READER): Promise<AlertListResponse> {
    requirePermission(principal, 'alerts:read');
    return readResult(await this.store.search(this.indexPattern(), buildListQuery(query, principal)));
  }

  /** Throws ERR_UI_NOT_FOUND when no alert has this id, or when it belongs to another agency (liaison). */
  async get(id: string, principal: Principal = SYSTEM_READER): Promise<TriagedAlert> {
    requirePermission(principal, 'alerts:read');
    const { alerts } = readResult(await this.store.search(this.indexPattern(), buildGetQuery(id, principal)));
    const alert = alerts[0];
    // The query is scoped already; the second check keeps a liaison's 404 even if a store ignored the filter.
    if (alert === undefined || !visibleTo(principal, alert.organization?.id)) throw new CirtUiError('ERR_UI_NOT_FOUND', `no alert with id ${id}`, { location: { field: 'id' } });
    return alert;
  }

  /** Alerts with the same source IP or the same rule, other agencies included (a liaison's scope hides those). */
  async related(id: string, principal: Principal): Promise<RelatedAlerts> {
    const alert = await this.get(id, principal);
    const not = [{ ids: { values: [id] } }, { term: { 'alert.id': alert.alert.id } }];
    const search = async (clause: Record<string, unknown>) =>
      readResult(await this.store.search(this.indexPattern(), { size: 20, sort: SORT_NEWEST_FIRST, query: scoped(principal, boolQuery([clause], [], not)) })).alerts;
    return {
      same_source: alert.source?.ip ? await search({ term: { 'source.ip': alert.source.ip } }) : [],
      same_rule: await search({ term: { 'rule.id': alert.rule.id } }),
    };
  }

  /** Groups of similar alerts: same rule + agency, or same source IP (with how many agencies it touched). */
  async groups(query: GroupQuery, principal: Principal): Promise<{ groups: AlertGroup[] }> {
    requirePermission(principal, 'alerts:read');
    const { filter, must } = listClauses(query);
    const sub = { last_seen: { max: { field: '@timestamp' } }, agencies: { cardinality: { field: 'organization.id' } }, top: { top_hits: { size: 1, sort: SORT_NEWEST_FIRST, _source: ['rule.name', 'alert.severity'] } } };
    const aggs =
      query.by === 'source_ip'
        ? { g: { terms: { field: 'source.ip', size: query.size, order: { _count: 'desc' } }, aggs: sub } }
        : { g: { composite: { size: query.size, sources: [{ rule_id: { terms: { field: 'rule.id' } } }, { agency: { terms: { field: 'organization.id' } } }] }, aggs: sub } };
    const res = await this.store.search(this.indexPattern(), { size: 0, query: scoped(principal, boolQuery(filter, must)), aggs });
    interface Bucket {
      key: string | { rule_id: string; agency: string };
      doc_count: number;
      last_seen?: { value_as_string?: string };
      agencies?: { value: number };
      top?: { hits: { hits: { _source?: { rule?: { name?: string }; alert?: { severity?: Severity } } }[] } };
    }
    const buckets = ((res.aggregations?.g as { buckets?: Bucket[] } | undefined)?.buckets ?? []) as Bucket[];
    const groups = buckets.map((b): AlertGroup => {
      const top = b.top?.hits.hits[0]?._source;
      const key = typeof b.key === 'string' ? { source_ip: b.key } : { rule_id: b.key.rule_id, rule_name: top?.rule?.name, agency: b.key.agency };
      return { key, count: b.doc_count, agencies: b.agencies?.value ?? 0, last_seen: b.last_seen?.value_as_string, severity: top?.alert?.severity };
    });
    groups.sort((a, b) => b.count - a.count);
    return { groups };
  }

  /** Acknowledge / assign / qualify one or many alerts. Each is updated (and audited) on its own. */
  async triage(request: TriageRequest, principal: Principal): Promise<TriageOutcome> {
    requirePermission(principal, 'alerts:triage');
    const store = this.store as DocStore;
    const res = await store.search(this.indexPattern(), { size: request.ids.length * 2, seq_no_primary_term: true, sort: SORT_NEWEST_FIRST, query: scoped(principal, idsQuery(request.ids)) });
    const byId = new Map<string, SearchHit>();
    for (const hit of readHits(res)) {
      if (!visibleTo(principal, (hit._source as TriagedAlert).organization?.id)) continue;
      const id = (hit._source as TriagedAlert).alert?.id ?? hit._id;
      if (!byId.has(id)) byId.set(id, hit);
    }
    const outcome: TriageOutcome = { updated: [], failed: [] };
    const at = this.now().toISOString();
    for (const id of request.ids) {
      const hit = byId.get(id);
      if (!hit) {
        outcome.failed.push({ id, code: 'ERR_UI_NOT_FOUND', message: `no alert with id ${id}` });
        continue;
      }
      const doc = hit._source as TriagedAlert;
      const before = { status: doc.alert.status, triage: doc.triage ?? {}, ...(request.action === 'classify' ? { rsit: doc.rsit ?? null, tlp: doc.tlp ?? null } : {}) };
      const marking: Pick<TriagedAlert, 'rsit' | 'tlp'> = {};
      const triage: AlertTriage = { ...(doc.triage ?? {}), updated_by: principal.username, updated_at: at };
      let status = doc.alert.status;
      switch (request.action) {
        case 'acknowledge':
          triage.acknowledged_by = principal.username;
          triage.acknowledged_at = at;
          if (status === 'open') status = 'acknowledged';
          break;
        case 'assign':
          triage.assignee = request.assignee as string;
          break;
        case 'qualify':
          triage.qualification = request.qualification;
          triage.reason = request.reason as string;
          status = request.qualification === 'false_positive' ? 'closed' : status === 'open' ? 'acknowledged' : status;
          break;
        case 'reopen':
          delete triage.qualification;
          delete triage.reason;
          status = 'open';
          break;
        case 'link_incident':
          triage.incident_id = request.incidentId as string;
          break;
        case 'classify':
          if (request.rsit) marking.rsit = request.rsit;
          if (request.tlp) marking.tlp = request.tlp;
          break;
      }
      if (marking.tlp) {
        try {
          checkTlpChange(doc.tlp ?? DEFAULT_TLP, marking.tlp, principal, 'alert');
        } catch (err) {
          outcome.failed.push({ id, code: (err as CirtUiError).code, message: (err as Error).message });
          continue;
        }
      }
      try {
        await store.putMapping(hit._index, TRIAGE_MAPPING);
        await store.update(hit._index, hit._id, { alert: { status }, triage, ...marking }, { ifSeqNo: hit._seq_no, ifPrimaryTerm: hit._primary_term });
        await this.audit?.record(principal, `alert.${request.action}`, { type: 'alert', id, index: hit._index }, before, { status, triage, ...marking });
        outcome.updated.push(id);
      } catch (err) {
        const conflict = (err as { meta?: { statusCode?: number } }).meta?.statusCode === 409;
        if (!conflict) throw err;
        outcome.failed.push({ id, code: 'ERR_UI_CONFLICT', message: 'the alert changed meanwhile; reload and try again' });
      }
    }
    return outcome;
  }
}

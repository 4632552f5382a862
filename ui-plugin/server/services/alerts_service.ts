// Framework-free alert queries: builds the OpenSearch request bodies and reads the answers. The store is injected
// (`{ search(index, body) }`), so this is unit-testable without OpenSearch and shared by OSD and the standalone host.
import { DEFAULT_ALERTS_INDEX_PATTERN, type Alert, type AlertListResponse } from '../../common/index.ts';
import { CirtUiError } from '../errors.ts';
import type { AlertListQuery } from '../routes/validation.ts';

export type SearchBody = Record<string, unknown>;

export interface SearchHit {
  _id: string;
  _index: string;
  _source?: unknown;
}

export interface SearchResult {
  hits: { total?: number | { value: number; relation?: string }; hits: SearchHit[] };
}

export interface AlertStore {
  search(index: string, body: SearchBody): Promise<SearchResult>;
}

/** Fields the free-text filter looks in (ECS names; keyword fields match whole values). */
export const TEXT_FIELDS = ['alert.reason', 'rule.name', 'rule.author', 'rule.id', 'organization.id', 'host.name'] as const;

const SORT_NEWEST_FIRST = [{ '@timestamp': { order: 'desc', unmapped_type: 'date' } }];

export function buildListQuery(query: AlertListQuery): SearchBody {
  const filter: Record<string, unknown>[] = [];
  const must: Record<string, unknown>[] = [];
  if (query.severity !== undefined) filter.push({ term: { 'alert.severity': query.severity } });
  if (query.agency !== undefined) filter.push({ term: { 'organization.id': query.agency } });
  if (query.since !== undefined) filter.push({ range: { '@timestamp': { gte: query.since } } });
  if (query.q !== undefined) {
    must.push({ simple_query_string: { query: query.q, fields: [...TEXT_FIELDS], default_operator: 'and', lenient: true } });
  }
  return {
    size: query.size,
    from: query.from,
    track_total_hits: true,
    sort: SORT_NEWEST_FIRST,
    query: filter.length === 0 && must.length === 0 ? { match_all: {} } : { bool: { filter, must } },
  };
}

export function buildGetQuery(id: string): SearchBody {
  // Alert ids are deterministic and the indexer uses them as document ids; accept either, newest copy wins.
  return {
    size: 1,
    sort: SORT_NEWEST_FIRST,
    query: { bool: { should: [{ ids: { values: [id] } }, { term: { 'alert.id': id } }], minimum_should_match: 1 } },
  };
}

function readResult(result: SearchResult): { total: number; alerts: Alert[] } {
  const hits = result?.hits;
  if (!hits || !Array.isArray(hits.hits)) throw new CirtUiError('ERR_UI_STORE_RESPONSE', 'the alert store answered without hits');
  const alerts: Alert[] = [];
  for (const hit of hits.hits) {
    if (hit._source === null || typeof hit._source !== 'object') {
      throw new CirtUiError('ERR_UI_STORE_RESPONSE', `hit ${hit._index}/${hit._id} has no _source`);
    }
    alerts.push(hit._source as Alert);
  }
  const total = typeof hits.total === 'number' ? hits.total : (hits.total?.value ?? alerts.length);
  return { total, alerts };
}

export class AlertsService {
  constructor(
    private readonly store: AlertStore,
    private readonly indexPattern: () => string = () => DEFAULT_ALERTS_INDEX_PATTERN,
  ) {}

  async list(query: AlertListQuery): Promise<AlertListResponse> {
    return readResult(await this.store.search(this.indexPattern(), buildListQuery(query)));
  }

  /** Throws CirtUiError(ERR_UI_NOT_FOUND) when no alert has this id. */
  async get(id: string): Promise<Alert> {
    const { alerts } = readResult(await this.store.search(this.indexPattern(), buildGetQuery(id)));
    const alert = alerts[0];
    if (alert === undefined) throw new CirtUiError('ERR_UI_NOT_FOUND', `no alert with id ${id}`, { location: { field: 'id' } });
    return alert;
  }
}

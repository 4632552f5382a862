// The store the services talk to: a few document operations, injected (OpenSearch client in production, a
// recording fake in unit tests). Index names come from IndexNames so tests use their own prefixes.
export type SearchBody = Record<string, unknown>;

export interface SearchHit {
  _id: string;
  _index: string;
  _source?: unknown;
  _seq_no?: number;
  _primary_term?: number;
}

export interface SearchResult {
  hits: { total?: number | { value: number; relation?: string }; hits: SearchHit[] };
  aggregations?: Record<string, unknown>;
}

export interface WriteOptions {
  /** op_type=create: fail with 409 if the id exists. */
  create?: boolean;
  /** Optimistic concurrency: fail with 409 if the document changed since it was read. */
  ifSeqNo?: number;
  ifPrimaryTerm?: number;
}

export interface DocStore {
  search(index: string, body: SearchBody): Promise<SearchResult>;
  index(index: string, id: string, doc: Record<string, unknown>, opts?: WriteOptions): Promise<void>;
  update(index: string, id: string, partial: Record<string, unknown>, opts?: WriteOptions): Promise<void>;
  /** Creates the index with these mappings unless it exists (idempotent, cached). */
  ensureIndex(index: string, mappings: Record<string, unknown>): Promise<void>;
  /** Adds field mappings to an existing index (idempotent, cached). */
  putMapping(index: string, properties: Record<string, unknown>): Promise<void>;
}

/** Read-only part, what the alert list needs (kept for callers that only search). */
export type AlertStore = Pick<DocStore, 'search'>;

export interface IndexNames {
  /** Pattern the indexer's alerts are read from. */
  alerts: string;
  /** Pattern of the raw telemetry (wall: agency health). */
  events: string;
  incidents: string;
  /** Raw events held for incidents (evidence): never swept by the indexer's retention. */
  heldEvents: string;
  advisories: string;
  /** Audit records go to `<auditPrefix>-YYYY.MM` (read as `<auditPrefix>-*`). */
  auditPrefix: string;
}

export const DEFAULT_INDEX_NAMES: IndexNames = { alerts: 'alerts-*', events: 'events-*', incidents: 'incidents', heldEvents: 'incident-events', advisories: 'advisories', auditPrefix: 'audit' };

export function totalOf(result: SearchResult): number {
  const t = result.hits?.total;
  return typeof t === 'number' ? t : (t?.value ?? result.hits?.hits?.length ?? 0);
}

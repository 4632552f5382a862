// One store interface for the indexer, two engines behind it: OpenSearch (default; @opensearch-project/opensearch)
// and Elasticsearch 8 (@elastic/elasticsearch). Both speak the same _bulk, composable index templates, _cat/indices
// and index deletion, so the indexer's logic (indexer.ts, retention.ts) never knows which one it writes to.
import { Client as EsClient, type BaseConnection } from '@elastic/elasticsearch';
import { Client as OsClient } from '@opensearch-project/opensearch';
import { CirtError, errorMessage } from '../../proto/errors.ts';
import { bulkBody, type BulkItemResult, type IndexDoc } from './bulk.ts';

export class StoreError extends CirtError {}

export interface DocumentStore {
  bulk(docs: IndexDoc[]): Promise<BulkItemResult[]>;
  putTemplate(name: string, body: IndexTemplate): Promise<void>;
  /** Names of the indices matching the wildcard patterns (none: []). */
  listIndices(patterns: string[]): Promise<string[]>;
  deleteIndices(names: string[]): Promise<void>;
  health(): Promise<string>;
  close(): Promise<void>;
}

export interface IndexTemplate {
  index_patterns: string[];
  priority?: number;
  template: object;
}

export type StoreEngine = 'opensearch' | 'elasticsearch';

export interface StoreConfig {
  engine: StoreEngine;
  url: string;
}

/** Index deletions go in groups so that the request line stays short. */
const DELETE_CHUNK = 50;

function wrapper(engine: string, url: string) {
  return async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw new StoreError('ERR_STORE_UNAVAILABLE', `${engine} at ${url}: ${what} failed: ${errorMessage(err)}`, { cause: err, retryable: true });
    }
  };
}

function bulkItems(body: unknown, sent: number): BulkItemResult[] {
  const items = (body as { items?: Record<string, BulkItemResult>[] } | undefined)?.items;
  if (!Array.isArray(items) || items.length !== sent) {
    throw new StoreError('ERR_STORE_BULK_RESPONSE', `bulk response has ${Array.isArray(items) ? items.length : 'no'} items for ${sent} documents`, { retryable: true });
  }
  return items.map((it) => Object.values(it)[0]!);
}

const chunks = <T>(xs: T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

export function openSearchStore(url: string, requestTimeoutMs = 30_000): DocumentStore {
  const client = new OsClient({ node: url, requestTimeout: requestTimeoutMs, maxRetries: 0 });
  const wrap = wrapper('OpenSearch', url);
  return {
    bulk: (docs) =>
      wrap('bulk', async () => {
        const res = await client.bulk({ body: bulkBody(docs) as never });
        return bulkItems(res.body, docs.length);
      }),
    putTemplate: (name, body) =>
      wrap(`put index template ${name}`, async () => {
        await client.indices.putIndexTemplate({ name, body: body as never });
      }),
    listIndices: (patterns) =>
      wrap('list indices', async () => {
        const res = await client.cat.indices({ index: patterns.join(','), format: 'json', h: 'index', expand_wildcards: 'open,closed' } as never);
        return (res.body as { index: string }[]).map((r) => r.index);
      }),
    deleteIndices: (names) =>
      wrap(`delete ${names.length} indices`, async () => {
        for (const group of chunks(names, DELETE_CHUNK)) await client.indices.delete({ index: group.join(','), ignore_unavailable: true } as never);
      }),
    health: () =>
      wrap('cluster health', async () => {
        const res = await client.cluster.health({ timeout: '5s' } as never);
        return (res.body as { status: string }).status;
      }),
    close: () => client.close(),
  };
}

/** `connection` replaces the client's HTTP layer (tests; see ingest/test/store_elasticsearch.test.ts). */
export function elasticsearchStore(url: string, opts: { requestTimeoutMs?: number; connection?: typeof BaseConnection } = {}): DocumentStore {
  const client = new EsClient({ node: url, requestTimeout: opts.requestTimeoutMs ?? 30_000, maxRetries: 0, ...(opts.connection ? { Connection: opts.connection } : {}) });
  const wrap = wrapper('Elasticsearch', url);
  return {
    bulk: (docs) =>
      wrap('bulk', async () => {
        const res = await client.bulk({ operations: bulkBody(docs) });
        return bulkItems(res, docs.length);
      }),
    putTemplate: (name, body) =>
      wrap(`put index template ${name}`, async () => {
        await client.indices.putIndexTemplate({ name, index_patterns: body.index_patterns, priority: body.priority, template: body.template });
      }),
    listIndices: (patterns) =>
      wrap('list indices', async () => {
        const rows = await client.cat.indices({ index: patterns, format: 'json', h: 'index', expand_wildcards: ['open', 'closed'] });
        return rows.map((r) => r.index!).filter((n) => n !== undefined);
      }),
    deleteIndices: (names) =>
      wrap(`delete ${names.length} indices`, async () => {
        for (const group of chunks(names, DELETE_CHUNK)) await client.indices.delete({ index: group, ignore_unavailable: true });
      }),
    health: () =>
      wrap('cluster health', async () => {
        const res = await client.cluster.health({ timeout: '5s' });
        return res.status;
      }),
    close: () => client.close(),
  };
}

export function createStore(config: StoreConfig): DocumentStore {
  return config.engine === 'elasticsearch' ? elasticsearchStore(config.url) : openSearchStore(config.url);
}

// One store interface for the indexer (OpenSearch by default; Elasticsearch through the same interface later).
import { Client } from '@opensearch-project/opensearch';
import { CirtError, errorMessage } from '../../proto/errors.ts';
import { bulkBody, type BulkItemResult, type IndexDoc } from './bulk.ts';

export class StoreError extends CirtError {}

export interface DocumentStore {
  bulk(docs: IndexDoc[]): Promise<BulkItemResult[]>;
  putTemplate(name: string, body: object): Promise<void>;
  health(): Promise<string>;
  close(): Promise<void>;
}

export function openSearchStore(url: string, requestTimeoutMs = 30_000): DocumentStore {
  const client = new Client({ node: url, requestTimeout: requestTimeoutMs, maxRetries: 0 });
  const wrap = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw new StoreError('ERR_STORE_UNAVAILABLE', `OpenSearch at ${url}: ${what} failed: ${errorMessage(err)}`, { cause: err, retryable: true });
    }
  };
  return {
    bulk: (docs) =>
      wrap('bulk', async () => {
        const res = await client.bulk({ body: bulkBody(docs) as never });
        const items = (res.body as { items: Record<string, BulkItemResult>[] }).items;
        return items.map((it) => Object.values(it)[0]!);
      }),
    putTemplate: (name, body) =>
      wrap(`put index template ${name}`, async () => {
        await client.indices.putIndexTemplate({ name, body: body as never });
      }),
    health: () =>
      wrap('cluster health', async () => {
        const res = await client.cluster.health({ timeout: '5s' } as never);
        return (res.body as { status: string }).status;
      }),
    close: () => client.close(),
  };
}

// The document store over an `@opensearch-project/opensearch` client: the standalone host's Client, or OSD's
// `opensearch.client.asInternalUser` (the same client library underneath). Writes wait for a refresh, so the
// operator sees their own change on the next read.
import type { OpenSearchClientLike } from '../osd_types';
import type { DocStore, SearchResult } from './store';

export function createOpenSearchStore(client: OpenSearchClientLike | (() => Promise<OpenSearchClientLike>)): DocStore {
  const getClient = typeof client === 'function' ? client : async () => client;
  const ensured = new Set<string>();
  return {
    async search(index, body) {
      const c = await getClient();
      // A pattern with no matching index yet (first day, fresh cluster) is an empty result, not an error.
      const res = await c.search({ index, body, ignore_unavailable: true, allow_no_indices: true });
      return res.body as SearchResult;
    },
    async index(index, id, doc, opts = {}) {
      const c = await getClient();
      await c.index({ index, id, body: doc, refresh: 'wait_for', ...(opts.create ? { op_type: 'create' } : {}), ...(opts.ifSeqNo !== undefined ? { if_seq_no: opts.ifSeqNo, if_primary_term: opts.ifPrimaryTerm } : {}) });
    },
    async update(index, id, partial, opts = {}) {
      const c = await getClient();
      await c.update({ index, id, body: { doc: partial }, refresh: 'wait_for', ...(opts.ifSeqNo !== undefined ? { if_seq_no: opts.ifSeqNo, if_primary_term: opts.ifPrimaryTerm } : {}) });
    },
    async ensureIndex(index, mappings) {
      if (ensured.has(index)) return;
      const c = await getClient();
      try {
        await c.indices.create({ index, body: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings } });
      } catch (err) {
        const type = (err as { meta?: { body?: { error?: { type?: string } } } }).meta?.body?.error?.type;
        if (type !== 'resource_already_exists_exception') throw err;
      }
      ensured.add(index);
    },
    async putMapping(index, properties) {
      const key = `mapping:${index}`;
      if (ensured.has(key)) return;
      const c = await getClient();
      await c.indices.putMapping({ index, body: { properties } });
      ensured.add(key);
    },
  };
}

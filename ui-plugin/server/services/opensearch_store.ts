// AlertStore over an `@opensearch-project/opensearch` client: the standalone host's Client, or OSD's
// `opensearch.client.asInternalUser` (the same client library underneath).
import type { OpenSearchClientLike } from '../osd_types.ts';
import type { AlertStore, SearchResult } from './alerts_service.ts';

export function createOpenSearchStore(client: OpenSearchClientLike | (() => Promise<OpenSearchClientLike>)): AlertStore {
  const getClient = typeof client === 'function' ? client : async () => client;
  return {
    async search(index, body) {
      const c = await getClient();
      // A pattern with no matching index yet (first day, fresh cluster) is an empty result, not an error.
      const res = await c.search({ index, body, ignore_unavailable: true, allow_no_indices: true });
      return res.body as SearchResult;
    },
  };
}

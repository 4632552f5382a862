// Both store engines against the real OpenSearch: the OpenSearch client directly, and the Elasticsearch 8 client
// through openSearchBridge (which only translates ES 8's media types and adds the product header), so the
// Elasticsearch store's _bulk, composable index template, _cat/indices and delete calls run against a real engine.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, test } from 'node:test';
import { requireOpenSearch } from '../../proto/testing/preflight.ts';
import { elasticsearchStore, openSearchStore, type DocumentStore } from '../indexer/store.ts';
import { openSearchBridge } from './es_connections.ts';

const url = process.env.CIRT_OPENSEARCH_URL ?? 'http://127.0.0.1:19200';
before(() => requireOpenSearch(url));

const engines: [string, () => DocumentStore][] = [
  ['opensearch', () => openSearchStore(url)],
  ['elasticsearch (bridged)', () => elasticsearchStore(url, { connection: openSearchBridge(url) })],
];

for (const [engine, make] of engines) {
  test(`${engine}: template, bulk create with deterministic ids (409 on replay), list and delete indices`, async () => {
    const store = make();
    const tag = `storetest${randomBytes(3).toString('hex')}`;
    try {
      await store.putTemplate(`cirt-${tag}`, { index_patterns: [`${tag}-*`], priority: 200, template: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: { properties: { n: { type: 'integer' } } } } });
      const docs = [0, 1, 2].map((n) => ({ index: `${tag}-2020.01.0${n + 1}`, id: `id-${n}`, doc: { n } }));
      assert.deepEqual((await store.bulk(docs)).map((i) => i.status), [201, 201, 201]);
      assert.deepEqual((await store.bulk(docs)).map((i) => i.status), [409, 409, 409], 'a replay does not duplicate');
      const bad = await store.bulk([{ index: `${tag}-2020.01.01`, id: 'bad', doc: { n: 'not a number' } }]);
      assert.equal(bad[0]!.status, 400, 'the template mapping applies');
      assert.deepEqual((await store.listIndices([`${tag}-*`])).sort(), docs.map((d) => d.index));
      await store.deleteIndices([docs[0]!.index, docs[1]!.index]);
      assert.deepEqual(await store.listIndices([`${tag}-*`]), [docs[2]!.index]);
      assert.match(await store.health(), /green|yellow/);
    } finally {
      await fetch(`${url}/${tag}-*`, { method: 'DELETE' }).catch(() => undefined);
      await fetch(`${url}/_index_template/cirt-${tag}`, { method: 'DELETE' }).catch(() => undefined);
      await store.close();
    }
  });
}

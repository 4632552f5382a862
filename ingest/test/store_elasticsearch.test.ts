// The Elasticsearch store's request/response mapping, at the client's HTTP layer (no Elasticsearch server here):
// what goes on the wire for each DocumentStore call, and how answers come back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elasticsearchStore } from '../indexer/store.ts';
import { ALERTS_TEMPLATE } from '../indexer/templates.ts';
import { scriptedConnection } from './es_connections.ts';

const doc = (id: string) => ({ index: 'alerts-2026.11.26', id, doc: { '@timestamp': '2026-11-26T00:00:00Z', alert: { id } } });

test('bulk sends NDJSON create actions with the deterministic ids and maps items back in order', async () => {
  const { Connection, seen } = scriptedConnection(() => ({
    body: { took: 3, errors: true, items: [{ create: { _index: 'alerts-2026.11.26', _id: 'a', status: 201 } }, { create: { _index: 'alerts-2026.11.26', _id: 'b', status: 409, error: { type: 'version_conflict_engine_exception', reason: 'exists' } } }] },
  }));
  const store = elasticsearchStore('http://es.example:9200', { connection: Connection });
  const items = await store.bulk([doc('a'), doc('b')]);
  assert.deepEqual(items.map((i) => i.status), [201, 409]);
  assert.deepEqual(items[1]!.error, { type: 'version_conflict_engine_exception', reason: 'exists' });
  const req = seen[0]!;
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/_bulk');
  assert.match(req.contentType, /ndjson/);
  const lines = req.body.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
  assert.deepEqual(lines, [{ create: { _index: 'alerts-2026.11.26', _id: 'a' } }, doc('a').doc, { create: { _index: 'alerts-2026.11.26', _id: 'b' } }, doc('b').doc]);
  await store.close();
});

test('a bulk answer with a wrong item count is a retryable ERR_STORE_UNAVAILABLE wrapping ERR_STORE_BULK_RESPONSE', async () => {
  const { Connection } = scriptedConnection(() => ({ body: { took: 1, errors: false, items: [] } }));
  const store = elasticsearchStore('http://es.example:9200', { connection: Connection });
  await assert.rejects(store.bulk([doc('a')]), (err: { code: string; retryable: boolean; cause: { code: string } }) => err.code === 'ERR_STORE_UNAVAILABLE' && err.retryable && err.cause.code === 'ERR_STORE_BULK_RESPONSE');
});

test('an HTTP error from the node is a retryable ERR_STORE_UNAVAILABLE naming the engine and the call', async () => {
  const { Connection } = scriptedConnection(() => ({ statusCode: 503, body: { error: { type: 'unavailable_shards_exception', reason: 'no shards' }, status: 503 } }));
  const store = elasticsearchStore('http://es.example:9200', { connection: Connection });
  await assert.rejects(store.bulk([doc('a')]), (err: Error & { code: string; retryable: boolean }) => err.code === 'ERR_STORE_UNAVAILABLE' && err.retryable && /^Elasticsearch at http:\/\/es\.example:9200: bulk failed/.test(err.message));
});

test('putTemplate, listIndices, deleteIndices and health map to the composable-template, _cat and index APIs', async () => {
  const { Connection, seen } = scriptedConnection((req) => {
    if (req.path.startsWith('/_cat/indices')) return { body: [{ index: 'events-2026.01.01' }, { index: 'alerts-2025.01.01' }] };
    if (req.path.startsWith('/_cluster/health')) return { body: { status: 'yellow' } };
    return { body: { acknowledged: true } };
  });
  const store = elasticsearchStore('http://es.example:9200', { connection: Connection });
  await store.putTemplate('cirt-alerts', ALERTS_TEMPLATE);
  assert.deepEqual(await store.listIndices(['events-*', 'alerts-*']), ['events-2026.01.01', 'alerts-2025.01.01']);
  await store.deleteIndices(Array.from({ length: 51 }, (_, i) => `events-2020.01.${String(i % 28 + 1).padStart(2, '0')}`));
  assert.equal(await store.health(), 'yellow');
  const [put, cat, del1, del2, health] = seen;
  assert.deepEqual([put!.method, put!.path], ['PUT', '/_index_template/cirt-alerts']);
  assert.deepEqual(JSON.parse(put!.body), { index_patterns: ['alerts-*'], priority: 100, template: ALERTS_TEMPLATE.template });
  assert.deepEqual([cat!.method, decodeURIComponent(cat!.path)], ['GET', '/_cat/indices/events-*,alerts-*']);
  assert.match(cat!.querystring, /format=json/);
  assert.match(cat!.querystring, /expand_wildcards=open%2Cclosed/);
  assert.equal(del1!.method, 'DELETE');
  assert.equal(decodeURIComponent(del1!.path).split(',').length, 50, 'deletions go 50 indices per request');
  assert.equal(del2!.path, '/events-2020.01.23');
  assert.match(del1!.querystring, /ignore_unavailable=true/);
  assert.match(health!.path, /^\/_cluster\/health/);
});

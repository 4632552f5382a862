import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../proto/runtime/log.ts';
import { bulkBody, chunkBySize, classifyBulk, type BulkItemResult, type IndexDoc } from '../indexer/bulk.ts';
import { writeDocs } from '../indexer/indexer.ts';
import type { DocumentStore } from '../indexer/store.ts';

const doc = (id: string): IndexDoc => ({ index: 'alerts-2026.11.26', id, doc: { id } });
const quiet = createLogger('test', { write: () => undefined });

test('bulk bodies use create with the deterministic id', () => {
  assert.deepEqual(bulkBody([doc('a')]), [{ create: { _index: 'alerts-2026.11.26', _id: 'a' } }, { id: 'a' }]);
});

test('a 200 bulk response is sorted item by item: written, retry (429/5xx), dead (mapping errors)', () => {
  const out = classifyBulk([doc('ok'), doc('exists'), doc('busy'), doc('down'), doc('bad')], [
    { status: 201 },
    { status: 409, error: { type: 'version_conflict_engine_exception' } },
    { status: 429, error: { type: 'es_rejected_execution_exception' } },
    { status: 503 },
    { status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [source.ip] of type [ip]' } },
  ]);
  assert.deepEqual(out.written.map((d) => d.id), ['ok', 'exists']);
  assert.deepEqual(out.retry.map((d) => d.id), ['busy', 'down']);
  assert.deepEqual(out.dead.map((d) => [d.doc.id, d.status, d.reason]), [['bad', 400, 'mapper_parsing_exception: failed to parse field [source.ip] of type [ip]']]);
});

function scriptedStore(responses: ((docs: IndexDoc[]) => BulkItemResult[])[]): DocumentStore & { calls: IndexDoc[][] } {
  const calls: IndexDoc[][] = [];
  return {
    calls,
    bulk: async (docs) => {
      calls.push(docs);
      const next = responses.shift();
      if (!next) throw new Error('unexpected bulk call');
      return next(docs);
    },
    putTemplate: async () => undefined,
    listIndices: async () => [],
    deleteIndices: async () => undefined,
    health: async () => 'green',
    close: async () => undefined,
  };
}

test('only the failed items are retried, and mapping errors are dead-lettered with their reason', async () => {
  const store = scriptedStore([
    () => [{ status: 201 }, { status: 429 }, { status: 400, error: { type: 'mapper_parsing_exception', reason: 'bad ip' } }],
    (docs) => docs.map(() => ({ status: 201 })), // the dead letter
    (docs) => docs.map(() => ({ status: 201 })), // the retry
  ]);
  const res = await writeDocs(store, [doc('a'), doc('b'), doc('c')], { log: quiet, baseDelayMs: 1 });
  assert.deepEqual(res, { written: 2, deadLettered: 1, retries: 1 });
  assert.match(store.calls[1]![0]!.index, /^deadletter-/);
  assert.deepEqual((store.calls[1]![0]!.doc as { error: unknown }).error, { status: 400, reason: 'mapper_parsing_exception: bad ip' });
  assert.deepEqual(store.calls[2]!.map((d) => d.id), ['b']);
});

test('a store that keeps refusing makes the write fail (so offsets are not committed)', async () => {
  const store = scriptedStore(Array.from({ length: 3 }, () => (docs: IndexDoc[]) => docs.map(() => ({ status: 503 }))));
  await assert.rejects(writeDocs(store, [doc('a')], { log: quiet, maxAttempts: 3, baseDelayMs: 1 }), /ERR_INDEXER_RETRIES_EXHAUSTED|still refused/);
});

test('documents are split into _bulk requests by size, a single large document alone', async () => {
  const big = (id: string, n: number): IndexDoc => ({ index: 'events-2026.11.26', id, doc: { pad: 'x'.repeat(n) } });
  const chunks = chunkBySize([big('a', 400), big('b', 400), big('c', 400), big('d', 5000), big('e', 10)], 1000);
  assert.deepEqual(chunks.map((c) => c.map((d) => d.id)), [['a', 'b'], ['c'], ['d'], ['e']]);
  const store = scriptedStore([(docs) => docs.map(() => ({ status: 201 })), (docs) => docs.map(() => ({ status: 201 }))]);
  const res = await writeDocs(store, [big('a', 600), big('b', 600)], { log: quiet, maxBulkBytes: 1000 });
  assert.equal(res.written, 2);
  assert.deepEqual(store.calls.map((c) => c.length), [1, 1], 'two requests');
});

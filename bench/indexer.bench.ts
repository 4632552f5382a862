// Indexer write path vs a raw _bulk loop, same OpenSearch, same documents, same run (goal: ours >= 90 % of raw).
//   npx tsx bench/indexer.bench.ts            (BENCH_DOCS=100000 BENCH_BATCH=1000 BENCH_ROUNDS=2)
// ours: ingest/indexer writeDocs() with the real OpenSearch store (create + deterministic _id, per-item outcome
//       sorting), batches of kafka.maxBatch (1000) as in production, one batch at a time as the consumer loop does.
// raw:  the same NDJSON create actions POSTed to /_bulk with fetch, one batch at a time, reading only `errors`.
// Each round writes into fresh indices (1 shard, 0 replicas, like the templates), raw and ours alternating.
// Prints ONE JSON line.
import { randomBytes } from 'node:crypto';
import type { IndexDoc } from '../ingest/indexer/bulk.ts';
import { writeDocs } from '../ingest/indexer/indexer.ts';
import { openSearchStore } from '../ingest/indexer/store.ts';
import { createLogger } from '../proto/runtime/log.ts';
import { requireOpenSearch } from '../proto/testing/preflight.ts';

const N = Number(process.env.BENCH_DOCS ?? 100_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const url = process.env.CIRT_OPENSEARCH_URL ?? 'http://127.0.0.1:19200';
const run = randomBytes(3).toString('hex');
const log = createLogger('bench', { level: 'error', write: (l) => process.stderr.write(l + '\n') });

await requireOpenSearch(url);

const events = Array.from({ length: N }, (_, i) => ({
  '@timestamp': new Date(1_764_000_000_000 + i).toISOString(),
  event: { id: `${run}-${i}`, kind: 'event', category: ['network'], type: ['connection'], dataset: 'netflow.flow' },
  organization: { id: 'bench' },
  source: { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 1024 + (i % 60000) },
  destination: { ip: `192.0.2.${i % 250}`, port: [53, 80, 443, 445, 22][i % 5] },
  network: { transport: i % 3 ? 'tcp' : 'udp', bytes: 100 + (i % 9000), packets: 1 + (i % 50) },
}));

async function createIndex(name: string): Promise<void> {
  const res = await fetch(`${url}/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ settings: { number_of_shards: 1, number_of_replicas: 0 } }) });
  if (!res.ok) throw new Error(`create ${name}: HTTP ${res.status} ${await res.text()}`);
}

async function ours(index: string): Promise<number> {
  const store = openSearchStore(url);
  const t0 = performance.now();
  let written = 0;
  for (let i = 0; i < N; i += BATCH) {
    const docs: IndexDoc[] = events.slice(i, i + BATCH).map((e) => ({ index, id: e.event.id, doc: e }));
    written += (await writeDocs(store, docs, { log })).written;
  }
  const s = (performance.now() - t0) / 1000;
  await store.close();
  if (written !== N) throw new Error(`ours wrote ${written} of ${N}`);
  return s;
}

async function raw(index: string): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    let body = '';
    for (const e of events.slice(i, i + BATCH)) body += `${JSON.stringify({ create: { _index: index, _id: e.event.id } })}\n${JSON.stringify(e)}\n`;
    const res = await fetch(`${url}/_bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
    const out = (await res.json()) as { errors: boolean };
    if (!res.ok || out.errors) throw new Error(`raw _bulk failed: HTTP ${res.status}`);
  }
  return (performance.now() - t0) / 1000;
}

const times: Record<'ours' | 'raw', number[]> = { ours: [], raw: [] };
const indices: string[] = [];
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const kind of r % 2 === 0 ? (['raw', 'ours'] as const) : (['ours', 'raw'] as const)) {
      const index = `bench-indexer-${run}-${kind}-${r}`;
      indices.push(index);
      await createIndex(index);
      times[kind].push(kind === 'ours' ? await ours(index) : await raw(index));
    }
  }
} finally {
  for (const index of indices) await fetch(`${url}/${index}`, { method: 'DELETE' }).catch(() => undefined);
}
const best = (xs: number[]) => Math.min(...xs);
const docsPerS = (s: number) => Math.round(N / s);
const oursRate = docsPerS(best(times.ours));
const rawRate = docsPerS(best(times.raw));
console.log(JSON.stringify({
  bench: 'indexer',
  docs: N,
  batch: BATCH,
  rounds: ROUNDS,
  avg_doc_bytes: Math.round(events.reduce((n, e) => n + JSON.stringify(e).length, 0) / N),
  ours_docs_s: oursRate,
  raw_bulk_docs_s: rawRate,
  ours_vs_raw: Math.round((oursRate / rawRate) * 1000) / 1000,
  goal: 0.9,
  ours_rounds_s: times.ours.map((t) => Math.round(t * 100) / 100),
  raw_rounds_s: times.raw.map((t) => Math.round(t * 100) / 100),
}));

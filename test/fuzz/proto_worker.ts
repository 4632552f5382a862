// Worker of proto_batch.test.ts: decodes N fuzzed inputs with the generated Batch.decode, classifying each the way
// the gateway's deserializer does (ingest/gateway/server.ts readFrame: a decode that throws becomes a
// GatewayFrameError ERR_GATEWAY_FRAME_MALFORMED, the stream ends INVALID_ARGUMENT). Runs in a worker thread so that
// a hang would be a timeout of the test, not a stuck test run.
import { parentPort, workerData } from 'node:worker_threads';
import { Batch, RecordKind } from '../../proto/gen/ingest.ts';
import { mutateBytes, pick, rng } from '../../proto/testing/rng.ts';

const { seed, cases } = workerData as { seed: number; cases: number };
const r = rng(seed);
const event = (i: number) => Buffer.from(JSON.stringify({ '@timestamp': '2026-11-26T00:00:00.000Z', event: { dataset: 'netflow.flow' }, source: { ip: `10.0.0.${i}` } }));
const seeds = [0, 1, 3, 20].map((n, k) => Batch.encode({ agentId: `agent-0${k}`, bootId: 'b0a1c2d3-0000-4000-8000-000000000000', seq: 1 + k * 1000, records: Array.from({ length: n }, (_, i) => ({ kind: i % 2 ? RecordKind.RECORD_KIND_LOG : RecordKind.RECORD_KIND_FLOW, eventJson: event(i) })) }).finish());

const counts = { decoded: 0, refused: 0, nonErrorThrown: 0, kinds: {} as Record<string, number>, maxRecords: 0, maxDecodeBytes: 0 };
for (let i = 0; i < cases; i++) {
  let input: Uint8Array;
  const kind = pick(r, 10);
  if (kind === 0) input = Buffer.from(Array.from({ length: pick(r, 600) }, () => pick(r, 256)));
  else if (kind === 1) {
    // nested start-group tags (wire type 3) and unknown fields: the reader's skip() must stay bounded
    const depth = 1 + pick(r, 5_000);
    input = Buffer.concat([Buffer.alloc(depth, 0x0b), seeds[pick(r, seeds.length)]!]);
  } else {
    input = seeds[pick(r, seeds.length)]!;
    for (let m = 0, n = 1 + pick(r, 3); m < n; m++) input = mutateBytes(input, r);
  }
  try {
    const b = Batch.decode(input);
    counts.decoded++;
    counts.maxRecords = Math.max(counts.maxRecords, b.records.length);
    counts.maxDecodeBytes = Math.max(counts.maxDecodeBytes, b.records.reduce((n, rec) => n + rec.eventJson.length, 0));
  } catch (err) {
    if (!(err instanceof Error)) { counts.nonErrorThrown++; continue; }
    counts.refused++;
    const k = `${err.constructor.name}: ${err.message.replace(/\d+/g, 'N').slice(0, 60)}`;
    counts.kinds[k] = (counts.kinds[k] ?? 0) + 1;
  }
}
parentPort!.postMessage(counts);

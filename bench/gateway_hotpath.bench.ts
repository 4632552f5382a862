// Where the gateway's CPU goes per event, in isolation (no network, no Kafka): protobuf encode (agent side) and
// decode, and planBatch (JSON parse + validate + the Kafka value built from the events' text). Prints ONE JSON line.
//   npx tsx bench/gateway_hotpath.bench.ts
import { Batch, RecordKind } from '../proto/gen/ingest.ts';
import { planBatch } from '../ingest/gateway/validate.ts';

const BATCH = 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const now = new Date();
const records = Array.from({ length: BATCH }, (_, i) => ({
  kind: RecordKind.RECORD_KIND_FLOW,
  eventJson: Buffer.from(JSON.stringify({
    '@timestamp': new Date(now.getTime() - i).toISOString(),
    event: { kind: 'event', category: ['network'], type: ['connection'], dataset: 'netflow.flow' },
    source: { ip: `10.0.${(i >> 8) & 255}.${i & 255}`, port: 1024 + i },
    destination: { ip: `192.0.2.${i % 250}`, port: 443 },
    network: { transport: 'tcp', bytes: 100 + i, packets: 3 },
  })),
}));
const batch: Batch = { agentId: 'agent-01', bootId: 'boot', seq: 1, records };
const who = { agency: 'mofa', agent: 'agent-01', serial: 'AB' };
const limits = { maxEventBytes: 256 * 1024, maxPastMs: 30 * 86_400_000, maxFutureMs: 600_000 };

function time(fn: () => unknown): number {
  for (let i = 0; i < 20; i++) fn();
  const t = performance.now();
  for (let i = 0; i < ROUNDS; i++) fn();
  return ((performance.now() - t) * 1000) / (ROUNDS * BATCH); // µs per event
}
const wire = Buffer.from(Batch.encode(batch).finish());
const encodeUs = time(() => Batch.encode(batch).finish());
const decodeUs = time(() => Batch.decode(wire));
const planUs = time(() => planBatch(batch, who, limits, now));
const parseOnlyUs = time(() => {
  for (const r of records) JSON.parse(r.eventJson.toString('utf8'));
});
const r = (x: number) => Math.round(x * 100) / 100;
console.log(JSON.stringify({
  bench: 'gateway-hotpath',
  batchEvents: BATCH,
  usPerEvent: { protobufEncode: r(encodeUs), protobufDecode: r(decodeUs), planBatch: r(planUs), of_which_jsonParseOnly: r(parseOnlyUs) },
  maxEventsPerSecPerCore: { planBatch: Math.round(1e6 / planUs), decodePlusPlan: Math.round(1e6 / (planUs + decodeUs)) },
}));

// Fuzz of the agent -> gateway wire format: the generated cirt.v1.Batch decoder (proto/gen/ingest.ts) on random
// and mutated bytes, then the real gateway (ingest/gateway/server.ts, in-process, real mTLS certificates) fed
// fuzzed frames over gRPC. A bad frame must come back as an exception the gateway turns into a counted, coded
// refusal (ERR_GATEWAY_FRAME_MALFORMED -> INVALID_ARGUMENT); never a crash, never a hang. Seeded and bounded.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { after, before, test } from 'node:test';
import { credentials, makeGenericClientConstructor, status, type Client, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { Ack, AckStatus, Batch, IngestService, RecordKind } from '../../proto/gen/ingest.ts';
import type { KafkaRecordOut } from '../../proto/runtime/kafka.ts';
import { createLogger } from '../../proto/runtime/log.ts';
import { newRegistry } from '../../proto/runtime/service_http.ts';
import { devGatewayConfig } from '../harness.ts';
import { startGateway, type RunningGateway } from '../../ingest/gateway/server.ts';
import { mutateBytes, pick, rng } from '../../proto/testing/rng.ts';

const CASES = 30_000;

function inWorker<T>(file: string, data: object, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    // the worker loads tsx itself (a worker does not inherit the test runner's --import hooks)
    const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((api) => api.tsImport(${JSON.stringify(new URL(file, import.meta.url).href)}, ${JSON.stringify(import.meta.url)}))`;
    const w = new Worker(boot, { eval: true, workerData: data });
    const timer = setTimeout(() => {
      void w.terminate();
      reject(new Error(`${file} did not finish within ${timeoutMs} ms: a hang`));
    }, timeoutMs);
    w.once('message', (m: T) => { clearTimeout(timer); resolve(m); void w.terminate(); });
    w.once('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

test(`Batch.decode: ${CASES.toLocaleString('en')} random/mutated inputs, each decoded or refused with an Error, no hang`, { timeout: 120_000 }, async () => {
  const c = await inWorker<{ decoded: number; refused: number; nonErrorThrown: number; kinds: Record<string, number>; maxRecords: number }>('./proto_worker.ts', { seed: 0x5eed, cases: CASES }, 90_000);
  console.log(`Batch.decode fuzz: ${c.decoded} decoded, ${c.refused} refused; refusals by kind: ${JSON.stringify(c.kinds)}`);
  assert.equal(c.decoded + c.refused + c.nonErrorThrown, CASES, 'every case accounted for');
  assert.equal(c.nonErrorThrown, 0, 'every refusal is an Error instance (the gateway catches and wraps it)');
  assert.ok(c.refused > CASES / 10, `a real share of the inputs is refused (${c.refused})`);
  assert.ok(c.decoded > CASES / 10, `a real share still decodes (${c.decoded}): the mutations stay near the format`);
});

// ---- the real gateway, fuzzed frames over mTLS ---------------------------------------------------------------
const work = mkdtempSync(join(tmpdir(), 'cirt-fuzz-gw-'));
const certs = join(work, 'certs');
const agency = 'fuzzgw';
const MAX_BATCH = 64 * 1024;
const produced: KafkaRecordOut[] = [];
let gateway: RunningGateway;
const registry = newRegistry('gateway');
const RawClient = makeGenericClientConstructor({
  ship: { ...IngestService.ship, requestSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => Ack.decode(b) },
}, 'cirt.v1.Ingest');
let client: Client & { ship(): ClientDuplexStream<Buffer, Ack> };

before(async () => {
  const r = spawnSync('bash', [new URL('../../scripts/dev-certs.sh', import.meta.url).pathname, certs, `${agency}:agent-01`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const config = devGatewayConfig(certs, {
    'http.port': 0,
    'limits.maxBatchBytes': MAX_BATCH,
  });
  // an in-memory producer: the fuzz is about the frames; what decodes is recorded as Kafka would get it
  const producer = { send: (records: KafkaRecordOut[]) => { produced.push(...records); return Promise.resolve(); }, close: () => Promise.resolve() };
  gateway = await startGateway({ config, producer, log: createLogger('gateway', { level: 'error', write: () => undefined }), registry });
  client = new RawClient(`127.0.0.1:${gateway.port}`, credentials.createSsl(readFileSync(join(certs, 'ca.crt')), readFileSync(join(certs, `${agency}.agent-01.key`)), readFileSync(join(certs, `${agency}.agent-01.crt`))), { 'grpc.max_send_message_length': MAX_BATCH * 4 }) as never;
});

after(async () => {
  client?.close();
  await gateway?.shutdown(2_000);
  rmSync(work, { recursive: true, force: true });
});

type Outcome = { kind: 'ack'; ack: Ack } | { kind: 'error'; code: number; details: string } | { kind: 'end' };
function shipRaw(frame: Buffer, timeoutMs = 10_000): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const call = client.ship();
    let result: Outcome | undefined;
    const timer = setTimeout(() => { call.cancel(); reject(new Error(`no answer within ${timeoutMs} ms: the gateway hangs on this frame (${frame.toString('hex').slice(0, 200)})`)); }, timeoutMs);
    const done = (o: Outcome) => { clearTimeout(timer); resolve(result ?? o); };
    call.on('data', (ack: Ack) => { result ??= { kind: 'ack', ack }; });
    call.on('error', (err: ServiceError) => done({ kind: 'error', code: err.code, details: err.details }));
    call.on('end', () => done({ kind: 'end' }));
    call.write(frame);
    call.end();
  });
}

const STREAMS = 400;
test(`real gateway: ${STREAMS} fuzzed frames, each acked or refused with a coded status; the gateway stays up`, { timeout: 120_000 }, async () => {
  const r = rng(0xbadf00d);
  const event = (i: number) => Buffer.from(JSON.stringify({ '@timestamp': '2026-11-26T00:00:00.000Z', event: { dataset: 'netflow.flow' }, source: { ip: `10.0.0.${i}` } }));
  const valid = (seq: number, n: number) => Buffer.from(Batch.encode({ agentId: 'agent-01', bootId: 'fuzz-boot', seq, records: Array.from({ length: n }, (_, i) => ({ kind: RecordKind.RECORD_KIND_FLOW, eventJson: event(i) })) }).finish());
  const tally = { acked: 0, ackRejected: 0, malformed: 0, tooLarge: 0, other: [] as string[] };
  for (let i = 0; i < STREAMS; i++) {
    let frame: Buffer = valid(i + 1, 1 + pick(r, 5));
    if (i % 10 === 9) frame = Buffer.concat([frame, Buffer.alloc(MAX_BATCH, 0x0a)]); // over the size limit
    else for (let m = 0, n = 1 + pick(r, 3); m < n; m++) frame = Buffer.from(mutateBytes(frame, r));
    const o = await shipRaw(frame);
    if (o.kind === 'ack') {
      if (o.ack.status === AckStatus.ACK_STATUS_OK) tally.acked++;
      else {
        assert.match(o.ack.errorCode, /^ERR_GATEWAY_[A-Z_]+$/, 'a refused batch carries a code');
        tally.ackRejected++;
      }
    } else if (o.kind === 'error' && o.code === status.INVALID_ARGUMENT) {
      assert.match(o.details, /\[ERR_GATEWAY_FRAME_MALFORMED\]$/, o.details);
      tally.malformed++;
    } else if (o.kind === 'error' && o.code === status.RESOURCE_EXHAUSTED) {
      tally.tooLarge++;
    } else tally.other.push(JSON.stringify(o));
  }
  console.log(`gateway fuzz: ${JSON.stringify({ ...tally, other: tally.other.length })}`);
  // an empty but well-formed stream ("end" without ack) is the only other legal outcome: a frame that decoded to
  // nothing the gateway must answer; anything else is a finding
  assert.deepEqual(tally.other.filter((o) => !o.includes('"kind":"end"')), [], 'no unexpected outcome');
  assert.ok(tally.malformed > 0 && tally.tooLarge === STREAMS / 10, `refusals happened: ${JSON.stringify(tally)}`);
  const metrics = await registry.getSingleMetricAsString('cirt_gateway_streams_failed_total');
  const counted = (code: string) => Number(new RegExp(`\\{[^}]*code="${code}"[^}]*\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
  assert.equal(counted('INVALID_ARGUMENT'), tally.malformed, 'every malformed frame is counted in the metrics');
  assert.equal(counted('RESOURCE_EXHAUSTED'), tally.tooLarge, 'every oversized frame is counted in the metrics');
  // still serving
  const last = await shipRaw(valid(1_000_000, 2));
  assert.ok(last.kind === 'ack' && last.ack.status === AckStatus.ACK_STATUS_OK, `a valid batch is still acked: ${JSON.stringify(last)}`);
  assert.ok(produced.length > 0, 'what decoded and validated reached the producer');
});

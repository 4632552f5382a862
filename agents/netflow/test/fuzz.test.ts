// Fuzz-style robustness: 2,000 random / bit-flipped / truncated / extended mutations of the real fixtures (and
// of hand-built IPFIX with variable-length and enterprise fields) must never throw, never hang, and only ever
// report catalogue errors with in-range offsets. The loop runs in a worker thread: a hang is detected by the
// parent terminating it (a liveness guard, not a timing assertion).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { ip4, ipfix, ipfixOptionsTemplate, ipfixTemplate, set, u16, u32 } from './build.ts';
import { FIXTURES } from './oracle_helpers.ts';
import { readPcapUdp } from './pcap_payloads.ts';

const ITERATIONS = 2000;
const SEED = 0x5eed2026;
const HANG_GUARD_MS = 120_000;

it(`decodePacket survives ${ITERATIONS} mutations of the fixtures (seed ${SEED.toString(16)})`, async () => {
  const seeds = ['netflow-v5', 'netflow-v9', 'netflow-v9-sampled', 'ipfix'].flatMap((n) => readPcapUdp(`${FIXTURES}${n}.pcap`).map((p) => [...p.payload]));
  seeds.push([...ipfix(1, [
    set(3, ipfixOptionsTemplate(400, [[149, 4]], [[305, 4], [306, 4]])),
    set(400, [...u32(1), ...u32(1), ...u32(9)]),
    set(2, ipfixTemplate(256, [[8, 4], [82, 65535], [100, 4, 29305]])),
    set(256, [...ip4('10.0.0.1'), 4, 0x65, 0x74, 0x68, 0x30, 1, 2, 3, 4, ...ip4('10.0.0.2'), 255, ...u16(3), 0x61, 0x62, 0x63, 9, 9, 9, 9]),
  ])]);
  // Worker threads do not inherit tsx's loader: register it inside the worker before importing the .ts entry.
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((api) => { api.register(); return import(${JSON.stringify(new URL('./fuzz_worker.ts', import.meta.url).href)}); })`;
  const worker = new Worker(bootstrap, { eval: true, workerData: { seeds, iterations: ITERATIONS, seed: SEED } });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const summary = await Promise.race([
    new Promise<Record<string, unknown>>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`fuzz loop did not finish within ${HANG_GUARD_MS} ms: a decoder loop hangs`)), HANG_GUARD_MS);
    }),
  ]).finally(() => {
    clearTimeout(timer);
    void worker.terminate();
  });
  console.log(`fuzz: ${JSON.stringify({ ...summary, failures: undefined })}`);
  assert.deepEqual(summary['failures'], [], `${String(summary['failureCount'])} failures`);
  assert.ok(Number(summary['records']) > 0, 'some mutated packets still decode to records');
  assert.ok(Number(summary['errors']) > 0, 'mutations produce typed errors');
  assert.ok(Number(summary['pending']) <= 4 * 64, 'pending buffer stays bounded');
  assert.ok(Number(summary['templates']) <= 256, 'template cache stays bounded');
});

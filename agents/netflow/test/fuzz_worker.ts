// Runs the mutation fuzz loop (see fuzz.test.ts) in a worker thread, so the parent can detect a hang and
// terminate it. Posts a summary; never throws out of the loop.
import { parentPort, workerData } from 'node:worker_threads';
import { createNetflowState, decodePacket, NETFLOW_ERROR_CODES, NetflowDecodeError, toEcs } from '../index.ts';
import { rng } from '../../../proto/testing/rng.ts';

interface Input {
  seeds: number[][];
  iterations: number;
  seed: number;
}

const { seeds, iterations, seed } = workerData as Input;

const rnd = rng(seed);
const int = (n: number) => Math.floor(rnd() * n);

function mutate(src: Buffer): Buffer {
  let b = Buffer.from(src);
  const kind = int(6);
  const n = 1 + int(8);
  for (let i = 0; i < n && b.length > 0; i++) {
    const at = int(b.length);
    switch (kind) {
      case 0: b[at] = (b[at] ?? 0) ^ (1 << int(8)); break; // bit flip
      case 1: b[at] = int(256); break; // random byte
      case 2: if (at + 1 < b.length) b.writeUInt16BE([0, 1, 3, 4, 5, 0xffff, 0x8000, int(65536)][int(8)] ?? 0, at); break; // length-ish
      case 3: b = b.subarray(0, int(b.length + 1)); break; // truncate
      case 4: b = Buffer.concat([b, Buffer.from(Array.from({ length: int(64) }, () => int(256)))]); break; // extend
      default: { // copy a slice over another place (duplicated sets/templates)
        const from = int(b.length);
        const len = int(32);
        b.copy(b, at, from, Math.min(b.length, from + len));
      }
    }
  }
  return b;
}

const codes = new Set(Object.keys(NETFLOW_ERROR_CODES));
const failures: string[] = [];
let records = 0;
let errors = 0;
const state = createNetflowState({ pending: { maxSetsPerKey: 4, maxKeys: 64 }, templates: { maxTemplates: 256 } });
const inputs = seeds.map((s) => Buffer.from(s));

for (let i = 0; i < iterations; i++) {
  const base = inputs[i % inputs.length] as Buffer;
  const buf = mutate(base);
  try {
    // Every few packets, an unmutated seed: templates get learnt, so mutated data sets reach the record decoder.
    if (i % 5 === 0) decodePacket(base, { exporter: '127.0.0.1', now: 1_000 + i, ...state });
    const r = decodePacket(buf, { exporter: '127.0.0.1', now: 1_000 + i, ...state });
    records += r.records.length;
    errors += r.errors.length;
    for (const e of r.errors) {
      if (!(e instanceof NetflowDecodeError) || !codes.has(e.code)) failures.push(`iteration ${i}: foreign error ${String(e)}`);
      else if (e.code === 'ERR_NETFLOW_INTERNAL') failures.push(`iteration ${i}: internal error ${e.message} (${buf.toString('hex')})`);
      else if (e.offset !== undefined && (e.offset < 0 || e.offset > buf.length)) failures.push(`iteration ${i}: offset ${e.offset} outside ${buf.length}-byte packet`);
    }
    for (const rec of r.records) JSON.stringify(toEcs(rec, { exporter: '127.0.0.1' }));
  } catch (e) {
    failures.push(`iteration ${i}: threw ${e instanceof Error ? e.stack : String(e)} (${buf.toString('hex')})`);
  }
}
parentPort?.postMessage({ failures: failures.slice(0, 20), failureCount: failures.length, records, errors, pending: state.pending.size(), templates: state.templates.size() });

// Bounded fuzzing of the capture reader + packet decoder + flow meter + NetFlow hand-off: mutated real captures
// (byte flips, truncation, length-field overwrites, block splicing) must never throw and never hang; every
// problem comes back as a typed error with an offset. Deterministic (seeded), ~3,000 cases.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CirtError } from '../../../proto/errors.ts';
import { CaptureProcessor } from '../capture_processor.ts';
import { PcapError, readCapture } from '../index.ts';
import { rng } from '../../../proto/testing/rng.ts';

const FIX = new URL('./fixtures/', import.meta.url).pathname;
const SRC = new URL('../../test/fixtures/', import.meta.url).pathname;
const seeds = [`${SRC}traffic.pcap`, `${FIX}traffic.pcapng`, `${FIX}mixed.pcapng`, `${FIX}traffic-qinq.pcap`, `${FIX}traffic-sll2.pcap`, `${FIX}traffic-be-ns.pcap`, `${SRC}ipfix.pcap`].map((f) => readFileSync(f));


function mutate(src: Buffer, r: () => number): Buffer {
  const b = Buffer.from(src);
  const pick = (n: number) => Math.floor(r() * n);
  const kind = pick(5);
  if (kind === 0) for (let i = 0, n = 1 + pick(8); i < n; i++) b[pick(b.length)] = pick(256);
  else if (kind === 1) return b.subarray(0, pick(b.length));
  else if (kind === 2) b.writeUInt32LE([0, 0xffffffff, 0x7fffffff, 12, 16, 65535, 13][pick(7)]!, Math.min(b.length - 4, pick(b.length) & ~3));
  else if (kind === 3) b.writeUInt16BE([0, 0xffff, 0x8100, 0x86dd, 5, 40][pick(6)]!, pick(b.length - 2));
  else {
    const a = pick(b.length);
    const c = pick(b.length);
    return Buffer.concat([b.subarray(0, a), b.subarray(c)]);
  }
  return b;
}

test('3,000 mutated captures: no throw, no hang, typed errors with offsets', { timeout: 60_000 }, () => {
  const r = rng(20261126);
  let frames = 0;
  let errors = 0;
  const codes = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    const buf = mutate(seeds[i % seeds.length]!, r);
    const proc = new CaptureProcessor();
    let items = 0;
    for (const item of readCapture(buf, `case-${i}`)) {
      assert.ok(++items <= buf.length, 'a capture cannot yield more items than it has bytes');
      if (item instanceof PcapError) {
        errors++;
        codes.add(item.code);
        assert.equal(typeof item.location?.offset, 'number');
        continue;
      }
      frames++;
      const res = proc.process(item);
      for (const e of res.errors) {
        assert.ok(e instanceof CirtError, String(e));
        codes.add(e.code);
      }
      proc.advance(item.tsUs);
    }
    proc.flush();
  }
  assert.ok(frames > 10_000, `frames decoded: ${frames}`);
  assert.ok(errors > 100, `errors reported: ${errors}`);
  for (const c of ['ERR_PCAP_TRUNCATED', 'ERR_PCAP_RECORD', 'ERR_PCAP_PACKET']) assert.ok(codes.has(c), `${c} seen (${[...codes].join(', ')})`);
});

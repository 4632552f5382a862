// The compiled template decoders (compile.ts) against the generic path (flowsets.ts decodeRecordFields + record.ts
// normalise), which stays the reference: the same packets through both must give byte-identical JSON — records
// (values, which keys exist, key order), options, errors, pending reports and the ECS events. Packets: the fixtures,
// hand-built templates covering every field kind and length class, and deterministic mutations of the fixtures'
// templates (ids and lengths swapped for the ones normalise reads, lengths 0..16).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { compilable, generateSource } from '../compile.ts';
import { createNetflowState, decodePacket, toEcs, type DecodeResult } from '../index.ts';
import { iso } from '../ecs.ts';
import { ip4, ip6, ipfix, ipfixTemplate, set, u16, u32, u64, u8, v9, v9Template } from './build.ts';
import { readPcapUdp } from './pcap_payloads.ts';
import { rng } from '../../../proto/testing/rng.ts';

const FIXTURES = new URL('../../test/fixtures/', import.meta.url).pathname;
const EXP = '192.0.2.7';


// Every IE normalise reads, plus an unknown one.
const IDS = [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 21, 22, 23, 24, 27, 28, 29, 30, 32, 34, 48, 50, 56, 58, 60, 61, 62, 82, 85, 86, 136, 139, 148, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162, 176, 177, 178, 179, 180, 181, 182, 183, 243, 302, 305, 306, 309, 310, 999];
const LENS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16];

/** Rewrite some template field ids / lengths of a v9 or IPFIX packet (data records keep their bytes). */
function mutateTemplates(src: Buffer, rnd: () => number): Buffer {
  const b = Buffer.from(src);
  const v = b.readUInt16BE(0);
  if (v !== 9 && v !== 10) return b;
  for (let o = v === 9 ? 20 : 16; o + 4 <= b.length; ) {
    const id = b.readUInt16BE(o);
    const len = b.readUInt16BE(o + 2);
    if (len < 4) break;
    if ((v === 9 && id === 0) || (v === 10 && id === 2)) {
      for (let p = o + 4; p + 4 <= o + len; ) {
        const cnt = b.readUInt16BE(p + 2);
        p += 4;
        for (let i = 0; i < cnt && p + 4 <= o + len; i++, p += 4) {
          if (rnd() < 0.3) b.writeUInt16BE(IDS[Math.floor(rnd() * IDS.length)] ?? 1, p);
          if (rnd() < 0.2) b.writeUInt16BE(LENS[Math.floor(rnd() * LENS.length)] ?? 4, p + 2);
        }
      }
    }
    o += len;
  }
  return b;
}

const replacer = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);
function snapshot(r: DecodeResult): string {
  return JSON.stringify({ records: r.records, options: r.options, errors: r.errors.map((e) => [e.message, e.toJSON()]), pending: r.pending, ecs: r.records.map((x) => toEcs(x, { exporter: EXP })) }, replacer);
}

/** Decode the packets in order with both paths, each with its own state; every result must be identical. */
function compare(packets: Buffer[]): { records: number } {
  const compiled = createNetflowState();
  const generic = createNetflowState();
  let records = 0;
  packets.forEach((pkt, i) => {
    const now = 1_750_000_000_000 + i;
    const a = decodePacket(pkt, { exporter: EXP, now, ...compiled });
    const b = decodePacket(pkt, { exporter: EXP, now, ...generic, generic: true });
    assert.equal(snapshot(a), snapshot(b), `packet ${i}: ${pkt.toString('hex')}`);
    records += a.records.length;
  });
  assert.deepEqual(compiled.metrics, generic.metrics);
  return { records };
}

const fixtures = ['netflow-v9', 'netflow-v9-sampled', 'ipfix'].flatMap((n) => readPcapUdp(`${FIXTURES}${n}.pcap`).map((p) => p.payload));

it('fixtures: compiled = generic', () => {
  assert.ok(compare(fixtures).records > 0);
});

it('hand-built templates: every value kind and length class, duplicates, enterprise fields', () => {
  const tpl: [number, number][] = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [1, 8], [2, 7], [6, 2], [22, 4], [21, 4], [56, 6], [82, 8], [27, 16], [28, 16], [62, 16], [152, 8], [154, 8], [1, 4], [999, 3], [32, 2], [60, 1], [34, 3], [12, 5]];
  const rec = (k: number) => [
    ...ip4(`10.0.${k}.1`), ...ip4('192.168.1.9'), ...u16(40000 + k), ...u16(443), ...u8(6), ...u64(2 ** 53 + k * 4096), ...[0, 0, 0, 0, 0, 1, k], ...u16(0x1ff),
    ...u32(99_000), ...u32(100_000 + k), ...[0, 1, 2, 0xab, 0xcd, 0xef], ...[0x65, 0x74, 0x68, 0x30, 0, 0, 0, 0], ...ip6('fe80::1'), ...ip6('2001:db8::'), ...ip6('::'),
    ...u64(1_750_000_000_123), ...u32(0xe8_00_00_00 + k), ...u32(k), ...u32(7), ...[1, 2, 3], ...u16(0x0303), ...u8(k % 2 ? 4 : 6), ...[0, 0, k], ...[1, 2, 3, 4, 5],
  ];
  const pkts = [
    v9(1, [set(0, v9Template(300, tpl)), set(300, [...rec(1), ...rec(2), ...rec(3)])]),
    v9(1, [set(300, [...rec(4), 0, 0])], { uptimeMs: 5 }),
    ipfix(2, [set(2, ipfixTemplate(400, [[8, 4], [1, 4], [7, 2], [5, 4, 9], [160, 8], [22, 4], [161, 4]])), set(400, [...ip4('10.1.1.1'), ...u32(1), ...u16(53), ...u32(0xdeadbeef), ...u64(1_749_999_000_000), ...u32(500), ...u32(250)])]),
  ];
  assert.equal(compare(pkts).records, 5);
});

it('mutated fixture templates (4,000 packets, seeded): compiled = generic', () => {
  const rnd = rng(0x5eed);
  const packets: Buffer[] = [];
  for (let i = 0; i < 4000; i++) {
    const base = fixtures[i % fixtures.length] as Buffer;
    packets.push(i % 4 === 0 ? base : mutateTemplates(base, rnd));
  }
  assert.ok(compare(packets).records > 1000);
});

it('compiles only fixed-length data templates; the source holds no packet bytes other than numbers', () => {
  assert.equal(compilable({ templateId: 256, kind: 'data', scopeFieldCount: 0, fields: [{ id: 82, length: 65535 }], minRecordLength: 1 }, 10), false);
  assert.equal(compilable({ templateId: 256, kind: 'options', scopeFieldCount: 1, fields: [{ id: 1, length: 4 }], minRecordLength: 4 }, 9), false);
  const src = generateSource({ templateId: 256, kind: 'data', scopeFieldCount: 0, fields: [{ id: 8, length: 4 }, { id: 5, length: 4, enterprise: 4_294_967_295 }, { id: 4242, length: 2 }], minRecordLength: 10 });
  // The only quoted strings are the `fields` keys (from our IE table / ie.<id> / enterprise.<pen>.<id>) and 'hex'.
  const quoted = [...src.matchAll(/"([^"]*)"|'([^']*)'/g)].map((m) => m[1] ?? m[2]);
  assert.deepEqual([...new Set(quoted)].sort(), ['.', 'enterprise.4294967295.5', 'hex', 'ie.4242', 'sourceIPv4Address']);
});

it('iso() = Date#toISOString (fast path and fallbacks)', () => {
  const rnd = rng(7);
  const xs = [0, -0.5, -1, 0.999, 1_750_000_000_123.75, 8.64e15, -8.64e15, 253_402_300_799_999, 253_402_300_800_000, 951_782_400_000, 4_107_542_400_000 - 1];
  for (let i = 0; i < 20_000; i++) xs.push(rnd() * 4e12, Math.floor(rnd() * 3e11) * 1000, (rnd() - 0.5) * 1e15);
  for (const ms of xs) assert.equal(iso(ms), new Date(ms).toISOString(), String(ms));
});

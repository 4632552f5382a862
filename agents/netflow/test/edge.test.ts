// Hand-built edge cases (goflow2 style inline byte arrays): malformed input becomes typed errors with offsets,
// template lifecycle (withdrawal, per-domain keying, data before template), options sampling, variable-length
// and enterprise fields, IPv6.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNetflowState, decodePacket, NetflowDecodeError, PendingBuffer, toEcs, type DecodeResult } from '../index.ts';
import { ip4, ip6, ipfix, ipfixOptionsTemplate, ipfixTemplate, set, u16, u32, u64, u8, v9, v9OptionsTemplate, v9Template } from './build.ts';

const EXP = '192.0.2.10';
const NOW = 1_750_000_000_000;

function fresh(opts: Parameters<typeof createNetflowState>[0] = {}) {
  const state = createNetflowState(opts);
  return { state, decode: (buf: Buffer, now = NOW, exporter = EXP): DecodeResult => decodePacket(buf, { exporter, now, ...state }) };
}

function onlyError(r: DecodeResult, code: string): NetflowDecodeError {
  assert.equal(r.errors.length, 1, `errors: ${r.errors.map(String).join('; ')}`);
  const e = r.errors[0] as NetflowDecodeError;
  assert.ok(e instanceof NetflowDecodeError);
  assert.equal(e.code, code);
  assert.equal(e.retryable, false);
  return e;
}

const V4_TEMPLATE: [number, number][] = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [1, 4], [2, 4]];
const v4Record = (src: string, dst: string, sport: number, dport: number, proto: number, bytes: number, pkts: number) => [
  ...ip4(src), ...ip4(dst), ...u16(sport), ...u16(dport), ...u8(proto), ...u32(bytes), ...u32(pkts),
];

describe('malformed headers', () => {
  it('truncated headers: v5, v9, IPFIX and a 1-byte packet', () => {
    const { decode } = fresh();
    for (const [buf, want] of [
      [Buffer.from([0, 5, 0, 1, 0, 0, 0, 0, 0, 0]), 'v5'],
      [Buffer.from([0, 9, 0, 1, 0, 0, 0, 0]), 'v9'],
      [Buffer.from([0, 10, 0, 16, 0, 0]), 'IPFIX'],
      [Buffer.from([0]), 'version'],
    ] as const) {
      const e = onlyError(decode(buf), 'ERR_NETFLOW_TRUNCATED');
      assert.match(e.message, new RegExp(want));
      assert.equal(typeof e.offset, 'number');
    }
  });

  it('wrong version, at byte 0', () => {
    const { decode, state } = fresh();
    const e = onlyError(decode(Buffer.from([0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])), 'ERR_NETFLOW_VERSION');
    assert.equal(e.offset, 0);
    assert.match(String(e), /byte 0: unsupported NetFlow version 7 .*\[ERR_NETFLOW_VERSION\]/);
    assert.equal(state.metrics.errors_total['ERR_NETFLOW_VERSION'], 1);
  });

  it('IPFIX message length larger than the datagram', () => {
    const buf = ipfix(1, [set(2, ipfixTemplate(256, V4_TEMPLATE))]);
    buf.writeUInt16BE(buf.length + 10, 2);
    const e = onlyError(fresh().decode(buf), 'ERR_NETFLOW_LENGTH');
    assert.equal(e.offset, 2);
  });

  it('v5 count larger than the records present: decodes what is there and says so', () => {
    const rec = [...ip4('10.0.0.1'), ...ip4('10.0.0.2'), ...ip4('0.0.0.0'), ...u16(1), ...u16(2), ...u32(3), ...u32(400), ...u32(1000), ...u32(2000), ...u16(1234), ...u16(80), 0, 0x12, 6, 0, ...u16(0), ...u16(0), 24, 24, 0, 0];
    const buf = Buffer.from([...u16(5), ...u16(3), ...u32(5000), ...u32(1_750_000_000), ...u32(0), ...u32(7), 0, 0, ...u16(0), ...rec]);
    const r = fresh().decode(buf);
    const e = onlyError(r, 'ERR_NETFLOW_LENGTH');
    assert.equal(e.offset, 2);
    assert.equal(r.records.length, 1);
    assert.equal(r.records[0]?.startMs, 1_750_000_000_000 - 4000);
    assert.equal(toEcs(r.records[0]!, { exporter: EXP }).event?.duration, 1000 * 1e6);
  });
});

describe('malformed sets', () => {
  it('set length larger than the packet: error at the set length field', () => {
    const buf = ipfix(1, [set(2, ipfixTemplate(256, V4_TEMPLATE), 500)]);
    const e = onlyError(fresh().decode(buf), 'ERR_NETFLOW_LENGTH');
    assert.equal(e.offset, 18);
    assert.equal(e.setId, 2);
  });

  it('zero-length set is an error, not an endless loop (v9 and IPFIX)', () => {
    const { decode } = fresh();
    const a = onlyError(decode(ipfix(1, [[...u16(256), ...u16(0), 1, 2, 3, 4]])), 'ERR_NETFLOW_LENGTH');
    assert.match(a.message, /zero-length set/);
    const b = onlyError(decode(v9(1, [[...u16(0), ...u16(0), 0, 0, 0, 0, 0, 0]])), 'ERR_NETFLOW_LENGTH');
    assert.equal(b.offset, 22);
  });

  it('reserved set id is reported, the next set is still decoded', () => {
    const r = fresh().decode(ipfix(1, [set(7, [0, 0, 0, 0]), set(2, ipfixTemplate(256, V4_TEMPLATE)), set(256, v4Record('10.0.0.1', '10.0.0.2', 1, 2, 17, 100, 1))]));
    onlyError(r, 'ERR_NETFLOW_SET_ID');
    assert.equal(r.records.length, 1);
  });

  it('template whose fields would give an empty record, and a template claiming more fields than bytes', () => {
    const { decode } = fresh();
    onlyError(decode(ipfix(1, [set(2, ipfixTemplate(300, [[8, 0], [12, 0]]))])), 'ERR_NETFLOW_TEMPLATE');
    const e = onlyError(decode(ipfix(1, [set(2, [...u16(301), ...u16(5000), ...u16(8), ...u16(4)])])), 'ERR_NETFLOW_TRUNCATED');
    assert.equal(e.templateId, 301);
  });

  it('v9 template with 0 fields is an error (v9 has no withdrawal)', () => {
    const e = onlyError(fresh().decode(v9(1, [set(0, [...u16(256), ...u16(0)])])), 'ERR_NETFLOW_TEMPLATE');
    assert.equal(e.offset, 26);
  });

  it('data record cut short by its set: truncated, earlier records kept', () => {
    const { decode } = fresh();
    decode(ipfix(1, [set(2, ipfixTemplate(256, [[8, 4], [82, 65535]]))]));
    // record 1: 10.0.0.1 + "ab"; record 2 claims a 200-byte string.
    const r = decode(ipfix(1, [set(256, [...ip4('10.0.0.1'), 2, 0x61, 0x62, ...ip4('10.0.0.2'), 200, 0x61])]));
    const e = onlyError(r, 'ERR_NETFLOW_TRUNCATED');
    assert.equal(e.offset, 16 + 4 + 7 + 4 + 1); // header, set header, record 1, address, length prefix
    assert.equal(r.records.length, 1);
  });
});

describe('templates', () => {
  it('IPFIX withdrawal (field count 0), then data for it is held again', () => {
    const { decode, state } = fresh();
    decode(ipfix(1, [set(2, ipfixTemplate(256, V4_TEMPLATE))]));
    assert.equal(decode(ipfix(1, [set(256, v4Record('10.0.0.1', '10.0.0.2', 1, 2, 17, 10, 1))])).records.length, 1);
    const w = decode(ipfix(1, [set(2, [...u16(256), ...u16(0)])]));
    assert.deepEqual(w.errors, []);
    assert.equal(state.metrics.templates_withdrawn_total, 1);
    const r = decode(ipfix(1, [set(256, v4Record('10.0.0.1', '10.0.0.2', 1, 2, 17, 10, 1))]));
    assert.equal(r.records.length, 0);
    assert.equal(r.pending.held.length, 1);
  });

  it('IPFIX withdraw-all: template id 2 removes data templates, 3 removes options templates', () => {
    const { decode, state } = fresh();
    decode(ipfix(1, [set(2, [...ipfixTemplate(256, V4_TEMPLATE), ...ipfixTemplate(257, [[8, 4]])]), set(3, ipfixOptionsTemplate(258, [[149, 4]], [[305, 4]]))]));
    decode(ipfix(2, [set(2, ipfixTemplate(256, V4_TEMPLATE))]));
    assert.equal(state.templates.size(), 4);
    decode(ipfix(1, [set(2, [...u16(2), ...u16(0)])]));
    assert.deepEqual(state.templates.entries().map((e) => [e.key.domainId, e.key.templateId]).sort(), [[1, 258], [2, 256]]);
    decode(ipfix(1, [set(3, [...u16(3), ...u16(0)])]));
    assert.deepEqual(state.templates.entries().map((e) => [e.key.domainId, e.key.templateId]), [[2, 256]]);
  });

  it('keyed per observation domain: same template id, two domains, different layouts', () => {
    const { decode } = fresh();
    decode(ipfix(1, [set(2, ipfixTemplate(256, V4_TEMPLATE))]));
    decode(ipfix(2, [set(2, ipfixTemplate(256, [[27, 16], [28, 16], [4, 1], [1, 8]]))]));
    const a = decode(ipfix(1, [set(256, v4Record('10.1.1.1', '10.2.2.2', 5000, 53, 17, 77, 1))]));
    const b = decode(ipfix(2, [set(256, [...ip6('2001:db8::1'), ...ip6('2001:db8:0:1::2'), 6, ...u64(9000)])]));
    assert.deepEqual(a.errors, []);
    assert.deepEqual(b.errors, []);
    assert.equal(a.records[0]?.srcAddr, '10.1.1.1');
    assert.equal(a.records[0]?.domainId, 1);
    assert.equal(b.records[0]?.srcAddr, '2001:db8::1');
    assert.equal(b.records[0]?.dstAddr, '2001:db8:0:1::2');
    assert.equal(b.records[0]?.bytes, 9000);
    assert.equal(b.records[0]?.domainId, 2);
  });

  it('keyed per exporter: another exporter with the same domain and template id does not see it', () => {
    const { decode } = fresh();
    decode(ipfix(1, [set(2, ipfixTemplate(256, V4_TEMPLATE))]), NOW, '192.0.2.1');
    const r = decode(ipfix(1, [set(256, v4Record('10.0.0.1', '10.0.0.2', 1, 2, 17, 10, 1))]), NOW, '192.0.2.2');
    assert.equal(r.records.length, 0);
    assert.equal(r.pending.held[0]?.exporter, '192.0.2.2');
  });

  it('templates expire after their TTL on the injected clock', () => {
    const { decode } = fresh({ templates: { ttlMs: 60_000 } });
    decode(ipfix(1, [set(2, ipfixTemplate(256, V4_TEMPLATE))]), NOW);
    const data = ipfix(1, [set(256, v4Record('10.0.0.1', '10.0.0.2', 1, 2, 17, 10, 1))]);
    assert.equal(decode(data, NOW + 59_000).records.length, 1);
    assert.equal(decode(data, NOW + 61_000).records.length, 0);
  });
});

describe('data before its template', () => {
  it('is held (a typed result, not an error), then decoded by the packet that brings the template', () => {
    const { decode, state } = fresh();
    const early = decode(ipfix(5, [set(256, [...v4Record('10.0.0.1', '10.0.0.2', 1000, 443, 6, 1500, 3), ...v4Record('10.0.0.3', '10.0.0.4', 1001, 443, 6, 60, 1)])], 1_750_000_000, 41));
    assert.deepEqual(early.records, []);
    assert.deepEqual(early.errors, []);
    assert.deepEqual(early.pending.held, [{ code: 'ERR_NETFLOW_TEMPLATE_NOT_FOUND', exporter: EXP, version: 10, domainId: 5, templateId: 256, offset: 16, length: 4 + 2 * 21 }]);
    assert.equal(state.pending.size(), 1);
    const later = decode(ipfix(5, [set(2, ipfixTemplate(256, V4_TEMPLATE))], 1_750_000_001, 42));
    assert.equal(later.pending.released, 1);
    assert.deepEqual(later.records.map((r) => [r.srcAddr, r.bytes, r.sequence]), [['10.0.0.1', 1500, 41], ['10.0.0.3', 60, 41]]);
    assert.equal(state.pending.size(), 0);
    assert.equal(state.metrics.missing_template_total, 1);
    assert.equal(state.metrics.decoded_records_total, 2);
  });

  it('the pending buffer is bounded per key: the oldest set is dropped and counted', () => {
    const state = { ...createNetflowState(), pending: new PendingBuffer({ maxSetsPerKey: 2 }) };
    const decode = (b: Buffer) => decodePacket(b, { exporter: EXP, now: NOW, ...state });
    for (let i = 1; i <= 3; i++) decode(ipfix(1, [set(256, v4Record(`10.0.0.${i}`, '10.0.0.9', 1, 2, 17, i, 1))]));
    assert.equal(state.metrics.pending_dropped_total, 1);
    const r = decode(ipfix(1, [set(2, ipfixTemplate(256, V4_TEMPLATE))]));
    assert.deepEqual(r.records.map((x) => x.srcAddr), ['10.0.0.2', '10.0.0.3']);
  });

  it('an error in a released set points into the packet it came in', () => {
    const { decode } = fresh();
    decode(ipfix(1, [set(256, [...ip4('10.0.0.1'), 50, 0x61])]));
    const r = decode(ipfix(1, [set(2, ipfixTemplate(256, [[8, 4], [82, 65535]]))]));
    const e = onlyError(r, 'ERR_NETFLOW_TRUNCATED');
    assert.equal(e.offset, 16 + 4 + 4 + 1); // header, set header, address, length prefix
    assert.equal(e.templateId, 256);
  });

  it('the pending buffer is bounded in bytes too', () => {
    const state = { ...createNetflowState(), pending: new PendingBuffer({ maxBytes: 50 }) };
    for (let i = 1; i <= 3; i++) decodePacket(ipfix(1, [set(256 + i, v4Record(`10.0.0.${i}`, '10.0.0.9', 1, 2, 17, i, 1))]), { exporter: EXP, now: NOW, ...state });
    assert.equal(state.pending.size(), 2);
    assert.equal(state.pending.byteSize(), 42);
    assert.equal(state.metrics.pending_dropped_total, 1);
  });

  it('held sets older than maxAgeMs are dropped, not decoded', () => {
    const state = { ...createNetflowState(), pending: new PendingBuffer({ maxAgeMs: 1000 }) };
    decodePacket(ipfix(1, [set(256, v4Record('10.0.0.1', '10.0.0.9', 1, 2, 17, 1, 1))]), { exporter: EXP, now: NOW, ...state });
    const r = decodePacket(ipfix(1, [set(2, ipfixTemplate(256, V4_TEMPLATE))]), { exporter: EXP, now: NOW + 5000, ...state });
    assert.equal(r.records.length, 0);
    assert.equal(r.pending.dropped, 1);
  });
});

describe('options templates: sampling', () => {
  it('IPFIX samplingPacketInterval from options data multiplies bytes/packets, remembered across packets', () => {
    const { decode } = fresh();
    const r1 = decode(ipfix(3, [
      set(3, ipfixOptionsTemplate(400, [[149, 4]], [[305, 4], [306, 4]])),
      set(400, [...u32(3), ...u32(1), ...u32(99)]), // 1 packet in 100
      set(2, ipfixTemplate(256, V4_TEMPLATE)),
    ]));
    assert.deepEqual(r1.errors, []);
    assert.deepEqual(r1.options[0]?.scope, { observationDomainId: 3 });
    const r2 = decode(ipfix(3, [set(256, v4Record('10.0.0.1', '10.0.0.2', 1, 2, 17, 1000, 2))]));
    assert.equal(r2.records[0]?.samplingRate, 100);
    assert.equal(r2.records[0]?.bytes, 100_000);
    assert.equal(r2.records[0]?.packets, 200);
    assert.equal(r2.records[0]?.fields['octetDeltaCount'], 1000);
    assert.equal((toEcs(r2.records[0]!, { exporter: EXP })['netflow'] as Record<string, unknown>)['sampling_rate'], 100);
    // Another domain of the same exporter is not sampled.
    decode(ipfix(4, [set(2, ipfixTemplate(256, V4_TEMPLATE))]));
    const r3 = decode(ipfix(4, [set(256, v4Record('10.0.0.1', '10.0.0.2', 1, 2, 17, 1000, 2))]));
    assert.equal(r3.records[0]?.samplingRate, undefined);
    assert.equal(r3.records[0]?.bytes, 1000);
  });

  it('v9 options template (scope System) with SAMPLING_INTERVAL; per-sampler rates via FLOW_SAMPLER_ID', () => {
    const { decode } = fresh();
    const r = decode(v9(9, [
      set(1, [...v9OptionsTemplate(300, [[1, 4]], [[34, 4], [35, 1]]), 0, 0]), // 2 bytes padding
      set(300, [...u32(0), ...u32(512), 2, 0, 0, 0]),
      set(1, v9OptionsTemplate(301, [[1, 4]], [[48, 1], [50, 4]])),
      set(301, [...u32(0), 7, ...u32(64)]),
      set(0, v9Template(256, [...V4_TEMPLATE, [48, 1]])),
      set(256, [...v4Record('10.0.0.1', '10.0.0.2', 1, 2, 17, 10, 1), 7, ...v4Record('10.0.0.3', '10.0.0.4', 1, 2, 17, 10, 1), 8]),
    ]));
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.options.map((o) => o.scope), [{ 'scope.system': 0 }, { 'scope.system': 0 }]);
    assert.deepEqual(r.records.map((x) => [x.samplingRate, x.bytes]), [[64, 640], [512, 5120]]);
  });
});

describe('field encodings', () => {
  it('variable-length fields with 1- and 3-byte length prefixes', () => {
    const { decode } = fresh();
    const long = 'x'.repeat(300);
    const r = decode(ipfix(1, [
      set(2, ipfixTemplate(256, [[8, 4], [82, 65535], [83, 65535]])),
      set(256, [...ip4('10.0.0.1'), 4, ...Buffer.from('eth0'), 255, ...u16(300), ...Buffer.from(long)]),
    ]));
    assert.deepEqual(r.errors, []);
    assert.equal(r.records[0]?.fields['interfaceName'], 'eth0');
    assert.equal(r.records[0]?.fields['interfaceDescription'], long);
  });

  it('enterprise-specific fields are kept raw as enterprise.<pen>.<id>; unknown IANA ids as ie.<id>', () => {
    const { decode } = fresh();
    const r = decode(ipfix(1, [
      set(2, ipfixTemplate(256, [[8, 4], [100, 4, 29305], [200, 65535, 9], [999, 3]])),
      set(256, [...ip4('10.0.0.1'), 0xde, 0xad, 0xbe, 0xef, 2, 0x01, 0x02, 0xaa, 0xbb, 0xcc]),
    ]));
    assert.deepEqual(r.errors, []);
    assert.equal(r.records[0]?.fields['enterprise.29305.100'], 'deadbeef');
    assert.equal(r.records[0]?.fields['enterprise.9.200'], '0102');
    assert.equal(r.records[0]?.fields['ie.999'], 'aabbcc');
  });

  it('IPv6 record with absolute millisecond times, reduced-size counters and TCP flags', () => {
    const { decode } = fresh();
    const start = 1_750_000_000_123;
    const r = decode(ipfix(1, [
      set(2, ipfixTemplate(256, [[27, 16], [28, 16], [7, 2], [11, 2], [4, 1], [6, 1], [1, 2], [2, 1], [152, 8], [153, 8], [10, 2], [14, 2]])),
      set(256, [...ip6('fe80::1'), ...ip6('2001:db8::53'), ...u16(40000), ...u16(443), 6, 0x1b, ...u16(1500), 3, ...u64(start), ...u64(start + 250), ...u16(1), ...u16(2)]),
    ]));
    assert.deepEqual(r.errors, []);
    const rec = r.records[0]!;
    assert.deepEqual([rec.srcAddr, rec.dstAddr, rec.srcPort, rec.dstPort, rec.bytes, rec.packets, rec.startMs, rec.endMs, rec.ipVersion], ['fe80::1', '2001:db8::53', 40000, 443, 1500, 3, start, start + 250, 6]);
    const ev = toEcs(rec, { exporter: EXP });
    assert.equal(ev['@timestamp'], new Date(start + 250).toISOString());
    assert.equal(ev.event?.start, new Date(start).toISOString());
    assert.equal(ev.event?.duration, 250_000_000);
    assert.deepEqual((ev['tcp'] as { flags: string[] }).flags, ['FIN', 'SYN', 'PSH', 'ACK']);
    assert.equal((ev.network as Record<string, unknown>)['type'], 'ipv6');
    assert.deepEqual((ev['netflow'] as Record<string, unknown>)['ingress_interface'], 1);
  });

  it('v9 uptime-relative times use the header sysUptime and unix secs', () => {
    const { decode } = fresh();
    const r = decode(v9(1, [set(0, v9Template(256, [[8, 4], [22, 4], [21, 4], [4, 1]])), set(256, [...ip4('10.0.0.1'), ...u32(40_000), ...u32(90_000), 1, 0, 0, 0])], { uptimeMs: 100_000, unixSecs: 1_750_000_000 }));
    assert.deepEqual(r.errors, []);
    assert.equal(r.records[0]?.startMs, 1_750_000_000_000 - 60_000);
    assert.equal(r.records[0]?.endMs, 1_750_000_000_000 - 10_000);
    assert.equal(toEcs(r.records[0]!, { exporter: EXP }).network?.transport, 'icmp');
  });

  it('ECS transport for an unnamed protocol is its number', () => {
    const { decode } = fresh();
    const r = decode(ipfix(1, [set(2, ipfixTemplate(256, [[8, 4], [4, 1]])), set(256, [...ip4('10.0.0.1'), 253])]));
    const ev = toEcs(r.records[0]!, { exporter: EXP });
    assert.equal(ev.network?.transport, '253');
    assert.equal(ev.network?.iana_number, '253');
    assert.equal(ev['@timestamp'], new Date(1_750_000_000_000).toISOString());
  });
});

// Real softflowd exports (v5, v9, v9 with sampling, IPFIX) decoded and compared field by field against
// tshark's dissector (fixtures/*.tshark.json), and against the source traffic itself (traffic.tshark.csv).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNetflowState, decodePacket, toEcs, type DecodeResult, type FlowRecord } from '../index.ts';
import { loadFixture, loadTraffic, secondsToMs, tsharkTimeMs, wrappedDiff, type TsharkFlow, type TsharkPacket } from './oracle_helpers.ts';
import type { UdpPayload } from './pcap_payloads.ts';

const NOW = Date.UTC(2026, 10, 26, 1, 11);

function decodeAll(packets: UdpPayload[]): DecodeResult[] {
  const state = createNetflowState();
  return packets.map((p) => decodePacket(p.payload, { exporter: p.srcAddr, now: NOW, ...state }));
}

/** tshark's data flows (records with addresses) and options flows, in packet order. */
function oracleFlows(pkt: TsharkPacket): { data: TsharkFlow[]; options: TsharkFlow[] } {
  const all = pkt.sets.flatMap((s) => s.flows);
  const isData = (f: TsharkFlow) => f['srcaddr'] !== undefined || f['srcaddrv6'] !== undefined;
  return { data: all.filter(isData), options: all.filter((f) => !isData(f)) };
}

function hex(s: string | undefined): number | undefined {
  return s === undefined ? undefined : Number.parseInt(s, 16);
}

/** Field-by-field comparison of one record against tshark's flow. */
function compareFlow(rec: FlowRecord, f: TsharkFlow, rate: number, where: string): void {
  assert.equal(rec.srcAddr, f['srcaddr'] ?? f['srcaddrv6'], `${where} srcaddr`);
  assert.equal(rec.dstAddr, f['dstaddr'] ?? f['dstaddrv6'], `${where} dstaddr`);
  assert.equal(rec.protocol, Number(f['protocol']), `${where} protocol`);
  assert.equal(rec.bytes, Number(f['octets']) * rate, `${where} octets`);
  assert.equal(rec.packets, Number(f['packets']) * rate, `${where} packets`);
  assert.equal(rec.fields['octetDeltaCount'], Number(f['octets']), `${where} raw octets`);
  assert.equal(rec.fields['packetDeltaCount'], Number(f['packets']), `${where} raw packets`);
  if (f['srcport'] !== undefined) assert.equal(rec.srcPort, Number(f['srcport']), `${where} srcport`);
  if (f['dstport'] !== undefined) assert.equal(rec.dstPort, Number(f['dstport']), `${where} dstport`);
  if (f['tcpflags'] !== undefined) assert.equal(rec.tcpFlags, hex(f['tcpflags']), `${where} tcpflags`);
  if (f['tos'] !== undefined) assert.equal(rec.tos, hex(f['tos']), `${where} tos`);
  assert.equal(rec.inputIf, Number(f['inputint']), `${where} inputint`);
  assert.equal(rec.outputIf, Number(f['outputint']), `${where} outputint`);
  if (f['direction'] !== undefined) assert.equal(rec.direction, Number(f['direction']), `${where} direction`);
  if (f['flow_end_reason'] !== undefined) assert.equal(rec.flowEndReason, Number(f['flow_end_reason']), `${where} flow_end_reason`);
  if (f['ip_version'] !== undefined) assert.equal(rec.ipVersion, Number(f['ip_version']), `${where} ip_version`);
  if (f['srcas'] !== undefined) assert.equal(rec.srcAs, Number(f['srcas']), `${where} srcas`);
  if (f['dstas'] !== undefined) assert.equal(rec.dstAs, Number(f['dstas']), `${where} dstas`);
  if (f['nexthop'] !== undefined) assert.equal(rec.nextHop, f['nexthop'], `${where} nexthop`);
  if (f['srcmask'] !== undefined) assert.equal(rec.srcMask, Number(f['srcmask']), `${where} srcmask`);
  if (f['dstmask'] !== undefined) assert.equal(rec.dstMask, Number(f['dstmask']), `${where} dstmask`);
  assert.equal(rec.fields['flowStartSysUpTime'], secondsToMs(f['timestart'] ?? 'NaN'), `${where} raw start uptime`);
  assert.equal(rec.fields['flowEndSysUpTime'], secondsToMs(f['timeend'] ?? 'NaN'), `${where} raw end uptime`);
  assert.equal((rec.endMs ?? NaN) - (rec.startMs ?? NaN), secondsToMs(f['timedelta'] ?? 'NaN'), `${where} duration`);
}

/** Each decoded flow matches the packets of the source traffic: count, IP bytes, first/last packet time. */
function compareWithTraffic(records: FlowRecord[], toleranceMs: number): void {
  const traffic = loadTraffic();
  for (const rec of records) {
    const where = `${rec.srcAddr} ${rec.srcPort}->${rec.dstAddr} ${rec.dstPort} proto ${rec.protocol}`;
    const icmp = rec.protocol === 1 || rec.protocol === 58;
    const type = rec.icmpType ?? ((rec.dstPort ?? 0) >> 8);
    const code = rec.icmpCode ?? ((rec.dstPort ?? 0) & 0xff);
    const pkts = traffic.filter((p) => p.src === rec.srcAddr && p.dst === rec.dstAddr && p.proto === rec.protocol &&
      (icmp ? p.icmpType === type && p.icmpCode === code : p.srcPort === rec.srcPort && p.dstPort === rec.dstPort));
    assert.equal(pkts.length, rec.packets, `${where}: packets vs source traffic`);
    assert.equal(pkts.reduce((a, p) => a + p.ipLength, 0), rec.bytes, `${where}: bytes vs source traffic`);
    const first = Math.min(...pkts.map((p) => p.timeMs));
    const last = Math.max(...pkts.map((p) => p.timeMs));
    assert.ok(Math.abs((rec.startMs ?? NaN) - first) <= toleranceMs, `${where}: start ${rec.startMs} vs first packet ${first}`);
    assert.ok(Math.abs((rec.endMs ?? NaN) - last) <= toleranceMs, `${where}: end ${rec.endMs} vs last packet ${last}`);
    assert.ok(Math.abs((rec.endMs ?? 0) - (rec.startMs ?? 0) - (last - first)) <= 2, `${where}: duration`);
  }
}

describe('NetFlow v5 (softflowd -v 5) vs tshark', () => {
  const { packets, oracle } = loadFixture('netflow-v5');
  const results = decodeAll(packets);

  it('decodes every packet without errors, one record per tshark pdu', () => {
    assert.equal(results.length, oracle.length);
    for (const [i, r] of results.entries()) {
      assert.deepEqual(r.errors, []);
      assert.equal(r.records.length, oracleFlows(oracle[i] as TsharkPacket).data.length);
      assert.equal(r.records.length, Number(oracle[i]?.header['count']));
    }
  });

  it('matches tshark field by field, times converted with the header', () => {
    for (const [i, r] of results.entries()) {
      const pkt = oracle[i] as TsharkPacket;
      const h = pkt.header;
      const exportMs = Number(h['unix_secs']) * 1000 + Math.floor(Number(h['unix_nsecs']) / 1e6);
      const uptime = secondsToMs(h['sysuptime'] ?? 'NaN');
      oracleFlows(pkt).data.forEach((f, j) => {
        const rec = r.records[j] as FlowRecord;
        compareFlow(rec, f, 1, `packet ${i + 1} flow ${j + 1}`);
        assert.equal(rec.exportTimeMs, exportMs);
        assert.equal(rec.sequence, Number(h['sequence']));
        assert.equal(rec.startMs, exportMs - wrappedDiff(uptime, secondsToMs(f['timestart'] ?? '')));
        assert.equal(rec.endMs, exportMs - wrappedDiff(uptime, secondsToMs(f['timeend'] ?? '')));
      });
    }
  });

  it('matches the source traffic (packets, bytes, first/last packet time)', () => {
    compareWithTraffic(results.flatMap((r) => r.records), 1500);
  });
});

for (const name of ['netflow-v9', 'netflow-v9-sampled'] as const) {
  describe(`NetFlow v9 (softflowd ${name === 'netflow-v9' ? '-v 9 -6' : '-v 9 -6 -s 2'}) vs tshark`, () => {
    const { packets, oracle } = loadFixture(name);
    const results = decodeAll(packets);
    const pkt = (i: number) => oracle[i] as TsharkPacket;

    it('decodes templates, options and data without errors; no set left pending', () => {
      for (const [i, r] of results.entries()) {
        assert.deepEqual(r.errors, []);
        assert.deepEqual(r.pending.held, []);
        const o = oracleFlows(oracle[i] as TsharkPacket);
        // softflowd 1.1.0 writes the number of *flow* records into the v9 header count (RFC 3954 §5.1: all records,
        // templates included); tshark 4.0 reads the count as a number of flowsets and stops there. We follow the
        // set lengths (as goflow2 does) and decode the trailing sets too: tshark's records are a prefix of ours,
        // and the rest are checked against the source traffic below.
        assert.equal(pkt(i).set_count, Number(pkt(i).header['count']));
        assert.ok(r.records.length >= o.data.length);
        assert.equal(r.records.length, Number(pkt(i).header['count']), 'softflowd: count = flow records');
        assert.equal(r.options.length, o.options.length);
      }
    });

    it('learns the sampling interval from the options data record, as tshark reads it', () => {
      for (const [i, r] of results.entries()) {
        const o = oracleFlows(oracle[i] as TsharkPacket);
        o.options.forEach((f, j) => {
          assert.equal(r.options[j]?.fields['samplingInterval'], Number(f['sampling_interval']));
          assert.equal(r.options[j]?.fields['samplingAlgorithm'], Number(f['sampling_algorithm']));
          assert.equal(r.options[j]?.fields['interfaceName'], f['if_name']);
          assert.equal(r.options[j]?.scope['scope.interface'], Number(f['scope_interface']));
        });
      }
    });

    it('matches tshark field by field (bytes/packets scaled by the sampling rate), times from sysUptime', () => {
      for (const [i, r] of results.entries()) {
        const pkt = oracle[i] as TsharkPacket;
        const o = oracleFlows(pkt);
        const rate = Number(o.options[0]?.['sampling_interval'] ?? 1);
        const exportMs = Number(pkt.header['unix_secs']) * 1000;
        const uptime = secondsToMs(pkt.header['sysuptime'] ?? 'NaN');
        o.data.forEach((f, j) => {
          const rec = r.records[j] as FlowRecord;
          compareFlow(rec, f, rate, `packet ${i + 1} flow ${j + 1}`);
          assert.equal(rec.samplingRate, rate);
          assert.equal(rec.domainId, Number(pkt.header['source_id']));
          if (f['icmp_type_code_ipv4'] !== undefined) assert.equal(((rec.icmpType ?? 0) << 8) | (rec.icmpCode ?? 0), Number(f['icmp_type_code_ipv4']));
          if (f['icmp_ipv6_type'] !== undefined) assert.equal(rec.icmpType, Number(f['icmp_ipv6_type']));
          if (f['icmp_ipv6_code'] !== undefined) assert.equal(rec.icmpCode, Number(f['icmp_ipv6_code']));
          assert.equal(rec.startMs, exportMs - wrappedDiff(uptime, secondsToMs(f['timestart'] ?? '')));
          assert.equal(rec.endMs, exportMs - wrappedDiff(uptime, secondsToMs(f['timeend'] ?? '')));
        });
      }
    });

    if (name === 'netflow-v9') {
      it('matches the source traffic, IPv4 and IPv6 (packets, bytes, first/last packet time)', () => {
        const records = results.flatMap((r) => r.records);
        assert.ok(records.some((r) => r.ipVersion === 6) && records.some((r) => r.ipVersion === 4));
        compareWithTraffic(records, 1500);
      });

      it('template packet then data packet (goflow2 style) equals the single-packet decode; data first is held then released', () => {
        const p = packets[0] as UdpPayload;
        const { templatesOnly, dataOnly } = splitV9(p.payload);
        const whole = results[0] as DecodeResult;

        const a = createNetflowState();
        const t1 = decodePacket(templatesOnly, { exporter: p.srcAddr, now: NOW, ...a });
        assert.deepEqual(t1.records, []);
        const d1 = decodePacket(dataOnly, { exporter: p.srcAddr, now: NOW, ...a });
        assert.deepEqual(d1.records, whole.records);

        const b = createNetflowState();
        const d2 = decodePacket(dataOnly, { exporter: p.srcAddr, now: NOW, ...b });
        assert.deepEqual(d2.records, []);
        assert.deepEqual(d2.errors, []);
        assert.equal(d2.pending.held.length, 10); // 9 data sets + 1 options data set
        const t2 = decodePacket(templatesOnly, { exporter: p.srcAddr, now: NOW + 10, ...b });
        assert.equal(t2.pending.released, 10);
        // Released sets are decoded per template in arrival order; same records, grouped by template.
        const key = (r: FlowRecord) => JSON.stringify([r.templateId, r.srcAddr, r.srcPort, r.dstPort, r.protocol, r.startMs]);
        assert.deepEqual(t2.records.map(key).sort(), whole.records.map(key).sort());
        assert.equal(b.metrics.missing_template_total, 10);
        assert.equal(b.metrics.pending_released_total, 10);
        assert.deepEqual(t2.options, whole.options);
      });

      it('maps to ECS', () => {
        const tcp = results.flatMap((r) => r.records).find((r) => r.protocol === 6 && r.srcPort === 8765 && r.ipVersion === 6) as FlowRecord;
        const ev = toEcs(tcp, { exporter: '127.0.0.1' });
        assert.equal(ev['@timestamp'], new Date(tcp.endMs ?? 0).toISOString());
        assert.deepEqual(ev.event?.category, ['network']);
        assert.equal(ev.event?.dataset, 'netflow.flow');
        assert.equal(ev.event?.duration, ((tcp.endMs ?? 0) - (tcp.startMs ?? 0)) * 1e6);
        assert.equal(ev.source?.ip, '::1');
        assert.equal(ev.source?.port, 8765);
        assert.equal(ev.network?.transport, 'tcp');
        assert.equal(ev.network?.iana_number, '6');
        assert.equal((ev.network as Record<string, unknown>)['type'], 'ipv6');
        assert.equal(ev.network?.bytes, tcp.bytes);
        assert.deepEqual((ev['tcp'] as { flags: string[] }).flags, ['FIN', 'SYN', 'PSH', 'ACK']);
        assert.deepEqual(ev.observer?.ip, ['127.0.0.1']);
        const nf = ev['netflow'] as Record<string, unknown>;
        assert.equal(nf['template_id'], 2048);
        assert.equal(nf['sampling_rate'], 1);
        assert.deepEqual(nf['exporter'], { address: '127.0.0.1', version: 9, domain_id: 0 });
      });
    }
  });
}

/** Split a v9 packet into a templates-only packet (sets 0/1) and a data-only packet (sets >= 256). */
function splitV9(buf: Buffer): { templatesOnly: Buffer; dataOnly: Buffer } {
  const header = buf.subarray(0, 20);
  const tpl: Buffer[] = [];
  const data: Buffer[] = [];
  for (let o = 20; o + 4 <= buf.length; ) {
    const id = buf.readUInt16BE(o);
    const len = buf.readUInt16BE(o + 2);
    (id < 256 ? tpl : data).push(buf.subarray(o, o + len));
    o += len;
  }
  return { templatesOnly: Buffer.concat([header, ...tpl]), dataOnly: Buffer.concat([header, ...data]) };
}

describe('IPFIX (softflowd -v 10 -6) vs tshark', () => {
  const { packets, oracle } = loadFixture('ipfix');
  const results = decodeAll(packets);

  it('decodes without errors; options record carries systemInitTimeMilliseconds and the sampling selector', () => {
    for (const [i, r] of results.entries()) {
      assert.deepEqual(r.errors, []);
      const o = oracleFlows(oracle[i] as TsharkPacket);
      assert.equal(r.records.length, o.data.length);
      assert.equal(r.options.length, o.options.length);
      o.options.forEach((f, j) => {
        const opt = r.options[j];
        assert.equal(opt?.scope['meteringProcessId'], Number(f['mp_id']));
        assert.equal(opt?.fields['systemInitTimeMilliseconds'], tsharkTimeMs(f['sys_init_time'] ?? ''));
        assert.equal(opt?.fields['samplingPacketInterval'], Number(f['sampling_packet_interval']));
        assert.equal(opt?.fields['samplingPacketSpace'], Number(f['sampling_packet_space']));
        assert.equal(opt?.fields['interfaceName'], f['if_name']);
      });
    }
  });

  it('matches tshark field by field; uptime times are relative to systemInitTimeMilliseconds', () => {
    for (const [i, r] of results.entries()) {
      const pkt = oracle[i] as TsharkPacket;
      const o = oracleFlows(pkt);
      const init = tsharkTimeMs(o.options[0]?.['sys_init_time'] ?? '');
      const exportMs = Number(pkt.header['exporttime']) * 1000;
      const p = Number(o.options[0]?.['sampling_packet_interval']);
      const rate = (p + Number(o.options[0]?.['sampling_packet_space'])) / p;
      o.data.forEach((f, j) => {
        const rec = r.records[j] as FlowRecord;
        compareFlow(rec, f, rate, `packet ${i + 1} flow ${j + 1}`);
        assert.equal(rec.version, 10);
        assert.equal(rec.domainId, Number(pkt.header['od_id']));
        assert.equal(rec.sequence, Number(pkt.header['sequence']));
        assert.equal(rec.exportTimeMs, exportMs);
        assert.equal(rec.startMs, exportMs - wrappedDiff(exportMs - init, secondsToMs(f['timestart'] ?? '')));
        assert.equal(rec.endMs, exportMs - wrappedDiff(exportMs - init, secondsToMs(f['timeend'] ?? '')));
      });
    }
  });

  it('matches the source traffic (packets, bytes, first/last packet time)', () => {
    compareWithTraffic(results.flatMap((r) => r.records), 1500);
  });
});

// Second oracle: nfdump 1.7.1 (nfcapd fed the same UDP payloads, fixtures/*.nfdump.json). nfdump, like this
// decoder, follows set lengths, so it also covers the trailing v9 sets tshark 4.0 does not dissect.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createNetflowState, decodePacket, type FlowRecord } from '../index.ts';
import { FIXTURES } from './oracle_helpers.ts';
import { readPcapUdp } from './pcap_payloads.ts';

type NfdumpFlow = Record<string, string | number>;

/** nfdump's "........" flag string (CWR ECE URG ACK PSH RST SYN FIN) to the flag byte. */
function nfdumpFlags(s: string): number {
  return [...s].reduce((acc, ch, i) => (ch === '.' ? acc : acc | (1 << (7 - i))), 0);
}

/** nfdump prints local time without a zone; the fixtures were made (and are read) as UTC. */
function nfdumpTime(s: string): number {
  return Date.parse(`${s}Z`);
}

for (const name of ['netflow-v5', 'netflow-v9', 'netflow-v9-sampled', 'ipfix']) {
  describe(`${name} vs nfdump`, () => {
    const flows = JSON.parse(readFileSync(`${FIXTURES}${name}.nfdump.json`, 'utf8')) as NfdumpFlow[];
    const state = createNetflowState();
    const records: FlowRecord[] = readPcapUdp(`${FIXTURES}${name}.pcap`).flatMap((p) => decodePacket(p.payload, { exporter: p.srcAddr, now: 0, ...state }).records);

    it('same number of flow records', () => {
      assert.equal(records.length, flows.length);
    });

    it('addresses, ports / ICMP type-code, protocol, raw counters, TCP flags, ToS agree record by record', () => {
      flows.forEach((f, i) => {
        const r = records[i] as FlowRecord;
        const where = `${name} record ${i + 1}`;
        assert.equal(r.srcAddr, f['src4_addr'] ?? f['src6_addr'], `${where} src`);
        assert.equal(r.dstAddr, f['dst4_addr'] ?? f['dst6_addr'], `${where} dst`);
        assert.equal(r.protocol, f['proto'], `${where} proto`);
        assert.equal(r.fields['octetDeltaCount'], f['in_bytes'], `${where} bytes`);
        assert.equal(r.fields['packetDeltaCount'], f['in_packets'], `${where} packets`);
        assert.equal(r.tos, f['src_tos'], `${where} tos`);
        if (f['icmp_type'] !== undefined && r.protocol === 58 && r.fields['icmpTypeCodeIPv6'] !== undefined) {
          // nfdump 1.7.1 does not decode icmpTypeCodeIPv6 (139) reliably (0/0 for echo); tshark checks these
          // ICMPv6 type/codes instead (oracle.test.ts).
        } else if (f['icmp_type'] !== undefined) {
          assert.equal(r.icmpType, f['icmp_type'], `${where} icmp type`);
          assert.equal(r.icmpCode, f['icmp_code'], `${where} icmp code`);
        } else {
          assert.equal(r.srcPort, f['src_port'], `${where} src port`);
          assert.equal(r.dstPort, f['dst_port'], `${where} dst port`);
          assert.equal(r.tcpFlags, nfdumpFlags(String(f['tcp_flags'])), `${where} tcp flags`);
        }
      });
    });

    it(name === 'netflow-v5' ? 'times agree to the millisecond' : 'times: nfdump does not unwrap the 2^32 ms uptime counter, we do', () => {
      flows.forEach((f, i) => {
        const r = records[i] as FlowRecord;
        // softflowd -r exports flows from before its own start: first/last are "negative" uptimes. nfdump 1.7.1
        // unwraps them for v5 but not for v9/IPFIX, where its times are 2^32 ms (~49.7 days) in the future.
        const shift = name === 'netflow-v5' ? 0 : 2 ** 32;
        // nfdump derives v9/IPFIX times from a 1 s header clock differently from us: allow 1 s there.
        const tolerance = name === 'netflow-v5' ? 0 : 1000;
        assert.ok(Math.abs(nfdumpTime(String(f['first'])) - shift - (r.startMs ?? NaN)) <= tolerance, `record ${i + 1} first ${f['first']} vs ${new Date(r.startMs ?? 0).toISOString()}`);
        assert.ok(Math.abs(nfdumpTime(String(f['last'])) - shift - (r.endMs ?? NaN)) <= tolerance, `record ${i + 1} last`);
      });
    });
  });
}

// The capture reader and the flow meter against tshark: the same loopback traffic in 8 containers / link layers
// (fixtures/make_fixtures.sh: editcap, mergecap and relink.py from agents/test/fixtures/traffic.pcap) must yield
// the TCP/UDP conversations `tshark -q -z conv,tcp -z conv,udp` reported on the source (fixtures/traffic.conv.txt).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { EcsEvent } from '../../../proto/ecs.ts';
import { CaptureProcessor } from '../capture_processor.ts';
import { PcapError, decodeFrame, readCapture, type CaptureFrame } from '../index.ts';

const FIX = new URL('./fixtures/', import.meta.url).pathname;
const SRC = new URL('../../test/fixtures/', import.meta.url).pathname;

interface Conv {
  a: string;
  pa: number;
  b: string;
  pb: number;
  transport: string;
  /** B -> A */
  backFrames: number;
  backBytes: number;
  /** A -> B */
  fwdFrames: number;
  fwdBytes: number;
  relStart: number;
  duration: number;
}

/** Parses tshark 4.0 `-z conv,tcp -z conv,udp` text. */
function parseConv(text: string): Conv[] {
  const out: Conv[] = [];
  let transport = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('TCP Conversations')) transport = 'tcp';
    if (line.startsWith('UDP Conversations')) transport = 'udp';
    const m = /^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+(\d+) (\d+) bytes\s+(\d+) (\d+) bytes\s+\d+ \d+ bytes\s+([\d.]+)\s+([\d.]+)/.exec(line);
    if (!m) continue;
    out.push({ a: m[1]!, pa: Number(m[2]), b: m[3]!, pb: Number(m[4]), transport, backFrames: Number(m[5]), backBytes: Number(m[6]), fwdFrames: Number(m[7]), fwdBytes: Number(m[8]), relStart: Number(m[9]), duration: Number(m[10]) });
  }
  return out;
}

function frames(file: string): { frames: CaptureFrame[]; errors: PcapError[] } {
  const f: CaptureFrame[] = [];
  const e: PcapError[] = [];
  for (const item of readCapture(readFileSync(file), file)) {
    if (item instanceof PcapError) e.push(item);
    else f.push(item);
  }
  return { frames: f, errors: e };
}

function meter(fr: CaptureFrame[]): { events: EcsEvent[]; errors: Error[]; proc: CaptureProcessor } {
  const proc = new CaptureProcessor({ source: 'test' });
  const events: EcsEvent[] = [];
  const errors: Error[] = [];
  for (const f of fr) {
    const r = proc.process(f);
    events.push(...r.events);
    errors.push(...r.errors);
  }
  events.push(...proc.flush());
  return { events, errors, proc };
}

const expected = parseConv(readFileSync(`${FIX}traffic.conv.txt`, 'utf8'));

const VARIANTS: [file: string, vlan?: number][] = [
  [`${SRC}traffic.pcap`],
  [`${FIX}traffic.pcapng`],
  [`${FIX}traffic-be-ns.pcap`],
  [`${FIX}traffic-vlan.pcap`, 100],
  [`${FIX}traffic-qinq.pcap`, 200],
  [`${FIX}traffic-sll.pcap`],
  [`${FIX}traffic-sll2.pcap`],
  [`${FIX}traffic-raw.pcap`],
];

describe('flow meter vs tshark conversations', () => {
  test('the oracle has the 2 TCP and 3 UDP conversations of traffic.pcap', () => {
    assert.deepEqual(expected.map((c) => `${c.transport} ${c.a}:${c.pa} ${c.b}:${c.pb}`).sort(), [
      'tcp 127.0.0.1:55734 127.0.0.1:8765', 'tcp ::1:34052 ::1:8765', 'udp 127.0.0.1:48714 127.0.0.1:5514', 'udp 127.0.0.1:49311 127.0.0.1:5353', 'udp ::1:49867 ::1:5514',
    ]);
  });

  for (const [file, vlan] of VARIANTS) {
    test(file.split('/').pop()!, () => {
      const { frames: fr, errors } = frames(file);
      assert.deepEqual(errors, []);
      assert.equal(fr.length, 38);
      const t0 = fr[0]!.tsUs;
      assert.equal(t0, 1795654686541293, 'frame 1 frame.time_epoch 1795654686.541293 (agents/test/fixtures/traffic.tshark.csv)');
      const { events, errors: perr } = meter(fr);
      assert.deepEqual(perr, []);
      const tcpUdp = events.filter((e) => e.network?.transport === 'tcp' || e.network?.transport === 'udp');
      assert.equal(tcpUdp.length, expected.length, 'one flow per tshark conversation');
      for (const c of expected) {
        const ev = tcpUdp.find((e) => e.source?.ip === c.a && e.source.port === c.pa && e.destination?.ip === c.b && e.destination.port === c.pb);
        assert.ok(ev, `flow ${c.a}:${c.pa} -> ${c.b}:${c.pb}`);
        assert.equal(ev.network?.transport, c.transport);
        assert.equal(ev.source?.packets, c.fwdFrames);
        assert.equal(ev.destination?.packets, c.backFrames);
        // tshark counts frame bytes; the meter counts IP bytes (as NetFlow does): frames x link header apart
        assert.equal(ev.source?.bytes, c.fwdBytes - 14 * c.fwdFrames);
        assert.equal(ev.destination?.bytes, c.backBytes - 14 * c.backFrames);
        assert.equal(ev.network?.packets, c.fwdFrames + c.backFrames);
        assert.equal(Date.parse(ev.event!.start!), Math.floor((t0 + Math.round(c.relStart * 1e6)) / 1000), 'event.start = first frame + tshark relative start');
        assert.ok(Math.abs(ev.event!.duration! / 1e9 - c.duration) < 0.00005 + 1e-9, `duration ${ev.event!.duration} ns vs tshark ${c.duration} s`);
        assert.equal(ev.event?.dataset, 'netflow.flow');
        if (vlan !== undefined) assert.equal((ev['flowmeter'] as { vlan_id?: number }).vlan_id, vlan);
      }
      const http4 = tcpUdp.find((e) => e.destination?.port === 8765 && e.source?.ip === '127.0.0.1')!;
      assert.deepEqual((http4['tcp'] as { flags: string[] }).flags, ['FIN', 'SYN', 'PSH', 'ACK']);
      assert.equal((http4['flowmeter'] as { end_reason: string }).end_reason, 'end_of_flow');
      // ICMP/ICMPv6: the two pings (request + reply in one flow each way) and the two port-unreachables
      const icmp = events.filter((e) => e.network?.transport === 'icmp' || e.network?.transport === 'ipv6-icmp');
      assert.equal(icmp.reduce((n, e) => n + (e.network?.packets ?? 0), 0), 38 - 24 - 3, 'every other frame is ICMP');
    });
  }

  test('pcapng with two interfaces (SLL traffic + Ethernet NetFlow v9 export): flows metered, v9 export decoded', () => {
    const { frames: fr, errors } = frames(`${FIX}mixed.pcapng`);
    assert.deepEqual(errors, []);
    assert.equal(fr.length, 39);
    assert.deepEqual([...new Set(fr.map((f) => `${f.interfaceId}:${f.linkType}`))].sort(), ['0:113', '1:1']);
    const { events, proc } = meter(fr);
    const c = proc.counters();
    assert.equal(c.netflow_packets_total, 1);
    assert.equal(c.netflow_records_total, 13, '13 v9 flow records (agents/test/fixtures/README.md)');
    assert.equal(events.filter((e) => e.event?.module === 'netflow').length, 13);
    assert.equal(events.filter((e) => e.event?.module === 'flowmeter' && (e.network?.transport === 'tcp' || e.network?.transport === 'udp')).length, 5);
  });
});

describe('malformed captures', () => {
  const pcap = readFileSync(`${SRC}traffic.pcap`);
  test('a file cut inside a record: the frames before it, then ERR_PCAP_TRUNCATED with the record offset', () => {
    const cut = pcap.subarray(0, pcap.length - 10);
    const items = [...readCapture(cut, 'cut.pcap')];
    const err = items.at(-1) as PcapError;
    assert.ok(err instanceof PcapError);
    assert.equal(err.code, 'ERR_PCAP_TRUNCATED');
    assert.equal(items.length, 38);
    assert.equal(err.location?.file, 'cut.pcap');
    assert.equal(err.location?.offset, (items[36] as CaptureFrame).offset + 16 + (items[36] as CaptureFrame).data.length);
  });

  test('a pcapng block with a wrong trailing length is reported and the next block is read', () => {
    const ng = Buffer.from(readFileSync(`${FIX}traffic.pcapng`));
    const good = [...readCapture(ng)].filter((i): i is CaptureFrame => !(i instanceof PcapError));
    const victim = good[4]!;
    const len = ng.readUInt32LE(victim.offset + 4);
    ng.writeUInt32LE(len + 4, victim.offset + len - 4);
    const items = [...readCapture(ng)];
    const errs = items.filter((i) => i instanceof PcapError);
    assert.equal(errs.length, 1);
    assert.equal(errs[0]!.code, 'ERR_PCAP_RECORD');
    assert.equal(errs[0]!.location?.offset, victim.offset + len - 4);
    assert.equal(items.length - errs.length, 37, 'every other frame still read');
  });

  test('unknown magic and short frames give precise errors', () => {
    const [e] = [...readCapture(Buffer.from('not a capture'))];
    assert.ok(e instanceof PcapError && e.code === 'ERR_PCAP_FORMAT');
    const short = decodeFrame(1, Buffer.from('0000000000000000000000000800450000', 'hex'), { frame: 7 });
    assert.ok(short instanceof PcapError);
    assert.equal(short.code, 'ERR_PCAP_PACKET');
    assert.equal(short.location?.offset, 14);
    assert.match(short.toString(), /byte 14: IPv4 header needs 20 bytes, 3 captured \[ERR_PCAP_PACKET\]/);
    const arp = decodeFrame(1, Buffer.alloc(42, 0).fill(Buffer.from([0x08, 0x06]), 12, 14));
    assert.equal(arp, undefined, 'ARP is not IP: skipped, not an error');
    assert.equal((decodeFrame(147, Buffer.alloc(20)) as PcapError).code, 'ERR_PCAP_LINKTYPE');
  });
});

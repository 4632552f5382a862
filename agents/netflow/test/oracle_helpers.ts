// Test helpers: load a fixture pcap + its tshark oracle, and the source traffic as tshark saw it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readPcapUdp, type UdpPayload } from './pcap_payloads.ts';

/** The committed fixtures; NETFLOW_FIXTURES=<dir>/ runs the same tests on a fresh `make_fixtures.sh` output. */
export const FIXTURES = process.env['NETFLOW_FIXTURES'] ?? fileURLToPath(new URL('../../test/fixtures/', import.meta.url));

export type TsharkFlow = Record<string, string>;
export interface TsharkPacket {
  frame: number;
  'udp.srcport': number;
  'udp.dstport': number;
  header: Record<string, string>;
  /** Sets tshark dissected (template and data). */
  set_count: number;
  /** Template ids of the (options) template records tshark dissected. */
  templates: number[];
  sets: { id: number | null; flows: TsharkFlow[] }[];
}

export function loadFixture(name: string): { packets: UdpPayload[]; oracle: TsharkPacket[] } {
  const packets = readPcapUdp(`${FIXTURES}${name}.pcap`);
  const oracle = JSON.parse(readFileSync(`${FIXTURES}${name}.tshark.json`, 'utf8')) as TsharkPacket[];
  return { packets, oracle };
}

/** tshark's absolute time text, e.g. "Nov 26, 2026 01:10:10.958000000 UTC", to unix ms. */
export function tsharkTimeMs(s: string): number {
  const m = /^(\w{3}) +(\d+), (\d{4}) (\d\d):(\d\d):(\d\d)(?:\.(\d+))? UTC$/.exec(s);
  if (!m) throw new Error(`unparsed tshark time ${s}`);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const [, mon, d, y, hh, mm, ss, frac] = m;
  const base = Date.UTC(Number(y), months.indexOf(mon ?? ''), Number(d), Number(hh), Number(mm), Number(ss));
  return base + Number(`0.${frac ?? '0'}`) * 1000;
}

/** tshark's relative seconds text ("4294242.898000000") to integer ms. */
export function secondsToMs(s: string): number {
  return Math.round(Number(s) * 1000);
}

/** One packet of the source traffic (traffic.tshark.csv, first occurrence of each field). */
export interface TrafficPacket {
  timeMs: number;
  src: string;
  dst: string;
  proto: number;
  /** IP total length (IPv6: payload length + 40). */
  ipLength: number;
  srcPort?: number;
  dstPort?: number;
  icmpType?: number;
  icmpCode?: number;
}

export function loadTraffic(): TrafficPacket[] {
  const lines = readFileSync(`${FIXTURES}traffic.tshark.csv`, 'utf8').trim().split('\n');
  const head = (lines.shift() ?? '').split(',');
  return lines.map((line) => {
    const cols = line.split(',');
    const f = (name: string): string | undefined => {
      const v = cols[head.indexOf(name)];
      return v === undefined || v === '' ? undefined : v;
    };
    const num = (name: string) => (f(name) === undefined ? undefined : Number(f(name)));
    const v6 = f('ipv6.src') !== undefined && f('ip.src') === undefined;
    const proto = (v6 ? num('ipv6.nxt') : num('ip.proto')) ?? -1;
    const p: TrafficPacket = {
      timeMs: Number(f('frame.time_epoch')) * 1000,
      src: (v6 ? f('ipv6.src') : f('ip.src')) ?? '',
      dst: (v6 ? f('ipv6.dst') : f('ip.dst')) ?? '',
      proto,
      ipLength: v6 ? (num('ipv6.plen') ?? 0) + 40 : (num('ip.len') ?? 0),
    };
    if (proto === 6) { p.srcPort = num('tcp.srcport'); p.dstPort = num('tcp.dstport'); }
    if (proto === 17) { p.srcPort = num('udp.srcport'); p.dstPort = num('udp.dstport'); }
    if (proto === 1) { p.icmpType = num('icmp.type'); p.icmpCode = num('icmp.code'); }
    if (proto === 58) { p.icmpType = num('icmpv6.type'); p.icmpCode = num('icmpv6.code'); }
    return p;
  });
}

/** Independent re-statement of the uptime rule: counters wrap at 2^32 ms; take the difference nearest zero. */
export function wrappedDiff(a: number, b: number): number {
  const d = (((a - b) % 2 ** 32) + 2 ** 32) % 2 ** 32;
  return d >= 2 ** 31 ? d - 2 ** 32 : d;
}

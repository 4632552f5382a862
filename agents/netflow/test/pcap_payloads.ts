// Test helper: UDP payloads out of a classic pcap file (not pcapng). Link types: Ethernet (1), BSD loopback/null
// (0), OpenBSD loop (108), raw IP (101), Linux SLL (113) and SLL2 (276). IPv4 and IPv6 (no extension headers
// other than none), UDP only. The agent's full pcap input is written elsewhere; this is just enough for fixtures.
import { readFileSync } from 'node:fs';

export interface UdpPayload {
  frame: number;
  /** Capture time, unix ms (fractional). */
  timeMs: number;
  srcAddr: string;
  dstAddr: string;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
}

function ipv4(b: Buffer, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

function ipv6(b: Buffer, o: number): string {
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(b.readUInt16BE(o + i).toString(16));
  return g.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}

export function readPcapUdp(path: string): UdpPayload[] {
  const buf = readFileSync(path);
  if (buf.length < 24) throw new Error(`${path}: not a pcap file (too short)`);
  const magic = buf.readUInt32LE(0);
  let le: boolean;
  let nanos = false;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) le = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) le = false;
  else throw new Error(`${path}: not a classic pcap file (magic ${magic.toString(16)})`);
  if (magic === 0xa1b23c4d || magic === 0x4d3cb2a1) nanos = true;
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = u32(20) & 0x0fffffff;
  const out: UdpPayload[] = [];
  let off = 24;
  let frame = 0;
  while (off + 16 <= buf.length) {
    const sec = u32(off);
    const frac = u32(off + 4);
    const incl = u32(off + 8);
    off += 16;
    if (off + incl > buf.length) throw new Error(`${path}: frame ${frame + 1} truncated`);
    const pkt = buf.subarray(off, off + incl);
    off += incl;
    frame++;
    const timeMs = sec * 1000 + (nanos ? frac / 1e6 : frac / 1e3);
    let l3: number;
    let etherType: number | undefined;
    switch (linkType) {
      case 1: {
        l3 = 14;
        etherType = pkt.readUInt16BE(12);
        while ((etherType === 0x8100 || etherType === 0x88a8) && l3 + 4 <= pkt.length) {
          etherType = pkt.readUInt16BE(l3 + 2);
          l3 += 4;
        }
        break;
      }
      case 0:
      case 108:
      case 101:
        l3 = linkType === 101 ? 0 : 4;
        break;
      case 113:
        l3 = 16;
        etherType = pkt.readUInt16BE(14);
        break;
      case 276:
        l3 = 20;
        etherType = pkt.readUInt16BE(0);
        break;
      default:
        throw new Error(`${path}: unsupported link type ${linkType}`);
    }
    if (l3 >= pkt.length) continue;
    const ipVersion = (pkt[l3] ?? 0) >> 4;
    if (etherType !== undefined && etherType !== 0x0800 && etherType !== 0x86dd) continue;
    let srcAddr: string;
    let dstAddr: string;
    let l4: number;
    if (ipVersion === 4) {
      const ihl = ((pkt[l3] ?? 0) & 0x0f) * 4;
      if (pkt[l3 + 9] !== 17) continue;
      srcAddr = ipv4(pkt, l3 + 12);
      dstAddr = ipv4(pkt, l3 + 16);
      l4 = l3 + ihl;
    } else if (ipVersion === 6) {
      if (pkt[l3 + 6] !== 17) continue;
      srcAddr = ipv6(pkt, l3 + 8);
      dstAddr = ipv6(pkt, l3 + 24);
      l4 = l3 + 40;
    } else continue;
    if (l4 + 8 > pkt.length) continue;
    const udpLen = pkt.readUInt16BE(l4 + 4);
    const end = Math.min(pkt.length, l4 + Math.max(udpLen, 8));
    out.push({ frame, timeMs, srcAddr, dstAddr, srcPort: pkt.readUInt16BE(l4), dstPort: pkt.readUInt16BE(l4 + 2), payload: Buffer.from(pkt.subarray(l4 + 8, end)) });
  }
  return out;
}

// Pure, bounds-checked decoding of one captured frame down to the transport header: link layers Ethernet (with
// 802.1Q / 802.1ad / QinQ tags), Linux SLL and SLL2, raw IPv4/IPv6, BSD null/loop; IPv4 and IPv6 (extension
// headers skipped); TCP, UDP, ICMP, ICMPv6. Returns undefined for frames that carry no IP (ARP, LLDP…), a PcapError
// (offset within the frame) for a frame cut short or inconsistent.
import { PcapError } from './errors.ts';

export const LINKTYPE = { NULL: 0, ETHERNET: 1, RAW: 101, LOOP: 108, LINUX_SLL: 113, IPV4: 228, IPV6: 229, LINUX_SLL2: 276 } as const;

export interface PacketInfo {
  ipVersion: 4 | 6;
  src: string;
  dst: string;
  /** IANA protocol number of the transport (after IPv6 extension headers). */
  protocol: number;
  /** Bytes of the IP packet as its header states it (total length / payload length + 40), as NetFlow counts. */
  ipBytes: number;
  srcPort?: number;
  dstPort?: number;
  /** TCP flags incl. NS (0x100). */
  tcpFlags?: number;
  icmpType?: number;
  icmpCode?: number;
  /** VLAN ids of the tags, outermost first. */
  vlans?: number[];
  /** UDP payload (a view into the frame, clipped to what was captured). */
  payload?: Buffer;
  /** A non-first IPv4/IPv6 fragment: no transport header. */
  fragment?: boolean;
}

const MAX_VLAN_TAGS = 4;
const MAX_IPV6_EXT = 8;

export function decodeFrame(linkType: number, b: Buffer, where: { file?: string; frame?: number } = {}): PacketInfo | PcapError | undefined {
  const bad = (offset: number, msg: string) => new PcapError('ERR_PCAP_PACKET', msg, { ...where, offset });
  let l3: number;
  let etherType: number | undefined;
  let vlans: number[] | undefined;
  switch (linkType) {
    case LINKTYPE.ETHERNET: {
      if (b.length < 14) return bad(0, `Ethernet header needs 14 bytes, the frame has ${b.length}`);
      etherType = b.readUInt16BE(12);
      l3 = 14;
      while (etherType === 0x8100 || etherType === 0x88a8 || etherType === 0x9100) {
        if (l3 + 4 > b.length) return bad(l3, 'VLAN tag cut short');
        (vlans ??= []).push(b.readUInt16BE(l3) & 0x0fff);
        if (vlans.length > MAX_VLAN_TAGS) return bad(l3, `more than ${MAX_VLAN_TAGS} VLAN tags`);
        etherType = b.readUInt16BE(l3 + 2);
        l3 += 4;
      }
      break;
    }
    case LINKTYPE.LINUX_SLL:
      if (b.length < 16) return bad(0, `Linux SLL header needs 16 bytes, the frame has ${b.length}`);
      etherType = b.readUInt16BE(14);
      l3 = 16;
      break;
    case LINKTYPE.LINUX_SLL2:
      if (b.length < 20) return bad(0, `Linux SLL2 header needs 20 bytes, the frame has ${b.length}`);
      etherType = b.readUInt16BE(0);
      l3 = 20;
      break;
    case LINKTYPE.RAW:
    case 12:
    case 14:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      l3 = 0;
      break;
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP:
      if (b.length < 4) return bad(0, 'loopback header needs 4 bytes');
      l3 = 4;
      break;
    default:
      return new PcapError('ERR_PCAP_LINKTYPE', `link type ${linkType} is not decoded`, { ...where, offset: 0 });
  }
  if (etherType !== undefined && etherType !== 0x0800 && etherType !== 0x86dd) return undefined;
  if (l3 >= b.length) return bad(l3, 'no IP header after the link header');
  const version = b[l3]! >> 4;
  if (version === 4) return ipv4(b, l3, vlans, bad);
  if (version === 6) return ipv6(b, l3, vlans, bad);
  return etherType === undefined ? bad(l3, `IP version ${version} is neither 4 nor 6`) : bad(l3, `EtherType ${etherType.toString(16)} but IP version ${version}`);
}

type Bad = (offset: number, msg: string) => PcapError;

function ipv4(b: Buffer, o: number, vlans: number[] | undefined, bad: Bad): PacketInfo | PcapError {
  if (o + 20 > b.length) return bad(o, `IPv4 header needs 20 bytes, ${b.length - o} captured`);
  const ihl = (b[o]! & 0x0f) * 4;
  const total = b.readUInt16BE(o + 2);
  if (ihl < 20) return bad(o, `IPv4 header length ${ihl} below 20`);
  if (total < ihl) return bad(o + 2, `IPv4 total length ${total} below the header length ${ihl}`);
  const info: PacketInfo = { ipVersion: 4, src: `${b[o + 12]}.${b[o + 13]}.${b[o + 14]}.${b[o + 15]}`, dst: `${b[o + 16]}.${b[o + 17]}.${b[o + 18]}.${b[o + 19]}`, protocol: b[o + 9]!, ipBytes: total };
  if (vlans) info.vlans = vlans;
  if ((b.readUInt16BE(o + 6) & 0x1fff) !== 0) {
    info.fragment = true;
    return info;
  }
  return transport(b, o + ihl, Math.min(b.length, o + total), info, bad);
}

function ipv6(b: Buffer, o: number, vlans: number[] | undefined, bad: Bad): PacketInfo | PcapError {
  if (o + 40 > b.length) return bad(o, `IPv6 header needs 40 bytes, ${b.length - o} captured`);
  const payloadLength = b.readUInt16BE(o + 4);
  const info: PacketInfo = { ipVersion: 6, src: ipv6Text(b, o + 8), dst: ipv6Text(b, o + 24), protocol: b[o + 6]!, ipBytes: payloadLength + 40 };
  if (vlans) info.vlans = vlans;
  const end = Math.min(b.length, o + 40 + payloadLength);
  let next = info.protocol;
  let p = o + 40;
  for (let i = 0; ; i++) {
    if (next === 0 || next === 43 || next === 60 || next === 135 || next === 139 || next === 140) {
      if (p + 8 > end) return bad(p, `IPv6 extension header ${next} cut short`);
      const n = b[p]!;
      p += (b[p + 1]! + 1) * 8;
      next = n;
    } else if (next === 44) {
      if (p + 8 > end) return bad(p, 'IPv6 fragment header cut short');
      const n = b[p]!;
      const fragOffset = b.readUInt16BE(p + 2) >> 3;
      p += 8;
      next = n;
      if (fragOffset !== 0) {
        info.protocol = next;
        info.fragment = true;
        return info;
      }
    } else if (next === 51) {
      if (p + 8 > end) return bad(p, 'IPv6 authentication header cut short');
      const n = b[p]!;
      p += (b[p + 1]! + 2) * 4;
      next = n;
    } else break;
    if (i >= MAX_IPV6_EXT) return bad(p, `more than ${MAX_IPV6_EXT} IPv6 extension headers`);
  }
  info.protocol = next;
  if (p > end) return bad(end, 'IPv6 extension headers run past the packet');
  return transport(b, p, end, info, bad);
}

function transport(b: Buffer, p: number, end: number, info: PacketInfo, bad: Bad): PacketInfo | PcapError {
  switch (info.protocol) {
    case 6:
      if (p + 14 > end) return bad(p, `TCP header cut short (${end - p} bytes)`);
      info.srcPort = b.readUInt16BE(p);
      info.dstPort = b.readUInt16BE(p + 2);
      info.tcpFlags = b[p + 13]! | ((b[p + 12]! & 1) << 8);
      break;
    case 17:
    case 136: {
      if (p + 8 > end) return bad(p, `UDP header cut short (${end - p} bytes)`);
      info.srcPort = b.readUInt16BE(p);
      info.dstPort = b.readUInt16BE(p + 2);
      const udpLen = b.readUInt16BE(p + 4);
      if (udpLen !== 0 && udpLen < 8) return bad(p + 4, `UDP length ${udpLen} below 8`);
      info.payload = b.subarray(p + 8, udpLen === 0 ? end : Math.min(end, p + udpLen));
      break;
    }
    case 1:
    case 58:
      if (p + 2 > end) return bad(p, 'ICMP header cut short');
      info.icmpType = b[p]!;
      info.icmpCode = b[p + 1]!;
      break;
    default:
      break;
  }
  return info;
}

/** RFC 5952 text form. */
export function ipv6Text(b: Buffer, o: number): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(b.readUInt16BE(o + i));
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`;
}

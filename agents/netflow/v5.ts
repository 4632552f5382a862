// NetFlow v5: a 24-byte header and `count` fixed 48-byte records (no templates).
import type { DecodeOptions, DecodeResult } from './context.ts';
import { emptyResult } from './context.ts';
import { NetflowDecodeError } from './errors.ts';
import { formatIPv4 } from './fields.ts';
import { Reader } from './reader.ts';
import type { FlowRecord } from './record.ts';
import { uptimeAgeMs } from './record.ts';

export const V5_HEADER_LENGTH = 24;
export const V5_RECORD_LENGTH = 48;
/** Cisco documents at most 30 records per v5 packet; more is accepted while the bytes are there. */
export const V5_MAX_RECORDS = 30;

export interface V5Header {
  version: 5;
  count: number;
  sysUptimeMs: number;
  unixSecs: number;
  unixNsecs: number;
  sequence: number;
  engineType: number;
  engineId: number;
  /** Top 2 bits: sampling mode; low 14 bits: sampling interval. */
  samplingInterval: number;
}

export function readV5Header(r: Reader): V5Header {
  if (r.remaining < V5_HEADER_LENGTH) {
    throw new NetflowDecodeError('ERR_NETFLOW_TRUNCATED', `NetFlow v5 header needs ${V5_HEADER_LENGTH} bytes, packet has ${r.remaining}`, { offset: r.offset, field: 'header', version: 5 });
  }
  const version = r.u16('header.version');
  if (version !== 5) throw new NetflowDecodeError('ERR_NETFLOW_VERSION', `expected version 5, got ${version}`, { offset: 0, field: 'header.version' });
  return {
    version: 5, count: r.u16('header.count'), sysUptimeMs: r.u32('header.sysUptime'), unixSecs: r.u32('header.unixSecs'),
    unixNsecs: r.u32('header.unixNsecs'), sequence: r.u32('header.flowSequence'), engineType: r.u8('header.engineType'),
    engineId: r.u8('header.engineId'), samplingInterval: r.u16('header.samplingInterval'),
  };
}

/** Decode one v5 export packet. Never throws. */
export function decodeV5(buf: Buffer, opts: DecodeOptions): DecodeResult {
  const out = emptyResult(5);
  const r = new Reader(buf);
  let h: V5Header;
  try {
    h = readV5Header(r);
  } catch (e) {
    out.errors.push(e instanceof NetflowDecodeError ? e : new NetflowDecodeError('ERR_NETFLOW_INTERNAL', String(e), { cause: e }));
    return out;
  }
  const ctx = { version: 5, exporter: opts.exporter, domainId: (h.engineType << 8) | h.engineId };
  // The loop is bounded by the bytes present, whatever `count` says.
  let count = h.count;
  if (count * V5_RECORD_LENGTH > r.remaining) {
    out.errors.push(new NetflowDecodeError('ERR_NETFLOW_LENGTH', `header count ${h.count} needs ${h.count * V5_RECORD_LENGTH} bytes of records, packet has ${r.remaining}`, { ...ctx, offset: 2, field: 'header.count' }));
    count = Math.floor(r.remaining / V5_RECORD_LENGTH);
  }
  const exportTimeMs = h.unixSecs * 1000 + Math.floor(h.unixNsecs / 1e6);
  const interval = h.samplingInterval & 0x3fff;
  const rate = interval > 1 ? interval : undefined;
  for (let i = 0; i < count; i++) {
    const at = r.offset;
    try {
      out.records.push(readV5Record(r, h, opts.exporter, exportTimeMs, rate));
      if (opts.metrics) opts.metrics.decoded_records_total++;
    } catch (e) {
      out.errors.push(e instanceof NetflowDecodeError ? e.withContext(ctx) : new NetflowDecodeError('ERR_NETFLOW_INTERNAL', String(e), { ...ctx, offset: at, cause: e }));
      break;
    }
  }
  return out;
}

function readV5Record(r: Reader, h: V5Header, exporter: string, exportTimeMs: number, rate: number | undefined): FlowRecord {
  const rec = r.sub(V5_RECORD_LENGTH, 'v5 record');
  const srcAddr = formatIPv4(rec.bytes(4, 'srcaddr'));
  const dstAddr = formatIPv4(rec.bytes(4, 'dstaddr'));
  const nextHop = formatIPv4(rec.bytes(4, 'nexthop'));
  const inputIf = rec.u16('input');
  const outputIf = rec.u16('output');
  const packets = rec.u32('dPkts');
  const bytes = rec.u32('dOctets');
  const first = rec.u32('first');
  const last = rec.u32('last');
  const srcPort = rec.u16('srcport');
  const dstPort = rec.u16('dstport');
  rec.skip(1, 'pad1');
  const tcpFlags = rec.u8('tcp_flags');
  const protocol = rec.u8('prot');
  const tos = rec.u8('tos');
  const srcAs = rec.u16('src_as');
  const dstAs = rec.u16('dst_as');
  const srcMask = rec.u8('src_mask');
  const dstMask = rec.u8('dst_mask');
  const fields = {
    sourceIPv4Address: srcAddr, destinationIPv4Address: dstAddr, ipNextHopIPv4Address: nextHop, ingressInterface: inputIf,
    egressInterface: outputIf, packetDeltaCount: packets, octetDeltaCount: bytes, flowStartSysUpTime: first, flowEndSysUpTime: last,
    sourceTransportPort: srcPort, destinationTransportPort: dstPort, tcpControlBits: tcpFlags, protocolIdentifier: protocol,
    ipClassOfService: tos, bgpSourceAsNumber: srcAs, bgpDestinationAsNumber: dstAs, sourceIPv4PrefixLength: srcMask,
    destinationIPv4PrefixLength: dstMask,
  };
  const out: FlowRecord = {
    version: 5, exporter, domainId: (h.engineType << 8) | h.engineId, sequence: h.sequence, exportTimeMs, ipVersion: 4,
    srcAddr, dstAddr, nextHop, srcPort, dstPort, protocol, tos, tcpFlags,
    bytes: rate === undefined ? bytes : bytes * rate, packets: rate === undefined ? packets : packets * rate,
    inputIf, outputIf, srcAs, dstAs, srcMask, dstMask,
    startMs: exportTimeMs - uptimeAgeMs(h.sysUptimeMs, first),
    endMs: exportTimeMs - uptimeAgeMs(h.sysUptimeMs, last),
    fields,
  };
  if (rate !== undefined) out.samplingRate = rate;
  if (protocol === 1) {
    // v5 carries the ICMP type/code in the destination port.
    out.icmpType = dstPort >> 8;
    out.icmpCode = dstPort & 0xff;
  }
  return out;
}

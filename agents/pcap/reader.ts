// Pure, bounds-checked reader of capture files: classic pcap (both byte orders, µs and ns timestamps) and pcapng
// (SHB/IDB/EPB/SPB and the obsolete PB; several sections and interfaces; options walked with bounds checks, only
// if_tsresol/if_tsoffset used, the rest skipped). No I/O: give it the file's bytes.
// A bad record yields a PcapError with its byte offset and reading resumes at the next record when its length is
// known; a record running past the end of the file ends the reading (there is nothing after it to resume at).
import { PcapError } from './errors.ts';

export interface CaptureFrame {
  /** 1-based frame number, as tshark counts. */
  frame: number;
  /** Byte offset of the record (pcap) or block (pcapng) in the file. */
  offset: number;
  interfaceId: number;
  linkType: number;
  /** Capture time in whole microseconds since the epoch (ns resolutions are truncated). */
  tsUs: number;
  originalLength: number;
  data: Buffer;
}

export type CaptureItem = CaptureFrame | PcapError;

export const MAX_FRAME_BYTES = 256 * 1024;
/** The last instant a JS Date can hold, in µs. */
const MAX_TS_US = 8.64e18;

export function captureFormat(buf: Buffer): 'pcap' | 'pcapng' | undefined {
  if (buf.length < 4) return undefined;
  const m = buf.readUInt32LE(0);
  if (m === 0xa1b2c3d4 || m === 0xa1b23c4d || m === 0xd4c3b2a1 || m === 0x4d3cb2a1) return 'pcap';
  if (m === 0x0a0d0d0a) return 'pcapng';
  return undefined;
}

/** Every frame (or error) of a capture, in file order. Never throws. */
export function* readCapture(buf: Buffer, file?: string): Generator<CaptureItem> {
  const format = captureFormat(buf);
  if (format === 'pcap') yield* readPcap(buf, file);
  else if (format === 'pcapng') yield* readPcapng(buf, file);
  else yield new PcapError('ERR_PCAP_FORMAT', `not a pcap or pcapng file (first bytes ${buf.subarray(0, 4).toString('hex') || 'none'})`, { file, offset: 0 });
}

function* readPcap(buf: Buffer, file: string | undefined): Generator<CaptureItem> {
  if (buf.length < 24) {
    yield new PcapError('ERR_PCAP_FORMAT', `pcap global header needs 24 bytes, the file has ${buf.length}`, { file, offset: 0 });
    return;
  }
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nanos = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const u32 = le ? (o: number) => buf.readUInt32LE(o) : (o: number) => buf.readUInt32BE(o);
  const snaplen = u32(16);
  const linkType = u32(20) & 0x0fffffff;
  const limit = Math.max(MAX_FRAME_BYTES, Math.min(snaplen, 16 * 1024 * 1024));
  let off = 24;
  let frame = 0;
  while (off < buf.length) {
    frame++;
    if (off + 16 > buf.length) {
      yield new PcapError('ERR_PCAP_TRUNCATED', `record header needs 16 bytes, ${buf.length - off} left`, { file, offset: off, frame });
      return;
    }
    const sec = u32(off);
    const frac = u32(off + 4);
    const incl = u32(off + 8);
    const orig = u32(off + 12);
    const data = off + 16;
    if (incl > limit) {
      // a length this large is garbage: the next record cannot be located reliably
      yield new PcapError('ERR_PCAP_RECORD', `captured length ${incl} exceeds the limit of ${limit}`, { file, offset: off, frame });
      return;
    }
    if (data + incl > buf.length) {
      yield new PcapError('ERR_PCAP_TRUNCATED', `record of ${incl} bytes runs ${data + incl - buf.length} bytes past the end of the file`, { file, offset: off, frame });
      return;
    }
    off = data + incl;
    if ((nanos && frac >= 1e9) || (!nanos && frac >= 1e6)) {
      yield new PcapError('ERR_PCAP_RECORD', `timestamp fraction ${frac} out of range`, { file, offset: off - incl - 16 + 4, frame });
      continue;
    }
    yield { frame, offset: data - 16, interfaceId: 0, linkType, tsUs: sec * 1e6 + (nanos ? Math.floor(frac / 1000) : frac), originalLength: Math.max(orig, incl), data: buf.subarray(data, data + incl) };
  }
}

interface Interface {
  linkType: number;
  snaplen: number;
  /** Timestamp units per second. */
  unitsPerSec: bigint;
  offsetSec: bigint;
}

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 1;
const BT_PB = 2;
const BT_SPB = 3;
const BT_EPB = 6;

function* readPcapng(buf: Buffer, file: string | undefined): Generator<CaptureItem> {
  let off = 0;
  let le = true;
  let ifaces: Interface[] = [];
  let frame = 0;
  while (off < buf.length) {
    if (off + 12 > buf.length) {
      yield new PcapError('ERR_PCAP_TRUNCATED', `block header needs 12 bytes, ${buf.length - off} left`, { file, offset: off });
      return;
    }
    let type = le ? buf.readUInt32LE(off) : buf.readUInt32BE(off);
    if (type === BT_SHB) {
      const bom = buf.readUInt32LE(off + 8);
      if (bom === 0x1a2b3c4d) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else {
        yield new PcapError('ERR_PCAP_FORMAT', `section header byte-order magic ${bom.toString(16)} is neither 1a2b3c4d nor 4d3c2b1a`, { file, offset: off + 8 });
        return;
      }
      type = BT_SHB;
      ifaces = [];
    }
    const u32 = le ? (o: number) => buf.readUInt32LE(o) : (o: number) => buf.readUInt32BE(o);
    const u16 = le ? (o: number) => buf.readUInt16LE(o) : (o: number) => buf.readUInt16BE(o);
    const len = u32(off + 4);
    if (len < 12 || len % 4 !== 0) {
      yield new PcapError('ERR_PCAP_RECORD', `block total length ${len} is below 12 or not a multiple of 4`, { file, offset: off + 4 });
      return;
    }
    if (off + len > buf.length) {
      yield new PcapError('ERR_PCAP_TRUNCATED', `block of ${len} bytes runs ${off + len - buf.length} bytes past the end of the file`, { file, offset: off });
      return;
    }
    const blockOff = off;
    const body = off + 8;
    const end = off + len - 4;
    off += len;
    if (u32(end) !== len) {
      yield new PcapError('ERR_PCAP_RECORD', `block trailing length ${u32(end)} differs from its leading length ${len}`, { file, offset: end });
      continue;
    }
    switch (type) {
      case BT_SHB:
        if (end - body < 16) yield new PcapError('ERR_PCAP_RECORD', 'section header block shorter than 28 bytes', { file, offset: blockOff });
        break;
      case BT_IDB: {
        if (end - body < 8) {
          yield new PcapError('ERR_PCAP_RECORD', 'interface description block shorter than 20 bytes', { file, offset: blockOff });
          ifaces.push({ linkType: -1, snaplen: 0, unitsPerSec: 1_000_000n, offsetSec: 0n });
          break;
        }
        const iface: Interface = { linkType: u16(body), snaplen: u32(body + 4), unitsPerSec: 1_000_000n, offsetSec: 0n };
        for (const opt of options(buf, body + 8, end, u16)) {
          if (opt.code === 9 && opt.length >= 1) {
            const v = buf[opt.at]!;
            const exp = BigInt(v & 0x7f);
            if (exp > 60n) yield new PcapError('ERR_PCAP_RECORD', `if_tsresol ${v} out of range; microseconds assumed`, { file, offset: opt.at });
            else iface.unitsPerSec = v & 0x80 ? 2n ** exp : 10n ** exp;
          } else if (opt.code === 14 && opt.length >= 8) {
            iface.offsetSec = le ? buf.readBigInt64LE(opt.at) : buf.readBigInt64BE(opt.at);
          } else if (opt.code === -1) {
            yield new PcapError('ERR_PCAP_RECORD', 'option runs past the end of its block; rest of the options skipped', { file, offset: opt.at });
          }
        }
        ifaces.push(iface);
        break;
      }
      case BT_EPB:
      case BT_PB: {
        frame++;
        if (end - body < 20) {
          yield new PcapError('ERR_PCAP_RECORD', 'packet block shorter than its fixed fields', { file, offset: blockOff, frame });
          break;
        }
        const ifId = type === BT_EPB ? u32(body) : u16(body);
        const iface = ifaces[ifId];
        const hi = u32(body + 4);
        const lo = u32(body + 8);
        const incl = u32(body + 12);
        const orig = u32(body + 16);
        if (!iface) {
          yield new PcapError('ERR_PCAP_RECORD', `packet refers to interface ${ifId}, the section has ${ifaces.length}`, { file, offset: body, frame });
          break;
        }
        if (body + 20 + incl > end) {
          yield new PcapError('ERR_PCAP_RECORD', `captured length ${incl} exceeds the block (${end - body - 20} bytes of data)`, { file, offset: body + 12, frame });
          break;
        }
        const tsUs = tsToUs(hi, lo, iface);
        if (!(Math.abs(tsUs) <= MAX_TS_US)) {
          yield new PcapError('ERR_PCAP_RECORD', `timestamp ${hi}:${lo} is beyond the representable dates`, { file, offset: body + 4, frame });
          break;
        }
        yield { frame, offset: blockOff, interfaceId: ifId, linkType: iface.linkType, tsUs, originalLength: Math.max(orig, incl), data: buf.subarray(body + 20, body + 20 + incl) };
        break;
      }
      case BT_SPB: {
        frame++;
        const iface = ifaces[0];
        if (!iface || end - body < 4) {
          yield new PcapError('ERR_PCAP_RECORD', iface ? 'simple packet block shorter than 16 bytes' : 'simple packet block before any interface', { file, offset: blockOff, frame });
          break;
        }
        const orig = u32(body);
        let incl = Math.min(orig, end - body - 4);
        if (iface.snaplen > 0) incl = Math.min(incl, iface.snaplen);
        // SPBs carry no timestamp: 0, the meter and replay treat it as "no time".
        yield { frame, offset: blockOff, interfaceId: 0, linkType: iface.linkType, tsUs: 0, originalLength: orig, data: buf.subarray(body + 4, body + 4 + incl) };
        break;
      }
      default:
        // NRB, ISB, DSB, custom and unknown blocks: skipped by their length.
        break;
    }
  }
}

function tsToUs(hi: number, lo: number, iface: Interface): number {
  if (iface.unitsPerSec === 1_000_000n && iface.offsetSec === 0n) return hi * 4294967296 + lo;
  const ts = (BigInt(hi) << 32n) | BigInt(lo);
  return Number((ts * 1_000_000n) / iface.unitsPerSec + iface.offsetSec * 1_000_000n);
}

/** Walks pcapng options; a bad length yields one { code: -1 } and stops. */
function* options(buf: Buffer, from: number, end: number, u16: (o: number) => number): Generator<{ code: number; at: number; length: number }> {
  let o = from;
  while (o + 4 <= end) {
    const code = u16(o);
    const length = u16(o + 2);
    if (code === 0) return;
    if (o + 4 + length > end) {
      yield { code: -1, at: o, length: 0 };
      return;
    }
    yield { code, at: o + 4, length };
    o += 4 + ((length + 3) & ~3);
  }
}

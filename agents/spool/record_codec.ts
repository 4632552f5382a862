// On-disk record framing of the spool, pure: [u32 length][u32 crc32][u8 kind][payload].
// A torn tail (a record cut short by a crash) or a corrupt record is detected by length and checksum.
import { crc32 } from 'node:zlib';

export const HEADER_BYTES = 9;

/** A record read back from the spool: `payload` is a view into the buffer it was decoded from. */
export interface SpoolRecord {
  kind: number;
  payload: Buffer;
}

/** A record to append: the payload as bytes, or as a string written as UTF-8 straight into the frame. */
export interface NewRecord {
  kind: number;
  payload: Buffer | string;
}

export const payloadBytes = (r: NewRecord): number => (typeof r.payload === 'string' ? Buffer.byteLength(r.payload) : r.payload.length);

/** Frames `r` (of `payloadLength` bytes, see payloadBytes) into `out` at 0; returns the framed length. */
export function encodeRecordInto(out: Buffer, r: NewRecord, payloadLength: number): number {
  const end = HEADER_BYTES + payloadLength;
  if (out.length < end) throw new RangeError(`record frame of ${end} bytes does not fit a ${out.length}-byte buffer`);
  out.writeUInt32LE(payloadLength, 0);
  out.writeUInt8(r.kind, 8);
  if (typeof r.payload === 'string') out.write(r.payload, HEADER_BYTES, 'utf8');
  else r.payload.copy(out, HEADER_BYTES);
  out.writeUInt32LE(crc32(out.subarray(8, end)), 4);
  return end;
}

export function encodeRecord(r: NewRecord): Buffer {
  const length = payloadBytes(r);
  const out = Buffer.allocUnsafe(HEADER_BYTES + length);
  encodeRecordInto(out, r, length);
  return out;
}

export type DecodeStep =
  | { ok: true; record: SpoolRecord; next: number }
  | { ok: false; reason: 'end' | 'torn' | 'corrupt'; at: number };

/**
 * Decodes the record at `offset`; 'end' exactly at the end, 'torn' if cut short, 'corrupt' on a bad checksum.
 * The payload is a view into `buf` (no copy): whoever keeps the record keeps `buf`.
 */
export function decodeRecord(buf: Buffer, offset: number, maxRecordBytes: number): DecodeStep {
  if (offset === buf.length) return { ok: false, reason: 'end', at: offset };
  if (buf.length - offset < HEADER_BYTES) return { ok: false, reason: 'torn', at: offset };
  const length = buf.readUInt32LE(offset);
  if (length > maxRecordBytes) return { ok: false, reason: 'corrupt', at: offset };
  const end = offset + HEADER_BYTES + length;
  if (end > buf.length) return { ok: false, reason: 'torn', at: offset };
  if (crc32(buf.subarray(offset + 8, end)) !== buf.readUInt32LE(offset + 4)) return { ok: false, reason: 'corrupt', at: offset };
  return { ok: true, record: { kind: buf.readUInt8(offset + 8), payload: buf.subarray(offset + HEADER_BYTES, end) }, next: end };
}

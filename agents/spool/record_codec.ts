// On-disk record framing of the spool, pure: [u32 length][u32 crc32][u8 kind][payload].
// A torn tail (a record cut short by a crash) or a corrupt record is detected by length and checksum.
import { crc32 } from 'node:zlib';

export const HEADER_BYTES = 9;

export interface SpoolRecord {
  kind: number;
  payload: Buffer;
}

export function encodeRecord(r: SpoolRecord): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + r.payload.length);
  out.writeUInt32LE(r.payload.length, 0);
  out.writeUInt8(r.kind, 8);
  r.payload.copy(out, HEADER_BYTES);
  out.writeUInt32LE(crc32(out.subarray(8)), 4);
  return out;
}

export type DecodeStep =
  | { ok: true; record: SpoolRecord; next: number }
  | { ok: false; reason: 'end' | 'torn' | 'corrupt'; at: number };

/** Decodes the record at `offset`; 'end' exactly at the end, 'torn' if cut short, 'corrupt' on a bad checksum. */
export function decodeRecord(buf: Buffer, offset: number, maxRecordBytes: number): DecodeStep {
  if (offset === buf.length) return { ok: false, reason: 'end', at: offset };
  if (buf.length - offset < HEADER_BYTES) return { ok: false, reason: 'torn', at: offset };
  const length = buf.readUInt32LE(offset);
  if (length > maxRecordBytes) return { ok: false, reason: 'corrupt', at: offset };
  const end = offset + HEADER_BYTES + length;
  if (end > buf.length) return { ok: false, reason: 'torn', at: offset };
  if (crc32(buf.subarray(offset + 8, end)) !== buf.readUInt32LE(offset + 4)) return { ok: false, reason: 'corrupt', at: offset };
  return { ok: true, record: { kind: buf.readUInt8(offset + 8), payload: Buffer.from(buf.subarray(offset + HEADER_BYTES, end)) }, next: end };
}

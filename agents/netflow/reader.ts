// A bounds-checked big-endian reader over a Buffer (goflow2 `BinaryDecoder`): every read checks the remaining
// length first and throws a NetflowDecodeError(ERR_NETFLOW_TRUNCATED) carrying the absolute byte offset.
import { NetflowDecodeError } from './errors.ts';

export { NetflowDecodeError, NETFLOW_ERROR_CODES } from './errors.ts';
export type { NetflowErrorCode, NetflowErrorContext } from './errors.ts';

export class Reader {
  private pos: number;
  private readonly end: number;

  /**
   * @param buf the whole packet
   * @param start first byte this reader may read
   * @param end one past the last byte this reader may read (clamped to the buffer)
   */
  constructor(
    readonly buf: Buffer,
    start = 0,
    end: number = buf.length,
  ) {
    this.end = Math.min(Math.max(end, 0), buf.length);
    this.pos = Math.min(Math.max(start, 0), this.end);
  }

  /** Absolute offset of the next byte in the packet. */
  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless `n` more bytes are available; `what` names the field in the error. */
  need(n: number, what: string): void {
    if (!Number.isInteger(n) || n < 0) {
      throw new NetflowDecodeError('ERR_NETFLOW_LENGTH', `invalid length ${n} for ${what}`, { offset: this.pos, field: what });
    }
    if (n > this.end - this.pos) {
      throw new NetflowDecodeError('ERR_NETFLOW_TRUNCATED', `${what}: need ${n} bytes, ${this.end - this.pos} left`, { offset: this.pos, field: what });
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf.readUInt8(this.pos++);
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(what: string): bigint {
    this.need(8, what);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  /** An unsigned integer of 1..8 bytes (IPFIX reduced-size encoding); a number when it is a safe integer. */
  uint(n: number, what: string): number | bigint {
    if (n < 1 || n > 8) throw new NetflowDecodeError('ERR_NETFLOW_LENGTH', `${what}: unsigned field of ${n} bytes`, { offset: this.pos, field: what });
    this.need(n, what);
    if (n <= 6) {
      const v = this.buf.readUIntBE(this.pos, n);
      this.pos += n;
      return v;
    }
    let v = 0n;
    for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(this.buf[this.pos + i] ?? 0);
    this.pos += n;
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  /** A view (no copy) of the next `n` bytes; the length is checked before anything is allocated. */
  bytes(n: number, what: string): Buffer {
    this.need(n, what);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }

  /** A reader over the next `n` bytes, advancing this one past them. */
  sub(n: number, what: string): Reader {
    this.need(n, what);
    const r = new Reader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }
}

// Syslog over a byte stream (TCP/TLS), RFC 6587: octet-counting ("LEN SP MSG", §3.4.1) and non-transparent
// framing (MSG terminated by LF, §3.4.2; a CR before the LF and NUL terminators are tolerated). Pure, streaming and
// bounded: a frame never buffers more than maxMessageBytes, whatever the peer sends. In `auto` mode every frame is
// classified by its first byte (a digit → octet-counting, anything else → newline), as rsyslog does.
// An oversized frame is reported and skipped (octet-counting: exactly LEN bytes; newline: up to the next LF),
// so the stream resyncs on the following frame. A bad length prefix is skipped up to the next LF.
import { SyslogError } from './errors.ts';

export type FramingMode = 'auto' | 'octet-counting' | 'non-transparent';

export type Frame = { type: 'message'; data: Buffer; offset: number } | { type: 'error'; error: SyslogError };

const LF = 0x0a;
const SP = 0x20;
const MAX_LEN_DIGITS = 10;

type State =
  | { kind: 'start' }
  | { kind: 'length'; digits: string }
  | { kind: 'octets'; remaining: number; parts: Buffer[] }
  | { kind: 'line'; parts: Buffer[]; size: number }
  | { kind: 'skip-octets'; remaining: number }
  | { kind: 'skip-line' };

export class SyslogFramer {
  private state: State = { kind: 'start' };
  /** Stream offset of the next byte to be pushed. */
  private consumed = 0;
  /** Stream offset where the current frame started. */
  private frameStart = 0;

  constructor(
    private readonly opts: { maxMessageBytes: number; mode?: FramingMode },
  ) {}

  push(chunk: Buffer): Frame[] {
    const out: Frame[] = [];
    let i = 0;
    const mode = this.opts.mode ?? 'auto';
    const max = this.opts.maxMessageBytes;
    while (i < chunk.length) {
      const st = this.state;
      const at = this.consumed + i;
      switch (st.kind) {
        case 'start': {
          const b = chunk[i]!;
          this.frameStart = at;
          if (b === LF && mode !== 'octet-counting') {
            i++; // empty line between frames: ignored
          } else if (mode === 'octet-counting' || (mode === 'auto' && b >= 0x30 && b <= 0x39)) {
            this.state = { kind: 'length', digits: '' };
          } else {
            this.state = { kind: 'line', parts: [], size: 0 };
          }
          break;
        }
        case 'length': {
          const b = chunk[i]!;
          if (b >= 0x30 && b <= 0x39 && st.digits.length < MAX_LEN_DIGITS) {
            st.digits += String.fromCharCode(b);
            i++;
          } else if (b === SP && st.digits.length > 0 && st.digits[0] !== '0') {
            i++;
            const len = Number(st.digits);
            if (len > max) {
              out.push({ type: 'error', error: oversize(this.frameStart, `octet-counted frame of ${len} bytes exceeds maxMessageBytes ${max}`) });
              this.state = len > 0 ? { kind: 'skip-octets', remaining: len } : { kind: 'start' };
            } else this.state = { kind: 'octets', remaining: len, parts: [] };
          } else {
            out.push({ type: 'error', error: new SyslogError('ERR_SYSLOG_FRAMING', `bad octet-counting length prefix '${st.digits}' followed by byte 0x${b.toString(16).padStart(2, '0')}; skipping to the next LF`, { location: { offset: at } }) });
            this.state = { kind: 'skip-line' };
          }
          break;
        }
        case 'octets': {
          const take = Math.min(st.remaining, chunk.length - i);
          st.parts.push(chunk.subarray(i, i + take));
          st.remaining -= take;
          i += take;
          if (st.remaining === 0) {
            out.push({ type: 'message', data: Buffer.concat(st.parts), offset: this.frameStart });
            this.state = { kind: 'start' };
          }
          break;
        }
        case 'skip-octets': {
          const take = Math.min(st.remaining, chunk.length - i);
          st.remaining -= take;
          i += take;
          if (st.remaining === 0) this.state = { kind: 'start' };
          break;
        }
        case 'line': {
          const nl = chunk.indexOf(LF, i);
          const end = nl === -1 ? chunk.length : nl;
          if (st.size + (end - i) > max) {
            out.push({ type: 'error', error: oversize(this.frameStart, `line longer than maxMessageBytes ${max} without LF`) });
            this.state = { kind: 'skip-line' };
            break;
          }
          st.parts.push(chunk.subarray(i, end));
          st.size += end - i;
          i = end;
          if (nl !== -1) {
            i++;
            out.push({ type: 'message', data: stripTrailer(Buffer.concat(st.parts)), offset: this.frameStart });
            this.state = { kind: 'start' };
          }
          break;
        }
        case 'skip-line': {
          const nl = chunk.indexOf(LF, i);
          if (nl === -1) i = chunk.length;
          else {
            i = nl + 1;
            this.state = { kind: 'start' };
          }
          break;
        }
      }
    }
    this.consumed += chunk.length;
    // Copy out of the caller's chunk so a retained partial frame does not pin a large socket buffer.
    if (this.state.kind === 'line' || this.state.kind === 'octets') {
      const parts = this.state.parts;
      const last = parts[parts.length - 1];
      if (last && last.buffer === chunk.buffer) parts[parts.length - 1] = Buffer.from(last);
    }
    return out;
  }

  /** End of stream: a newline frame without its LF is still a message (RFC 6587 §3.4.2 allows closing the connection). */
  end(): Frame[] {
    const st = this.state;
    this.state = { kind: 'start' };
    if (st.kind === 'line' && st.size > 0) return [{ type: 'message', data: stripTrailer(Buffer.concat(st.parts)), offset: this.frameStart }];
    if (st.kind === 'octets' || st.kind === 'length') {
      return [{ type: 'error', error: new SyslogError('ERR_SYSLOG_FRAMING', 'connection closed inside an octet-counted frame', { location: { offset: this.frameStart } }) }];
    }
    return [];
  }

  /** Bytes held for an incomplete frame (bounded by maxMessageBytes). */
  buffered(): number {
    const st = this.state;
    return st.kind === 'line' ? st.size : st.kind === 'octets' ? st.parts.reduce((n, p) => n + p.length, 0) : 0;
  }
}

function oversize(offset: number, why: string): SyslogError {
  return new SyslogError('ERR_SYSLOG_OVERSIZE', why, { location: { offset } });
}

function stripTrailer(b: Buffer): Buffer {
  let end = b.length;
  while (end > 0 && (b[end - 1] === 0x0d || b[end - 1] === 0x00)) end--;
  return end === b.length ? b : b.subarray(0, end);
}

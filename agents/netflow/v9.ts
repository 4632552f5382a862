// NetFlow v9 (RFC 3954): 20-byte header, then template (0), options template (1) and data (>= 256) flowsets.
import type { DecodeOptions, DecodeResult } from './context.ts';
import { emptyResult } from './context.ts';
import { NetflowDecodeError } from './errors.ts';
import { decodeSets } from './flowsets.ts';
import { Reader } from './reader.ts';
import type { HeaderContext } from './state.ts';

export const V9_HEADER_LENGTH = 20;

export interface V9Header {
  version: 9;
  count: number;
  sysUptimeMs: number;
  unixSecs: number;
  sequence: number;
  sourceId: number;
}

export function readV9Header(r: Reader): V9Header {
  if (r.remaining < V9_HEADER_LENGTH) {
    throw new NetflowDecodeError('ERR_NETFLOW_TRUNCATED', `NetFlow v9 header needs ${V9_HEADER_LENGTH} bytes, packet has ${r.remaining}`, { offset: r.offset, field: 'header', version: 9 });
  }
  const version = r.u16('header.version');
  if (version !== 9) throw new NetflowDecodeError('ERR_NETFLOW_VERSION', `expected version 9, got ${version}`, { offset: 0, field: 'header.version' });
  return { version: 9, count: r.u16('header.count'), sysUptimeMs: r.u32('header.sysUptime'), unixSecs: r.u32('header.unixSecs'), sequence: r.u32('header.sequence'), sourceId: r.u32('header.sourceId') };
}

/** Decode one v9 export packet. Never throws. */
export function decodeV9(buf: Buffer, opts: DecodeOptions): DecodeResult {
  const out = emptyResult(9);
  const r = new Reader(buf);
  let h: V9Header;
  try {
    h = readV9Header(r);
  } catch (e) {
    out.errors.push(e instanceof NetflowDecodeError ? e : new NetflowDecodeError('ERR_NETFLOW_INTERNAL', String(e), { cause: e }));
    return out;
  }
  const header: HeaderContext = { version: 9, exporter: opts.exporter, domainId: h.sourceId, sequence: h.sequence, exportTimeMs: h.unixSecs * 1000, sysUptimeMs: h.sysUptimeMs };
  // `count` (records in the packet) is not trusted for bounds: the sets' own lengths are (exporters get it wrong).
  decodeSets(r, header, opts, out);
  return out;
}

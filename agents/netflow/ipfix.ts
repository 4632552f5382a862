// IPFIX (RFC 7011): 16-byte message header with the message length, then template (2), options template (3) and
// data (>= 256) sets; variable-length fields, enterprise-specific fields and template withdrawal.
import type { DecodeOptions, DecodeResult } from './context.ts';
import { emptyResult } from './context.ts';
import { NetflowDecodeError } from './errors.ts';
import { decodeSets } from './flowsets.ts';
import { Reader } from './reader.ts';
import type { HeaderContext } from './state.ts';

export const IPFIX_HEADER_LENGTH = 16;

export interface IpfixHeader {
  version: 10;
  length: number;
  exportTimeSecs: number;
  sequence: number;
  observationDomainId: number;
}

export function readIpfixHeader(r: Reader): IpfixHeader {
  if (r.remaining < IPFIX_HEADER_LENGTH) {
    throw new NetflowDecodeError('ERR_NETFLOW_TRUNCATED', `IPFIX header needs ${IPFIX_HEADER_LENGTH} bytes, packet has ${r.remaining}`, { offset: r.offset, field: 'header', version: 10 });
  }
  const version = r.u16('header.version');
  if (version !== 10) throw new NetflowDecodeError('ERR_NETFLOW_VERSION', `expected version 10, got ${version}`, { offset: 0, field: 'header.version' });
  return { version: 10, length: r.u16('header.length'), exportTimeSecs: r.u32('header.exportTime'), sequence: r.u32('header.sequence'), observationDomainId: r.u32('header.observationDomainId') };
}

/** Decode one IPFIX message. Never throws. */
export function decodeIpfix(buf: Buffer, opts: DecodeOptions): DecodeResult {
  const out = emptyResult(10);
  let h: IpfixHeader;
  try {
    h = readIpfixHeader(new Reader(buf));
  } catch (e) {
    out.errors.push(e instanceof NetflowDecodeError ? e : new NetflowDecodeError('ERR_NETFLOW_INTERNAL', String(e), { cause: e }));
    return out;
  }
  if (h.length < IPFIX_HEADER_LENGTH || h.length > buf.length) {
    out.errors.push(new NetflowDecodeError('ERR_NETFLOW_LENGTH', `message length ${h.length} does not fit the ${buf.length}-byte packet (minimum ${IPFIX_HEADER_LENGTH})`, { offset: 2, field: 'header.length', version: 10, domainId: h.observationDomainId, exporter: opts.exporter }));
    return out;
  }
  const header: HeaderContext = { version: 10, exporter: opts.exporter, domainId: h.observationDomainId, sequence: h.sequence, exportTimeMs: h.exportTimeSecs * 1000 };
  // Only the bytes the header claims belong to this message (a datagram carries one message).
  decodeSets(new Reader(buf, IPFIX_HEADER_LENGTH, h.length), header, opts, out);
  return out;
}

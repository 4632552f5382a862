// decodePacket: dispatch one UDP payload on its version. Pure: no I/O, no timers, no logging; never throws.
import type { DecodeOptions, DecodeResult } from './context.ts';
import { emptyResult } from './context.ts';
import { NetflowDecodeError } from './errors.ts';
import { decodeIpfix } from './ipfix.ts';
import { decodeV5 } from './v5.ts';
import { decodeV9 } from './v9.ts';

export const SUPPORTED_VERSIONS = [5, 9, 10] as const;

export function decodePacket(buf: Buffer, opts: DecodeOptions): DecodeResult {
  let out: DecodeResult;
  try {
    out = dispatch(buf, opts);
  } catch (e) {
    // goflow2 utils/debug: a bug must not take the collector down; report it as a typed error.
    out = emptyResult();
    out.errors.push(new NetflowDecodeError('ERR_NETFLOW_INTERNAL', `unexpected decoder failure: ${e instanceof Error ? e.message : String(e)}`, { exporter: opts.exporter, cause: e }));
  }
  const m = opts.metrics;
  if (m) {
    m.packets_total++;
    for (const e of out.errors) m.errors_total[e.code] = (m.errors_total[e.code] ?? 0) + 1;
  }
  return out;
}

function dispatch(buf: Buffer, opts: DecodeOptions): DecodeResult {
  if (buf.length < 2) {
    const out = emptyResult();
    out.errors.push(new NetflowDecodeError('ERR_NETFLOW_TRUNCATED', `packet of ${buf.length} bytes has no version field`, { offset: 0, field: 'header.version', exporter: opts.exporter }));
    return out;
  }
  const version = buf.readUInt16BE(0);
  switch (version) {
    case 5:
      return decodeV5(buf, opts);
    case 9:
      return decodeV9(buf, opts);
    case 10:
      return decodeIpfix(buf, opts);
    default: {
      const out = emptyResult();
      out.errors.push(new NetflowDecodeError('ERR_NETFLOW_VERSION', `unsupported NetFlow version ${version} (supported: ${SUPPORTED_VERSIONS.join(', ')})`, { offset: 0, field: 'header.version', exporter: opts.exporter }));
      return out;
    }
  }
}

// Honeypot decoders for the file input (format cowrie | dionaea | honeypot): a parsed JSON-lines record → one ECS
// event with observer.type honeypot, observer.product / event.dataset = the honeypot, or a DecodeFailure. Pure.
import { isObject, type DecodeResult } from './common.ts';
import { decodeCowrie } from './cowrie.ts';
import { decodeDionaea } from './dionaea.ts';
import { decodeMapped, type HoneypotMapping } from './mapping.ts';

export { HoneypotError } from './errors.ts';
export { decodeCowrie } from './cowrie.ts';
export { decodeDionaea } from './dionaea.ts';
export { decodeMapped, MAPPABLE_FIELDS, type HoneypotMapping } from './mapping.ts';
export type { DecodeFailure, DecodeResult } from './common.ts';

export const HONEYPOT_FORMATS = ['cowrie', 'dionaea', 'honeypot'] as const;
export type HoneypotFormat = (typeof HONEYPOT_FORMATS)[number];

export interface HoneypotOptions {
  /** observer.hostname when the record names no sensor. */
  sensor?: string;
  /** Format `honeypot` only: the declarative mapping. */
  mapping?: HoneypotMapping;
}

export function isHoneypotFormat(format: string): format is HoneypotFormat {
  return (HONEYPOT_FORMATS as readonly string[]).includes(format);
}

export function decodeHoneypot(format: HoneypotFormat, record: unknown, opts: HoneypotOptions = {}): DecodeResult {
  if (!isObject(record)) return { error: 'a honeypot record must be a JSON object' };
  const defaults = opts.sensor ? { sensor: opts.sensor } : {};
  if (format === 'cowrie') return decodeCowrie(record, defaults);
  if (format === 'dionaea') return decodeDionaea(record, defaults);
  if (!opts.mapping) return { error: 'format honeypot needs a field mapping (honeypot.mapping)' };
  return decodeMapped(record, opts.mapping, defaults);
}

/** Which honeypot wrote this JSON-lines text, from its first record (for `cirt rules replay`); undefined if none. */
export function sniffHoneypotFormat(text: string): 'cowrie' | 'dionaea' | undefined {
  const first = text.split('\n').find((l) => l.trim() !== '');
  if (!first) return undefined;
  let rec: unknown;
  try {
    rec = JSON.parse(first);
  } catch {
    return undefined;
  }
  if (!isObject(rec)) return undefined;
  if (typeof rec.eventid === 'string' && rec.eventid.startsWith('cowrie.')) return 'cowrie';
  if (isObject(rec.connection) && typeof rec.connection.type === 'string' && 'src_ip' in rec) return 'dionaea';
  return undefined;
}

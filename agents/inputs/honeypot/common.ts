// What the honeypot decoders share: reading typed values out of a parsed JSON record and the ECS event skeleton
// every honeypot hit gets (observer.type honeypot, observer.product, event.dataset = the product). Pure.
import { isIP } from 'node:net';
import type { EcsEvent } from '../../../proto/ecs.ts';

export type Json = Record<string, unknown>;

/** A record that is not what the format promises: `field` names the culprit. */
export interface DecodeFailure {
  error: string;
  field?: string;
}

export type DecodeResult = { event: EcsEvent } | DecodeFailure;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at a dotted path (`logdata.USERNAME`); a key holding the dots itself wins over nesting. */
export function pathValue(record: Json, path: string): unknown {
  if (Object.prototype.hasOwnProperty.call(record, path)) return record[path];
  let cur: unknown = record;
  for (const part of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** An IPv4/IPv6 address (an IPv4-mapped IPv6 address is unwrapped: dionaea listens on `::` and logs them). */
export function ip(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const a = v.startsWith('::ffff:') && isIP(v.slice(7)) === 4 ? v.slice(7) : v;
  return isIP(a) ? a : undefined;
}

/** A port 0..65535, given as a number or a decimal string. */
export function port(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,5}$/.test(v) ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

/**
 * ISO 8601 time → canonical `@timestamp`. A time without a zone is UTC (dionaea writes `datetime.utcnow().isoformat()`,
 * which has none; JavaScript would read it as local time). Microseconds are cut to milliseconds.
 */
export function timestamp(v: unknown): string | undefined {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(v)) return undefined;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(v) ? v : `${v}Z`;
  const t = Date.parse(zoned.replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

export interface HoneypotIdentity {
  /** observer.product and event.dataset, e.g. cowrie. */
  product: string;
  /** observer.hostname: the sensor's name (Cowrie's `sensor` field, else the input's `honeypot.sensor`). */
  sensor?: string;
}

/** The fields every honeypot event carries. */
export function honeypotEvent(ts: string, who: HoneypotIdentity, action: string, category: string[], type: string[]): EcsEvent {
  return {
    '@timestamp': ts,
    event: { kind: 'event', dataset: who.product, module: who.product, action, category, type },
    observer: { type: 'honeypot', product: who.product, ...(who.sensor ? { hostname: who.sensor } : {}) },
  };
}

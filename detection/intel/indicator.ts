// Indicator values: classification and normalisation (pure). One IOC = a type and a canonical value.
import { isIP } from 'node:net';

export const IOC_TYPES = ['ip', 'cidr', 'domain', 'md5', 'sha1', 'sha256'] as const;
export type IocType = (typeof IOC_TYPES)[number];

export interface Indicator {
  type: IocType;
  /** canonical value: IPs as written by node (lower-case IPv6), CIDRs with their network bits, domains lower-case */
  value: string;
}

const HASH_LEN: Record<number, IocType> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/;

/** Normalise a value of a known type; undefined when it is not valid for that type. */
export function normalise(type: IocType, raw: string): Indicator | undefined {
  const v = raw.trim();
  switch (type) {
    case 'ip': {
      const s = v.replace(/^\[|\]$/g, '');
      return isIP(s) ? { type, value: s.toLowerCase() } : undefined;
    }
    case 'cidr': {
      const [addr = '', len, extra] = v.split('/');
      const fam = isIP(addr);
      if (!fam || extra !== undefined) return undefined;
      if (len === undefined) return { type: 'ip', value: addr.toLowerCase() };
      const max = fam === 4 ? 32 : 128;
      if (!/^\d{1,3}$/.test(len) || Number(len) > max) return undefined;
      // a full-length prefix is one address: exact lookups are cheaper than a CIDR test
      if (Number(len) === max) return { type: 'ip', value: addr.toLowerCase() };
      return { type, value: `${addr.toLowerCase()}/${Number(len)}` };
    }
    case 'domain': {
      const d = v.toLowerCase().replace(/\.$/, '');
      return DOMAIN.test(d) ? { type, value: d } : undefined;
    }
    case 'md5': case 'sha1': case 'sha256': {
      const h = v.toLowerCase();
      return /^[0-9a-f]+$/.test(h) && HASH_LEN[h.length] === type ? { type, value: h } : undefined;
    }
  }
}

/** Guess the type of a bare value (plain-text lists): IP, CIDR, hash by length, else domain. */
export function classify(raw: string): Indicator | undefined {
  const v = raw.trim();
  if (v.includes('/')) return normalise('cidr', v);
  if (isIP(v.replace(/^\[|\]$/g, ''))) return normalise('ip', v);
  if (/^[0-9a-fA-F]+$/.test(v) && HASH_LEN[v.length]) return normalise(HASH_LEN[v.length]!, v);
  return normalise('domain', v);
}

// IPv4/IPv6 parsing and CIDR matching for the `cidr` modifier.

/** Parse an IPv4 or IPv6 address into 16 bytes (IPv4 as ::ffff:a.b.c.d), or undefined. */
export function parseIp(text: string): { bytes: Uint8Array; v4: boolean } | undefined {
  const s = text.trim();
  const v4 = parseV4(s);
  if (v4) { const b = new Uint8Array(16); b[10] = 0xff; b[11] = 0xff; b.set(v4, 12); return { bytes: b, v4: true }; }
  const v6 = parseV6(s.replace(/%.*$/, '').replace(/^\[|\]$/g, ''));
  return v6 ? { bytes: v6, v4: false } : undefined;
}

function parseV4(s: string): Uint8Array | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const b = m.slice(1).map(Number);
  return b.every((x) => x <= 255) ? Uint8Array.from(b) : undefined;
}

function parseV6(s: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.split('::').length > 2) return undefined;
  let tail4: Uint8Array | undefined;
  let str = s;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    tail4 = parseV4(s.slice(lastColon + 1));
    if (!tail4) return undefined;
    str = s.slice(0, lastColon + 1) + '0:0';
  }
  const [head = '', rest] = str.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = rest === undefined ? [] : rest === '' ? [] : rest.split(':');
  if (rest === undefined && h.length !== 8) return undefined;
  if (rest !== undefined && h.length + t.length > 7) return undefined;
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8; out[i * 2 + 1] = n & 0xff;
  }
  if (tail4) out.set(tail4, 12);
  return out;
}

/** Dotted-quad IPv4 (each part 1–3 digits, ≤ 255; surrounding whitespace allowed) as an unsigned 32-bit number, or -1. */
export function ipv4Number(text: string): number {
  let i = 0;
  let end = text.length;
  while (i < end && text.charCodeAt(i) <= 32) i++;
  while (end > i && text.charCodeAt(end - 1) <= 32) end--;
  let n = 0;
  for (let part = 0; part < 4; part++) {
    let v = 0;
    let digits = 0;
    for (; i < end; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
      if (++digits > 3) return -1;
    }
    if (digits === 0 || v > 255) return -1;
    n = n * 256 + v;
    if (part < 3) {
      if (text.charCodeAt(i) !== 46) return -1; // '.'
      i++;
    }
  }
  return i === end ? n : -1;
}

/** Compile a CIDR (`10.0.0.0/8`, `fe80::/10`, or a bare address) into a predicate; undefined when invalid. */
export function cidrMatcher(cidr: string): ((ip: string) => boolean) | undefined {
  const [addr = '', lenText] = cidr.trim().split('/');
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const max = ip.v4 ? 32 : 128;
  const len = lenText === undefined ? max : /^\d{1,3}$/.test(lenText) ? Number(lenText) : NaN;
  if (!(len >= 0 && len <= max)) return undefined;
  if (ip.v4) {
    // the hot case (flows): integer compare, no allocation; IPv4 CIDRs match IPv4 text only, as below
    const b = ip.bytes;
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    const net = ((((b[12]! << 24) | (b[13]! << 16) | (b[14]! << 8) | b[15]!) >>> 0) & mask) >>> 0;
    return (text: string) => {
      const n = ipv4Number(text);
      return n >= 0 && ((n & mask) >>> 0) === net;
    };
  }
  const bits = len;
  const net = ip.bytes;
  return (text: string) => {
    if (ipv4Number(text) >= 0) return false; // IPv4 text never matches an IPv6 CIDR (and is the common case)
    const p = parseIp(text);
    if (!p || p.v4) return false;
    for (let i = 0; i < 16; i++) {
      const take = Math.max(0, Math.min(8, bits - i * 8));
      if (take === 0) break;
      const mask = (0xff << (8 - take)) & 0xff;
      if ((p.bytes[i]! & mask) !== (net[i]! & mask)) return false;
    }
    return true;
  };
}

// STIX 2.1 bundles: `indicator` objects with `pattern_type: stix` and simple patterns — one or more comparisons
// `[<object>:<property> = '<value>']` joined by OR (inside or between observation expressions):
//   ipv4-addr:value / ipv6-addr:value (address or CIDR), domain-name:value, file:hashes.'SHA-256' | MD5 | 'SHA-1'.
// AND, other operators (MATCHES, LIKE, IN ...), qualifiers (WITHIN, REPEATS) and other object types cannot be one
// IOC list entry: they are reported as ERR_INTEL_PATTERN. Revoked indicators and those past `valid_until` are skipped.
// Pure: parsed JSON in, indicators and errors located by JSON path out.
import { IntelError } from './errors.ts';
import { normalise, type Indicator, type IocType } from './indicator.ts';
import type { ParseResult } from './plain.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const COMPARISON = /^\s*([a-z0-9-]+):([A-Za-z0-9_.'-]+)\s*=\s*'((?:[^'\\]|\\.)*)'\s*$/;

function targetType(object: string, prop: string): IocType | 'ip-or-cidr' | undefined {
  if ((object === 'ipv4-addr' || object === 'ipv6-addr') && prop === 'value') return 'ip-or-cidr';
  if (object === 'domain-name' && prop === 'value') return 'domain';
  if (object === 'file') {
    const m = /^hashes\.(?:'([^']+)'|([A-Za-z0-9-]+))$/.exec(prop);
    const alg = (m?.[1] ?? m?.[2] ?? '').toUpperCase().replace('-', '');
    if (alg === 'MD5') return 'md5';
    if (alg === 'SHA1') return 'sha1';
    if (alg === 'SHA256') return 'sha256';
  }
  return undefined;
}

/** Split a STIX pattern into its comparisons, if it is only ORs of equality comparisons. */
export function parseStixPattern(pattern: string): { comparisons: Array<{ object: string; prop: string; value: string }> } | { error: string } {
  const text = pattern.trim();
  if (/\b(AND|FOLLOWEDBY|WITHIN|REPEATS|START|STOP|MATCHES|LIKE|IN|ISSUBSET|ISSUPERSET|NOT)\b/.test(text.replace(/'(?:[^'\\]|\\.)*'/g, "''"))) {
    return { error: 'only = comparisons joined by OR are supported (no AND, NOT, MATCHES, LIKE, IN, qualifiers)' };
  }
  const observations: string[] = [];
  let depth = 0; let cur = ''; let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inStr) { cur += c; if (c === '\\') { cur += text[++i] ?? ''; } else if (c === "'") inStr = false; continue; }
    if (c === "'") { inStr = true; cur += c; continue; }
    if (c === '[') { if (depth++ === 0) { cur = ''; continue; } }
    if (c === ']') { if (--depth === 0) { observations.push(cur); cur = ''; continue; } }
    if (depth < 0) return { error: 'unbalanced brackets' };
    if (depth > 0) cur += c;
    else if (!/\s/.test(c)) {
      // between observations only OR is allowed
      if (text.startsWith('OR', i)) { i += 1; continue; }
      return { error: `unexpected '${c}' outside an observation expression` };
    }
  }
  if (depth !== 0 || inStr || observations.length === 0) return { error: 'unbalanced brackets or quotes' };
  const comparisons: Array<{ object: string; prop: string; value: string }> = [];
  for (const obs of observations) {
    for (const part of obs.split(/\s+OR\s+(?=(?:[^']*'[^']*')*[^']*$)/)) {
      const m = COMPARISON.exec(part);
      if (!m) return { error: `cannot read comparison '${part.trim()}' (expected object:property = 'value')` };
      comparisons.push({ object: m[1]!, prop: m[2]!, value: m[3]!.replace(/\\(.)/g, '$1') });
    }
  }
  return { comparisons };
}

export function parseStixBundle(doc: unknown, file: string, now: Date = new Date()): ParseResult {
  const indicators: Indicator[] = [];
  const errors: IntelError[] = [];
  let skipped = 0;
  const err = (code: 'ERR_INTEL_FORMAT' | 'ERR_INTEL_PATTERN' | 'ERR_INTEL_VALUE', msg: string, field: string) => errors.push(new IntelError(code, msg, { location: { file, field } }));
  if (!isObj(doc) || doc.type !== 'bundle' || !Array.isArray(doc.objects)) {
    err('ERR_INTEL_FORMAT', "not a STIX 2.1 bundle (expected { type: 'bundle', objects: [...] })", 'type');
    return { indicators, errors, skipped };
  }
  doc.objects.forEach((o, i) => {
    const path = `objects[${i}]`;
    if (!isObj(o)) { err('ERR_INTEL_FORMAT', 'a bundle object must be a JSON object', path); return; }
    if (o.type !== 'indicator') return; // identities, relationships, malware ... carry no IOC themselves
    if (o.revoked === true) { skipped++; return; }
    if (typeof o.valid_until === 'string' && Date.parse(o.valid_until) <= now.getTime()) { skipped++; return; }
    if (o.pattern_type !== 'stix') { if (typeof o.pattern_type === 'string') { skipped++; return; } err('ERR_INTEL_FORMAT', "indicator needs pattern_type 'stix'", `${path}.pattern_type`); return; }
    if (typeof o.pattern !== 'string') { err('ERR_INTEL_FORMAT', 'indicator has no pattern', `${path}.pattern`); return; }
    const p = parseStixPattern(o.pattern);
    if ('error' in p) { err('ERR_INTEL_PATTERN', `${p.error}: ${o.pattern}`, `${path}.pattern`); return; }
    for (const c of p.comparisons) {
      const t = targetType(c.object, c.prop);
      if (!t) { err('ERR_INTEL_PATTERN', `unsupported object path ${c.object}:${c.prop} (supported: ipv4-addr/ipv6-addr/domain-name:value, file:hashes.MD5|'SHA-1'|'SHA-256')`, `${path}.pattern`); continue; }
      const ind = t === 'ip-or-cidr' ? normalise('cidr', c.value) : normalise(t, c.value);
      if (!ind) err('ERR_INTEL_VALUE', `'${c.value}' is not a valid ${t === 'ip-or-cidr' ? c.object : t}`, `${path}.pattern`);
      else indicators.push(ind);
    }
  });
  return { indicators, errors, skipped };
}

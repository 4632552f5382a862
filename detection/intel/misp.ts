// MISP JSON exports: `{ "Event": { "Attribute": [...], "Object": [{ "Attribute": [...] }] } }`, the REST search
// form `{ "response": [{ "Event": ... }] }`, or a list of `{ "Event": ... }`. Attribute types mapped:
// ip-src, ip-dst (address or CIDR), ip-src|port, ip-dst|port, domain, hostname, domain|ip, md5, sha1, sha256 and
// filename|md5|sha1|sha256. Attributes with `to_ids: false` or `deleted: true`, and other types, are skipped (counted).
// Pure: parsed JSON in, indicators and errors located by JSON path out.
import { IntelError } from './errors.ts';
import { normalise, type Indicator } from './indicator.ts';
import type { ParseResult } from './plain.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function isMispExport(doc: unknown): boolean {
  if (Array.isArray(doc)) return doc.length > 0 && doc.every((d) => isObj(d) && isObj(d.Event));
  return isObj(doc) && (isObj(doc.Event) || Array.isArray(doc.response));
}

export function parseMispExport(doc: unknown, file: string): ParseResult {
  const indicators: Indicator[] = [];
  const errors: IntelError[] = [];
  let skipped = 0;
  const bad = (code: 'ERR_INTEL_FORMAT' | 'ERR_INTEL_VALUE', msg: string, field: string) => errors.push(new IntelError(code, msg, { location: { file, field } }));
  const events: Array<{ ev: unknown; path: string }> = [];
  if (Array.isArray(doc)) doc.forEach((d, i) => events.push({ ev: (d as Obj).Event, path: `[${i}].Event` }));
  else if (isObj(doc) && Array.isArray(doc.response)) doc.response.forEach((d, i) => events.push({ ev: isObj(d) ? d.Event : undefined, path: `response[${i}].Event` }));
  else if (isObj(doc)) events.push({ ev: doc.Event, path: 'Event' });
  if (events.length === 0) bad('ERR_INTEL_FORMAT', 'not a MISP export (expected { Event: { Attribute: [...] } })', 'Event');
  const attribute = (a: unknown, path: string): void => {
    if (!isObj(a)) { bad('ERR_INTEL_FORMAT', 'an attribute must be a JSON object', path); return; }
    if (a.to_ids === false || a.deleted === true) { skipped++; return; }
    if (typeof a.type !== 'string' || typeof a.value !== 'string') { bad('ERR_INTEL_FORMAT', "an attribute needs string 'type' and 'value'", path); return; }
    const values = mapAttribute(a.type, a.value);
    if (values === undefined) { skipped++; return; }
    for (const [t, v] of values) {
      const ind = t === 'ip' ? normalise('cidr', v) : normalise(t, v);
      if (ind) indicators.push(ind);
      else bad('ERR_INTEL_VALUE', `'${v}' is not a valid ${t} (attribute type ${a.type})`, `${path}.value`);
    }
  };
  for (const { ev, path } of events) {
    if (!isObj(ev)) { bad('ERR_INTEL_FORMAT', 'missing Event object', path); continue; }
    if (ev.Attribute !== undefined && !Array.isArray(ev.Attribute)) bad('ERR_INTEL_FORMAT', 'Attribute must be a list', `${path}.Attribute`);
    if (Array.isArray(ev.Attribute)) ev.Attribute.forEach((a, i) => attribute(a, `${path}.Attribute[${i}]`));
    if (Array.isArray(ev.Object)) ev.Object.forEach((o, j) => { if (isObj(o) && Array.isArray(o.Attribute)) o.Attribute.forEach((a, i) => attribute(a, `${path}.Object[${j}].Attribute[${i}]`)); });
  }
  return { indicators, errors, skipped };
}

type Mapped = Array<['ip' | 'domain' | 'md5' | 'sha1' | 'sha256', string]>;
function mapAttribute(type: string, value: string): Mapped | undefined {
  const [a = '', b = ''] = value.split('|');
  switch (type) {
    case 'ip-src': case 'ip-dst': return [['ip', value]];
    case 'ip-src|port': case 'ip-dst|port': return [['ip', a]];
    case 'domain': case 'hostname': return [['domain', value]];
    case 'domain|ip': return [['domain', a], ['ip', b]];
    case 'md5': case 'sha1': case 'sha256': return [[type, value]];
    case 'filename|md5': case 'filename|sha1': case 'filename|sha256': return [[type.slice(9) as 'md5' | 'sha1' | 'sha256', b]];
    default: return undefined;
  }
}

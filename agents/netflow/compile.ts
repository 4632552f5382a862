// Template compilation: each fixed-length data template becomes one specialised JS function that reads a record
// straight from the packet Buffer and returns its FlowRecord (as node-netflowv9 and goflow2's generated decoders do).
// It is the same computation as the generic path (flowsets.ts `decodeRecordFields` + record.ts `normalise`), with
// everything that depends only on the template decided once: field offsets, value kinds, the `fields` key of each
// field (duplicates `#2`...), which IEs `normalise` finds. `test/compiled.test.ts` checks, on the fixtures and on
// mutated templates, that both paths give byte-identical JSON (records, key order, options, errors, ECS).
//
// Safety of `new Function`: the generated source is built ONLY from numbers (template ids, field ids, lengths,
// enterprise numbers, offsets) and from the IE names of our own static table (fields.ts), each emitted through
// JSON.stringify. No byte of a packet other than those integers reaches the source text; values are read at run
// time from the Buffer. Templates that the compiler does not cover (options templates, variable-length fields) take
// the generic path.
import { INFORMATION_ELEMENTS, fieldName, formatIPv6At, formatMacAt, ntpToUnixMsAt, readUnsignedAt, stringAt } from './fields.ts';
import type { FlowRecord } from './record.ts';
import { uptimeAgeMs } from './record.ts';
import type { ExporterOptions, HeaderContext } from './state.ts';
import type { Template } from './templates.ts';
import { VARIABLE_LENGTH } from './templates.ts';

/** Decodes the record at `pos` (the caller guarantees `recordLength` bytes there). */
export type CompiledRecordDecoder = (buf: Buffer, pos: number, h: HeaderContext, o: ExporterOptions | undefined) => FlowRecord;

export interface CompiledTemplate {
  recordLength: number;
  decode: CompiledRecordDecoder;
}

const HELPERS = { formatIPv6At, formatMacAt, ntpToUnixMsAt, readUnsignedAt, stringAt, uptimeAgeMs };

/** What a field's value is known to be at compile time. */
type ValueType = 'number' | 'numberOrBigint' | 'string';

/** JS expression (over `buf`, offset `p`) for one field value, as fields.ts `decodeFieldValue` computes it. */
function valueExpr(id: number, length: number, enterprise: number | undefined, p: string): { expr: string; type: ValueType } {
  const hex = { expr: `buf.toString('hex', ${p}, ${p} + ${length})`, type: 'string' as const };
  if (enterprise !== undefined) return hex;
  const ie = INFORMATION_ELEMENTS.get(id);
  if (ie === undefined) return hex;
  switch (ie.kind) {
    case 'unsigned':
    case 'dateTimeSeconds':
    case 'dateTimeMilliseconds':
      if (length === 1) return { expr: `buf[${p}]`, type: 'number' };
      // Plain byte reads: the record's bytes are known to be there, so Buffer's own range checks are not needed.
      if (length === 2) return { expr: `((buf[${p}] << 8) | buf[${p} + 1])`, type: 'number' };
      if (length === 4) return { expr: `(buf[${p}] * 16777216 + ((buf[${p} + 1] << 16) | (buf[${p} + 2] << 8) | buf[${p} + 3]))`, type: 'number' };
      if (length >= 3 && length <= 6) return { expr: `buf.readUIntBE(${p}, ${length})`, type: 'number' };
      if (length === 7 || length === 8) return { expr: `H.readUnsignedAt(buf, ${p}, ${length})`, type: 'numberOrBigint' };
      return hex;
    case 'ipv4':
      return length === 4 ? { expr: `buf[${p}] + '.' + buf[${p} + 1] + '.' + buf[${p} + 2] + '.' + buf[${p} + 3]`, type: 'string' } : hex;
    case 'ipv6':
      return length === 16 ? { expr: `H.formatIPv6At(buf, ${p})`, type: 'string' } : hex;
    case 'mac':
      return length === 6 ? { expr: `H.formatMacAt(buf, ${p})`, type: 'string' } : hex;
    case 'string':
      return { expr: `H.stringAt(buf, ${p}, ${length})`, type: 'string' };
    case 'dateTimeMicroseconds':
    case 'dateTimeNanoseconds':
      return length === 8 ? { expr: `H.ntpToUnixMsAt(buf, ${p})`, type: 'number' } : hex;
    case 'octets':
      return hex;
  }
}

/** Whether `compileTemplate` covers this template (else the generic path decodes it). */
export function compilable(tpl: Template, version: 9 | 10): boolean {
  if (tpl.kind !== 'data' || tpl.scopeFieldCount !== 0 || tpl.fields.length === 0) return false;
  return !tpl.fields.some((f) => version === 10 && f.length === VARIABLE_LENGTH);
}

/** The generated source of a template's record decoder (exported for the tests and for reading). */
export function generateSource(tpl: Template): string {
  const lines: string[] = [];
  const fieldKeys: string[] = [];
  const seen: Record<string, true> = {};
  const first = new Map<number, { v: string; type: ValueType }>();
  let off = 0;
  tpl.fields.forEach((f, i) => {
    const { expr, type } = valueExpr(f.id, f.length, f.enterprise, `pos + ${off}`);
    lines.push(`const v${i} = ${expr};`);
    // Same naming as decodeRecordFields: the IE name, then `name#2`, `name#3`... for repeats.
    let name = fieldName(f.id, f.enterprise);
    for (let k = 2; name in seen; k++) name = `${fieldName(f.id, f.enterprise)}#${k}`;
    seen[name] = true;
    fieldKeys.push(`${JSON.stringify(name)}: v${i}`);
    if (f.enterprise === undefined && !first.has(f.id)) first.set(f.id, { v: `v${i}`, type });
    off += f.length;
  });
  // record.ts: n(id) = toNumber(ies.get(id)), str(id) = the value if it is a string.
  const n = (id: number): string => {
    const e = first.get(id);
    if (e === undefined || e.type === 'string') return 'undefined';
    return e.type === 'number' ? e.v : `Number(${e.v})`;
  };
  const s = (id: number): string => {
    const e = first.get(id);
    return e !== undefined && e.type === 'string' ? e.v : 'undefined';
  };
  const set = (k: keyof FlowRecord, expr: string): string => (expr === 'undefined' ? '' : `t = ${expr}; if (t !== undefined) rec.${k} = t;`);

  // The transcription of record.ts normalise / samplingRateFrom / flowTimes, with n()/str() resolved.
  const body = `
${lines.join('\n')}
const rec = { version: h.version, exporter: h.exporter, domainId: h.domainId, templateId: ${tpl.templateId}, sequence: h.sequence, exportTimeMs: h.exportTimeMs, fields: { ${fieldKeys.join(', ')} } };
let t;
const src6 = ${s(27)}, dst6 = ${s(28)}, src4 = ${s(8)}, dst4 = ${s(12)};
if (src6 !== undefined || dst6 !== undefined) {
  if (src6 !== undefined) rec.srcAddr = src6;
  if (dst6 !== undefined) rec.dstAddr = dst6;
  rec.ipVersion = 6;
  ${set('nextHop', s(62))}
} else if (src4 !== undefined || dst4 !== undefined) {
  if (src4 !== undefined) rec.srcAddr = src4;
  if (dst4 !== undefined) rec.dstAddr = dst4;
  rec.ipVersion = 4;
  ${set('nextHop', s(15))}
}
const ipv = ${n(60)};
if (ipv === 4 || ipv === 6) rec.ipVersion = ipv;
${set('protocol', n(4))}
${set('srcPort', `${n(7)} ?? ${n(180)} ?? ${n(182)}`)}
${set('dstPort', `${n(11)} ?? ${n(181)} ?? ${n(183)}`)}
${set('tos', n(5))}
${set('tcpFlags', n(6))}
${set('inputIf', n(10))}
${set('outputIf', n(14))}
${set('srcAs', n(16))}
${set('dstAs', n(17))}
${set('srcMask', `${n(9)} ?? ${n(29)}`)}
${set('dstMask', `${n(13)} ?? ${n(30)}`)}
${set('vlanId', `${n(58)} ?? ${n(243)}`)}
${set('direction', n(61))}
${set('flowEndReason', n(136))}
${set('flowId', n(148))}
const typeCode = ${n(32)} ?? ${n(139)};
if (typeCode !== undefined) {
  rec.icmpType = typeCode >> 8;
  rec.icmpCode = typeCode & 0xff;
} else {
  ${set('icmpType', `${n(176)} ?? ${n(178)}`)}
  ${set('icmpCode', `${n(177)} ?? ${n(179)}`)}
}
let rate;
const interval = ${n(34)} ?? ${n(50)};
if (interval !== undefined && interval > 0) rate = interval;
else {
  const pkt = ${n(305)};
  if (pkt !== undefined && pkt > 0) rate = (pkt + (${n(306)} ?? 0)) / pkt;
  else {
    const size = ${n(309)}, pop = ${n(310)};
    if (size !== undefined && pop !== undefined && size > 0 && pop > 0) rate = pop / size;
  }
}
const samplerId = ${n(48)} ?? ${n(302)};
if (rate === undefined && samplerId !== undefined) rate = o?.samplerRates?.get(samplerId);
rate ??= o?.samplingRate;
const bytes = ${n(1)} ?? ${n(23)} ?? ${n(85)};
const packets = ${n(2)} ?? ${n(24)} ?? ${n(86)};
if (rate !== undefined && rate > 0) {
  rec.samplingRate = rate;
  if (bytes !== undefined) rec.bytes = Math.round(bytes * rate);
  if (packets !== undefined) rec.packets = Math.round(packets * rate);
} else {
  if (bytes !== undefined) rec.bytes = bytes;
  if (packets !== undefined) rec.packets = packets;
}
let start = ${n(152)} ?? ${n(156)} ?? ${n(154)};
let end = ${n(153)} ?? ${n(157)} ?? ${n(155)};
const startS = ${n(150)}, endS = ${n(151)};
start ??= startS === undefined ? undefined : startS * 1000;
end ??= endS === undefined ? undefined : endS * 1000;
const startDelta = ${n(158)}, endDelta = ${n(159)};
if (start === undefined && startDelta !== undefined) start = h.exportTimeMs - startDelta / 1000;
if (end === undefined && endDelta !== undefined) end = h.exportTimeMs - endDelta / 1000;
const upStart = ${n(22)}, upEnd = ${n(21)};
if (upStart !== undefined || upEnd !== undefined) {
  let uptimeAtExport;
  if (h.version === 9 && h.sysUptimeMs !== undefined) uptimeAtExport = h.sysUptimeMs;
  const init = ${n(160)} ?? o?.systemInitTimeMs;
  if (uptimeAtExport === undefined && init !== undefined) uptimeAtExport = h.exportTimeMs - init;
  if (uptimeAtExport !== undefined) {
    if (start === undefined && upStart !== undefined) start = h.exportTimeMs - H.uptimeAgeMs(uptimeAtExport, upStart);
    if (end === undefined && upEnd !== undefined) end = h.exportTimeMs - H.uptimeAgeMs(uptimeAtExport, upEnd);
  }
}
const dur162 = ${n(162)};
const durMs = ${n(161)} ?? (dur162 === undefined ? undefined : dur162 / 1000);
if (durMs !== undefined) {
  if (end === undefined && start !== undefined) end = start + durMs;
  if (start === undefined && end !== undefined) start = end - durMs;
}
if (start !== undefined) rec.startMs = start;
if (end !== undefined) rec.endMs = end;
return rec;`;
  return body;
}

/** Compiled decoders by template layout (templates are re-sent often; the same layout compiles once). */
const byLayout = new Map<string, CompiledTemplate>();
const byTemplate = new WeakMap<Template, CompiledTemplate | null>();
const MAX_LAYOUTS = 4096;

function layoutKey(tpl: Template): string {
  let k = String(tpl.templateId);
  for (const f of tpl.fields) k += f.enterprise === undefined ? `,${f.id}:${f.length}` : `,${f.id}:${f.length}:${f.enterprise}`;
  return k;
}

/** The compiled decoder of a data template, or undefined when the generic path must decode it. */
export function compiledFor(tpl: Template, version: 9 | 10): CompiledTemplate | undefined {
  const hit = byTemplate.get(tpl);
  if (hit !== undefined) return hit ?? undefined;
  if (!compilable(tpl, version)) {
    byTemplate.set(tpl, null);
    return undefined;
  }
  const key = layoutKey(tpl);
  let c = byLayout.get(key);
  if (c === undefined) {
    // Built from numbers and our own IE table only: see the header comment.
    const fn = new Function('H', `return function decodeTemplate${tpl.templateId}(buf, pos, h, o) {${generateSource(tpl)}\n};`) as (h: typeof HELPERS) => CompiledRecordDecoder;
    c = { recordLength: tpl.fields.reduce((a, f) => a + f.length, 0), decode: fn(HELPERS) };
    if (byLayout.size >= MAX_LAYOUTS) byLayout.clear();
    byLayout.set(key, c);
  }
  byTemplate.set(tpl, c);
  return c;
}

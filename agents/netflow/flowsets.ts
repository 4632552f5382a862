// Set walking shared by NetFlow v9 and IPFIX: template / options template records, data records (fixed and
// variable length, enterprise fields), the pending buffer for data before its template, and withdrawals.
import type { DecodeOptions, DecodeResult } from './context.ts';
import { NetflowDecodeError } from './errors.ts';
import type { FieldValue } from './fields.ts';
import { V9_SCOPE_TYPES, decodeFieldValue, fieldName } from './fields.ts';
import { Reader } from './reader.ts';
import type { OptionsRecord } from './record.ts';
import { normalise, samplingRateFrom, toNumber } from './record.ts';
import { compiledFor } from './compile.ts';
import type { ExporterOptions, HeaderContext } from './state.ts';
import type { Template, TemplateField, TemplateKey } from './templates.ts';
import { VARIABLE_LENGTH, packedKey, templateKeyString } from './templates.ts';

/** Walk the sets of a v9/IPFIX message body. Never throws: problems become errors in `out`. */
export function decodeSets(r: Reader, header: HeaderContext, opts: DecodeOptions, out: DecodeResult): void {
  const learnt = new Map<string, TemplateKey>(); // cheap when empty; filled by template sets only
  const packetOptions: { current: ExporterOptions } = { current: opts.exporterOptions?.get(header.exporter, header.domainId) ?? {} };
  const errCtx = { version: header.version, domainId: header.domainId, exporter: header.exporter };

  while (r.remaining > 0) {
    const setOffset = r.offset;
    if (r.remaining < 4) {
      const tail = r.bytes(r.remaining, 'padding');
      if (tail.some((b) => b !== 0)) {
        out.errors.push(new NetflowDecodeError('ERR_NETFLOW_TRUNCATED', `${tail.length} trailing bytes, too short for a set header`, { ...errCtx, offset: setOffset, field: 'set.header' }));
      }
      break;
    }
    const setId = r.u16('set.id');
    const setLength = r.u16('set.length');
    if (setLength < 4) {
      out.errors.push(new NetflowDecodeError('ERR_NETFLOW_LENGTH', `set length ${setLength} is shorter than its 4-byte header${setLength === 0 ? ' (zero-length set)' : ''}`, { ...errCtx, offset: setOffset + 2, field: 'set.length', setId }));
      break; // cannot find the next set
    }
    if (setLength - 4 > r.remaining) {
      out.errors.push(new NetflowDecodeError('ERR_NETFLOW_LENGTH', `set length ${setLength} is larger than the ${r.remaining + 4} bytes left in the packet`, { ...errCtx, offset: setOffset + 2, field: 'set.length', setId }));
      break;
    }
    const body = r.sub(setLength - 4, 'set.body');
    try {
      decodeOneSet(setId, setOffset, setLength, body, header, opts, out, learnt, packetOptions);
    } catch (e) {
      out.errors.push(asDecodeError(e, { ...errCtx, setId, offset: setOffset }));
    }
  }

  // Templates learnt in this packet release the data sets held for them (decoded with their own header).
  if (opts.pending !== undefined && opts.pending.heldKeys() > 0) {
    for (const key of learnt.values()) {
      const tpl = opts.templates.get(key, opts.now);
      if (tpl === undefined) continue;
      const { sets, expired } = opts.pending.take(key, opts.now);
      countDropped(opts, out, expired);
      for (const held of sets) {
        out.pending.released++;
        if (opts.metrics) opts.metrics.pending_released_total++;
        const heldOptions = { current: opts.exporterOptions?.get(held.header.exporter, held.header.domainId) ?? {} };
        try {
          decodeDataSet(new Reader(held.body), tpl, held.header, opts, out, heldOptions);
        } catch (e) {
          // The held body was copied out of its packet: shift offsets back to that packet's coordinates.
          const err = e instanceof NetflowDecodeError && e.offset !== undefined ? e.withContext({ offset: e.offset + held.offset }) : e;
          out.errors.push(asDecodeError(err, { ...errCtx, domainId: held.header.domainId, templateId: key.templateId, offset: held.offset }));
        }
      }
    }
  }
}

function countDropped(opts: DecodeOptions, out: DecodeResult, n: number): void {
  if (n <= 0) return;
  out.pending.dropped += n;
  if (opts.metrics) opts.metrics.pending_dropped_total += n;
}

export function asDecodeError(e: unknown, ctx: { version?: number; domainId?: number; exporter?: string; setId?: number; templateId?: number; offset?: number }): NetflowDecodeError {
  if (e instanceof NetflowDecodeError) {
    // Keep the precise offset of the failing read; add the set/template context around it.
    const { offset: _offset, ...rest } = ctx;
    return e.withContext(Object.fromEntries(Object.entries(rest).filter(([k, v]) => v !== undefined && (e as unknown as Record<string, unknown>)[k] === undefined)));
  }
  return new NetflowDecodeError('ERR_NETFLOW_INTERNAL', `unexpected decoder failure: ${e instanceof Error ? e.message : String(e)}`, { ...ctx, cause: e });
}

function decodeOneSet(
  setId: number,
  setOffset: number,
  setLength: number,
  body: Reader,
  header: HeaderContext,
  opts: DecodeOptions,
  out: DecodeResult,
  learnt: Map<string, TemplateKey>,
  packetOptions: { current: ExporterOptions },
): void {
  const v = header.version;
  const isTemplate = v === 9 ? setId === 0 : setId === 2;
  const isOptionsTemplate = v === 9 ? setId === 1 : setId === 3;
  if (isTemplate || isOptionsTemplate) {
    decodeTemplateSetMemo(body, isOptionsTemplate ? 'options' : 'data', setId, header, opts, out, learnt);
    return;
  }
  if (setId < 256) {
    out.errors.push(new NetflowDecodeError('ERR_NETFLOW_SET_ID', `reserved set id ${setId}`, { version: v, domainId: header.domainId, exporter: header.exporter, setId, offset: setOffset, field: 'set.id' }));
    return;
  }
  const key: TemplateKey = { exporter: header.exporter, version: v, domainId: header.domainId, templateId: setId };
  const tpl = opts.templates.get(key, opts.now);
  if (tpl === undefined) {
    if (opts.metrics) opts.metrics.missing_template_total++;
    out.pending.held.push({ code: 'ERR_NETFLOW_TEMPLATE_NOT_FOUND', exporter: header.exporter, version: v, domainId: header.domainId, templateId: setId, offset: setOffset, length: setLength });
    if (opts.pending !== undefined) {
      const dropped = opts.pending.hold({ key, body: Buffer.from(body.bytes(body.remaining, 'set.body')), offset: setOffset + 4, header, receivedAt: opts.now });
      if (opts.metrics) opts.metrics.pending_held_total++;
      countDropped(opts, out, dropped);
    }
    return;
  }
  decodeDataSet(body, tpl, header, opts, out, packetOptions);
}

/**
 * Exporters resend the same template sets all the time (softflowd: four template sets and an options template set in
 * every packet of the fixture). A set whose bytes equal an earlier clean parse for the same (exporter, version,
 * domain, set id) is not parsed again: its templates are re-added exactly as the parse would add them (same refresh,
 * same metrics, same pending release). Sets that threw or withdrew templates are never memoised. Bounded per
 * template cache: 16 different sets per (exporter, version, domain, set id), 4,096 sets and 1 MiB of set bytes
 * (then cleared).
 */
interface TemplateSetMemo {
  bytes: Buffer;
  /** The templates the parse added, each with its key string (computed once, not per refresh). */
  templates: [TemplateKey, Template, string][];
}
/** Memo lists by exporter, then (version, domain, set id) packed in one number: no key string per set. */
const memos = new WeakMap<object, { sets: Map<string, Map<number, TemplateSetMemo[]>>; count: number; bytes: number }>();
const MEMO_PER_KEY = 16;
const MEMO_MAX_SETS = 4096;
const MEMO_MAX_BYTES = 1 << 20;

function decodeTemplateSetMemo(
  r: Reader,
  kind: Template['kind'],
  setId: number,
  header: HeaderContext,
  opts: DecodeOptions,
  out: DecodeResult,
  learnt: Map<string, TemplateKey>,
): void {
  if (opts.generic === true) {
    decodeTemplateSet(r, kind, setId, header, opts, out, learnt, undefined);
    return;
  }
  let memo = memos.get(opts.templates);
  if (memo === undefined) memos.set(opts.templates, (memo = { sets: new Map(), count: 0, bytes: 0 }));
  const key = packedKey(header.version, header.domainId, setId);
  const bytes = r.buf.subarray(r.offset, r.offset + r.remaining);
  let byKey = memo.sets.get(header.exporter);
  const list = byKey?.get(key);
  if (list !== undefined) {
    for (let i = 0; i < list.length; i++) {
      const hit = list[i]!;
      if (!hit.bytes.equals(bytes)) continue;
      for (const [k, tpl, ks] of hit.templates) {
        const res = opts.templates.add(k, tpl, opts.now, ks);
        if (res !== 'unchanged' && opts.metrics) opts.metrics.templates_total++;
        learnt.set(ks, k);
      }
      return;
    }
  }
  const added: [TemplateKey, Template, string][] = [];
  const clean = decodeTemplateSet(r, kind, setId, header, opts, out, learnt, added); // throws: not memoised
  if (!clean) return;
  if (memo.count >= MEMO_MAX_SETS || memo.bytes + bytes.length > MEMO_MAX_BYTES) {
    memo.sets.clear();
    memo.count = 0;
    memo.bytes = 0;
  }
  if (memo.sets.size === 0) byKey = undefined; // just cleared
  if (byKey === undefined) memo.sets.set(header.exporter, (byKey = new Map()));
  let l = byKey.get(key);
  if (l === undefined) byKey.set(key, (l = []));
  if (l.length >= MEMO_PER_KEY) {
    const old = l.shift();
    memo.count--;
    memo.bytes -= old?.bytes.length ?? 0;
  }
  l.push({ bytes: Buffer.from(bytes), templates: added });
  memo.count++;
  memo.bytes += bytes.length;
}

/** Returns false when the set withdrew templates (its effect then depends on the cache, so it is not memoised). */
function decodeTemplateSet(
  r: Reader,
  kind: Template['kind'],
  setId: number,
  header: HeaderContext,
  opts: DecodeOptions,
  out: DecodeResult,
  learnt: Map<string, TemplateKey>,
  added: [TemplateKey, Template, string][] | undefined,
): boolean {
  let clean = true;
  const v = header.version;
  const scope = { exporter: header.exporter, version: v, domainId: header.domainId } as const;
  const recordHeaderLength = v === 9 && kind === 'options' ? 6 : 4;
  while (r.remaining >= recordHeaderLength) {
    const recOffset = r.offset;
    const templateId = r.u16('template.id');
    const ctx = { version: v, domainId: header.domainId, exporter: header.exporter, setId, templateId };
    let fieldCount: number;
    let scopeFieldCount = 0;
    if (v === 9 && kind === 'options') {
      const scopeLen = r.u16('optionsTemplate.scopeLength');
      const optLen = r.u16('optionsTemplate.optionLength');
      if (templateId === 0 && scopeLen === 0 && optLen === 0) break; // padding
      if (scopeLen % 4 !== 0 || optLen % 4 !== 0 || scopeLen + optLen === 0) {
        throw new NetflowDecodeError('ERR_NETFLOW_TEMPLATE', `options template ${templateId}: scope length ${scopeLen} / option length ${optLen} must be non-zero multiples of 4`, { ...ctx, offset: recOffset + 2, field: 'optionsTemplate.scopeLength' });
      }
      scopeFieldCount = scopeLen / 4;
      fieldCount = (scopeLen + optLen) / 4;
    } else {
      fieldCount = r.u16('template.fieldCount');
      if (templateId === 0 && fieldCount === 0) break; // padding
      if (fieldCount === 0) {
        if (v === 10) {
          // RFC 7011 §8.1: a template withdrawal; id 2 (template set) / 3 (options set) withdraws all of that kind.
          const all = templateId === setId;
          const n = all ? opts.templates.withdrawAll(scope, kind) : opts.templates.withdraw({ ...scope, templateId }) ? 1 : 0;
          if (opts.metrics) opts.metrics.templates_withdrawn_total += n;
          clean = false;
          if (!all && templateId < 256) {
            throw new NetflowDecodeError('ERR_NETFLOW_TEMPLATE', `withdrawal of reserved template id ${templateId}`, { ...ctx, offset: recOffset, field: 'template.id' });
          }
          continue;
        }
        throw new NetflowDecodeError('ERR_NETFLOW_TEMPLATE', `template ${templateId} has no fields`, { ...ctx, offset: recOffset + 2, field: 'template.fieldCount' });
      }
      if (kind === 'options') {
        scopeFieldCount = r.u16('optionsTemplate.scopeFieldCount');
        if (scopeFieldCount === 0 || scopeFieldCount > fieldCount) {
          throw new NetflowDecodeError('ERR_NETFLOW_TEMPLATE', `options template ${templateId}: scope field count ${scopeFieldCount} not in 1..${fieldCount}`, { ...ctx, offset: recOffset + 4, field: 'optionsTemplate.scopeFieldCount' });
        }
      }
    }
    if (templateId < 256) {
      throw new NetflowDecodeError('ERR_NETFLOW_TEMPLATE', `template id ${templateId} is reserved (< 256)`, { ...ctx, offset: recOffset, field: 'template.id' });
    }
    // Each field specifier is at least 4 bytes: check before allocating anything.
    if (fieldCount * 4 > r.remaining) {
      throw new NetflowDecodeError('ERR_NETFLOW_TRUNCATED', `template ${templateId}: ${fieldCount} fields need at least ${fieldCount * 4} bytes, ${r.remaining} left`, { ...ctx, offset: r.offset, field: 'template.fields' });
    }
    const fields: TemplateField[] = [];
    let minRecordLength = 0;
    let fixedMax = 0;
    for (let i = 0; i < fieldCount; i++) {
      // The field names in errors are built only when a read can fail (enterprise numbers eat into the 4 bytes/field).
      const safe = r.remaining >= 4;
      let id = r.u16(safe ? 'template field id' : `template ${templateId} field ${i + 1} id`);
      const length = r.u16(safe ? 'template field length' : `template ${templateId} field ${i + 1} length`);
      const f: TemplateField = { id, length };
      if (v === 10 && id & 0x8000) {
        id &= 0x7fff;
        f.id = id;
        f.enterprise = r.u32(r.remaining >= 4 ? 'template field enterprise number' : `template ${templateId} field ${i + 1} enterprise number`);
      }
      const variable = v === 10 && length === VARIABLE_LENGTH;
      minRecordLength += variable ? 1 : length;
      fixedMax += variable ? 0 : length;
      fields.push(f);
    }
    if (minRecordLength === 0) {
      throw new NetflowDecodeError('ERR_NETFLOW_TEMPLATE', `template ${templateId}: every field has length 0, a record would be empty`, { ...ctx, offset: recOffset, field: 'template.fields' });
    }
    if (fixedMax > 0xffff) {
      throw new NetflowDecodeError('ERR_NETFLOW_TEMPLATE', `template ${templateId}: record length ${fixedMax} cannot fit in a set`, { ...ctx, offset: recOffset, field: 'template.fields' });
    }
    const template: Template = { templateId, kind, scopeFieldCount, fields, minRecordLength };
    const key: TemplateKey = { ...scope, templateId };
    const ks = templateKeyString(key);
    const res = opts.templates.add(key, template, opts.now, ks);
    if (res !== 'unchanged' && opts.metrics) opts.metrics.templates_total++;
    learnt.set(ks, key);
    added?.push([key, template, ks]);
  }
  // What is left (< one record header) is padding.
  return clean;
}

interface DecodedFields {
  ies: Map<number, FieldValue>;
  fields: Record<string, FieldValue>;
  scope: Record<string, FieldValue>;
}

function decodeRecordFields(r: Reader, tpl: Template, version: 9 | 10): DecodedFields {
  const ies = new Map<number, FieldValue>();
  const fields: Record<string, FieldValue> = {};
  const scope: Record<string, FieldValue> = {};
  tpl.fields.forEach((f, i) => {
    let len = f.length;
    const what = `template ${tpl.templateId} field ${i + 1} (${fieldName(f.id, f.enterprise)})`;
    if (version === 10 && len === VARIABLE_LENGTH) {
      len = r.u8(`${what} length`);
      if (len === 255) len = r.u16(`${what} length`);
    }
    const raw = r.bytes(len, what);
    const isScope = i < tpl.scopeFieldCount;
    if (isScope && version === 9) {
      const name = `scope.${V9_SCOPE_TYPES[f.id] ?? f.id}`;
      scope[name] ??= raw.length >= 1 && raw.length <= 6 ? raw.readUIntBE(0, raw.length) : raw.toString('hex');
      return;
    }
    const value = decodeFieldValue(f.id, raw, f.enterprise);
    const target = isScope ? scope : fields;
    let name = fieldName(f.id, f.enterprise);
    for (let k = 2; name in target; k++) name = `${fieldName(f.id, f.enterprise)}#${k}`;
    target[name] = value;
    if (f.enterprise === undefined && !ies.has(f.id)) ies.set(f.id, value);
  });
  return { ies, fields, scope };
}

function decodeDataSet(
  r: Reader,
  tpl: Template,
  header: HeaderContext,
  opts: DecodeOptions,
  out: DecodeResult,
  exporterOptions: { current: ExporterOptions },
): void {
  const compiled = opts.generic === true ? undefined : compiledFor(tpl, header.version);
  if (compiled !== undefined) {
    // Fixed-length records: the loop bound guarantees recordLength bytes, so the compiled decoder reads unchecked.
    const len = compiled.recordLength;
    const n = Math.floor(r.remaining / len);
    const records = out.records;
    const buf = r.buf;
    const decode = compiled.decode;
    const o = exporterOptions.current;
    for (let i = 0, pos = r.offset; i < n; i++, pos += len) records.push(decode(buf, pos, header, o));
    r.skip(n * len, 'records');
    if (opts.metrics) opts.metrics.decoded_records_total += n;
    return;
  }
  const base = { version: header.version, exporter: header.exporter, domainId: header.domainId, templateId: tpl.templateId, sequence: header.sequence, exportTimeMs: header.exportTimeMs };
  // minRecordLength >= 1 (checked when the template was read), so every pass consumes bytes: the loop is bounded.
  while (r.remaining >= tpl.minRecordLength) {
    const before = r.remaining;
    const d = decodeRecordFields(r, tpl, header.version);
    if (r.remaining >= before) break; // defensive: never loop without progress
    if (tpl.kind === 'options') {
      const rec: OptionsRecord = { version: header.version, exporter: header.exporter, domainId: header.domainId, templateId: tpl.templateId, scope: d.scope, fields: d.fields };
      out.options.push(rec);
      if (opts.metrics) opts.metrics.options_records_total++;
      exporterOptions.current = learnOptions(d, header, opts, exporterOptions.current);
      continue;
    }
    const rec = normalise(base, d.ies, d.fields, {
      version: header.version,
      exportTimeMs: header.exportTimeMs,
      ...(header.sysUptimeMs !== undefined ? { sysUptimeMs: header.sysUptimeMs } : {}),
      options: exporterOptions.current,
    });
    out.records.push(rec);
    if (opts.metrics) opts.metrics.decoded_records_total++;
  }
}

/** Sampling rate and system init time from an options data record, remembered per (exporter, domain). */
function learnOptions(d: DecodedFields, header: HeaderContext, opts: DecodeOptions, current: ExporterOptions): ExporterOptions {
  const patch: ExporterOptions = {};
  const rate = samplingRateFrom(d.ies);
  if (rate !== undefined) {
    const samplerField = d.ies.get(48) ?? d.ies.get(302) ?? d.scope['samplerId'] ?? d.scope['selectorId'];
    const samplerId = toNumber(samplerField);
    if (samplerId !== undefined) patch.samplerRates = new Map([[samplerId, rate]]);
    else patch.samplingRate = rate;
  }
  const init = toNumber(d.ies.get(160));
  if (init !== undefined) patch.systemInitTimeMs = init;
  if (Object.keys(patch).length === 0) return current;
  if (opts.exporterOptions !== undefined) return opts.exporterOptions.update(header.exporter, header.domainId, patch);
  const next: ExporterOptions = { ...current, ...patch };
  if (current.samplerRates !== undefined && patch.samplerRates !== undefined) next.samplerRates = new Map([...current.samplerRates, ...patch.samplerRates]);
  return next;
}

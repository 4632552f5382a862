// The decoded flow record (version-independent) and its normalisation from information elements.
import type { FieldValue } from './fields.ts';
import type { ExporterOptions } from './state.ts';

export interface FlowRecord {
  version: 5 | 9 | 10;
  exporter: string;
  /** v9 source id / IPFIX observation domain id / v5 engine_type << 8 | engine_id. */
  domainId: number;
  /** v9/IPFIX template id (absent for v5). */
  templateId?: number;
  /** Header sequence number of the packet the record came in. */
  sequence: number;
  /** Header export time, unix ms. */
  exportTimeMs: number;
  ipVersion?: 4 | 6;
  srcAddr?: string;
  dstAddr?: string;
  nextHop?: string;
  srcPort?: number;
  dstPort?: number;
  protocol?: number;
  tos?: number;
  tcpFlags?: number;
  /** Octets, multiplied by samplingRate when one is known. */
  bytes?: number;
  /** Packets, multiplied by samplingRate when one is known. */
  packets?: number;
  samplingRate?: number;
  inputIf?: number;
  outputIf?: number;
  srcAs?: number;
  dstAs?: number;
  srcMask?: number;
  dstMask?: number;
  icmpType?: number;
  icmpCode?: number;
  vlanId?: number;
  direction?: number;
  flowEndReason?: number;
  flowId?: number;
  /** Flow start / end, unix ms (uptime-relative times converted with the header or the system init time). */
  startMs?: number;
  endMs?: number;
  /** Every field of the record as exported (counters unscaled), keyed by IE name / `ie.<id>` / `enterprise.<pen>.<id>`. */
  fields: Record<string, FieldValue>;
}

/** A record of an options template (scope + options), e.g. the sampling configuration. */
export interface OptionsRecord {
  version: 9 | 10;
  exporter: string;
  domainId: number;
  templateId: number;
  scope: Record<string, FieldValue>;
  fields: Record<string, FieldValue>;
}

export function toNumber(v: FieldValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

function str(v: FieldValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

const INT32 = 2 ** 32;

/**
 * Uptime counters wrap at 2^32 ms (~49.7 days): take the representative of `uptimeAt - uptimeThen (mod 2^32)`
 * nearest zero, so a flow that started before the exporter's uptime origin (softflowd -r, a reboot) is still right.
 */
export function uptimeAgeMs(uptimeAt: number, uptimeThen: number): number {
  const d = (((uptimeAt - uptimeThen) % INT32) + INT32) % INT32;
  return d >= INT32 / 2 ? d - INT32 : d;
}

export interface NormaliseContext {
  version: 9 | 10;
  exportTimeMs: number;
  sysUptimeMs?: number;
  options?: ExporterOptions;
}

/** Sampling rate implied by fields of a record (data or options), if any. */
export function samplingRateFrom(ies: ReadonlyMap<number, FieldValue>): number | undefined {
  const interval = toNumber(ies.get(34)) ?? toNumber(ies.get(50));
  if (interval !== undefined && interval > 0) return interval;
  const pkt = toNumber(ies.get(305));
  if (pkt !== undefined && pkt > 0) return (pkt + (toNumber(ies.get(306)) ?? 0)) / pkt;
  const size = toNumber(ies.get(309));
  const pop = toNumber(ies.get(310));
  if (size !== undefined && pop !== undefined && size > 0 && pop > 0) return pop / size;
  return undefined;
}

/** Build a FlowRecord from the IANA-numbered fields of one v9/IPFIX data record. */
export function normalise(
  base: Pick<FlowRecord, 'version' | 'exporter' | 'domainId' | 'templateId' | 'sequence' | 'exportTimeMs'>,
  ies: ReadonlyMap<number, FieldValue>,
  fields: Record<string, FieldValue>,
  ctx: NormaliseContext,
): FlowRecord {
  const rec: FlowRecord = { ...base, fields };
  const n = (id: number) => toNumber(ies.get(id));
  const set = <K extends keyof FlowRecord>(k: K, v: FlowRecord[K] | undefined) => {
    if (v !== undefined) rec[k] = v;
  };

  const src6 = str(ies.get(27));
  const dst6 = str(ies.get(28));
  const src4 = str(ies.get(8));
  const dst4 = str(ies.get(12));
  if (src6 !== undefined || dst6 !== undefined) {
    set('srcAddr', src6);
    set('dstAddr', dst6);
    rec.ipVersion = 6;
    set('nextHop', str(ies.get(62)));
  } else if (src4 !== undefined || dst4 !== undefined) {
    set('srcAddr', src4);
    set('dstAddr', dst4);
    rec.ipVersion = 4;
    set('nextHop', str(ies.get(15)));
  }
  const ipv = n(60);
  if (ipv === 4 || ipv === 6) rec.ipVersion = ipv;

  set('protocol', n(4));
  set('srcPort', n(7) ?? n(180) ?? n(182));
  set('dstPort', n(11) ?? n(181) ?? n(183));
  set('tos', n(5));
  set('tcpFlags', n(6));
  set('inputIf', n(10));
  set('outputIf', n(14));
  set('srcAs', n(16));
  set('dstAs', n(17));
  set('srcMask', n(9) ?? n(29));
  set('dstMask', n(13) ?? n(30));
  set('vlanId', n(58) ?? n(243));
  set('direction', n(61));
  set('flowEndReason', n(136));
  set('flowId', n(148));
  const typeCode = n(32) ?? n(139);
  if (typeCode !== undefined) {
    rec.icmpType = typeCode >> 8;
    rec.icmpCode = typeCode & 0xff;
  } else {
    set('icmpType', n(176) ?? n(178));
    set('icmpCode', n(177) ?? n(179));
  }

  // Sampling: a rate in the record itself wins, then the sampler's, then the exporter's (options data).
  let rate = samplingRateFrom(ies);
  const samplerId = n(48) ?? n(302);
  if (rate === undefined && samplerId !== undefined) rate = ctx.options?.samplerRates?.get(samplerId);
  rate ??= ctx.options?.samplingRate;
  const bytes = n(1) ?? n(23) ?? n(85);
  const packets = n(2) ?? n(24) ?? n(86);
  if (rate !== undefined && rate > 0) {
    rec.samplingRate = rate;
    set('bytes', bytes === undefined ? undefined : Math.round(bytes * rate));
    set('packets', packets === undefined ? undefined : Math.round(packets * rate));
  } else {
    set('bytes', bytes);
    set('packets', packets);
  }

  const times = flowTimes(ies, ctx);
  set('startMs', times.start);
  set('endMs', times.end);
  return rec;
}

function flowTimes(ies: ReadonlyMap<number, FieldValue>, ctx: NormaliseContext): { start?: number; end?: number } {
  const n = (id: number) => toNumber(ies.get(id));
  let start = n(152) ?? n(156) ?? n(154);
  let end = n(153) ?? n(157) ?? n(155);
  const startS = n(150);
  const endS = n(151);
  start ??= startS === undefined ? undefined : startS * 1000;
  end ??= endS === undefined ? undefined : endS * 1000;
  const startDelta = n(158);
  const endDelta = n(159);
  if (start === undefined && startDelta !== undefined) start = ctx.exportTimeMs - startDelta / 1000;
  if (end === undefined && endDelta !== undefined) end = ctx.exportTimeMs - endDelta / 1000;

  const upStart = n(22);
  const upEnd = n(21);
  if (upStart !== undefined || upEnd !== undefined) {
    // v9: relative to the header's sysUptime at export time. IPFIX: relative to systemInitTimeMilliseconds.
    let uptimeAtExport: number | undefined;
    if (ctx.version === 9 && ctx.sysUptimeMs !== undefined) uptimeAtExport = ctx.sysUptimeMs;
    const init = n(160) ?? ctx.options?.systemInitTimeMs;
    if (uptimeAtExport === undefined && init !== undefined) uptimeAtExport = ctx.exportTimeMs - init;
    if (uptimeAtExport !== undefined) {
      if (start === undefined && upStart !== undefined) start = ctx.exportTimeMs - uptimeAgeMs(uptimeAtExport, upStart);
      if (end === undefined && upEnd !== undefined) end = ctx.exportTimeMs - uptimeAgeMs(uptimeAtExport, upEnd);
    }
  }
  const durMs = n(161) ?? (n(162) === undefined ? undefined : (n(162) ?? 0) / 1000);
  if (durMs !== undefined) {
    if (end === undefined && start !== undefined) end = start + durMs;
    if (start === undefined && end !== undefined) start = end - durMs;
  }
  return { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) };
}

// Per-exporter decoder state beyond templates, all in memory and driven by the caller's clock:
//  - the pending buffer: data sets that arrived before their template (bounded per key and in keys, oldest dropped);
//  - exporter options learnt from options data records (sampling rate, system init time), per (exporter, domain);
//  - the counters, a plain object.
import { OldestKey } from '../../proto/runtime/oldest_key.ts';
import type { TemplateKey } from './templates.ts';
import { templateKeyString } from './templates.ts';

/** What the decoder needs from the packet header to decode a set later. */
export interface HeaderContext {
  version: 9 | 10;
  exporter: string;
  domainId: number;
  sequence: number;
  /** Export time from the header, unix ms. */
  exportTimeMs: number;
  /** v9 only: the header's sysUptime (ms). */
  sysUptimeMs?: number;
}

export interface PendingSet {
  key: TemplateKey;
  /** A copy of the set body (after the 4-byte set header). */
  body: Buffer;
  /** Offset of the set body in its original packet (for error messages). */
  offset: number;
  header: HeaderContext;
  receivedAt: number;
}

export interface PendingBufferOptions {
  /** Held sets per template key; the oldest is dropped when full. Default 8. */
  maxSetsPerKey?: number;
  /** Distinct template keys held; the oldest key is dropped (with its sets) when full. Default 1024. */
  maxKeys?: number;
  /** Held sets older than this are dropped when their key is next touched or swept (ms). Default 5 minutes. */
  maxAgeMs?: number;
  /** Total bytes of held set bodies; the oldest sets are dropped beyond it. Default 4 MiB. */
  maxBytes?: number;
}

export class PendingBuffer {
  private readonly byKey = new Map<string, PendingSet[]>();
  readonly maxSetsPerKey: number;
  readonly maxKeys: number;
  readonly maxAgeMs: number;
  readonly maxBytes: number;
  private bytes = 0;

  constructor(opts: PendingBufferOptions = {}) {
    this.maxSetsPerKey = Math.max(1, opts.maxSetsPerKey ?? 8);
    this.maxKeys = Math.max(1, opts.maxKeys ?? 1024);
    this.maxAgeMs = opts.maxAgeMs ?? 5 * 60_000;
    this.maxBytes = Math.max(0, opts.maxBytes ?? 4 * 1024 * 1024);
  }

  private static size(list: PendingSet[]): number {
    return list.reduce((n, s) => n + s.body.length, 0);
  }

  /** Hold a set; returns how many older sets were dropped to make room. */
  hold(set: PendingSet): number {
    const k = templateKeyString(set.key);
    let dropped = 0;
    let list = this.byKey.get(k);
    if (list === undefined) {
      while (this.byKey.size >= this.maxKeys) {
        const oldest = this.byKey.entries().next();
        if (oldest.done === true) break;
        dropped += oldest.value[1].length;
        this.bytes -= PendingBuffer.size(oldest.value[1]);
        this.byKey.delete(oldest.value[0]);
      }
      list = [];
      this.byKey.set(k, list);
    }
    list.push(set);
    this.bytes += set.body.length;
    while (list.length > this.maxSetsPerKey) {
      this.bytes -= list.shift()?.body.length ?? 0;
      dropped++;
    }
    // Byte bound: drop the oldest sets of the oldest keys (possibly the new set itself if it alone is too big).
    while (this.bytes > this.maxBytes) {
      const oldest = this.byKey.entries().next();
      if (oldest.done === true) break;
      const [k, l] = oldest.value;
      this.bytes -= l.shift()?.body.length ?? 0;
      dropped++;
      if (l.length === 0) this.byKey.delete(k);
    }
    return dropped;
  }

  /** Remove and return the sets held for `key` that are still young enough, plus how many had aged out. */
  take(key: TemplateKey, now: number): { sets: PendingSet[]; expired: number } {
    const k = templateKeyString(key);
    const list = this.byKey.get(k);
    if (list === undefined) return { sets: [], expired: 0 };
    this.byKey.delete(k);
    this.bytes -= PendingBuffer.size(list);
    const sets = list.filter((s) => now - s.receivedAt <= this.maxAgeMs);
    return { sets, expired: list.length - sets.length };
  }

  /** Drop sets older than maxAgeMs; returns how many. */
  sweep(now: number): number {
    let n = 0;
    for (const [k, list] of this.byKey) {
      const keep = list.filter((s) => now - s.receivedAt <= this.maxAgeMs);
      n += list.length - keep.length;
      this.bytes -= PendingBuffer.size(list) - PendingBuffer.size(keep);
      if (keep.length === 0) this.byKey.delete(k);
      else this.byKey.set(k, keep);
    }
    return n;
  }

  /** Template keys with held sets (0: nothing waits, a new template has nothing to release). */
  heldKeys(): number {
    return this.byKey.size;
  }

  /** Bytes of held set bodies. */
  byteSize(): number {
    return this.bytes;
  }

  /** Number of held sets. */
  size(): number {
    let n = 0;
    for (const list of this.byKey.values()) n += list.length;
    return n;
  }
}

export interface ExporterOptions {
  /** Packet sampling rate (1 in N) from an options data record (samplingInterval / samplingPacketInterval ...). */
  samplingRate?: number;
  /** Per-sampler rates, keyed by samplerId (48) / selectorId (302). */
  samplerRates?: Map<number, number>;
  /** IPFIX systemInitTimeMilliseconds (160), the base of flowStart/EndSysUpTime (22/21). */
  systemInitTimeMs?: number;
}

/** Options learnt per (exporter, observation domain / source id). */
export class ExporterOptionsStore {
  private readonly map = new Map<string, ExporterOptions>();
  private readonly oldest = new OldestKey(() => this.map.keys());
  constructor(private readonly maxEntries = 10_000) {}

  private static key(exporter: string, domainId: number): string {
    return `${exporter}|${domainId}`;
  }

  get(exporter: string, domainId: number): ExporterOptions | undefined {
    return this.map.get(ExporterOptionsStore.key(exporter, domainId));
  }

  update(exporter: string, domainId: number, patch: ExporterOptions): ExporterOptions {
    const k = ExporterOptionsStore.key(exporter, domainId);
    const prev = this.map.get(k) ?? {};
    const next: ExporterOptions = { ...prev, ...patch };
    if (prev.samplerRates !== undefined && patch.samplerRates !== undefined) {
      next.samplerRates = new Map([...prev.samplerRates, ...patch.samplerRates]);
    }
    this.map.delete(k);
    this.map.set(k, next);
    while (this.map.size > this.maxEntries) {
      const oldest = this.oldest.take();
      if (oldest === undefined) break;
      this.map.delete(oldest);
    }
    return next;
  }

  size(): number {
    return this.map.size;
  }
}

/** The decoder's counters (Prometheus names; `errors_total` is labelled by code). */
export interface NetflowMetrics {
  packets_total: number;
  decoded_records_total: number;
  options_records_total: number;
  errors_total: Record<string, number>;
  missing_template_total: number;
  pending_held_total: number;
  pending_released_total: number;
  pending_dropped_total: number;
  templates_total: number;
  templates_withdrawn_total: number;
}

export function createNetflowMetrics(): NetflowMetrics {
  return {
    packets_total: 0,
    decoded_records_total: 0,
    options_records_total: 0,
    errors_total: {},
    missing_template_total: 0,
    pending_held_total: 0,
    pending_released_total: 0,
    pending_dropped_total: 0,
    templates_total: 0,
    templates_withdrawn_total: 0,
  };
}

// The template cache (goflow2 `NetFlowTemplateSystem`): an interface keyed by
// (exporter address, version, observation domain id / source id, template id), with add / get / withdraw,
// IPFIX withdraw-all, expiry by TTL against the caller's clock (`now`, unix ms: no timers, no I/O) and a bound
// on the number of templates. Options templates live in the same cache with `kind: 'options'`.
import { OldestKey } from '../../proto/runtime/oldest_key.ts';

/** Field length meaning "variable length" in an IPFIX template (RFC 7011 §7). */
export const VARIABLE_LENGTH = 65535;

export interface TemplateField {
  /** Information element id (enterprise bit stripped) or, for a v9 scope field, the scope type. */
  id: number;
  /** Bytes, or VARIABLE_LENGTH (IPFIX only). */
  length: number;
  /** Private enterprise number when the IPFIX enterprise bit was set. */
  enterprise?: number;
}

export interface Template {
  templateId: number;
  kind: 'data' | 'options';
  /** For options templates: the first `scopeFieldCount` fields are scope fields. 0 for data templates. */
  scopeFieldCount: number;
  fields: readonly TemplateField[];
  /** Smallest possible record length (variable-length fields count 1 byte, their length prefix); always >= 1. */
  minRecordLength: number;
}

export interface TemplateScope {
  exporter: string;
  version: 9 | 10;
  /** v9 source id / IPFIX observation domain id. */
  domainId: number;
}

export interface TemplateKey extends TemplateScope {
  templateId: number;
}

export type AddResult = 'added' | 'updated' | 'unchanged';

export interface TemplateCache {
  /** `keyString` (optional) is `templateKeyString(key)` when the caller already has it. */
  add(key: TemplateKey, template: Template, now: number, keyString?: string): AddResult;
  /** The live template, or undefined (unknown, withdrawn or expired at `now`). */
  get(key: TemplateKey, now: number): Template | undefined;
  /** Withdraw one template; true when one was removed. */
  withdraw(key: TemplateKey): boolean;
  /** Withdraw every template of `kind` (all kinds when omitted) in one scope; returns how many were removed. */
  withdrawAll(scope: TemplateScope, kind?: Template['kind']): number;
  /** Drop templates older than the TTL; returns how many were removed. */
  sweep(now: number): number;
  size(): number;
  /** A copy of the live entries (e.g. for persistence or a debug endpoint). */
  entries(): { key: TemplateKey; template: Template; updatedAt: number }[];
}

export interface MemoryTemplateCacheOptions {
  /** Templates not refreshed for this long are expired (ms). Default 30 minutes; 0 or Infinity disables expiry. */
  ttlMs?: number;
  /** Upper bound on stored templates; the least recently refreshed is evicted first. Default 10000. */
  maxTemplates?: number;
}

export function templateKeyString(k: TemplateKey): string {
  return `${k.exporter}|${k.version}|${k.domainId}|${k.templateId}`;
}

function scopeString(s: TemplateScope): string {
  return `${s.exporter}|${s.version}|${s.domainId}|`;
}

function sameLayout(a: Template, b: Template): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind || a.scopeFieldCount !== b.scopeFieldCount || a.fields.length !== b.fields.length) return false;
  return a.fields.every((f, i) => {
    const g = b.fields[i];
    return g !== undefined && f.id === g.id && f.length === g.length && f.enterprise === g.enterprise;
  });
}

interface Entry {
  key: TemplateKey;
  template: Template;
  updatedAt: number;
}

/**
 * Version, domain and template (or set) id packed in one number, as in goflow2 (< 2^53): a key within one exporter
 * that needs no string. The template cache's index and the template-set memo (flowsets.ts) use it.
 */
export function packedKey(version: number, domainId: number, id: number): number {
  return version * 2 ** 48 + domainId * 2 ** 16 + id;
}

function numericKey(k: TemplateKey): number {
  return packedKey(k.version, k.domainId, k.templateId);
}

export class MemoryTemplateCache implements TemplateCache {
  /** Insertion order = least recently refreshed first (eviction, entries()). */
  private readonly map = new Map<string, Entry>();
  /** The same entries by exporter, then numeric key: `get` (once per data set) builds no key string. */
  private readonly index = new Map<string, Map<number, Entry>>();
  private readonly ttlMs: number;
  private readonly maxTemplates: number;
  /** Least recently refreshed key in O(1) while the Map churns on every refresh (proto/runtime/oldest_key.ts). */
  private readonly oldest = new OldestKey(() => this.map.keys());

  constructor(opts: MemoryTemplateCacheOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 30 * 60_000;
    this.maxTemplates = Math.max(1, opts.maxTemplates ?? 10_000);
  }

  private indexSet(e: Entry): void {
    let m = this.index.get(e.key.exporter);
    if (m === undefined) this.index.set(e.key.exporter, (m = new Map()));
    m.set(numericKey(e.key), e);
  }

  private delete(k: string): boolean {
    const e = this.map.get(k);
    if (e === undefined) return false;
    this.map.delete(k);
    const m = this.index.get(e.key.exporter);
    if (m !== undefined && m.get(numericKey(e.key)) === e) {
      m.delete(numericKey(e.key));
      if (m.size === 0) this.index.delete(e.key.exporter);
    }
    return true;
  }

  private expired(e: Entry, now: number): boolean {
    return this.ttlMs > 0 && Number.isFinite(this.ttlMs) && now - e.updatedAt > this.ttlMs;
  }

  add(key: TemplateKey, template: Template, now: number, keyString?: string): AddResult {
    const k = keyString ?? templateKeyString(key);
    const prev = this.map.get(k);
    let result: AddResult = 'added';
    if (prev !== undefined && !this.expired(prev, now)) result = sameLayout(prev.template, template) ? 'unchanged' : 'updated';
    if (result === 'unchanged') {
      // The common case (exporters such as softflowd resend every template in every packet): refresh the entry in
      // place and move it to the end of the eviction order; the index already holds this very entry.
      prev!.updatedAt = now;
      this.map.delete(k);
      this.map.set(k, prev!);
      return result;
    }
    // Re-insert so Map order is "least recently refreshed first" for eviction.
    this.delete(k);
    const e: Entry = { key: { ...key }, template, updatedAt: now };
    this.map.set(k, e);
    this.indexSet(e);
    while (this.map.size > this.maxTemplates) {
      const oldest = this.oldest.take();
      if (oldest === undefined) break;
      this.delete(oldest);
    }
    return result;
  }

  get(key: TemplateKey, now: number): Template | undefined {
    const e = this.index.get(key.exporter)?.get(numericKey(key));
    if (e === undefined) return undefined;
    if (this.expired(e, now)) {
      this.delete(templateKeyString(key));
      return undefined;
    }
    return e.template;
  }

  withdraw(key: TemplateKey): boolean {
    return this.delete(templateKeyString(key));
  }

  withdrawAll(scope: TemplateScope, kind?: Template['kind']): number {
    const prefix = scopeString(scope);
    let n = 0;
    for (const [k, e] of this.map) {
      if (k.startsWith(prefix) && (kind === undefined || e.template.kind === kind)) {
        this.delete(k);
        n++;
      }
    }
    return n;
  }

  sweep(now: number): number {
    let n = 0;
    for (const [k, e] of this.map) {
      if (this.expired(e, now)) {
        this.delete(k);
        n++;
      }
    }
    return n;
  }

  size(): number {
    return this.map.size;
  }

  entries(): { key: TemplateKey; template: Template; updatedAt: number }[] {
    return [...this.map.values()].map((e) => ({ key: { ...e.key }, template: e.template, updatedAt: e.updatedAt }));
  }
}

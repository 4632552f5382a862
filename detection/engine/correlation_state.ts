// The correlation evaluator: pure, deterministic, clock-injected. Feed it the matches of referenced rules with their
// event time; it returns the correlations that fire.
//
// Window mechanics (the spec defines none; these are ours, like rsigma's):
// - Per correlation and group key, a trailing sliding window per event: an event at time t is evaluated over the
//   stored matches with time in (t - timespan, t]. An entry exactly at t - timespan is OUTSIDE.
// - Group key = the group-by values (missing field = ''), plus the agency (`organization.id`) unless the
//   correlation is `x-cirt-cross-agency: true`.
// - Out of order: an event older than the key's newest time is still inserted in time order and evaluated over its
//   own window (t - timespan, t], as far as it is still retained. Entries at or before (newest - timespan) are
//   pruned; an event that arrives already at or before that horizon, or at or before the key's last reset, is
//   dropped and counted (`late`).
// - Reset: when a correlation fires for a key, that key's entries up to t are cleared, so one burst gives one
//   alert, not one per further event; the next alert needs a fresh condition.
// - Memory is bounded: at most `maxKeys` keys per correlation (the least recently updated key is evicted) and
//   `maxEventsPerKey` entries per key (the oldest entry is evicted); both evictions are counted.
// - `sweep()` uses the injected clock to drop keys whose newest entry is older than the timespan.
// - `snapshot()` / `restore()` give/take plain JSON, so the state can be checkpointed.
import { OldestKey } from '../../proto/runtime/oldest_key.ts';
import { conditionHolds, nearestRank, readField, type CompiledCorrelation } from './correlation.ts';

type Obj = Record<string, unknown>;

export interface CorrelationOptions {
  maxKeys?: number;
  maxEventsPerKey?: number;
  /** events carried on a hit (the first ones of the window) */
  maxHitEvents?: number;
  /** the clock for sweep() (ms since epoch) */
  now?: () => number;
}

export interface CorrelationHit {
  correlation: CompiledCorrelation;
  /** agency of the key; undefined for cross-agency correlations */
  agency: string | undefined;
  /** group-by name -> value */
  groupBy: Record<string, string>;
  groupValues: string[];
  windowStartMs: number;
  windowEndMs: number;
  /** the value the condition held on (count, distinct count, rules seen, sum, avg, percentile) */
  value: number;
  /** matches in the window */
  count: number;
  firstEventId: string;
  events: Obj[];
}

export interface CorrelationCounters { observed: number; hits: number; late: number; evictedKeys: number; evictedEvents: number }

interface Entry { t: number; r: number; v?: string | number; id: string; ev?: Obj }
interface KeyState { agency?: string; values: string[]; entries: Entry[]; maxT: number; resetAt: number | null }

/**
 * Running aggregates over a key's entries (all of them: after pruning, an in-order event's window is exactly the
 * entries), so an in-order event is evaluated in O(1) instead of a scan of up to maxEventsPerKey entries. Derived
 * from the entries, never snapshotted; rebuilt when the entries are replaced.
 */
const AGGREGATE_FROM = 32;

class Aggregates {
  /** value -> occurrences (value_count) */
  readonly values = new Map<string | number, number>();
  /** rule position -> occurrences (temporal) */
  readonly rules = new Map<number, number>();
  sum = 0;
  /** values seen that are not safe integers: sums are then recomputed from the entries (a float sum drifts) */
  private inexact = 0;

  get exactSum(): boolean { return this.inexact === 0 && Number.isSafeInteger(this.sum); }

  static of(entries: readonly Entry[]): Aggregates {
    const a = new Aggregates();
    for (const e of entries) a.add(e);
    return a;
  }

  add(e: Entry): void {
    this.rules.set(e.r, (this.rules.get(e.r) ?? 0) + 1);
    if (e.v !== undefined) {
      this.values.set(e.v, (this.values.get(e.v) ?? 0) + 1);
      if (typeof e.v === 'number') { this.sum += e.v; if (!Number.isSafeInteger(e.v)) this.inexact++; }
    }
  }

  remove(e: Entry): void {
    const r = this.rules.get(e.r)! - 1;
    if (r === 0) this.rules.delete(e.r); else this.rules.set(e.r, r);
    if (e.v !== undefined) {
      const n = this.values.get(e.v)! - 1;
      if (n === 0) this.values.delete(e.v); else this.values.set(e.v, n);
      if (typeof e.v === 'number') this.sum -= e.v;
    }
  }
}

export interface CorrelationSnapshot {
  version: 1;
  counters: CorrelationCounters;
  correlations: Record<string, Array<[string, KeyState]>>;
}

export class CorrelationState {
  readonly counters: CorrelationCounters = { observed: 0, hits: 0, late: 0, evictedKeys: 0, evictedEvents: 0 };
  private readonly byRule = new Map<string, Array<{ c: CompiledCorrelation; r: number }>>();
  private readonly keys = new Map<string, Map<string, KeyState>>();
  private readonly aggregates = new WeakMap<KeyState, Aggregates>();
  /** Per correlation, its least recently updated key, in O(1) (proto/runtime/oldest_key.ts). */
  private readonly oldestKey = new Map<string, OldestKey<string>>();
  private readonly maxKeys: number;
  private readonly maxEventsPerKey: number;
  private readonly maxHitEvents: number;
  private readonly now: () => number;

  constructor(private readonly correlations: readonly CompiledCorrelation[], opts: CorrelationOptions = {}) {
    this.maxKeys = opts.maxKeys ?? 10_000;
    this.maxEventsPerKey = opts.maxEventsPerKey ?? 1_000;
    this.maxHitEvents = opts.maxHitEvents ?? 20;
    this.now = opts.now ?? Date.now;
    for (const c of correlations) {
      const keys = new Map<string, KeyState>();
      this.keys.set(c.meta.id, keys);
      this.oldestKey.set(c.meta.id, new OldestKey(() => keys.keys()));
      c.ruleIds.forEach((id, r) => {
        const l = this.byRule.get(id) ?? [];
        l.push({ c, r });
        this.byRule.set(id, l);
      });
    }
  }

  /** Whether a rule feeds any correlation. */
  references(ruleId: string): boolean { return this.byRule.has(ruleId); }

  /** Number of keys held for a correlation. */
  keyCount(correlationId: string): number { return this.keys.get(correlationId)?.size ?? 0; }

  observe(ruleId: string, event: Obj, eventTimeMs: number): CorrelationHit[] {
    const feeds = this.byRule.get(ruleId);
    if (!feeds || !Number.isFinite(eventTimeMs)) return [];
    this.counters.observed++;
    const hits: CorrelationHit[] = [];
    for (const { c, r } of feeds) {
      const hit = this.observeOne(c, r, ruleId, event, eventTimeMs);
      if (hit) hits.push(hit);
    }
    return hits;
  }

  private observeOne(c: CompiledCorrelation, r: number, ruleId: string, event: Obj, t: number): CorrelationHit | undefined {
    const access = c.groupAccess.get(ruleId)!;
    const values = access.map((a) => { const v = readField(a, event); return v === undefined ? '' : String(v); });
    const agency = c.crossAgency ? undefined : agencyOf(event);
    let v: string | number | undefined;
    if (c.valueAccess) {
      const raw = readField(c.valueAccess.get(ruleId)!, event);
      if (raw === undefined) return undefined;
      if (c.type === 'value_count') v = String(raw);
      else {
        const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
        if (!Number.isFinite(n)) return undefined;
        v = n;
      }
    }
    const keys = this.keys.get(c.meta.id)!;
    const k = JSON.stringify(agency === undefined ? values : [agency, ...values]);
    let st = keys.get(k);
    if (st) { keys.delete(k); keys.set(k, st); } // LRU order: most recently updated last
    else {
      st = agency === undefined ? { values, entries: [], maxT: -Infinity, resetAt: null } : { agency, values, entries: [], maxT: -Infinity, resetAt: null };
      keys.set(k, st);
      if (keys.size > this.maxKeys) {
        keys.delete(this.oldestKey.get(c.meta.id)!.take()!);
        this.counters.evictedKeys++;
      }
    }
    const T = c.timespanMs;
    if (t <= st.maxT - T || (st.resetAt !== null && t <= st.resetAt)) { this.counters.late++; return undefined; }
    // running aggregates only for keys with many entries: for a few, a scan is cheaper than keeping them
    let agg = this.aggregates.get(st);
    if (!agg && st.entries.length >= AGGREGATE_FROM) this.aggregates.set(st, (agg = Aggregates.of(st.entries)));
    const entry: Entry = v === undefined ? { t, r, id: eventId(event), ev: event } : { t, r, v, id: eventId(event), ev: event };
    const inOrder = t >= st.maxT;
    if (inOrder) st.entries.push(entry);
    else {
      // insert after every entry with time <= t (stable for ties)
      let lo = 0; let hi = st.entries.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (st.entries[mid]!.t <= t) lo = mid + 1; else hi = mid; }
      st.entries.splice(lo, 0, entry);
    }
    agg?.add(entry);
    if (t > st.maxT) st.maxT = t;
    let drop = 0;
    while (drop < st.entries.length && st.entries[drop]!.t <= st.maxT - T) drop++;
    if (st.entries.length - drop > this.maxEventsPerKey) {
      const over = st.entries.length - drop - this.maxEventsPerKey;
      drop += over;
      this.counters.evictedEvents += over;
    }
    if (drop) {
      if (agg) for (let i = 0; i < drop; i++) agg.remove(st.entries[i]!);
      st.entries.splice(0, drop);
    }
    // In order, the window (t - T, t] is every entry left; out of order, a slice of them.
    const win = inOrder ? st.entries : st.entries.filter((e) => e.t > t - T && e.t <= t);
    if (win.length === 0) return undefined;
    const value = inOrder && agg ? evaluateRunning(c, win, agg) : evaluate(c, win);
    if (value === undefined || !conditionHolds(c.condition, value)) return undefined;
    this.counters.hits++;
    const kept = st.entries.filter((e) => e.t > t);
    st.entries = kept;
    this.aggregates.delete(st);
    st.resetAt = t;
    const groupBy: Record<string, string> = {};
    c.groupBy.forEach((g, i) => { groupBy[g] = values[i]!; });
    return {
      correlation: c, agency, groupBy, groupValues: values,
      windowStartMs: win[0]!.t, windowEndMs: t, value, count: win.length,
      firstEventId: win[0]!.id,
      events: win.slice(0, this.maxHitEvents).map((e) => e.ev).filter((e): e is Obj => e !== undefined),
    };
  }

  /** Drop keys that can no longer contribute (newest entry older than the timespan, by the injected clock). */
  sweep(): number {
    const now = this.now();
    let n = 0;
    for (const c of this.correlations) {
      const keys = this.keys.get(c.meta.id)!;
      for (const [k, st] of keys) if (st.maxT <= now - c.timespanMs) { keys.delete(k); n++; }
    }
    return n;
  }

  snapshot(): CorrelationSnapshot {
    const correlations: CorrelationSnapshot['correlations'] = {};
    for (const [id, keys] of this.keys) {
      correlations[id] = [...keys].map(([k, st]) => [k, { ...st, maxT: Number.isFinite(st.maxT) ? st.maxT : -1, entries: st.entries.map((e) => ({ ...e })) }]);
    }
    return JSON.parse(JSON.stringify({ version: 1, counters: this.counters, correlations })) as CorrelationSnapshot;
  }

  /** Replace the state with a snapshot; keys of correlations that are no longer loaded are ignored. */
  restore(snap: CorrelationSnapshot): void {
    if (snap.version !== 1) throw new Error(`unknown correlation snapshot version ${String(snap.version)}`);
    Object.assign(this.counters, snap.counters);
    for (const o of this.oldestKey.values()) o.reset();
    for (const [id, keys] of this.keys) {
      keys.clear();
      for (const [k, st] of snap.correlations[id] ?? []) keys.set(k, { ...st, entries: st.entries.map((e) => ({ ...e })) }); // aggregates: rebuilt on first use
    }
  }
}

/** `evaluate` over a window that is all of a key's entries, from their running aggregates where it can. */
function evaluateRunning(c: CompiledCorrelation, win: readonly Entry[], agg: Aggregates): number | undefined {
  switch (c.type) {
    case 'event_count': return win.length;
    case 'value_count': return agg.values.size;
    case 'temporal': return agg.rules.size;
    // running float sums drift; integers (bytes, packets, counts) below 2^53 are exact
    case 'value_sum': return agg.exactSum ? agg.sum : evaluate(c, win);
    case 'value_avg': return agg.exactSum ? agg.sum / win.length : evaluate(c, win);
    default: return evaluate(c, win);
  }
}

function evaluate(c: CompiledCorrelation, win: readonly Entry[]): number | undefined {
  switch (c.type) {
    case 'event_count': return win.length;
    case 'value_count': return new Set(win.map((e) => e.v)).size;
    case 'temporal': return new Set(win.map((e) => e.r)).size;
    case 'temporal_ordered': {
      // length of the longest prefix of the rule list seen in order (greedy subsequence match)
      let next = 0;
      for (const e of win) if (e.r === next) next++;
      return next;
    }
    case 'value_sum': return win.reduce((s, e) => s + (e.v as number), 0);
    case 'value_avg': return win.length ? win.reduce((s, e) => s + (e.v as number), 0) / win.length : undefined;
    case 'value_percentile': return nearestRank(win.map((e) => e.v as number).sort((a, b) => a - b), c.percentile ?? 50);
  }
}

function agencyOf(event: Obj): string {
  const org = event.organization as { id?: unknown } | undefined;
  return typeof org?.id === 'string' ? org.id : 'unknown';
}

export function eventId(event: Obj): string {
  const id = (event.event as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : stableHash(event);
}

function stableHash(event: Obj): string {
  // FNV-1a over the JSON text: deterministic and dependency-free (the id only needs to be stable, not secret)
  const s = JSON.stringify(event);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return `h${h.toString(16).padStart(8, '0')}`;
}

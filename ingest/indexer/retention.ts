// Retention per data class, by the date suffix of the daily indices (events-YYYY.MM.DD, alerts-…, deadletter-…) and
// of the operations room's monthly audit indices (audit-YYYY.MM). The days per class are set in ONE place, the
// indexer's `retention` config (config.ts), which also states that incidents and advisories are never deleted.
// The OpenSearch integ-test distribution has no ISM plugin (GET _cat/plugins is empty, _plugins/_ism answers
// "no handler found"), so the indexer sweeps itself (docs/decisions.md D11): this module decides, pure; main.ts
// lists and deletes at the edge, once at start and then every `sweepEveryMinutes`.
import { dailyIndex } from '../../proto/ecs.ts';

export type DataClass = 'events' | 'alerts' | 'deadletter' | 'audit';

/** Days to keep each class; an index is deleted once its whole day is older than that. */
export type RetentionDays = Record<DataClass, number>;

export const RETENTION_PATTERNS: string[] = ['events-*', 'alerts-*', 'deadletter-*', 'audit-*'];

const DAILY = /^(events|alerts|deadletter)-(\d{4})\.(\d{2})\.(\d{2})$/;
const MONTHLY = /^(audit)-(\d{4})\.(\d{2})$/;
const DAY_MS = 86_400_000;

/** The class and the UTC day of a daily index, or undefined for any other name (never deleted). */
export function parseDailyIndex(name: string): { dataClass: DataClass; dayStartMs: number } | undefined {
  const p = parsePeriodIndex(name);
  return p && p.endMs - p.startMs === DAY_MS ? { dataClass: p.dataClass, dayStartMs: p.startMs } : undefined;
}

/** The class and the UTC period [start, end) of a daily or monthly (audit) index; undefined for any other name. */
export function parsePeriodIndex(name: string): { dataClass: DataClass; startMs: number; endMs: number } | undefined {
  const month = MONTHLY.exec(name);
  if (month) {
    const [y, mo] = [Number(month[2]), Number(month[3])];
    if (mo < 1 || mo > 12) return undefined;
    return { dataClass: month[1] as DataClass, startMs: Date.UTC(y, mo - 1, 1), endMs: Date.UTC(y, mo, 1) };
  }
  const m = DAILY.exec(name);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[2]), Number(m[3]), Number(m[4])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined; // 2026.02.30
  return { dataClass: m[1] as DataClass, startMs: ms, endMs: ms + DAY_MS };
}

/**
 * The indices to delete at `now`: those whose newest possible document (the end of their day, or month for audit)
 * is more than the class's retention old. With 30 days, events-2026.10.26 (ends 2026-10-27T00:00Z) goes at
 * 2026-11-26T00:00Z.
 */
export function indicesToDelete(indices: string[], now: Date, days: RetentionDays): string[] {
  const out: string[] = [];
  for (const name of indices) {
    const p = parsePeriodIndex(name);
    if (!p) continue;
    if (p.endMs + days[p.dataClass] * DAY_MS <= now.getTime()) out.push(name);
  }
  return out.sort();
}

/**
 * The daily index a document of time `timestamp` goes to, kept out of the sweep: a document whose own day would be
 * deleted within a day (an agent whose clock is weeks behind, a late replay) goes to the oldest day that is still
 * retained for at least a day more, instead of being indexed and then deleted by the next sweep unseen. `clamped`
 * says so (counted by the caller). Its @timestamp is unchanged; only the container moves. A redelivery on a later day
 * may then land in another index (ids dedupe per index): a duplicate is preferred to a silent loss.
 */
export function retainedDailyIndex(dataClass: 'events' | 'alerts' | 'deadletter', timestamp: string, now: Date, days: number | undefined): { index: string; clamped: boolean } {
  if (days === undefined) return { index: dailyIndex(dataClass, timestamp), clamped: false };
  // the start of the oldest day whose index the sweeps keep for at least one more day
  const oldestKept = Math.floor((now.getTime() - days * DAY_MS) / DAY_MS) * DAY_MS + DAY_MS;
  if (!(Date.parse(timestamp) < oldestKept)) return { index: dailyIndex(dataClass, timestamp), clamped: false };
  return { index: dailyIndex(dataClass, new Date(oldestKept).toISOString()), clamped: true };
}

// Retention per data class, by the date suffix of the daily indices (events-YYYY.MM.DD, alerts-…, deadletter-…).
// The OpenSearch integ-test distribution has no ISM plugin (GET _cat/plugins is empty, _plugins/_ism answers
// "no handler found"), so the indexer sweeps itself (docs/decisions.md D11): this module decides, pure; main.ts
// lists and deletes at the edge, once at start and then every `sweepEveryMinutes`.

export type DataClass = 'events' | 'alerts' | 'deadletter';

/** Days to keep each class; an index is deleted once its whole day is older than that. */
export type RetentionDays = Record<DataClass, number>;

export const RETENTION_PATTERNS: string[] = ['events-*', 'alerts-*', 'deadletter-*'];

const DAILY = /^(events|alerts|deadletter)-(\d{4})\.(\d{2})\.(\d{2})$/;
const DAY_MS = 86_400_000;

/** The class and the UTC day of a daily index, or undefined for any other name (never deleted). */
export function parseDailyIndex(name: string): { dataClass: DataClass; dayStartMs: number } | undefined {
  const m = DAILY.exec(name);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[2]), Number(m[3]), Number(m[4])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined; // 2026.02.30
  return { dataClass: m[1] as DataClass, dayStartMs: ms };
}

/**
 * The indices to delete at `now`: those whose newest possible document (the end of their day) is more than the
 * class's retention old. With 30 days, events-2026.10.26 (ends 2026-10-27T00:00Z) goes at 2026-11-26T00:00Z.
 */
export function indicesToDelete(indices: string[], now: Date, days: RetentionDays): string[] {
  const out: string[] = [];
  for (const name of indices) {
    const p = parseDailyIndex(name);
    if (!p) continue;
    if (p.dayStartMs + DAY_MS + days[p.dataClass] * DAY_MS <= now.getTime()) out.push(name);
  }
  return out.sort();
}

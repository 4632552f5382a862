// Wall-clock fields (no zone) to an instant, in a fixed offset ("UTC", "Z", "+02:00") or an IANA zone
// ("Europe/Athens", via Intl). Pure apart from the platform's tz database.

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws RangeError for an unknown zone: call it once at configuration time. */
export function checkTimezone(tz: string): void {
  if (fixedOffsetMs(tz) === null) formatter(tz);
}

export function wallClockToEpoch(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, tz: string): number {
  const guess = Date.UTC(y, mo, d, h, mi, s, ms);
  const fixed = fixedOffsetMs(tz);
  if (fixed !== null) return guess - fixed;
  const first = guess - zoneOffsetMs(guess, tz);
  const second = guess - zoneOffsetMs(first, tz);
  return second;
}

export function fixedOffsetMs(tz: string): number | null {
  if (tz === 'UTC' || tz === 'Z' || tz === 'GMT') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(tz);
  if (!m) return null;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
}

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  return f;
}

function zoneOffsetMs(epoch: number, tz: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(epoch))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return asUtc - Math.floor(epoch / 1000) * 1000;
}

// Syslog PRI: facility and severity codes and names (RFC 5424 §6.2.1, names as in ECS / rsyslog). Pure.

export const FACILITY_NAMES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp',
  'security', 'console', 'solaris-cron', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
] as const;

export const SEVERITY_NAMES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'debug'] as const;

export interface Pri {
  priority: number;
  facility: { code: number; name: string };
  severity: { code: number; name: string };
}

export function decodePri(priority: number): Pri {
  const facility = priority >> 3;
  const severity = priority & 7;
  return {
    priority,
    facility: { code: facility, name: FACILITY_NAMES[facility] ?? `facility${facility}` },
    severity: { code: severity, name: SEVERITY_NAMES[severity]! },
  };
}

/** Reads "<N>" at the start of `s` (N = 0..191, no leading zeros except "0"). Returns the PRI and the rest, or null. */
export function readPri(s: string): { pri: Pri; rest: string } | null {
  const m = /^<(0|[1-9]\d{0,2})>/.exec(s);
  if (!m) return null;
  const n = Number(m[1]);
  if (n > 191) return null;
  return { pri: decodePri(n), rest: s.slice(m[0].length) };
}

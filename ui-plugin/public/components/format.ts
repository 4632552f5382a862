// Pure display helpers for the alert table (unit-tested without a DOM).
import { isSeverity, isTlp, type Alert } from '../../common/index';

/** `2026-05-01 12:00:03Z`: the operations room reads UTC, whatever the browser's zone. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

export function formatEndpoint(ep: { ip?: string; port?: number; domain?: string } | undefined): string {
  if (!ep) return '—';
  const host = ep.ip ?? ep.domain;
  if (host === undefined) return ep.port === undefined ? '—' : `:${ep.port}`;
  const shown = host.includes(':') && ep.port !== undefined ? `[${host}]` : host; // IPv6 with a port
  return ep.port === undefined ? shown : `${shown}:${ep.port}`;
}

export function formatFlow(alert: Alert): string {
  if (!alert.source && !alert.destination) return '—';
  return `${formatEndpoint(alert.source)} → ${formatEndpoint(alert.destination)}`;
}

/** DRL 1.1 requires the rule author's attribution to be shown with every match. */
export function ruleAttribution(rule: Alert['rule'] | undefined): string {
  if (!rule) return '';
  const author = rule.author?.trim() ? `by ${rule.author.trim()}` : 'author not stated';
  return rule.license ? `${author} (${rule.license})` : author;
}

/** CSS class for the severity badge; unknown values get a neutral class, never a value-derived one. */
export function severityClass(severity: unknown): string {
  return `cirt-sev cirt-sev--${isSeverity(severity) ? severity : 'unknown'}`;
}

/** CSS class of the TLP badge (FIRST colours in application.css): `cirt-tlp cirt-tlp--amber-strict`; unknown → neutral. */
export function tlpClass(tlp: unknown): string {
  return `cirt-tlp cirt-tlp--${isTlp(tlp) ? tlp.toLowerCase().replace('+', '-') : 'unknown'}`;
}

/** `[path, value]` pairs of an event, dotted ECS paths, scalars only (arrays joined), sorted. */
export function flattenEvent(value: unknown, prefix = '', out: [string, string][] = []): [string, string][] {
  if (value === null || value === undefined) return out;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) out.push([prefix, value.map(String).join(', ')]);
    else value.forEach((v, i) => flattenEvent(v, `${prefix}[${i}]`, out));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flattenEvent(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.push([prefix, String(value)]);
  }
  if (prefix === '') out.sort((a, b) => a[0].localeCompare(b[0]));
  return out;
}

/**
 * The fields of a triggering event that the alert was raised on: the detector's list (`alert.matched_fields`, what
 * the Sigma engine matched on) when the alert carries it; otherwise (correlation alerts, older alerts) the event
 * fields whose value is one the alert carries at top level (source/destination address and port, host, user), plus
 * any field whose name or value the alert's reason quotes.
 */
export function matchedFields(alert: Alert, event: Record<string, unknown>): Set<string> {
  const listed = alert.alert?.matched_fields;
  if (listed?.length) return new Set(listed);
  const alertValues = new Map<string, string>();
  for (const [path, v] of flattenEvent({ source: alert.source, destination: alert.destination, host: alert.host })) alertValues.set(path, v);
  const out = new Set<string>();
  const reason = alert.alert?.reason ?? '';
  for (const [path, v] of flattenEvent(event)) {
    if (alertValues.get(path) === v) out.add(path);
    else if (v.length >= 3 && reason.includes(v) && !/^\d{4}-\d{2}-\d{2}T/.test(v)) out.add(path);
  }
  return out;
}

/** ATT&CK technique ids and tactic names from the rule tags (`attack.t1059.001`, `attack.execution`). */
export function attackTags(tags: string[] | undefined): { techniques: string[]; tactics: string[] } {
  const techniques: string[] = [];
  const tactics: string[] = [];
  for (const t of tags ?? []) {
    const m = /^attack\.(.+)$/i.exec(t);
    if (!m) continue;
    const v = m[1] as string;
    if (/^t\d{4}(\.\d{3})?$/i.test(v)) techniques.push(v.toUpperCase());
    else if (!/^[gs]\d{4}$/i.test(v)) tactics.push(v.replace(/[-_]/g, ' '));
  }
  return { techniques, tactics };
}

export function attackUrl(technique: string): string {
  return `https://attack.mitre.org/techniques/${technique.replace('.', '/')}/`;
}

export function relativeAge(iso: string | undefined, now: Date = new Date()): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.max(0, Math.round((now.getTime() - t) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/** Agency health from the age of its newest event: ok (< 5 min), late (< 1 h), silent. */
export function healthClass(lastSeen: string | undefined, now: Date = new Date()): 'ok' | 'late' | 'silent' {
  const t = lastSeen ? Date.parse(lastSeen) : Number.NaN;
  if (Number.isNaN(t)) return 'silent';
  const age = now.getTime() - t;
  return age < 5 * 60_000 ? 'ok' : age < 3_600_000 ? 'late' : 'silent';
}

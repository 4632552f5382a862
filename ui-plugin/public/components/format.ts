// Pure display helpers for the alert table (unit-tested without a DOM).
import { isSeverity, type Alert } from '../../common/index.ts';

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

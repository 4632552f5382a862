// Turns a rule match into an Alert document (proto/ecs.ts). Pure and deterministic: the alert id is a hash of
// rule id, agency, group-by values, window start and first event id, so a replay rewrites the same document.
import { createHash } from 'node:crypto';
import type { Alert, EcsEvent, Severity } from '../../proto/ecs.ts';
import { rsitFromTags, type Rsit } from '../../proto/taxonomy.ts';
import { tlpFromTags, type Tlp } from '../../proto/tlp.ts';
import type { CorrelationHit } from '../engine/index.ts';

/** The marking of a rule's alerts: RSIT classification and TLP, from its tags (`rsit.*`, `tlp.*`, ATT&CK). */
export interface RuleMarking {
  rsit: Rsit;
  tlp: Tlp;
  /** Invalid or conflicting rsit/tlp tags, each naming the tag (the detector counts and logs them once per rule). */
  problems: string[];
}

/** The default TLP of an alert whose rule has no `tlp.*` tag (detector config `alerts.defaultTlp`). */
export const DEFAULT_ALERT_TLP: Tlp = 'AMBER';

export function ruleMarking(tags: readonly string[], defaultTlp: Tlp = DEFAULT_ALERT_TLP): RuleMarking {
  const c = rsitFromTags(tags);
  const t = tlpFromTags(tags);
  return { rsit: c.rsit, tlp: t.tlp ?? defaultTlp, problems: [...c.problems, ...t.problems] };
}

export interface AlertRule {
  id: string;
  title: string;
  description?: string;
  author?: string;
  level: Severity;
  tags: string[];
  references: string[];
  hash?: string;
  version?: string;
}

export function alertId(parts: { ruleId: string; agency: string; groupBy?: string[]; windowStart?: string; firstEventId: string }): string {
  const text = [parts.ruleId, parts.agency, ...(parts.groupBy ?? []), parts.windowStart ?? '', parts.firstEventId].join('\0');
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

export function alertFromMatch(rule: AlertRule, event: EcsEvent, now: Date, matchedFields?: string[], marking: RuleMarking = ruleMarking(rule.tags)): Alert {
  const agency = event.organization?.id ?? 'unknown';
  const eventId = event.event?.id ?? createHash('sha256').update(JSON.stringify(event)).digest('hex');
  return {
    '@timestamp': event['@timestamp'],
    event: { kind: 'alert', created: now.toISOString(), dataset: event.event?.dataset },
    alert: {
      id: alertId({ ruleId: rule.id, agency, firstEventId: eventId }),
      status: 'open',
      severity: rule.level,
      reason: `${rule.title} matched ${describe(event)}`,
      ...(matchedFields?.length ? { matched_fields: matchedFields } : {}),
    },
    rule: {
      id: rule.id,
      name: rule.title,
      description: rule.description,
      author: rule.author,
      license: 'DRL-1.1',
      level: rule.level,
      tags: rule.tags,
      references: rule.references,
      type: 'detection',
      ...(rule.hash ? { hash: rule.hash } : {}),
      ...(rule.version ? { version: rule.version } : {}),
    },
    organization: { id: agency },
    observer: event.observer,
    source: event.source,
    destination: event.destination,
    host: event.host,
    threat: threatFromTags(rule.tags),
    rsit: { ...marking.rsit },
    tlp: marking.tlp,
    events: [event],
  };
}

/** Sigma ATT&CK tags (attack.t1190, attack.initial-access) → ECS threat fields. */
export function threatFromTags(tags: string[]): Alert['threat'] {
  const technique = tags.filter((t) => /^attack\.t\d{4}(\.\d{3})?$/i.test(t)).map((t) => ({ id: t.slice(7).toUpperCase() }));
  const tactic = tags
    .filter((t) => t.startsWith('attack.') && !/^attack\.[tgs]\d{4}/i.test(t))
    .map((t) => ({ name: t.slice(7).replace(/[-_]/g, ' ') }));
  return technique.length || tactic.length ? { technique, tactic } : undefined;
}

function describe(event: EcsEvent): string {
  const src = event.source?.ip ? `${event.source.ip}${event.source.port ? ':' + event.source.port : ''}` : undefined;
  const dst = event.destination?.ip ? `${event.destination.ip}${event.destination.port ? ':' + event.destination.port : ''}` : undefined;
  if (src && dst) return `${src} -> ${dst}`;
  if (event.host?.name) return `on ${event.host.name}${src ? ' from ' + src : ''}`;
  return src ?? event.event?.dataset ?? 'an event';
}

/** Agency recorded on alerts of cross-agency correlations (no single agency owns them). */
export const CROSS_AGENCY = 'cross-agency';

/** A correlation alert: `alert.window`, the group-by values under `correlation.group_by`, the first triggering
 * events (capped by the correlation state). Deterministic id: rule, agency, group-by values, window start, first event. */
export function alertFromCorrelation(hit: CorrelationHit, now: Date, marking: RuleMarking = ruleMarking(hit.correlation.meta.tags)): Alert & { correlation: { type: string; group_by: Record<string, string>; value: number; count: number; timespan_ms: number; rules: string[] } } {
  const c = hit.correlation;
  const agency = hit.agency ?? CROSS_AGENCY;
  const start = new Date(hit.windowStartMs).toISOString();
  const end = new Date(hit.windowEndMs).toISOString();
  const events = hit.events as EcsEvent[];
  const last = events[events.length - 1];
  const groupText = Object.entries(hit.groupBy).map(([k, v]) => `${k}=${v}`).join(', ');
  const level = c.meta.level;
  return {
    '@timestamp': end,
    event: { kind: 'alert', created: now.toISOString(), dataset: last?.event?.dataset },
    alert: {
      id: alertId({ ruleId: c.meta.id, agency, groupBy: hit.groupValues, windowStart: start, firstEventId: hit.firstEventId }),
      status: 'open',
      severity: level,
      reason: `${c.meta.title}: ${c.type} = ${hit.value} over ${hit.count} matches${groupText ? ` for ${groupText}` : ''} between ${start} and ${end}`,
      window: { start, end },
    },
    rule: {
      id: c.meta.id,
      name: c.meta.title,
      description: c.meta.description,
      author: c.meta.author,
      license: 'DRL-1.1',
      level,
      tags: c.meta.tags,
      references: c.meta.references,
      type: 'correlation',
      ...(c.meta.hash ? { hash: c.meta.hash } : {}),
      ...(c.meta.version ? { version: c.meta.version } : {}),
    },
    organization: { id: agency },
    ...(hit.agency !== undefined && last?.observer ? { observer: last.observer } : {}),
    ...sharedEndpoint('source', events),
    ...sharedEndpoint('destination', events),
    threat: threatFromTags(c.meta.tags),
    rsit: { ...marking.rsit },
    tlp: marking.tlp,
    events,
    correlation: { type: c.type, group_by: hit.groupBy, value: hit.value, count: hit.count, timespan_ms: c.timespanMs, rules: c.ruleIds },
  };
}

/**
 * `source.ip` / `destination.ip` of a correlation alert when every triggering event has the same one (e.g. grouped by
 * src_ip): the alert is then about that address, and the queue, the wall and traceback find it like a detection alert.
 */
function sharedEndpoint(side: 'source' | 'destination', events: readonly EcsEvent[]): { source?: { ip: string }; destination?: { ip: string } } {
  const ip = events[0]?.[side]?.ip;
  if (typeof ip !== 'string' || ip === '' || !events.every((e) => e[side]?.ip === ip)) return {};
  return { [side]: { ip } };
}

// The wall (kiosk view) and rule health: aggregations only, over alerts-* and events-*, every query scoped.
//  - agencies: last seen = newest event per agency in events-* (heartbeats included: the agent is alive), event
//    rate over the last 5 minutes (heartbeats excluded), alert counts;
//    health: spool backlog = the latest heartbeat (event.dataset cirt.agent_health) of each agent, summed, with the
//    age of the oldest of those; certificate = the earliest expiry among the agents' newest certificates
//    (cirt.agent_cert.not_after, stamped by the gateway): max per agent (a renewal shows at once), min over agents
//  - alerts by severity over time (date_histogram), the live ticker, top sources across agencies
//  - campaigns: alerts of `organization.id: cross-agency`, and source addresses seen by ≥ 2 agencies
//  - alerts per RSIT classification (`rsit.classification`; alerts indexed before they carried one count as other)
//  - rule health: hits, false-positive rate from qualifications, silent rules (hit in the period, none lately)
// The integ-test OpenSearch has no painless, so no bucket_selector: thresholds are applied here.
import type { AgencyHealth } from '../../../proto/ecs';
import { SEVERITY_LEVELS, type HoneypotSensorsData, type Principal, type RuleHealth, type Severity, type TriagedAlert, type WallData } from '../../common/index';
import { requirePermission } from '../auth/principal';
import { honeypotSensors } from './honeypot_sensors';
import { boolQuery, scoped } from './scope';
import type { DocStore } from './store';

interface TermsBucket<K = string> {
  key: K;
  key_as_string?: string;
  doc_count: number;
  [sub: string]: unknown;
}
type Terms = { buckets?: TermsBucket[] } | undefined;

function zeroCounts(): Record<Severity, number> {
  return Object.fromEntries(SEVERITY_LEVELS.map((s) => [s, 0])) as Record<Severity, number>;
}

function severityCounts(agg: unknown): Record<Severity, number> {
  const out = zeroCounts();
  for (const b of (agg as Terms)?.buckets ?? []) if ((SEVERITY_LEVELS as readonly string[]).includes(String(b.key))) out[b.key as Severity] = b.doc_count;
  return out;
}

function maxValue(agg: unknown): string | undefined {
  const v = agg as { value?: number | null; value_as_string?: string } | undefined;
  return v?.value == null ? undefined : (v.value_as_string ?? new Date(v.value).toISOString());
}

/** A fixed_interval giving at most ~40 buckets over the window. */
export function histogramInterval(minutes: number): string {
  for (const m of [1, 5, 10, 15, 30, 60, 180, 360, 720, 1440]) if (minutes / m <= 40) return m >= 60 ? `${m / 60}h` : `${m}m`;
  return '1d';
}

export const CROSS_AGENCY = 'cross-agency';
export const HEARTBEAT_DATASET = 'cirt.agent_health';
/** How far back heartbeats and certificate expiries count: an agent silent for longer drops out of the sums. */
export const HEALTH_LOOKBACK_MINUTES = 24 * 60;

/** One agency's row on the wall: WallData's fields plus the heartbeat / certificate health. */
export type WallAgency = WallData['agencies'][number] & { health: AgencyHealth };

interface HeartbeatHit {
  _source?: { '@timestamp'?: string; cirt?: { agent?: { spool?: { backlog_bytes?: number; backlog_records?: number }; shipper?: { connected?: boolean } } } };
}

/** The per-agency health from the `health` sub-aggregations (see the query in wall()). */
export function agencyHealth(bucket: TermsBucket): AgencyHealth {
  const health: AgencyHealth = {};
  const agents = (bucket.heartbeat as { agents?: Terms } | undefined)?.agents?.buckets ?? [];
  let oldest: string | undefined;
  let bytes = 0;
  let records = 0;
  let disconnected = 0;
  let counted = 0;
  for (const a of agents) {
    const hit = (a.latest as { hits?: { hits?: HeartbeatHit[] } } | undefined)?.hits?.hits?.[0]?._source;
    const ts = hit?.['@timestamp'];
    if (!hit || typeof ts !== 'string' || Number.isNaN(Date.parse(ts))) continue;
    counted++;
    bytes += Number(hit.cirt?.agent?.spool?.backlog_bytes ?? 0) || 0;
    records += Number(hit.cirt?.agent?.spool?.backlog_records ?? 0) || 0;
    if (hit.cirt?.agent?.shipper?.connected === false) disconnected++;
    if (oldest === undefined || Date.parse(ts) < Date.parse(oldest)) oldest = new Date(Date.parse(ts)).toISOString();
  }
  if (counted > 0 && oldest) health.spool = { agents: counted, backlog_bytes: bytes, backlog_records: records, disconnected, heartbeat_at: oldest };
  let cert: AgencyHealth['certificate'];
  for (const a of (bucket.cert as { agents?: Terms } | undefined)?.agents?.buckets ?? []) {
    const newest = maxValue(a.not_after);
    if (newest && (!cert || Date.parse(newest) < Date.parse(cert.not_after))) cert = { not_after: newest, agent: String(a.key) };
  }
  if (cert) health.certificate = cert;
  return health;
}

export class WallService {
  constructor(
    private readonly store: DocStore,
    private readonly indices: { alerts: string; events: string },
    private readonly now: () => Date = () => new Date(),
  ) {}

  async wall(minutes: number, principal: Principal): Promise<WallData & { agencies: WallAgency[] }> {
    requirePermission(principal, 'wall:read');
    const now = this.now();
    const since = new Date(now.getTime() - minutes * 60_000).toISOString();
    const recent = new Date(now.getTime() - 5 * 60_000).toISOString();
    const healthSince = new Date(now.getTime() - HEALTH_LOOKBACK_MINUTES * 60_000).toISOString();
    const inWindow = { range: { '@timestamp': { gte: since, lte: now.toISOString() } } };
    const interval = histogramInterval(minutes);

    const [events, alerts, ticker] = await Promise.all([
      this.store.search(this.indices.events, {
        size: 0,
        query: scoped(principal, undefined),
        aggs: {
          agencies: {
            terms: { field: 'organization.id', size: 200 },
            aggs: {
              last_seen: { max: { field: '@timestamp' } },
              // telemetry only: the agents' own heartbeats (2/min each) do not count as traffic
              recent: { filter: boolQuery([{ range: { '@timestamp': { gte: recent } } }], [], [{ term: { 'event.dataset': HEARTBEAT_DATASET } }]) },
              // the latest heartbeat of each agent (top_hits: no painless needed)
              heartbeat: {
                filter: boolQuery([{ term: { 'event.dataset': HEARTBEAT_DATASET } }, { range: { '@timestamp': { gte: healthSince } } }]),
                aggs: {
                  agents: {
                    terms: { field: 'agent.id', size: 500 },
                    aggs: { latest: { top_hits: { size: 1, sort: [{ '@timestamp': { order: 'desc' } }], _source: ['@timestamp', 'cirt.agent.spool.backlog_bytes', 'cirt.agent.spool.backlog_records', 'cirt.agent.shipper.connected'] } } },
                  },
                },
              },
              // each agent's newest certificate expiry; the earliest of those is taken in agencyHealth()
              cert: {
                filter: boolQuery([{ range: { '@timestamp': { gte: healthSince } } }, { exists: { field: 'cirt.agent_cert.not_after' } }]),
                aggs: { agents: { terms: { field: 'agent.id', size: 500 }, aggs: { not_after: { max: { field: 'cirt.agent_cert.not_after' } } } } },
              },
            },
          },
        },
      }),
      this.store.search(this.indices.alerts, {
        size: 0,
        query: scoped(principal, boolQuery([inWindow])),
        aggs: {
          agencies: { terms: { field: 'organization.id', size: 200 }, aggs: { sev: { terms: { field: 'alert.severity', size: 10 } } } },
          timeline: {
            date_histogram: { field: '@timestamp', fixed_interval: interval, min_doc_count: 0, extended_bounds: { min: since, max: now.toISOString() } },
            aggs: { sev: { terms: { field: 'alert.severity', size: 10 } } },
          },
          sources: { terms: { field: 'source.ip', size: 100 }, aggs: { agencies: { terms: { field: 'organization.id', size: 50 } } } },
          cross: { filter: { term: { 'organization.id': CROSS_AGENCY } }, aggs: { rules: { terms: { field: 'rule.name.keyword', size: 20 } } } },
          classifications: { terms: { field: 'rsit.classification', size: 20, missing: 'other' } },
        },
      }),
      this.store.search(this.indices.alerts, { size: 20, sort: [{ '@timestamp': { order: 'desc', unmapped_type: 'date' } }], query: scoped(principal, undefined) }),
    ]);

    const agencyMap = new Map<string, WallAgency>();
    for (const b of (events.aggregations?.agencies as Terms)?.buckets ?? []) {
      agencyMap.set(String(b.key), { agency: String(b.key), last_seen: maxValue(b.last_seen), events_per_minute: Math.round((((b.recent as { doc_count?: number })?.doc_count ?? 0) / 5) * 10) / 10, alerts: zeroCounts(), health: agencyHealth(b) });
    }
    for (const b of (alerts.aggregations?.agencies as Terms)?.buckets ?? []) {
      const key = String(b.key);
      if (key === CROSS_AGENCY) continue; // the correlation pseudo-agency: shown under campaigns, not as an agency
      const entry = agencyMap.get(key) ?? { agency: key, events_per_minute: 0, alerts: zeroCounts(), health: {} };
      entry.alerts = severityCounts(b.sev);
      agencyMap.set(key, entry);
    }
    const sources = ((alerts.aggregations?.sources as Terms)?.buckets ?? []).map((b) => ({
      ip: String(b.key_as_string ?? b.key),
      alerts: b.doc_count,
      agencies: ((b.agencies as Terms)?.buckets ?? []).map((x) => String(x.key)).filter((a) => a !== CROSS_AGENCY),
    }));
    const campaigns: WallData['campaigns'] = [
      ...((alerts.aggregations?.cross as { rules?: Terms } | undefined)?.rules?.buckets ?? []).map((b) => ({ key: String(b.key), kind: 'cross-agency-rule' as const, agencies: [CROSS_AGENCY], alerts: b.doc_count })),
      ...sources.filter((s) => s.agencies.length >= 2).map((s) => ({ key: s.ip, kind: 'shared-source' as const, agencies: s.agencies, alerts: s.alerts })),
    ];
    return {
      generated_at: now.toISOString(),
      agencies: [...agencyMap.values()].sort((a, b) => a.agency.localeCompare(b.agency)),
      timeline: {
        interval,
        buckets: ((alerts.aggregations?.timeline as Terms)?.buckets ?? []).map((b) => ({ at: b.key_as_string ?? new Date(Number(b.key)).toISOString(), counts: severityCounts(b.sev) })),
      },
      ticker: (ticker.hits?.hits ?? []).map((h) => h._source as TriagedAlert),
      top_sources: sources.slice(0, 10).map((s) => ({ ip: s.ip, alerts: s.alerts, agencies: s.agencies.length })),
      campaigns,
      classifications: ((alerts.aggregations?.classifications as Terms)?.buckets ?? []).map((b) => ({ classification: String(b.key), alerts: b.doc_count })),
    };
  }

  /** The "Honeypot sensors" panel (services/honeypot_sensors.ts). */
  async honeypots(hours: number, size: number, principal: Principal): Promise<HoneypotSensorsData> {
    requirePermission(principal, 'wall:read');
    return honeypotSensors(this.store, this.indices, this.now(), principal, { hours, size });
  }

  async ruleHealth(days: number, silentDays: number, principal: Principal): Promise<{ rules: RuleHealth[] }> {
    requirePermission(principal, 'rules:read');
    const now = this.now();
    const since = new Date(now.getTime() - days * 86_400_000).toISOString();
    const silentSince = now.getTime() - silentDays * 86_400_000;
    const res = await this.store.search(this.indices.alerts, {
      size: 0,
      query: scoped(principal, boolQuery([{ range: { '@timestamp': { gte: since } } }])),
      aggs: {
        rules: {
          terms: { field: 'rule.id', size: 1000 },
          aggs: {
            last_hit: { max: { field: '@timestamp' } },
            qualified: { filter: { exists: { field: 'triage.qualification' } } },
            fp: { filter: { term: { 'triage.qualification': 'false_positive' } } },
            top: { top_hits: { size: 1, _source: ['rule.name', 'rule.author'] } },
          },
        },
      },
    });
    const rules = ((res.aggregations?.rules as Terms)?.buckets ?? []).map((b): RuleHealth => {
      const qualified = (b.qualified as { doc_count: number }).doc_count;
      const fps = (b.fp as { doc_count: number }).doc_count;
      const src = (b.top as { hits: { hits: { _source?: { rule?: { name?: string; author?: string } } }[] } }).hits.hits[0]?._source?.rule;
      const last = maxValue(b.last_hit);
      return {
        rule_id: String(b.key),
        rule_name: src?.name ?? String(b.key),
        ...(src?.author ? { author: src.author } : {}),
        hits: b.doc_count,
        qualified,
        false_positives: fps,
        false_positive_rate: qualified === 0 ? null : Math.round((fps / qualified) * 1000) / 1000,
        ...(last ? { last_hit: last } : {}),
        silent: last === undefined || Date.parse(last) < silentSince,
      };
    });
    rules.sort((a, b) => (b.false_positive_rate ?? -1) - (a.false_positive_rate ?? -1) || b.hits - a.hits);
    return { rules };
  }
}

// Traceback: "where else has this source appeared". For one address or CIDR block, over the retained raw telemetry
// (events-*) and alerts (alerts-*): per agency (organization.id) and per sensor (agent.id, with its observer.name
// values) the first/last seen, events, bytes, packets, distinct peers and ports, as source and as destination;
// the alerts involving it by agency, by rule and by severity, and the newest few.
// Two searches, aggregations only (terms + min/max/sum/cardinality; no scan, no painless), both built through
// scoped(): a liaison sees only its own agency's rows, exactly like every other read of the operations room.
// `ip` is matched with term queries on the `ip`-typed source.ip / destination.ip, which take an address or a CIDR;
// in alerts-* an exact address also matches a correlation alert's group-by value (CORRELATION_IP_FIELDS).
import { SEVERITY_LEVELS, type Principal, type Severity, type TracebackAgency, type TracebackAlertCounts, type TracebackResponse, type TracebackRule, type TracebackSensor, type TracebackSide, type TracebackTraffic, type TriagedAlert } from '../../common/index';
import { requirePermission } from '../auth/principal';
import { CirtUiError } from '../errors';
import type { TracebackQuery } from '../routes/validation';
import { boolQuery, scoped } from './scope';
import { totalOf, type DocStore, type SearchBody, type SearchResult } from './store';
import { CROSS_AGENCY } from './wall_service';

/** Bucket caps: above them the answer says `truncated`. */
export const TRACEBACK_LIMITS = { agencies: 500, sensors: 100, observers: 10, rules: 100, latestAlerts: 10, top: 10 } as const;

interface Bucket {
  key: string | number;
  key_as_string?: string;
  doc_count: number;
  [sub: string]: unknown;
}
interface Terms {
  buckets?: Bucket[];
  sum_other_doc_count?: number;
}
type Aggs = Record<string, unknown> | undefined;

/** The traffic sub-aggregations, the same at every level (whole answer, agency, sensor). */
function trafficAggs(ip: string): Record<string, unknown> {
  const side = (own: string, other: string) => ({
    filter: { term: { [own]: ip } },
    aggs: { peers: { cardinality: { field: other } }, ports: { cardinality: { field: 'destination.port' } } },
  });
  return {
    first_seen: { min: { field: '@timestamp' } },
    last_seen: { max: { field: '@timestamp' } },
    bytes: { sum: { field: 'network.bytes' } },
    packets: { sum: { field: 'network.packets' } },
    as_source: side('source.ip', 'destination.ip'),
    as_destination: side('destination.ip', 'source.ip'),
  };
}

/**
 * Correlation alerts carry no source.ip / destination.ip: the address is only in `correlation.group_by` under the
 * Sigma field name, as a string (dynamically mapped: text + keyword). An exact address is matched there too; a CIDR
 * block cannot be (a keyword has no notion of a block).
 */
export const CORRELATION_IP_FIELDS = ['correlation.group_by.src_ip.keyword', 'correlation.group_by.dst_ip.keyword'] as const;

function clauses(q: TracebackQuery, withCorrelations = false): Record<string, unknown>[] {
  const should: Record<string, unknown>[] = [{ term: { 'source.ip': q.ip } }, { term: { 'destination.ip': q.ip } }];
  if (withCorrelations && !q.ip.includes('/')) for (const field of CORRELATION_IP_FIELDS) should.push({ term: { [field]: q.ip } });
  const out: Record<string, unknown>[] = [{ bool: { should, minimum_should_match: 1 } }];
  if (q.from !== undefined || q.to !== undefined) out.push({ range: { '@timestamp': { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } } });
  return out;
}

/** The events-* search: totals, per agency, per sensor, top ports and peers. */
export function buildEventsSearch(q: TracebackQuery, principal: Principal): SearchBody {
  const top = (field: string) => ({ terms: { field, size: TRACEBACK_LIMITS.top } });
  return {
    size: 0,
    track_total_hits: true,
    query: scoped(principal, boolQuery(clauses(q))),
    aggs: {
      ...trafficAggs(q.ip),
      agencies: {
        terms: { field: 'organization.id', size: TRACEBACK_LIMITS.agencies },
        aggs: {
          ...trafficAggs(q.ip),
          sensors: {
            terms: { field: 'agent.id', size: TRACEBACK_LIMITS.sensors },
            aggs: { ...trafficAggs(q.ip), observers: { terms: { field: 'observer.name', size: TRACEBACK_LIMITS.observers } } },
          },
        },
      },
      top_ports: top('destination.port'),
      peers_as_source: { filter: { term: { 'source.ip': q.ip } }, aggs: { top: top('destination.ip') } },
      peers_as_destination: { filter: { term: { 'destination.ip': q.ip } }, aggs: { top: top('source.ip') } },
    },
  };
}

/** The alerts-* search: the newest alerts (without their triggering events) and counts by agency, rule, severity. */
export function buildAlertsSearch(q: TracebackQuery, principal: Principal): SearchBody {
  const severity = { terms: { field: 'alert.severity', size: SEVERITY_LEVELS.length } };
  return {
    size: TRACEBACK_LIMITS.latestAlerts,
    track_total_hits: true,
    sort: [{ '@timestamp': { order: 'desc', unmapped_type: 'date' } }],
    _source: { excludes: ['events'] },
    query: scoped(principal, boolQuery(clauses(q, true))),
    aggs: {
      agencies: {
        terms: { field: 'organization.id', size: TRACEBACK_LIMITS.agencies },
        aggs: { severity, first: { min: { field: '@timestamp' } }, last: { max: { field: '@timestamp' } } },
      },
      rules: {
        terms: { field: 'rule.id', size: TRACEBACK_LIMITS.rules },
        aggs: {
          severity,
          last: { max: { field: '@timestamp' } },
          agencies: { terms: { field: 'organization.id', size: 50 } },
          name: { top_hits: { size: 1, _source: ['rule.name'] } },
        },
      },
    },
  };
}

// ---- answer mapping (pure) --------------------------------------------------------------------------------------

const num = (agg: unknown): number => {
  const v = (agg as { value?: number | null } | undefined)?.value;
  return typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : 0;
};

function time(agg: unknown): string | undefined {
  const v = agg as { value?: number | null; value_as_string?: string } | undefined;
  if (v?.value == null) return undefined;
  return new Date(v.value).toISOString();
}

const bucketsOf = (agg: unknown): Bucket[] => (agg as Terms | undefined)?.buckets ?? [];
const keyOf = (b: Bucket): string => String(b.key_as_string ?? b.key);
const cut = (agg: unknown): boolean => ((agg as Terms | undefined)?.sum_other_doc_count ?? 0) > 0;

function side(agg: unknown): TracebackSide {
  const a = agg as { doc_count?: number; peers?: unknown; ports?: unknown } | undefined;
  return { events: a?.doc_count ?? 0, peers: num(a?.peers), ports: num(a?.ports) };
}

function traffic(aggs: Aggs, events: number): TracebackTraffic {
  const first = time(aggs?.first_seen);
  const last = time(aggs?.last_seen);
  return {
    ...(first ? { first_seen: first } : {}),
    ...(last ? { last_seen: last } : {}),
    events,
    bytes: num(aggs?.bytes),
    packets: num(aggs?.packets),
    as_source: side(aggs?.as_source),
    as_destination: side(aggs?.as_destination),
  };
}

function severities(agg: unknown): Record<Severity, number> {
  const out = Object.fromEntries(SEVERITY_LEVELS.map((s) => [s, 0])) as Record<Severity, number>;
  for (const b of bucketsOf(agg)) if ((SEVERITY_LEVELS as readonly string[]).includes(String(b.key))) out[b.key as Severity] = b.doc_count;
  return out;
}

function noAlerts(): TracebackAlertCounts {
  return { total: 0, by_severity: severities(undefined) };
}

const EMPTY_TRAFFIC = (): TracebackTraffic => traffic(undefined, 0);

/** The answer from the two search results (exported for tests: the aggregation shapes are OpenSearch's). */
export function toTraceback(q: TracebackQuery, events: SearchResult, alerts: SearchResult): TracebackResponse {
  const ea = events.aggregations;
  const aa = alerts.aggregations;
  let truncated = cut(ea?.agencies) || cut(aa?.agencies) || cut(aa?.rules);

  const rows = new Map<string, TracebackAgency>();
  for (const b of bucketsOf(ea?.agencies)) {
    truncated ||= cut(b.sensors);
    const sensors = bucketsOf(b.sensors).map(
      (s): TracebackSensor => ({ agent: keyOf(s), observers: bucketsOf(s.observers).map(keyOf), ...traffic(s as Aggs, s.doc_count) }),
    );
    rows.set(keyOf(b), { agency: keyOf(b), ...traffic(b as Aggs, b.doc_count), sensors, alerts: noAlerts() });
  }
  for (const b of bucketsOf(aa?.agencies)) {
    const agency = keyOf(b);
    if (agency === CROSS_AGENCY) continue; // correlation pseudo-agency: its alerts count in the totals and rules
    const row = rows.get(agency) ?? { agency, ...EMPTY_TRAFFIC(), sensors: [], alerts: noAlerts() };
    const first = time(b.first);
    const last = time(b.last);
    row.alerts = { total: b.doc_count, by_severity: severities(b.severity), ...(first ? { first } : {}), ...(last ? { last } : {}) };
    rows.set(agency, row);
  }
  const agencies = [...rows.values()].sort((a, b) => b.events - a.events || b.alerts.total - a.alerts.total || a.agency.localeCompare(b.agency));

  const rules = bucketsOf(aa?.rules).map((b): TracebackRule => {
    const name = (b.name as { hits?: { hits?: { _source?: { rule?: { name?: string } } }[] } } | undefined)?.hits?.hits?.[0]?._source?.rule?.name;
    const last = time(b.last);
    return { rule_id: keyOf(b), rule_name: name ?? keyOf(b), count: b.doc_count, by_severity: severities(b.severity), agencies: bucketsOf(b.agencies).map(keyOf), ...(last ? { last } : {}) };
  });

  const peers = new Map<string, number>();
  for (const agg of [(ea?.peers_as_source as Aggs)?.top, (ea?.peers_as_destination as Aggs)?.top]) {
    for (const b of bucketsOf(agg)) peers.set(keyOf(b), (peers.get(keyOf(b)) ?? 0) + b.doc_count);
  }

  return {
    query: { ip: q.ip, ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}) },
    summary: { ...traffic(ea, totalOf(events)), agencies: agencies.length, sensors: agencies.reduce((n, a) => n + a.sensors.length, 0), alerts: totalOf(alerts) },
    agencies,
    rules,
    latest_alerts: (alerts.hits?.hits ?? []).map((h) => h._source as TriagedAlert),
    top_ports: bucketsOf(ea?.top_ports).map((b) => ({ port: Number(b.key), events: b.doc_count })),
    top_peers: [...peers].map(([ip, n]) => ({ ip, events: n })).sort((a, b) => b.events - a.events || a.ip.localeCompare(b.ip)).slice(0, TRACEBACK_LIMITS.top),
    truncated,
  };
}

function checked(res: SearchResult, index: string): SearchResult {
  if (typeof res !== 'object' || res === null || !Array.isArray(res.hits?.hits)) throw new CirtUiError('ERR_UI_STORE_RESPONSE', `the store answered the ${index} search without hits`);
  return res;
}

export class TracebackService {
  constructor(
    private readonly store: Pick<DocStore, 'search'>,
    private readonly indices: { alerts: string; events: string },
  ) {}

  /** Everything retained about `q.ip` that the principal may see (a liaison: its own agency only). */
  async traceback(q: TracebackQuery, principal: Principal): Promise<TracebackResponse> {
    requirePermission(principal, 'alerts:read');
    const [events, alerts] = await Promise.all([this.store.search(this.indices.events, buildEventsSearch(q, principal)), this.store.search(this.indices.alerts, buildAlertsSearch(q, principal))]);
    return toTraceback(q, checked(events, this.indices.events), checked(alerts, this.indices.alerts));
  }
}

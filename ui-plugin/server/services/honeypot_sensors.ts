// The wall's "Honeypot sensors" panel: the top sources hitting the CIRT's honeypots (events-* with observer.type
// honeypot, written by the agent's honeypot inputs) over the last hours, and for each whether the same address
// appears in agency telemetry (as source or destination of a non-honeypot event) or in agency alerts, and in which
// agencies. Three aggregation queries, every one scoped; no painless.
import type { HoneypotSensorsData, HoneypotSource, Principal } from '../../common/index';
import { boolQuery, scoped } from './scope';
import type { DocStore, SearchResult } from './store';

interface Bucket {
  key: string | number;
  key_as_string?: string;
  doc_count: number;
  [sub: string]: unknown;
}
const buckets = (agg: unknown): Bucket[] => (agg as { buckets?: Bucket[] } | undefined)?.buckets ?? [];
const keys = (agg: unknown): string[] => buckets(agg).map((b) => String(b.key_as_string ?? b.key));

function dateOf(agg: unknown): string | undefined {
  const v = agg as { value?: number | null; value_as_string?: string } | undefined;
  return v?.value == null ? undefined : new Date(v.value).toISOString();
}

/** The pseudo-agency of cross-agency correlation alerts (detection/service/alerts.ts): not an agency. */
const CROSS_AGENCY = 'cross-agency';
const HONEYPOT = { term: { 'observer.type': 'honeypot' } };

/** ip → agencies, from `<side>: filter → ips: terms → agencies: terms` aggregations. */
function agenciesByIp(res: SearchResult, sides: string[], into: Map<string, Set<string>>): void {
  for (const side of sides) {
    for (const b of buckets((res.aggregations?.[side] as { ips?: unknown } | undefined)?.ips)) {
      const ip = String(b.key_as_string ?? b.key);
      const set = into.get(ip) ?? new Set<string>();
      for (const a of keys(b.agencies)) if (a !== CROSS_AGENCY) set.add(a);
      into.set(ip, set);
    }
  }
}

const bySide = (field: string, ips: string[]) => ({
  filter: { terms: { [field]: ips } },
  aggs: { ips: { terms: { field, size: ips.length }, aggs: { agencies: { terms: { field: 'organization.id', size: 50 } } } } },
});

export async function honeypotSensors(store: DocStore, indices: { alerts: string; events: string }, now: Date, principal: Principal, opts: { hours: number; size: number }): Promise<HoneypotSensorsData> {
  const since = new Date(now.getTime() - opts.hours * 3_600_000).toISOString();
  const inWindow = { range: { '@timestamp': { gte: since, lte: now.toISOString() } } };
  const hits = await store.search(indices.events, {
    size: 0,
    track_total_hits: true,
    query: scoped(principal, boolQuery([HONEYPOT, inWindow])),
    aggs: {
      distinct: { cardinality: { field: 'source.ip' } },
      sources: {
        terms: { field: 'source.ip', size: opts.size },
        aggs: {
          sensors: { terms: { field: 'observer.hostname', size: 20 } },
          products: { terms: { field: 'event.dataset', size: 10 } },
          first: { min: { field: '@timestamp' } },
          last: { max: { field: '@timestamp' } },
        },
      },
    },
  });
  const top = buckets(hits.aggregations?.sources);
  const ips = top.map((b) => String(b.key_as_string ?? b.key));
  const seen = new Map<string, Set<string>>();
  if (ips.length > 0) {
    const touching = { bool: { should: [{ terms: { 'source.ip': ips } }, { terms: { 'destination.ip': ips } }], minimum_should_match: 1 } };
    const [telemetry, alerts] = await Promise.all([
      store.search(indices.events, { size: 0, query: scoped(principal, boolQuery([inWindow, touching], [], [HONEYPOT])), aggs: { as_source: bySide('source.ip', ips), as_destination: bySide('destination.ip', ips) } }),
      store.search(indices.alerts, { size: 0, query: scoped(principal, boolQuery([inWindow, touching], [], [HONEYPOT])), aggs: { as_source: bySide('source.ip', ips), as_destination: bySide('destination.ip', ips) } }),
    ]);
    agenciesByIp(telemetry, ['as_source', 'as_destination'], seen);
    agenciesByIp(alerts, ['as_source', 'as_destination'], seen);
  }
  const sources = top.map((b): HoneypotSource => {
    const ip = String(b.key_as_string ?? b.key);
    const agencies = [...(seen.get(ip) ?? [])].sort();
    return {
      ip,
      hits: b.doc_count,
      sensors: keys(b.sensors),
      products: keys(b.products),
      first_seen: dateOf(b.first) ?? since,
      last_seen: dateOf(b.last) ?? since,
      in_agencies: agencies.length > 0,
      agencies,
    };
  });
  const total = hits.hits?.total;
  return {
    generated_at: now.toISOString(),
    hours: opts.hours,
    total_hits: typeof total === 'number' ? total : (total?.value ?? 0),
    distinct_sources: Number((hits.aggregations?.distinct as { value?: number } | undefined)?.value ?? 0),
    sources,
  };
}

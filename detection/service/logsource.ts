// Which rules an event is evaluated against. Pure.
//
// Windows events (evtx layout, `Event.System`) are routed exactly as detection/pipelines/windows-evtx.yml
// conditions them: a rule whose service has an `add_condition` on Channel runs only on that channel, a rule whose
// category has one on EventID (e.g. process_creation: Sysmon 1 / Security 4688) only on those event ids; services
// and categories the pipeline does not condition are not excluded (their field tests decide). The tables below
// are checked against the pipeline file by detection/test/service/logsource.test.ts. Other events use their
// product/category/service (netflow, linux.*, dataset) and a rule applies when every logsource field it names
// equals the event's. Honeypot hits (observer.type `honeypot`, set by the agent's honeypot decoders) are their own
// logsource: product `honeypot`, service = the honeypot (observer.product: cowrie, dionaea, or a mapped product).
//
// RuleRouter caches, per route, the applicable rules and a prefilter index over them (engine/prefilter.ts): the
// streaming detector and bench/sigma-engine.bench.ts route and prefilter through this same code.
import { buildRuleIndex, type RuleIndex } from '../engine/prefilter.ts';
import type { CompiledRule } from '../engine/index.ts';

export interface Logsource {
  product?: string;
  category?: string;
  service?: string;
}

/** Channel (lower-cased) -> Sigma service, for the services windows-evtx.yml conditions on Channel. */
export const WINDOWS_SERVICES: Readonly<Record<string, string>> = {
  security: 'security',
  system: 'system',
  application: 'application',
  'microsoft-windows-sysmon/operational': 'sysmon',
  'microsoft-windows-powershell/operational': 'powershell',
  'windows powershell': 'powershell-classic',
  'microsoft-windows-wmi-activity/operational': 'wmi',
  'microsoft-windows-taskscheduler/operational': 'taskscheduler',
  'microsoft-windows-windows defender/operational': 'windefend',
  'microsoft-windows-bits-client/operational': 'bits-client',
  'microsoft-windows-dns client events/operational': 'dns-client',
  'microsoft-windows-codeintegrity/operational': 'codeintegrity-operational',
};

/** Sigma category -> EventIDs, for the categories windows-evtx.yml conditions on EventID. */
export const WINDOWS_CATEGORIES: Readonly<Record<string, readonly number[]>> = {
  process_creation: [1, 4688], file_event: [11], image_load: [7], process_access: [10], network_connection: [3],
  registry_set: [13], registry_add: [12], registry_delete: [12], registry_event: [12, 13, 14], dns_query: [22],
  pipe_created: [17, 18], create_remote_thread: [8], driver_load: [6], file_delete: [23, 26], create_stream_hash: [15],
  raw_access_thread: [9], process_tampering: [25],
};
const KNOWN_SERVICES = new Set(Object.values(WINDOWS_SERVICES));

/** Where an event goes: `key` identifies the set of applicable rules (events with the same key share it). */
export interface Route {
  key: string;
  logsource: Logsource;
  applies(rule: Logsource): boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function windowsSystem(event: Record<string, unknown>): Record<string, unknown> | undefined {
  const ev = event.Event;
  return isObject(ev) && isObject(ev.System) ? ev.System : undefined;
}

/** The categories (pipeline-conditioned) an EventID belongs to, in table order. */
export function windowsCategories(eventId: unknown): string[] {
  const id = typeof eventId === 'number' ? eventId : typeof eventId === 'string' && eventId.trim() !== '' ? Number(eventId) : NaN;
  return Object.keys(WINDOWS_CATEGORIES).filter((c) => WINDOWS_CATEGORIES[c]!.includes(id));
}

export function eventRoute(event: Record<string, unknown>): Route {
  const sys = windowsSystem(event);
  if (sys) {
    const channel = String(sys.Channel ?? '').toLowerCase();
    const service = WINDOWS_SERVICES[channel];
    const cats = windowsCategories(sys.EventID);
    const logsource: Logsource = { product: 'windows', service: service ?? channel, ...(cats.length ? { category: cats[0] } : {}) };
    return {
      key: `windows|${service ?? '?'}|${cats.join(',')}`,
      logsource,
      applies: (r) => {
        if (r.product !== undefined && r.product.toLowerCase() !== 'windows') return false;
        if (r.service !== undefined && KNOWN_SERVICES.has(r.service) && r.service !== service) return false;
        if (r.category !== undefined && Object.prototype.hasOwnProperty.call(WINDOWS_CATEGORIES, r.category) && !cats.includes(r.category)) return false;
        return true;
      },
    };
  }
  const ls = eventLogsource(event);
  return { key: `${ls.product ?? ''}|${ls.category ?? ''}|${ls.service ?? ''}`, logsource: ls, applies: (r) => ruleApplies(r, ls) };
}

export function eventLogsource(event: Record<string, unknown>): Logsource {
  const ev = (event.event ?? {}) as { dataset?: string; module?: string; category?: string[] };
  const dataset = ev.dataset ?? '';
  if (dataset.startsWith('netflow')) return { product: 'netflow', category: 'flow' };
  const observer = event.observer as { type?: unknown; product?: unknown } | undefined;
  if (observer?.type === 'honeypot') return { product: 'honeypot', ...(typeof observer.product === 'string' && observer.product ? { service: observer.product } : {}) };
  const sys = windowsSystem(event);
  if (sys) {
    const channel = String(sys.Channel ?? '').toLowerCase();
    const cats = windowsCategories(sys.EventID);
    return { product: 'windows', service: WINDOWS_SERVICES[channel] ?? channel, ...(cats.length ? { category: cats[0] } : {}) };
  }
  if (dataset.startsWith('linux.') || dataset.startsWith('system.')) {
    const proc = (event.process as { name?: string } | undefined)?.name;
    return { product: 'linux', ...(proc ? { service: proc } : {}) };
  }
  if (dataset) {
    const [product, service] = dataset.split('.');
    return { product, ...(service ? { service } : {}) };
  }
  return {};
}

export function ruleApplies(rule: Logsource, event: Logsource): boolean {
  for (const key of ['product', 'category', 'service'] as const) {
    const want = rule[key];
    if (want !== undefined && want.toLowerCase() !== (event[key] ?? '').toLowerCase()) return false;
  }
  return true;
}

/** Routes events to their rules and a prefilter index over them, built lazily once per route key. */
export class RuleRouter<R extends CompiledRule = CompiledRule> {
  private readonly routes = new Map<string, { rules: R[]; index: RuleIndex<R> | undefined }>();
  constructor(readonly rules: readonly R[]) {}

  private entry(event: Record<string, unknown>): { rules: R[]; index: RuleIndex<R> | undefined } {
    const route = eventRoute(event);
    let e = this.routes.get(route.key);
    if (!e) { e = { rules: this.rules.filter((r) => route.applies(r.meta.logsource)), index: undefined }; this.routes.set(route.key, e); }
    return e;
  }

  /** The rules that apply to the event's route (no prefilter). */
  rulesFor(event: Record<string, unknown>): readonly R[] { return this.entry(event).rules; }

  /** The prefilter index of the event's route. */
  indexFor(event: Record<string, unknown>): RuleIndex<R> {
    const e = this.entry(event);
    return (e.index ??= buildRuleIndex(e.rules));
  }

  get routeCount(): number { return this.routes.size; }
}

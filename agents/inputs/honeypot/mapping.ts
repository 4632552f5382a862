// A generic JSON-lines honeypot (OpenCanary, Heralding, a T-Pot sensor …) through a declarative field mapping given
// in the agent configuration: ECS field ← path in the record. Targets are a fixed list, each with its type check
// (an address must be an IP, a port an integer 0..65535, a time ISO 8601), so a mapping cannot put garbage into the
// fields rules and the wall rely on. Pure.
import type { EcsEvent } from '../../../proto/ecs.ts';
import { honeypotEvent, ip, pathValue, port, str, timestamp, type DecodeResult, type Json } from './common.ts';

type Kind = 'ip' | 'port' | 'time' | 'string';

/** The ECS fields a mapping may fill, and their type. */
export const MAPPABLE_FIELDS: Readonly<Record<string, Kind>> = {
  '@timestamp': 'time',
  'source.ip': 'ip',
  'source.port': 'port',
  'source.domain': 'string',
  'destination.ip': 'ip',
  'destination.port': 'port',
  'network.transport': 'string',
  'network.protocol': 'string',
  'event.action': 'string',
  'event.outcome': 'string',
  'user.name': 'string',
  'process.command_line': 'string',
  'url.original': 'string',
  'file.hash.sha256': 'string',
  'file.name': 'string',
  'observer.hostname': 'string',
  message: 'string',
};

export interface HoneypotMapping {
  /** observer.product and event.dataset (lower-case, e.g. opencanary). */
  product: string;
  /** ECS field → dotted path in the record. `source.ip` and `@timestamp` are required. */
  fields: Record<string, string>;
  /** event.outcome values: record value → success|failure (e.g. {"true": "success"}), applied to the mapped value. */
  outcomes?: Record<string, 'success' | 'failure'>;
}

function setPath(ev: Json, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = ev;
  for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {}) as Json;
  cur[parts[parts.length - 1]!] = value;
}

export function decodeMapped(record: Json, mapping: HoneypotMapping, defaults: { sensor?: string } = {}): DecodeResult {
  const values: Record<string, string | number> = {};
  for (const [target, path] of Object.entries(mapping.fields)) {
    const kind = MAPPABLE_FIELDS[target];
    const raw = pathValue(record, path);
    if (raw === undefined || raw === null || raw === '' || kind === undefined) continue;
    const v = kind === 'ip' ? ip(raw) : kind === 'port' ? port(raw) : kind === 'time' ? timestamp(raw) : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : str(raw);
    if (v === undefined) return { error: `'${path}' (mapped to ${target}) is not ${kind === 'ip' ? 'an IP address' : kind === 'port' ? 'a port 0..65535' : kind === 'time' ? 'an ISO 8601 time' : 'a string'}: ${JSON.stringify(raw).slice(0, 80)}`, field: path };
    values[target] = v;
  }
  if (values['source.ip'] === undefined) return { error: `the source address ('${mapping.fields['source.ip']}', mapped to source.ip) is missing`, field: mapping.fields['source.ip'] };
  if (values['@timestamp'] === undefined) return { error: `the time ('${mapping.fields['@timestamp']}', mapped to @timestamp) is missing`, field: mapping.fields['@timestamp'] };
  if (values['event.outcome'] !== undefined) {
    const o = mapping.outcomes?.[String(values['event.outcome'])] ?? String(values['event.outcome']);
    if (o === 'success' || o === 'failure') values['event.outcome'] = o;
    else delete values['event.outcome'];
  }
  const has = (f: string) => values[f] !== undefined;
  const category = [has('user.name') ? 'authentication' : has('process.command_line') ? 'process' : has('file.hash.sha256') ? 'file' : 'network'];
  const sensor = (values['observer.hostname'] as string | undefined) ?? defaults.sensor;
  const action = (values['event.action'] as string | undefined) ?? `${mapping.product}.event`;
  const ev = honeypotEvent(values['@timestamp'] as string, { product: mapping.product, ...(sensor ? { sensor } : {}) }, action, category, ['info']) as EcsEvent & Json;
  for (const [target, v] of Object.entries(values)) if (target !== '@timestamp' && target !== 'observer.hostname' && target !== 'event.action') setPath(ev, target, v);
  return { event: ev };
}

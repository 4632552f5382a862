// A Windows event in evtx_dump JSON shape ({Event: {System, EventData|UserData}}) → the event the detector's
// windows pipeline expects: kept as is, plus the ECS fields the pipeline routes and indexes on. Pure.
import type { EcsEvent } from '../../../proto/ecs.ts';

export type NormaliseResult = { event: EcsEvent } | { error: string; field: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** "#text" of an element that also had attributes (EventID with Qualifiers), or the value itself. */
const textOf = (v: unknown): unknown => (isObj(v) && '#text' in v ? v['#text'] : v);

export function systemTime(system: Obj): string | undefined {
  const tc = system.TimeCreated;
  const attrs = system.TimeCreated_attributes;
  const raw = (isObj(tc) && isObj(tc['#attributes']) ? tc['#attributes'].SystemTime : undefined) ?? (isObj(attrs) ? attrs.SystemTime : undefined) ?? (isObj(tc) ? tc.SystemTime : undefined);
  if (typeof raw !== 'string') return undefined;
  const iso = /^\d{4}-\d{2}-\d{2} \d/.test(raw) ? raw.replace(' ', 'T') : raw;
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`;
  const ms = Date.parse(withZone);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** "Microsoft-Windows-Sysmon/Operational" → "windows.microsoft_windows_sysmon_operational" (ECS dataset charset). */
export function channelDataset(channel: string): string {
  return `windows.${channel.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'unknown'}`;
}

export function normaliseWindowsEvent(value: unknown, now: Date = new Date()): NormaliseResult {
  if (!isObj(value) || !isObj(value.Event)) return { error: 'not a Windows event: no top-level "Event" object', field: 'Event' };
  const system = value.Event.System;
  if (!isObj(system)) return { error: 'not a Windows event: no Event.System', field: 'Event.System' };
  const channel = textOf(system.Channel);
  const computer = textOf(system.Computer);
  const eventId = textOf(system.EventID);
  const provider = isObj(system.Provider) && isObj(system.Provider['#attributes']) ? system.Provider['#attributes'].Name : isObj(system.Provider_attributes) ? system.Provider_attributes.Name : undefined;
  const ts = systemTime(system);
  const prev = isObj(value.event) ? value.event : {};
  const host = isObj(value.host) ? value.host : {};
  const event = {
    ...value,
    '@timestamp': ts ?? now.toISOString(),
    event: {
      ...prev,
      kind: 'event',
      module: 'windows',
      dataset: typeof channel === 'string' ? channelDataset(channel) : 'windows.unknown',
      ...(eventId !== undefined && eventId !== null ? { code: String(eventId) } : {}),
      ...(typeof provider === 'string' ? { provider } : {}),
      ...(ts ? {} : { created: now.toISOString() }),
    },
    ...(typeof computer === 'string' ? { host: { ...host, name: computer } } : {}),
  } as EcsEvent;
  if (!ts) event.tags = [...(Array.isArray(value.tags) ? (value.tags as string[]) : []), '_evtx_no_timestamp'];
  return { event };
}

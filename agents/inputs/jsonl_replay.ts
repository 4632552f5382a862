// Replays a JSON-lines file of ECS events (one event per line). Used by the demo agent and by rule authors.
// Timestamps can be shifted so that the newest event lands "now", keeping the spacing between events.
// A bad line is reported with its file and line number and skipped; the good lines still go through.
import { readFileSync } from 'node:fs';
import type { EcsEvent } from '../../proto/ecs.ts';
import { CirtError } from '../../proto/errors.ts';

export class ReplayInputError extends CirtError {}

export interface ReplayItem {
  kind: 'flow' | 'log';
  event: EcsEvent;
}

export interface ReplayResult {
  items: ReplayItem[];
  errors: ReplayInputError[];
}

/** Pure: parse the text of a JSON-lines file. */
export function parseJsonLines(text: string, file: string): ReplayResult {
  const items: ReplayItem[] = [];
  const errors: ReplayInputError[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const location = { file, line: i + 1 };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      errors.push(new ReplayInputError('ERR_REPLAY_JSON', `not JSON: ${(err as Error).message}`, { location, cause: err }));
      return;
    }
    const event = value as EcsEvent;
    if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof event['@timestamp'] !== 'string' || Number.isNaN(Date.parse(event['@timestamp']))) {
      errors.push(new ReplayInputError('ERR_REPLAY_EVENT', 'an event must be a JSON object with an ISO @timestamp', { location }));
      return;
    }
    items.push({ kind: event.event?.category?.includes('network') && event.event?.dataset?.startsWith('netflow') ? 'flow' : 'log', event });
  });
  return { items, errors };
}

/** Pure: shift every timestamp field so the newest @timestamp becomes `now`. */
export function shiftToNow(items: ReplayItem[], now: Date): ReplayItem[] {
  const newest = Math.max(...items.map((i) => Date.parse(i.event['@timestamp'])));
  if (!Number.isFinite(newest)) return items;
  const delta = now.getTime() - newest;
  const shift = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(Date.parse(v) + delta).toISOString() : v);
  return items.map(({ kind, event }) => ({
    kind,
    event: {
      ...event,
      '@timestamp': shift(event['@timestamp']) as string,
      ...(event.event ? { event: { ...event.event, start: shift(event.event.start) as string | undefined, end: shift(event.event.end) as string | undefined } } : {}),
    },
  }));
}

export function readJsonLines(file: string): ReplayResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { items: [], errors: [new ReplayInputError('ERR_REPLAY_FILE', `cannot read: ${(err as Error).message}`, { location: { file }, cause: err })] };
  }
  return parseJsonLines(text, file);
}

// Replays a JSON-lines file of ECS events (one event per line). Used by the demo agent and by rule authors.
// Timestamps can be shifted so that the newest event lands "now", keeping the spacing between events.
// A bad line is reported with its file and line number and skipped; the good lines still go through.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { EcsEvent } from '../../proto/ecs.ts';
import { CirtError } from '../../proto/errors.ts';
import type { AgentInput, InputContext } from './input.ts';

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

// ---- the `jsonl` agent input -------------------------------------------------------------------------------------
// Replays the files once (or every loopSeconds). Exactly once across crashes: every event gets a stable id
// (hash of file, pass, line) unless it carries one, and a checkpoint in the state directory (the spool's) records the
// next line to replay after its event is in the spool; a restarted agent resumes there with the same time shift,
// and the few lines between the last checkpoint and the crash are re-spooled with the same ids, which downstream
// de-duplication (gateway agentEventId -> indexer _id) absorbs. A file replayed to its end is not replayed again
// by a restart unless it changed (size or mtime) or `resume` is false.

export interface JsonlInputConfig {
  type?: 'jsonl';
  files: string[];
  shiftToNow: boolean;
  /** 0 = replay once. */
  loopSeconds: number;
  resume: boolean;
  /** Lines between two checkpoint writes (more = fewer writes, more re-sent lines after a crash). */
  checkpointEvery: number;
}

export const jsonlInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['files'],
  properties: {
    type: { const: 'jsonl' },
    files: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, description: 'JSON-lines files of ECS events, one event per line.' },
    shiftToNow: { type: 'boolean', default: true, description: 'Shift the timestamps so that the newest event lands now (spacing kept).' },
    loopSeconds: { type: 'number', minimum: 0, default: 0, description: 'Replay again every this many seconds; 0 = once.' },
    resume: { type: 'boolean', default: true, description: 'Resume an interrupted replay after a restart, and do not replay a finished, unchanged file again.' },
    checkpointEvery: { type: 'integer', minimum: 1, default: 500, description: 'Events between two saved replay positions.' },
  },
} as const;

interface Checkpoint {
  /** identity of the replayed files: path, size, mtime */
  files: string;
  pass: number;
  fileIndex: number;
  line: number;
  deltaMs: number;
  done: boolean;
}

/** Pure: the stable id of the event on `line` of `file` in replay pass `pass`. */
export function replayEventId(file: string, pass: number, line: number): string {
  return createHash('sha256').update(`${file}\0${pass}\0${line}`).digest('base64url').slice(0, 22);
}

export function createJsonlInput(config: JsonlInputConfig, deps: { stateDir?: string } = {}): AgentInput {
  const files = config.files.map((f) => resolve(f));
  const name = `jsonl:${config.files.join(',')}`;
  const counters = { lines_read: 0, events_emitted: 0, lines_rejected: 0, passes_completed: 0, resumed_at_line: 0, checkpoint_errors: 0 };
  const cpFile = deps.stateDir ? join(deps.stateDir, `replay-${createHash('sha1').update(files.join('\0')).digest('hex').slice(0, 16)}.json`) : undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const identity = () => files.map((f) => {
    try {
      const st = statSync(f);
      return `${f}:${st.size}:${st.mtimeMs}`;
    } catch {
      return `${f}:missing`;
    }
  }).join('|');
  const loadCp = (): Checkpoint | undefined => {
    if (!cpFile || !config.resume || !existsSync(cpFile)) return undefined;
    try {
      const cp = JSON.parse(readFileSync(cpFile, 'utf8')) as Checkpoint;
      return cp.files === identity() ? cp : undefined;
    } catch {
      return undefined;
    }
  };
  // A checkpoint that cannot be written (disk full) is counted and the replay goes on: the next one catches up, and
  // a crash before it only re-sends more lines, under the same ids.
  const saveCp = (cp: Checkpoint, log: InputContext['log']) => {
    if (!cpFile) return;
    try {
      mkdirSync(dirname(cpFile), { recursive: true });
      writeFileSync(`${cpFile}.tmp`, JSON.stringify(cp));
      renameSync(`${cpFile}.tmp`, cpFile);
    } catch (err) {
      if (counters.checkpoint_errors++ === 0) log.warn('replay checkpoint not saved; replay goes on', { file: cpFile, error: err });
    }
  };

  const runPass = async (ctx: InputContext, cp: Checkpoint): Promise<void> => {
    for (let fi = cp.fileIndex; fi < files.length && !stopped; fi++) {
      const file = files[fi]!;
      const { items, errors } = readJsonLinesWithLines(file);
      if (fi === cp.fileIndex && cp.line > 0) counters.resumed_at_line = cp.line;
      for (const err of errors) {
        if (fi === cp.fileIndex && (err.location?.line ?? 0) <= cp.line) continue;
        counters.lines_rejected++;
        ctx.reject(err);
      }
      const now = Date.now();
      if (fi !== cp.fileIndex || cp.line === 0) {
        const newest = Math.max(...items.map((i) => Date.parse(i.item.event['@timestamp'])));
        cp.deltaMs = config.shiftToNow && Number.isFinite(newest) ? now - newest : 0;
      }
      let sinceCp = 0;
      for (const { item, line } of items) {
        if (stopped) return;
        if (fi === cp.fileIndex && line <= cp.line) continue;
        counters.lines_read++;
        const [shifted] = cp.deltaMs ? shiftBy([item], cp.deltaMs) : [item];
        const ev = shifted!.event;
        const event = ev.event?.id ? ev : { ...ev, event: { ...ev.event, id: replayEventId(file, cp.pass, line) } };
        await ctx.emit(item.kind, event);
        counters.events_emitted++;
        cp.fileIndex = fi;
        cp.line = line;
        if (++sinceCp >= config.checkpointEvery) {
          saveCp(cp, ctx.log);
          sinceCp = 0;
        }
      }
      ctx.log.info('replayed', { file, events: items.length, skipped: errors.length, pass: cp.pass });
      cp.fileIndex = fi + 1;
      cp.line = 0;
      saveCp(cp, ctx.log);
    }
    if (!stopped) {
      cp.done = true;
      counters.passes_completed++;
      saveCp(cp, ctx.log);
    }
  };

  return {
    name,
    async start(ctx) {
      let cp = loadCp();
      if (cp?.done) {
        if (config.loopSeconds === 0) {
          ctx.log.info('replay already complete for these files; not replayed again (resume: false to force)', { files: config.files, pass: cp.pass });
          return;
        }
        cp = { ...cp, pass: cp.pass + 1, fileIndex: 0, line: 0, done: false };
      }
      let current: Checkpoint = cp ?? { files: identity(), pass: 0, fileIndex: 0, line: 0, deltaMs: 0, done: false };
      if (current.line > 0 || current.fileIndex > 0) ctx.log.info('resuming replay', { pass: current.pass, fileIndex: current.fileIndex, afterLine: current.line });
      await runPass(ctx, current);
      const loop = async () => {
        if (stopped) return;
        current = { files: identity(), pass: current.pass + 1, fileIndex: 0, line: 0, deltaMs: 0, done: false };
        await runPass(ctx, current);
        if (!stopped) timer = setTimeout(() => void loop().catch((err: unknown) => ctx.log.error('replay failed', { error: err })), config.loopSeconds * 1000);
      };
      if (config.loopSeconds > 0) timer = setTimeout(() => void loop().catch((err: unknown) => ctx.log.error('replay failed', { error: err })), config.loopSeconds * 1000);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
    },
    counters: () => ({ ...counters }),
  };
}

/** Like readJsonLines, keeping each event's 1-based line number (the stable-id and checkpoint position). */
function readJsonLinesWithLines(file: string): { items: { item: ReplayItem; line: number }[]; errors: ReplayInputError[] } {
  const { items, errors } = readJsonLines(file);
  if (items.length === 0) return { items: [], errors };
  // parseJsonLines drops blank and bad lines: recover each item's line by walking the same split
  const lines: number[] = [];
  const bad = new Set(errors.map((e) => e.location?.line));
  readFileSync(file, 'utf8').split('\n').forEach((l, i) => {
    if (l.trim() !== '' && !bad.has(i + 1)) lines.push(i + 1);
  });
  return { items: items.map((item, i) => ({ item, line: lines[i] ?? i + 1 })), errors };
}

function shiftBy(items: ReplayItem[], deltaMs: number): ReplayItem[] {
  const newest = Math.max(...items.map((i) => Date.parse(i.event['@timestamp'])));
  return shiftToNow(items, new Date(newest + deltaMs));
}

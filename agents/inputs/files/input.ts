// The file input: tails JSON-lines, plain or syslog-formatted log files (globs allowed) with fs.watch plus a poll.
// Honeypot logs are JSON lines decoded by agents/inputs/honeypot (format cowrie | dionaea | honeypot + mapping).
// Files are tracked by (device, inode), as filebeat does, so:
//   - rename + create rotation: the renamed file is read to its end (it stays open for two more scans, for a writer
//     still holding it), then the new file at the path is read from its start;
//   - copytruncate: a size below our offset means truncation, reading restarts at 0.
// After each event is spooled (emit resolved) its file's position {path, dev, inode, offset, line} is persisted
// atomically (writes coalesce: the file never runs ahead of the spool), so a restart after stop() resumes after the
// last spooled line: no loss, no duplicates. A crash can repeat the lines acked after the last completed write
// (at-least-once). A last line without its newline is held until it comes.
import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { AgentInput, InputContext } from '../input.ts';
import type { EcsEvent } from '../../../proto/ecs.ts';
import { parseSyslog } from '../syslog/parse.ts';
import { decodeHoneypot, HoneypotError, isHoneypotFormat, MAPPABLE_FIELDS, type HoneypotMapping } from '../honeypot/index.ts';
import { FileInputError } from './errors.ts';
import { expandGlob, globToRegExp, staticBase } from './glob.ts';
import { LineSplitter } from './lines.ts';
import { loadPositions, positionKey, savePositions, type Position } from './positions.ts';

export interface FileInputConfig {
  type?: 'file';
  paths: string[];
  format: 'jsonl' | 'plain' | 'syslog' | 'cowrie' | 'dionaea' | 'honeypot';
  positionFile: string;
  pollMs: number;
  startAt: 'beginning' | 'end';
  maxLineBytes: number;
  /** event.dataset of plain lines (default "file"); of JSON lines that carry none. */
  dataset: string;
  /** Zone of RFC 3164 timestamps for format syslog. */
  timezone: string;
  /** Formats cowrie, dionaea, honeypot: the sensor name (observer.hostname) when a record names none; for format
   * honeypot, the declarative mapping of the records onto ECS fields. */
  honeypot?: { sensor?: string; mapping?: HoneypotMapping };
}

export const fileInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['paths', 'positionFile'],
  properties: {
    type: { const: 'file' },
    paths: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, description: 'Files to tail; globs allowed.' },
    format: { enum: ['jsonl', 'plain', 'syslog', 'cowrie', 'dionaea', 'honeypot'], default: 'plain', description: 'jsonl (one ECS event per line), plain (the line is the message), syslog, or a honeypot log: cowrie, dionaea (JSON lines as the tools write them) or honeypot (any JSON-lines honeypot through honeypot.mapping).' },
    positionFile: { type: 'string', minLength: 1, description: 'Where the read positions are kept, so that a restart resumes after the last spooled line.' },
    pollMs: { type: 'integer', minimum: 20, maximum: 3_600_000, default: 1000, description: 'Milliseconds between two scans (besides fs.watch): new files, rotation, truncation.' },
    startAt: { enum: ['beginning', 'end'], default: 'end', description: 'Where to start in a file seen for the first time.' },
    maxLineBytes: { type: 'integer', minimum: 64, maximum: 64 * 1024 * 1024, default: 1024 * 1024, description: 'Longest line; longer ones are rejected and counted.' },
    dataset: { type: 'string', default: 'file', description: 'event.dataset of plain lines, and of JSON lines that carry none.' },
    timezone: { type: 'string', minLength: 1, default: 'UTC', description: 'Zone of RFC 3164 timestamps for format syslog.' },
    honeypot: {
      type: 'object',
      additionalProperties: false,
      description: 'Honeypot formats: the sensor name and, for format honeypot, the field mapping.',
      properties: {
        sensor: { type: 'string', minLength: 1, description: 'Sensor name (observer.hostname) when the log does not carry one.' },
        mapping: {
          type: 'object',
          description: 'For format honeypot: the product name, ECS field <- path in the record, and outcome values.',
          additionalProperties: false,
          required: ['product', 'fields'],
          properties: {
            product: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,62}$', description: 'observer.product and event.dataset of the events.' },
            fields: {
              type: 'object',
              description: 'ECS field <- dotted path in the honeypot record (source.ip and @timestamp required).',
              additionalProperties: false,
              required: ['source.ip', '@timestamp'],
              properties: Object.fromEntries(Object.keys(MAPPABLE_FIELDS).map((f) => [f, { type: 'string', minLength: 1, description: `Path in the record for ${f}.` }])),
            },
            outcomes: { type: 'object', additionalProperties: { enum: ['success', 'failure'] }, description: 'Record value -> event.outcome (success or failure).' },
          },
        },
      },
    },
  },
} as const;

export interface FileInput extends AgentInput {
  /** Runs one scan (glob, rotation check, read to end) now; resolves when it and any queued scan are done. */
  scanNow(): Promise<void>;
}

interface Tracked {
  key: string;
  path: string;
  dev: number;
  inode: number;
  fh: FileHandle;
  /** Next byte to read. */
  readPos: number;
  /** Just after the last line whose event was spooled (what is persisted). */
  committed: number;
  line: number;
  lineKnown: boolean;
  splitter: LineSplitter;
  /** Scans in a row in which no path matched this file any more (renamed away or deleted). */
  goneScans: number;
}

const READ_BYTES = 64 * 1024;
const COUNTERS = ['lines_read', 'events_emitted', 'json_errors', 'honeypot_errors', 'lines_too_long', 'rotations', 'truncations', 'files_open', 'read_errors'] as const;

export function createFileInput(config: FileInputConfig): FileInput {
  for (const p of config.paths) {
    try {
      globToRegExp(p);
    } catch (err) {
      throw new FileInputError('ERR_FILE_CONFIG', `file input: bad glob '${p}'`, { location: { field: 'paths' }, cause: err });
    }
  }
  if (config.format === 'honeypot' && !config.honeypot?.mapping) {
    throw new FileInputError('ERR_FILE_CONFIG', "file input: format 'honeypot' needs honeypot.mapping {product, fields}", { location: { field: 'honeypot.mapping' } });
  }
  const counts = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<(typeof COUNTERS)[number], number>;
  const tracked = new Map<string, Tracked>();
  const buf = Buffer.allocUnsafe(READ_BYTES);
  let persisted = new Map<string, Position>();
  let ctx: InputContext | undefined;
  let firstScan = true;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const watchers: FSWatcher[] = [];
  let running: Promise<void> | undefined;
  let again = false;

  const persist = () => savePositions(config.positionFile, [...tracked.values()].map((t) => ({ path: t.path, dev: t.dev, inode: t.inode, offset: t.committed, line: t.line })));
  // Every spool ack asks for a write of the latest positions; writes never overlap and coalesce (latest wins), so
  // the file always holds an offset at or before the last acked line, and tailing is not limited by write latency.
  let writing: Promise<void> | undefined;
  let dirty = false;
  const persistSoon = (): void => {
    dirty = true;
    if (writing) return;
    writing = (async () => {
      while (dirty) {
        dirty = false;
        await persist().catch((err: unknown) => ctx?.log.error('file: cannot save positions', { file: config.positionFile, err }));
      }
    })().finally(() => {
      writing = undefined;
    });
  };
  const flushPositions = async (): Promise<void> => {
    while (writing) await writing;
  };

  /** event.dataset of honeypot lines that could not be decoded: the product (not routed as honeypot hits). */
  const honeypotDataset = (): string => (config.format === 'honeypot' ? config.honeypot!.mapping!.product : config.format);

  const toEvent = (t: Tracked, text: string, start: number, line: number | undefined): EcsEvent => {
    const where = { file: { path: t.path }, offset: start };
    const now = new Date();
    if (config.format === 'syslog') {
      const { event, error } = parseSyslog(text, { now, timezone: config.timezone });
      if (error) ctx!.reject(new FileInputError(error.code, error.message, { location: { file: t.path, line, offset: start } }));
      return { ...event, log: { ...(event.log ?? {}), ...where } } as EcsEvent;
    }
    if (config.format === 'plain') {
      return { '@timestamp': now.toISOString(), event: { kind: 'event', dataset: config.dataset }, message: text, log: where } as EcsEvent;
    }
    let value: unknown;
    let why: string | undefined;
    try {
      value = JSON.parse(text);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) why = `a JSON-lines line must be an object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`;
    } catch (err) {
      why = `not JSON: ${(err as Error).message}`;
    }
    if (why !== undefined) {
      counts.json_errors++;
      ctx!.reject(new FileInputError('ERR_FILE_JSON', `${why} (kept as event.original, tag _jsonparsefailure)`, { location: { file: t.path, line, offset: start } }));
      const dataset = isHoneypotFormat(config.format) ? honeypotDataset() : config.dataset;
      return { '@timestamp': now.toISOString(), event: { kind: 'event', dataset, original: text }, message: text, tags: ['_jsonparsefailure'], log: where } as EcsEvent;
    }
    if (isHoneypotFormat(config.format)) {
      const r = decodeHoneypot(config.format, value, config.honeypot ?? {});
      if ('event' in r) return { ...r.event, log: where } as EcsEvent;
      counts.honeypot_errors++;
      ctx!.reject(new HoneypotError('ERR_HONEYPOT_RECORD', `${config.format}: ${r.error} (kept as event.original, tag _honeypotdecodefailure)`, { location: { file: t.path, line, offset: start, ...(r.field ? { field: r.field } : {}) } }));
      return { '@timestamp': now.toISOString(), event: { kind: 'event', dataset: honeypotDataset(), original: text }, tags: ['_honeypotdecodefailure'], log: where } as EcsEvent;
    }
    const ev = value as EcsEvent & { log?: Record<string, unknown> };
    const ts = ev['@timestamp'];
    return {
      ...ev,
      '@timestamp': typeof ts === 'string' && !Number.isNaN(Date.parse(ts)) ? ts : now.toISOString(),
      event: { ...(ev.event ?? {}), dataset: ev.event?.dataset ?? config.dataset },
      log: { ...(ev.log ?? {}), ...where },
    } as EcsEvent;
  };

  /** Reads `t` from its read position to its current end, emitting each complete line. */
  const drain = async (t: Tracked): Promise<void> => {
    const size = (await t.fh.stat()).size;
    if (size < t.readPos) {
      counts.truncations++;
      ctx!.log.info('file: truncated, reading from the start', { path: t.path, size, offset: t.readPos });
      Object.assign(t, { readPos: 0, committed: 0, line: 1, lineKnown: true, splitter: new LineSplitter(config.maxLineBytes, 0, 1) });
      persistSoon();
    }
    while (t.readPos < size && !stopped) {
      const { bytesRead } = await t.fh.read(buf, 0, Math.min(READ_BYTES, size - t.readPos), t.readPos);
      if (bytesRead === 0) break;
      t.readPos += bytesRead;
      for (const item of t.splitter.push(buf.subarray(0, bytesRead))) {
        if (item.type === 'too-long') {
          counts.lines_too_long++;
          ctx!.reject(new FileInputError('ERR_FILE_LINE_TOO_LONG', `line longer than maxLineBytes ${config.maxLineBytes}: skipped`, { location: { file: t.path, line: lineOf(t, item.line), offset: item.start } }));
          continue;
        }
        if (item.type === 'line') {
          counts.lines_read++;
          const text = item.data.toString('utf8');
          if (text.trim() !== '') {
            const event = toEvent(t, text, item.start, lineOf(t, item.line));
            await ctx!.emit(event.event?.dataset?.startsWith('netflow') ? 'flow' : 'log', event);
            counts.events_emitted++;
          }
        }
        t.committed = item.end;
        t.line = t.lineKnown ? item.line + 1 : 0;
        persistSoon();
      }
    }
  };

  const scan = async (): Promise<void> => {
    const paths = new Set<string>();
    for (const pattern of config.paths) for (const p of await expandGlob(pattern)) paths.add(p);
    const seen = new Set<string>();
    for (const path of paths) {
      let st;
      try {
        st = await stat(path);
      } catch {
        continue; // not there (yet): the next scan looks again
      }
      if (!st.isFile()) continue;
      const key = positionKey(st.dev, st.ino);
      seen.add(key);
      const known = tracked.get(key);
      if (known) {
        known.path = path;
        known.goneScans = 0;
        continue;
      }
      let fh: FileHandle;
      try {
        fh = await open(path, 'r');
      } catch (err) {
        counts.read_errors++;
        ctx!.reject(new FileInputError('ERR_FILE_READ', `cannot open: ${(err as Error).message}`, { location: { file: path }, cause: err, retryable: true }));
        continue;
      }
      const saved = persisted.get(key);
      let offset = 0;
      let line = 1;
      if (saved && saved.offset <= st.size) {
        offset = saved.offset;
        line = saved.line;
        // line 0 = unknown (see below)
      } else if (!saved && firstScan && config.startAt === 'end') {
        offset = st.size;
        line = 0; // unknown: lines are then numbered from where we started
      }
      if (!firstScan && [...tracked.values()].some((t) => t.path === path)) counts.rotations++;
      tracked.set(key, { key, path, dev: st.dev, inode: st.ino, fh, readPos: offset, committed: offset, line, lineKnown: line > 0, splitter: new LineSplitter(config.maxLineBytes, offset, line), goneScans: 0 });
    }
    firstScan = false;
    // Files no longer at any matching path first: a rotated-away file is finished before its successor starts.
    const order = [...tracked.values()].sort((a, b) => Number(seen.has(a.key)) - Number(seen.has(b.key)));
    for (const t of order) {
      if (stopped) return;
      try {
        await drain(t);
      } catch (err) {
        if (stopped) return;
        counts.read_errors++;
        ctx!.reject(new FileInputError('ERR_FILE_READ', `cannot read: ${(err as Error).message}`, { location: { file: t.path, offset: t.readPos }, cause: err, retryable: true }));
      }
      if (!seen.has(t.key) && ++t.goneScans > 2) {
        await t.fh.close().catch(() => undefined);
        tracked.delete(t.key);
        persistSoon();
      }
    }
    counts.files_open = tracked.size;
    await flushPositions();
  };

  const requestScan = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await scan();
      } while (again && !stopped);
    })()
      .catch((err: unknown) => ctx?.log.error('file: scan failed', { err }))
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  return {
    name: `file:${config.paths.join(',')}`,
    async start(c: InputContext) {
      ctx = c;
      stopped = false;
      try {
        persisted = await loadPositions(config.positionFile);
      } catch (err) {
        c.reject(err as FileInputError);
        persisted = new Map();
      }
      // startAt applies only to the very first run: once positions exist, a file we have not seen (e.g. rotated
      // while the agent was down) is read from its start, so nothing is lost.
      if (persisted.size > 0) firstScan = false;
      const dirs = new Set(config.paths.map(staticBase));
      for (const dir of dirs) {
        try {
          const w = watch(dir, { persistent: false }, () => void requestScan());
          w.on('error', () => w.close());
          watchers.push(w);
        } catch {
          // The directory may not exist yet: the poll finds the files once it does.
        }
      }
      timer = setInterval(() => void requestScan(), config.pollMs);
      timer.unref();
      void requestScan();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      for (const w of watchers.splice(0)) w.close();
      // An emit blocked on a full spool must not hold stop() forever: the positions only cover spooled lines anyway.
      await Promise.race([running, new Promise((r) => setTimeout(r, 5000).unref())]);
      await flushPositions();
      await persist().catch((err: unknown) => ctx?.log.error('file: cannot save positions', { err }));
      for (const t of tracked.values()) await t.fh.close().catch(() => undefined);
      tracked.clear();
    },
    counters: () => ({ ...counts }),
    scanNow: () => requestScan().then(() => (running ? running : undefined)),
  };
}

/** Line numbers are unknown (0) when tailing started at the end of a file that was already there. */
function lineOf(t: Tracked, line: number): number | undefined {
  return t.lineKnown ? line : undefined;
}

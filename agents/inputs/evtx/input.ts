// The Windows event input: reads evtx_dump-style JSON files and binary .evtx files (through python-evtx's
// evtx_dump.py, at the edge) and emits every event in the evtx_dump JSON shape the detector's windows pipeline
// expects (Event.System.*, Event.EventData.*), with @timestamp, event.dataset and host.name added. Finite: start()
// resolves once every matching file has been read. A bad value or record is reported (file:line or record index)
// and skipped; the rest of the file still goes through.
import { open, readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { AgentInput, InputContext } from '../input.ts';
import { expandGlob } from '../files/glob.ts';
import { EvtxError } from './errors.ts';
import { evtxDumpRecords } from './evtx_dump.ts';
import { jsonValues } from './json_values.ts';
import { normaliseWindowsEvent } from './normalise.ts';
import { eventXmlToJson, XmlSyntaxError } from './xml.ts';

export interface EvtxInputConfig {
  type?: 'evtx';
  paths: string[];
  /** auto: by extension (.evtx → evtx, anything else → json). */
  format: 'auto' | 'json' | 'evtx';
  /** The python-evtx dump tool (Debian package python3-evtx). */
  evtxDumpCommand: string;
}

export const evtxInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['paths'],
  properties: {
    type: { const: 'evtx' },
    paths: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, description: 'Files to read (globs allowed): evtx_dump JSON or binary .evtx.' },
    format: { enum: ['auto', 'json', 'evtx'], default: 'auto', description: 'auto: by extension (.evtx → evtx, anything else → json).' },
    evtxDumpCommand: { type: 'string', minLength: 1, default: 'evtx_dump.py', description: 'The python-evtx dump tool for binary .evtx (Debian package python3-evtx).' },
  },
} as const;

const EVTX_SIGNATURE = Buffer.from('ElfFile\0', 'latin1');
const COUNTERS = ['files_read', 'events_emitted', 'json_errors', 'not_windows_events', 'xml_errors', 'tool_errors', 'format_errors', 'file_errors'] as const;

export function createEvtxInput(config: EvtxInputConfig): AgentInput {
  const counts = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<(typeof COUNTERS)[number], number>;
  let stopped = false;

  const emitValue = async (ctx: InputContext, value: unknown, location: { file: string; line?: number; offset?: number }) => {
    const r = normaliseWindowsEvent(value);
    if ('error' in r) {
      counts.not_windows_events++;
      ctx.reject(new EvtxError('ERR_EVTX_EVENT', r.error, { location: { ...location, field: r.field } }));
      return;
    }
    await ctx.emit('log', r.event);
    counts.events_emitted++;
  };

  const readJson = async (ctx: InputContext, file: string) => {
    const text = await readFile(file, 'utf8');
    for (const item of jsonValues(text)) {
      if (stopped) return;
      if ('error' in item) {
        counts.json_errors++;
        ctx.reject(new EvtxError('ERR_EVTX_JSON', item.error, { location: { file, line: item.line } }));
      } else await emitValue(ctx, item.value, { file, line: item.line });
    }
  };

  const readEvtx = async (ctx: InputContext, file: string) => {
    // evtx_dump.py prints an empty <Events/> for a file that is not EVTX at all: check the signature first.
    const head = Buffer.alloc(8);
    const fh = await open(file, 'r');
    try {
      await fh.read(head, 0, 8, 0);
    } finally {
      await fh.close();
    }
    if (!head.equals(EVTX_SIGNATURE)) throw new EvtxError('ERR_EVTX_FORMAT', `not an EVTX file: the header does not start with "ElfFile\\0"`, { location: { file, offset: 0 } });
    for await (const rec of evtxDumpRecords(file, config.evtxDumpCommand)) {
      if (stopped) return;
      let value: unknown;
      try {
        value = eventXmlToJson(rec.xml);
      } catch (err) {
        counts.xml_errors++;
        const offset = err instanceof XmlSyntaxError ? err.offset : undefined;
        ctx.reject(new EvtxError('ERR_EVTX_XML', `record ${rec.index}: ${(err as Error).message}`, { location: { file, field: `record[${rec.index}]`, offset }, cause: err }));
        continue;
      }
      await emitValue(ctx, value, { file, offset: rec.index });
    }
  };

  return {
    name: `evtx:${config.paths.join(',')}`,
    async start(ctx: InputContext) {
      stopped = false;
      const files = new Set<string>();
      for (const p of config.paths) for (const f of await expandGlob(p)) files.add(f);
      for (const file of files) {
        if (stopped) break;
        const format = config.format === 'auto' ? (extname(file).toLowerCase() === '.evtx' ? 'evtx' : 'json') : config.format;
        try {
          if (format === 'evtx') await readEvtx(ctx, file);
          else await readJson(ctx, file);
          counts.files_read++;
        } catch (err) {
          if (err instanceof EvtxError) {
            counts[err.code === 'ERR_EVTX_FORMAT' ? 'format_errors' : 'tool_errors']++;
            ctx.reject(err);
          } else {
            counts.file_errors++;
            ctx.reject(new EvtxError('ERR_EVTX_FILE', `cannot read: ${(err as Error).message}`, { location: { file }, cause: err, retryable: true }));
          }
        }
      }
    },
    async stop() {
      stopped = true;
    },
    counters: () => ({ ...counts }),
  };
}

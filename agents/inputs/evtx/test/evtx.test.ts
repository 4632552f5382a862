// Windows events from the SigmaHQ regression corpus (../shared/corpora/sigmahq/regression_data: each rule folder
// holds the source .evtx and the same events as evtx_dump JSON, made by SigmaHQ with the Rust evtx_dump).
// The .evtx files are read through python-evtx's evtx_dump.py (Debian python3-evtx) and must give the same events.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLogger } from '../../../../proto/runtime/log.ts';
import type { CirtError } from '../../../../proto/errors.ts';
import { createEvtxInput, type EvtxInputConfig } from '../index.ts';
import { resolveEvtxInputConfig } from '../../resolve_config.ts';

type Ev = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const CORPUS = resolve(new URL('.', import.meta.url).pathname, '../../../../../shared/corpora/sigmahq/regression_data');
const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));

async function read(cfg: Partial<EvtxInputConfig>) {
  const events: Ev[] = [];
  const rejects: CirtError[] = [];
  const input = createEvtxInput(resolveEvtxInputConfig({ paths: [], ...cfg } as EvtxInputConfig));
  await input.start({ emit: async (kind, e) => void (assert.equal(kind, 'log'), events.push(e as Ev)), reject: (e) => rejects.push(e), log: createLogger('test', { write: () => {} }) });
  return { events, rejects, counters: input.counters() };
}

function requireEvtxDump(): void {
  try {
    execFileSync('evtx_dump.py', ['--help'], { stdio: 'ignore' });
  } catch {
    throw new Error('evtx_dump.py is missing: this test reads .evtx files through python-evtx (apt-get install -y python3-evtx)');
  }
}

const files = walk(CORPUS);
const evtxFiles = files.filter((f) => f.endsWith('.evtx'));
const jsonFiles = files.filter((f) => f.endsWith('.json'));

describe('evtx_dump-style JSON (corpus)', () => {
  test('every corpus JSON file: every event emitted as is, plus @timestamp, event.dataset, host.name', async () => {
    assert.ok(jsonFiles.length >= 90, `corpus at ${CORPUS}`);
    const { events, rejects, counters } = await read({ paths: [join(CORPUS, '**/*.json')] });
    assert.deepEqual(rejects, []);
    assert.equal(events.length, 106, '83 single-object files + 7 files of concatenated objects = 106 events');
    assert.equal(counters.files_read, jsonFiles.length);
    for (const e of events) {
      assert.equal(e['@timestamp'], new Date(e.Event.System.TimeCreated['#attributes'].SystemTime).toISOString());
      assert.equal(e.host.name, e.Event.System.Computer);
      assert.equal(e.event.code, String(e.Event.System.EventID));
    }
    const sysmon = events.find((e) => e.Event.System.Channel === 'Microsoft-Windows-Sysmon/Operational')!;
    assert.equal(sysmon.event.dataset, 'windows.microsoft_windows_sysmon_operational');
    assert.equal(sysmon.event.provider, 'Microsoft-Windows-Sysmon');
    assert.equal(events.find((e) => e.Event.System.Channel === 'Security')!.event.dataset, 'windows.security');
  });

  test('a concatenated file keeps its order; arrays and JSON lines work too; bad values reported by line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evtx-json-'));
    try {
      const ev = (id: number) => ({ Event: { System: { EventID: id, Channel: 'Security', Computer: 'dc1', TimeCreated: { '#attributes': { SystemTime: '2026-01-01T00:00:00.000001Z' } } }, EventData: { TargetUserName: 'bob' } } });
      writeFileSync(join(dir, 'array.json'), JSON.stringify([ev(4624), ev(4625)]));
      writeFileSync(join(dir, 'lines.json'), `${JSON.stringify(ev(1))}\n{"Event": oops}\n{"not":"windows"}\n${JSON.stringify({ Event: { System: { EventID: 2, Channel: 'System', TimeCreated_attributes: { SystemTime: '2026-01-02 03:04:05.123456' } } } })}\n`);
      const { events, rejects } = await read({ paths: [join(dir, '*.json')] });
      assert.deepEqual(events.map((e) => e.Event.System.EventID), [4624, 4625, 1, 2]);
      assert.equal(events[3]!['@timestamp'], '2026-01-02T03:04:05.123Z', 'TimeCreated_attributes.SystemTime (evtx_dump --separate-json-attributes)');
      assert.deepEqual(rejects.map((r) => [r.code, r.location?.line]), [['ERR_EVTX_JSON', 2], ['ERR_EVTX_EVENT', 3]]);
      assert.match(String(rejects[0]!.location?.file), /lines\.json$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('.evtx through python-evtx', () => {
  test('every corpus .evtx gives the same events as the corpus JSON next to it', async () => {
    requireEvtxDump();
    assert.ok(evtxFiles.length >= 90);
    let compared = 0;
    const check = async (file: string) => {
      const fromEvtx = await read({ paths: [file] });
      const fromJson = await read({ paths: [file.replace(/\.evtx$/, '.json')] });
      assert.deepEqual(fromEvtx.rejects, [], file);
      assert.equal(fromEvtx.events.length, fromJson.events.length, file);
      fromEvtx.events.forEach((a, i) => {
        const b = fromJson.events[i]!;
        const where = `${file} #${i}`;
        assert.equal(a.Event.System.EventID, b.Event.System.EventID, where);
        assert.equal(a.Event.System.Channel, b.Event.System.Channel, where);
        assert.deepEqual(a.Event.EventData, b.Event.EventData, where);
        assert.deepEqual(a.Event.UserData, b.Event.UserData, where);
        // python-evtx converts the 100 ns FILETIME through a double (53 bits < 57): its SystemTime can be a few µs
        // off the Rust dump's. Observed on this corpus: at most 2 µs; the millisecond @timestamp is equal.
        const [ta, tb] = [a, b].map((e) => Date.parse(e.Event.System.TimeCreated['#attributes'].SystemTime) * 1000 + Number(String(e.Event.System.TimeCreated['#attributes'].SystemTime).slice(-4, -1)));
        assert.ok(Math.abs(ta! - tb!) <= 5, `${where}: SystemTime ${ta} vs ${tb} µs`);
        const { TimeCreated: _a, ...sysA } = a.Event.System;
        const { TimeCreated: _b, ...sysB } = b.Event.System;
        assert.deepEqual(sysA, sysB, where);
        assert.equal(a['@timestamp'], b['@timestamp'], where);
        assert.deepEqual(a.event, b.event, where);
        compared++;
      });
    };
    const queue = [...evtxFiles];
    await Promise.all(Array.from({ length: 6 }, async () => {
      for (let f = queue.shift(); f; f = queue.shift()) await check(f);
    }));
    assert.equal(compared, 106);
  });

  test('a file that is not EVTX is reported, not silently empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evtx-bad-'));
    try {
      writeFileSync(join(dir, 'junk.evtx'), Buffer.alloc(4096, 7));
      const { events, rejects, counters } = await read({ paths: [join(dir, 'junk.evtx')] });
      assert.equal(events.length, 0);
      assert.deepEqual(rejects.map((r) => r.code), ['ERR_EVTX_FORMAT']);
      assert.equal(counters.format_errors, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('evtx_dump.py absent → ERR_EVTX_TOOL_MISSING (with the package to install), other files still read', async () => {
    const evtx = evtxFiles[0]!;
    const { events, rejects } = await read({ paths: [evtx, evtx.replace(/\.evtx$/, '.json')], evtxDumpCommand: '/nonexistent/evtx_dump.py' });
    assert.deepEqual(rejects.map((r) => r.code), ['ERR_EVTX_TOOL_MISSING']);
    assert.match(rejects[0]!.message, /python3-evtx/);
    assert.ok(events.length >= 1, 'the JSON file is still read');
  });
});

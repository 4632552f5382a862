// The file input on real files in a temp dir: append, partial lines, rotation (rename + create, copytruncate),
// restart resume from the persisted position, bad JSON lines, oversized lines, globs, back-pressure.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../../proto/runtime/log.ts';
import type { CirtError } from '../../../../proto/errors.ts';
import type { EcsEvent } from '../../../../proto/ecs.ts';
import { createFileInput, type FileInput, type FileInputConfig } from '../index.ts';
import { resolveFileInputConfig } from '../../resolve_config.ts';

type Ev = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let dir = '';
const running: FileInput[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'file-input-'));
});
afterEach(async () => {
  for (const i of running.splice(0)) await i.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function tail(cfg: Partial<FileInputConfig>, opts: { gate?: () => Promise<void> } = {}) {
  const events: Ev[] = [];
  const rejects: CirtError[] = [];
  const input = createFileInput(resolveFileInputConfig({ paths: [join(dir, 'app.log')], positionFile: join(dir, 'state', 'positions.json'), startAt: 'beginning', pollMs: 60_000, ...cfg }));
  running.push(input);
  await input.start({
    emit: async (_kind, e: EcsEvent) => {
      if (opts.gate) await opts.gate();
      events.push(e as Ev);
    },
    reject: (e) => rejects.push(e),
    log: createLogger('test', { write: () => {} }),
  });
  await input.scanNow();
  return { input, events, rejects, messages: () => events.map((e) => e.message as string) };
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const positions = () => JSON.parse(readFileSync(join(dir, 'state', 'positions.json'), 'utf8')) as { version: number; files: { path: string; offset: number; line: number; inode: number }[] };

describe('file input', () => {
  test('config: required keys, defaults, unknown keys rejected', () => {
    assert.throws(() => resolveFileInputConfig({ paths: ['x'] }), /positionFile/);
    assert.throws(() => resolveFileInputConfig({ paths: ['x'], positionFile: 'p', nope: 1 } as Partial<FileInputConfig>), /unknown key 'nope'/);
    const c = resolveFileInputConfig({ paths: ['x'], positionFile: 'p' });
    assert.deepEqual([c.format, c.startAt, c.pollMs, c.maxLineBytes], ['plain', 'end', 1000, 1048576]);
  });

  test('append and partial last line: held until its newline', async () => {
    const f = join(dir, 'app.log');
    writeFileSync(f, 'one\ntwo\nthr');
    const t = await tail({});
    assert.deepEqual(t.messages(), ['one', 'two']);
    appendFileSync(f, 'ee\r\nfour\n');
    await t.input.scanNow();
    assert.deepEqual(t.messages(), ['one', 'two', 'three', 'four']);
    assert.equal(t.events[2]!.log.file.path, f);
    assert.equal(t.events[2]!.log.offset, 8);
    assert.equal(t.events[0]!.event.dataset, 'file');
    const p = positions();
    assert.equal(p.files[0]!.offset, readFileSync(f).length);
    assert.equal(p.files[0]!.line, 5);
  });

  test('fs.watch/poll picks up appends without an explicit scan', async () => {
    const f = join(dir, 'app.log');
    writeFileSync(f, 'a\n');
    const t = await tail({ pollMs: 50 });
    appendFileSync(f, 'b\n');
    await until(() => t.events.length === 2, 'the appended line');
    assert.deepEqual(t.messages(), ['a', 'b']);
  });

  test('rotation by rename + create: the old file is finished first, then the new one from its start', async () => {
    const f = join(dir, 'app.log');
    writeFileSync(f, 'old-1\n');
    const t = await tail({});
    appendFileSync(f, 'old-2\n');
    renameSync(f, `${f}.1`);
    appendFileSync(`${f}.1`, 'old-3 (writer still had it open)\n');
    writeFileSync(f, 'new-1\nnew-2\n');
    await t.input.scanNow();
    assert.deepEqual(t.messages(), ['old-1', 'old-2', 'old-3 (writer still had it open)', 'new-1', 'new-2']);
    assert.equal(t.input.counters().rotations, 1);
    await t.input.scanNow();
    await t.input.scanNow();
    await t.input.scanNow();
    assert.equal(positions().files.length, 1, 'the rotated-away file is closed and forgotten after a few scans');
  });

  test('copytruncate: truncation detected, no loss and no duplicates', async () => {
    const f = join(dir, 'app.log');
    writeFileSync(f, 'before-1\nbefore-2\nbefore-3\n');
    const t = await tail({});
    copyFileSync(f, `${f}.1`);
    truncateSync(f, 0);
    appendFileSync(f, 'after-1\n');
    await t.input.scanNow();
    assert.deepEqual(t.messages(), ['before-1', 'before-2', 'before-3', 'after-1']);
    assert.equal(t.input.counters().truncations, 1);
    assert.equal(t.events[3]!.log.offset, 0);
  });

  test('restart resumes at the persisted position: no loss, no duplicates; startAt only on the first run', async () => {
    const f = join(dir, 'app.log');
    writeFileSync(f, 'l1\nl2\nl3\n');
    const first = await tail({ startAt: 'end' });
    assert.deepEqual(first.messages(), [], 'startAt end skips what is already there');
    appendFileSync(f, 'l4\n');
    await first.input.scanNow();
    assert.deepEqual(first.messages(), ['l4']);
    await first.input.stop();
    running.splice(0);
    appendFileSync(f, 'l5\nl6\n');
    writeFileSync(join(dir, 'app.log.other'), 'x\n');
    const second = await tail({ startAt: 'end' });
    assert.deepEqual(second.messages(), ['l5', 'l6']);
    await second.input.stop();
    running.splice(0);
    // Rotated while the agent was down: the new file (unknown inode) is read from its start despite startAt end.
    renameSync(f, `${f}.1`);
    writeFileSync(f, 'n1\n');
    const third = await tail({ startAt: 'end' });
    assert.deepEqual(third.messages(), ['n1']);
  });

  test('the position advances only after the spool acknowledged the line', async () => {
    const f = join(dir, 'app.log');
    writeFileSync(f, 'a\nb\n');
    let release: () => void = () => {};
    let blocked = false;
    const gate = () => (blocked ? new Promise<void>((r) => (release = r)) : Promise.resolve());
    const t = await tail({}, { gate });
    assert.equal(positions().files[0]!.offset, 4);
    blocked = true;
    appendFileSync(f, 'c\n');
    const scanning = t.input.scanNow();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(positions().files[0]!.offset, 4, 'not persisted while the spool has not acked');
    blocked = false;
    release();
    await scanning;
    assert.equal(positions().files[0]!.offset, 6);
    assert.deepEqual(t.messages(), ['a', 'b', 'c']);
  });

  test('JSON lines: bad lines rejected with file:line and kept tagged; events pass through', async () => {
    const f = join(dir, 'app.log');
    writeFileSync(f, '{"@timestamp":"2026-11-26T00:00:00.000Z","message":"ok","event":{"dataset":"app.audit"}}\n{not json\n[1,2]\n\n{"message":"no timestamp"}\n');
    const t = await tail({ format: 'jsonl' });
    assert.equal(t.events.length, 4);
    assert.equal(t.events[0]!['@timestamp'], '2026-11-26T00:00:00.000Z');
    assert.equal(t.events[0]!.event.dataset, 'app.audit');
    assert.deepEqual(t.events[1]!.tags, ['_jsonparsefailure']);
    assert.equal(t.events[1]!.event.original, '{not json');
    assert.ok(!Number.isNaN(Date.parse(t.events[3]!['@timestamp'])));
    assert.deepEqual(t.rejects.map((r) => [r.code, r.location?.file, r.location?.line]), [['ERR_FILE_JSON', f, 2], ['ERR_FILE_JSON', f, 3]]);
    assert.match(t.rejects[1]!.message, /an array/);
    assert.equal(t.input.counters().json_errors, 2);
  });

  test('oversized line: counted reject with file and line, the following lines still come', async () => {
    const f = join(dir, 'app.log');
    writeFileSync(f, `short\n${'x'.repeat(300_000)}\nafter\n`);
    const t = await tail({ maxLineBytes: 1024 });
    assert.deepEqual(t.messages(), ['short', 'after']);
    assert.deepEqual(t.rejects.map((r) => [r.code, r.location?.file, r.location?.line, r.location?.offset]), [['ERR_FILE_LINE_TOO_LONG', f, 2, 6]]);
    assert.equal(t.input.counters().lines_too_long, 1);
    assert.equal(positions().files[0]!.offset, readFileSync(f).length);
  });

  test('syslog format and globs', async () => {
    writeFileSync(join(dir, 'auth.log'), '<38>Nov 26 00:59:01 bastion sshd[1234]: Failed password for root from 10.0.0.1 port 22 ssh2\n');
    writeFileSync(join(dir, 'kern.log'), 'Nov 26 00:59:02 bastion kernel: no pri here\n');
    writeFileSync(join(dir, 'ignored.txt'), 'nope\n');
    const t = await tail({ paths: [join(dir, '*.log')], format: 'syslog' });
    assert.equal(t.events.length, 2);
    const auth = t.events.find((e) => e.log.file.path.endsWith('auth.log'))!;
    assert.equal(auth.event.dataset, 'linux.auth');
    assert.equal(auth.process.name, 'sshd');
    assert.deepEqual(t.rejects.map((r) => r.code), ['ERR_SYSLOG_NO_PRI']);
  });

  test('corrupt position file: reported, tailing starts afresh', async () => {
    const f = join(dir, 'app.log');
    writeFileSync(f, 'a\n');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'state'));
    writeFileSync(join(dir, 'state', 'positions.json'), '{"version":1,"files":[{"path":1}]}');
    const t = await tail({});
    assert.equal(t.rejects[0]?.code, 'ERR_FILE_POSITIONS');
    assert.deepEqual(t.messages(), ['a']);
  });
});

// "A Cowrie log replay raises a honeypot alert": `cirt rules replay` on the Cowrie and Dionaea fixtures
// (agents/inputs/honeypot/test/fixtures, see the README there) decodes them with the agent's honeypot decoders and
// runs them through the production detector with rules/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadAgentConfig } from '../../agents/config.ts';
import { ROOT } from '../services.ts';
import type { Out } from './args.ts';
import { liveAgentConfig, readEvents, runReplay } from './replay_cmd.ts';

const FIXTURES = join(ROOT, 'agents/inputs/honeypot/test/fixtures');
const COWRIE = join(FIXTURES, 'cowrie.json');
const DIONAEA = join(FIXTURES, 'dionaea.json');
const CONNECTION = '015036bf-fdd5-4a1b-847b-e37a7187d5ae';
const LOGIN = 'ce678f76-0de7-4409-b7ad-4cf7034bbc98';
const MALWARE = '8ce4f1a3-0b87-42b7-a8db-95221e840570';

interface Summary { events: number; inputErrors: number; alerts: number; byRule: Record<string, { title: string; count: number }> }

async function replay(...files: string[]): Promise<{ code: number; summary: Summary; stderr: string }> {
  const stdout: string[] = []; const stderr: string[] = [];
  const out: Out = { stdout: (s) => stdout.push(s), stderr: (s) => stderr.push(s) };
  const code = await runReplay([...files, '--rules', join(ROOT, 'rules'), '--speed', '0', '--json'], out);
  return { code, summary: JSON.parse(stdout.join('\n')) as Summary, stderr: stderr.join('') };
}
const fired = (s: Summary) => Object.fromEntries(Object.entries(s.byRule).map(([id, v]) => [id, v.count]));

test('the Cowrie log replay raises the honeypot alerts: 2 connections, the successful root login, the malware download', async () => {
  const { code, summary } = await replay(COWRIE);
  assert.equal(code, 0);
  assert.equal(summary.events, 17);
  assert.equal(summary.inputErrors, 0);
  assert.deepEqual(fired(summary), { [CONNECTION]: 2, [LOGIN]: 1, [MALWARE]: 1 });
  assert.equal(summary.byRule[MALWARE]!.title, 'Malware Downloaded To A Honeypot');
});

test('the Dionaea log replay raises one connection alert per accepted connection', async () => {
  const { code, summary } = await replay(DIONAEA);
  assert.equal(code, 0);
  assert.deepEqual(fired(summary), { [CONNECTION]: 4 });
});

test('a honeypot log is recognised by its first record whatever its name; bad records are input errors with file:line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hp-replay-'));
  const f = join(dir, 'sensor-today.log');
  const lines = readFileSync(COWRIE, 'utf8').split('\n');
  writeFileSync(f, [lines[0], '{"eventid":"cowrie.login.failed","src_ip":"x","timestamp":"2026-11-26T09:00:00Z"}', 'oops', lines[1]].join('\n'));
  const r = readEvents(f);
  assert.equal(r.events.length, 2);
  assert.deepEqual(r.events.map((e) => [e.observer?.type, e.organization?.id]), [['honeypot', 'replay'], ['honeypot', 'replay']]);
  assert.equal(r.errors.length, 2);
  assert.match(r.errors[0]!, /sensor-today\.log:2 field src_ip: cowrie: 'src_ip' is missing or not an IP address/);
  assert.match(r.errors[1]!, /sensor-today\.log:3: not JSON/);
});

test('--live ships honeypot logs with a file input in the honeypot format, which the agent accepts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hp-live-cfg-'));
  const file = join(dir, 'agent.yml');
  writeFileSync(file, liveAgentConfig({
    files: [COWRIE, DIONAEA, '/x/events.jsonl'], agentId: 'agent-01', gateway: '127.0.0.1:4317', ca: '/c/ca.crt', cert: '/c/a.crt', key: '/c/a.key',
    spoolDir: join(dir, 'spool'), httpPort: 20001, speed: 0, isCapture: () => false,
    honeypotFormat: (f) => (f === COWRIE ? 'cowrie' : f === DIONAEA ? 'dionaea' : undefined),
  }));
  const c = loadAgentConfig(file);
  assert.deepEqual(c.inputs.map((i) => [i.type, i.format, i.paths, i.startAt]), [['file', 'cowrie', [COWRIE], 'beginning'], ['file', 'dionaea', [DIONAEA], 'beginning']]);
  assert.deepEqual(c.replay.files, ['/x/events.jsonl']);
});

test('the CLI as a process: `cirt rules replay cowrie.json --json` reports the malware download', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/cirt.ts'), 'rules', 'replay', COWRIE, '--json'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout) as Summary;
  assert.equal(s.byRule[MALWARE]?.count, 1);
});

// `cirt rules replay` on real captures: the nmap scans recorded with tcpdump on lo (agents/test/fixtures/scans/,
// see its README) go through agents/pcap + agents/flowmeter into the production detector with rules/, and exactly
// the scan correlations fire; benign loopback traffic (agents/test/fixtures/traffic.pcap) raises none of them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from '../services.ts';
import type { Out } from './args.ts';
import { liveAgentConfig, readEvents, runReplay } from './replay_cmd.ts';
import { loadAgentConfig } from '../../agents/config.ts';

const SCANS = join(ROOT, 'agents/test/fixtures/scans');
const HORIZONTAL = join(SCANS, 'nmap_horizontal_23.pcap');
const VERTICAL = join(SCANS, 'nmap_vertical_1-100.pcap');
const VERTICAL_NG = join(SCANS, 'nmap_vertical_1-100.pcapng');
const BENIGN = join(ROOT, 'agents/test/fixtures/traffic.pcap');
const NETFLOW_V9 = join(ROOT, 'agents/test/fixtures/netflow-v9.pcap');

const SHORT_PROBE = '3b0f6c52-8a1e-4d7b-9c25-6f4e1a7d2b91';
const HORIZONTAL_SCAN = '9d2e7a14-5c3b-4f08-b6a1-2e8f0c4d7a63';
const VERTICAL_SCAN = '6c0d9b3e-41a7-4f52-8e6b-0a7d3c9f2e15';
const SCAN_RULES = [SHORT_PROBE, HORIZONTAL_SCAN, VERTICAL_SCAN];

interface Summary { events: number; inputErrors: number; alerts: number; byRule: Record<string, { title: string; count: number }>; counters: { matches: number; suppressed: number } }

async function replay(...args: string[]): Promise<{ code: number; summary: Summary; stderr: string }> {
  const stdout: string[] = []; const stderr: string[] = [];
  const out: Out = { stdout: (s) => stdout.push(s), stderr: (s) => stderr.push(s) };
  const code = await runReplay([...args, '--rules', join(ROOT, 'rules'), '--speed', '0', '--json'], out);
  return { code, summary: JSON.parse(stdout.join('\n')) as Summary, stderr: stderr.join('') };
}

const fired = (s: Summary) => Object.fromEntries(Object.entries(s.byRule).map(([id, v]) => [id, v.count]));

describe('cirt rules replay: raw-traffic captures through the agent\'s flow meter', () => {
  test('the horizontal scan (one port, 40 addresses) raises exactly one Horizontal Port Scan alert', async () => {
    const { code, summary } = await replay(HORIZONTAL);
    assert.equal(code, 0);
    assert.equal(summary.inputErrors, 0);
    assert.equal(summary.events, 40, 'one flow per probe: SYN + RST');
    assert.deepEqual(fired(summary), { [HORIZONTAL_SCAN]: 1 });
    assert.equal(summary.counters.matches, 40, 'every probe matches the short-probe base rule');
    assert.equal(summary.counters.suppressed, 40, 'which emits no alert of its own');
  });

  test('the vertical scan (100 ports, one address) raises only Vertical Port Scan alerts, the same from pcap and pcapng', async () => {
    const pcap = await replay(VERTICAL);
    assert.equal(pcap.code, 0);
    assert.equal(pcap.summary.events, 100);
    // 100 probes within 0.06 s: the correlation fires at 20 distinct ports, resets the key, fires again at the next
    // 20; the probes left in the same millisecond as that second reset are late for the key (correlation_state.ts)
    assert.deepEqual(fired(pcap.summary), { [VERTICAL_SCAN]: 2 });
    const ng = await replay(VERTICAL_NG);
    assert.equal(ng.code, 0);
    assert.deepEqual(ng.summary, pcap.summary, 'pcapng copy (editcap) replays identically');
  });

  test('benign loopback traffic raises none of the scan rules (no alert at all)', async () => {
    const { code, summary } = await replay(BENIGN);
    assert.equal(code, 0);
    assert.equal(summary.events, 7, 'the 7 flows softflowd also meters from traffic.pcap (fixtures README)');
    for (const id of SCAN_RULES) assert.equal(summary.byRule[id], undefined);
    assert.equal(summary.alerts, 0);
  });

  test('a NetFlow export capture is still decoded as NetFlow, not metered as UDP traffic', async () => {
    const { events, errors } = readEvents(NETFLOW_V9);
    assert.deepEqual(errors, []);
    assert.equal(events.length, 13, '13 IPv4 + IPv6 flows in the v9 export (fixtures README)');
    assert.ok(events.every((e) => (e.event as { dataset?: string }).dataset === 'netflow.flow'));
    assert.ok(!events.some((e) => (e.destination as { port?: number } | undefined)?.port === 9996), 'not the export datagram itself');
  });

  test('capture flows keep their capture time, come in time order and are stamped with the replay agency', () => {
    const { events } = readEvents(HORIZONTAL);
    const ts = events.map((e) => Date.parse(String(e['@timestamp'])));
    assert.deepEqual(ts, [...ts].sort((a, b) => a - b));
    assert.match(String(events[0]!['@timestamp']), /^2026-11-26T02:06:29\./);
    assert.ok(events.every((e) => e.organization?.id === 'replay'));
    const dsts = new Set(events.map((e) => (e.destination as { ip: string }).ip));
    assert.equal(dsts.size, 40);
  });

  test('a .pcap that is not a capture, or is cut short, is an input error (exit 1) named with file and offset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cirt-replay-'));
    const bogus = join(dir, 'bogus.pcap');
    writeFileSync(bogus, 'not a capture\n');
    const a = await replay(bogus);
    assert.equal(a.code, 1);
    assert.equal(a.summary.inputErrors, 1);
    assert.match(a.stderr, /bogus\.pcap byte 0: /);
    assert.match(a.stderr, /not a pcap or pcapng file/);
    const cut = join(dir, 'cut.pcap');
    const full = readFileSync(HORIZONTAL);
    writeFileSync(cut, full.subarray(0, full.length - 10));
    const b = await replay(cut);
    assert.equal(b.code, 1, 'the torn last record is reported');
    assert.equal(b.summary.inputErrors, 1);
    assert.match(b.stderr, /cut\.pcap byte \d+: record of \d+ bytes runs 10 bytes past the end of the file \[ERR_PCAP_TRUNCATED\]/);
    assert.deepEqual(fired(b.summary), { [HORIZONTAL_SCAN]: 1 }, 'the records before the tear still count');
  });

  test('the CLI as a process: `cirt rules replay <scan.pcap> --speed 0 --json` reports the horizontal scan', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/cirt.ts', 'rules', 'replay', HORIZONTAL, '--speed', '0', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout) as Summary;
    assert.deepEqual(fired(s), { [HORIZONTAL_SCAN]: 1 });
    assert.equal(s.byRule[HORIZONTAL_SCAN]!.title, 'Horizontal Port Scan');
  });
});

test('--live writes an agent configuration with the right input for each kind of file, which the agent accepts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'live-cfg-'));
  const file = join(dir, 'agent.yml');
  writeFileSync(file, liveAgentConfig({
    files: ['/x/scan.pcap', '/x/logon.json', '/x/events.jsonl'], agentId: 'agent-01', gateway: '127.0.0.1:4317', ca: '/c/ca.crt', cert: '/c/a.crt', key: '/c/a.key',
    spoolDir: join(dir, 'spool'), httpPort: 20001, speed: 2, isCapture: (f) => f.endsWith('.pcap'),
  }));
  const c = loadAgentConfig(file);
  assert.equal(c.agentId, 'agent-01');
  assert.deepEqual(c.inputs.map((i) => [i.type, i.files ?? i.paths]), [['pcap', ['/x/scan.pcap']], ['evtx', ['/x/logon.json']]]);
  assert.equal(c.inputs[0]!.speed, 2);
  assert.deepEqual(c.replay.files, ['/x/events.jsonl']);
  assert.equal(c.replay.resume, false);
});

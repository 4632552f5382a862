// `cirt evidence verify`: exit codes, the summary, each problem named, --json and --expect; once through the real
// `cirt` entry point as a process.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildBundle, readTar, writeTar } from '../../ui-plugin/server/evidence/bundle_format.ts';
import { evidenceMain, runEvidenceVerify } from './verify_cmd.ts';

const dir = mkdtempSync(join(tmpdir(), 'cirt-evidence-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const bundle = buildBundle({
  incidentId: 'inc-7',
  exportedAt: new Date('2026-05-02T10:00:00.000Z'),
  exportedBy: { username: 'boss', role: 'lead' },
  tool: { name: 'cirt-operations', version: '1.0.0' },
  files: [
    { path: 'incident.json', data: Buffer.from('{"id":"inc-7"}\n') },
    { path: 'alerts.jsonl', data: Buffer.from('{"alert":{"id":"a1"}}\n') },
    { path: 'events.jsonl', data: Buffer.from('{"event_id":"e1"}\n') },
  ],
  missingEvents: [{ alert_id: 'a1', event_id: 'e2', reason: 'not in incident-events nor events-*' }],
  notes: [],
});

function save(name: string, tar: Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, tar);
  return p;
}

function run(argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runEvidenceVerify(argv, { stdout: (s) => (stdout += s + '\n'), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

const good = save('good.tar', bundle.tar);
const tampered = save('tampered.tar', writeTar(readTar(bundle.tar).map((f) => (f.path === 'events.jsonl' ? { path: f.path, data: Buffer.from('{"event_id":"e9"}\n') } : f)), new Date()));

describe('cirt evidence verify', () => {
  test('an intact bundle: exit 0 and a summary naming the incident, the exporter and the digest', () => {
    const r = run([good]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /incident inc-7, exported 2026-05-02T10:00:00.000Z by boss \(lead\) with cirt-operations 1\.0\.0/);
    assert.ok(r.stdout.includes(`manifest.json SHA-256 ${bundle.manifestDigest}`));
    assert.match(r.stdout, /OK: 3 file\(s\) match the manifest/);
    assert.match(r.stdout, /1 triggering event\(s\) the export could not find/);
    assert.equal(run([good, '--expect', bundle.manifestDigest]).code, 0);
  });

  test('a tampered bundle: exit 1 naming the file', () => {
    const r = run([tampered]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^MODIFIED events\.jsonl: size 18 and SHA-256 [0-9a-f]{64}, the manifest records size 18 and SHA-256 [0-9a-f]{64}$/m);
    assert.match(r.stdout, /FAILED: 1 problem\(s\), 3 file\(s\) checked/);
  });

  test('--json gives the problems as data', () => {
    const r = run([tampered, '--json']);
    const j = JSON.parse(r.stdout) as { ok: boolean; problems: { kind: string; path: string }[]; incident_id: string; manifest_sha256: string };
    assert.equal(j.ok, false);
    assert.deepEqual(j.problems.map((p) => [p.kind, p.path]), [['modified', 'events.jsonl']]);
    assert.equal(j.incident_id, 'inc-7');
    assert.equal(j.manifest_sha256, bundle.manifestDigest);
  });

  test('--expect with another digest fails; an unreadable file fails; bad usage is exit 2', async () => {
    const r = run([good, '--expect', 'a'.repeat(64)]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /MANIFEST manifest\.json: SHA-256 is [0-9a-f]{64}, expected a{64}/);
    const missing = run([join(dir, 'nope.tar')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.tar: cannot read the bundle/);
    const quiet = { stdout: () => {}, stderr: () => {} };
    assert.equal(await evidenceMain(['verify'], quiet), 2);
    assert.equal(await evidenceMain(['verify', good, '--expect', 'xyz'], quiet), 2);
    assert.equal(await evidenceMain(['seal', good], quiet), 2);
  });

  test('through the cirt entry point: exit codes 0 and 1', () => {
    const cli = resolve(import.meta.dirname, '../cirt.ts');
    const ok = spawnSync(process.execPath, ['--import', 'tsx', cli, 'evidence', 'verify', good], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const bad = spawnSync(process.execPath, ['--import', 'tsx', cli, 'evidence', 'verify', tampered], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /MODIFIED events\.jsonl/);
  });
});

// The bundle format: build → verify round trip, and every kind of tampering named precisely. GNU tar and
// coreutils sha256sum read our archives too (an analyst without our CLI can still check a bundle).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle, canonicalJson, readTar, sha256Hex, verifyBundle, writeTar, type BundleInput } from './bundle_format';

function input(over: Partial<BundleInput> = {}): BundleInput {
  return {
    incidentId: 'inc-1',
    exportedAt: new Date('2026-05-02T10:00:00.000Z'),
    exportedBy: { username: 'boss', role: 'lead' },
    tool: { name: 'cirt-operations', version: '1.0.0' },
    files: [
      { path: 'incident.json', data: Buffer.from('{"id":"inc-1"}\n') },
      { path: 'alerts.jsonl', data: Buffer.from('{"alert":{"id":"a1"}}\n') },
      { path: 'events.jsonl', data: Buffer.from('{"event":{"id":"e1"}}\n'.repeat(40)) },
      { path: 'rules/r1.yml', data: Buffer.from('title: Rule\n') },
    ],
    missingEvents: [{ alert_id: 'a1', event_id: 'e9', reason: 'not in incident-events nor events-*' }],
    notes: [],
    ...over,
  };
}

/** Replaces one file's bytes inside the archive (same length keeps the tar valid). */
function rewrite(tar: Buffer, path: string, edit: (data: Buffer) => Buffer): Buffer {
  const files = readTar(tar).map((f) => (f.path === path ? { path, data: edit(f.data) } : f));
  return writeTar(files, new Date('2026-05-02T10:00:00.000Z'));
}

describe('evidence bundle format', () => {
  test('a bundle verifies, lists every file with size and SHA-256, and is byte-for-byte deterministic', () => {
    const a = buildBundle(input());
    const b = buildBundle(input({ files: [...input().files].reverse() }));
    assert.deepEqual(a.tar, b.tar);
    assert.deepEqual(a.manifest.files.map((f) => f.path), ['alerts.jsonl', 'events.jsonl', 'incident.json', 'rules/r1.yml']);
    assert.equal(a.manifest.files[1]!.size, 22 * 40);
    assert.equal(a.manifest.exported_by.username, 'boss');
    const v = verifyBundle(a.tar, a.manifestDigest);
    assert.deepEqual(v.problems, []);
    assert.equal(v.ok, true);
    assert.equal(v.checked, 4);
    assert.equal(v.manifestDigest, a.manifestDigest);
    assert.deepEqual(v.manifest?.missing_events, [{ alert_id: 'a1', event_id: 'e9', reason: 'not in incident-events nor events-*' }]);
  });

  test('GNU tar extracts it and sha256sum -c accepts the manifest digest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cirt-evidence-'));
    try {
      const { tar, manifest } = buildBundle(input());
      writeFileSync(join(dir, 'b.tar'), tar);
      const listing = execFileSync('tar', ['-tvf', 'b.tar'], { cwd: dir, encoding: 'utf8' });
      assert.match(listing, /-rw-r--r-- .* 880 2026-05-02 \d\d:00 events\.jsonl/);
      execFileSync('tar', ['-xf', 'b.tar'], { cwd: dir });
      assert.match(execFileSync('sha256sum', ['-c', 'manifest.sha256'], { cwd: dir, encoding: 'utf8' }), /manifest\.json: OK/);
      assert.equal(readFileSync(join(dir, 'rules/r1.yml'), 'utf8'), 'title: Rule\n');
      const sums = manifest.files.map((f) => `${f.sha256}  ${f.path}\n`).join('');
      writeFileSync(join(dir, 'SUMS'), sums);
      assert.equal(execFileSync('sha256sum', ['-c', 'SUMS'], { cwd: dir, encoding: 'utf8' }).match(/: OK/g)?.length, 4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a tampered file is named as modified with both digests', () => {
    const { tar, manifest } = buildBundle(input());
    const bad = rewrite(tar, 'alerts.jsonl', (d) => Buffer.from(d.toString().replace('a1', 'a2')));
    const v = verifyBundle(bad);
    assert.equal(v.ok, false);
    assert.equal(v.problems.length, 1);
    const p = v.problems[0]!;
    assert.equal(p.kind, 'modified');
    assert.equal(p.path, 'alerts.jsonl');
    assert.ok(p.message.includes(manifest.files[0]!.sha256), p.message);
  });

  test('a removed file is missing, an added file is extra', () => {
    const { tar } = buildBundle(input());
    const files = readTar(tar).filter((f) => f.path !== 'rules/r1.yml');
    files.push({ path: 'planted.txt', data: Buffer.from('x') });
    const v = verifyBundle(writeTar(files, new Date()));
    assert.deepEqual(v.problems.map((p) => [p.kind, p.path]), [['missing', 'rules/r1.yml'], ['extra', 'planted.txt']]);
    assert.equal(v.checked, 3);
  });

  test('an edited manifest fails its digest, even when the file entry was "fixed" to match', () => {
    const { tar } = buildBundle(input());
    const forged = Buffer.from('{"id":"inc-2"}\n');
    const files = readTar(tar).map((f) => (f.path === 'incident.json' ? { path: f.path, data: forged } : f));
    const m = JSON.parse(files.find((f) => f.path === 'manifest.json')!.data.toString());
    const entry = m.files.find((f: { path: string }) => f.path === 'incident.json');
    entry.sha256 = sha256Hex(forged);
    const edited = files.map((f) => (f.path === 'manifest.json' ? { path: f.path, data: Buffer.from(JSON.stringify(m, null, 2) + '\n') } : f));
    const v = verifyBundle(writeTar(edited, new Date()));
    assert.deepEqual(v.problems.map((p) => [p.kind, p.path]), [['manifest', 'manifest.json']]);
    assert.match(v.problems[0]!.message, /manifest\.sha256 records [0-9a-f]{64}: the manifest was edited/);
  });

  test('a re-forged manifest AND digest is caught against the digest audited at export', () => {
    const original = buildBundle(input());
    const forged = buildBundle(input({ exportedBy: { username: 'mallory', role: 'lead' } }));
    assert.equal(verifyBundle(forged.tar).ok, true);
    const v = verifyBundle(forged.tar, original.manifestDigest);
    assert.deepEqual(v.problems.map((p) => p.kind), ['manifest']);
    assert.match(v.problems[0]!.message, /expected [0-9a-f]{64} \(the digest audited at export\)/);
  });

  test('a truncated or corrupted archive is a format problem with its byte offset', () => {
    const { tar } = buildBundle(input());
    const t = verifyBundle(tar.subarray(0, 1500));
    assert.deepEqual(t.problems.map((p) => p.kind), ['format']);
    assert.match(t.problems[0]!.message, /byte \d+: /);
    const flipped = Buffer.from(tar);
    flipped[3] = flipped[3]! ^ 0x20; // inside the first header's name
    assert.match(verifyBundle(flipped).problems[0]!.message, /^byte 0: header checksum [0-7]+ does not match [0-7]+$/);
    assert.deepEqual(verifyBundle(Buffer.from('not a tar at all')).problems.map((p) => p.kind), ['format']);
  });

  test('unsafe names are refused when writing and when reading', () => {
    assert.throws(() => writeTar([{ path: '../etc/passwd', data: Buffer.from('x') }], new Date()), { code: 'ERR_EVIDENCE_FORMAT' });
    assert.throws(() => buildBundle(input({ files: [{ path: 'manifest.json', data: Buffer.from('{}') }] })), /reserved file name/);
  });

  test('canonical JSON sorts keys at every level', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
  });
});

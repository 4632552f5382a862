import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ruleFileSource } from './rule_files';

const sha = (t: string) => createHash('sha256').update(t).digest('hex');
const rule = (hash?: string) => ({ id: 'r1', name: 'R', level: 'high' as const, tags: [], references: [], type: 'detection' as const, ...(hash ? { hash } : {}) });

test('the rule file whose text has the recorded hash, and only that version', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cirt-rulefiles-'));
  try {
    mkdirSync(join(dir, 'network'));
    const v1 = 'title: R\nid: r1\ndetection:\n  sel:\n    a: 1\n  condition: sel\n';
    writeFileSync(join(dir, 'network', 'r.yml'), v1);
    writeFileSync(join(dir, 'notes.txt'), v1 + '#');
    let t = 0;
    const source = ruleFileSource([dir, join(dir, 'missing')], () => t);
    const found = await source(rule(sha(v1)));
    assert.equal(found?.text, v1);
    assert.match(found!.origin, /network\/r\.yml/);
    assert.equal(await source(rule()), undefined, 'no hash recorded: nothing to match');
    // the file changes after the alert: the old hash no longer finds it, the new one does (after the rescan delay)
    const v2 = v1.replace('a: 1', 'a: 2');
    writeFileSync(join(dir, 'network', 'r.yml'), v2);
    t += 60_000;
    assert.equal((await source(rule(sha(v2))))?.text, v2);
    assert.equal(await source(rule(sha(v1))), undefined, 'the version that fired is gone from disk: not another version instead');
    assert.equal(await source(rule(sha(v1 + '#'))), undefined, 'only .yml/.yaml files are rule files');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

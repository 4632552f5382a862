// The generated TypeScript in proto/gen is reproducible from proto/generate.sh: regenerate and compare.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..');

test('proto/gen is what proto/generate.sh produces from proto/*.proto', () => {
  const out = mkdtempSync(join(tmpdir(), 'proto-gen-'));
  const r = spawnSync('bash', ['proto/generate.sh', out], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const committed = readdirSync(join(ROOT, 'proto/gen')).sort();
  assert.deepEqual(readdirSync(out).sort(), committed);
  for (const f of committed) {
    assert.equal(readFileSync(join(out, f), 'utf8'), readFileSync(join(ROOT, 'proto/gen', f), 'utf8'), `proto/gen/${f} is stale: run npm run proto:gen`);
  }
});

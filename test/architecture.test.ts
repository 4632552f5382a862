// The components meet only in proto/ and on Kafka topics (DESIGN.md "Folders"): agents/, ingest/, detection/ and
// ui-plugin/ never import one another, and proto/ imports none of them. Only cli/, bench/ and test/ compose.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..');
const COMPONENTS = ['agents', 'ingest', 'detection', 'ui-plugin'];
const SHARED = ['proto'];
const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'target' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(ts|tsx|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

/** Every relative import of a file, as the top-level folder it lands in. */
function importedFolders(file: string): { spec: string; folder: string }[] {
  const text = readFileSync(file, 'utf8');
  const found: { spec: string; folder: string }[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    if (!spec.startsWith('.')) continue;
    const target = relative(ROOT, resolve(dirname(file), spec));
    found.push({ spec, folder: target.split('/')[0]! });
  }
  return found;
}

function violations(folder: string, allowed: string[]): string[] {
  const out: string[] = [];
  for (const file of sources(join(ROOT, folder))) {
    for (const { spec, folder: target } of importedFolders(file)) {
      if (target !== folder && !allowed.includes(target)) out.push(`${relative(ROOT, file)} imports '${spec}' (${target}/)`);
    }
  }
  return out;
}

for (const component of COMPONENTS) {
  test(`${component}/ imports only itself and proto/`, () => {
    assert.deepEqual(violations(component, SHARED), []);
  });
}

test('proto/ imports none of the components', () => {
  assert.deepEqual(violations('proto', []), []);
});

test('the checker sees a cross-component import when there is one', () => {
  const probe = importedFolders(join(ROOT, 'detection/service/detector.ts'));
  assert.ok(probe.some((p) => p.folder === 'proto'), 'detector.ts imports proto/');
  const fake = "import { x } from '../../agents/main.ts';";
  const m = [...fake.matchAll(IMPORT)][0];
  assert.equal(m?.[1], '../../agents/main.ts');
});

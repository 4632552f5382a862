// The commands quoted in README.md and docs/*.md exist: `npm run <script>` / `npm start|stop|test` in package.json,
// `npm run cirt -- <cmd>` / `cli/cirt.ts <cmd>` in the cirt usage line, `stack/stack.sh <cmd>` in its usage, and
// `stack/kafka-admin.mjs <cmd>` among its commands. (A bare `cirt <cmd>` is not checked.)
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..');
const read = (rel: string) => readFileSync(join(ROOT, rel), 'utf8');
const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Every match of `re` (group 1) in the docs, with where it was found. */
function quoted(re: RegExp): { value: string; where: string }[] {
  return docs.flatMap((file) => read(file).split('\n').flatMap((line, i) => [...line.matchAll(re)].map((m) => ({ value: m[1]!, where: `${file}:${i + 1}` }))));
}

test('every npm script quoted in the docs exists in package.json', () => {
  const scripts = new Set(Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts));
  const found = [...quoted(/npm run ([\w:-]+)/g), ...quoted(/npm (start|stop|test)\b/g)];
  assert.ok(found.length > 5, 'the docs quote npm scripts');
  for (const { value, where } of found) assert.ok(scripts.has(value), `${where}: npm script '${value}' does not exist`);
});

test('every cirt sub-command quoted as `npm run cirt -- X` or `cli/cirt.ts X` is in the cirt usage line', () => {
  const usage = /usage: cirt ([\w|]+)/.exec(read('cli/cirt.ts'))?.[1]?.split('|');
  assert.ok(usage && usage.length > 0, 'cli/cirt.ts has a usage line');
  for (const { value, where } of [...quoted(/npm run cirt -- ([\w-]+)/g), ...quoted(/cli\/cirt\.ts ([\w-]+)/g)]) {
    assert.ok(usage.includes(value), `${where}: cirt ${value} is not a command (${usage.join(', ')})`);
  }
});

test('every stack/stack.sh and stack/kafka-admin.mjs command quoted in the docs exists', () => {
  const stackCase = read('stack/stack.sh');
  for (const { value, where } of quoted(/stack\/stack\.sh (\w+)/g)) {
    assert.match(stackCase, new RegExp(`^\\s+${value}\\)`, 'm'), `${where}: stack.sh ${value} is not a command`);
  }
  const admin = read('stack/kafka-admin.mjs');
  for (const { value, where } of quoted(/stack\/kafka-admin\.mjs ([\w-]+)/g)) {
    assert.ok(admin.includes(`command === '${value}'`), `${where}: kafka-admin.mjs ${value} is not a command`);
  }
});

test('every docs/*.md link in the docs points at a file that exists', () => {
  const files = new Set(docs);
  for (const { value, where } of [...quoted(/\]\((docs\/[\w.-]+\.md)/g), ...quoted(/\]\(([\w.-]+\.md)/g)]) {
    const path = value.startsWith('docs/') ? value : where.startsWith('docs/') ? `docs/${value}` : value;
    assert.ok(files.has(path), `${where}: link to ${value}: no such file`);
  }
});

#!/usr/bin/env node
// The one test command (README: `npm test`): lint, typecheck, then every *.test.ts with node's test runner.
// Integration tests (*.int.test.ts) need the real Kafka + OpenSearch: this script starts the project's
// stack (idempotent) before them and stops it afterwards if it was this script that started it.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const unitOnly = process.argv.includes('--unit');
const skipDirs = new Set(['node_modules', '.stack', '.git', 'dist', 'target']);

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (skipDirs.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

function run(cmd, args, opts = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  return r.status ?? 1;
}

function must(cmd, args) {
  const code = run(cmd, args);
  if (code !== 0) { console.error(`\n'${cmd} ${args.join(' ')}' failed with exit code ${code}`); process.exit(code); }
}

must('npx', ['eslint', '.']);
must('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
must('npx', ['tsc', '--noEmit', '-p', 'ui-plugin/tsconfig.json']);

const all = findTests(root).sort();
const isIntegration = (f) => f.endsWith('.int.test.ts');
const unit = all.filter((f) => !isIntegration(f));
const integration = all.filter(isIntegration);

const nodeTest = (files) => run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=600000', ...files]);

let code = nodeTest(unit);
if (!unitOnly && integration.length > 0) {
  const wasUp = run('bash', ['stack/stack.sh', 'status'], { stdio: 'ignore' }) === 0;
  const started = run('bash', ['stack/stack.sh', 'start']);
  if (started !== 0) { console.error('\nthe stack (Kafka + OpenSearch) did not start: see .stack/logs/'); process.exit(started); }
  const icode = nodeTest(integration);
  if (!wasUp && !process.env.CIRT_KEEP_STACK) run('bash', ['stack/stack.sh', 'stop']);
  code = code || icode;
}
process.exit(code);

// Loads the whole SigmaHQ corpus (rules*) through loadRuleDirectory: it must not throw, every error must be
// coded and located, and at least COMPILED_MIN rules must compile (measured: see the printed figures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPipeline, loadRuleDirectory, SIGMA_ERROR_CODES, type LoadResult } from '../engine/index.ts';
import { CORPUS, PIPELINES, corpusPresent, ruleDirs } from './corpus.ts';

// Measured 3,755 of 3,757 (the 2 failures use `|expand` with %known_cdcs%, a site-specific placeholder).
const COMPILED_MIN = 3740;
const FILES = 3757;

function figures(label: string, res: LoadResult): Record<string, number> {
  const byCode: Record<string, number> = {};
  for (const e of res.errors) byCode[e.code] = (byCode[e.code] ?? 0) + 1;
  console.log(JSON.stringify({ corpus: label, compiled: res.rules.length, errors: res.errors.length, byCode, correlations: res.correlations.length }));
  return byCode;
}

function checkErrors(res: LoadResult): void {
  for (const e of res.errors) {
    assert.ok(Object.hasOwn(SIGMA_ERROR_CODES, e.code), `unknown code ${e.code}`);
    assert.ok(e.location?.file?.startsWith(CORPUS), `error without file: ${String(e)}`);
    assert.ok(Number.isInteger(e.location?.line) && e.location!.line! >= 1, `error without line: ${String(e)}`);
    assert.ok(Number.isInteger(e.location?.column) && e.location!.column! >= 1, `error without column: ${String(e)}`);
  }
}

test('SigmaHQ corpus compiles (no pipeline)', { skip: !corpusPresent && 'corpus not present' }, () => {
  const results = ruleDirs().map((d) => loadRuleDirectory(d));
  const res: LoadResult = { rules: results.flatMap((r) => r.rules), errors: results.flatMap((r) => r.errors), correlations: results.flatMap((r) => r.correlations) };
  const byCode = figures('sigmahq', res);
  checkErrors(res);
  assert.ok(res.rules.length >= COMPILED_MIN, `compiled ${res.rules.length} < ${COMPILED_MIN}`);
  assert.ok(res.rules.length + res.errors.length + res.correlations.length >= FILES, 'every file is accounted for');
  assert.deepEqual(byCode, { ERR_SIGMA_PLACEHOLDER: 2 }, 'only the two site-specific placeholders fail');
  // Every compiled rule can be evaluated against an empty and a noisy event without throwing.
  const noisy = { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c whoami', EventID: 1, a: { b: [1, 'x'] } };
  for (const r of res.rules) { r.match({}); r.match(noisy); }
});

test('SigmaHQ corpus compiles with the windows-evtx pipeline', { skip: !corpusPresent && 'corpus not present' }, () => {
  const p = loadPipeline(readFileSync(join(PIPELINES, 'windows-evtx.yml'), 'utf8'), join(PIPELINES, 'windows-evtx.yml'));
  const results = ruleDirs().map((d) => loadRuleDirectory(d, { pipelines: [p] }));
  const res: LoadResult = { rules: results.flatMap((r) => r.rules), errors: results.flatMap((r) => r.errors), correlations: results.flatMap((r) => r.correlations) };
  figures('sigmahq+windows-evtx', res);
  checkErrors(res);
  assert.ok(res.rules.length >= COMPILED_MIN);
});

// The parse cache of loadRuleDirectory (LoadOptions.cacheDir): a warm load gives the same rules, errors and
// matches as a load without cache; edited files are re-parsed; YAML errors keep their located messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadPipeline, loadRuleDirectory, type LoadResult } from '../engine/index.ts';
import { CORPUS, PIPELINES, corpusPresent, findFiles, readJsonEvents, ruleDirs } from './corpus.ts';

const rule = (id: string, value: string): string => `title: Rule ${id}
id: ${id}
logsource: { product: windows }
detection:
  sel: { CommandLine|contains: '${value}', Count|gt: 3, Plain: 0x10 }
  condition: sel
`;

const summary = (r: LoadResult) => ({
  rules: r.rules.map((x) => x.meta.id),
  errors: r.errors.map(String),
  matches: r.rules.map((x) => x.match({ CommandLine: 'a WHOAMI b', Count: 5, Plain: 16 })),
});

test('a warm load equals a load without cache; edits and YAML errors are handled', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sigma-rules-'));
  const cache = mkdtempSync(join(tmpdir(), 'sigma-cache-'));
  try {
    writeFileSync(join(dir, 'a.yml'), rule('a', 'whoami'));
    writeFileSync(join(dir, 'b.yml'), rule('b', 'nothing'));
    writeFileSync(join(dir, 'bad.yml'), 'title: x\ndetection: [unclosed\n');
    const plain = summary(loadRuleDirectory(dir));
    assert.deepEqual(plain.matches, [true, false]);
    assert.equal(plain.errors.length, 1);
    assert.match(plain.errors[0]!, /bad\.yml:\d+:\d+/);
    const cold = summary(loadRuleDirectory(dir, { cacheDir: cache }));
    assert.equal(readdirSync(cache).length, 1, 'one cache file per rule directory');
    const warm = summary(loadRuleDirectory(dir, { cacheDir: cache }));
    assert.deepEqual(cold, plain);
    assert.deepEqual(warm, plain);
    // an edited file is re-parsed, not served from the cache
    writeFileSync(join(dir, 'b.yml'), rule('b', 'whoami'));
    assert.deepEqual(summary(loadRuleDirectory(dir, { cacheDir: cache })).matches, [true, true]);
    // a corrupt cache file is ignored
    writeFileSync(join(cache, readdirSync(cache)[0]!), '{ not json');
    assert.deepEqual(summary(loadRuleDirectory(dir, { cacheDir: cache })).matches, [true, true]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  }
});

test('SigmaHQ corpus: a warm cached load equals an uncached one (rules, errors, matches on the regression events)', { skip: !corpusPresent && 'corpus not present' }, () => {
  const pipeline = loadPipeline(readFileSync(join(PIPELINES, 'windows-evtx.yml'), 'utf8'), join(PIPELINES, 'windows-evtx.yml'));
  const cache = mkdtempSync(join(tmpdir(), 'sigma-cache-'));
  try {
    const load = (cacheDir?: string): LoadResult[] => ruleDirs().map((d) => loadRuleDirectory(d, { pipelines: [pipeline], ...(cacheDir ? { cacheDir } : {}) }));
    const plain = load();
    load(cache); // fills the cache
    const warm = load(cache);
    const events = [...findFiles(join(CORPUS, 'regression_data'), 'info.yml')].flatMap((info) => readdirSync(dirname(info)).filter((f) => f.endsWith('.json')).flatMap((f) => readJsonEvents(join(dirname(info), f))));
    const fingerprint = (rs: LoadResult[]) => rs.map((r) => ({
      rules: r.rules.map((x) => x.meta.id),
      errors: r.errors.map(String),
      requirements: r.rules.map((x) => JSON.stringify((x as { requirement?: unknown }).requirement ?? null)),
      matches: events.map((e) => r.rules.filter((x) => x.match(e)).map((x) => x.meta.id).join(',')),
    }));
    assert.deepEqual(fingerprint(warm), fingerprint(plain));
    assert.ok(plain.reduce((n, r) => n + r.rules.length, 0) >= 3740);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

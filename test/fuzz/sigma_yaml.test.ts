// Fuzz of the Sigma rule loader (detection/engine): mutated SigmaHQ rules through compileRules, YAML alias bombs
// ("billion laughs") and ReDoS patterns under |re. Each runs in a worker thread with a time limit and a heap limit,
// so a hang or a runaway allocation fails the test instead of stalling the run. Seeded and bounded.
// Every rejection must be a SigmaError with a code from SIGMA_ERROR_CODES (counted per code).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { test } from 'node:test';

const CORPUS = new URL('../../../shared/corpora/sigmahq/rules', import.meta.url).pathname;

function inWorker<T>(data: object, timeoutMs: number, onPartial?: (m: unknown) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const file = new URL('./sigma_worker.ts', import.meta.url).href;
    const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((api) => api.tsImport(${JSON.stringify(file)}, ${JSON.stringify(import.meta.url)}))`;
    const w = new Worker(boot, { eval: true, workerData: data, resourceLimits: { maxOldGenerationSizeMb: 512 } });
    const timer = setTimeout(() => {
      void w.terminate();
      reject(new Error(`the worker did not finish within ${timeoutMs} ms: a hang or super-linear work`));
    }, timeoutMs);
    w.on('message', (m: Record<string, unknown>) => {
      if ('partial' in m) return onPartial?.(m.partial);
      clearTimeout(timer);
      resolve(m as T);
      void w.terminate();
    });
    w.once('error', (e) => { clearTimeout(timer); reject(e); });
    w.once('exit', (code) => { clearTimeout(timer); reject(new Error(`worker exited (${code}) before answering: heap limit?`)); });
  });
}

test('3,000 mutated SigmaHQ rules: compiled, or refused with a coded SigmaError; nothing else thrown', { timeout: 180_000 }, async () => {
  assert.ok(existsSync(CORPUS), `the SigmaHQ corpus is expected at ${CORPUS} (../shared beside the repository)`);
  const { cases, tally } = await inWorker<{ cases: number; tally: Record<string, number> }>({ kind: 'mutate', corpus: CORPUS, files: 300, perFile: 10, seed: 0x51c4a }, 150_000);
  console.log(`mutated rules: ${cases} cases, outcomes ${JSON.stringify(tally)}`);
  const bad = Object.keys(tally).filter((k) => /^(UNCODED|THROWN)/.test(k));
  assert.deepEqual(bad, [], 'every failure is a SigmaError with a catalogue code, returned (not thrown as something else)');
  assert.ok((tally.compiled ?? 0) > 0 && (tally.compiled ?? 0) < cases, 'some mutants still compile, some are refused');
  assert.ok(Object.keys(tally).length >= 4, `several distinct refusal codes: ${Object.keys(tally).join(', ')}`);
});

// Work, not time: the located YAML tree built for an input must stay proportional to the input. A bomb of depth d
// and fan-out 10 expands to ~10^d nodes from ~60·d bytes. Budget: 20,000 nodes (the largest SigmaHQ rule has a
// few hundred). Expected: ERR_SIGMA_YAML ("too many aliases") or a tree within budget.
// Found here (2026-11-26): yamlnode.ts resolved aliases by copying with no limit (depth 5 = 445,685 nodes from 413
// bytes; depth 6 took ~21 s). It now refuses past MAX_ALIAS_NODES alias-expanded nodes with ERR_SIGMA_YAML.
test('YAML alias bombs are refused or stay within a node budget', { timeout: 60_000 }, async () => {
  const seen: { depth: number; bytes: number; nodes: number; refused?: string }[] = [];
  const r = await inWorker<{ bombs: typeof seen }>({ kind: 'bombs', depths: [1, 2, 3, 4, 5], fanout: 10 }, 30_000, (p) => seen.push(p as (typeof seen)[number]));
  console.log(`alias bombs: ${JSON.stringify(r.bombs)}`);
  for (const b of r.bombs) {
    assert.ok(b.refused === 'ERR_SIGMA_YAML' || b.nodes <= 20_000, `depth ${b.depth}: ${b.bytes} bytes built ${b.nodes} nodes (budget 20,000) and was not refused`);
  }
});

test('a small legitimate use of aliases still loads', { timeout: 30_000 }, async () => {
  const r = await inWorker<{ bombs: { depth: number; nodes: number; refused?: string }[] }>({ kind: 'bombs', depths: [1, 2], fanout: 3 }, 20_000);
  for (const b of r.bombs) assert.equal(b.refused, undefined, `depth ${b.depth} with fan-out 3 is ordinary YAML`);
  assert.equal(r.bombs[1]!.nodes > r.bombs[0]!.nodes, true);
});

const REDOS = [
  '(a+)+$', '(a|a)*b', '(a|aa)+$', '(.*a){12}', '^(\\w+\\s?)*$', '(x+x+)+y', '^(([a-z])+.)+[A-Z]([a-z])+$', '(\\t|\\s)*x$', '(ab|a)*c',
  '(?:a{1000}){1000}', // large program: RE2 refuses repeats over 1000 in total or builds it once, linearly
  '(?=a)a', '(a)\\1', '(?<=a)b', '(?>a+)b', 'a++b', // PCRE features RE2 has no linear-time form for: refused
];
test(`ReDoS: ${REDOS.length} patterns under |re on 20,000-character adversarial values: RE2 only, or refused`, { timeout: 90_000 }, async () => {
  const r = await inWorker<{ results: { pattern: string; outcome: string; matchedValues: number }[]; nativeRuns: number; nativeSources: string[]; values: number }>({ kind: 'regex', patterns: REDOS, inputLength: 20_000 }, 60_000);
  console.log(`redos: ${JSON.stringify(r.results)}`);
  // Work bound: no backtracking engine ever ran a rule pattern (JS RegExp is backtracking; re2js is a linear-time
  // automaton). Every value went through the matcher, so the worker finishing is the hang check.
  assert.equal(r.nativeRuns, 0, `native RegExp ran rule patterns: ${r.nativeSources.join(', ')}`);
  for (const x of r.results.slice(-5)) assert.equal(x.outcome, 'ERR_SIGMA_REGEX', `${x.pattern} must be refused (not expressible in RE2)`);
  for (const x of r.results.slice(0, 9)) assert.equal(x.outcome, 'compiled', `${x.pattern} is valid RE2 and compiles`);
  assert.ok(r.results.slice(0, 9).some((x) => x.matchedValues > 0), 'the patterns really ran (some adversarial values match)');
});

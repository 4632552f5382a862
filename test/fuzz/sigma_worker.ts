// Worker of sigma_yaml.test.ts (a hang or a runaway allocation is then a timeout or a resource-limit exit of this
// worker, not a stuck test run). Jobs:
//   mutate - mutated SigmaHQ rule files through compileRules: compiled, or SigmaErrors with a catalogue code
//   bombs  - YAML alias bombs ("billion laughs") of growing depth: nodes built per input byte
//   regex  - ReDoS patterns under |re, matched against adversarial values while native RegExp is watched
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { compileRules, SigmaError, SIGMA_ERROR_CODES } from '../../detection/engine/index.ts';
import { parseYamlDocuments, type YNode } from '../../detection/engine/yamlnode.ts';
import { pick, rng, type Rng } from '../../proto/testing/rng.ts';

const job = workerData as { kind: 'mutate'; corpus: string; files: number; perFile: number; seed: number } | { kind: 'bombs'; depths: number[]; fanout: number } | { kind: 'regex'; patterns: string[]; inputLength: number };

const nodes = (n: YNode | null | undefined): number => (!n ? 0 : n.kind === 'scalar' ? 1 : n.kind === 'seq' ? n.items.reduce((a, i) => a + nodes(i), 1) : n.entries.reduce((a, e) => a + nodes(e.value), 1));

function classify(run: () => { rules: unknown[]; errors: unknown[] }, tally: Record<string, number>): void {
  try {
    const res = run();
    if (res.errors.length === 0) tally.compiled = (tally.compiled ?? 0) + 1;
    for (const e of res.errors) {
      const code = e instanceof SigmaError && e.code in SIGMA_ERROR_CODES ? e.code : `UNCODED ${String(e).slice(0, 80)}`;
      tally[code] = (tally[code] ?? 0) + 1;
    }
  } catch (err) {
    const code = err instanceof SigmaError && err.code in SIGMA_ERROR_CODES ? `thrown ${err.code}` : `THROWN ${String(err).slice(0, 80)}`;
    tally[code] = (tally[code] ?? 0) + 1;
  }
}

const MODS = ['|re', '|cidr', '|base64offset|contains', '|contains|all', '|windash', '|gt', '|expand', '|startswith', '|utf16le|base64', '|bogus', '|re|i|m|s', '|fieldref', '|exists'];
function mutateRule(text: string, r: Rng): string {
  const lines = text.split('\n');
  const at = pick(r, lines.length);
  switch (pick(r, 9)) {
    case 0: lines.splice(at, 1); break; // drop a line
    case 1: lines.splice(at, 0, lines[pick(r, lines.length)]!); break; // duplicate a line (duplicate keys)
    case 2: lines[at] = ' '.repeat(pick(r, 6)) + lines[at]!.trimStart(); break; // re-indent
    case 3: lines[at] = lines[at]!.replace(/:(\s|$)/, `${MODS[pick(r, MODS.length)]}:$1`); break; // a modifier on a key
    case 4: { const s = lines[at]!; const i = pick(r, s.length + 1); lines[at] = s.slice(0, i) + '{}[]&*!|>\'"%#:-?'[pick(r, 17)] + s.slice(i); break; }
    case 5: lines[at] = lines[at]!.replace(/(condition:\s*).*/, `$1${['1 of them', 'all of sel*', 'not', 'sel and (', 'x or y', '1 of', 'selection | count() > 5', ''][pick(r, 8)]}`); break;
    case 6: return text.slice(0, pick(r, text.length)); // truncate
    case 7: lines[at] = lines[at]!.replace(/'[^']*'/, `'${['(a+)+$', '\\1', '(?=x)', '[', '\\', '%unknown%', '*', '10.0.0.0/33', '::/999'][pick(r, 9)]}'`); break;
    default: lines.splice(at, 0, `${' '.repeat(pick(r, 4) * 2)}${['- a', 'x: &a [1]', 'y: *a', 'z: *nope', '? [k]', ': v', '!!binary abc', '<<: *a'][pick(r, 8)]}`); break;
  }
  return lines.join('\n');
}

const ymlFiles = (d: string): string[] => readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).flatMap((e) => (e.isDirectory() ? ymlFiles(join(d, e.name)) : /\.ya?ml$/.test(e.name) ? [join(d, e.name)] : []));

if (job.kind === 'mutate') {
  const r = rng(job.seed);
  const all = ymlFiles(job.corpus);
  const step = all.length / job.files;
  const tally: Record<string, number> = {};
  let cases = 0;
  for (let f = 0; f < job.files; f++) {
    const file = all[Math.floor(f * step)]!;
    const text = readFileSync(file, 'utf8');
    for (let i = 0; i < job.perFile; i++) {
      let m = text;
      for (let k = 0, n = 1 + pick(r, 3); k < n; k++) m = mutateRule(m, r);
      cases++;
      classify(() => compileRules(m, { file }), tally);
    }
  }
  parentPort!.postMessage({ cases, tally });
} else if (job.kind === 'bombs') {
  const out: { depth: number; bytes: number; nodes: number; refused?: string }[] = [];
  for (const depth of job.depths) {
    let y = 'title: laughs\nlol0: &a0 ["lol"]\n';
    for (let i = 1; i <= depth; i++) y += `lol${i}: &a${i} [${Array(job.fanout).fill(`*a${i - 1}`).join(', ')}]\n`;
    y += 'logsource: {product: netflow}\ndetection:\n  sel:\n    f: *a' + depth + '\n  condition: sel\n';
    const r = parseYamlDocuments(y, 'bomb.yml');
    out.push({ depth, bytes: y.length, nodes: r.docs.reduce((a, d) => a + nodes(d.root), 0), ...(r.errors[0] ? { refused: r.errors[0].code } : {}) });
    parentPort!.postMessage({ partial: out.at(-1) });
  }
  parentPort!.postMessage({ bombs: out });
} else {
  // Any native (backtracking) RegExp run on an adversarial value would go through RegExp.prototype.exec (test,
  // match, replace and split all call it): count those runs, whatever the pattern (the engine may rewrite it).
  // The engine must match |re with RE2 (re2js) only.
  const native = { runs: 0, sources: new Set<string>() };
  const exec = RegExp.prototype.exec;
  RegExp.prototype.exec = function (this: RegExp, s: string) {
    if (typeof s === 'string' && s.length >= job.inputLength) { native.runs++; native.sources.add(this.source); }
    return exec.call(this, s);
  };
  const results: { pattern: string; outcome: string; matchedValues: number }[] = [];
  const values = ['a', 'x', '\t', 'ab'].flatMap((c) => [c.repeat(job.inputLength) + '!', c.repeat(job.inputLength)]);
  for (const p of job.patterns) {
    const yaml = `title: redos\nid: 00000000-0000-4000-8000-000000000001\nlogsource: {product: netflow, category: flow}\ndetection:\n  sel:\n    f|re: '${p.replace(/'/g, "''")}'\n  condition: sel\n`;
    const res = compileRules(yaml, { file: 'redos.yml' });
    if (res.errors.length) { results.push({ pattern: p, outcome: res.errors[0]!.code, matchedValues: 0 }); continue; }
    let matched = 0;
    for (const v of values) if (res.rules[0]!.match({ f: v })) matched++;
    results.push({ pattern: p, outcome: 'compiled', matchedValues: matched });
  }
  RegExp.prototype.exec = exec;
  parentPort!.postMessage({ results, nativeRuns: native.runs, nativeSources: [...native.sources], values: values.length });
}

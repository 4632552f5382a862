// `cirt rules test <paths…>`: run every rule's test cases (sibling <rule>.tests.json) through the production
// Detector with the production pipelines and intel; a rule without tests is a failure.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildRuleSet, DEFAULT_INTEL, DEFAULT_PIPELINES } from '../../detection/intel/index.ts';
import { parseArgs, table, type Out } from './args.ts';
import { readTestFile, ruleRefs, runTestFile, testFileFor, type CaseResult } from './testcases.ts';

export const TEST_HELP = `usage: cirt rules test <paths…> [--pipeline file]… [--intel path]… [--json]
Runs the test cases of every rule under <paths> (files or directories). Each rule file <x>.yml carries its cases in
<x>.tests.json (format: cli/rules/testcases.ts). Base rules need a positive and a negative case, correlation rules an
'events' case in which they fire. Exit 0 all passed, 1 a failure or a rule without tests, 2 usage.`;

export function ruleFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    if (statSync(p).isDirectory()) { for (const e of readdirSync(p).sort()) walk(join(p, e)); return; }
    if (/\.ya?ml$/i.test(p)) out.push(p);
  };
  for (const p of paths) walk(p);
  return out;
}

export function runTest(argv: readonly string[], out: Out): number {
  const a = parseArgs(argv, { flags: ['json', 'help'], options: ['pipeline', 'intel'] });
  if (a.flags.has('help')) { out.stdout(TEST_HELP); return 0; }
  if (a.positionals.length === 0) { out.stderr(`${TEST_HELP}\n`); return 2; }
  for (const p of a.positionals) if (!existsSync(p)) { out.stderr(`no such file or directory: ${p}\n`); return 2; }
  const intel = a.options.get('intel') ?? DEFAULT_INTEL.filter((p) => existsSync(p));
  const set = buildRuleSet({ rulePaths: a.positionals, pipelineFiles: a.options.get('pipeline') ?? DEFAULT_PIPELINES, intelPaths: intel });
  const results: CaseResult[] = set.errors.map((e) => ({ file: e.location?.file ?? '', case: 'load', rule: '', ok: false, detail: String(e) }));
  const refs = ruleRefs(set);
  for (const file of ruleFiles(a.positionals)) {
    const inFile = refs.filter((r) => r.file === file);
    const tf = testFileFor(file);
    if (!existsSync(tf)) { for (const r of inFile) results.push({ file, case: '-', rule: r.title, ok: false, detail: `no tests: write ${tf}` }); continue; }
    let run;
    try { run = runTestFile(readTestFile(tf), set); } catch (err) { results.push({ file: tf, case: 'parse', rule: '', ok: false, detail: String(err) }); continue; }
    results.push(...run.results);
    for (const r of inFile) {
      const c = run.covered.get(r.id);
      const missing = r.kind === 'rule' ? [!c?.positive && 'a positive case', !c?.negative && 'a negative case'].filter(Boolean) : [!c?.fires && "an 'events' case in which it fires"].filter(Boolean);
      if (missing.length) results.push({ file: tf, case: '-', rule: r.title, ok: false, detail: `no test: needs ${missing.join(' and ')}` });
    }
  }
  const failed = results.filter((r) => !r.ok).length;
  if (a.flags.has('json')) out.stdout(JSON.stringify({ rules: refs.length, cases: results.length, failed, results }, null, 2));
  else {
    out.stdout(table(['result', 'file', 'case', 'rule', 'detail'], results.map((r) => [r.ok ? 'PASS' : 'FAIL', r.file, r.case, r.rule, r.detail])));
    out.stdout(`\n${refs.length} rules, ${results.length} checks, ${results.length - failed} passed, ${failed} failed`);
  }
  return failed ? 1 : 0;
}

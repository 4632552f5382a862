// `cirt rules lint|test|coverage` and the usage errors of every subcommand. Most cases call rulesMain() in process
// (the same function `cirt rules` runs) with a recording Out; a few spawn the real command to check exit codes.
// Rule files are written to a temp dir per test; the clean rule is a copy of our own rules/linux one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from '../services.ts';
import type { Out } from './args.ts';
import { rulesMain } from './main.ts';

const CLEAN = join(ROOT, 'rules/linux/lnx_sshd_failed_root_password.yml');
const CLEAN_TESTS = join(ROOT, 'rules/linux/lnx_sshd_failed_root_password.tests.json');
const CLEAN_ID = '3f5b9a2e-8c41-4d7a-b0e6-1a9c2d4e7f83';

async function cirt(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const o: string[] = []; const e: string[] = [];
  const out: Out = { stdout: (s) => o.push(s), stderr: (s) => e.push(s) };
  const code = await rulesMain(argv, out);
  return { code, stdout: o.join('\n'), stderr: e.join('') };
}

function dir(files: Record<string, string> = {}): string {
  const d = mkdtempSync(join(tmpdir(), 'cirt-rules-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(d, name, '..'), { recursive: true });
    writeFileSync(join(d, name), text);
  }
  return d;
}

const BROKEN = [
  'title: Broken Rule',
  'id: 11111111-2222-4333-8444-555555555555',
  'status: experimental',
  'level: high',
  'logsource:',
  '  product: linux',
  '  service: sshd',
  'detection:',
  '  selection:',
  '    message|contians: Failed password',
  '  condition: selection',
  '',
].join('\n');

describe('cirt rules lint', () => {
  test('a clean rule passes: exit 0, no findings', async () => {
    const d = dir();
    copyFileSync(CLEAN, join(d, 'clean.yml'));
    const r = await cirt('lint', d, '--json');
    assert.equal(r.code, 0, r.stdout);
    const j = JSON.parse(r.stdout) as { files: number; documents: number; findings: number; details: unknown[] };
    assert.deepEqual({ files: j.files, documents: j.documents, findings: j.findings, details: j.details }, { files: 1, documents: 1, findings: 0, details: [] });
  });

  test('a broken rule file gives file:line:column findings and exit 1', async () => {
    const d = dir({ 'broken.yml': BROKEN });
    const r = await cirt('lint', d);
    assert.equal(r.code, 1);
    // line 10, column 5: the `message|contians` key
    assert.match(r.stdout, new RegExp(`^${join(d, 'broken.yml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:10:5: ERR_SIGMA_MODIFIER .*unknown modifier 'contians'$`, 'm'));
    assert.match(r.stdout, /1 files, 0 rules compiled, 1 findings/);
  });

  test('a YAML syntax error is located, and an unknown selection in the condition is found', async () => {
    const d = dir({
      'yaml.yml': 'title: Bad YAML\nid: 22222222-2222-4333-8444-555555555555\ndetection:\n  selection: [unclosed\n',
      'cond.yml': BROKEN.replace('contians', 'contains').replace('condition: selection', 'condition: selection and not filter'),
    });
    const r = await cirt('lint', d, '--json');
    assert.equal(r.code, 1);
    const j = JSON.parse(r.stdout) as { details: Array<{ code: string; file: string; line: number; column: number }> };
    const yaml = j.details.filter((f) => f.file.endsWith('yaml.yml'));
    // the unclosed flow sequence opened on line 4 is reported where the parser gives up: the end of the file
    assert.deepEqual(yaml.map((f) => [f.code, f.line, f.column]), [['ERR_SIGMA_YAML', 5, 1]]);
    const cond = j.details.filter((f) => f.file.endsWith('cond.yml'));
    // the engine (the condition does not compile) and the convention check (which selection is missing) both say so
    assert.deepEqual(cond.map((f) => f.code).sort(), ['ERR_SIGMA_CONDITION', 'LINT_UNKNOWN_SELECTION']);
    assert.ok(cond.every((f) => f.line >= 8 && f.line <= 11), JSON.stringify(cond));
  });

  test('duplicate ids across files are one finding, pointing at the first file', async () => {
    const d = dir();
    mkdirSync(join(d, 'a')); mkdirSync(join(d, 'b'));
    copyFileSync(CLEAN, join(d, 'a', 'one.yml'));
    copyFileSync(CLEAN, join(d, 'b', 'two.yml'));
    const r = await cirt('lint', d);
    assert.equal(r.code, 1);
    const lines = r.stdout.split('\n').filter((l) => /: [A-Z_]+ /.test(l));
    assert.deepEqual(lines, [`${join(d, 'b', 'two.yml')}:2:1: LINT_DUPLICATE_ID id ${CLEAN_ID} is also used by ${join(d, 'a', 'one.yml')}:2`]);
  });

  test('unknown rsit and tlp tags are findings that name the tag and what is expected', async () => {
    const tagged = BROKEN.replace('contians', 'contains').replace('level: high', 'level: high\ntags:\n  - rsit.information-gathering.scanning\n  - tlp.orange');
    const r = await cirt('lint', dir({ 'tags.yml': tagged }), '--json');
    assert.equal(r.code, 1);
    const j = JSON.parse(r.stdout) as { details: Array<{ code: string; message: string }> };
    assert.deepEqual(j.details.map((f) => f.code).sort(), ['LINT_TAG_RSIT', 'LINT_TAG_TLP']);
    assert.match(j.details.find((f) => f.code === 'LINT_TAG_RSIT')!.message, /'scanning' is not an RSIT type of information-gathering \(expected one of scanner/);
    assert.match(j.details.find((f) => f.code === 'LINT_TAG_TLP')!.message, /'tlp\.orange' is not a TLP 2\.0 level/);
  });

  test('our rule pack lints clean', async () => {
    const r = await cirt('lint', join(ROOT, 'rules'), '--json', '--quiet');
    const j = JSON.parse(r.stdout) as { files: number; findings: number };
    assert.equal(r.code, 0, r.stdout);
    assert.equal(j.findings, 0);
    assert.ok(j.files >= 14);
  });
});

describe('cirt rules test', () => {
  test('a rule with passing tests: exit 0', async () => {
    const d = dir();
    copyFileSync(CLEAN, join(d, 'r.yml'));
    copyFileSync(CLEAN_TESTS, join(d, 'r.tests.json'));
    const r = await cirt('test', d, '--json');
    assert.equal(r.code, 0, r.stdout);
    const j = JSON.parse(r.stdout) as { rules: number; failed: number; results: Array<{ ok: boolean }> };
    assert.equal(j.rules, 1);
    assert.equal(j.failed, 0);
    assert.ok(j.results.length >= 2 && j.results.every((x) => x.ok));
  });

  test('a rule without tests fails and names the file to write', async () => {
    const d = dir();
    copyFileSync(CLEAN, join(d, 'r.yml'));
    const r = await cirt('test', d);
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`FAIL .*SSH Failed Password For Root\\s+no tests: write ${join(d, 'r.tests.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(r.stdout, /1 rules, 1 checks, 0 passed, 1 failed/);
  });

  test('a failing expectation is reported with what was expected and what happened', async () => {
    const d = dir({
      'r.tests.json': JSON.stringify({
        defaults: { event: { category: ['authentication'], dataset: 'linux.auth' }, process: { name: 'sshd' } },
        cases: [
          { name: 'wrong positive', rule: 'SSH Failed Password For Root', positive: [{ message: 'Accepted publickey for deploy' }], negative: [{ message: 'Failed password for root from 203.0.113.5 port 1 ssh2' }] },
          { name: 'wrong count', events: [{ message: 'Failed password for root from 203.0.113.5 port 1 ssh2' }], expect: [{ rule: 'SSH Failed Password For Root', count: 3 }] },
        ],
      }),
    });
    copyFileSync(CLEAN, join(d, 'r.yml'));
    const r = await cirt('test', d, '--json');
    assert.equal(r.code, 1);
    const j = JSON.parse(r.stdout) as { failed: number; results: Array<{ case: string; ok: boolean; detail: string }> };
    const by = new Map(j.results.map((x) => [x.case, x]));
    assert.equal(by.get('wrong positive')?.ok, false);
    assert.equal(by.get('wrong positive')?.detail, 'positive[0] did not match; negative[0] matched');
    assert.equal(by.get('wrong count')?.ok, false);
    assert.equal(by.get('wrong count')?.detail, 'SSH Failed Password For Root: expected 3 alert(s), got 1');
    assert.equal(j.failed, 2);
  });

  test('our rule pack: every rule tested, all green', async () => {
    const r = await cirt('test', join(ROOT, 'rules'), '--json');
    const j = JSON.parse(r.stdout) as { rules: number; cases: number; failed: number };
    assert.equal(r.code, 0, r.stdout);
    assert.equal(j.failed, 0);
    assert.ok(j.rules >= 20 && j.cases >= j.rules);
  });
});

describe('cirt rules coverage', () => {
  test('--json: rules, correlations, techniques -> titles, logsources -> titles, errors', async () => {
    const r = await cirt('coverage', join(ROOT, 'rules'), '--json');
    assert.equal(r.code, 0);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(j).sort(), ['correlations', 'errors', 'logsources', 'rules', 'techniques']);
    assert.equal(typeof j.rules, 'number');
    assert.equal(typeof j.correlations, 'number');
    assert.deepEqual(j.errors, []);
    const techniques = j.techniques as Record<string, string[]>;
    const logsources = j.logsources as Record<string, string[]>;
    for (const [k, v] of Object.entries(techniques)) {
      assert.match(k, /^T\d{4}(\.\d{3})?$/);
      assert.ok(Array.isArray(v) && v.length > 0 && v.every((t) => typeof t === 'string'));
    }
    for (const [k, v] of Object.entries(logsources)) {
      assert.match(k, /^[^/]+\/[^/]+\/[^/]+$/, 'product/category/service, * when absent');
      assert.ok(Array.isArray(v) && v.length > 0);
    }
    assert.deepEqual(techniques.T1046?.slice().sort(), ['Fan-Out From One Internal Host', 'Horizontal Port Scan', 'Short TCP Flow (scan probe candidate)', 'Vertical Port Scan']);
    assert.ok(logsources['netflow/flow/*']?.includes('Short TCP Flow (scan probe candidate)'));
  });
});

describe('usage errors exit 2', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['no subcommand', [], /usage: cirt rules/],
    ['unknown subcommand', ['frobnicate'], /unknown rules subcommand 'frobnicate'/],
    ['lint without paths', ['lint'], /usage: cirt rules lint/],
    ['lint of a missing path', ['lint', '/nonexistent/rules'], /no such file or directory: \/nonexistent\/rules/],
    ['test with an unknown option', ['test', 'rules', '--frob'], /unknown option --frob/],
    ['coverage of a missing path', ['coverage', '/nonexistent'], /no such file or directory/],
    ['replay without files', ['replay'], /usage: cirt rules replay/],
    ['replay with a negative speed', ['replay', 'agents/test/fixtures/traffic.pcap', '--speed', '-1'], /--speed must be 0 or a positive number/],
    ['replay --speed without a value', ['replay', 'agents/test/fixtures/traffic.pcap', '--speed'], /--speed needs a value/],
    ['a flag given a value', ['lint', 'rules', '--json=yes'], /--json takes no value/],
    ['replay --live without --gateway', ['replay', 'agents/demo/demo-events.jsonl', '--live'], /--live needs --gateway/],
  ];
  for (const [name, argv, msg] of cases) {
    test(name, async () => {
      const r = await cirt(...argv);
      assert.equal(r.code, 2, `${r.stdout}${r.stderr}`);
      assert.match(r.stdout + r.stderr, msg);
    });
  }

  test('the real process: `cirt rules lint` (no paths) exits 2, a broken rule exits 1, --help exits 0', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'cli/cirt.ts', 'rules', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    const usage = run('lint');
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /usage: cirt rules lint/);
    const d = dir({ 'broken.yml': BROKEN });
    const broken = run('lint', d);
    assert.equal(broken.status, 1);
    assert.match(broken.stdout, /broken\.yml:10:5: ERR_SIGMA_MODIFIER/);
    const help = run('replay', '--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /pcap\/pcapng captures/);
  });
});

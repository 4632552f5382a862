// Items shared between the rules of one load (CompileContext.memo in engine/compile.ts): the same item in two
// rules gives both the same answers as compiling each alone; a failing item is reported for every rule, each at
// its own location; items that differ in anything that matters (field, modifier, value type, number spelling)
// are not confused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRules, loadPipeline } from '../engine/index.ts';
import { ruleYaml } from './helpers.ts';

const rule = (id: number, detection: string): string => ruleYaml(detection).replace('00000000-0000-0000-0000-000000000001', `00000000-0000-0000-0000-00000000000${id}`);

test('a shared item matches in every rule as when compiled alone', () => {
  const a = 'sel:\n  Image|endswith: \\cmd.exe\n  CommandLine|contains: whoami\ncondition: sel';
  const b = 'sel:\n  Image|endswith: \\cmd.exe\nfilter:\n  User: SYSTEM\ncondition: sel and not filter';
  const both = compileRules(`${rule(1, a)}---\n${rule(2, b)}`, { file: 'two.yml' });
  const alone = [compileRules(rule(1, a)).rules[0]!, compileRules(rule(2, b)).rules[0]!];
  assert.deepEqual(both.errors, []);
  const events = [
    { Image: 'C:\\Windows\\System32\\CMD.EXE', CommandLine: 'whoami /all', User: 'bob' },
    { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'dir', User: 'SYSTEM' },
    { Image: 'C:\\x\\powershell.exe', CommandLine: 'whoami' },
  ];
  for (const e of events) {
    assert.deepEqual(both.rules.map((r) => r.match(e)), alone.map((r) => r.match(e)), JSON.stringify(e));
    assert.deepEqual(both.rules.map((r) => r.matchedFields!(e)), alone.map((r) => r.matchedFields!(e)));
  }
  assert.deepEqual(events.map((e) => both.rules.map((r) => r.match(e))), [[true, true], [false, false], [false, false]]);
});

test('a failing item is reported for each rule at its own line', () => {
  const bad = 'sel:\n  CommandLine|re: (?<=x)y\ncondition: sel';
  const text = `${rule(1, bad)}---\n${rule(2, bad)}`;
  const res = compileRules(text, { file: 'bad.yml' });
  assert.equal(res.rules.length, 0);
  assert.deepEqual(res.errors.map((e) => e.code), ['ERR_SIGMA_REGEX', 'ERR_SIGMA_REGEX']);
  const lines = text.split('\n').flatMap((l, i) => (l.includes('CommandLine|re') ? [i + 1] : []));
  assert.deepEqual(res.errors.map((e) => [e.location?.file, e.location?.line, e.ruleId]), [
    ['bad.yml', lines[0], '00000000-0000-0000-0000-000000000001'],
    ['bad.yml', lines[1], '00000000-0000-0000-0000-000000000002'],
  ]);
});

test('items that differ only in modifier, type or number spelling stay apart', () => {
  const dets = [
    'sel:\n  EventID: 10\ncondition: sel',
    "sel:\n  EventID: '10'\ncondition: sel",
    'sel:\n  EventID: 0xA\ncondition: sel',
    'sel:\n  EventID|contains: 10\ncondition: sel',
    'sel:\n  EventID|cased: 10\ncondition: sel',
    'sel:\n  EventID: 10.0\ncondition: sel',
  ];
  const res = compileRules(dets.map((d, i) => rule(i + 1, d)).join('---\n'));
  const alone = dets.map((d, i) => compileRules(rule(i + 1, d)).rules[0]!);
  assert.deepEqual(res.errors, []);
  const events = [{ EventID: 10 }, { EventID: '10' }, { EventID: '0xa' }, { EventID: '0xA' }, { EventID: 'x100' }, { EventID: '10.0' }, { EventID: 16 }];
  const table = events.map((e) => res.rules.map((r) => r.match(e)));
  assert.deepEqual(table, events.map((e) => alone.map((r) => r.match(e))));
  // The rules really differ: shared predicates would have made some columns equal.
  const columns = new Set(dets.map((_, i) => table.map((row) => row[i]).join()));
  assert.ok(columns.size >= 4, `only ${columns.size} distinct behaviours: ${JSON.stringify(table)}`);
});

test('pipeline conditions shared by many rules keep each rule on its own logsource', () => {
  const p = loadPipeline(`name: t
transformations:
  - id: sysmon
    type: add_condition
    conditions: { Channel: Sysmon }
    rule_conditions: [{ type: logsource, product: windows, category: process_creation }]
`, 'p.yml');
  const other = ruleYaml('sel:\n  Image: x\ncondition: sel').replace('category: process_creation', 'category: file_event').replace('0001', '0003');
  const res = compileRules(`${rule(1, 'sel:\n  Image: x\ncondition: sel')}---\n${rule(2, 'sel:\n  Image: x\ncondition: sel')}---\n${other}`, { pipelines: [p] });
  assert.deepEqual(res.errors, []);
  assert.deepEqual(res.rules.map((r) => r.match({ Image: 'x' })), [false, false, true]);
  assert.deepEqual(res.rules.map((r) => r.match({ Image: 'x', Channel: 'Sysmon' })), [true, true, true]);
});

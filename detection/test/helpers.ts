import assert from 'node:assert/strict';
import { compileRules, type CompiledRule, type LoadResult, type Pipeline } from '../engine/index.ts';

/** Build a one-rule YAML from a detection block (indented 2 spaces under `detection:`). */
export function ruleYaml(detection: string, extra = ''): string {
  return `title: Test rule
id: 00000000-0000-0000-0000-000000000001
status: test
level: high
logsource:
  product: windows
  category: process_creation
${extra}detection:
${detection.replace(/^\n/, '').split('\n').map((l) => (l ? '  ' + l : l)).join('\n')}
`;
}

export function compileOne(detection: string, opts: { pipelines?: Pipeline[]; extra?: string } = {}): CompiledRule {
  const res = compileRules(ruleYaml(detection, opts.extra), { file: 'test.yml', ...(opts.pipelines ? { pipelines: opts.pipelines } : {}) });
  assert.deepEqual(res.errors.map(String), []);
  assert.equal(res.rules.length, 1);
  return res.rules[0]!;
}

export function compileErr(detection: string, opts: { pipelines?: Pipeline[] } = {}): LoadResult['errors'][number] {
  const res = compileRules(ruleYaml(detection), { file: 'test.yml', ...(opts.pipelines ? { pipelines: opts.pipelines } : {}) });
  assert.equal(res.rules.length, 0, 'rule should not compile');
  assert.equal(res.errors.length, 1);
  return res.errors[0]!;
}

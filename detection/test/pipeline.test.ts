import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileRules, loadPipeline, SigmaCompiledRule, SigmaError } from '../engine/index.ts';
import { compileOne, ruleYaml } from './helpers.ts';
import { PIPELINES } from './corpus.ts';

const pipelineFile = (name: string) => loadPipeline(readFileSync(join(PIPELINES, name), 'utf8'), name);

function pipelineError(text: string): SigmaError {
  try { loadPipeline(text, 'p.yml'); } catch (e) { assert.ok(e instanceof SigmaError); return e; }
  assert.fail('expected a pipeline error');
}

describe('pipeline loading', () => {
  test('unknown keys and transformation types are located ERR_SIGMA_PIPELINE errors', () => {
    const a = pipelineError('name: x\nbogus: 1\n');
    assert.deepEqual([a.code, a.location?.file, a.location?.line, a.location?.column], ['ERR_SIGMA_PIPELINE', 'p.yml', 2, 1]);
    const b = pipelineError('name: x\ntransformations:\n  - id: a\n    type: frobnicate\n');
    assert.deepEqual([b.code, b.location?.line, b.location?.column], ['ERR_SIGMA_PIPELINE', 4, 11]);
    const c = pipelineError('name: x\ntransformations:\n  - type: field_name_mapping\n    mapping: {a: b}\n    extra: 1\n');
    assert.deepEqual([c.code, c.location?.line, c.location?.column], ['ERR_SIGMA_PIPELINE', 5, 5]);
    const d = pipelineError('name: x\ntransformations:\n  - type: field_name_mapping\n    mapping: {a: b}\n    rule_conditions: [{type: logsource, os: x}]\n');
    assert.equal(d.code, 'ERR_SIGMA_PIPELINE');
    assert.equal(pipelineError('name: x\npriority: high\n').code, 'ERR_SIGMA_PIPELINE');
    assert.equal(pipelineError('[a, b]\n').code, 'ERR_SIGMA_PIPELINE');
  });
  test('shipped pipelines load', () => {
    assert.equal(pipelineFile('windows-evtx.yml').name, 'windows-evtx');
    assert.equal(pipelineFile('ecs-netflow.yml').name, 'ecs-netflow');
  });
});

describe('pipeline application', () => {
  test('field_name_mapping honours logsource rule conditions; list = alternatives (OR)', () => {
    const p = loadPipeline(`name: m
transformations:
  - id: win
    type: field_name_mapping
    mapping: { Image: [process.executable, process.name] }
    rule_conditions: [{ type: logsource, product: windows }]
  - id: lin
    type: field_name_mapping
    mapping: { Image: linux.image }
    rule_conditions: [{ type: logsource, product: linux }]
`);
    const r = compileOne("sel:\n  Image|endswith: '\\\\x.exe'\ncondition: sel", { pipelines: [p] });
    assert.equal(r.match({ process: { executable: 'C:\\x.exe' } }), true);
    assert.equal(r.match({ process: { name: 'x.exe', executable: 'C:\\y.exe' } }), false);
    assert.equal(r.match({ process: { name: 'a\\x.exe' } }), true);
    assert.equal(r.match({ Image: 'C:\\x.exe' }), false, 'original name no longer used');
    assert.deepEqual([...(r as SigmaCompiledRule).appliedTransformations], ['win']);
  });
  test('priority orders pipelines; prefix mapping, prefix, add_condition, drop_detection_item', () => {
    const late = loadPipeline('name: late\npriority: 50\ntransformations:\n  - id: pre\n    type: field_name_prefix\n    prefix: data.\n');
    const early = loadPipeline(`name: early
priority: 1
transformations:
  - id: add
    type: add_condition
    conditions: { kind: proc }
  - id: drop
    type: drop_detection_item
    field_name_conditions: [{ type: include_fields, fields: [Noise] }]
  - id: pm
    type: field_name_prefix_mapping
    mapping: { 'Target.': 'tgt.' }
`);
    const r = compileOne('sel:\n  Target.Name: a\n  Noise: zzz\ncondition: sel', { pipelines: [late, early] });
    assert.equal(r.match({ data: { kind: 'proc', tgt: { Name: 'a' } } }), true);
    assert.equal(r.match({ data: { kind: 'other', tgt: { Name: 'a' } } }), false, 'added condition applies');
    assert.deepEqual([...(r as SigmaCompiledRule).appliedTransformations], ['add', 'drop', 'pm', 'pre']);
  });
  test('windows-evtx: System fields, EventData fallback, UserData, service channel', () => {
    const p = pipelineFile('windows-evtx.yml');
    const r = compileOne("sel:\n  Image|endswith: '\\\\cmd.exe'\ncondition: sel", { pipelines: [p] });
    const ev = (eid: number, data: Record<string, unknown>) => ({ Event: { System: { EventID: eid, Channel: 'Microsoft-Windows-Sysmon/Operational' }, EventData: data } });
    assert.equal(r.match(ev(1, { Image: 'C:\\Windows\\cmd.exe' })), true);
    assert.equal(r.match(ev(11, { Image: 'C:\\Windows\\cmd.exe' })), false, 'process_creation requires EventID 1/4688');
    const wmi = compileRules(ruleYaml('sel:\n  EventID: 5858\n  Operation|contains: clear\ncondition: sel').replace('category: process_creation', 'service: wmi'), { pipelines: [p] }).rules[0]!;
    const wev = { Event: { System: { EventID: 5858, Channel: 'Microsoft-Windows-WMI-Activity/Operational', Provider: { '#attributes': { Name: 'WMI' } } }, UserData: { Op: { Operation: 'x cleareventlog' } } } };
    assert.equal(wmi.match(wev), true);
    assert.equal(wmi.match({ Event: { ...wev.Event, System: { ...wev.Event.System, Channel: 'Security' } } }), false, 'service adds Channel');
  });
  test('ecs-netflow maps network fields', () => {
    const p = pipelineFile('ecs-netflow.yml');
    const r = compileRules(`title: t
logsource: { category: firewall }
detection:
  sel:
    dst_ip|cidr: 10.0.0.0/8
    dst_port: [445, 3389]
    proto: tcp
    bytes|gt: 1000
  condition: sel
`, { pipelines: [p] }).rules[0]!;
    assert.equal(r.match({ destination: { ip: '10.1.2.3', port: 445 }, network: { transport: 'TCP', bytes: 5000 } }), true);
    assert.equal(r.match({ destination: { ip: '10.1.2.3', port: 80 }, network: { transport: 'tcp', bytes: 5000 } }), false);
    assert.equal(r.match({ destination: { ip: '11.1.2.3', port: 445 }, network: { transport: 'tcp', bytes: 5000 } }), false);
  });
});

describe('filters (Sigma filter meta-rules)', () => {
  test('a filter excludes matches of the referenced rule only', () => {
    const text = `${ruleYaml("sel:\n  Image|endswith: '\\\\cmd.exe'\ncondition: sel")}---
title: other
id: 00000000-0000-0000-0000-000000000002
logsource: { product: windows, category: process_creation }
detection:
  sel: { Image|endswith: '\\cmd.exe' }
  condition: sel
---
title: Filter admin
logsource: { product: windows }
filter:
  rules: [00000000-0000-0000-0000-000000000001]
  selection:
    User|startswith: adm_
  condition: not selection
`;
    const res = compileRules(text, { file: 'f.yml' });
    assert.deepEqual(res.errors.map(String), []);
    const [a, b] = res.rules;
    assert.equal(a!.match({ Image: 'x\\cmd.exe', User: 'adm_bob' }), false);
    assert.equal(a!.match({ Image: 'x\\cmd.exe', User: 'bob' }), true);
    assert.equal(b!.match({ Image: 'x\\cmd.exe', User: 'adm_bob' }), true);
  });
  test('a filter that references nothing is a located error', () => {
    const res = compileRules('title: F\nfilter:\n  rules: [nope]\n  sel: { A: 1 }\n  condition: not sel\n', { file: 'f.yml' });
    assert.equal(res.errors[0]!.code, 'ERR_SIGMA_FILTER');
    assert.deepEqual([res.errors[0]!.location?.line, res.errors[0]!.location?.column], [3, 3]);
  });
});

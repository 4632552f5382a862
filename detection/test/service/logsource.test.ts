// Logsource routing of the streaming detector (service/logsource.ts): the Windows tables agree with the pipeline
// file, process_creation & co. reach their events, and the Detector's routed + prefiltered evaluation gives the
// same matches as evaluating every rule (the pipeline's logsource conditions decide in both).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import type { EcsEvent } from '../../../proto/ecs.ts';
import { compileRules, loadPipeline, loadRuleDirectory } from '../../engine/index.ts';
import { Detector } from '../../service/detector.ts';
import { RuleRouter, WINDOWS_CATEGORIES, WINDOWS_SERVICES, eventLogsource, eventRoute } from '../../service/logsource.ts';
import { CORPUS, PIPELINES, corpusPresent, findFiles, readJsonEvents, ruleDirs } from '../corpus.ts';

const PFILE = join(PIPELINES, 'windows-evtx.yml');

test('the Windows routing tables are exactly the add_condition items of windows-evtx.yml', () => {
  const doc = parse(readFileSync(PFILE, 'utf8')) as { transformations: Array<{ type: string; conditions?: Record<string, unknown>; rule_conditions?: Array<Record<string, string>> }> };
  const services: Record<string, string> = {};
  const categories: Record<string, number[]> = {};
  for (const t of doc.transformations) {
    if (t.type !== 'add_condition') continue;
    const rc = t.rule_conditions![0]!;
    if (rc.service) services[String(t.conditions!.Channel).toLowerCase()] = rc.service;
    if (rc.category) { const ids = t.conditions!.EventID; categories[rc.category] = (Array.isArray(ids) ? ids : [ids]).map(Number); }
  }
  assert.deepEqual({ ...WINDOWS_SERVICES }, services);
  assert.deepEqual(Object.fromEntries(Object.entries(WINDOWS_CATEGORIES).map(([k, v]) => [k, [...v]])), categories);
});

test('Windows events get their category: Sysmon 1 and Security 4688 are process_creation', () => {
  const sysmon1 = { Event: { System: { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1 } } };
  const sec4688 = { Event: { System: { Channel: 'Security', EventID: 4688 } } };
  assert.deepEqual(eventLogsource(sysmon1), { product: 'windows', service: 'sysmon', category: 'process_creation' });
  assert.deepEqual(eventLogsource(sec4688), { product: 'windows', service: 'security', category: 'process_creation' });
  const pc = { product: 'windows', category: 'process_creation' };
  assert.equal(eventRoute(sysmon1).applies(pc), true);
  assert.equal(eventRoute(sec4688).applies(pc), true);
  assert.equal(eventRoute({ Event: { System: { Channel: 'Security', EventID: 4624 } } }).applies(pc), false);
  assert.equal(eventRoute(sec4688).applies({ product: 'windows', service: 'sysmon' }), false);
  // registry 12 belongs to three categories; the route key groups events with the same applicable rules
  assert.equal(eventRoute({ Event: { System: { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 12 } } }).applies({ product: 'windows', category: 'registry_delete' }), true);
  assert.equal(eventRoute(sec4688).key, eventRoute({ Event: { System: { Channel: 'Security', EventID: '4688' } } }).key);
  assert.equal(eventRoute(sysmon1).applies({ product: 'linux' }), false);
  assert.equal(eventRoute({ event: { dataset: 'netflow.flow' } }).applies({ product: 'netflow', category: 'flow' }), true);
});

test('the Detector raises process_creation alerts on Sysmon events and reports per-rule metrics', () => {
  const pipeline = loadPipeline(readFileSync(PFILE, 'utf8'), PFILE);
  const res = compileRules(`title: Whoami
id: w-1
level: high
logsource: { product: windows, category: process_creation }
detection:
  sel: { Image|endswith: '\\\\whoami.exe' }
  condition: sel
---
title: Broken
id: b-1
logsource: { product: windows, category: process_creation }
detection:
  sel: { CommandLine|contains: whoami }
  condition: sel
`, { file: 't.yml', pipelines: [pipeline] });
  assert.deepEqual(res.errors.map(String), []);
  // a rule whose evaluation throws is counted, never stops the stream
  const broken = res.rules[1]!;
  const throwing = Object.assign(Object.create(Object.getPrototypeOf(broken) as object) as typeof broken, broken, { matchMemo: () => { throw new Error('boom'); } });
  const d = new Detector([res.rules[0]!, throwing], { sampleEvery: 1 });
  const ev = (channel: string, id: number) => ({ '@timestamp': '2026-11-26T10:00:00Z', organization: { id: 'moh' }, event: { id: `e-${channel}-${id}` }, Event: { System: { Channel: channel, EventID: id }, EventData: { Image: 'C:\\Windows\\System32\\whoami.exe', CommandLine: 'whoami /all' } } }) as unknown as EcsEvent;
  const alerts = [
    ...d.evaluateEvent(ev('Microsoft-Windows-Sysmon/Operational', 1), new Date()),
    ...d.evaluateEvent(ev('Security', 4688), new Date()),
    ...d.evaluateEvent(ev('Microsoft-Windows-Sysmon/Operational', 3), new Date()),
  ];
  assert.deepEqual(alerts.map((a) => a.rule.id), ['w-1', 'w-1']);
  const m = new Map(d.ruleMetrics().map((x) => [x.id, x]));
  assert.equal(m.get('w-1')!.hits, 2);
  assert.equal(m.get('w-1')!.sampledEvals, 2, 'the network event never reaches the process_creation rule');
  assert.ok(m.get('w-1')!.meanEvalUs >= 0);
  assert.equal(m.get('b-1')!.errors, 2);
  assert.equal(m.get('b-1')!.lastError, 'boom');
  assert.equal(d.counters.ruleErrors, 2);
});

test('routing + prefilter give the same matches as every rule on the SigmaHQ regression events', { skip: !corpusPresent && 'corpus not present' }, () => {
  const pipeline = loadPipeline(readFileSync(PFILE, 'utf8'), PFILE);
  const rules = ruleDirs().flatMap((d) => loadRuleDirectory(d, { pipelines: [pipeline] }).rules);
  const events = [...findFiles(join(CORPUS, 'regression_data'), 'info.yml')].flatMap((info) => readdirSync(dirname(info)).filter((f) => f.endsWith('.json')).flatMap((f) => readJsonEvents(join(dirname(info), f))));
  const router = new RuleRouter(rules);
  let matches = 0; let routed = 0;
  for (const e of events) {
    const windows = rules.filter((r) => r.match(e) && eventRoute(e).applies(r.meta.logsource)).map((r) => r.meta.id);
    assert.deepEqual(router.indexFor(e).matches(e).map((r) => r.meta.id), windows);
    matches += windows.length; routed += router.rulesFor(e).length;
  }
  console.log(JSON.stringify({ routing: { events: events.length, routes: router.routeCount, matches, rulesPerEvent: routed / events.length } }));
  assert.ok(matches >= 90);
  assert.ok(routed / events.length < rules.length / 2, 'routing should drop most rules');
});

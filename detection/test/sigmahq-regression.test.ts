// SigmaHQ regression data: for every info.yml, the rule it names (by id, from the corpus) must match at least
// one of the events of its JSON file(s) (evtx_dump layout, mapped by pipelines/windows-evtx.yml). The evtx
// captures carry context events too (e.g. the parent cmd.exe), so "every event matches" is not the criterion.
// KNOWN_FAILING lists rule ids that cannot pass, with the reason; the test fails if the set grows or if a
// listed one starts to pass, so nothing hides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { loadPipeline, loadRuleDirectory, type CompiledRule } from '../engine/index.ts';
import { CORPUS, PIPELINES, corpusPresent, findFiles, readJsonEvents, ruleDirs } from './corpus.ts';

const KNOWN_FAILING: Readonly<Record<string, string>> = {};

test('SigmaHQ regression events match their rules', { skip: !corpusPresent && 'corpus not present' }, () => {
  const pfile = join(PIPELINES, 'windows-evtx.yml');
  const pipeline = loadPipeline(readFileSync(pfile, 'utf8'), pfile);
  const byId = new Map<string, CompiledRule>();
  for (const d of ruleDirs()) for (const r of loadRuleDirectory(d, { pipelines: [pipeline] }).rules) byId.set(r.meta.id, r);

  const failing: Record<string, string> = {};
  let total = 0;
  for (const info of findFiles(join(CORPUS, 'regression_data'), 'info.yml')) {
    const meta = parse(readFileSync(info, 'utf8')) as { rule_metadata?: Array<{ id: string }> };
    for (const { id } of meta.rule_metadata ?? []) {
      total++;
      const rule = byId.get(id);
      if (!rule) { failing[id] = 'rule not compiled'; continue; }
      const events = readdirSync(dirname(info)).filter((f) => f.endsWith('.json')).flatMap((f) => readJsonEvents(join(dirname(info), f)));
      if (events.length === 0) { failing[id] = 'no JSON events'; continue; }
      if (!events.some((e) => rule.match(e))) failing[id] = `no match in ${events.length} event(s)`;
      else assert.ok(events.filter((e) => rule.match(e)).every((e) => rule.matchedFields!(e).length > 0), `${id}: matchedFields empty`);
    }
  }
  const matched = total - Object.keys(failing).length;
  console.log(JSON.stringify({ regression: 'sigmahq', matched, total, failing }));
  assert.ok(total >= 90, `expected at least 90 regression cases, found ${total}`);
  const unexpected = Object.keys(failing).filter((id) => !(id in KNOWN_FAILING));
  assert.deepEqual(unexpected.map((id) => `${id}: ${failing[id]}`), [], 'new regression failures');
  const fixed = Object.keys(KNOWN_FAILING).filter((id) => !(id in failing));
  assert.deepEqual(fixed, [], 'known failures that now pass: remove them from KNOWN_FAILING');
});

test('negative control: the regression events do not match unrelated rules wholesale', { skip: !corpusPresent && 'corpus not present' }, () => {
  // A pipeline or matcher bug that makes everything match would pass the test above; bound the hit rate.
  const pfile = join(PIPELINES, 'windows-evtx.yml');
  const pipeline = loadPipeline(readFileSync(pfile, 'utf8'), pfile);
  const rules = loadRuleDirectory(join(CORPUS, 'rules', 'windows', 'process_creation'), { pipelines: [pipeline] }).rules;
  const events = [...findFiles(join(CORPUS, 'regression_data'), 'info.yml')].flatMap((info) => readdirSync(dirname(info)).filter((f) => f.endsWith('.json')).flatMap((f) => readJsonEvents(join(dirname(info), f))));
  let hits = 0;
  for (const e of events) for (const r of rules) if (r.match(e)) hits++;
  const rate = hits / (events.length * rules.length);
  console.log(JSON.stringify({ negative_control: { events: events.length, rules: rules.length, hits, rate } }));
  assert.ok(rate < 0.01, `hit rate ${rate} too high`);
});

// The streaming detector with correlations: our rule pack (rules/) loaded as the service loads it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { EcsEvent } from '../../../proto/ecs.ts';
import { compileCorrelations, compileRules, loadPipeline } from '../../engine/index.ts';
import { buildRuleSet, DEFAULT_INTEL, DEFAULT_PIPELINES } from '../../intel/index.ts';
import { CROSS_AGENCY } from '../../service/alerts.ts';
import { Detector } from '../../service/detector.ts';

const pipelines = ['detection/pipelines/ecs-netflow.yml', 'detection/pipelines/windows-evtx.yml'].map((f) => loadPipeline(readFileSync(f, 'utf8'), f));

/** The rule pack exactly as the service loads it: rules/, the shipped pipelines and the intel lists. */
function packDetector(): Detector {
  const set = buildRuleSet({ rulePaths: ['rules'], pipelineFiles: DEFAULT_PIPELINES, intelPaths: DEFAULT_INTEL });
  assert.deepEqual(set.errors.map(String), []);
  assert.ok(set.correlations.length >= 2);
  return new Detector(set.rules, { correlations: set.correlations, suppressed: set.suppressed });
}

const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);
const iso = (ms: number) => new Date(T0 + ms).toISOString();
/** Events as the detector gets them from Kafka: stamped with their agency. */
const batch = (events: EcsEvent[], agency = 'mofa'): EcsEvent[] => events.map((e) => ({ ...e, organization: e.organization ?? { id: agency } }));
const flow = (i: number, src: string, dst: string, port: number, packets: number, agency?: string): EcsEvent => ({
  '@timestamp': iso(i * 1000), event: { id: `ev-${src}-${dst}-${port}-${i}-${agency ?? ''}`, kind: 'event', category: ['network'], dataset: 'netflow.flow' },
  source: { ip: src, port: 40000 + i }, destination: { ip: dst, port }, network: { transport: 'tcp', packets, bytes: 60 * packets },
  ...(agency ? { organization: { id: agency } } : {}),
} as EcsEvent);

test('the end-to-end test\'s 4 events still give exactly its 2 alerts with the correlation rules loaded', () => {
  const d = packDetector();
  const events = [
    { '@timestamp': iso(1000), event: { kind: 'event', category: ['network'], type: ['connection'], dataset: 'netflow.flow' }, source: { ip: '10.1.1.10', port: 50000 }, destination: { ip: '10.1.1.53', port: 53 }, network: { transport: 'udp', bytes: 120, packets: 2 } },
    { '@timestamp': iso(2000), event: { kind: 'event', category: ['network'], type: ['connection'], dataset: 'netflow.flow' }, source: { ip: '10.1.1.77', port: 49822 }, destination: { ip: '185.220.101.4', port: 445 }, network: { transport: 'tcp', bytes: 3120, packets: 14 } },
    { '@timestamp': iso(3000), event: { kind: 'event', category: ['authentication'], dataset: 'linux.auth', outcome: 'failure' }, host: { name: 'web-01' }, process: { name: 'sshd', pid: 2211 }, source: { ip: '203.0.113.50' }, message: 'Failed password for root from 203.0.113.50 port 40112 ssh2' },
    { '@timestamp': iso(4000), event: { kind: 'event', category: ['authentication'], dataset: 'linux.auth', outcome: 'success' }, host: { name: 'web-01' }, process: { name: 'sshd', pid: 2240 }, message: 'Accepted publickey for deploy from 10.1.1.5 port 40200 ssh2' },
  ] as EcsEvent[];
  const alerts = d.evaluate(batch(events), new Date(T0));
  assert.deepEqual(alerts.map((a) => a.rule.name).sort(), ['SMB Traffic To The Internet', 'SSH Failed Password For Root']);
});

test('a horizontal scan in one batch yields one correlation alert and no base-rule alerts', () => {
  const d = packDetector();
  const events = Array.from({ length: 25 }, (_, i) => flow(i, '10.2.0.9', `10.2.1.${i}`, 3389, 1));
  const alerts = d.evaluate(batch(events), new Date(T0 + 60_000));
  assert.equal(alerts.length, 1);
  const a = alerts[0]! as (typeof alerts)[number] & { correlation: { group_by: Record<string, string>; value: number; type: string } };
  assert.equal(a.rule.type, 'correlation');
  assert.equal(a.rule.name, 'Horizontal Port Scan');
  assert.equal(a.organization.id, 'mofa');
  assert.deepEqual(a.alert.window, { start: iso(0), end: iso(19_000) });
  assert.equal(a['@timestamp'], iso(19_000));
  assert.deepEqual(a.correlation.group_by, { src_ip: '10.2.0.9', dst_port: '3389' });
  assert.equal(a.correlation.value, 20);
  assert.equal(a.events.length, 20);
  assert.deepEqual(a.source, { ip: '10.2.0.9' }, 'grouped by source: the alert is about that address');
  assert.equal(a.destination, undefined, 'the destinations differ: none on the alert');
  assert.ok(d.counters.suppressed >= 25, 'the base rule matched but emitted nothing itself');
  // deterministic id: a replay into a fresh detector gives the same alert id
  const again = packDetector().evaluate(batch(events), new Date(0));
  assert.equal(again[0]!.alert.id, a.alert.id);
  // a different agency scanning the same way is a different key and a different alert
  const other = d.evaluate(batch(events.map((e) => ({ ...e, organization: { id: 'moh' } }))), new Date());
  assert.equal(other.length, 1);
  assert.notEqual(other[0]!.alert.id, a.alert.id);
});

test('one external source in three agencies: a cross-agency alert', () => {
  const d = packDetector();
  const src = '198.51.100.23';
  const alerts = [
    ...d.evaluate(batch([flow(0, src, '10.0.0.1', 443, 10, 'mofa'), flow(60, src, '10.0.0.2', 443, 10, 'mofa')], 'mofa'), new Date()),
    ...d.evaluate(batch([flow(120, src, '10.9.0.1', 22, 10, 'moh'), flow(130, '198.51.100.99', '10.9.0.1', 22, 10, 'moh')], 'moh'), new Date()),
  ];
  assert.equal(alerts.length, 0);
  const hit = d.evaluate(batch([flow(300, src, '10.7.0.1', 443, 10, 'moj')], 'moj'), new Date());
  assert.equal(hit.length, 1);
  const a = hit[0]!;
  assert.equal(a.rule.name, 'One External Source Seen In Several Agencies');
  assert.equal(a.organization.id, CROSS_AGENCY);
  assert.equal(a.alert.severity, 'high');
  assert.deepEqual(new Set(a.events.map((e) => e.organization?.id)), new Set(['mofa', 'moh', 'moj']));
  // more than 15 minutes later a fourth agency alone does not fire again
  assert.equal(d.evaluate(batch([flow(2000, src, '10.5.0.1', 443, 10, 'mod')], 'mod'), new Date()).length, 0);
});

test('generate: true keeps the referenced rule\'s own alerts; without it they are suppressed', () => {
  const text = (generate: boolean) => `title: Probe
id: p-1
name: probe
logsource: { product: netflow, category: flow }
detection:
  sel: { dst_port: 23 }
  condition: sel
---
title: Telnet sweep
id: c-telnet
correlation:
  type: event_count
  rules: [probe]
  group-by: [src_ip]
  timespan: 5m
  condition: { gte: 3 }
  generate: ${generate}
`;
  for (const generate of [false, true]) {
    const res = compileRules(text(generate), { file: 't.yml', pipelines });
    const corr = compileCorrelations(res.correlations, res.rules, pipelines);
    assert.deepEqual(corr.errors.map(String), []);
    const d = new Detector(res.rules, { correlations: corr.correlations, suppressed: corr.suppressed });
    const alerts = d.evaluate(batch([0, 1, 2].map((i) => flow(i, '10.3.0.1', `10.3.1.${i}`, 23, 5))), new Date());
    const types = alerts.map((a) => a.rule.type);
    assert.deepEqual(types, generate ? ['detection', 'detection', 'detection', 'correlation'] : ['correlation'], `generate: ${generate}`);
  }
});

test('alerts of our rule pack carry the RSIT classification and TLP of their rule tags', () => {
  const d = packDetector();
  assert.deepEqual(d.markingProblems, []);
  const alerts = d.evaluate(batch([flow(1, '10.1.0.4', '192.0.2.66', 443, 10)]), new Date(T0));
  const c2 = alerts.find((a) => a.rule.name === 'Contact With A Known C2 Server Or Sinkhole');
  assert.ok(c2, alerts.map((a) => a.rule.name).join(', '));
  assert.deepEqual(c2.rsit, { classification: 'malicious-code', type: 'infected-system' });
  assert.equal(c2.tlp, 'AMBER');
});

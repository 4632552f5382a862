// Honeypot hits are their own logsource (product honeypot, service = observer.product), and the honeypot pipeline
// maps Cowrie-style field names only for those rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileRules, loadPipeline } from '../../engine/index.ts';
import { eventLogsource, eventRoute } from '../../service/logsource.ts';

const PIPELINES = ['detection/pipelines/ecs-netflow.yml', 'detection/pipelines/honeypot.yml'].map((f) => loadPipeline(readFileSync(f, 'utf8'), f));
const cowrieLogin = { '@timestamp': '2026-11-26T09:14:06.930Z', event: { dataset: 'cowrie', action: 'cowrie.login.success', category: ['authentication'], outcome: 'success' }, observer: { type: 'honeypot', product: 'cowrie', hostname: 'hp-sensor-01' }, source: { ip: '203.0.113.45' }, user: { name: 'root' } };

test('observer.type honeypot routes to product honeypot, service = the honeypot product', () => {
  assert.deepEqual(eventLogsource(cowrieLogin), { product: 'honeypot', service: 'cowrie' });
  assert.deepEqual(eventLogsource({ ...cowrieLogin, observer: { type: 'honeypot' } }), { product: 'honeypot' });
  const route = eventRoute(cowrieLogin);
  assert.equal(route.applies({ product: 'honeypot' }), true);
  assert.equal(route.applies({ product: 'honeypot', service: 'cowrie' }), true);
  assert.equal(route.applies({ product: 'honeypot', service: 'dionaea' }), false);
  assert.equal(route.applies({ product: 'linux', service: 'sshd' }), false);
  assert.equal(route.applies({ product: 'netflow', category: 'flow' }), false);
  // the same dataset without the honeypot observer (e.g. an undecodable line) is not a honeypot hit
  assert.deepEqual(eventLogsource({ ...cowrieLogin, observer: undefined }), { product: 'cowrie' });
});

test('the honeypot pipeline maps username/eventid for honeypot rules only', () => {
  const res = compileRules(`title: HP
id: hp-1
level: high
logsource: { product: honeypot }
detection:
  sel: { eventid: cowrie.login.success, username: root, src_ip|cidr: 203.0.113.0/24 }
  condition: sel
---
title: Linux
id: lx-1
level: high
logsource: { product: linux }
detection:
  sel: { username: root }
  condition: sel
`, { file: 't.yml', pipelines: PIPELINES });
  assert.deepEqual(res.errors.map(String), []);
  const [hp, lx] = res.rules;
  assert.equal(hp!.match(cowrieLogin), true);
  assert.equal(hp!.match({ ...cowrieLogin, user: { name: 'admin' } }), false);
  assert.equal(lx!.match(cowrieLogin), false, 'username stays username outside product honeypot');
  assert.equal(lx!.match({ ...cowrieLogin, username: 'root' }), true);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alertFromMatch, alertId, threatFromTags } from '../../service/alerts.ts';
import { eventLogsource, ruleApplies } from '../../service/logsource.ts';

const rule = { id: 'r1', title: 'SMB Out', author: 'CIRT', level: 'high' as const, tags: ['attack.exfiltration', 'attack.t1048', 'attack.t1110.001'], references: [] };
const event = { '@timestamp': '2026-11-26T10:00:00Z', event: { id: 'e1', dataset: 'netflow.flow' }, organization: { id: 'moh' }, source: { ip: '10.0.0.1', port: 5 }, destination: { ip: '8.8.8.8', port: 445 } };

test('an alert carries the rule with its author, the agency, the triggering event and ATT&CK', () => {
  const a = alertFromMatch(rule, event, new Date('2026-11-26T10:00:01Z'));
  assert.equal(a['@timestamp'], '2026-11-26T10:00:00Z');
  assert.equal(a.alert.severity, 'high');
  assert.equal(a.alert.reason, 'SMB Out matched 10.0.0.1:5 -> 8.8.8.8:445');
  assert.equal(a.rule.author, 'CIRT');
  assert.equal(a.organization.id, 'moh');
  assert.deepEqual(a.events, [event]);
  assert.deepEqual(a.threat, { technique: [{ id: 'T1048' }, { id: 'T1110.001' }], tactic: [{ name: 'exfiltration' }] });
});

test('alert ids are deterministic and differ by rule, agency and event', () => {
  const now = new Date();
  assert.equal(alertFromMatch(rule, event, now).alert.id, alertFromMatch(rule, event, new Date(0)).alert.id);
  assert.notEqual(alertId({ ruleId: 'r1', agency: 'a', firstEventId: 'e' }), alertId({ ruleId: 'r2', agency: 'a', firstEventId: 'e' }));
  assert.notEqual(alertId({ ruleId: 'r1', agency: 'a', firstEventId: 'e' }), alertId({ ruleId: 'r1', agency: 'b', firstEventId: 'e' }));
  assert.equal(threatFromTags([]), undefined);
});

test('events are routed to the rules of their logsource', () => {
  assert.deepEqual(eventLogsource(event), { product: 'netflow', category: 'flow' });
  assert.deepEqual(eventLogsource({ event: { dataset: 'linux.auth' }, process: { name: 'sshd' } }), { product: 'linux', service: 'sshd' });
  assert.deepEqual(eventLogsource({ Event: { System: { Channel: 'Microsoft-Windows-Sysmon/Operational' } } }), { product: 'windows', service: 'sysmon' });
  assert.equal(ruleApplies({ product: 'netflow' }, { product: 'netflow', category: 'flow' }), true);
  assert.equal(ruleApplies({ product: 'linux', service: 'sshd' }, { product: 'linux', service: 'cron' }), false);
  assert.equal(ruleApplies({ product: 'Windows' }, { product: 'windows', service: 'security' }), true);
});

test('the fields the rule matched on travel with the alert', () => {
  const a = alertFromMatch(rule, event, new Date(), ['destination.port', 'network.transport']);
  assert.deepEqual(a.alert.matched_fields, ['destination.port', 'network.transport']);
  assert.equal(alertFromMatch(rule, event, new Date()).alert.matched_fields, undefined);
});

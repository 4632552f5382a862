import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alertFromMatch, alertId, DEFAULT_ALERT_TLP, ruleMarking, threatFromTags } from '../../service/alerts.ts';
import { loadDetectorConfig } from '../../service/config.ts';
import { Detector } from '../../service/detector.ts';
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

test('an alert carries the RSIT classification and TLP of its rule: rsit/tlp tags first, then ATT&CK and the default TLP', () => {
  const tagged = { ...rule, tags: ['attack.discovery', 'attack.t1046', 'rsit.information-gathering.scanner', 'tlp.green'] };
  const a = alertFromMatch(tagged, event, new Date());
  assert.deepEqual(a.rsit, { classification: 'information-gathering', type: 'scanner' });
  assert.equal(a.tlp, 'GREEN');
  // no rsit/tlp tags: ATT&CK decides (T1110 brute force), the default TLP applies
  const b = alertFromMatch({ ...rule, tags: ['attack.credential_access', 'attack.t1110'] }, event, new Date());
  assert.deepEqual(b.rsit, { classification: 'intrusion-attempts', type: 'brute-force' });
  assert.equal(b.tlp, DEFAULT_ALERT_TLP);
  assert.equal(DEFAULT_ALERT_TLP, 'AMBER');
  assert.equal(alertFromMatch({ ...rule, tags: [] }, event, new Date(), undefined, ruleMarking([], 'RED')).tlp, 'RED');
  assert.deepEqual(alertFromMatch({ ...rule, tags: [] }, event, new Date()).rsit, { classification: 'other', type: 'undetermined' });
});

test('bad rsit/tlp tags are reported by ruleMarking and fall back, never dropping the alert', () => {
  const m = ruleMarking(['rsit.intrusions.brute-force', 'tlp.orange', 'attack.t1110'], 'GREEN');
  assert.deepEqual(m.rsit, { classification: 'intrusion-attempts', type: 'brute-force' });
  assert.equal(m.tlp, 'GREEN');
  assert.equal(m.problems.length, 2);
  assert.match(m.problems.join('\n'), /'brute-force' is not an RSIT type of intrusions/);
  assert.match(m.problems.join('\n'), /'tlp\.orange' is not a TLP 2\.0 level/);
});

test('the detector classifies alerts of our rule pack, applies the configured default TLP and reports bad tags once per rule', () => {
  const scan = { ...rule, id: 'scan', title: 'Scan', tags: ['rsit.information-gathering.scanner', 'tlp.clear'] };
  const bad = { ...rule, id: 'bad', title: 'Bad', tags: ['rsit.nonsense', 'attack.t1071'] };
  const compiled = [scan, bad].map((meta) => ({ meta: { ...meta, logsource: { product: 'netflow' }, falsepositives: [] }, match: () => true }));
  const d = new Detector(compiled as unknown as ConstructorParameters<typeof Detector>[0], { defaultTlp: 'AMBER+STRICT' });
  assert.deepEqual(d.markingProblems.map((p) => p.ruleId), ['bad']);
  const alerts = d.evaluateEvent(event, new Date());
  const byRule = Object.fromEntries(alerts.map((a) => [a.rule.id, `${a.rsit?.classification}/${a.rsit?.type} ${a.tlp}`]));
  assert.deepEqual(byRule, { scan: 'information-gathering/scanner CLEAR', bad: 'malicious-code/infected-system AMBER+STRICT' });
});

test('the detector config: alerts.defaultTlp defaults to AMBER, takes a TLP 2.0 level, refuses anything else', () => {
  assert.equal(loadDetectorConfig(undefined, {}).alerts.defaultTlp, 'AMBER');
  assert.equal(loadDetectorConfig(undefined, { 'alerts.defaultTlp': 'AMBER+STRICT' }).alerts.defaultTlp, 'AMBER+STRICT');
  assert.throws(() => loadDetectorConfig(undefined, { 'alerts.defaultTlp': 'WHITE' }), /alerts\/defaultTlp/);
});

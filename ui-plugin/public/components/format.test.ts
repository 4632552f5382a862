import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from '../../../proto/ecs';
import { formatEndpoint, formatFlow, formatTime, matchedFields, ruleAttribution, severityClass, tlpClass } from './format';

test('times are shown in UTC', () => {
  assert.equal(formatTime('2026-05-01T14:00:03+02:00'), '2026-05-01 12:00:03Z');
  assert.equal(formatTime(undefined), '—');
  assert.equal(formatTime('garbage'), 'garbage');
});

test('endpoints and flows', () => {
  assert.equal(formatEndpoint({ ip: '10.0.0.1', port: 443 }), '10.0.0.1:443');
  assert.equal(formatEndpoint({ ip: '2001:db8::1', port: 53 }), '[2001:db8::1]:53');
  assert.equal(formatEndpoint({ ip: '10.0.0.1' }), '10.0.0.1');
  assert.equal(formatEndpoint(undefined), '—');
  assert.equal(formatFlow({ source: { ip: '10.0.0.1', port: 5000 }, destination: { ip: '10.0.0.2', port: 22 } } as Alert), '10.0.0.1:5000 → 10.0.0.2:22');
  assert.equal(formatFlow({} as Alert), '—');
});

test('rule author attribution (DRL 1.1) is always stated', () => {
  const rule = { id: 'r', name: 'n', level: 'high', tags: [], references: [], type: 'detection' } as Alert['rule'];
  assert.equal(ruleAttribution({ ...rule, author: 'Florian Roth', license: 'DRL-1.1' }), 'by Florian Roth (DRL-1.1)');
  assert.equal(ruleAttribution({ ...rule, author: '  ' }), 'author not stated');
});

test('severity classes come from the fixed list only', () => {
  assert.equal(severityClass('high'), 'cirt-sev cirt-sev--high');
  assert.equal(severityClass('x" onload="y'), 'cirt-sev cirt-sev--unknown');
});

test('matched fields: the detector\'s list when the alert has one, else values the alert carries', () => {
  const event = { source: { ip: '10.0.0.1' }, destination: { ip: '8.8.8.8', port: 445 }, network: { transport: 'tcp' } };
  const listed = { alert: { reason: 'x', matched_fields: ['destination.port', 'network.transport'] }, destination: { ip: '8.8.8.8', port: 445 } } as unknown as Alert;
  assert.deepEqual([...matchedFields(listed, event)].sort(), ['destination.port', 'network.transport']);
  const unlisted = { alert: { reason: 'x' }, destination: { ip: '8.8.8.8', port: 445 } } as unknown as Alert;
  assert.deepEqual([...matchedFields(unlisted, event)].sort(), ['destination.ip', 'destination.port']);
});

test('tlpClass: one class per TLP 2.0 level (AMBER+STRICT without the +), unknown values neutral', () => {
  assert.equal(tlpClass('AMBER+STRICT'), 'cirt-tlp cirt-tlp--amber-strict');
  assert.equal(tlpClass('RED'), 'cirt-tlp cirt-tlp--red');
  assert.equal(tlpClass(undefined), 'cirt-tlp cirt-tlp--unknown');
  assert.equal(tlpClass('red" onload="x'), 'cirt-tlp cirt-tlp--unknown');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { severityParts, sideLabel, tracebackHash } from './traceback';

test('tracebackHash: the slash of a CIDR and the colons of IPv6 are encoded, blanks trimmed', () => {
  assert.equal(tracebackHash(' 198.51.100.7 '), '#/traceback/198.51.100.7');
  assert.equal(tracebackHash('10.1.0.0/16'), '#/traceback/10.1.0.0%2F16');
  assert.equal(tracebackHash('2001:db8::1'), '#/traceback/2001%3Adb8%3A%3A1');
});

test('sideLabel and severityParts', () => {
  assert.equal(sideLabel({ events: 0, peers: 0, ports: 0 }), '—');
  assert.equal(sideLabel({ events: 3, peers: 1, ports: 2 }), '3 ev · 1 peer · 2 ports');
  assert.deepEqual(severityParts({ informational: 0, low: 2, medium: 0, high: 0, critical: 1 }), [['critical', 1], ['low', 2]]);
});

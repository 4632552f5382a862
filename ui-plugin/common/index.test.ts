import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SEVERITIES } from '../../proto/ecs';
import { SEVERITY_LEVELS, isSeverity } from './index';

test('the local severity list equals proto SEVERITIES (same order)', () => {
  assert.deepEqual([...SEVERITY_LEVELS], [...SEVERITIES]);
});

test('isSeverity accepts exactly the severities', () => {
  for (const s of SEVERITIES) assert.equal(isSeverity(s), true);
  for (const v of ['HIGH', 'severe', '', 3, null, undefined]) assert.equal(isSeverity(v), false);
});

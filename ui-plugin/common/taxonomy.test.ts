import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as proto from '../../proto/taxonomy';
import * as protoTlp from '../../proto/tlp';
import { highestTlp, isRsit, mayShare, RSIT, rsitLabel, TLP_LEVELS } from './taxonomy';

test('the local RSIT list equals proto/taxonomy.ts RSIT', () => {
  assert.deepEqual(RSIT, proto.RSIT);
});

test('the local TLP levels and sharing rule equal proto/tlp.ts', () => {
  assert.deepEqual([...TLP_LEVELS], [...protoTlp.TLP_LEVELS]);
  for (const m of TLP_LEVELS) for (const c of TLP_LEVELS) assert.equal(mayShare(m, c), protoTlp.mayShare(m, c), `${m} -> ${c}`);
  assert.equal(highestTlp(['GREEN', 'AMBER+STRICT', undefined], 'CLEAR'), 'AMBER+STRICT');
});

test('isRsit and labels', () => {
  assert.equal(isRsit({ classification: 'malicious-code', type: 'infected-system' }), true);
  assert.equal(isRsit({ classification: 'malicious-code', type: 'scanner' }), false);
  assert.equal(rsitLabel({ classification: 'malicious-code', type: 'infected-system' }), proto.rsitLabel({ classification: 'malicious-code', type: 'infected-system' }));
  assert.equal(rsitLabel({ classification: 'fraud' }), 'Fraud');
});

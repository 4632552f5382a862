import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agencyCell } from './honeypot_panel';

test('agency cell: flagged with the agency list when the source also touches agencies, a dash otherwise', () => {
  assert.deepEqual(agencyCell({ in_agencies: true, agencies: ['mofa', 'moh'] }), { flag: 'seen', text: 'mofa, moh' });
  assert.deepEqual(agencyCell({ in_agencies: false, agencies: [] }), { flag: 'none', text: '—' });
});

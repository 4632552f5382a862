import assert from 'node:assert/strict';
import { test } from 'node:test';
import { highestTlp, isTlp, mayShare, parseTlp, TLP_LEVELS, tlpFromTags, tlpLabel, tlpTag, type Tlp } from '../tlp.ts';

test('the five TLP 2.0 levels in order, least restricted first', () => {
  assert.deepEqual([...TLP_LEVELS], ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED']);
  assert.equal(tlpLabel('AMBER+STRICT'), 'TLP:AMBER+STRICT');
  assert.equal(isTlp('AMBER'), true);
  assert.equal(isTlp('amber'), false, 'the canonical value is upper case');
  assert.equal(isTlp('WHITE'), false);
});

test('mayShare: a marking goes only to recipients cleared at least as high', () => {
  const expected: Record<Tlp, Tlp[]> = {
    CLEAR: ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'],
    GREEN: ['GREEN', 'AMBER', 'AMBER+STRICT', 'RED'],
    AMBER: ['AMBER', 'AMBER+STRICT', 'RED'],
    'AMBER+STRICT': ['AMBER+STRICT', 'RED'],
    RED: ['RED'],
  };
  for (const marking of TLP_LEVELS) {
    assert.deepEqual(TLP_LEVELS.filter((clearance) => mayShare(marking, clearance)), expected[marking], marking);
  }
  assert.equal(mayShare('AMBER', 'CLEAR'), false, 'an AMBER advisory never goes to a CLEAR-only recipient');
});

test('parseTlp reads the Sigma, MISP, label and TLP 1.0 spellings', () => {
  const cases: [string, Tlp][] = [
    ['tlp.amber-strict', 'AMBER+STRICT'],
    ['tlp:amber+strict', 'AMBER+STRICT'],
    ['TLP:AMBER+STRICT', 'AMBER+STRICT'],
    ['amber+strict', 'AMBER+STRICT'],
    ['tlp.clear', 'CLEAR'],
    ['tlp:white', 'CLEAR'],
    ['TLP:GREEN', 'GREEN'],
    [' tlp.red ', 'RED'],
  ];
  for (const [text, level] of cases) assert.equal(parseTlp(text), level, text);
  assert.throws(() => parseTlp('tlp.purple'), (e: Error & { code?: string }) => e.code === 'ERR_TLP_UNKNOWN' && /'tlp\.purple' is not a TLP 2\.0 level/.test(e.message));
  for (const l of TLP_LEVELS) assert.equal(parseTlp(tlpTag(l)), l, 'tlpTag round-trips');
  assert.equal(tlpTag('AMBER+STRICT'), 'tlp.amber-strict');
});

test('tlpFromTags takes the most restricted tlp tag and reports unknown ones', () => {
  assert.deepEqual(tlpFromTags(['attack.t1046', 'tlp.green', 'tlp.amber']), { tlp: 'AMBER', problems: [] });
  assert.deepEqual(tlpFromTags(['attack.t1046']), { problems: [] });
  const r = tlpFromTags(['tlp.orange', 'tlp.green']);
  assert.equal(r.tlp, 'GREEN');
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0]!, /tlp\.orange/);
  assert.equal(highestTlp([], 'AMBER'), 'AMBER');
  assert.equal(highestTlp(['GREEN', undefined, 'RED', 'AMBER'], 'CLEAR'), 'RED');
});

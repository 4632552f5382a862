import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { checkRsit, isRsit, parseRsitTag, RSIT, rsitFromAttack, rsitFromTags, rsitLabel, rsitTag } from '../taxonomy.ts';

test('the RSIT list: 11 classifications, unique machine names in kebab case, every one labelled', () => {
  assert.deepEqual(RSIT.map((c) => c.classification), [
    'abusive-content', 'malicious-code', 'information-gathering', 'intrusion-attempts', 'intrusions', 'availability',
    'information-content-security', 'fraud', 'vulnerable', 'other', 'test',
  ]);
  const pairs = RSIT.flatMap((c) => c.types.map((t) => `${c.classification}/${t.type}`));
  assert.equal(new Set(pairs).size, pairs.length);
  for (const c of RSIT) {
    assert.ok(c.label && c.types.length > 0, c.classification);
    for (const t of c.types) assert.match(t.type, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  }
  assert.equal(rsitLabel({ classification: 'information-gathering', type: 'scanner' }), 'Information Gathering / Scanning');
  assert.equal(rsitLabel({ classification: 'intrusion-attempts', type: 'brute-force' }), 'Intrusion Attempts / Login Attempts');
});

test('rule tags: rsit.<classification>.<type> and MISP rsit:<classification>="<type>"', () => {
  assert.deepEqual(parseRsitTag('rsit.information-gathering.scanner'), { classification: 'information-gathering', type: 'scanner' });
  assert.deepEqual(parseRsitTag('rsit:malicious-code="infected-system"'), { classification: 'malicious-code', type: 'infected-system' });
  assert.equal(rsitTag({ classification: 'fraud', type: 'phishing' }), 'rsit.fraud.phishing');
  assert.throws(() => parseRsitTag('rsit.scanning'), (e: Error & { code?: string }) => e.code === 'ERR_RSIT_TAG' && /rsit\.<classification>\.<type>/.test(e.message));
  assert.throws(() => parseRsitTag('rsit.hacking.scanner'), (e: Error & { code?: string }) => e.code === 'ERR_RSIT_UNKNOWN' && /'hacking' is not an RSIT classification/.test(e.message));
  assert.throws(() => parseRsitTag('rsit.information-gathering.scanning'), /'scanning' is not an RSIT type of information-gathering \(expected one of scanner, sniffing, social-engineering\)/);
  assert.throws(() => checkRsit('intrusions', 'brute-force', '[rsit]'), /^TaxonomyError|\[rsit\]: 'brute-force'/);
  assert.equal(isRsit({ classification: 'test', type: 'test' }), true);
  assert.equal(isRsit({ classification: 'test', type: 'other' }), false);
  assert.equal(isRsit('test/test'), false);
});

test('a rule without an rsit tag is classified from ATT&CK: techniques first, then tactics, else other/undetermined', () => {
  const cases: [string[], string][] = [
    [['attack.discovery'], 'information-gathering/scanner'],
    [['attack.reconnaissance', 'attack.t1595.001'], 'information-gathering/scanner'],
    [['attack.credential_access'], 'intrusion-attempts/brute-force'],
    [['attack.credential-access', 'attack.t1110.001'], 'intrusion-attempts/brute-force'],
    [['attack.command-and-control', 'attack.t1071'], 'malicious-code/infected-system'],
    [['attack.initial-access', 'attack.t1190'], 'intrusion-attempts/exploit'],
    [['attack.exfiltration'], 'information-content-security/data-leak'],
    [['attack.impact', 'attack.t1498'], 'availability/dos'],
    // the most serious tactic wins when there are several and no technique decides
    [['attack.discovery', 'attack.execution'], 'intrusions/system-compromise'],
    [['attack.impact'], 'other/undetermined'],
    [['car.2016-04-005'], 'other/undetermined'],
    [[], 'other/undetermined'],
  ];
  for (const [tags, want] of cases) {
    const r = rsitFromAttack(tags);
    assert.equal(`${r.classification}/${r.type}`, want, tags.join(' '));
  }
});

test('rsitFromTags: the rsit tag wins; bad or conflicting tags are reported and ATT&CK decides', () => {
  assert.deepEqual(rsitFromTags(['attack.discovery', 'rsit.intrusion-attempts.ids-alert']), { rsit: { classification: 'intrusion-attempts', type: 'ids-alert' }, source: 'tag', problems: [] });
  assert.deepEqual(rsitFromTags(['attack.t1046']), { rsit: { classification: 'information-gathering', type: 'scanner' }, source: 'attack', problems: [] });
  assert.deepEqual(rsitFromTags(['tlp.green']), { rsit: { classification: 'other', type: 'undetermined' }, source: 'none', problems: [] });
  const bad = rsitFromTags(['rsit.intrusions.nope', 'attack.credential_access']);
  assert.equal(bad.source, 'attack');
  assert.equal(bad.problems.length, 1);
  const two = rsitFromTags(['rsit.test.test', 'rsit.other.other', 'rsit.test.test']);
  assert.equal(two.source, 'none');
  assert.match(two.problems[0]!, /more than one rsit tag \(rsit\.test\.test, rsit\.other\.other\)/);
});

test('every SigmaHQ rule of the corpus gets a valid RSIT pair', (t) => {
  const corpus = resolve(import.meta.dirname, '../../../shared/corpora/sigmahq/rules');
  let files: string[];
  try {
    files = readdirSync(corpus, { recursive: true }).map(String).filter((f) => f.endsWith('.yml'));
  } catch {
    t.skip('SigmaHQ corpus not present');
    return;
  }
  const bySource = { tag: 0, attack: 0, none: 0 };
  for (const f of files) {
    const doc = parseYaml(readFileSync(join(corpus, f), 'utf8')) as { tags?: string[] } | null;
    const r = rsitFromTags(doc?.tags ?? []);
    assert.ok(isRsit(r.rsit), f);
    bySource[r.source]++;
  }
  // Most SigmaHQ rules carry ATT&CK tactics: the fallback classifies the large majority.
  assert.ok(bySource.attack > bySource.none * 3, JSON.stringify(bySource));
});

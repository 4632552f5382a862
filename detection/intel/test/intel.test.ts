// Threat-intel loaders (plain, STIX 2.1, MISP), the placeholder pipeline through the real engine, and hot reload.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync, mkdirSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileRules } from '../../engine/index.ts';
import { EMPTY_CIDR, intelPipeline, intelVars, loadIntel, parseIntelText, parsePlainList, parseStixPattern, RuleSetReloader, buildRuleSet, DEFAULT_PIPELINES } from '../index.ts';

const FIX = 'detection/intel/test/fixtures';

test('plain list: types by shape, comments, located errors', () => {
  const r = parsePlainList('# header\n192.0.2.1\n10.0.0.0/8 # block\nEvil.Example.com.\n2001:DB8::1/128\nd41d8cd98f00b204e9800998ecf8427e\n  not_valid!  \n', 'x.txt');
  assert.deepEqual(r.indicators, [
    { type: 'ip', value: '192.0.2.1' }, { type: 'cidr', value: '10.0.0.0/8' }, { type: 'domain', value: 'evil.example.com' },
    { type: 'ip', value: '2001:db8::1' }, { type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e' },
  ]);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.code, 'ERR_INTEL_VALUE');
  assert.deepEqual(r.errors[0]!.location, { file: 'x.txt', line: 7, column: 3 });
});

test('STIX 2.1 bundle: OR patterns, hashes; revoked/expired skipped; AND and bad values are located errors', () => {
  const r = parseIntelText(readFileSync(`${FIX}/bundle.stix.json`, 'utf8'), 'b.json', new Date('2026-11-26T00:00:00Z'));
  assert.equal(r.format, 'stix');
  assert.deepEqual(r.indicators.map((i) => `${i.type}:${i.value}`), ['ip:192.0.2.77', 'cidr:198.51.100.0/24', 'domain:evil.example.com', 'sha256:aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f', 'md5:d41d8cd98f00b204e9800998ecf8427e']);
  assert.equal(r.skipped, 2);
  assert.deepEqual(r.errors.map((e) => [e.code, e.location?.field]), [['ERR_INTEL_PATTERN', 'objects[5].pattern'], ['ERR_INTEL_VALUE', 'objects[6].pattern']]);
  assert.ok('error' in parseStixPattern("[ipv4-addr:value MATCHES '^1']"));
  assert.deepEqual(parseStixPattern("[domain-name:value = 'a.example' OR domain-name:value = 'b.example']"), { comparisons: [{ object: 'domain-name', prop: 'value', value: 'a.example' }, { object: 'domain-name', prop: 'value', value: 'b.example' }] });
});

test('MISP export: attribute types mapped, to_ids=false and unmapped types skipped, bad value located', () => {
  const r = parseIntelText(readFileSync(`${FIX}/event.misp.json`, 'utf8'), 'e.json');
  assert.equal(r.format, 'misp');
  assert.deepEqual(r.indicators.map((i) => `${i.type}:${i.value}`), ['ip:203.0.113.7', 'ip:203.0.113.8', 'domain:c2.example.org', 'sha256:aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f', 'domain:cdn.example.org', 'cidr:203.0.113.0/28']);
  assert.equal(r.skipped, 2);
  assert.deepEqual(r.errors.map((e) => [e.code, e.location?.field]), [['ERR_INTEL_VALUE', 'Event.Attribute[6].value']]);
});

test('broken JSON is a located error, not a crash', () => {
  const r = parseIntelText('{"type": "bundle",\n "objects": [ }', 'bad.json');
  assert.equal(r.errors[0]!.code, 'ERR_INTEL_JSON');
  assert.equal(r.errors[0]!.location?.file, 'bad.json');
});

test('placeholders: lists named after files, unions, sentinels for empty kinds; the engine matches them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'intel-'));
  try {
    writeFileSync(join(dir, 'c2.txt'), '192.0.2.66\n192.0.2.128/25\n');
    cpSync(`${FIX}/event.misp.json`, join(dir, 'c2.misp.json'));
    const set = loadIntel([dir]);
    const vars = intelVars(set);
    assert.deepEqual(vars.c2_ips, ['192.0.2.66', '203.0.113.7', '203.0.113.8']);
    assert.deepEqual(vars.c2_cidrs, ['192.0.2.128/25', '203.0.113.0/28']);
    assert.deepEqual(vars.intel_ips, vars.c2_ips);
    assert.deepEqual(vars.c2_sha1, ['ioc.invalid']);
    const rule = `title: t\nid: 11111111-1111-4111-8111-111111111111\nlogsource: {product: netflow}\ndetection:\n  a:\n    dst_ip|expand: '%c2_ips%'\n  b:\n    dst_ip|expand|cidr: '%c2_cidrs%'\n  condition: a or b\n`;
    const r = compileRules(rule, { pipelines: [intelPipeline(set)] });
    assert.deepEqual(r.errors, []);
    const m = (ip: string) => r.rules[0]!.match({ dst_ip: ip });
    assert.deepEqual(['192.0.2.66', '192.0.2.200', '203.0.113.5', '203.0.113.7', '192.0.2.67', '100::'].map(m), [true, true, true, true, false, false]);
    assert.equal(EMPTY_CIDR, '100::/128'); // the sentinel: RFC 6666 discard-only address, never a real flow endpoint
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('hot reload: a changed intel file is picked up; a broken rule keeps the previous set', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reload-'));
  try {
    mkdirSync(join(dir, 'rules')); mkdirSync(join(dir, 'intel'));
    cpSync('rules/network/net_flow_c2_contact.yml', join(dir, 'rules/c2.yml'));
    writeFileSync(join(dir, 'intel/c2.txt'), '192.0.2.66\n');
    writeFileSync(join(dir, 'intel/sinkholes.txt'), '');
    const src = { rulePaths: [join(dir, 'rules')], pipelineFiles: DEFAULT_PIPELINES, intelPaths: [join(dir, 'intel')] };
    const r = new RuleSetReloader(src, buildRuleSet(src));
    const hit = (ip: string) => r.current.rules[0]!.match({ destination: { ip } });
    assert.equal(r.current.errors.length, 0);
    assert.equal(hit('192.0.2.66'), true);
    assert.equal(hit('198.51.100.1'), false);
    assert.equal(r.check().result, 'unchanged');
    writeFileSync(join(dir, 'intel/c2.txt'), '192.0.2.66\n198.51.100.1\n');
    utimesSync(join(dir, 'intel/c2.txt'), new Date(), new Date(Date.now() + 5000));
    assert.equal(r.check().result, 'reloaded');
    assert.equal(hit('198.51.100.1'), true);
    writeFileSync(join(dir, 'rules/broken.yml'), 'title: broken\nlogsource: {product: netflow}\ndetection:\n  sel:\n    dst_ip|nosuchmod: 1\n  condition: sel\n');
    const o = r.check();
    assert.equal(o.result, 'rejected');
    assert.ok(o.result === 'rejected' && o.errors.some((e) => e.code === 'ERR_SIGMA_MODIFIER' && e.location?.file?.endsWith('broken.yml') && e.location.line === 5));
    assert.equal(hit('198.51.100.1'), true, 'the previous good set stays active');
    assert.equal(r.counters.rejected, 1);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

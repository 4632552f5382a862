import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { compileRules, loadPipeline, parseCondition, SigmaError, MODIFIERS, SIGMA_ERROR_CODES } from '../engine/index.ts';
import { compileOne, compileErr, ruleYaml } from './helpers.ts';

describe('public API', () => {
  test('simple rule: AND of fields, case-insensitive, metadata', () => {
    const r = compileOne(`
sel:
  Image|endswith: '\\cmd.exe'
  CommandLine|contains: whoami
condition: sel`);
    assert.equal(r.meta.id, '00000000-0000-0000-0000-000000000001');
    assert.equal(r.meta.level, 'high');
    assert.deepEqual(r.meta.logsource, { product: 'windows', category: 'process_creation' });
    assert.equal(r.meta.file, 'test.yml');
    assert.equal(r.match({ Image: 'C:\\Windows\\System32\\CMD.EXE', CommandLine: 'cmd /c WHOAMI /all' }), true);
    assert.equal(r.match({ Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'dir' }), false);
    assert.equal(r.match({ CommandLine: 'whoami' }), false);
    assert.deepEqual(r.matchedFields!({ Image: 'x\\cmd.exe', CommandLine: 'whoami' }).sort(), ['CommandLine', 'Image']);
  });

  test('several documents in one file, and a bad one does not stop the rest', () => {
    const text = `${ruleYaml('sel:\n  A: 1\ncondition: sel')}---\n${ruleYaml('sel:\n  A: 1\ncondition: nope')}---\n${ruleYaml('sel:\n  B: 2\ncondition: sel')}`;
    const res = compileRules(text, { file: 'multi.yml' });
    assert.equal(res.rules.length, 2);
    assert.equal(res.errors.length, 1);
    assert.equal(res.errors[0]!.code, 'ERR_SIGMA_CONDITION');
    assert.equal(res.errors[0]!.location?.file, 'multi.yml');
    assert.equal(res.errors[0]!.location?.line, 23);
  });

  test('correlation documents are returned raw, not compiled, no error', () => {
    const text = `${ruleYaml('sel:\n  A: 1\ncondition: sel')}---
title: many
correlation:
  type: event_count
  rules: [00000000-0000-0000-0000-000000000001]
  group-by: [A]
  timespan: 5m
  condition: { gte: 10 }
`;
    const res = compileRules(text, { file: 'c.yml' });
    assert.equal(res.rules.length, 1);
    assert.deepEqual(res.errors, []);
    assert.equal(res.correlations.length, 1);
    assert.equal(res.correlations[0]!.file, 'c.yml');
    assert.equal((res.correlations[0]!.raw as { correlation: { type: string } }).correlation.type, 'event_count');
  });
});

describe('values and wildcards', () => {
  test('* and ? wildcards', () => {
    const r = compileOne("sel:\n  F: 'a*b?d'\ncondition: sel");
    assert.equal(r.match({ F: 'aXXbcd' }), true);
    assert.equal(r.match({ F: 'abcd' }), true);
    assert.equal(r.match({ F: 'abd' }), false);
    assert.equal(r.match({ F: 'aXXbcde' }), false);
  });
  test('escaped wildcards are literal; backslash before other chars is literal', () => {
    const r = compileOne("sel:\n  F: 'a\\*b\\?c'\ncondition: sel");
    assert.equal(r.match({ F: 'a*b?c' }), true);
    assert.equal(r.match({ F: 'aXbYc' }), false);
    const p = compileOne("sel:\n  F: 'C:\\Windows\\\\*'\ncondition: sel");
    assert.equal(p.match({ F: 'C:\\Windows\\anything' }), true);
    assert.equal(p.match({ F: 'C:\\Windows*' }), false);
  });
  test('numbers match numbers and numeric strings; strings match numbers', () => {
    const r = compileOne('sel:\n  EventID: 4624\ncondition: sel');
    assert.equal(r.match({ EventID: 4624 }), true);
    assert.equal(r.match({ EventID: '4624' }), true);
    assert.equal(r.match({ EventID: 4625 }), false);
    const s = compileOne("sel:\n  EventID: '4624'\ncondition: sel");
    assert.equal(s.match({ EventID: 4624 }), true);
  });
  test('list of values is OR, list of maps is OR, nested fields and literal dotted keys', () => {
    const r = compileOne(`
sel:
  - a.b: [x, y]
  - c: z
condition: sel`);
    assert.equal(r.match({ a: { b: 'Y' } }), true);
    assert.equal(r.match({ 'a.b': 'x' }), true);
    assert.equal(r.match({ c: 'z' }), true);
    assert.equal(r.match({ a: { b: 'q' }, c: 'q' }), false);
    assert.equal(r.match({ a: { b: ['q', 'x'] } }), true, 'any array element');
  });
  test('null: field missing or null', () => {
    const r = compileOne('sel:\n  F: null\ncondition: sel');
    assert.equal(r.match({}), true);
    assert.equal(r.match({ F: null }), true);
    assert.equal(r.match({ F: '' }), false);
    assert.equal(r.match({ F: 'x' }), false);
  });
  test('keywords search every string value (contains), |all keywords', () => {
    const r = compileOne("keywords:\n  - 'mimikatz'\n  - 'sekurlsa'\ncondition: keywords");
    assert.equal(r.match({ a: { b: 'run MimiKatz.exe' } }), true);
    assert.equal(r.match({ a: ['x', 'sekurlsa::logonpasswords'] }), true);
    assert.equal(r.match({ a: 'benign' }), false);
    const a = compileOne("keywords:\n  '|all':\n    - 'foo'\n    - 'bar'\ncondition: keywords");
    assert.equal(a.match({ x: 'foo', y: 'bar' }), true);
    assert.equal(a.match({ x: 'foo' }), false);
  });
});

describe('condition grammar', () => {
  const det = `
a: { A: 1 }
b: { B: 1 }
c: { C: 1 }
sel_x: { X: 1 }
sel_y: { Y: 1 }
`;
  const rule = (cond: string) => compileOne(`${det}condition: ${cond}`);
  test('precedence: not > and > or', () => {
    const r = rule('a or b and c');
    assert.equal(r.match({ A: 1 }), true);
    assert.equal(r.match({ B: 1 }), false);
    assert.equal(r.match({ B: 1, C: 1 }), true);
    const n = rule('not a and b');
    assert.equal(n.match({ B: 1 }), true);
    assert.equal(n.match({ A: 1, B: 1 }), false);
    assert.equal(rule('not (a and b)').match({ A: 1 }), true);
    assert.equal(rule('(a or b) and c').match({ A: 1 }), false);
  });
  test('1 of / any of / all of patterns and them', () => {
    assert.equal(rule('1 of sel_*').match({ Y: 1 }), true);
    assert.equal(rule('any of sel_*').match({ Y: 1 }), true);
    assert.equal(rule('all of sel_*').match({ Y: 1 }), false);
    assert.equal(rule('all of sel_*').match({ X: 1, Y: 1 }), true);
    assert.equal(rule('1 of them').match({ C: 1 }), true);
    assert.equal(rule('all of them').match({ A: 1, B: 1, C: 1, X: 1 }), false);
    assert.equal(rule('all of them').match({ A: 1, B: 1, C: 1, X: 1, Y: 1 }), true);
    assert.equal(rule('a and not 1 of sel_*').match({ A: 1, X: 1 }), false);
  });
  test('list of conditions is OR', () => {
    const r = compileOne(`${det}condition:\n  - a and b\n  - c`);
    assert.equal(r.match({ C: 1 }), true);
    assert.equal(r.match({ A: 1 }), false);
  });
  test('AST is cached and frozen', () => {
    const x = parseCondition('a and (b or not c)');
    assert.equal(parseCondition('a and (b or not c)'), x);
    assert.ok(Object.isFrozen(x));
    assert.deepEqual(x, { op: 'and', args: [{ op: 'id', name: 'a' }, { op: 'or', args: [{ op: 'id', name: 'b' }, { op: 'not', arg: { op: 'id', name: 'c' } }] }] });
  });
  test('syntax errors and unknown names are located condition errors', () => {
    const e = compileErr('a: { A: 1 }\ncondition: a and (b');
    assert.equal(e.code, 'ERR_SIGMA_CONDITION');
    assert.deepEqual([e.location?.file, e.location?.line], ['test.yml', 10]);
    assert.equal(e.location?.column, 14 + 8, 'column points at the end of the text');
    const u = compileErr('a: { A: 1 }\ncondition: a and b');
    assert.equal(u.code, 'ERR_SIGMA_CONDITION');
    assert.match(u.message, /unknown detection 'b'/);
    assert.equal(compileErr('a: { A: 1 }\ncondition: 1 of x*').code, 'ERR_SIGMA_CONDITION');
  });
});

describe('modifiers', () => {
  const m = (key: string, value: string) => compileOne(`sel:\n  ${key}: ${value}\ncondition: sel`);
  test('registry lists the Sigma modifiers', () => {
    for (const k of ['contains', 'startswith', 'endswith', 'all', 'exists', 'cased', 'neq', 'windash', 're', 'i', 'm', 's', 'base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide', 'lt', 'lte', 'gt', 'gte', 'cidr', 'expand', 'fieldref', 'minute', 'hour', 'day', 'week', 'month', 'year']) assert.ok(k in MODIFIERS, k);
  });
  test('contains / startswith / endswith', () => {
    assert.equal(m('F|contains', 'bc').match({ F: 'ABCD' }), true);
    assert.equal(m('F|contains', 'bc').match({ F: 'ABD' }), false);
    assert.equal(m('F|startswith', 'ab').match({ F: 'ABD' }), true);
    assert.equal(m('F|startswith', 'ab').match({ F: 'xABD' }), false);
    assert.equal(m('F|endswith', 'bd').match({ F: 'ABD' }), true);
    assert.equal(m('F|endswith', 'bd').match({ F: 'ABDx' }), false);
  });
  test('all', () => {
    const r = m('F|contains|all', '[a, b]');
    assert.equal(r.match({ F: 'xaxbx' }), true);
    assert.equal(r.match({ F: 'xax' }), false);
  });
  test('cased', () => {
    const r = m('F|cased', 'Abc');
    assert.equal(r.match({ F: 'Abc' }), true);
    assert.equal(r.match({ F: 'abc' }), false);
    assert.equal(m('F|contains|cased', 'B').match({ F: 'abc' }), false);
  });
  test('exists', () => {
    assert.equal(m('F|exists', 'true').match({ F: '' }), true);
    assert.equal(m('F|exists', 'true').match({ G: 1 }), false);
    assert.equal(m('F|exists', 'false').match({ G: 1 }), true);
    assert.equal(m('F|exists', 'false').match({ F: 0 }), false);
  });
  test('neq', () => {
    const r = m('F|neq', '[a, b]');
    assert.equal(r.match({ F: 'c' }), true);
    assert.equal(r.match({ F: 'A' }), false);
    assert.equal(r.match({ F: 'b' }), false);
  });
  test('windash', () => {
    const r = m('F|windash|contains', "' -enc '");
    for (const d of ['-', '/', '\u2013', '\u2014', '\u2015']) assert.equal(r.match({ F: `powershell ${d}enc abc` }), true, d);
    assert.equal(r.match({ F: 'powershell +enc abc' }), false);
  });
  test('re with i/m/s sub-modifiers; case-sensitive by default; inline (?i)', () => {
    assert.equal(m('F|re', "'^a.c$'").match({ F: 'abc' }), true);
    assert.equal(m('F|re', "'^a.c$'").match({ F: 'ABC' }), false);
    assert.equal(m('F|re|i', "'^a.c$'").match({ F: 'ABC' }), true);
    assert.equal(m('F|re', "'(?i)^a.c$'").match({ F: 'ABC' }), true);
    assert.equal(m('F|re|m', "'^b$'").match({ F: 'a\nb\nc' }), true);
    assert.equal(m('F|re', "'^b$'").match({ F: 'a\nb\nc' }), false);
    assert.equal(m('F|re|s', "'a.b'").match({ F: 'a\nb' }), true);
    assert.equal(m('F|re', "'a.b'").match({ F: 'a\nb' }), false);
    assert.equal(m('F|re', "'ab'").match({ F: 'xxabxx' }), true, 'unanchored search');
  });
  test('regex RE2 cannot run is a located load error (never a silent non-match)', () => {
    for (const pat of ['foo(?=bar)', '(?<!x)y', '(a)\\1', '(?>a)']) {
      const e = compileErr(`sel:\n  F|re: '${pat}'\ncondition: sel`);
      assert.equal(e.code, 'ERR_SIGMA_REGEX', pat);
      assert.deepEqual([e.location?.file, e.location?.line, e.location?.column, e.location?.field], ['test.yml', 10, 5, 'F|re']);
    }
  });
  test('regex runs in linear time (no catastrophic backtracking)', () => {
    const r = m('F|re', "'^(a+)+$'");
    const t0 = process.hrtime.bigint();
    assert.equal(r.match({ F: 'a'.repeat(5000) + 'b' }), false);
    assert.ok(Number(process.hrtime.bigint() - t0) / 1e6 < 2000);
  });
  test('base64 and base64offset', () => {
    assert.equal(m('F|base64', 'hello').match({ F: 'aGVsbG8=' }), true);
    assert.equal(m('F|base64|contains', 'hello').match({ F: 'xxaGVsbG8=yy' }), true);
    const off = m('F|base64offset|contains', 'hello');
    for (const pre of ['', 'a', 'ab']) assert.equal(off.match({ F: Buffer.from(pre + 'hello world').toString('base64') }), true, pre);
    assert.equal(off.match({ F: Buffer.from('goodbye').toString('base64') }), false);
    assert.equal(compileErr("sel:\n  F|base64: 'a*b'\ncondition: sel").code, 'ERR_SIGMA_VALUE');
  });
  test('utf16le / wide / utf16be / utf16 with base64', () => {
    const b64 = (b: Buffer) => b.toString('base64');
    assert.equal(m('F|wide|base64', 'ab').match({ F: b64(Buffer.from('ab', 'utf16le')) }), true);
    assert.equal(m('F|utf16le|base64', 'ab').match({ F: b64(Buffer.from('ab', 'utf16le')) }), true);
    assert.equal(m('F|utf16be|base64', 'ab').match({ F: b64(Buffer.from([0, 0x61, 0, 0x62])) }), true);
    assert.equal(m('F|utf16|base64', 'ab').match({ F: b64(Buffer.from([0xff, 0xfe, 0x61, 0, 0x62, 0])) }), true);
    const ps = m('F|wide|base64offset|contains', 'Invoke');
    assert.equal(ps.match({ F: 'powershell -enc ' + b64(Buffer.from('IEX; Invoke-Expression', 'utf16le')) }), true);
  });
  test('lt lte gt gte (numbers and numeric strings)', () => {
    assert.equal(m('F|lt', '10').match({ F: 9 }), true);
    assert.equal(m('F|lt', '10').match({ F: 10 }), false);
    assert.equal(m('F|lte', '10').match({ F: '10' }), true);
    assert.equal(m('F|gt', '10').match({ F: 11 }), true);
    assert.equal(m('F|gt', '10').match({ F: 'abc' }), false);
    assert.equal(m('F|gte', '10').match({ F: 10 }), true);
    assert.equal(compileErr("sel:\n  F|gt: 'abc'\ncondition: sel").code, 'ERR_SIGMA_VALUE');
  });
  test('cidr IPv4 and IPv6', () => {
    const r = m('F|cidr', "['10.0.0.0/8', '192.168.1.0/24', 'fe80::/10', '2001:db8::/32']");
    assert.equal(r.match({ F: '10.200.3.4' }), true);
    assert.equal(r.match({ F: '192.168.1.77' }), true);
    assert.equal(r.match({ F: '192.168.2.1' }), false);
    assert.equal(r.match({ F: 'fe80::1' }), true);
    assert.equal(r.match({ F: '2001:db8:1::5' }), true);
    assert.equal(r.match({ F: '2001:db9::5' }), false);
    assert.equal(r.match({ F: 'not-an-ip' }), false);
    assert.equal(compileErr("sel:\n  F|cidr: '10.0.0.0/33'\ncondition: sel").code, 'ERR_SIGMA_VALUE');
  });
  test('cidr: IPv4 edges (prefix lengths 0/32, octet bounds, leading zeros, whitespace, mapped IPv6)', () => {
    assert.equal(m('F|cidr', "'0.0.0.0/0'").match({ F: '255.255.255.255' }), true);
    assert.equal(m('F|cidr', "'0.0.0.0/0'").match({ F: '::1' }), false, 'an IPv4 CIDR matches IPv4 text only');
    assert.equal(m('F|cidr', "'203.0.113.7/32'").match({ F: '203.0.113.7' }), true);
    assert.equal(m('F|cidr', "'203.0.113.7'").match({ F: '203.0.113.8' }), false);
    assert.equal(m('F|cidr', "'128.0.0.0/1'").match({ F: '200.1.1.1' }), true, 'high bit set: unsigned compare');
    assert.equal(m('F|cidr', "'128.0.0.0/1'").match({ F: '127.255.255.255' }), false);
    const ten = m('F|cidr', "'10.0.0.0/8'");
    for (const [text, want] of [['010.1.2.3', true], [' 10.1.2.3 ', true], ['10.1.2.256', false], ['10.1.2', false], ['10.1.2.3.4', false], ['10..2.3', false], ['10.1.2.3x', false], ['1000.1.2.3', false], ['::ffff:10.1.2.3', false], ['', false]] as const) {
      assert.equal(ten.match({ F: text }), want, text);
    }
  });
  test('expand: placeholders from pipeline vars; unresolved is a located error', () => {
    const p = loadPipeline('name: v\nvars:\n  admins: [alice, bob]\n');
    const r = compileOne("sel:\n  User|expand: '%admins%'\ncondition: sel", { pipelines: [p] });
    assert.equal(r.match({ User: 'BOB' }), true);
    assert.equal(r.match({ User: 'eve' }), false);
    const e = compileErr("sel:\n  User|expand: '%admins%'\ncondition: sel");
    assert.equal(e.code, 'ERR_SIGMA_PLACEHOLDER');
    assert.deepEqual([e.location?.line, e.location?.column], [10, 5]);
  });
  test('fieldref', () => {
    const r = m('A|fieldref', 'B');
    assert.equal(r.match({ A: 'x', B: 'X' }), true);
    assert.equal(r.match({ A: 'x', B: 'y' }), false);
    assert.equal(r.match({ A: 'x' }), false);
  });
  test('time modifiers compare parts of the timestamp (UTC)', () => {
    const ts = '2024-03-15T22:41:07Z'; // Friday, ISO week 11
    assert.equal(m('T|minute', '41').match({ T: ts }), true);
    assert.equal(m('T|hour', '22').match({ T: ts }), true);
    assert.equal(m('T|hour|gte', '20').match({ T: ts }), true);
    assert.equal(m('T|hour|lt', '6').match({ T: ts }), false);
    assert.equal(m('T|day', '15').match({ T: ts }), true);
    assert.equal(m('T|week', '11').match({ T: ts }), true);
    assert.equal(m('T|month', '3').match({ T: ts }), true);
    assert.equal(m('T|year', '2024').match({ T: ts }), true);
    assert.equal(m('T|year', '2023').match({ T: ts }), false);
  });
  test('invalid chains and unknown modifiers are located modifier errors', () => {
    for (const [key, val] of [['F|re|contains', "'a'"], ['F|cidr|contains', "'10.0.0.0/8'"], ['F|nosuch', 'x'], ['F|contains|i', 'x'], ['F|contains|re', 'x'], ['F|exists|contains', 'true']]) {
      const e = compileErr(`sel:\n  ${key}: ${val}\ncondition: sel`);
      assert.equal(e.code, 'ERR_SIGMA_MODIFIER', key);
      assert.ok(e instanceof SigmaError);
      assert.deepEqual([e.location?.file, e.location?.line, e.location?.column, e.location?.field], ['test.yml', 10, 5, key]);
    }
  });
});

describe('located schema and YAML errors', () => {
  test('YAML syntax error', () => {
    const res = compileRules('title: x\nlevel: low\ntitle: y\n', { file: 'bad.yml' });
    assert.equal(res.errors[0]!.code, 'ERR_SIGMA_YAML');
    assert.equal(res.errors[0]!.location?.file, 'bad.yml');
    assert.deepEqual([res.errors[0]!.location?.line, res.errors[0]!.location?.column], [3, 1]);
  });
  test('missing title, bad level, nested map value', () => {
    const noTitle = compileRules('logsource: {product: x}\ndetection: {s: {a: 1}, condition: s}\n', { file: 'f.yml' });
    assert.equal(noTitle.errors[0]!.code, 'ERR_SIGMA_SCHEMA');
    const lvl = compileRules(ruleYaml('s: {a: 1}\ncondition: s').replace('level: high', 'level: urgent'), { file: 'f.yml' });
    assert.equal(lvl.errors[0]!.code, 'ERR_SIGMA_SCHEMA');
    assert.deepEqual([lvl.errors[0]!.location?.line, lvl.errors[0]!.location?.column], [4, 8]);
    const nested = compileErr('s:\n  a:\n    b: 1\ncondition: s');
    assert.equal(nested.code, 'ERR_SIGMA_SCHEMA');
    assert.equal(nested.location?.line, 11);
  });
});

describe('error catalogue', () => {
  test('every code is its own key, errors serialise with code and location', () => {
    for (const [k, v] of Object.entries(SIGMA_ERROR_CODES)) assert.equal(k, v);
    const e = new SigmaError('ERR_SIGMA_REGEX', 'bad', { location: { file: 'a.yml', line: 3, column: 5, field: 'F|re' }, ruleId: 'r1' });
    assert.equal(String(e), 'a.yml:3:5 field F|re: bad [ERR_SIGMA_REGEX]');
    assert.equal(e.retryable, false);
    assert.equal(e.ruleId, 'r1');
  });
});

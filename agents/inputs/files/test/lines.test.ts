import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from '../lines.ts';
import { globToRegExp } from '../glob.ts';

test('LineSplitter: same lines and offsets whatever the chunking; CRLF; bounded too-long', () => {
  const input = Buffer.from(`a\r\nbb\n${'z'.repeat(20)}\nccc\ndd`);
  let ref: string | undefined;
  for (const size of [1, 2, 5, 64]) {
    const s = new LineSplitter(10, 100, 1);
    const items = [];
    for (let i = 0; i < input.length; i += size) items.push(...s.push(input.subarray(i, i + size)).map((it) => (it.type === 'line' ? `${it.line}@${it.start}-${it.end}:${it.data.toString()}` : `${it.type}:${it.line}@${it.start}`)));
    assert.ok(s.held() <= 10);
    const got = items.join('|');
    ref ??= got;
    assert.equal(got, ref, `chunk size ${size}`);
    assert.equal(s.held(), 2, 'partial "dd" held');
  }
  assert.equal(ref, '1@100-103:a|2@103-106:bb|too-long:3@106|skipped:3@106|4@127-131:ccc');
});

test('globToRegExp', () => {
  assert.ok(globToRegExp('/var/log/*.log').test('/var/log/syslog.log'));
  assert.ok(!globToRegExp('/var/log/*.log').test('/var/log/a/b.log'));
  assert.ok(globToRegExp('/var/log/**/*.log').test('/var/log/a/b/c.log'));
  assert.ok(globToRegExp('/var/log/**/*.log').test('/var/log/c.log'));
  assert.ok(globToRegExp('/var/log/app?.log').test('/var/log/app1.log'));
  assert.ok(!globToRegExp('/var/log/a.log').test('/var/log/aXlog'));
});

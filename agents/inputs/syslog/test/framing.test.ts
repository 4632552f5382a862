import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SyslogFramer, type Frame } from '../framing.ts';

const texts = (frames: Frame[]) => frames.map((f) => (f.type === 'message' ? f.data.toString() : `!${f.error.code}`));

/** Feeds `input` to a framer in chunks of `size` bytes (1 = byte by byte). */
function feed(input: Buffer, size: number, max = 1024, mode?: 'auto' | 'octet-counting' | 'non-transparent'): string[] {
  const f = new SyslogFramer({ maxMessageBytes: max, mode });
  const out: Frame[] = [];
  for (let i = 0; i < input.length; i += size) out.push(...f.push(input.subarray(i, i + size)));
  out.push(...f.end());
  return texts(out);
}

describe('RFC 6587 framing', () => {
  const stream = Buffer.from('11 <13>1 - a b\n<13>hello\r\n\n5 <1>xy<14>bye\n');
  test('octet-counting and newline frames mixed (auto), any chunking gives the same frames', () => {
    const want = ['<13>1 - a b', '<13>hello', '<1>xy', '<14>bye'];
    for (const size of [1, 2, 3, 7, 1000]) assert.deepEqual(feed(stream, size), want, `chunk size ${size}`);
  });
  test('an octet-counted frame may contain LF', () => {
    assert.deepEqual(feed(Buffer.from('9 <13>a\nb\nc<13>next\n'), 4), ['<13>a\nb\nc', '<13>next']);
  });
  test('oversized octet-counted frame: reported, exactly LEN bytes skipped, stream resyncs', () => {
    const big = 'x'.repeat(40);
    assert.deepEqual(feed(Buffer.from(`40 ${big}5 <1>ok`), 3, 20), ['!ERR_SYSLOG_OVERSIZE', '<1>ok']);
  });
  test('oversized line: reported, skipped to LF, stream resyncs; memory stays bounded', () => {
    const f = new SyslogFramer({ maxMessageBytes: 16 });
    const out: Frame[] = [];
    for (let i = 0; i < 100; i++) {
      out.push(...f.push(Buffer.from('y'.repeat(1000))));
      assert.ok(f.buffered() <= 16);
    }
    out.push(...f.push(Buffer.from('\n<1>after\n')));
    assert.deepEqual(texts(out), ['!ERR_SYSLOG_OVERSIZE', '<1>after']);
  });
  test('bad length prefix → framing error, skipped to the next LF', () => {
    assert.deepEqual(feed(Buffer.from('12x <1>bad\n<1>good\n'), 2), ['!ERR_SYSLOG_FRAMING', '<1>good']);
    assert.deepEqual(feed(Buffer.from('012 <1>leading zero\n<1>good\n'), 5), ['!ERR_SYSLOG_FRAMING', '<1>good']);
    assert.deepEqual(feed(Buffer.from('99999999999 x\n<1>good\n'), 5), ['!ERR_SYSLOG_FRAMING', '<1>good'], 'more than 10 digits');
  });
  test('error offsets are stream byte offsets', () => {
    const f = new SyslogFramer({ maxMessageBytes: 10 });
    const frames = [...f.push(Buffer.from('<1>a\n')), ...f.push(Buffer.from('<1>this is too long\n'))];
    assert.equal(frames[1]?.type, 'error');
    assert.equal(frames[1]?.type === 'error' && frames[1].error.location?.offset, 5);
  });
  test('end of stream: unterminated newline frame is delivered, truncated octet frame is reported', () => {
    assert.deepEqual(feed(Buffer.from('<1>tail without LF'), 4), ['<1>tail without LF']);
    assert.deepEqual(feed(Buffer.from('50 <1>short'), 4), ['!ERR_SYSLOG_FRAMING']);
  });
  test('forced modes', () => {
    assert.deepEqual(feed(Buffer.from('123 not a length\n'), 4, 1024, 'non-transparent'), ['123 not a length']);
    assert.deepEqual(feed(Buffer.from('3 abc'), 1, 1024, 'octet-counting'), ['abc']);
  });
  test('real logger TCP streams (fixture): octet-counting and non-transparent', () => {
    const caps = readFileSync(new URL('../../../test/fixtures/syslog/logger-capture.jsonl', import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { transport: string; raw: string });
    const tcp = caps.filter((c) => c.transport === 'tcp').map((c) => Buffer.from(c.raw, 'base64'));
    assert.equal(tcp.length, 3);
    const [octet, nt5424, nt3164] = tcp.map((b) => feed(b, 5));
    assert.equal(octet?.length, 1);
    assert.match(octet![0]!, /^<38>1 .* sshd 4243 - \[timeQuality .*\] Invalid user admin from 192\.0\.2\.9 port 40000$/);
    assert.match(nt5424![0]!, /^<85>1 .* sudo - - .*COMMAND=\/bin\/true$/);
    assert.deepEqual(nt3164!.map((s) => s.replace(/^<12>\w{3} [ \d]\d [\d:]{8} /, '')), ['vm kernel: eth0: link down']);
  });
});

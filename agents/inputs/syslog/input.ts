// The syslog input: a UDP (RFC 5426), TCP (RFC 6587) or TLS (RFC 5425) server on loopback by default. Every
// message becomes one ECS event, handed to ctx.emit('log', …). TCP/TLS connections are paused while their events
// are spooled (back-pressure reaches the sender); UDP, which cannot push back, has a bounded queue whose overflow is
// counted and reported. Sockets and files are touched only here; parsing and framing are pure (parse.ts, framing.ts).
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { readFile } from 'node:fs/promises';
import type { AgentInput, InputContext } from '../input.ts';
import type { EcsEvent } from '../../../proto/ecs.ts';
import { SyslogError } from './errors.ts';
import { SyslogFramer, type FramingMode } from './framing.ts';
import { parseRfc3164, parseRfc5424, parseSyslog, type SyslogParseOptions, type SyslogParseResult } from './parse.ts';
import { checkTimezone } from './time.ts';

export interface SyslogInputConfig {
  type?: 'syslog';
  protocol: 'udp' | 'tcp' | 'tls';
  host: string;
  /** 0 = an ephemeral port (tests); see `address()`. */
  port: number;
  format: 'auto' | 'rfc5424' | 'rfc3164';
  framing: FramingMode;
  maxMessageBytes: number;
  maxConnections: number;
  /** UDP only: datagrams waiting for the spool; beyond this they are dropped and counted. */
  udpQueue: number;
  /** Zone of RFC 3164 timestamps (they carry none): "UTC", "+02:00" or an IANA name. */
  timezone: string;
  tls: { cert: string; key: string; ca: string; clientAuth: boolean };
}

export const syslogInputSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    type: { const: 'syslog' },
    protocol: { enum: ['udp', 'tcp', 'tls'], default: 'udp', description: 'udp, tcp (octet-counting or newline framing) or tls.' },
    host: { type: 'string', minLength: 1, default: '127.0.0.1', description: 'Address to listen on.' },
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 5514, description: 'Port to listen on; 0 = an ephemeral port (tests).' },
    format: { enum: ['auto', 'rfc5424', 'rfc3164'], default: 'auto', description: 'Message format; auto tells RFC 5424 from RFC 3164 per message.' },
    framing: { enum: ['auto', 'octet-counting', 'non-transparent'], default: 'auto', description: 'TCP/TLS framing; auto detects octet-counting per connection.' },
    maxMessageBytes: { type: 'integer', minimum: 480, maximum: 16 * 1024 * 1024, default: 64 * 1024, description: 'Longest message; longer ones are rejected and counted (ERR_SYSLOG_OVERSIZE).' },
    maxConnections: { type: 'integer', minimum: 1, maximum: 65535, default: 256, description: 'TCP/TLS: most open connections; more are refused and counted.' },
    udpQueue: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 10_000, description: 'UDP only: datagrams waiting for the spool; beyond this they are dropped and counted.' },
    timezone: { type: 'string', minLength: 1, default: 'UTC', description: 'Zone of RFC 3164 timestamps (they carry none): UTC, +02:00 or an IANA name.' },
    tls: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        cert: { type: 'string', default: '', description: 'protocol tls: PEM certificate of this listener.' },
        key: { type: 'string', default: '', description: 'protocol tls: PEM private key of this listener.' },
        ca: { type: 'string', default: '', description: 'protocol tls: PEM CA of the senders (needed with clientAuth).' },
        clientAuth: { type: 'boolean', default: false, description: 'protocol tls: require a client certificate signed by ca.' },
      },
    },
  },
} as const;

export interface SyslogInput extends AgentInput {
  /** The bound address once started (the real port when configured with 0). */
  address(): { host: string; port: number };
}

const COUNTERS = ['messages_received', 'events_emitted', 'parse_failures', 'missing_pri', 'oversize_rejected', 'framing_errors', 'udp_dropped', 'connections_total', 'connections_open', 'connections_refused', 'tls_errors'] as const;
type Counter = (typeof COUNTERS)[number];

export function createSyslogInput(config: SyslogInputConfig): SyslogInput {
  if (config.protocol === 'tls' && (!config.tls.cert || !config.tls.key)) {
    throw new SyslogError('ERR_SYSLOG_CONFIG', 'syslog input: protocol tls needs tls.cert and tls.key', { location: { field: 'tls' } });
  }
  if (config.tls.clientAuth && !config.tls.ca) throw new SyslogError('ERR_SYSLOG_CONFIG', 'syslog input: tls.clientAuth needs tls.ca', { location: { field: 'tls.ca' } });
  try {
    checkTimezone(config.timezone);
  } catch (err) {
    throw new SyslogError('ERR_SYSLOG_CONFIG', `syslog input: unknown timezone '${config.timezone}'`, { location: { field: 'timezone' }, cause: err });
  }
  const counts = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>;
  const parse: (line: string, o: SyslogParseOptions) => SyslogParseResult = config.format === 'rfc5424' ? parseRfc5424 : config.format === 'rfc3164' ? parseRfc3164 : parseSyslog;
  const sockets = new Set<net.Socket>();
  const pending = new Set<Promise<void>>();
  let server: net.Server | undefined;
  let udp: dgram.Socket | undefined;
  let bound = { host: config.host, port: config.port };
  let ctx: InputContext | undefined;
  let stopped = false;

  const reject = (err: SyslogError, source: string, offset?: number) => {
    ctx?.reject(new SyslogError(err.code, err.message, { location: { file: source, offset: offset ?? err.location?.offset }, retryable: err.retryable }));
  };

  /** One message → one event (kept even when malformed) → spool. */
  const handle = async (data: Buffer, source: string, offset: number): Promise<void> => {
    counts.messages_received++;
    const text = data.toString('utf8');
    const { event, error } = parse(text, { now: new Date(), timezone: config.timezone });
    if (error) {
      counts[error.code === 'ERR_SYSLOG_NO_PRI' ? 'missing_pri' : 'parse_failures']++;
      reject(error, source, offset + (error.location?.offset ?? 0));
    }
    const withSource = event as EcsEvent & { log?: Record<string, unknown> };
    withSource.log = { ...(withSource.log ?? {}), source: { address: source.replace(/^\w+:\/\//, '') } };
    await ctx!.emit('log', withSource);
    counts.events_emitted++;
  };

  const onFrameError = (err: SyslogError, source: string) => {
    counts[err.code === 'ERR_SYSLOG_OVERSIZE' ? 'oversize_rejected' : 'framing_errors']++;
    reject(err, source);
  };

  const track = (p: Promise<void>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  const onConnection = (socket: net.Socket) => {
    counts.connections_total++;
    counts.connections_open++;
    sockets.add(socket);
    const source = `${config.protocol}://${socket.remoteAddress}:${socket.remotePort}`;
    const framer = new SyslogFramer({ maxMessageBytes: config.maxMessageBytes, mode: config.framing });
    let chain = Promise.resolve();
    const deliver = (frames: ReturnType<SyslogFramer['push']>) => {
      if (frames.length === 0) return;
      socket.pause();
      chain = chain.then(async () => {
        for (const f of frames) {
          if (f.type === 'error') onFrameError(f.error, source);
          else await handle(f.data, source, f.offset);
        }
        if (!socket.destroyed) socket.resume();
      }).catch((err: unknown) => {
        ctx?.log.error('syslog: cannot spool an event; closing the connection', { source, err });
        socket.destroy();
      });
      track(chain);
    };
    socket.on('data', (chunk: Buffer) => deliver(framer.push(chunk)));
    socket.on('end', () => {
      deliver(framer.end());
      void chain.then(() => socket.end());
    });
    socket.on('error', (err) => ctx?.log.debug('syslog: connection error', { source, err }));
    socket.on('close', () => {
      counts.connections_open--;
      sockets.delete(socket);
    });
  };

  const listen = (srv: net.Server): Promise<void> =>
    new Promise((resolve, rejectP) => {
      const onError = (err: Error) => rejectP(new SyslogError('ERR_SYSLOG_LISTEN', `syslog input: cannot listen on ${config.host}:${config.port}/${config.protocol}: ${err.message}`, { retryable: true, cause: err }));
      srv.once('error', onError);
      srv.listen({ host: config.host, port: config.port }, () => {
        srv.off('error', onError);
        srv.on('error', (err) => ctx?.log.error('syslog: server error', { err }));
        const a = srv.address() as net.AddressInfo;
        bound = { host: a.address, port: a.port };
        resolve();
      });
    });

  const startUdp = (): Promise<void> => {
    const queue: { data: Buffer; source: string }[] = [];
    let pumping = false;
    const pump = async () => {
      pumping = true;
      try {
        while (queue.length && !stopped) {
          const item = queue.shift()!;
          await handle(stripDatagram(item.data), item.source, 0);
        }
      } catch (err) {
        ctx?.log.error('syslog: cannot spool an event', { err });
      } finally {
        pumping = false;
      }
    };
    const sock = dgram.createSocket({ type: net.isIPv6(config.host) ? 'udp6' : 'udp4' });
    udp = sock;
    sock.on('message', (msg, rinfo) => {
      const source = `udp://${rinfo.address}:${rinfo.port}`;
      if (msg.length > config.maxMessageBytes) {
        onFrameError(new SyslogError('ERR_SYSLOG_OVERSIZE', `datagram of ${msg.length} bytes exceeds maxMessageBytes ${config.maxMessageBytes}`), source);
        return;
      }
      if (queue.length >= config.udpQueue) {
        counts.udp_dropped++;
        reject(new SyslogError('ERR_SYSLOG_QUEUE_FULL', `UDP queue full (${config.udpQueue} datagrams waiting for the spool); datagram dropped`, { retryable: true }), source);
        return;
      }
      queue.push({ data: msg, source });
      if (!pumping) track(pump());
    });
    return new Promise((resolve, rejectP) => {
      sock.once('error', (err) => rejectP(new SyslogError('ERR_SYSLOG_LISTEN', `syslog input: cannot bind ${config.host}:${config.port}/udp: ${err.message}`, { retryable: true, cause: err })));
      sock.bind({ address: config.host, port: config.port }, () => {
        sock.removeAllListeners('error');
        sock.on('error', (err) => ctx?.log.error('syslog: UDP socket error', { err }));
        const a = sock.address();
        bound = { host: a.address, port: a.port };
        resolve();
      });
    });
  };

  return {
    name: `syslog-${config.protocol}:${config.host}:${config.port}`,
    async start(c: InputContext) {
      ctx = c;
      stopped = false;
      if (config.protocol === 'udp') return startUdp();
      if (config.protocol === 'tcp') {
        server = net.createServer({ pauseOnConnect: false }, onConnection);
      } else {
        let material: { cert: Buffer; key: Buffer; ca?: Buffer };
        try {
          material = {
            cert: await readFile(config.tls.cert),
            key: await readFile(config.tls.key),
            ...(config.tls.ca ? { ca: await readFile(config.tls.ca) } : {}),
          };
        } catch (err) {
          throw new SyslogError('ERR_SYSLOG_LISTEN', `syslog input: cannot read TLS material: ${(err as Error).message}`, { cause: err, location: { field: 'tls' } });
        }
        const tlsServer = tls.createServer({ ...material, requestCert: config.tls.clientAuth, rejectUnauthorized: config.tls.clientAuth, minVersion: 'TLSv1.2' }, onConnection);
        tlsServer.on('tlsClientError', (err, socket) => {
          counts.tls_errors++;
          ctx?.log.warn('syslog: TLS handshake failed', { peer: `${socket.remoteAddress}:${socket.remotePort}`, err });
        });
        server = tlsServer;
      }
      server.maxConnections = config.maxConnections;
      server.on('drop', () => counts.connections_refused++);
      await listen(server);
    },
    async stop() {
      stopped = true;
      if (udp) {
        const u = udp;
        udp = undefined;
        await new Promise<void>((r) => u.close(() => r()));
      }
      if (server) {
        const s = server;
        server = undefined;
        const closed = new Promise<void>((r) => s.close(() => r()));
        for (const sock of sockets) sock.destroy();
        await closed;
      }
      // An emit blocked on a full spool must not hold stop() forever.
      await Promise.race([Promise.allSettled([...pending]), new Promise((r) => setTimeout(r, 5000).unref())]);
    },
    counters: () => ({ ...counts }),
    address: () => ({ ...bound }),
  };
}

function stripDatagram(b: Buffer): Buffer {
  let end = b.length;
  while (end > 0 && (b[end - 1] === 0x0a || b[end - 1] === 0x0d || b[end - 1] === 0x00)) end--;
  return b.subarray(0, end);
}

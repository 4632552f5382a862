// Dionaea (multi-protocol malware honeypot) `log_json` ihandler output → ECS. Dionaea writes one JSON object per
// connection when the connection is freed (modules/python/dionaea/log_json.py, file handler, `json.dumps` per line):
//   {"connection": {"protocol": "smbd", "transport": "tcp", "type": "accept"}, "dst_ip": "...", "dst_port": 445,
//    "src_hostname": "", "src_ip": "...", "src_port": 51234, "timestamp": "2026-11-26T10:00:00.123456",
//    "credentials": [{"password": "...", "username": "..."}], "ftp": {"commands": [{"command": "...", "arguments": [...]}]}}
// `timestamp` is `datetime.utcnow().isoformat()` (UTC, no zone). With `flat_data = true` the lists are flattened
// ({"username": [...], "password": [...]}); both shapes are read. Pure.
import type { EcsEvent } from '../../../proto/ecs.ts';
import { honeypotEvent, ip, isObject, port, str, timestamp, type DecodeResult, type Json } from './common.ts';

const CONNECTION_TYPES = ['accept', 'reject', 'connect', 'listen'] as const;

/** Usernames of `credentials`, list-of-objects or flattened. */
function usernames(credentials: unknown): string[] {
  if (Array.isArray(credentials)) return credentials.flatMap((c) => (isObject(c) && typeof c.username === 'string' ? [c.username] : []));
  if (isObject(credentials) && Array.isArray(credentials.username)) return credentials.username.filter((u): u is string => typeof u === 'string');
  return [];
}

/** FTP commands as typed command lines ("USER anonymous"). */
function ftpCommands(ftp: unknown): string[] {
  const list = isObject(ftp) ? ftp.commands : undefined;
  const line = (command: unknown, args: unknown) => [command, ...(Array.isArray(args) ? args : typeof args === 'string' && args !== '' ? [args] : [])].filter((x) => typeof x === 'string' && x !== '').join(' ');
  if (Array.isArray(list)) return list.flatMap((c) => (isObject(c) ? [line(c.command, c.arguments)] : [])).filter((s) => s !== '');
  if (isObject(list) && Array.isArray(list.command)) return list.command.map((c, i) => line(c, (list.arguments as unknown[] | undefined)?.[i])).filter((s) => s !== '');
  return [];
}

export function decodeDionaea(record: Json, defaults: { sensor?: string } = {}): DecodeResult {
  const conn = record.connection;
  if (!isObject(conn)) return { error: "not a Dionaea log_json record: 'connection' must be an object", field: 'connection' };
  const ctype = str(conn.type);
  if (!ctype || !(CONNECTION_TYPES as readonly string[]).includes(ctype)) return { error: `'connection.type' must be one of ${CONNECTION_TYPES.join(', ')}, got ${JSON.stringify(conn.type)}`, field: 'connection.type' };
  const ts = timestamp(record.timestamp);
  if (!ts) return { error: `'timestamp' is missing or not an ISO 8601 time: ${JSON.stringify(record.timestamp)}`, field: 'timestamp' };
  const src = ip(record.src_ip);
  // a listen record describes the honeypot's own socket: no remote address (dionaea logs 0.0.0.0 or ::)
  if (!src && ctype !== 'listen') return { error: `'src_ip' is missing or not an IP address: ${JSON.stringify(record.src_ip)}`, field: 'src_ip' };

  const users = usernames(record.credentials);
  const commands = ftpCommands(record.ftp);
  const category = ['network', ...(users.length ? ['authentication'] : [])];
  const type = ctype === 'reject' ? ['connection', 'denied'] : ctype === 'listen' ? ['info'] : ['connection', 'start'];
  const ev: EcsEvent = honeypotEvent(ts, { product: 'dionaea', ...(defaults.sensor ? { sensor: defaults.sensor } : {}) }, `dionaea.connection.${ctype}`, category, type);
  // log_json does not say whether the credentials worked: with credentials the outcome is unknown, not the connection's
  if (users.length) ev.event!.outcome = 'unknown';
  else if (ctype === 'accept' || ctype === 'connect') ev.event!.outcome = 'success';
  if (ctype === 'reject') ev.event!.outcome = 'failure';

  const srcPort = port(record.src_port);
  const srcHost = str(record.src_hostname);
  if (src) ev.source = { ip: src, ...(srcPort !== undefined ? { port: srcPort } : {}), ...(srcHost ? { domain: srcHost } : {}) };
  const dst = ip(record.dst_ip);
  const dstPort = port(record.dst_port);
  if (dst || dstPort !== undefined) ev.destination = { ...(dst ? { ip: dst } : {}), ...(dstPort !== undefined ? { port: dstPort } : {}) };
  const transport = str(conn.transport);
  const protocol = str(conn.protocol);
  ev.network = { ...(transport ? { transport: transport.toLowerCase() } : {}), ...(protocol ? { protocol } : {}) };
  if (users.length) ev.user = { name: users[0]! };
  if (commands.length) ev.process = { command_line: commands.join('\n') };
  ev.dionaea = {
    connection: { type: ctype, ...(protocol ? { protocol } : {}) },
    ...(users.length ? { usernames: users } : {}),
    ...(commands.length ? { ftp_commands: commands } : {}),
  };
  return { event: ev };
}

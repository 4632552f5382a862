// Cowrie (SSH/Telnet honeypot) JSON log → ECS. Cowrie's `output_jsonlog` writes one JSON object per line
// (var/log/cowrie/cowrie.json): `eventid`, `timestamp`, `src_ip`, `session`, `sensor`, `message` on every event, plus
// the event's own fields (session.connect: src_port, dst_ip, dst_port, protocol; login.*: username, password;
// command.*: input; session.file_download/upload: url, shasum, outfile/filename; session.closed: duration …). Pure.
import type { EcsEvent } from '../../../proto/ecs.ts';
import { honeypotEvent, ip, port, str, timestamp, type DecodeResult, type Json } from './common.ts';

/** ECS event.category / event.type / event.outcome per Cowrie eventid. Unlisted eventids: network / info. */
const KINDS: Readonly<Record<string, { category: string[]; type: string[]; outcome?: 'success' | 'failure' }>> = {
  'cowrie.session.connect': { category: ['network'], type: ['connection', 'start'] },
  'cowrie.session.closed': { category: ['network'], type: ['connection', 'end'] },
  'cowrie.login.success': { category: ['authentication'], type: ['start'], outcome: 'success' },
  'cowrie.login.failed': { category: ['authentication'], type: ['start'], outcome: 'failure' },
  'cowrie.command.input': { category: ['process'], type: ['start'] },
  'cowrie.command.failed': { category: ['process'], type: ['start'], outcome: 'failure' },
  'cowrie.session.file_download': { category: ['file', 'network'], type: ['creation'], outcome: 'success' },
  'cowrie.session.file_download.failed': { category: ['file', 'network'], type: ['creation'], outcome: 'failure' },
  'cowrie.session.file_upload': { category: ['file'], type: ['creation'], outcome: 'success' },
  'cowrie.direct-tcpip.request': { category: ['network'], type: ['connection'] },
};

/** Cowrie fields kept as they are under `cowrie.*` (scalars only: the index maps them dynamically). */
const KEPT = ['session', 'password', 'protocol', 'version', 'hassh', 'duration', 'outfile', 'filename', 'destfile', 'arch', 'ttylog'] as const;

export function decodeCowrie(record: Json, defaults: { sensor?: string } = {}): DecodeResult {
  const action = str(record.eventid);
  if (!action || !action.startsWith('cowrie.')) return { error: "not a Cowrie event: 'eventid' must be a string starting with 'cowrie.'", field: 'eventid' };
  const ts = timestamp(record.timestamp);
  if (!ts) return { error: `'timestamp' is missing or not an ISO 8601 time: ${JSON.stringify(record.timestamp)}`, field: 'timestamp' };
  const src = ip(record.src_ip);
  if (!src) return { error: `'src_ip' is missing or not an IP address: ${JSON.stringify(record.src_ip)}`, field: 'src_ip' };
  const kind = KINDS[action] ?? { category: ['network'], type: ['info'] };
  const sensor = str(record.sensor) ?? defaults.sensor;
  const ev: EcsEvent = honeypotEvent(ts, { product: 'cowrie', ...(sensor ? { sensor } : {}) }, action, [...kind.category], [...kind.type]);
  if (kind.outcome) ev.event!.outcome = kind.outcome;

  const srcPort = port(record.src_port);
  ev.source = { ip: src, ...(srcPort !== undefined ? { port: srcPort } : {}) };
  // direct-tcpip requests name where the attacker wanted to go (dst_ip/dst_port): that is not the honeypot
  if (action !== 'cowrie.direct-tcpip.request') {
    const dst = ip(record.dst_ip);
    const dstPort = port(record.dst_port);
    if (dst || dstPort !== undefined) ev.destination = { ...(dst ? { ip: dst } : {}), ...(dstPort !== undefined ? { port: dstPort } : {}) };
  }
  const protocol = str(record.protocol);
  ev.network = { transport: 'tcp', ...(protocol ? { protocol } : {}) };
  const user = str(record.username);
  if (user !== undefined) ev.user = { name: user };
  const input = str(record.input);
  if (input !== undefined) ev.process = { command_line: input };
  const url = str(record.url);
  if (url) ev.url = { original: url };
  // shasum is also on cowrie.log.closed (the hash of the session's tty log): only transfers describe a file
  const sha256 = str(record.shasum);
  if (action.startsWith('cowrie.session.file_') && (sha256 || str(record.outfile) || str(record.filename))) {
    const name = str(record.filename) ?? str(record.outfile)?.split('/').pop();
    ev.file = { ...(sha256 ? { hash: { sha256 } } : {}), ...(name ? { name } : {}) };
  }
  const message = str(record.message);
  if (message !== undefined) ev.message = message;
  const cowrie: Json = {};
  for (const k of KEPT) {
    const v = record[k];
    if ((typeof v === 'string' && v !== '') || typeof v === 'number') cowrie[k] = v;
  }
  if (action === 'cowrie.direct-tcpip.request') cowrie.request = { dst_ip: record.dst_ip, dst_port: record.dst_port };
  ev.cowrie = cowrie;
  return { event: ev };
}

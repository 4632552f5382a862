// Syslog message parsers: RFC 5424, RFC 3164 (BSD) and auto-detection, each → one ECS event. Pure.
// Nothing is lost: a message that does not parse still becomes an event (message = event.original = the text,
// tag `_syslog_parse_failure`), returned together with a typed error the caller counts.
import type { EcsEvent } from '../../../proto/ecs.ts';
import { SyslogError } from './errors.ts';
import { decodePri, readPri, type Pri } from './pri.ts';
import { wallClockToEpoch, fixedOffsetMs } from './time.ts';

export interface SyslogParseOptions {
  /** Year for RFC 3164 timestamps (which carry none); default: inferred from `now` (a date > 7 days ahead → last year). */
  year?: number;
  /** Receive time: the timestamp of messages without one. Default: new Date(). */
  now?: Date;
  /** Zone of RFC 3164 timestamps: "UTC", "+02:00" or an IANA name. Default UTC. */
  timezone?: string;
}

export interface SyslogParseResult {
  event: EcsEvent;
  /** Set when the message was malformed (the event is still complete and tagged). */
  error?: SyslogError;
}

export const PARSE_FAILURE_TAG = '_syslog_parse_failure';
export const NO_PRI_TAG = '_syslog_no_pri';

/** Programs whose messages are authentication logs: routed to `product: linux, service: <process.name>` rules. */
const AUTH_PROGRAMS = new Set(['sshd', 'sshd-session', 'sudo', 'su', 'login', 'systemd-logind', 'passwd', 'chpasswd', 'useradd', 'userdel', 'usermod', 'groupadd', 'groupdel', 'polkitd', 'pkexec', 'gdm-password', 'unix_chkpwd', 'cron', 'CRON']);
const AUTH_FACILITIES = new Set([4, 10]);

interface Parsed {
  pri: Pri;
  timestamp?: number;
  version?: number;
  hostname?: string;
  appName?: string;
  procId?: string;
  msgId?: string;
  structuredData?: Record<string, Record<string, string | string[]>>;
  message: string;
  tags?: string[];
}

/** Auto-detects the format: `<PRI>VERSION ` starts an RFC 5424 message, anything else is RFC 3164. */
export function parseSyslog(line: string, opts: SyslogParseOptions = {}): SyslogParseResult {
  const text = trimTrailer(line);
  return /^<\d{1,3}>[1-9]\d{0,2} /.test(text) ? parseRfc5424(line, opts) : parseRfc3164(line, opts);
}

// ---------------------------------------------------------------------------------------------- RFC 5424 (§6)

export function parseRfc5424(line: string, opts: SyslogParseOptions = {}): SyslogParseResult {
  const text = trimTrailer(line);
  const now = opts.now ?? new Date();
  const p = readPri(text);
  if (!p) return failure(line, now, undefined, 'RFC 5424: no valid <PRI> (0..191) at the start', 0);
  const c = new Cursor(p.rest, text.length - p.rest.length);
  const version = c.token();
  if (!version || !/^[1-9]\d{0,2}$/.test(version)) return failure(line, now, p.pri, `RFC 5424: bad VERSION '${clip(version)}'`, c.base + c.start);
  const tsTok = c.space() && c.token();
  if (!tsTok) return failure(line, now, p.pri, 'RFC 5424: missing TIMESTAMP', c.offset);
  let timestamp: number | undefined;
  if (tsTok !== '-') {
    timestamp = parseRfc3339(tsTok);
    if (timestamp === undefined) return failure(line, now, p.pri, `RFC 5424: bad TIMESTAMP '${clip(tsTok)}'`, c.base + c.start);
  }
  const fields: (string | undefined)[] = [];
  for (const [name, max] of [['HOSTNAME', 255], ['APP-NAME', 48], ['PROCID', 128], ['MSGID', 32]] as const) {
    const tok = c.space() && c.token();
    if (!tok) return failure(line, now, p.pri, `RFC 5424: missing ${name}`, c.offset);
    if (tok.length > max) return failure(line, now, p.pri, `RFC 5424: ${name} longer than ${max} characters`, c.base + c.start);
    fields.push(tok === '-' ? undefined : tok);
  }
  if (!c.space()) return failure(line, now, p.pri, 'RFC 5424: missing STRUCTURED-DATA', c.offset);
  let structuredData: Parsed['structuredData'];
  if (c.peek() === '-') {
    c.pos++;
  } else {
    const sd = parseStructuredData(c);
    if (typeof sd === 'string') return failure(line, now, p.pri, `RFC 5424: ${sd}`, c.offset);
    structuredData = sd;
  }
  let message = '';
  if (!c.done()) {
    if (!c.space()) return failure(line, now, p.pri, 'RFC 5424: expected a space before MSG', c.offset);
    message = c.rest().replace(/^\uFEFF/, '');
  }
  const [hostname, appName, procId, msgId] = fields;
  return { event: toEvent(line, now, { pri: p.pri, timestamp, version: Number(version), hostname, appName, procId, msgId, structuredData, message }) };
}

function parseStructuredData(c: Cursor): Record<string, Record<string, string | string[]>> | string {
  const out: Record<string, Record<string, string | string[]>> = {};
  if (c.peek() !== '[') return "STRUCTURED-DATA must be '-' or start with '['";
  while (c.peek() === '[') {
    c.pos++;
    const id = c.sdName();
    if (!id) return 'empty or bad SD-ID';
    const params: Record<string, string | string[]> = out[id] ?? {};
    for (;;) {
      const ch = c.peek();
      if (ch === ']') {
        c.pos++;
        break;
      }
      if (ch !== ' ') return `SD-ELEMENT '${clip(id)}': expected ' ' or ']'`;
      c.pos++;
      const name = c.sdName();
      if (!name) return `SD-ELEMENT '${clip(id)}': bad PARAM-NAME`;
      if (c.peek() !== '=' || c.peekAt(1) !== '"') return `SD-PARAM '${clip(name)}': expected '="'`;
      c.pos += 2;
      const value = c.sdValue();
      if (value === undefined) return `SD-PARAM '${clip(name)}': unterminated PARAM-VALUE`;
      const prev = params[name];
      params[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    out[id] = params;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- RFC 3164 (§4.1)

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

export function parseRfc3164(line: string, opts: SyslogParseOptions = {}): SyslogParseResult {
  const text = trimTrailer(line);
  const now = opts.now ?? new Date();
  const tz = opts.timezone ?? 'UTC';
  const p = readPri(text);
  if (!p) {
    // RFC 3164 §4.3.3: no PRI → priority 13 (user.notice), the whole text is CONTENT, stamped with the receive time.
    const event = toEvent(line, now, { pri: decodePri(13), message: text, tags: [NO_PRI_TAG] });
    return { event, error: new SyslogError('ERR_SYSLOG_NO_PRI', 'RFC 3164: no <PRI>; kept as user.notice (§4.3.3)', { location: { offset: 0 } }) };
  }
  let rest = p.rest;
  let timestamp: number | undefined;
  let yearOverride: number | undefined;
  const yearFirst = /^(\d{4}) (?=[A-Z][a-z]{2} )/.exec(rest);
  if (yearFirst) {
    yearOverride = Number(yearFirst[1]);
    rest = rest.slice(yearFirst[0].length);
  }
  const iso = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}))(?: |$)/.exec(rest);
  const bsd = /^([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?= |$)/.exec(rest);
  if (iso) {
    timestamp = parseRfc3339(iso[1]!);
    if (timestamp !== undefined) rest = rest.slice(iso[0].length);
  } else if (bsd && MONTHS[bsd[1]!] !== undefined) {
    const [mon, day, hh, mm, ss, frac] = [MONTHS[bsd[1]!]!, Number(bsd[2]!.trim()), Number(bsd[3]), Number(bsd[4]), Number(bsd[5]), bsd[6]];
    if (day >= 1 && day <= 31 && hh < 24 && mm < 60 && ss < 61) {
      rest = rest.slice(bsd[0].length);
      let zone = tz;
      // Tolerated extras seen in the wild and in RFC 3164 §5.4: "YYYY", "TZ-6", "UTC", "CST 1987".
      for (let i = 0; i < 2; i++) {
        const m = /^ (\d{4}|TZ[+-]\d{1,2}|UTC|GMT|[A-Z]{3,4}(?= \d{4}(?: |$)))(?= |$)/.exec(rest);
        if (!m) break;
        const tok = m[1]!;
        if (/^\d{4}$/.test(tok)) yearOverride = Number(tok);
        else if (tok.startsWith('TZ')) zone = `${tok[2]}${tok.slice(3).padStart(2, '0')}:00`;
        else if (tok === 'UTC' || tok === 'GMT') zone = 'UTC';
        rest = rest.slice(m[0].length);
      }
      const ms = frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0;
      timestamp = resolveYear(mon, day, hh, mm, ss, ms, zone, yearOverride ?? opts.year, now);
      rest = rest.startsWith(' ') ? rest.slice(1) : rest;
    }
  }
  let hostname: string | undefined;
  if (timestamp !== undefined) {
    // HOSTNAME is the first token after TIMESTAMP, unless that token is already the TAG ("su:", "sshd[42]:").
    const h = /^([^\s:[\]]+) (?=\S)/.exec(rest);
    if (h) {
      hostname = h[1];
      rest = rest.slice(h[0].length);
    }
  }
  let appName: string | undefined;
  let procId: string | undefined;
  const tag = /^([^\s:[\]]{1,128})(?:\[([^\]\s]{1,128})\])?:(?: |$)/.exec(rest) ?? /^([^\s:[\]]{1,128})\[([^\]\s]{1,128})\](?: |$)/.exec(rest);
  if (tag) {
    appName = tag[1];
    procId = tag[2];
    rest = rest.slice(tag[0].length);
  }
  return { event: toEvent(line, now, { pri: p.pri, timestamp, hostname, appName, procId, message: rest }) };
}

function resolveYear(mon: number, day: number, hh: number, mm: number, ss: number, ms: number, zone: string, year: number | undefined, now: Date): number {
  if (year !== undefined) return wallClockToEpoch(year, mon, day, hh, mm, ss, ms, zone);
  const y = now.getUTCFullYear();
  const t = wallClockToEpoch(y, mon, day, hh, mm, ss, ms, zone);
  // A December message received in January belongs to last year.
  return t > now.getTime() + 7 * 86_400_000 ? wallClockToEpoch(y - 1, mon, day, hh, mm, ss, ms, zone) : t;
}

// ---------------------------------------------------------------------------------------------- shared

function parseRfc3339(s: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || sec! > 60) return undefined;
  const ms = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  const off = fixedOffsetMs(m[8]!);
  const t = Date.UTC(y!, mo! - 1, d!, h!, mi!, Math.min(sec!, 59), ms) - (off ?? 0);
  return Number.isFinite(t) ? t : undefined;
}

function toEvent(original: string, now: Date, p: Parsed): EcsEvent {
  const pid = p.procId !== undefined && /^\d{1,10}$/.test(p.procId) ? Number(p.procId) : undefined;
  const auth = (p.appName !== undefined && AUTH_PROGRAMS.has(p.appName)) || AUTH_FACILITIES.has(p.pri.facility.code);
  const syslog: Record<string, unknown> = { priority: p.pri.priority, facility: p.pri.facility, severity: p.pri.severity };
  if (p.version !== undefined) syslog.version = String(p.version);
  if (p.hostname !== undefined) syslog.hostname = p.hostname;
  if (p.appName !== undefined) syslog.appname = p.appName;
  if (p.procId !== undefined) syslog.procid = p.procId;
  if (p.msgId !== undefined) syslog.msgid = p.msgId;
  if (p.structuredData !== undefined) syslog.structured_data = p.structuredData;
  const event: Record<string, unknown> = {
    '@timestamp': new Date(p.timestamp ?? now.getTime()).toISOString(),
    event: { kind: 'event', dataset: auth ? 'linux.auth' : 'syslog', module: 'syslog', original, ...(p.timestamp === undefined ? {} : { created: now.toISOString() }) },
    log: { level: p.pri.severity.name, syslog },
    message: p.message,
  };
  if (p.hostname !== undefined) event.host = { hostname: p.hostname, name: p.hostname };
  if (p.appName !== undefined || pid !== undefined) event.process = { ...(p.appName !== undefined ? { name: p.appName } : {}), ...(pid !== undefined ? { pid } : {}) };
  if (p.tags) event.tags = p.tags;
  return event as EcsEvent;
}

function failure(line: string, now: Date, pri: Pri | undefined, why: string, offset: number): SyslogParseResult {
  const event: Record<string, unknown> = {
    '@timestamp': now.toISOString(),
    event: { kind: 'event', dataset: 'syslog', module: 'syslog', original: line },
    message: line,
    tags: [PARSE_FAILURE_TAG],
  };
  if (pri) event.log = { level: pri.severity.name, syslog: { priority: pri.priority, facility: pri.facility, severity: pri.severity } };
  return { event: event as EcsEvent, error: new SyslogError('ERR_SYSLOG_PARSE', why, { location: { offset } }) };
}

function trimTrailer(s: string): string {
  let end = s.length;
  while (end > 0 && (s[end - 1] === '\n' || s[end - 1] === '\r' || s[end - 1] === '\0')) end--;
  return end === s.length ? s : s.slice(0, end);
}

function clip(s: string | false | undefined | ''): string {
  const t = s || '';
  return t.length > 40 ? `${t.slice(0, 40)}…` : t;
}

/** A read position over one message; `start` is where the last token began (for error offsets). */
class Cursor {
  pos = 0;
  start = 0;
  constructor(
    private readonly s: string,
    readonly base: number,
  ) {}
  peek(): string | undefined {
    return this.s[this.pos];
  }
  peekAt(n: number): string | undefined {
    return this.s[this.pos + n];
  }
  done(): boolean {
    return this.pos >= this.s.length;
  }
  space(): boolean {
    if (this.s[this.pos] !== ' ') return false;
    this.pos++;
    return true;
  }
  token(): string {
    this.start = this.pos;
    const end = this.s.indexOf(' ', this.pos);
    const tok = this.s.slice(this.pos, end === -1 ? undefined : end);
    this.pos += tok.length;
    return tok;
  }
  /** SD-NAME: 1*32 PRINTUSASCII except '=', SP, ']', '"'. */
  sdName(): string {
    const m = /^[^= \]"\s]{1,32}/.exec(this.s.slice(this.pos, this.pos + 33));
    if (!m) return '';
    this.pos += m[0].length;
    return m[0];
  }
  /** PARAM-VALUE up to the closing '"'; '\"', '\\' and '\]' are unescaped (RFC 5424 §6.3.3). */
  sdValue(): string | undefined {
    let out = '';
    for (let i = this.pos; i < this.s.length; i++) {
      const ch = this.s[i]!;
      if (ch === '\\' && (this.s[i + 1] === '"' || this.s[i + 1] === '\\' || this.s[i + 1] === ']')) {
        out += this.s[i + 1];
        i++;
      } else if (ch === '"') {
        this.pos = i + 1;
        return out;
      } else out += ch;
    }
    return undefined;
  }
  rest(): string {
    return this.s.slice(this.pos);
  }
  get offset(): number {
    return this.base + this.pos;
  }
}

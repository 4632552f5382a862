// Syslog input (RFC 5424 / RFC 3164 over UDP, TCP with RFC 6587 framing, and TLS). Public surface for the agent.

export { createSyslogInput, syslogInputSchema, type SyslogInput, type SyslogInputConfig } from './input.ts';
export { parseSyslog, parseRfc5424, parseRfc3164, PARSE_FAILURE_TAG, NO_PRI_TAG, type SyslogParseOptions, type SyslogParseResult } from './parse.ts';
export { SyslogFramer, type Frame, type FramingMode } from './framing.ts';
export { SyslogError } from './errors.ts';


// Syslog input (RFC 5424 / RFC 3164 over UDP, TCP with RFC 6587 framing, and TLS). Public surface for the agent.
import { loadConfig } from '../../../proto/runtime/config.ts';
import { syslogInputSchema, type SyslogInputConfig } from './input.ts';

export { createSyslogInput, syslogInputSchema, type SyslogInput, type SyslogInputConfig } from './input.ts';
export { parseSyslog, parseRfc5424, parseRfc3164, PARSE_FAILURE_TAG, NO_PRI_TAG, type SyslogParseOptions, type SyslogParseResult } from './parse.ts';
export { SyslogFramer, type Frame, type FramingMode } from './framing.ts';
export { SyslogError } from './errors.ts';

/** Validates a syslog input entry against `syslogInputSchema` and fills the defaults (throws ConfigError). */
export function resolveSyslogInputConfig(entry: Partial<SyslogInputConfig> = {}): Readonly<SyslogInputConfig> {
  return loadConfig<SyslogInputConfig>('syslog input', syslogInputSchema, { env: {}, overrides: { ...entry } });
}

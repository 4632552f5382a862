// One input entry validated against its type's schema, with the defaults filled, as the agent's configuration does
// for each entry of `inputs:`: for tests and tools that build one input alone. Not in the inputs' index modules, so
// that the YAML and schema stack (proto/runtime/config.ts) stays out of the agent bundle (agents/config_loader.ts).
import { loadConfig } from '../../proto/runtime/config.ts';
import { evtxInputSchema, type EvtxInputConfig } from './evtx/input.ts';
import { fileInputSchema, type FileInputConfig } from './files/input.ts';
import { syslogInputSchema, type SyslogInputConfig } from './syslog/input.ts';

/** Validates a syslog input entry against `syslogInputSchema` and fills the defaults (throws ConfigError). */
export function resolveSyslogInputConfig(entry: Partial<SyslogInputConfig> = {}): Readonly<SyslogInputConfig> {
  return loadConfig<SyslogInputConfig>('syslog input', syslogInputSchema, { env: {}, overrides: { ...entry } });
}

/** Validates a file input entry against `fileInputSchema` and fills the defaults (throws ConfigError). */
export function resolveFileInputConfig(entry: Partial<FileInputConfig>): Readonly<FileInputConfig> {
  return loadConfig<FileInputConfig>('file input', fileInputSchema, { env: {}, overrides: { ...entry } });
}

/** Validates an evtx input entry against `evtxInputSchema` and fills the defaults (throws ConfigError). */
export function resolveEvtxInputConfig(entry: Partial<EvtxInputConfig>): Readonly<EvtxInputConfig> {
  return loadConfig<EvtxInputConfig>('evtx input', evtxInputSchema, { env: {}, overrides: { ...entry } });
}

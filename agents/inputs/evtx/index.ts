// Windows event input: evtx_dump-style JSON files and binary .evtx files (via python-evtx's evtx_dump.py).
import { loadConfig } from '../../../proto/runtime/config.ts';
import { evtxInputSchema, type EvtxInputConfig } from './input.ts';

export { createEvtxInput, evtxInputSchema, type EvtxInputConfig } from './input.ts';
export { EvtxError } from './errors.ts';
export { normaliseWindowsEvent, channelDataset } from './normalise.ts';
export { eventXmlToJson, parseXml } from './xml.ts';
export { jsonValues } from './json_values.ts';

/** Validates an evtx input entry against `evtxInputSchema` and fills the defaults (throws ConfigError). */
export function resolveEvtxInputConfig(entry: Partial<EvtxInputConfig>): Readonly<EvtxInputConfig> {
  return loadConfig<EvtxInputConfig>('evtx input', evtxInputSchema, { env: {}, overrides: { ...entry } });
}

// Windows event input: evtx_dump-style JSON files and binary .evtx files (via python-evtx's evtx_dump.py).

export { createEvtxInput, evtxInputSchema, type EvtxInputConfig } from './input.ts';
export { EvtxError } from './errors.ts';
export { normaliseWindowsEvent, channelDataset } from './normalise.ts';
export { eventXmlToJson, parseXml } from './xml.ts';
export { jsonValues } from './json_values.ts';


// The registry of agent inputs: one entry per `type` of the config's `inputs:` list, with the JSON-schema fragment
// that validates an entry (defaults, unknown keys rejected) and the factory that builds it. To add an input: export
// `createXInput(config)` and `xInputSchema` (with `type: { const: 'x' }`) from its module and add one line below.
import { createPcapInput, pcapInputSchema, type PcapInputConfig } from '../pcap/pcap_input.ts';
import type { AgentInput } from './input.ts';
import { createJsonlInput, jsonlInputSchema, type JsonlInputConfig } from './jsonl_replay.ts';
import { createNetflowInput, netflowInputSchema, type NetflowInputConfig } from './netflow_udp.ts';
import { createEvtxInput, evtxInputSchema, type EvtxInputConfig } from './evtx/index.ts';
import { createFileInput, fileInputSchema, type FileInputConfig } from './files/index.ts';
import { createSyslogInput, syslogInputSchema, type SyslogInputConfig } from './syslog/index.ts';

export interface InputDeps {
  /** A directory the input may keep its state in (replay checkpoints, the NetFlow spill): under the spool directory. */
  stateDir: string;
}

interface InputType {
  schema: object;
  create(config: never, deps: InputDeps): AgentInput;
}

function entry<C>(schema: object, create: (config: C, deps: InputDeps) => AgentInput): InputType {
  return { schema, create: create as (config: never, deps: InputDeps) => AgentInput };
}

export const INPUT_TYPES: Readonly<Record<string, InputType>> = {
  jsonl: entry<JsonlInputConfig>(jsonlInputSchema, (c, deps) => createJsonlInput(c, deps)),
  netflow: entry<NetflowInputConfig>(netflowInputSchema, (c, deps) => createNetflowInput(c, deps)),
  pcap: entry<PcapInputConfig>(pcapInputSchema, (c) => createPcapInput(c)),
  syslog: entry<SyslogInputConfig>(syslogInputSchema, (c) => createSyslogInput(c)),
  file: entry<FileInputConfig>(fileInputSchema, (c) => createFileInput(c)),
  evtx: entry<EvtxInputConfig>(evtxInputSchema, (c) => createEvtxInput(c)),
};

export type InputConfig = { type: string } & Record<string, unknown>;

/** JSON schema of one `inputs:` entry: `type` picks the fragment; the fragment rejects unknown keys. */
export function inputEntrySchema(): object {
  const types = Object.keys(INPUT_TYPES);
  return {
    type: 'object',
    required: ['type'],
    properties: { type: { enum: types } },
    allOf: types.map((t) => ({ if: { properties: { type: { const: t } }, required: ['type'] }, then: INPUT_TYPES[t]!.schema })),
  };
}

export function createInput(config: InputConfig, deps: InputDeps): AgentInput {
  const t = INPUT_TYPES[config.type];
  if (!t) throw new Error(`unknown input type ${config.type}`); // unreachable after schema validation
  return t.create(config as never, deps);
}

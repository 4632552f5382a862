// Public API of the NetFlow v5 / v9 / IPFIX decoder (pure core; the UDP listener lives elsewhere).
export { decodePacket, SUPPORTED_VERSIONS } from './decode.ts';
export type { DecodeOptions, DecodeResult, HeldSet, PendingReport } from './context.ts';
export { NetflowDecodeError, NETFLOW_ERROR_CODES } from './errors.ts';
export type { NetflowErrorCode, NetflowErrorContext } from './errors.ts';
export { Reader } from './reader.ts';
export { MemoryTemplateCache, VARIABLE_LENGTH, templateKeyString } from './templates.ts';
export type { AddResult, MemoryTemplateCacheOptions, Template, TemplateCache, TemplateField, TemplateKey, TemplateScope } from './templates.ts';
export { ExporterOptionsStore, PendingBuffer, createNetflowMetrics } from './state.ts';
export type { ExporterOptions, HeaderContext, NetflowMetrics, PendingBufferOptions, PendingSet } from './state.ts';
export type { FlowRecord, OptionsRecord } from './record.ts';
export { uptimeAgeMs } from './record.ts';
export { INFORMATION_ELEMENTS, decodeFieldValue, fieldName, formatIPv6 } from './fields.ts';
export type { FieldValue, InformationElement } from './fields.ts';
export { toEcs, tcpFlagNames, transportName } from './ecs.ts';
export type { ToEcsOptions } from './ecs.ts';
export { decodeV5 } from './v5.ts';
export { decodeV9 } from './v9.ts';
export { decodeIpfix } from './ipfix.ts';

import { MemoryTemplateCache, type MemoryTemplateCacheOptions } from './templates.ts';
import { ExporterOptionsStore, PendingBuffer, createNetflowMetrics, type PendingBufferOptions } from './state.ts';

/** Everything a collector keeps between packets; spread it into decodePacket's options with `exporter` and `now`. */
export function createNetflowState(opts: { templates?: MemoryTemplateCacheOptions; pending?: PendingBufferOptions } = {}) {
  return {
    templates: new MemoryTemplateCache(opts.templates),
    pending: new PendingBuffer(opts.pending),
    exporterOptions: new ExporterOptionsStore(),
    metrics: createNetflowMetrics(),
  };
}

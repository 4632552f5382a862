// Types shared by the version decoders and decodePacket.
import type { NetflowDecodeError } from './errors.ts';
import type { FlowRecord, OptionsRecord } from './record.ts';
import type { ExporterOptionsStore, NetflowMetrics, PendingBuffer } from './state.ts';
import type { TemplateCache } from './templates.ts';

export interface DecodeOptions {
  /** The exporter's address (the UDP source), part of every template key. */
  exporter: string;
  templates: TemplateCache;
  /** The caller's clock, unix ms: template TTL and pending ages are measured against it. */
  now: number;
  /** Holds data sets whose template is unknown; without it they are only reported. */
  pending?: PendingBuffer;
  /** Remembers sampling rates / system init time from options data; without it they apply only within a packet. */
  exporterOptions?: ExporterOptionsStore;
  metrics?: NetflowMetrics;
  /** Decode data records with the generic (reference) path instead of the compiled template decoders (tests). */
  generic?: boolean;
}

/** A data set held because its template is not known yet (an expected result, not an error). */
export interface HeldSet {
  code: 'ERR_NETFLOW_TEMPLATE_NOT_FOUND';
  exporter: string;
  version: 9 | 10;
  domainId: number;
  templateId: number;
  /** Offset of the set header in the packet. */
  offset: number;
  /** Set length, header included. */
  length: number;
}

export interface PendingReport {
  /** Sets of this packet held for a template. */
  held: HeldSet[];
  /** Earlier held sets decoded by this packet (their records are in `records`). */
  released: number;
  /** Held sets dropped while decoding this packet (buffer full or aged out). */
  dropped: number;
}

export interface DecodeResult {
  version?: number;
  records: FlowRecord[];
  options: OptionsRecord[];
  errors: NetflowDecodeError[];
  pending: PendingReport;
}

export function emptyResult(version?: number): DecodeResult {
  // Two literals rather than a conditional spread: this runs once per packet.
  if (version === undefined) return { records: [], options: [], errors: [], pending: { held: [], released: 0, dropped: 0 } };
  return { version, records: [], options: [], errors: [], pending: { held: [], released: 0, dropped: 0 } };
}

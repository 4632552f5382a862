// FlowRecord -> ECS event (DESIGN.md "Events"). Pure.
import type { EcsEvent } from '../../proto/ecs.ts';
import type { FlowRecord } from './record.ts';

const TRANSPORT: Readonly<Record<number, string>> = {
  1: 'icmp', 2: 'igmp', 4: 'ipv4', 6: 'tcp', 17: 'udp', 41: 'ipv6', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'ipv6-icmp', 89: 'ospf', 103: 'pim', 112: 'vrrp', 132: 'sctp',
};

/** IANA protocol number to the ECS `network.transport` name (lower case), or the number as a string. */
export function transportName(protocol: number): string {
  return TRANSPORT[protocol] ?? String(protocol);
}

const TCP_FLAG_NAMES: [number, string][] = [
  [0x01, 'FIN'], [0x02, 'SYN'], [0x04, 'RST'], [0x08, 'PSH'], [0x10, 'ACK'], [0x20, 'URG'], [0x40, 'ECE'], [0x80, 'CWR'], [0x100, 'NS'],
];

/** The names of every 9-bit flag combination, computed once; callers get a fresh copy. */
const FLAG_NAMES: readonly (readonly string[])[] = Array.from({ length: 0x200 }, (_, flags) => TCP_FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name));

export function tcpFlagNames(flags: number): string[] {
  // Only bits 0..8 have names; `& 0x1ff` keeps exactly those (also for negative or fractional input, as `&` does).
  return (FLAG_NAMES[flags & 0x1ff] ?? []).slice();
}

export interface ToEcsOptions {
  /** The exporter's address (the UDP source); becomes observer.ip. */
  exporter: string;
}

const DAY_MS = 86_400_000;
let cachedDay = Number.NaN;
let cachedDayPrefix = '';

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));

/**
 * `new Date(ms).toISOString()`, with the date part cached per day (flows of a batch share a few days). Only for
 * 1970..9999 (4-digit years, ms >= 0); anything else goes to Date. `test/ecs_iso.test.ts` compares both.
 */
export function iso(ms: number): string {
  if (!(ms >= 0 && ms < 253_402_300_800_000)) return new Date(ms).toISOString();
  const t = Math.trunc(ms); // Date's TimeClip truncates fractional milliseconds
  const day = Math.floor(t / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  let rem = t - day * DAY_MS;
  const h = Math.floor(rem / 3_600_000);
  rem -= h * 3_600_000;
  const m = Math.floor(rem / 60_000);
  rem -= m * 60_000;
  const sec = Math.floor(rem / 1000);
  return `${cachedDayPrefix}${pad2(h)}:${pad2(m)}:${pad2(sec)}.${pad3(rem - sec * 1000)}Z`;
}

function validTime(ms: number | undefined): ms is number {
  return ms !== undefined && Number.isFinite(ms) && Math.abs(ms) <= 8.64e15;
}

/**
 * The record's raw fields as JSON can carry them: the rare bigints (64-bit counters) become strings, in a copy. Without
 * a bigint (nearly always) the record's own object is used, not copied: nothing mutates a decoded record.
 */
function jsonSafeFields(fields: FlowRecord['fields']): Record<string, unknown> {
  let hasBigint = false;
  for (const k in fields) {
    if (typeof fields[k] === 'bigint') {
      hasBigint = true;
      break;
    }
  }
  if (!hasBigint) return fields;
  const raw = { ...fields } as Record<string, unknown>;
  for (const k in raw) {
    const v = raw[k];
    if (typeof v === 'bigint') raw[k] = v.toString();
  }
  return raw;
}

export function toEcs(rec: FlowRecord, opts: ToEcsOptions): EcsEvent {
  const start = validTime(rec.startMs) ? rec.startMs : undefined;
  const end = validTime(rec.endMs) ? rec.endMs : undefined;
  const ts = end ?? start ?? (validTime(rec.exportTimeMs) ? rec.exportTimeMs : 0);
  const event: NonNullable<EcsEvent['event']> = { kind: 'event', category: ['network'], type: ['connection'], dataset: 'netflow.flow', module: 'netflow' };
  if (start !== undefined) event.start = iso(start);
  if (end !== undefined) event.end = iso(end);
  if (start !== undefined && end !== undefined && end >= start) event.duration = Math.round((end - start) * 1e6);

  // @timestamp is the flow's end when it has one: the same string, formatted once.
  const ev: EcsEvent = { '@timestamp': end !== undefined ? event.end! : start !== undefined ? event.start! : iso(ts), event };
  // Same keys, values and key order as building them field by field, without the intermediate arrays.
  if (rec.srcAddr !== undefined || rec.srcPort !== undefined) {
    const src: NonNullable<EcsEvent['source']> = {};
    if (rec.srcAddr !== undefined) src.ip = rec.srcAddr;
    if (rec.srcPort !== undefined) src.port = rec.srcPort;
    ev.source = src;
  }
  if (rec.dstAddr !== undefined || rec.dstPort !== undefined) {
    const dst: NonNullable<EcsEvent['destination']> = {};
    if (rec.dstAddr !== undefined) dst.ip = rec.dstAddr;
    if (rec.dstPort !== undefined) dst.port = rec.dstPort;
    ev.destination = dst;
  }

  if (rec.protocol !== undefined || rec.bytes !== undefined || rec.packets !== undefined || rec.ipVersion !== undefined) {
    const network: NonNullable<EcsEvent['network']> & { type?: string } = {};
    if (rec.protocol !== undefined) {
      network.transport = transportName(rec.protocol);
      network.iana_number = String(rec.protocol);
    }
    if (rec.bytes !== undefined) network.bytes = rec.bytes;
    if (rec.packets !== undefined) network.packets = rec.packets;
    if (rec.ipVersion !== undefined) network.type = `ipv${rec.ipVersion}`;
    ev.network = network;
  }

  if (rec.tcpFlags !== undefined && rec.protocol === 6) ev['tcp'] = { flags: tcpFlagNames(rec.tcpFlags) };
  ev.observer = { ip: [opts.exporter], type: 'netflow-exporter' };

  const netflow: Record<string, unknown> = { exporter: { address: opts.exporter, version: rec.version, domain_id: rec.domainId }, sequence: rec.sequence };
  if (rec.templateId !== undefined) netflow['template_id'] = rec.templateId;
  if (rec.samplingRate !== undefined) netflow['sampling_rate'] = rec.samplingRate;
  if (rec.inputIf !== undefined) netflow['ingress_interface'] = rec.inputIf;
  if (rec.outputIf !== undefined) netflow['egress_interface'] = rec.outputIf;
  if (rec.srcAs !== undefined) netflow['bgp_source_as_number'] = rec.srcAs;
  if (rec.dstAs !== undefined) netflow['bgp_destination_as_number'] = rec.dstAs;
  if (rec.srcMask !== undefined) netflow['source_prefix_length'] = rec.srcMask;
  if (rec.dstMask !== undefined) netflow['destination_prefix_length'] = rec.dstMask;
  if (rec.nextHop !== undefined) netflow['next_hop'] = rec.nextHop;
  if (rec.tcpFlags !== undefined) netflow['tcp_control_bits'] = rec.tcpFlags;
  if (rec.tos !== undefined) netflow['ip_class_of_service'] = rec.tos;
  if (rec.icmpType !== undefined) netflow['icmp_type'] = rec.icmpType;
  if (rec.icmpCode !== undefined) netflow['icmp_code'] = rec.icmpCode;
  if (rec.vlanId !== undefined) netflow['vlan_id'] = rec.vlanId;
  if (rec.direction !== undefined) netflow['flow_direction'] = rec.direction;
  if (rec.flowEndReason !== undefined) netflow['flow_end_reason'] = rec.flowEndReason;
  if (rec.flowId !== undefined) netflow['flow_id'] = rec.flowId;
  netflow['fields'] = jsonSafeFields(rec.fields);
  ev['netflow'] = netflow;
  return ev;
}

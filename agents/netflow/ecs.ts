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

export function tcpFlagNames(flags: number): string[] {
  return TCP_FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
}

export interface ToEcsOptions {
  /** The exporter's address (the UDP source); becomes observer.ip. */
  exporter: string;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function validTime(ms: number | undefined): ms is number {
  return ms !== undefined && Number.isFinite(ms) && Math.abs(ms) <= 8.64e15;
}

export function toEcs(rec: FlowRecord, opts: ToEcsOptions): EcsEvent {
  const start = validTime(rec.startMs) ? rec.startMs : undefined;
  const end = validTime(rec.endMs) ? rec.endMs : undefined;
  const ts = end ?? start ?? (validTime(rec.exportTimeMs) ? rec.exportTimeMs : 0);
  const event: NonNullable<EcsEvent['event']> = { kind: 'event', category: ['network'], type: ['connection'], dataset: 'netflow.flow', module: 'netflow' };
  if (start !== undefined) event.start = iso(start);
  if (end !== undefined) event.end = iso(end);
  if (start !== undefined && end !== undefined && end >= start) event.duration = Math.round((end - start) * 1e6);

  const ev: EcsEvent = { '@timestamp': iso(ts), event };
  const src: NonNullable<EcsEvent['source']> = {};
  const dst: NonNullable<EcsEvent['destination']> = {};
  if (rec.srcAddr !== undefined) src.ip = rec.srcAddr;
  if (rec.srcPort !== undefined) src.port = rec.srcPort;
  if (rec.dstAddr !== undefined) dst.ip = rec.dstAddr;
  if (rec.dstPort !== undefined) dst.port = rec.dstPort;
  if (Object.keys(src).length > 0) ev.source = src;
  if (Object.keys(dst).length > 0) ev.destination = dst;

  const network: NonNullable<EcsEvent['network']> & { type?: string } = {};
  if (rec.protocol !== undefined) {
    network.transport = transportName(rec.protocol);
    network.iana_number = String(rec.protocol);
  }
  if (rec.bytes !== undefined) network.bytes = rec.bytes;
  if (rec.packets !== undefined) network.packets = rec.packets;
  if (rec.ipVersion !== undefined) network.type = `ipv${rec.ipVersion}`;
  if (Object.keys(network).length > 0) ev.network = network;

  if (rec.tcpFlags !== undefined && rec.protocol === 6) ev['tcp'] = { flags: tcpFlagNames(rec.tcpFlags) };
  ev.observer = { ip: [opts.exporter], type: 'netflow-exporter' };

  const netflow: Record<string, unknown> = { exporter: { address: opts.exporter, version: rec.version, domain_id: rec.domainId }, sequence: rec.sequence };
  if (rec.templateId !== undefined) netflow['template_id'] = rec.templateId;
  if (rec.samplingRate !== undefined) netflow['sampling_rate'] = rec.samplingRate;
  const extras: [string, number | string | undefined][] = [
    ['ingress_interface', rec.inputIf], ['egress_interface', rec.outputIf], ['bgp_source_as_number', rec.srcAs],
    ['bgp_destination_as_number', rec.dstAs], ['source_prefix_length', rec.srcMask], ['destination_prefix_length', rec.dstMask],
    ['next_hop', rec.nextHop], ['tcp_control_bits', rec.tcpFlags], ['ip_class_of_service', rec.tos], ['icmp_type', rec.icmpType],
    ['icmp_code', rec.icmpCode], ['vlan_id', rec.vlanId], ['flow_direction', rec.direction], ['flow_end_reason', rec.flowEndReason],
    ['flow_id', rec.flowId],
  ];
  for (const [k, v] of extras) if (v !== undefined) netflow[k] = v;
  const raw: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(rec.fields)) raw[k] = typeof v === 'bigint' ? v.toString() : v;
  netflow['fields'] = raw;
  ev['netflow'] = netflow;
  return ev;
}

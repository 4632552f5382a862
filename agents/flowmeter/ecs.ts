// MeteredFlow -> ECS event, shaped like the NetFlow decoder's events (event.dataset 'netflow.flow', so the
// detector's netflow rules and pipeline apply): source = initiator, per-direction bytes/packets. Pure.
import type { EcsEvent } from '../../proto/ecs.ts';
import { tcpFlagNames, transportName } from '../netflow/ecs.ts';
import type { MeteredFlow } from './meter.ts';

export interface FlowEcsOptions {
  /** Where the packets were metered, e.g. the capture file or interface; becomes observer.name/flowmeter.source. */
  source?: string;
}

export function flowToEcs(f: MeteredFlow, opts: FlowEcsOptions = {}): EcsEvent {
  // capture clocks can be anything (a packet at 0 from a pcapng SPB): clamp to what a Date holds
  const startMs = clampMs(Math.floor(f.firstUs / 1000));
  const endMs = clampMs(Math.floor(f.lastUs / 1000));
  const ev: EcsEvent = {
    '@timestamp': new Date(endMs).toISOString(),
    event: {
      kind: 'event', category: ['network'], type: ['connection'], dataset: 'netflow.flow', module: 'flowmeter',
      start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString(), duration: (f.lastUs - f.firstUs) * 1000,
    },
    source: { ip: f.srcAddr, ...(f.srcPort !== undefined ? { port: f.srcPort } : {}), bytes: f.srcBytes, packets: f.srcPackets },
    destination: { ip: f.dstAddr, ...(f.dstPort !== undefined ? { port: f.dstPort } : {}), bytes: f.dstBytes, packets: f.dstPackets },
  };
  // network.type (ECS) is not in proto's EcsEvent type; the NetFlow decoder's toEcs sets it the same way
  const network: NonNullable<EcsEvent['network']> & { type?: string } = { transport: transportName(f.protocol), iana_number: String(f.protocol), type: `ipv${f.ipVersion}`, bytes: f.srcBytes + f.dstBytes, packets: f.srcPackets + f.dstPackets };
  ev.network = network;
  if (f.protocol === 6) ev['tcp'] = { flags: tcpFlagNames(f.tcpFlags) };
  const meter: Record<string, unknown> = { end_reason: f.endReason };
  if (f.protocol === 6) meter['tcp_control_bits'] = f.tcpFlags;
  if (f.icmpType !== undefined) Object.assign(meter, { icmp_type: f.icmpType, icmp_code: f.icmpCode });
  if (f.vlanId !== undefined) meter['vlan_id'] = f.vlanId;
  if (opts.source) meter['source'] = opts.source;
  ev['flowmeter'] = meter;
  return ev;
}

const MAX_MS = 8.64e15;

function clampMs(ms: number): number {
  return Number.isFinite(ms) ? Math.max(-MAX_MS, Math.min(MAX_MS, ms)) : 0;
}

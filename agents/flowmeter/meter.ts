// A pure, bounded, bidirectional flow meter (NetFlow/IPFIX-style metering of raw packets). Its clock is the packet
// timestamps: nothing reads the wall clock, so a capture replayed at any speed yields the same flows.
//
// - Key: protocol + the two (address, port) endpoints, direction-free; the initiator (first packet's sender) is the
//   flow's source. ICMP/ICMPv6 are keyed without ports (request and reply are one flow; type/code of the first packet kept).
// - A flow ends on: idle timeout (no packet for idleTimeoutMs), active timeout (a flow older than activeTimeoutMs is
//   cut at its next packet, the rest continues as a new flow), TCP end (RST, or FIN seen from both sides: the flow
//   then absorbs trailing ACKs until closeTimeoutMs of silence or a new SYN on the same 5-tuple), eviction (the
//   table is full: the least recently seen flow is exported early, counted), or flush() at end of input.
import type { PacketInfo } from '../pcap/packet.ts';

export type FlowPacket = Pick<PacketInfo, 'ipVersion' | 'src' | 'dst' | 'protocol' | 'ipBytes' | 'srcPort' | 'dstPort' | 'tcpFlags' | 'icmpType' | 'icmpCode' | 'vlans'>;

export type FlowEndReason = 'idle_timeout' | 'active_timeout' | 'end_of_flow' | 'evicted' | 'flush';

export interface MeteredFlow {
  ipVersion: 4 | 6;
  protocol: number;
  /** The initiator. */
  srcAddr: string;
  srcPort?: number;
  dstAddr: string;
  dstPort?: number;
  /** Bytes/packets initiator -> responder and back (IP bytes). */
  srcBytes: number;
  srcPackets: number;
  dstBytes: number;
  dstPackets: number;
  /** Union of the TCP flags both ways. */
  tcpFlags: number;
  icmpType?: number;
  icmpCode?: number;
  vlanId?: number;
  firstUs: number;
  lastUs: number;
  endReason: FlowEndReason;
}

export interface FlowMeterOptions {
  idleTimeoutMs: number;
  activeTimeoutMs: number;
  /** Silence after a TCP close (both FINs or a RST) that ends the flow; trailing ACKs in it are counted. */
  closeTimeoutMs: number;
  maxFlows: number;
}

export const DEFAULT_FLOWMETER_OPTIONS: FlowMeterOptions = { idleTimeoutMs: 15_000, activeTimeoutMs: 1_800_000, closeTimeoutMs: 1_000, maxFlows: 65_536 };

export interface FlowMeterCounters {
  packets_total: number;
  flows_total: number;
  evicted_flows_total: number;
  active_flows: number;
}

interface Entry {
  flow: MeteredFlow;
  /** FIN seen from the initiator / responder. */
  finSrc: boolean;
  finDst: boolean;
  closing: boolean;
}

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;

export class FlowMeter {
  private readonly table = new Map<string, Entry>();
  private readonly opts: FlowMeterOptions;
  private nowUs = 0;
  private lastSweepUs = 0;
  private readonly c: FlowMeterCounters = { packets_total: 0, flows_total: 0, evicted_flows_total: 0, active_flows: 0 };

  constructor(opts: Partial<FlowMeterOptions> = {}) {
    this.opts = { ...DEFAULT_FLOWMETER_OPTIONS, ...opts };
    if (this.opts.closeTimeoutMs > this.opts.idleTimeoutMs) this.opts.closeTimeoutMs = this.opts.idleTimeoutMs;
  }

  counters(): FlowMeterCounters {
    return { ...this.c, active_flows: this.table.size };
  }

  /** Meters one packet at time tsUs (µs since the epoch); returns the flows that ended by then. */
  add(p: FlowPacket, tsUs: number): MeteredFlow[] {
    const out: MeteredFlow[] = [];
    this.c.packets_total++;
    if (tsUs > this.nowUs) this.nowUs = tsUs;
    if (this.nowUs - this.lastSweepUs >= 1_000_000 || this.lastSweepUs > this.nowUs) {
      this.sweep(out);
      this.lastSweepUs = this.nowUs;
    }
    const icmp = p.protocol === 1 || p.protocol === 58;
    const sp = icmp ? 0 : (p.srcPort ?? 0);
    const dp = icmp ? 0 : (p.dstPort ?? 0);
    const forward = p.src < p.dst || (p.src === p.dst && sp <= dp);
    const key = forward ? `${p.protocol}|${p.src}|${sp}|${p.dst}|${dp}` : `${p.protocol}|${p.dst}|${dp}|${p.src}|${sp}`;
    const flags = p.tcpFlags ?? 0;
    let e = this.table.get(key);
    if (e) {
      const f = e.flow;
      const newSyn = p.protocol === 6 && (flags & (SYN | ACK)) === SYN && e.closing;
      if (newSyn || tsUs - f.firstUs >= this.opts.activeTimeoutMs * 1000 || tsUs - f.lastUs >= this.opts.idleTimeoutMs * 1000) {
        this.table.delete(key);
        out.push(this.end(e, newSyn ? 'end_of_flow' : tsUs - f.firstUs >= this.opts.activeTimeoutMs * 1000 ? 'active_timeout' : 'idle_timeout'));
        e = undefined;
      } else {
        // move to the most-recently-seen end of the map
        this.table.delete(key);
        this.table.set(key, e);
      }
    }
    if (!e) {
      if (this.table.size >= this.opts.maxFlows) {
        const oldest = this.table.entries().next().value as [string, Entry];
        this.table.delete(oldest[0]);
        this.c.evicted_flows_total++;
        out.push(this.end(oldest[1], 'evicted'));
      }
      const flow: MeteredFlow = { ipVersion: p.ipVersion, protocol: p.protocol, srcAddr: p.src, dstAddr: p.dst, srcBytes: 0, srcPackets: 0, dstBytes: 0, dstPackets: 0, tcpFlags: 0, firstUs: tsUs, lastUs: tsUs, endReason: 'flush' };
      if (!icmp && p.srcPort !== undefined) flow.srcPort = p.srcPort;
      if (!icmp && p.dstPort !== undefined) flow.dstPort = p.dstPort;
      if (icmp && p.icmpType !== undefined) {
        flow.icmpType = p.icmpType;
        flow.icmpCode = p.icmpCode;
      }
      if (p.vlans?.length) flow.vlanId = p.vlans[0];
      e = { flow, finSrc: false, finDst: false, closing: false };
      this.table.set(key, e);
    }
    const f = e.flow;
    const fromInitiator = p.src === f.srcAddr && (icmp || (p.srcPort ?? 0) === (f.srcPort ?? 0));
    if (fromInitiator) {
      f.srcBytes += p.ipBytes;
      f.srcPackets++;
    } else {
      f.dstBytes += p.ipBytes;
      f.dstPackets++;
    }
    if (tsUs < f.firstUs) f.firstUs = tsUs;
    if (tsUs > f.lastUs) f.lastUs = tsUs;
    if (p.protocol === 6) {
      f.tcpFlags |= flags;
      if (flags & FIN) {
        if (fromInitiator) e.finSrc = true;
        else e.finDst = true;
      }
      if (flags & RST || (e.finSrc && e.finDst)) e.closing = true;
    }
    return out;
  }

  /** Ends every flow idle (or closed) by time tsUs without a packet, e.g. on a replay's timer. */
  advance(tsUs: number): MeteredFlow[] {
    if (tsUs > this.nowUs) this.nowUs = tsUs;
    const out: MeteredFlow[] = [];
    this.sweep(out);
    return out;
  }

  /** Ends every flow (end of the capture). */
  flush(): MeteredFlow[] {
    const out: MeteredFlow[] = [];
    for (const e of this.table.values()) out.push(this.end(e, e.closing ? 'end_of_flow' : 'flush'));
    this.table.clear();
    return out;
  }

  private sweep(out: MeteredFlow[]): void {
    const idle = this.opts.idleTimeoutMs * 1000;
    const close = this.opts.closeTimeoutMs * 1000;
    for (const [key, e] of this.table) {
      const silent = this.nowUs - e.flow.lastUs;
      // entries are in last-seen order: once one is too recent for either timeout, all that follow are too
      if (silent < close) break;
      if (silent >= idle || e.closing) {
        this.table.delete(key);
        out.push(this.end(e, e.closing ? 'end_of_flow' : 'idle_timeout'));
      }
    }
  }

  private end(e: Entry, reason: FlowEndReason): MeteredFlow {
    this.c.flows_total++;
    e.flow.endReason = reason;
    return e.flow;
  }
}

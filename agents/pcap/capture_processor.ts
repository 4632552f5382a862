// Pure: the frames of a capture -> ECS flow events. UDP datagrams to a NetFlow/IPFIX collector port are NetFlow
// exports and go to the NetFlow decoder (per-exporter template state); every other IP packet goes to the flow meter.
// Nothing here reads a clock or a file: the pcap input feeds it frames and paces them.
import type { EcsEvent } from '../../proto/ecs.ts';
import type { CirtError } from '../../proto/errors.ts';
import { FlowMeter, flowToEcs, type FlowMeterOptions, type MeteredFlow } from '../flowmeter/index.ts';
import { createNetflowState, decodePacket, toEcs } from '../netflow/index.ts';
import { decodeFrame } from './packet.ts';
import type { CaptureFrame } from './reader.ts';

export const DEFAULT_NETFLOW_PORTS: readonly number[] = [2055, 4739, 9995, 9996];

export interface CaptureProcessorOptions {
  /** UDP destination ports whose payloads are NetFlow/IPFIX exports; [] meters everything. */
  netflowPorts?: readonly number[];
  flowmeter?: Partial<FlowMeterOptions>;
  /** Label for observer/flowmeter.source (e.g. the file name). */
  source?: string;
}

export interface ProcessResult {
  events: EcsEvent[];
  errors: CirtError[];
}

export interface CaptureCounters {
  frames_total: number;
  non_ip_frames_total: number;
  netflow_packets_total: number;
  netflow_records_total: number;
  metered_packets_total: number;
  metered_flows_total: number;
  evicted_flows_total: number;
  errors_total: number;
}

export class CaptureProcessor {
  private readonly meter: FlowMeter;
  private readonly netflowPorts: Set<number>;
  private readonly netflow = createNetflowState();
  private readonly c = { frames_total: 0, non_ip_frames_total: 0, netflow_packets_total: 0, netflow_records_total: 0, errors_total: 0 };

  constructor(private readonly opts: CaptureProcessorOptions = {}) {
    this.meter = new FlowMeter(opts.flowmeter);
    this.netflowPorts = new Set(opts.netflowPorts ?? DEFAULT_NETFLOW_PORTS);
  }

  process(frame: CaptureFrame): ProcessResult {
    this.c.frames_total++;
    const events: EcsEvent[] = [];
    const errors: CirtError[] = [];
    const p = decodeFrame(frame.linkType, frame.data, { file: this.opts.source, frame: frame.frame });
    if (p === undefined) {
      this.c.non_ip_frames_total++;
      return { events, errors };
    }
    if (p instanceof Error) {
      this.c.errors_total++;
      errors.push(p);
      return { events, errors };
    }
    if (p.protocol === 17 && p.payload && p.dstPort !== undefined && this.netflowPorts.has(p.dstPort) && !p.fragment) {
      this.c.netflow_packets_total++;
      const r = decodePacket(p.payload, { exporter: p.src, now: Math.floor(frame.tsUs / 1000), ...this.netflow });
      for (const err of r.errors) {
        this.c.errors_total++;
        errors.push(err);
      }
      for (const rec of r.records) {
        this.c.netflow_records_total++;
        events.push(toEcs(rec, { exporter: p.src }));
      }
      return { events, errors };
    }
    for (const f of this.meter.add(p, frame.tsUs)) events.push(this.flowEvent(f));
    return { events, errors };
  }

  /** Flows idle by the capture time tsUs (call while waiting between frames). */
  advance(tsUs: number): EcsEvent[] {
    return this.meter.advance(tsUs).map((f) => this.flowEvent(f));
  }

  /** End of the capture: every flow still open. */
  flush(): EcsEvent[] {
    return this.meter.flush().map((f) => this.flowEvent(f));
  }

  counters(): CaptureCounters {
    const m = this.meter.counters();
    return { ...this.c, metered_packets_total: m.packets_total, metered_flows_total: m.flows_total, evicted_flows_total: m.evicted_flows_total };
  }

  private flowEvent(f: MeteredFlow): EcsEvent {
    return flowToEcs(f, { source: this.opts.source });
  }
}

// Public API of the flow meter (pure core: packets in, bidirectional flows out).
export { FlowMeter, DEFAULT_FLOWMETER_OPTIONS } from './meter.ts';
export type { FlowEndReason, FlowMeterCounters, FlowMeterOptions, FlowPacket, MeteredFlow } from './meter.ts';
export { flowToEcs } from './ecs.ts';
export type { FlowEcsOptions } from './ecs.ts';

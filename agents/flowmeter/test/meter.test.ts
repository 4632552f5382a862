// Flow meter semantics on hand-made packets (the tshark cross-check on real traffic is agents/pcap/test/pcap.test.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FlowMeter, flowToEcs, type FlowPacket } from '../index.ts';

const S = 1_000_000; // µs
const tcp = (src: string, sp: number, dst: string, dp: number, flags: number, bytes = 60): FlowPacket => ({ ipVersion: 4, src, dst, protocol: 6, srcPort: sp, dstPort: dp, tcpFlags: flags, ipBytes: bytes });
const udp = (src: string, sp: number, dst: string, dp: number, bytes = 100): FlowPacket => ({ ipVersion: 4, src, dst, protocol: 17, srcPort: sp, dstPort: dp, ipBytes: bytes });

describe('FlowMeter', () => {
  test('both directions make one flow; the initiator is the source even when its address sorts higher', () => {
    const m = new FlowMeter();
    m.add(udp('10.0.0.9', 5000, '10.0.0.1', 53, 70), 1 * S);
    m.add(udp('10.0.0.1', 53, '10.0.0.9', 5000, 130), 1 * S + 500);
    const [f] = m.flush();
    assert.ok(f);
    assert.deepEqual([f.srcAddr, f.srcPort, f.dstAddr, f.dstPort], ['10.0.0.9', 5000, '10.0.0.1', 53]);
    assert.deepEqual([f.srcPackets, f.srcBytes, f.dstPackets, f.dstBytes], [1, 70, 1, 130]);
    const ev = flowToEcs(f);
    assert.equal(ev.network?.bytes, 200);
    assert.equal(ev.event?.duration, 500_000, 'ns');
    assert.equal(ev.event?.dataset, 'netflow.flow');
  });

  test('idle timeout: a packet after the idle time starts a new flow; advance() expires silent flows', () => {
    const m = new FlowMeter({ idleTimeoutMs: 10_000 });
    assert.deepEqual(m.add(udp('a', 1, 'b', 2), 0), []);
    const ended = m.add(udp('a', 1, 'b', 2), 11 * S);
    assert.equal(ended.length, 1);
    assert.equal(ended[0]!.endReason, 'idle_timeout');
    const later = m.advance(30 * S);
    assert.equal(later.length, 1);
    assert.equal(later[0]!.firstUs, 11 * S);
    assert.equal(m.counters().active_flows, 0);
  });

  test('active timeout cuts a long flow at its next packet', () => {
    const m = new FlowMeter({ idleTimeoutMs: 10_000, activeTimeoutMs: 60_000 });
    const out = [];
    for (let t = 0; t <= 130; t += 5) out.push(...m.add(udp('a', 1, 'b', 2), t * S));
    out.push(...m.flush());
    assert.deepEqual(out.map((f) => [f.endReason, f.srcPackets]), [['active_timeout', 12], ['active_timeout', 12], ['flush', 3]]);
  });

  test('TCP: RST ends the flow; FIN both ways absorbs the last ACK, then a new SYN on the same tuple is a new flow', () => {
    const m = new FlowMeter({ closeTimeoutMs: 1_000 });
    m.add(tcp('c', 40000, 's', 80, 0x02), 0);
    m.add(tcp('s', 80, 'c', 40000, 0x12), 10);
    m.add(tcp('c', 40000, 's', 80, 0x11), 20);
    m.add(tcp('s', 80, 'c', 40000, 0x11), 30);
    assert.deepEqual(m.add(tcp('c', 40000, 's', 80, 0x10), 40), [], 'the last ACK belongs to the flow');
    const ended = m.add(tcp('c', 40000, 's', 80, 0x02), 50);
    assert.equal(ended.length, 1);
    assert.deepEqual([ended[0]!.endReason, ended[0]!.srcPackets, ended[0]!.dstPackets, ended[0]!.tcpFlags], ['end_of_flow', 3, 2, 0x13]);
    m.add(tcp('s', 80, 'c', 40000, 0x14), 60);
    const rst = m.advance(2 * S);
    assert.equal(rst.length, 1);
    assert.equal(rst[0]!.endReason, 'end_of_flow');
    assert.deepEqual(flowToEcs(rst[0]!)['tcp'], { flags: ['SYN', 'RST', 'ACK'] });
  });

  test('a full table evicts the least recently seen flow, counted, never lost', () => {
    const m = new FlowMeter({ maxFlows: 2 });
    m.add(udp('a', 1, 'b', 2), 0);
    m.add(udp('a', 3, 'b', 2), 1);
    m.add(udp('a', 1, 'b', 2), 2); // refreshes the first flow
    const ev = m.add(udp('a', 5, 'b', 2), 3);
    assert.deepEqual(ev.map((f) => [f.srcPort, f.endReason]), [[3, 'evicted']]);
    assert.equal(m.counters().evicted_flows_total, 1);
    assert.equal(m.flush().length, 2);
    assert.equal(m.counters().flows_total, 3);
  });
});

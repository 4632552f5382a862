// NetFlow v9 decoding on one core: ours (agents/netflow decodePacket, and decodePacket + toEcs) vs the npm peer
// node-netflowv9 0.2.16 (its nfPktDecode, which compiles each template into a JS function), on the same packets in
// the same run. Packets: the softflowd v9 export in agents/test/fixtures/netflow-v9.pcap (4 templates, options
// template + data, 13 flows), read with our pcap reader. Two cases, each decoder warmed up then timed (median of 5):
//   full     - the whole export packet, templates included, repeated (what a collector sees after a restart)
//   dataOnly - the packet with its template/options sets removed (header count fixed), after the templates were
//              learnt once: the steady state of a collector.
// Prints ONE JSON line. Env: BENCH_PACKETS (per timed run, default 10000).
//   npx tsx bench/netflow-decode.bench.ts
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createNetflowState, decodePacket, toEcs } from '../agents/netflow/index.ts';
import { decodeFrame, readCapture, type CaptureFrame } from '../agents/pcap/index.ts';

const PACKETS = Number(process.env.BENCH_PACKETS ?? 10_000);
const FIXTURE = new URL('../agents/test/fixtures/netflow-v9.pcap', import.meta.url).pathname;

const frame = [...readCapture(readFileSync(FIXTURE))].find((f): f is CaptureFrame => !(f instanceof Error))!;
const info = decodeFrame(frame.linkType, frame.data);
if (!info || info instanceof Error || !info.payload) throw new Error('no UDP payload in the fixture');
const full = Buffer.from(info.payload);
const exporter = info.src;

/** The same v9 packet with only its data sets (id >= 256), header count set to the number of records kept. */
function dataOnly(pkt: Buffer): Buffer {
  const sets: Buffer[] = [];
  for (let o = 20; o + 4 <= pkt.length; ) {
    const id = pkt.readUInt16BE(o);
    const len = pkt.readUInt16BE(o + 2);
    if (len < 4) break;
    if (id >= 256) sets.push(pkt.subarray(o, o + len));
    o += len;
  }
  const out = Buffer.concat([pkt.subarray(0, 20), ...sets]);
  return out;
}
const data = dataOnly(full);

const require = createRequire(import.meta.url);
const NetFlowV9 = require('node-netflowv9') as new (opts: { cb: () => void }) => { nfPktDecode(msg: Buffer, rinfo: object): { flows: unknown[] } | undefined; server: { close(): void } };
const rinfo = { address: exporter, port: 40627, family: 'IPv4', size: full.length };

interface Decoder {
  name: string;
  prime(): void;
  decode(pkt: Buffer): number;
}
function ours(withEcs: boolean): Decoder {
  let state = createNetflowState();
  return {
    name: withEcs ? 'ours+ecs' : 'ours',
    prime() {
      state = createNetflowState();
      decodePacket(full, { exporter, now: Date.now(), ...state });
    },
    decode(pkt) {
      const r = decodePacket(pkt, { exporter, now: 1_795_654_700_000, ...state });
      if (withEcs) for (const rec of r.records) toEcs(rec, { exporter });
      return r.records.length;
    },
  };
}
function peer(): Decoder {
  let nf = new NetFlowV9({ cb: () => undefined });
  return {
    name: 'node-netflowv9',
    prime() {
      nf.server.close();
      nf = new NetFlowV9({ cb: () => undefined });
      nf.nfPktDecode(full, rinfo);
    },
    decode(pkt) {
      return nf.nfPktDecode(pkt, rinfo)?.flows.length ?? 0;
    },
  };
}

function measure(d: Decoder, pkt: Buffer): { flowsPerSec: number; flowsPerPacket: number } {
  d.prime();
  let flows = 0;
  for (let i = 0; i < 5_000; i++) flows = d.decode(pkt);
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    let n = 0;
    const t = process.hrtime.bigint();
    for (let i = 0; i < PACKETS; i++) n += d.decode(pkt);
    runs.push(n / (Number(process.hrtime.bigint() - t) / 1e9));
  }
  runs.sort((a, b) => a - b);
  return { flowsPerSec: Math.round(runs[2]!), flowsPerPacket: flows };
}

const decoders = [ours(false), ours(true), peer()];
const result: Record<string, unknown> = { bench: 'netflow-decode', node: process.version, packetsPerRun: PACKETS, fixture: 'agents/test/fixtures/netflow-v9.pcap', packetBytes: { full: full.length, dataOnly: data.length } };
for (const [name, pkt] of [['full', full], ['dataOnly', data]] as const) {
  const r: Record<string, { flowsPerSec: number; flowsPerPacket: number }> = {};
  for (const d of decoders) {
    r[d.name] = measure(d, pkt);
    process.stderr.write(`${name} ${d.name}: ${JSON.stringify(r[d.name])}\n`);
  }
  const peerRate = r['node-netflowv9']!.flowsPerSec;
  result[name] = { ...r, speedupVsPeer: Math.round((r['ours']!.flowsPerSec / peerRate) * 100) / 100, speedupWithEcsVsPeer: Math.round((r['ours+ecs']!.flowsPerSec / peerRate) * 100) / 100 };
}
result['goal'] = 'ours >= 2x node-netflowv9 flows/s (same packets, same run)';
for (const d of decoders) d.prime();
console.log(JSON.stringify(result));
process.exit(0);

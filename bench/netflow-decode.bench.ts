// NetFlow v9 decoding on one core: ours (agents/netflow decodePacket, and decodePacket + toEcs) vs the npm peer
// node-netflowv9 0.2.16 (its nfPktDecode, which compiles each template into a JS function), on the same packets in
// the same run. Packets: the softflowd v9 export in agents/test/fixtures/netflow-v9.pcap (4 templates, options
// template + data, 13 flows), read with our pcap reader. Two cases; each decoder is warmed up, then the decoders are
// timed in interleaved rounds (order rotated each round), median of BENCH_ROUNDS (default 7):
//   full     - the whole export packet, templates included, repeated (what a collector sees after a restart)
//   dataOnly - the packet with its template/options sets removed (header count fixed), after the templates were
//              learnt once: the steady state of a collector.
// node-netflowv9 also returns the options data record as a flow (14 per packet, ours 13 flow records + 1 options
// record), so packetsPerSec is the fairer ratio (packetSpeedupVsPeer); flowsPerSec flatters the peer by 14/13.
// Prints ONE JSON line. Env: BENCH_PACKETS (per timed run, default 10000), BENCH_ROUNDS.
//   npx tsx bench/netflow-decode.bench.ts
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import { createNetflowState, decodePacket, toEcs } from '../agents/netflow/index.ts';
import { decodeFrame, readCapture, type CaptureFrame } from '../agents/pcap/index.ts';

const PACKETS = Number(process.env.BENCH_PACKETS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
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

interface Figures { flowsPerSec: number; packetsPerSec: number; flowsPerPacket: number; runs: number[] }

/** Interleaved: every round times each decoder once (rotating the order), so load changes hit all of them alike. */
function measureAll(ds: Decoder[], pkt: Buffer): Record<string, Figures> {
  const flowsPer = new Map<Decoder, number>();
  for (const d of ds) {
    d.prime();
    let flows = 0;
    for (let i = 0; i < 5_000; i++) flows = d.decode(pkt);
    flowsPer.set(d, flows);
  }
  const runs = new Map<Decoder, number[]>(ds.map((d) => [d, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (let j = 0; j < ds.length; j++) {
      const d = ds[(j + r) % ds.length]!;
      let n = 0;
      const t = process.hrtime.bigint();
      for (let i = 0; i < PACKETS; i++) n += d.decode(pkt);
      runs.get(d)!.push(n / (Number(process.hrtime.bigint() - t) / 1e9));
    }
  }
  const out: Record<string, Figures> = {};
  for (const d of ds) {
    const xs = runs.get(d)!.sort((a, b) => a - b);
    const med = xs[Math.floor(xs.length / 2)]!;
    const fpp = flowsPer.get(d)!;
    out[d.name] = { flowsPerSec: Math.round(med), packetsPerSec: Math.round(med / fpp), flowsPerPacket: fpp, runs: xs.map(Math.round) };
  }
  return out;
}

const decoders = [ours(false), ours(true), peer()];
const result: Record<string, unknown> = { bench: 'netflow-decode', node: process.version, packetsPerRun: PACKETS, rounds: ROUNDS, loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100), fixture: 'agents/test/fixtures/netflow-v9.pcap', packetBytes: { full: full.length, dataOnly: data.length } };
for (const [name, pkt] of [['full', full], ['dataOnly', data]] as const) {
  const r = measureAll(decoders, pkt);
  for (const [k, v] of Object.entries(r)) process.stderr.write(`${name} ${k}: ${JSON.stringify(v)}\n`);
  const peerRate = r['node-netflowv9']!;
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  result[name] = {
    ...r,
    speedupVsPeer: ratio(r['ours']!.flowsPerSec, peerRate.flowsPerSec),
    speedupWithEcsVsPeer: ratio(r['ours+ecs']!.flowsPerSec, peerRate.flowsPerSec),
    packetSpeedupVsPeer: ratio(r['ours']!.packetsPerSec, peerRate.packetsPerSec),
  };
}
result['goal'] = 'ours >= 2x node-netflowv9 flows/s (same packets, same run)';
for (const d of decoders) d.prime();
console.log(JSON.stringify(result));
process.exit(0);

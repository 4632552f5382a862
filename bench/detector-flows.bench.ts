// The streaming detector's own ceiling on NetFlow events, in one process, no Kafka: telemetry.flows values (the
// gateway's TelemetryBatch v2 text) -> JSON.parse -> stampedEvents -> Detector.evaluate (routing, prefilter, our
// network rules and their correlations), with the rule set the detector loads by default (rules/ + intel) and,
// with BENCH_SIGMAHQ=1, every SigmaHQ rule as well (none applies to flows: routing cost only). The flows are the
// e2e bench's worst case for correlation state: every flow has a new source address, so every correlation creates a
// key per event and evicts the least recently updated one at maxKeys. CPU time (user+sys) per event is reported next
// to wall time, because the machine is shared. No peer runs this: it explains the e2e figure (bench/e2e.bench.ts).
//   npx tsx bench/detector-flows.bench.ts     (BENCH_BATCHES=60 of 1000 events, BENCH_ITER=3)
// Prints ONE JSON line.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RuleSetReloader } from '../detection/intel/index.ts';
import { Detector } from '../detection/service/detector.ts';
import { stampedEvents } from '../proto/telemetry.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 60);
const ITER = Number(process.env.BENCH_ITER ?? 3);
const PER_BATCH = 1000;
const SIGMAHQ = join(ROOT, '../shared/corpora/sigmahq');
const dirs = [join(ROOT, 'rules'), ...(process.env.BENCH_SIGMAHQ && existsSync(SIGMAHQ) ? ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-compliance', 'rules-dfir'].map((d) => join(SIGMAHQ, d)).filter(existsSync) : [])];

const t0 = performance.now();
const set = new RuleSetReloader({ rulePaths: dirs, pipelineFiles: ['ecs-netflow.yml', 'windows-evtx.yml'].map((f) => join(ROOT, 'detection/pipelines', f)), intelPaths: [join(ROOT, 'rules/intel')] }).current;
const loadMs = performance.now() - t0;

/** One batch of flows as the gateway writes it to telemetry.flows; one flow in 200 goes to a C2 address:port. */
function batchText(b: number, base: number): string {
  const sent = Array.from({ length: PER_BATCH }, (_, i) => ({
    '@timestamp': new Date(base + b * 1000 + i).toISOString(),
    event: { kind: 'event', category: ['network'], type: ['connection'], dataset: 'netflow.flow', id: `e${b}-${i}` },
    source: { ip: `10.${(i >> 8) & 255}.${b & 255}.${i & 255}`, port: 1024 + i },
    destination: { ip: i % 200 === 0 ? '203.0.113.7' : `93.184.${b & 255}.${i % 250}`, port: i % 200 === 0 ? 4444 : 443 },
    network: { transport: 'tcp', bytes: 100 + i, packets: 3 },
    observer: { ip: ['10.0.0.1'] },
  }));
  return JSON.stringify({ v: 2, agency: 'mofa', agentId: 'a1', bootId: 'b', seq: b, receivedAt: new Date().toISOString(), cert: { serial: 'AB' }, index: sent.map((_, i) => i), sent });
}

const runs: { usPerEvent: number; cpuUsPerEvent: number; parseStampUs: number; evaluateUs: number; alerts: number }[] = [];
for (let it = 0; it <= ITER; it++) { // run 0 warms up
  const detector = new Detector(set.rules, { correlations: set.correlations, suppressed: set.suppressed });
  const texts = Array.from({ length: BATCHES }, (_, b) => batchText(b, Date.now() - 120_000));
  let parse = 0; let evaluate = 0; let alerts = 0;
  const wall = performance.now(); const cpu = process.cpuUsage();
  for (const text of texts) {
    const a = performance.now();
    const events = stampedEvents(JSON.parse(text));
    const b = performance.now();
    alerts += detector.evaluate(events, new Date()).length;
    parse += b - a; evaluate += performance.now() - b;
  }
  const n = BATCHES * PER_BATCH;
  const used = process.cpuUsage(cpu);
  if (it > 0) runs.push({ usPerEvent: ((performance.now() - wall) * 1000) / n, cpuUsPerEvent: (used.user + used.system) / n, parseStampUs: (parse * 1000) / n, evaluateUs: (evaluate * 1000) / n, alerts });
}
const median = (k: keyof (typeof runs)[number]) => { const s = runs.map((r) => r[k]).sort((a, b) => a - b); return Math.round(s[Math.floor(s.length / 2)]! * 100) / 100; };
console.log(JSON.stringify({
  bench: 'detector-flows',
  rules: set.rules.length, correlations: set.correlations.length, sigmaHq: dirs.length > 1, loadMs: Math.round(loadMs),
  events: BATCHES * PER_BATCH, iterations: ITER, alertsPerRun: runs[0]?.alerts,
  usPerEvent: median('usPerEvent'), cpuUsPerEvent: median('cpuUsPerEvent'), parseStampUs: median('parseStampUs'), evaluateUs: median('evaluateUs'),
  eventsPerSecPerCore: Math.round(1e6 / median('usPerEvent')),
}));

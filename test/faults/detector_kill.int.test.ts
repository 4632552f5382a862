// kill -9 the detector mid-stream: restarted, it resumes from the committed offsets and re-evaluates what it had
// not committed; single-event alerts are re-raised under the same deterministic ids (rule, agency, event id), so
// alerts-* holds exactly the alerts of a crash-free run, once each. Correlation state lives in memory: the detector
// snapshots it to correlation.stateFile every snapshotEverySeconds (here 1 s) and restores it on start, so a
// horizontal scan whose probes straddle the crash is still raised exactly once. What a kill -9 can still lose is
// the correlation matches committed after the last snapshot (the test places the kill in a stretch without probes,
// after a snapshot holding the early ones, and checks that it did).
// Runs on a PRIVATE stack (ports 29592-29595; services 29596, 29571-29574).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, startService, stopService, waitHealthy } from '../../cli/services.ts';
import { replayEventId } from '../../agents/inputs/jsonl_replay.ts';
import type { Alert } from '../../proto/ecs.ts';
import { agentEventId } from '../../proto/telemetry.ts';
import { buildRuleSet } from '../../detection/intel/index.ts';
import type { CorrelationSnapshot } from '../../detection/engine/index.ts';
import { Detector } from '../../detection/service/detector.ts';
import { searchDocs } from '../harness.ts';
import { kill9, privateStack, sleep, stackCmd, startPipeline, startPrivateStack, until, waitForCount, type Pipeline } from './harness.ts';

const N = 40_000;
const SCANNER = '10.250.0.1';
/**
 * Probe positions: 12 early ones (lines 101-1,201), then 10 more from line 38,801; 22 distinct destinations, the
 * threshold is 20. The stretch between is long enough for a 1 s snapshot and a kill even when the box is idle.
 */
const LATE = 38_800;
const probeNo = (i: number) => (i >= 100 && i <= 1_200 && i % 100 === 0 ? i / 100 - 1 : i >= LATE && i % 100 === 0 ? 12 + (i - LATE) / 100 : -1);
const EARLY_PROBES = 12;
/** The kill must land before the detector reaches the late probes. */
const KILL_BEFORE_EVENT = 36_000;
const HORIZONTAL_SCAN = '9d2e7a14-5c3b-4f08-b6a1-2e8f0c4d7a63';

/** Flows 1 ms apart: one in 50 to a C2 address of rules/intel/c2.txt, and the probes of one horizontal scan. */
function flows(t0: number): Record<string, unknown>[] {
  const out = [];
  for (let i = 0; i < N; i++) {
    const probe = probeNo(i);
    out.push({
      '@timestamp': new Date(t0 + i).toISOString(),
      event: { kind: 'event', category: ['network'], type: ['connection'], dataset: 'netflow.flow' },
      source: { ip: probe >= 0 ? SCANNER : `10.1.${(i >> 8) & 255}.${i & 255}`, port: 40_000 + (i % 20_000) },
      destination: { ip: probe >= 0 ? `198.19.0.${probe}` : i % 50 === 25 ? '192.0.2.66' : `198.18.${(i >> 8) & 255}.${i & 255}`, port: probe >= 0 ? 8080 : 443 },
      network: { transport: 'tcp', bytes: probe >= 0 ? 60 : 1_500, packets: probe >= 0 ? 1 : 12 },
    });
  }
  return out;
}

const stack = privateStack('detector', 29592);
const stateFile = join(mkdtempSync(join(tmpdir(), 'cirt-fault-det-state-')), 'correlation.json');
const events = flows(Date.now() - N);
let pipeline: Pipeline | undefined;

before(async () => {
  await startPrivateStack(stack);
  pipeline = await startPipeline(stack, {
    instance: 'fault-det', gatewayPort: 29596, httpPortBase: 29570, events: N,
    replay: events.map((e) => JSON.stringify(e)).join('\n') + '\n',
    detector: `correlation:\n  stateFile: ${stateFile}\n  snapshotEverySeconds: 1\n`,
  });
});

after(async () => {
  await pipeline?.stopAll();
  stackCmd(stack, 'stop');
});

/** The alerts a crash-free detector raises for these events: the same rules, in process (the oracle). */
function expectedAlerts(agency: string, replayFile: string): Alert[] {
  const set = buildRuleSet({ rulePaths: [join(ROOT, 'rules')], pipelineFiles: ['ecs-netflow.yml', 'windows-evtx.yml'].map((f) => join(ROOT, 'detection/pipelines', f)), intelPaths: [join(ROOT, 'rules/intel')] });
  assert.deepEqual(set.errors.map(String), []);
  const detector = new Detector(set.rules, { correlations: set.correlations, suppressed: set.suppressed });
  // the ids and agency the detector sees: the agent's stable replay id (file, pass 0, line), scoped by the gateway
  // to the certificate's agency and agent
  const stamped = events.map((e, i) => ({ ...e, event: { ...(e.event as object), id: eventIdOf(agency, replayFile, i) }, organization: { id: agency } }));
  return detector.evaluate(stamped as never, new Date());
}

const eventIdOf = (agency: string, replayFile: string, i: number) => agentEventId(agency, 'agent-01', replayEventId(resolve(replayFile), 0, i + 1));

interface DetectorHealth { events: number }

test('detector killed mid-stream: alerts == a crash-free run, no duplicate, the straddling scan raised once', { timeout: 360_000 }, async () => {
  const p = pipeline!;
  const det = p.detector!;
  const expected = expectedAlerts(p.agency, p.agent.env!.CIRT_REPLAY_FILES!);
  const expectedDetections = expected.filter((a) => a.rule.type === 'detection').map((a) => a.alert.id).sort();
  const expectedScans = expected.filter((a) => a.rule.id === HORIZONTAL_SCAN);
  assert.equal(expectedDetections.length, N / 50, 'the oracle: one C2-contact alert per C2 flow');
  assert.equal(expectedScans.length, 1, 'the oracle: one horizontal scan');
  assert.equal(expected.length, expectedDetections.length + 1, `the oracle raises nothing else: ${[...new Set(expected.map((a) => a.rule.name))].join(', ')}`);

  // Kill once a snapshot holds the early probes, while the detector is still before the late ones.
  let evaluated = 0;
  let probesInSnapshot = 0;
  await until(p, `a correlation snapshot holding the ${EARLY_PROBES} early probes`, async () => {
    const h = await fetch(det.healthUrl!, { signal: AbortSignal.timeout(1_000) }).then((r) => r.json() as Promise<DetectorHealth>).catch(() => undefined);
    evaluated = h?.events ?? evaluated;
    if (!existsSync(stateFile)) return false;
    const snap = JSON.parse(readFileSync(stateFile, 'utf8')) as CorrelationSnapshot;
    const key = (snap.correlations[HORIZONTAL_SCAN] ?? []).find(([, st]) => st.values[0] === SCANNER);
    probesInSnapshot = key?.[1].entries.length ?? 0;
    return probesInSnapshot === EARLY_PROBES;
  }, 60_000);
  kill9(det.name);
  await stopService(det.name, 0);
  console.log(`detector SIGKILLed after evaluating ${evaluated} of ${N} events; its last snapshot holds ${probesInSnapshot} probes`);
  assert.ok(evaluated < KILL_BEFORE_EVENT, `the kill landed before the late probes (evaluated ${evaluated} events, must be < ${KILL_BEFORE_EVENT}); make the stream slower`);
  await sleep(2_000); // the stream goes on without a detector for a moment
  startService(det);
  await waitHealthy(det, 60_000);

  await waitForCount(stack, p, p.sent, 180_000); // every flow indexed: the detector has them all in Kafka
  let alerts: Alert[] = [];
  await until(p, `${expected.length} alerts of the agency in alerts-*`, async () => {
    await fetch(`${stack.opensearchUrl}/alerts-*/_refresh`, { method: 'POST' }).catch(() => undefined);
    alerts = (await searchDocs(stack.opensearchUrl, 'alerts-*', { term: { 'organization.id': p.agency } }, 1_000)).hits as unknown as Alert[];
    return alerts.length >= expected.length;
  }, 90_000);
  await sleep(3_000); // a late duplicate or a second scan alert would show up now
  alerts = (await searchDocs(stack.opensearchUrl, 'alerts-*', { term: { 'organization.id': p.agency } }, 1_000)).hits as unknown as Alert[];
  const ids = alerts.map((a) => a.alert.id);
  console.log(`alerts: ${alerts.length} documents, ${new Set(ids).size} distinct ids, expected ${expected.length}`);
  assert.equal(new Set(ids).size, alerts.length, 'no duplicate alert documents');
  assert.deepEqual(alerts.filter((a) => a.rule.type === 'detection').map((a) => a.alert.id).sort(), expectedDetections, 'exactly the C2-contact alerts of a crash-free run');
  const scans = alerts.filter((a) => a.rule.id === HORIZONTAL_SCAN);
  assert.equal(scans.length, 1, 'the horizontal scan is raised once across the crash');
  // the window starts at the first EARLY probe: the restored snapshot, not only what came after the restart
  const firstProbe = eventIdOf(p.agency, p.agent.env!.CIRT_REPLAY_FILES!, 100);
  assert.equal((scans[0]!.events?.[0] as { event: { id: string } }).event.id, firstProbe, 'the scan window starts at the first probe, before the crash');
  assert.equal(alerts.length, expected.length, 'nothing else raised');
});

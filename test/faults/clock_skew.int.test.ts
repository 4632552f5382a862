// An agent whose clock is off: it ships events stamped 3 hours in the future and 2 days in the past (the replay
// keeps the file's timestamps: replay.shiftToNow false), next to current ones. Nothing is lost or duplicated; the
// gateway tags them `timestamp_in_future` / `timestamp_too_old` (limits.maxFutureMinutes 10 by default,
// maxPastHours set to 24 here); each event lands in the daily index of its own @timestamp, which the indexer's
// retention sweep (run again by an indexer restart) keeps; correlations run in event time: a scan 2 days ago and
// one 3 hours ahead are each raised once, and probes arriving after the detector saw the same scanner 3 hours
// "later" are late for that window: dropped from it and counted (`late`), as docs/decisions.md D15 says.
// Runs on a PRIVATE stack (ports 29792-29795; services 29796, 29771-29774).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startService, stopService, waitHealthy } from '../../cli/services.ts';
import { buildRuleSet } from '../../detection/intel/index.ts';
import { Detector } from '../../detection/service/detector.ts';
import { dailyIndex } from '../../proto/ecs.ts';
import { ROOT } from '../../cli/services.ts';
import { join } from 'node:path';
import { sentByAgency } from '../harness.ts';
import { privateStack, stackCmd, startPipeline, startPrivateStack, until, waitForCount, type Pipeline } from './harness.ts';

const HOUR = 3_600_000;
const now = Date.now();
const FUTURE = now + 3 * HOUR;
const PAST = now - 48 * HOUR;

interface Flow { t: number; src: string; dst: string; port: number; packets: number }
const flow = (f: Flow) => JSON.stringify({
  '@timestamp': new Date(f.t).toISOString(),
  event: { kind: 'event', category: ['network'], type: ['connection'], dataset: 'netflow.flow' },
  source: { ip: f.src, port: 40_000 }, destination: { ip: f.dst, port: f.port },
  network: { transport: 'tcp', bytes: f.packets * 60, packets: f.packets },
});
const plain = (t0: number, n: number, tag: number): Flow[] => Array.from({ length: n }, (_, i) => ({ t: t0 + i, src: `10.${tag}.${i >> 8}.${i & 255}`, dst: `198.18.${tag}.${i & 255}`, port: 443, packets: 12 }));
const probes = (t0: number, n: number, src: string, dstNet: number): Flow[] => Array.from({ length: n }, (_, i) => ({ t: t0 + i, src, dst: `198.19.${dstNet}.${i}`, port: 8080, packets: 1 }));

// file order = shipping order: current, 2 days ago (+ a scan), 3 h ahead (+ a scan), then the same future scanner
// again at "now" (3 h before what the detector already saw from it: late for that window)
const flows: Flow[] = [
  ...plain(now, 300, 1),
  ...plain(PAST, 300, 2), ...probes(PAST + 400, 20, '10.250.0.2', 2),
  ...plain(FUTURE, 300, 3), ...probes(FUTURE + 400, 20, '10.250.0.3', 3),
  ...probes(now + 400, 10, '10.250.0.3', 4),
];
/** The late count a detector must report for these flows: the same rules in process (the late probes are late for
 * every correlation keyed by the scanner, e.g. the horizontal scan and the fan-out). */
function expectedLate(agency: string): number {
  const set = buildRuleSet({ rulePaths: [join(ROOT, 'rules')], pipelineFiles: ['ecs-netflow.yml', 'windows-evtx.yml'].map((f) => join(ROOT, 'detection/pipelines', f)), intelPaths: [join(ROOT, 'rules/intel')] });
  const d = new Detector(set.rules, { correlations: set.correlations, suppressed: set.suppressed });
  d.evaluate(flows.map((f, i) => ({ ...JSON.parse(flow(f)), organization: { id: agency }, event: { ...JSON.parse(flow(f)).event, id: `e${i}` } })), new Date());
  return d.correlation.counters.late;
}
const tagOf = (t: number) => (t > now + 10 * 60_000 ? 'timestamp_in_future' : t < now - 24 * HOUR ? 'timestamp_too_old' : 'none');

const stack = privateStack('skew', 29792);
let pipeline: Pipeline | undefined;

before(async () => {
  await startPrivateStack(stack);
  pipeline = await startPipeline(stack, {
    instance: 'fault-skew', gatewayPort: 29796, httpPortBase: 29770, events: flows.length,
    replay: flows.map(flow).join('\n') + '\n',
    gatewayConfig: 'limits:\n  maxPastHours: 24\n',
    agentConfig: 'replay:\n  shiftToNow: false\n',
    detector: 'correlation:\n  maxKeys: 10000\n',
  });
});

after(async () => {
  await pipeline?.stopAll();
  stackCmd(stack, 'stop');
});

async function search(index: string, body: object): Promise<{ hits: { total: { value: number }; hits: { _index: string; _source: Record<string, unknown> }[] }; aggregations?: Record<string, { buckets: { key: string; doc_count: number }[] }> }> {
  await fetch(`${stack.opensearchUrl}/${index}/_refresh`, { method: 'POST' }).catch(() => undefined);
  const res = await fetch(`${stack.opensearchUrl}/${index}/_search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) assert.fail(`${index}/_search: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as never;
}

/** Documents per daily index and per gateway tag, as OpenSearch holds them for this agency. */
async function layout(agency: string): Promise<{ byIndex: Record<string, number>; byTag: Record<string, number> }> {
  const r = await search('events-*', { size: 0, query: sentByAgency(agency), aggs: { idx: { terms: { field: '_index', size: 50 } }, tags: { terms: { field: 'tags.keyword', size: 50, missing: 'none' } } } });
  const of = (name: string) => Object.fromEntries(r.aggregations![name]!.buckets.map((b) => [b.key, b.doc_count]));
  return { byIndex: of('idx'), byTag: of('tags') };
}

const countBy = (keys: string[]) => keys.reduce<Record<string, number>>((m, k) => ({ ...m, [k]: (m[k] ?? 0) + 1 }), {});

test('agent clock off by +3 h and -2 days: nothing lost or duplicated, tagged, own daily index kept, scans in event time', { timeout: 300_000 }, async () => {
  const p = pipeline!;
  const counts = await waitForCount(stack, p, flows.length, 150_000);
  assert.equal(counts.total, flows.length, 'every event indexed, once');
  assert.equal(counts.distinct, flows.length, 'event ids are distinct');

  const expected = { byIndex: countBy(flows.map((f) => dailyIndex('events', new Date(f.t).toISOString()))), byTag: countBy(flows.map((f) => tagOf(f.t))) };
  const seen = await layout(p.agency);
  console.log(`events per daily index: ${JSON.stringify(seen.byIndex)}; per gateway tag: ${JSON.stringify(seen.byTag)}`);
  assert.deepEqual(seen.byTag, expected.byTag, 'the gateway tagged exactly the skewed events');
  assert.deepEqual(seen.byIndex, expected.byIndex, 'each event is in the daily index of its own @timestamp');

  // the correlations, in event time: one scan 2 days ago, one 3 h ahead; the late probes raise nothing
  let scans: { _index: string; _source: Record<string, unknown> }[] = [];
  await until(p, 'two horizontal-scan alerts', async () => {
    scans = (await search('alerts-*', { size: 50, query: { bool: { filter: [{ term: { 'organization.id': p.agency } }] } } })).hits.hits;
    return scans.length >= 2;
  }, 60_000);
  const detectorHealth = (await fetch(p.detector!.healthUrl!).then((r) => r.json())) as { correlationState: { late: number } };
  scans = (await search('alerts-*', { size: 50, query: { bool: { filter: [{ term: { 'organization.id': p.agency } }] } } })).hits.hits;
  assert.deepEqual(scans.map((s) => (s._source.rule as { name: string }).name), ['Horizontal Port Scan', 'Horizontal Port Scan']);
  assert.deepEqual(scans.map((s) => s._index).sort(), [dailyIndex('alerts', new Date(PAST + 419).toISOString()), dailyIndex('alerts', new Date(FUTURE + 419).toISOString())].sort(), 'each scan alert is dated by its window end (event time)');
  const late = expectedLate(p.agency);
  assert.ok(late >= 10, `the oracle counts the 10 late probes at least once (${late})`);
  assert.equal(detectorHealth.correlationState.late, late, 'the probes older than the scanner\'s window are counted late, as in process');

  // retention: an indexer start sweeps the daily indices; the skewed events' indices are well within 30 days
  await stopService(p.indexer.name);
  startService(p.indexer);
  await waitHealthy(p.indexer, 60_000);
  await new Promise((r) => setTimeout(r, 3_000));
  assert.deepEqual((await layout(p.agency)).byIndex, expected.byIndex, 'the start-up retention sweep deleted none of them');
});

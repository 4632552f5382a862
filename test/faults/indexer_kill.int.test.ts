// kill -9 the indexer mid-stream: restarted, it resumes from the committed offsets; what it had written but not
// committed is written again under the same deterministic ids, so nothing is lost or duplicated.
// Runs on a PRIVATE stack (ports 29292-29295).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startService, stopService, waitHealthy } from '../../cli/services.ts';
import { countInOpenSearch, kill9, privateStack, stackCmd, startPipeline, startPrivateStack, until, waitForCount, type Pipeline } from './harness.ts';

const stack = privateStack('indexer', 29292);
let pipeline: Pipeline | undefined;

before(async () => {
  await startPrivateStack(stack);
  pipeline = await startPipeline(stack, { instance: 'fault-ix', gatewayPort: 29296, httpPortBase: 29270, events: 30_000 });
});

after(async () => {
  await pipeline?.stopAll();
  stackCmd(stack, 'stop');
});

test('indexer killed mid-stream: events sent == distinct event.id == documents', { timeout: 150_000 }, async () => {
  const p = pipeline!;
  let before = 0;
  await until(p, 'the first documents in OpenSearch', async () => (before = (await countInOpenSearch(stack, p.agency, false)).total) > 0, 30_000);
  kill9(p.indexer.name);
  await stopService(p.indexer.name, 0);
  assert.ok(before < p.sent, `the kill landed mid-stream (${before} of ${p.sent} indexed)`);
  startService(p.indexer);
  await waitHealthy(p.indexer, 30_000);
  const after = await waitForCount(stack, p, p.sent, 90_000);
  assert.equal(after.total, p.sent, 'every event sent is indexed, and only once');
  assert.equal(after.distinct, p.sent, 'event ids are distinct');
});

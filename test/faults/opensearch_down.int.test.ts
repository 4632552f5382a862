// OpenSearch down for ~20 s while events flow: the indexer reports itself degraded and waits (its consumer loop
// retries the same batch and does not read ahead, so memory stays bounded), then catches up once OpenSearch is
// back: nothing lost, nothing duplicated. Runs on a PRIVATE stack (ports 29492-29495).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { countInOpenSearch, privateStack, sleep, stackCmd, stackPid, startPipeline, startPrivateStack, until, waitForCount, type Pipeline } from './harness.ts';

const stack = privateStack('opensearch', 29492);
let pipeline: Pipeline | undefined;

before(async () => {
  await startPrivateStack(stack);
  pipeline = await startPipeline(stack, { instance: 'fault-os', gatewayPort: 29496, httpPortBase: 29470, events: 30_000 });
});

after(async () => {
  await pipeline?.stopAll();
  stackCmd(stack, 'stop');
});

const indexerHealth = (port: number) => fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.json() as Promise<{ status: string; committed: number }>);

test('OpenSearch stopped for 20 s mid-stream: the indexer waits, then events sent == distinct event.id == documents', { timeout: 150_000 }, async () => {
  const p = pipeline!;
  let before = 0;
  await until(p, 'the first documents in OpenSearch', async () => (before = (await countInOpenSearch(stack, p.agency, false)).total) > 0, 30_000);
  process.kill(stackPid(stack, 'opensearch'), 'SIGKILL');
  assert.ok(before < p.sent, `the fault landed mid-stream (${before} of ${p.sent} indexed)`);
  await sleep(5_000);
  const down1 = await indexerHealth(29473);
  await sleep(15_000);
  const down2 = await indexerHealth(29473);
  assert.equal(down2.status, 'degraded', 'the indexer reports the store down');
  assert.equal(down2.committed, down1.committed, 'no offsets are committed while nothing can be written');
  stackCmd(stack, 'start'); // starts only what is down: OpenSearch
  const after = await waitForCount(stack, p, p.sent, 90_000);
  assert.equal(after.total, p.sent, 'every event sent is indexed, and only once');
  assert.equal(after.distinct, p.sent, 'event ids are distinct');
  assert.equal((await indexerHealth(29473)).status, 'ok');
});

// Kafka restarted mid-stream: the gateway's producer (recreated after the failed requests) and the indexer's
// consumer recover on their own; the agent re-sends what was not acknowledged: nothing lost, nothing duplicated.
// Runs on a PRIVATE stack (ports 29392-29395).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { privateStack, sleep, stackCmd, stackPid, startPipeline, startPrivateStack, until, waitForCount, type Pipeline } from './harness.ts';

const stack = privateStack('kafka', 29392);
let pipeline: Pipeline | undefined;

before(async () => {
  await startPrivateStack(stack);
  pipeline = await startPipeline(stack, { instance: 'fault-kf', gatewayPort: 29396, httpPortBase: 29370, events: 30_000 });
});

after(async () => {
  await pipeline?.stopAll();
  stackCmd(stack, 'stop');
});

test('Kafka restarted mid-stream: events sent == distinct event.id == documents', { timeout: 150_000 }, async () => {
  const p = pipeline!;
  let batches = 0;
  await until(p, 'the gateway to take its first batches', async () => (batches = await p.gatewayBatches()) >= 5, 30_000);
  process.kill(stackPid(stack, 'kafka'), 'SIGTERM');
  await until(p, 'Kafka to stop', async () => {
    try {
      process.kill(stackPid(stack, 'kafka'), 0);
      return false;
    } catch {
      return true;
    }
  }, 40_000);
  await sleep(3_000);
  stackCmd(stack, 'start'); // starts only what is down: Kafka
  const after = await waitForCount(stack, p, p.sent, 100_000);
  assert.ok(batches * 100 < p.sent, 'the restart landed mid-stream');
  assert.equal(after.total, p.sent, 'every event sent is indexed, and only once');
  assert.equal(after.distinct, p.sent, 'event ids are distinct');
});

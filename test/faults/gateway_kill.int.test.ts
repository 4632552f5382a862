// kill -9 the gateway while an agent streams: the agent reconnects to the restarted gateway and re-sends what was
// not acknowledged; nothing is lost and nothing is indexed twice. Runs on a PRIVATE stack (ports 29192-29195).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startService, stopService, waitHealthy } from '../../cli/services.ts';
import { kill9, privateStack, stackCmd, startPipeline, startPrivateStack, until, waitForCount, type Pipeline } from './harness.ts';

const stack = privateStack('gateway', 29192);
let pipeline: Pipeline | undefined;

before(async () => {
  await startPrivateStack(stack);
  pipeline = await startPipeline(stack, { instance: 'fault-gw', gatewayPort: 29196, httpPortBase: 29170, events: 30_000 });
});

after(async () => {
  await pipeline?.stopAll();
  stackCmd(stack, 'stop');
});

test('gateway killed mid-stream: events sent == distinct event.id == documents', { timeout: 150_000 }, async () => {
  const p = pipeline!;
  await until(p, 'the gateway to take its first batches', async () => (await p.gatewayBatches()) >= 5, 30_000);
  kill9(p.gateway.name);
  await stopService(p.gateway.name, 0); // clears the pid file of the dead process
  startService(p.gateway);
  await waitHealthy(p.gateway, 30_000);
  await until(p, 'the agent to reconnect and ship to the new gateway', async () => (await p.gatewayBatches()) > 0, 30_000);
  const after = await waitForCount(stack, p, p.sent, 90_000);
  assert.equal(after.total, p.sent, 'every event sent is indexed, and only once');
  assert.equal(after.distinct, p.sent, 'event ids are distinct');
});

// Agent disk full, end to end through the real processes: the agent's spool lives on a 1 MiB tmpfs mounted for the
// test, and the gateway is down, so the spool grows until the filesystem is full (ENOSPC, long before
// spool.maxBytes). The agent must stay up, say so (/healthz `degraded` with ERR_SPOOL_DISK_FULL, the Prometheus
// counter agent_spool_write_errors_total{code="ERR_SPOOL_DISK_FULL"}), and pause its input (whenFull: block): nothing
// is dropped. Then the gateway starts, acknowledgements free segments, the input resumes, and every event arrives
// in events-* exactly once. Shared stack; gateway 22817, health 22831/22833, agent 22834; a fresh agency.
// Needs root (mount -t tmpfs): the test fails, it does not skip, when it cannot mount.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pipelineServices, runningPid, startService, stopService, waitHealthy, type Endpoints, type ServiceSpec } from '../../cli/services.ts';
import { requireKafka, requireOpenSearch } from '../../proto/testing/preflight.ts';
import { agencyCerts, agentSpec, serviceLogs, startGroupsAtEnd, syntheticFlows, waitForEvents } from '../harness.ts';

const N = 8_000; // ~2.9 MB in the spool: about three times what the tmpfs holds
const TMPFS = '1m';
const ep: Endpoints = {
  kafkaBrokers: process.env.CIRT_KAFKA_BROKERS ?? '127.0.0.1:19092',
  opensearchUrl: process.env.CIRT_OPENSEARCH_URL ?? 'http://127.0.0.1:19200',
  gatewayPort: 22817,
  uiPort: 22801, // not started
  httpPortBase: 22830,
};
const agency = `dfull${randomBytes(3).toString('hex')}`;
const work = mkdtempSync(join(tmpdir(), 'cirt-diskfull-'));
const certs = join(work, 'certs');
const spoolDir = join(work, 'spool');
let mounted = false;
let services: ServiceSpec[] = [];
let gateway: ServiceSpec;
let agent: ServiceSpec;

before(async () => {
  mkdirSync(spoolDir);
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS}`, 'tmpfs', spoolDir], { encoding: 'utf8' });
  assert.equal(m.status, 0, `cannot mount a ${TMPFS} tmpfs on ${spoolDir} (this test needs root and mount(8)): ${m.stderr || m.error?.message}`);
  mounted = true;
  await requireKafka(ep.kafkaBrokers);
  await requireOpenSearch(ep.opensearchUrl);
  await startGroupsAtEnd(ep.kafkaBrokers, 'diskfull');
  agencyCerts(certs, agency);
  const replay = join(work, 'flows.jsonl');
  writeFileSync(replay, syntheticFlows(N));
  const config = join(work, 'agent.yml');
  // spool.maxBytes stays at its 1 GiB default: the filesystem fills first. Small segments, so acks free space soon.
  writeFileSync(config, 'agentId: agent-01\nshipping:\n  maxBatchEvents: 100\n  maxInflightBatches: 1\n  flushMs: 50\nspool:\n  segmentBytes: 65536\n  whenFull: block\n');
  const all = pipelineServices(ep, { demoAgent: false, instance: 'diskfull', certsDir: certs });
  gateway = all.find((s) => s.name.startsWith('gateway-'))!;
  const indexer = all.find((s) => s.name.startsWith('indexer-'))!;
  indexer.env = { ...indexer.env, CIRT_INDEX_TELEMETRY: 'true' };
  startService(indexer);
  await waitHealthy(indexer, 60_000);
  agent = agentSpec({ name: 'agent-diskfull', agency, certs, gatewayPort: ep.gatewayPort, replay, spoolDir, httpPort: ep.httpPortBase + 4, config });
  services = [indexer, gateway, agent];
});

after(async () => {
  for (const s of [...services].reverse()) await stopService(s.name);
  if (mounted) {
    const u = spawnSync('umount', [spoolDir], { encoding: 'utf8' });
    if (u.status !== 0) console.error(`umount ${spoolDir} failed: ${u.stderr}`);
  }
  rmSync(work, { recursive: true, force: true });
});

interface AgentHealth {
  status: string;
  spool: { backlogBytes: number; droppedFull: number; fullRefusals: number; writeErrors: number; diskFullErrors: number; lastWriteError?: string };
  shipper: { acked: number };
  inputs: { received: number; spooled: number; rejected: Record<string, number>; checkpoint_errors?: number }[];
}
const health = () => fetch(agent.healthUrl!, { signal: AbortSignal.timeout(2_000) }).then((r) => r.json() as Promise<AgentHealth>);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dfUsed = () => spawnSync('df', ['--output=used,size', '-B1', spoolDir], { encoding: 'utf8' }).stdout.trim().split('\n').pop()!.trim().split(/\s+/).map(Number);

test(`spool on a full filesystem, gateway down: the agent pauses its input, reports ERR_SPOOL_DISK_FULL, then delivers all ${N.toLocaleString('en')} events once`, { timeout: 300_000 }, async () => {
  const logs = () => serviceLogs(services);
  const { pid } = startService(agent);
  await waitHealthy(agent, 60_000);

  // 1. the gateway is down: the spool grows until the filesystem refuses
  let h: AgentHealth | undefined;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    h = await health().catch(() => undefined);
    if (h && h.spool.diskFullErrors > 0) break;
    assert.ok(runningPid(agent.name), `the agent exited while its spool filled up\n${logs()}`);
    await sleep(200);
  }
  assert.ok(h && h.spool.diskFullErrors > 0, `no ERR_SPOOL_DISK_FULL within 90 s\n${logs()}`);
  assert.equal(h.status, 'degraded');
  assert.equal(h.spool.lastWriteError, 'ERR_SPOOL_DISK_FULL');
  const metrics = await fetch(`http://127.0.0.1:${ep.httpPortBase + 4}/metrics`).then((r) => r.text());
  assert.match(metrics, /^agent_spool_write_errors_total\{[^}]*code="ERR_SPOOL_DISK_FULL"[^}]*\} [1-9]/m);
  const [used, size] = dfUsed();
  const paused = h.inputs[0]!.spooled;
  assert.ok(paused > 0 && paused < N, `part of the replay is spooled when the disk is full (${paused} of ${N})`);
  console.log(`disk full: tmpfs ${used} of ${size} bytes used, ${paused} of ${N} events spooled, ${h.spool.diskFullErrors} ENOSPC appends so far`);

  // 2. the input is paused, not dropping: nothing more is spooled, nothing rejected, the agent stays up
  await sleep(5_000);
  const still = await health();
  assert.equal(still.inputs[0]!.spooled, paused, 'the input is paused while the disk is full');
  assert.ok(still.inputs[0]!.received - paused <= 1, 'at most the one event waiting for the spool has been read');
  assert.deepEqual(still.inputs[0]!.rejected, {}, 'nothing refused');
  assert.equal(still.spool.droppedFull, 0, 'nothing dropped (whenFull: block)');
  assert.ok(still.spool.diskFullErrors > h.spool.diskFullErrors, 'the agent keeps retrying the append');
  assert.equal(runningPid(agent.name), pid, 'the agent did not crash');

  // 3. the gateway comes back: acks free segments, the input resumes, everything arrives once
  startService(gateway);
  await waitHealthy(gateway, 60_000);
  const { total, distinct } = await waitForEvents(ep.opensearchUrl, agency, N, { timeoutMs: 180_000, stallMs: 60_000 });
  const end = await health();
  console.log(`after the gateway returned: ${total} documents, ${distinct} distinct event.id; agent: ${JSON.stringify({ spooled: end.inputs[0]!.spooled, acked: end.shipper.acked, spool: end.spool, checkpointErrors: end.inputs[0]!.checkpoint_errors })}`);
  assert.equal(end.inputs[0]!.spooled, N, 'every event was accepted into the spool in the end (none refused)');
  assert.equal(total, N, `events-* holds ${total} of the ${N} accepted events\n${logs()}`);
  assert.equal(distinct, N, 'no duplicate');
  assert.equal(end.spool.droppedFull, 0);
  assert.equal(end.spool.lastWriteError, undefined, 'the condition cleared');
  assert.equal(runningPid(agent.name), pid, 'the same agent process did it all');
});

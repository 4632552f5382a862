// Shared pieces of the fault tests: a PRIVATE stack (own CIRT_STACK_DIR and ports, never the shared one on
// 19092/19200), the pipeline's real gateway + indexer processes pointed at it, a real agent replaying a file in a
// loop, and the count that every fault test asserts: events sent == distinct event.id in OpenSearch == total docs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logFile, pipelineServices, ROOT, startService, stopService, tail, waitHealthy, type ServiceSpec } from '../../cli/services.ts';
import { requireKafka, requireOpenSearch } from '../../proto/testing/preflight.ts';
import { agencyCerts, agentSpec, countEvents, syntheticFlows } from '../harness.ts';

export interface PrivateStack {
  dir: string;
  kafkaPort: number;
  opensearchPort: number;
  brokers: string;
  opensearchUrl: string;
  env: Record<string, string>;
}

/** Ports base+0..3: Kafka, its controller, OpenSearch, its transport. */
export function privateStack(name: string, base: number): PrivateStack {
  const s = { dir: `/var/lib/cirt-stack/faults-${name}`, kafkaPort: base, opensearchPort: base + 2 };
  return {
    ...s,
    brokers: `127.0.0.1:${base}`,
    opensearchUrl: `http://127.0.0.1:${base + 2}`,
    env: {
      CIRT_STACK_DIR: s.dir,
      CIRT_KAFKA_PORT: String(base),
      CIRT_KAFKA_CONTROLLER_PORT: String(base + 1),
      CIRT_OPENSEARCH_PORT: String(base + 2),
      CIRT_OPENSEARCH_TRANSPORT_PORT: String(base + 3),
      CIRT_STACK_TIMEOUT: '90',
    },
  };
}

/** stack.sh on the private instance; `stop` and `start` are what the Kafka/OpenSearch faults use. */
export function stackCmd(stack: PrivateStack, ...args: string[]): void {
  const r = spawnSync('bash', [join(ROOT, 'stack/stack.sh'), ...args], { cwd: ROOT, env: { ...process.env, ...stack.env }, encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`private stack (${stack.dir}): stack.sh ${args.join(' ')} failed (exit ${r.status}):\n${(r.stdout + r.stderr).slice(-2000)}`);
}

export async function startPrivateStack(stack: PrivateStack): Promise<void> {
  stackCmd(stack, 'start');
  await requireKafka(stack.brokers);
  await requireOpenSearch(stack.opensearchUrl);
}

/** The kill -9 of a component: no shutdown hook runs. */
export function kill9(name: string): void {
  const pidPath = join(ROOT, '.stack/run', `${name}.pid`);
  assert.ok(existsSync(pidPath), `${name} is not running`);
  process.kill(Number(readFileSync(pidPath, 'utf8')), 'SIGKILL');
}

/** The Java process of one private-stack service (Kafka or OpenSearch), by its pid file. */
export function stackPid(stack: PrivateStack, service: 'kafka' | 'opensearch'): number {
  return Number(readFileSync(join(stack.dir, service, `${service}.pid`), 'utf8'));
}

export interface Pipeline {
  agency: string;
  services: ServiceSpec[];
  gateway: ServiceSpec;
  indexer: ServiceSpec;
  /** Only when startPipeline was asked for one (`detector`). */
  detector?: ServiceSpec;
  agent: ServiceSpec;
  /** Events in the agent's replay file: what it must deliver. */
  sent: number;
  /** Batches the (current) gateway process has taken in, from its /metrics. */
  gatewayBatches(): Promise<number>;
  logs(): string;
  stopAll(): Promise<void>;
}

/**
 * Gateway + indexer (real processes) on the private stack, and an agent that replays `events` flows once, in small
 * batches with one in flight (so a fault lands mid-stream). Instance names carry `instance` so nothing collides
 * with npm start or the e2e tests; HTTP ports are httpPortBase+1..4. `replay` replaces the synthetic flows (JSON
 * lines, `events` of them); `detector` also starts the detector, with this YAML as its config file; `gatewayConfig`
 * is the gateway's config file; `agentConfig` is appended to the agent's.
 */
export async function startPipeline(stack: PrivateStack, opts: { instance: string; gatewayPort: number; httpPortBase: number; events: number; replay?: string; detector?: string; gatewayConfig?: string; agentConfig?: string }): Promise<Pipeline> {
  const work = mkdtempSync(join(tmpdir(), `cirt-fault-${opts.instance}-`));
  const certs = join(work, 'certs');
  const agency = `f${opts.instance.replace(/[^a-z0-9]/g, '')}${randomBytes(3).toString('hex')}`;
  agencyCerts(certs, agency);
  const replay = join(work, 'flows.jsonl');
  writeFileSync(replay, opts.replay ?? syntheticFlows(opts.events, 443));
  const agentConfig = join(work, 'agent.yml');
  writeFileSync(agentConfig, 'shipping:\n  maxBatchEvents: 100\n  maxInflightBatches: 1\n' + (opts.agentConfig ?? ''));
  const all = pipelineServices(
    { kafkaBrokers: stack.brokers, opensearchUrl: stack.opensearchUrl, gatewayPort: opts.gatewayPort, uiPort: 0, httpPortBase: opts.httpPortBase },
    { demoAgent: false, instance: opts.instance, certsDir: certs },
  );
  const gateway = all.find((s) => s.name.startsWith('gateway'))!;
  const indexer = all.find((s) => s.name.startsWith('indexer'))!;
  indexer.env = { ...indexer.env, CIRT_INDEX_TELEMETRY: 'true' }; // the counted documents are the raw events
  if (opts.gatewayConfig !== undefined) {
    writeFileSync(join(work, 'gateway.yml'), opts.gatewayConfig);
    gateway.args = [join(work, 'gateway.yml')];
  }
  const detector = opts.detector !== undefined ? all.find((s) => s.name.startsWith('detector'))! : undefined;
  if (detector) {
    writeFileSync(join(work, 'detector.yml'), opts.detector!);
    detector.args = [join(work, 'detector.yml')];
  }
  const agent = agentSpec({ name: `agent-${opts.instance}`, agency, certs, gatewayPort: opts.gatewayPort, replay, spoolDir: join(work, 'spool'), httpPort: opts.httpPortBase + 4, config: agentConfig });
  const services = detector ? [gateway, detector, indexer] : [gateway, indexer];
  for (const s of services) {
    startService(s);
    await waitHealthy(s, 60_000);
  }
  startService(agent);
  services.push(agent);
  return {
    agency,
    services,
    gateway,
    indexer,
    ...(detector ? { detector } : {}),
    agent,
    sent: opts.events,
    async gatewayBatches() {
      const text = await fetch(`http://127.0.0.1:${opts.httpPortBase + 1}/metrics`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.text()).catch(() => '');
      let n = 0;
      for (const line of text.split('\n')) if (/^cirt_gateway_batches_total\{[^}]*outcome="ok"/.test(line)) n += Number(line.split(' ').pop());
      return n;
    },
    logs: () => services.map((s) => `--- ${s.name}\n${tail(logFile(s.name), 10)}`).join('\n'),
    async stopAll() {
      for (const s of [...services].reverse()) await stopService(s.name, 15_000);
    },
  };
}

/** Polls until `cond` holds (every 50 ms) or fails after timeoutMs with `what` and the services' logs. */
export async function until(p: Pipeline, what: string, cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await sleep(50);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${p.logs()}`);
}

/** Documents of the agency in events-*, and distinct event.id (exact). */
export function countInOpenSearch(stack: PrivateStack, agency: string, withDistinct = true): Promise<{ total: number; distinct: number }> {
  return countEvents(stack.opensearchUrl, agency, withDistinct);
}

/** Waits until OpenSearch holds `expected` documents of the agency (or the timeout), then returns the counts. */
export async function waitForCount(stack: PrivateStack, p: Pipeline, expected: number, timeoutMs: number): Promise<{ total: number; distinct: number }> {
  const deadline = Date.now() + timeoutMs;
  let last = { total: 0, distinct: 0 };
  while (Date.now() < deadline) {
    last = await countInOpenSearch(stack, p.agency, false).catch(() => last);
    if (last.total >= expected) {
      await sleep(2_000); // a late duplicate would show up now
      return countInOpenSearch(stack, p.agency);
    }
    await sleep(1_000);
  }
  throw new Error(`OpenSearch has ${last.total} of ${expected} events after ${timeoutMs} ms\n${p.logs()}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

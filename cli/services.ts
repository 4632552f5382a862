// Starts and stops the pipeline's services as background processes (logs in .stack/logs/, pids in .stack/run/).
// Used by `cirt start|stop|status` (npm start / npm stop) and by the end-to-end tests.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
export const STATE_DIR = join(ROOT, '.stack');

export interface ServiceSpec {
  name: string;
  entry: string;
  args?: string[];
  env?: Record<string, string>;
  /** URL answering 200 once the service is ready. */
  healthUrl?: string;
  /** Node options before the entry (e.g. the agent's smaller young generation). */
  nodeArgs?: string[];
}

/**
 * The agent's Node options: a 2 MiB young generation instead of 16 MiB takes ~50 MB off its RSS at 10k events/s at no
 * measurable throughput cost (bench/README.md "Agent RSS"); agencies run it next to their own systems.
 */
export const AGENT_NODE_ARGS = ['--max-semi-space-size=2'];

export interface Endpoints {
  kafkaBrokers: string;
  opensearchUrl: string;
  gatewayPort: number;
  uiPort: number;
  httpPortBase: number;
}

export const DEFAULT_ENDPOINTS: Endpoints = {
  kafkaBrokers: process.env.CIRT_KAFKA_BROKERS ?? '127.0.0.1:19092',
  opensearchUrl: process.env.CIRT_OPENSEARCH_URL ?? 'http://127.0.0.1:19200',
  gatewayPort: Number(process.env.CIRT_GATEWAY_PORT ?? 4317),
  uiPort: Number(process.env.CIRT_UI_PORT ?? 5601),
  httpPortBase: Number(process.env.CIRT_HTTP_PORT_BASE ?? 9100),
};

/** The whole pipeline: gateway, detector, indexer, operations room, and (optionally) the demo agent. */
export function pipelineServices(ep: Endpoints, opts: { demoAgent: boolean; instance?: string; certsDir: string; agentReplayFiles?: string[] }): ServiceSpec[] {
  const suffix = opts.instance ? `-${opts.instance}` : '';
  const common = { CIRT_KAFKA_BROKERS: ep.kafkaBrokers, CIRT_OPENSEARCH_URL: ep.opensearchUrl };
  const http = (n: number) => String(ep.httpPortBase + n);
  const services: ServiceSpec[] = [
    {
      name: `gateway${suffix}`,
      entry: 'ingest/gateway/main.ts',
      env: { ...common, CIRT_GATEWAY_PORT: String(ep.gatewayPort), CIRT_GATEWAY_HTTP_PORT: http(1), CIRT_GATEWAY_TLS_CA: join(opts.certsDir, 'ca.crt'), CIRT_GATEWAY_TLS_CERT: join(opts.certsDir, 'gateway.crt'), CIRT_GATEWAY_TLS_KEY: join(opts.certsDir, 'gateway.key') },
      healthUrl: `http://127.0.0.1:${http(1)}/healthz`,
    },
    {
      name: `detector${suffix}`,
      entry: 'detection/service/main.ts',
      env: { ...common, CIRT_DETECTOR_HTTP_PORT: http(2), CIRT_DETECTOR_GROUP: `cirt-detector${suffix}` },
      healthUrl: `http://127.0.0.1:${http(2)}/healthz`,
    },
    {
      name: `indexer${suffix}`,
      entry: 'ingest/indexer/main.ts',
      env: { ...common, CIRT_INDEXER_HTTP_PORT: http(3), CIRT_INDEXER_GROUP: `cirt-indexer${suffix}` },
      healthUrl: `http://127.0.0.1:${http(3)}/healthz`,
    },
    {
      name: `ui${suffix}`,
      entry: 'ui-plugin/standalone/main.ts',
      env: { ...common, CIRT_UI_PORT: String(ep.uiPort) },
      healthUrl: `http://127.0.0.1:${ep.uiPort}/api/cirt/health`,
    },
  ];
  if (opts.demoAgent) {
    services.push({
      name: `agent${suffix}`,
      entry: 'agents/main.ts',
      nodeArgs: AGENT_NODE_ARGS,
      env: {
        CIRT_AGENT_ID: 'agent-01',
        CIRT_GATEWAY_ADDRESS: `127.0.0.1:${ep.gatewayPort}`,
        CIRT_AGENT_CA: join(opts.certsDir, 'ca.crt'),
        CIRT_AGENT_CERT: join(opts.certsDir, 'mofa.agent-01.crt'),
        CIRT_AGENT_KEY: join(opts.certsDir, 'mofa.agent-01.key'),
        CIRT_AGENT_SPOOL_DIR: join(STATE_DIR, 'spool', `agent${suffix}`),
        // the demo replays its file on every start (a real agent resumes where it stopped)
        CIRT_REPLAY_RESUME: 'false',
        CIRT_AGENT_HTTP_PORT: http(4),
        CIRT_REPLAY_FILES: (opts.agentReplayFiles ?? [join(ROOT, 'agents/demo/demo-events.jsonl')]).join(','),
      },
    });
  }
  return services;
}

const pidFile = (name: string) => join(STATE_DIR, 'run', `${name}.pid`);
export const logFile = (name: string) => join(STATE_DIR, 'logs', `${name}.log`);

export function runningPid(name: string): number | undefined {
  if (!existsSync(pidFile(name))) return undefined;
  const pid = Number(readFileSync(pidFile(name), 'utf8'));
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    rmSync(pidFile(name), { force: true });
    return undefined;
  }
}

export function startService(spec: ServiceSpec): { pid: number; started: boolean } {
  const existing = runningPid(spec.name);
  if (existing) return { pid: existing, started: false };
  mkdirSync(join(STATE_DIR, 'run'), { recursive: true });
  mkdirSync(join(STATE_DIR, 'logs'), { recursive: true });
  const out = openSync(logFile(spec.name), 'a');
  const child = spawn(process.execPath, [...(spec.nodeArgs ?? []), '--import', 'tsx', join(ROOT, spec.entry), ...(spec.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, ...spec.env },
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();
  writeFileSync(pidFile(spec.name), String(child.pid));
  return { pid: child.pid!, started: true };
}

/** SIGTERM, wait up to graceMs for a clean exit, then SIGKILL. */
export async function stopService(name: string, graceMs = 15_000): Promise<boolean> {
  const pid = runningPid(name);
  if (!pid) return false;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && alive(pid)) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(pidFile(name), { force: true });
  return true;
}

export async function waitHealthy(spec: ServiceSpec, timeoutMs: number): Promise<void> {
  if (!spec.healthUrl) return;
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!runningPid(spec.name)) throw new Error(`${spec.name} exited during start-up; see ${logFile(spec.name)}:\n${tail(logFile(spec.name), 15)}`);
    try {
      const res = await fetch(spec.healthUrl, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      last = `HTTP ${res.status} ${await res.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(300);
  }
  throw new Error(`${spec.name} not healthy after ${timeoutMs} ms at ${spec.healthUrl} (${last}); see ${logFile(spec.name)}`);
}

export function tail(file: string, lines: number): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs stack/stack.sh SUBCOMMAND, streaming its output; returns its exit code. */
export function stack(subcommand: 'start' | 'stop' | 'status', quiet = false): number {
  return spawnSync('bash', [join(ROOT, 'stack/stack.sh'), subcommand], { cwd: ROOT, stdio: quiet ? 'ignore' : 'inherit' }).status ?? 1;
}

export function ensureCerts(dir: string): void {
  const r = spawnSync('bash', [join(ROOT, 'scripts/dev-certs.sh'), dir], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dev certificates could not be made: ${r.stderr}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

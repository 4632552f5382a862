// What the end-to-end (test/e2e) and fault (test/faults) tests share: synthetic traffic, per-run agency
// certificates, the agent's process spec, and exact counts of what reached OpenSearch.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Consumer } from '@platformatic/kafka';
import { TOPICS } from '../proto/ecs.ts';
import { loadGatewayConfig } from '../ingest/gateway/config.ts';
import { AGENT_NODE_ARGS, ROOT, ensureCerts, logFile, pipelineServices, startService, tail, waitHealthy, type Endpoints, type ServiceSpec } from '../cli/services.ts';

/** N flow events as JSON lines, 1 ms apart ending now; destinations in 198.18.0.0/15 (RFC 2544: no intel list has them). */
export function syntheticFlows(n: number, port?: number): string {
  const t0 = Date.now() - n;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(JSON.stringify({
      '@timestamp': new Date(t0 + i).toISOString(),
      event: { kind: 'event', category: ['network'], type: ['connection'], dataset: 'netflow.flow' },
      source: { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 1024 + (i % 60000) },
      destination: { ip: `198.18.${(i >> 8) & 255}.${i & 255}`, port: port ?? [53, 80, 443, 22][i % 4] },
      network: { transport: 'tcp', bytes: 100 + i, packets: 1 + (i % 50) },
    }));
  }
  return lines.join('\n') + '\n';
}

/** The dev CA and gateway certificate in `dir`, plus a client certificate for `<agency>:agent-01`. */
export function agencyCerts(dir: string, agency: string): void {
  ensureCerts(dir);
  const r = spawnSync('bash', [join(ROOT, 'scripts/dev-certs.sh'), dir, `${agency}:agent-01`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

/** The real agent (agents/main.ts) of `<agency>:agent-01`, replaying `replay` to the gateway at `gatewayPort`. */
export function agentSpec(o: { name: string; agency: string; certs: string; gatewayPort: number; replay: string; spoolDir: string; httpPort?: number; config?: string }): ServiceSpec {
  return {
    name: o.name,
    entry: 'agents/main.ts',
    nodeArgs: AGENT_NODE_ARGS,
    args: o.config ? ['--config', o.config] : [],
    env: {
      CIRT_AGENT_ID: 'agent-01',
      CIRT_GATEWAY_ADDRESS: `127.0.0.1:${o.gatewayPort}`,
      CIRT_AGENT_CA: join(o.certs, 'ca.crt'),
      CIRT_AGENT_CERT: join(o.certs, `${o.agency}.agent-01.crt`),
      CIRT_AGENT_KEY: join(o.certs, `${o.agency}.agent-01.key`),
      CIRT_AGENT_SPOOL_DIR: o.spoolDir,
      CIRT_REPLAY_FILES: o.replay,
      ...(o.httpPort !== undefined ? { CIRT_AGENT_HTTP_PORT: String(o.httpPort) } : {}),
    },
    ...(o.httpPort !== undefined ? { healthUrl: `http://127.0.0.1:${o.httpPort}/healthz` } : {}),
  };
}

export function serviceLogs(services: ServiceSpec[], lines = 8): string {
  return services.map((s) => `--- ${s.name}\n${tail(logFile(s.name), lines)}`).join('\n');
}

async function searchEvents(opensearchUrl: string, body: object): Promise<{ hits?: { total: { value: number } }; aggregations?: { ids: { buckets: unknown[]; after_key?: object } } } | undefined> {
  const res = await fetch(`${opensearchUrl}/events-*/_search?ignore_unavailable=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`events-*/_search: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as never;
}

/** The events an agency's agents sent, without the agents' own health heartbeats (event.dataset cirt.agent_health). */
export function sentByAgency(agency: string): object {
  return { bool: { filter: [{ term: { 'organization.id': agency } }], must_not: [{ term: { 'event.dataset': 'cirt.agent_health' } }] } };
}

/** Documents the agency sent in events-*, and distinct event.id (exact: a composite aggregation, paged). */
export async function countEvents(opensearchUrl: string, agency: string, withDistinct = true): Promise<{ total: number; distinct: number }> {
  await fetch(`${opensearchUrl}/events-*/_refresh?ignore_unavailable=true`, { method: 'POST', signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
  const query = sentByAgency(agency);
  const total = (await searchEvents(opensearchUrl, { size: 0, track_total_hits: true, query }))?.hits?.total.value ?? 0;
  if (!withDistinct) return { total, distinct: -1 };
  let distinct = 0;
  let after: object | undefined;
  for (;;) {
    const page = await searchEvents(opensearchUrl, { size: 0, query, aggs: { ids: { composite: { size: 10_000, sources: [{ id: { terms: { field: 'event.id' } } }], ...(after ? { after } : {}) } } } });
    const buckets = page?.aggregations?.ids.buckets ?? [];
    distinct += buckets.length;
    after = page?.aggregations?.ids.after_key;
    if (buckets.length === 0 || !after) return { total, distinct };
  }
}

/**
 * Waits until events-* holds `expected` documents of the agency, giving up after timeoutMs or when the count has not
 * moved for stallMs; then waits a little for a late duplicate and returns the exact counts.
 */
export async function waitForEvents(opensearchUrl: string, agency: string, expected: number, o: { timeoutMs: number; stallMs?: number }): Promise<{ total: number; distinct: number }> {
  const deadline = Date.now() + o.timeoutMs;
  let last = -1;
  let movedAt = Date.now();
  while (Date.now() < deadline) {
    const { total } = await countEvents(opensearchUrl, agency, false).catch(() => ({ total: last }));
    if (total >= expected) break;
    if (total !== last) {
      last = total;
      movedAt = Date.now();
    } else if (o.stallMs !== undefined && Date.now() - movedAt > o.stallMs) break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  await new Promise((r) => setTimeout(r, 2_000));
  return countEvents(opensearchUrl, agency);
}

/**
 * Starts an instance's consumer groups (cirt-detector-<instance>, cirt-indexer-<instance>, as cli/services.ts names
 * them) at the end of the shared topics: a fresh group would first read everything earlier tests wrote to the
 * shared Kafka (fallback 'earliest'), which only slows the test down and makes its timing depend on history.
 */
export async function startGroupsAtEnd(brokers: string, instance: string): Promise<void> {
  const groups: [string, string[]][] = [
    [`cirt-detector-${instance}`, [TOPICS.flows, TOPICS.logs]],
    [`cirt-indexer-${instance}`, [TOPICS.alerts, TOPICS.flows, TOPICS.logs]],
  ];
  for (const [groupId, topics] of groups) {
    const consumer = new Consumer({ clientId: `cirt-test-${instance}`, groupId, bootstrapBrokers: brokers.split(','), timeout: 10_000, sessionTimeout: 10_000, heartbeatInterval: 1_000, rebalanceTimeout: 15_000 });
    try {
      const stream = await consumer.consume({ topics, mode: 'latest', autocommit: false });
      const ends = await consumer.listOffsets({ topics });
      const offsets = [...ends.entries()].flatMap(([topic, parts]) => parts.map((offset, partition) => ({ topic, partition, offset, leaderEpoch: -1 })));
      await consumer.commit({ offsets });
      await stream.close();
    } finally {
      await consumer.close().catch(() => undefined);
    }
  }
}

/** Up to `size` documents of `index` matching `query`, oldest first; an index that does not exist yet is empty. */
export async function searchDocs(opensearchUrl: string, index: string, query: object, size = 200): Promise<{ total: number; hits: Record<string, unknown>[] }> {
  const res = await fetch(`${opensearchUrl}/${index}/_search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ size, query, sort: [{ '@timestamp': 'asc' }] }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status === 404) return { total: 0, hits: [] };
  assert.equal(res.status, 200, `search ${index}: HTTP ${res.status}`);
  const body = (await res.json()) as { hits: { total: { value: number }; hits: { _source: Record<string, unknown> }[] } };
  return { total: body.hits.total.value, hits: body.hits.hits.map((h) => h._source) };
}

/** Polls `fn` every second until it returns a value; on timeout fails with `what` and the services' logs. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, services: ServiceSpec[]): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new Error(`timed out waiting for ${what}\n${serviceLogs(services)}`);
}

/** Config of a gateway run in-process by a test or a bench: an ephemeral port and the dev certificates in `certs`. */
export function devGatewayConfig(certs: string, overrides: Record<string, unknown> = {}): ReturnType<typeof loadGatewayConfig> {
  return loadGatewayConfig(undefined, {
    'listen.port': 0,
    'tls.ca': join(certs, 'ca.crt'),
    'tls.cert': join(certs, 'gateway.crt'),
    'tls.key': join(certs, 'gateway.key'),
    ...overrides,
  });
}

/**
 * The pipeline's gateway, detector and indexer (not the UI) of one test instance, each started and healthy. Each spec
 * goes into `started` before it starts, so the test's `after` stops whatever did start when one fails.
 */
export async function startBackend(ep: Endpoints, instance: string, certs: string, started: ServiceSpec[]): Promise<void> {
  const backend = pipelineServices(ep, { demoAgent: false, instance, certsDir: certs }).filter((s) => !s.name.startsWith('ui-'));
  for (const s of backend) {
    started.push(s);
    startService(s);
    await waitHealthy(s, 60_000);
  }
}

/**
 * A real agent of `agency` with a YAML config: the gateway of `ep` with the agency's dev certificate, HTTP on
 * `ep.httpPortBase + 4`, its spool in `work`, then `body` (its replay / inputs sections). Started and healthy.
 */
export async function startYamlAgent(o: { ep: Endpoints; instance: string; agency: string; certs: string; work: string; body: string[] }, started: ServiceSpec[]): Promise<void> {
  const config = join(o.work, 'agent.yml');
  writeFileSync(config, [
    'agentId: agent-01',
    'gateway:',
    `  address: 127.0.0.1:${o.ep.gatewayPort}`,
    `  ca: ${join(o.certs, 'ca.crt')}`,
    `  cert: ${join(o.certs, `${o.agency}.agent-01.crt`)}`,
    `  key: ${join(o.certs, `${o.agency}.agent-01.key`)}`,
    'http:',
    `  port: ${o.ep.httpPortBase + 4}`,
    'spool:',
    `  dir: ${join(o.work, 'spool')}`,
    ...o.body,
    '',
  ].join('\n'));
  const agent: ServiceSpec = { name: `agent-${o.instance}`, entry: 'agents/main.ts', args: ['--config', config], healthUrl: `http://127.0.0.1:${o.ep.httpPortBase + 4}/healthz` };
  started.push(agent);
  startService(agent);
  await waitHealthy(agent, 60_000);
}

// Shared by the integration tests: checks the real OpenSearch is up (failing clearly, never skipping or hanging),
// creates per-run indices under our own prefix (mapped like the indexer maps alerts-* / events-*), seeds alerts
// and events of two agencies, and removes everything afterwards.
import { randomBytes } from 'node:crypto';
import { Client } from '@opensearch-project/opensearch';
import type { Alert } from '../../proto/ecs';
import { hashPassword } from '../server/auth/passwords';
import type { UserRecord } from '../server/auth/users';
import type { IndexNames } from '../server/services/store';

export const OPENSEARCH_URL = process.env.CIRT_OPENSEARCH_URL ?? 'http://127.0.0.1:19200';

export async function requireOpenSearch(): Promise<void> {
  try {
    const res = await fetch(`${OPENSEARCH_URL}/_cluster/health`, { signal: AbortSignal.timeout(3_000) });
    if (!res.ok) throw new Error(`cluster health answered HTTP ${res.status}`);
  } catch (err) {
    throw new Error(
      `OpenSearch is not reachable at ${OPENSEARCH_URL} (${err instanceof Error ? err.message : String(err)}). ` +
        'Start it with `bash stack/stack.sh start`, or point CIRT_OPENSEARCH_URL at a running cluster.',
      { cause: err },
    );
  }
}

/** ECS types for the fields the routes filter, sort and aggregate on, as the indexer maps alerts-* / events-*. */
const endpoint = { properties: { ip: { type: 'ip' }, port: { type: 'integer' } } };
export const ALERT_MAPPINGS = {
  properties: {
    '@timestamp': { type: 'date' },
    event: { properties: { kind: { type: 'keyword' }, created: { type: 'date' }, dataset: { type: 'keyword' } } },
    alert: { properties: { id: { type: 'keyword' }, status: { type: 'keyword' }, severity: { type: 'keyword' }, reason: { type: 'text' } } },
    rule: {
      properties: {
        id: { type: 'keyword' },
        name: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 512 } } },
        author: { type: 'keyword' },
        license: { type: 'keyword' },
        level: { type: 'keyword' },
        tags: { type: 'keyword' },
        references: { type: 'keyword', index: false },
        type: { type: 'keyword' },
      },
    },
    organization: { properties: { id: { type: 'keyword' } } },
    source: endpoint,
    destination: endpoint,
    threat: { properties: { technique: { properties: { id: { type: 'keyword' } } }, tactic: { properties: { name: { type: 'keyword' } } } } },
    events: { type: 'object', enabled: false },
  },
} as const;
const EVENT_MAPPINGS = { properties: { '@timestamp': { type: 'date' }, event: { properties: { id: { type: 'keyword' } } }, organization: { properties: { id: { type: 'keyword' } } }, source: endpoint, destination: endpoint } } as const;

export interface Fixture {
  run: string;
  client: Client;
  indices: IndexNames;
  agencyA: string;
  agencyB: string;
  alerts: Alert[];
  users: Map<string, UserRecord>;
  cleanup(): Promise<void>;
}

export function makeAlert(id: string, ts: string, agency: string, severity: Alert['alert']['severity'], reason: string, src: string, ruleId = 'cirt-net-0001'): Alert {
  return {
    '@timestamp': ts,
    event: { kind: 'alert', created: ts, dataset: 'cirt.alerts' },
    alert: { id, status: 'open', severity, reason, window: { start: ts, end: ts } },
    rule: {
      id: ruleId,
      name: ruleId === 'cirt-net-0001' ? 'Outbound SMB to the internet' : 'SSH brute force',
      description: 'An internal host talks SMB to a public address.',
      author: 'CIRT detection team',
      license: 'DRL-1.1',
      level: severity,
      tags: ['attack.exfiltration', 'attack.t1048'],
      references: [],
      type: 'detection',
    },
    organization: { id: agency },
    source: { ip: src, port: 49152 },
    destination: { ip: '203.0.113.9', port: 445 },
    threat: { technique: [{ id: 'T1048' }], tactic: [{ name: 'exfiltration' }] },
    events: [{ '@timestamp': ts, event: { id: `${id}-e1`, kind: 'event', category: ['network'] }, source: { ip: src, port: 49152 }, destination: { ip: '203.0.113.9', port: 445 }, network: { transport: 'tcp', bytes: 4242 }, organization: { id: agency } }],
  };
}

export const PASSWORDS = { analyst: 'analyst-pw', lead: 'lead-pw', liaison: 'liaison-pw' } as const;

export async function createFixture(): Promise<Fixture> {
  await requireOpenSearch();
  const run = randomBytes(4).toString('hex');
  const prefix = `uit${run}`;
  const indices: IndexNames = { alerts: `${prefix}-alerts-*`, events: `${prefix}-events-*`, incidents: `${prefix}-incidents`, heldEvents: `${prefix}-incident-events`, advisories: `${prefix}-advisories`, auditPrefix: `${prefix}-audit` };
  const client = new Client({ node: OPENSEARCH_URL, requestTimeout: 15_000 });
  const agencyA = `mofa${run}`;
  const agencyB = `mof${run}`;
  const now = Date.now();
  const iso = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  const alerts = [
    makeAlert(`${run}-a1`, iso(30), agencyA, 'medium', `first smb flow ${run}`, '10.20.0.5'),
    makeAlert(`${run}-a2`, iso(20), agencyA, 'critical', `second smb flow ${run}`, '198.51.100.7'),
    makeAlert(`${run}-b1`, iso(10), agencyB, 'high', `smb flow of the other agency ${run}`, '198.51.100.7'),
  ];
  const alertIndex = `${prefix}-alerts-2026.05.01`;
  const eventIndex = `${prefix}-events-2026.05.01`;
  await client.indices.create({ index: alertIndex, body: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: ALERT_MAPPINGS as never } });
  await client.indices.create({ index: eventIndex, body: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: EVENT_MAPPINGS as never } });
  // Document id = alert id, written with `create` as the indexer does.
  for (const a of alerts) await client.index({ index: alertIndex, id: a.alert.id, body: a, op_type: 'create' });
  for (let i = 0; i < 6; i++) await client.index({ index: eventIndex, body: { '@timestamp': iso(i % 3), organization: { id: i % 2 ? agencyA : agencyB }, source: { ip: '10.0.0.1' } } });
  await client.indices.refresh({ index: `${prefix}-*` });
  const users = new Map<string, UserRecord>([
    ['analyst', { username: 'analyst', role: 'analyst', passwordHash: await hashPassword(PASSWORDS.analyst) }],
    ['lead', { username: 'lead', role: 'lead', passwordHash: await hashPassword(PASSWORDS.lead) }],
    ['liaison', { username: 'liaison', role: 'liaison', agency: agencyA, passwordHash: await hashPassword(PASSWORDS.liaison) }],
  ]);
  return {
    run,
    client,
    indices,
    agencyA,
    agencyB,
    alerts,
    users,
    async cleanup() {
      await client.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true } as never).catch(() => {});
      await client.close();
    },
  };
}

export interface Login {
  cookie: string;
  csrf: string;
  setCookie: string;
}

export async function login(baseUrl: string, username: string, password: string): Promise<Login> {
  const res = await fetch(`${baseUrl}api/cirt/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }), signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`login as ${username}: HTTP ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const body = (await res.json()) as { csrfToken: string };
  return { cookie: setCookie.split(';')[0] as string, csrf: body.csrfToken, setCookie };
}

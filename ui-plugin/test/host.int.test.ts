// Integration: the standalone host against the REAL OpenSearch (bash stack/stack.sh start), with a local webhook
// server. Fails, with the reason, when OpenSearch is not reachable: it neither skips nor hangs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgencyHealth } from '../../proto/ecs';
import type { Advisory, Incident, TriagedAlert } from '../common/index';
import { BUNDLE_CSS_PATH, BUNDLE_JS_PATH, CONTENT_SECURITY_POLICY, startHost, type HostLogger, type RunningHost } from '../standalone/host';
import { createFixture, login, PASSWORDS, type Fixture, type Login } from './opensearch_fixture';
import { validateCap, validateStix } from './validators';

interface Res {
  status: number;
  headers: Headers;
  text: string;
  json<T = unknown>(): T;
}

async function http(url: string, opts: { method?: string; session?: Login; body?: unknown; csrf?: string | null; headers?: Record<string, string> } = {}): Promise<Res> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.session) headers.cookie = opts.session.cookie;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const csrf = opts.csrf === undefined ? opts.session?.csrf : opts.csrf;
  if (csrf) headers['x-cirt-csrf'] = csrf;
  const res = await fetch(url, { method: opts.method ?? (opts.body !== undefined ? 'POST' : 'GET'), headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}), signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
}

describe('standalone host against the real OpenSearch', () => {
  let fx: Fixture;
  let host: RunningHost;
  let hook: Server;
  const received: { body: { advisory_id: string; cap_xml: string; stix_bundle: unknown; agencies: string[] } }[] = [];
  let hookCalls = 0;
  let base = '';
  let analyst: Login;
  let lead: Login;
  let liaison: Login;
  const logLines: Record<string, unknown>[] = [];
  const logger: HostLogger = { info: (m, f) => logLines.push({ m, ...f }), warn: (m, f) => logLines.push({ m, ...f }), error: (m, f) => logLines.push({ m, ...f }) };

  before(async () => {
    fx = await createFixture();
    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hookCalls++;
        if (hookCalls === 1) {
          res.writeHead(503).end('try later'); // the first delivery fails: the host retries
          return;
        }
        received.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(202).end('{}');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/advisories`;
    host = await startHost({
      port: 0,
      host: '127.0.0.1',
      opensearchUrl: process.env.CIRT_OPENSEARCH_URL ?? 'http://127.0.0.1:19200',
      indices: fx.indices,
      users: fx.users,
      loginLimit: { maxFailures: 3, windowMs: 60_000 },
      publish: { webhooks: [{ url: hookUrl, clearance: 'RED' }], backoffMs: 50 },
      logger,
    });
    base = host.url;
    analyst = await login(base, 'analyst', PASSWORDS.analyst);
    lead = await login(base, 'lead', PASSWORDS.lead);
    liaison = await login(base, 'liaison', PASSWORDS.liaison);
  });

  after(async () => {
    await host?.close();
    await new Promise<void>((r) => (hook ? hook.close(() => r()) : r()));
    await fx?.cleanup();
  });

  test('health answers without a session; data routes do not', async () => {
    const health = await http(`${base}api/cirt/health`);
    assert.equal(health.status, 200, health.text);
    const anon = await http(`${base}api/cirt/alerts`);
    assert.equal(anon.status, 401);
    assert.equal(anon.json<{ code: string }>().code, 'ERR_UI_UNAUTHENTICATED');
    assert.equal((await http(`${base}api/cirt/session`)).status, 401);
  });

  test('login sets an HttpOnly SameSite=Strict session cookie and returns the CSRF token', async () => {
    assert.match(analyst.setCookie, /^cirt_sid=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    assert.ok(analyst.csrf.length >= 32);
    const s = await http(`${base}api/cirt/session`, { session: analyst });
    assert.equal(s.status, 200);
    assert.deepEqual({ ...s.json<Record<string, unknown>>(), csrfToken: 'x' }, { username: 'analyst', role: 'analyst', permissions: ['alerts:read', 'alerts:triage', 'incidents:read', 'incidents:write', 'evidence:export', 'advisories:read', 'wall:read', 'rules:read'], csrfToken: 'x' });
    const wrong = await http(`${base}api/cirt/login`, { body: { username: 'analyst', password: 'nope' } });
    assert.equal(wrong.status, 401);
  });

  test('GET /api/cirt/alerts with filters, newest first', async () => {
    const all = await http(`${base}api/cirt/alerts?size=10`, { session: analyst });
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.json<{ alerts: TriagedAlert[] }>().alerts.map((a) => a.alert.id), [`${fx.run}-b1`, `${fx.run}-a2`, `${fx.run}-a1`]);
    const bySeverity = await http(`${base}api/cirt/alerts?agency=${fx.agencyA}&severity=medium`, { session: analyst });
    assert.deepEqual(bySeverity.json<{ alerts: TriagedAlert[] }>().alerts.map((a) => a.alert.id), [`${fx.run}-a1`]);
    const byText = await http(`${base}api/cirt/alerts?q=${encodeURIComponent(`second ${fx.run}`)}`, { session: analyst });
    assert.deepEqual(byText.json<{ alerts: TriagedAlert[] }>().alerts.map((a) => a.alert.id), [`${fx.run}-a2`]);
    const bySource = await http(`${base}api/cirt/alerts?source=198.51.100.7&rule=cirt-net-0001&status=open`, { session: analyst });
    assert.equal(bySource.json<{ total: number }>().total, 2);
    assert.equal((await http(`${base}api/cirt/alerts?size=501`, { session: analyst })).status, 400);
  });

  test('groups: same rule + agency, and same source IP across agencies', async () => {
    const byRule = (await http(`${base}api/cirt/alerts/groups`, { session: analyst })).json<{ groups: { key: { agency: string }; count: number }[] }>();
    assert.deepEqual(byRule.groups.map((g) => [g.key.agency, g.count]), [[fx.agencyA, 2], [fx.agencyB, 1]]);
    const bySrc = (await http(`${base}api/cirt/alerts/groups?by=source_ip`, { session: analyst })).json<{ groups: { key: { source_ip: string }; count: number; agencies: number }[] }>();
    assert.deepEqual(bySrc.groups[0], { ...bySrc.groups[0], key: { source_ip: '198.51.100.7' }, count: 2, agencies: 2 });
  });

  test('triage: CSRF required; _update by id on the concrete index; audited', async () => {
    const id = `${fx.run}-a2`;
    const noToken = await http(`${base}api/cirt/alerts/triage`, { session: analyst, csrf: null, body: { ids: [id], action: 'acknowledge' } });
    assert.equal(noToken.status, 403);
    const wrongToken = await http(`${base}api/cirt/alerts/triage`, { session: analyst, csrf: lead.csrf, body: { ids: [id], action: 'acknowledge' } });
    assert.equal(wrongToken.status, 403, "another session's token does not do");
    const crossSite = await http(`${base}api/cirt/alerts/triage`, { session: analyst, headers: { origin: 'http://evil.example' }, body: { ids: [id], action: 'acknowledge' } });
    assert.equal(crossSite.status, 403);
    const ack = await http(`${base}api/cirt/alerts/triage`, { session: analyst, body: { ids: [id], action: 'acknowledge' } });
    assert.equal(ack.status, 200, ack.text);
    assert.deepEqual(ack.json(), { updated: [id], failed: [] });
    const q = await http(`${base}api/cirt/alerts/triage`, { session: analyst, body: { ids: [id], action: 'qualify', qualification: 'true_positive', reason: 'confirmed with the ministry' } });
    assert.equal(q.status, 200, q.text);
    const doc = await fx.client.get({ index: fx.indices.alerts.replace('*', '2026.05.01'), id });
    const src = doc.body._source as TriagedAlert;
    assert.equal(doc.body._version, 3, 'created once, updated twice in place');
    assert.equal(src.alert.status, 'acknowledged');
    assert.equal(src.triage?.acknowledged_by, 'analyst');
    assert.equal(src.triage?.qualification, 'true_positive');
    assert.equal(src.rule.author, 'CIRT detection team', 'the rest of the document is untouched');
    await fx.client.indices.refresh({ index: `${fx.indices.auditPrefix}-*` });
    const audit = await fx.client.search({ index: `${fx.indices.auditPrefix}-*`, body: { query: { term: { 'object.id': id } }, sort: [{ '@timestamp': 'asc' }] } });
    const recs = audit.body.hits.hits.map((h) => h._source as { user: { name: string; roles: string[] }; event: { action: string }; before: { status: string }; after: { status: string } });
    assert.deepEqual(recs.map((r) => [r.user.name, r.user.roles[0], r.event.action, r.before.status, r.after.status]), [
      ['analyst', 'analyst', 'alert.acknowledge', 'open', 'acknowledged'],
      ['analyst', 'analyst', 'alert.qualify', 'acknowledged', 'acknowledged'],
    ]);
    assert.equal((await http(`${base}api/cirt/alerts/triage`, { session: liaison, body: { ids: [`${fx.run}-a1`], action: 'acknowledge' } })).status, 403, 'a liaison cannot triage');
  });

  test('a liaison sees only its agency, by list, by id and in related alerts', async () => {
    const list = (await http(`${base}api/cirt/alerts?size=50`, { session: liaison })).json<{ alerts: TriagedAlert[] }>();
    assert.deepEqual(list.alerts.map((a) => a.organization.id), [fx.agencyA, fx.agencyA]);
    const asked = (await http(`${base}api/cirt/alerts?agency=${fx.agencyB}`, { session: liaison })).json<{ total: number }>();
    assert.equal(asked.total, 0);
    const other = await http(`${base}api/cirt/alerts/${fx.run}-b1`, { session: liaison });
    assert.equal(other.status, 404);
    assert.equal(other.json<{ code: string }>().code, 'ERR_UI_NOT_FOUND');
    const rel = (await http(`${base}api/cirt/alerts/${fx.run}-a2/related`, { session: liaison })).json<{ same_source: TriagedAlert[] }>();
    assert.deepEqual(rel.same_source, [], 'the same source in another agency is not shown to a liaison');
    const relStaff = (await http(`${base}api/cirt/alerts/${fx.run}-a2/related`, { session: analyst })).json<{ same_source: TriagedAlert[] }>();
    assert.deepEqual(relStaff.same_source.map((a) => a.alert.id), [`${fx.run}-b1`]);
    assert.equal((await http(`${base}api/cirt/wall`, { session: liaison })).status, 403);
  });

  test('incident → lifecycle → advisory: CAP (XSD) and STIX (validator), webhook with retry, record', async () => {
    const created = await http(`${base}api/cirt/incidents`, { session: analyst, body: { title: `SMB exfiltration ${fx.run}`, description: 'two ministries', alert_ids: [`${fx.run}-a2`, `${fx.run}-b1`] } });
    assert.equal(created.status, 201, created.text);
    const inc = created.json<Incident>();
    assert.deepEqual([...inc.organization.id].sort(), [fx.agencyA, fx.agencyB].sort());
    assert.equal((await http(`${base}api/cirt/incidents/${inc.id}`, { session: analyst, body: { status: 'eradication' } })).status, 409);
    for (const status of ['triage', 'containment']) assert.equal((await http(`${base}api/cirt/incidents/${inc.id}`, { session: analyst, body: { status } })).status, 200, status);
    const noted = await http(`${base}api/cirt/incidents/${inc.id}`, { session: analyst, body: { note: 'blocked at the border', assignee: 'analyst' } });
    assert.deepEqual(noted.json<Incident>().notes.map((n) => n.text), ['blocked at the border']);

    assert.equal((await http(`${base}api/cirt/incidents/${inc.id}/advisories`, { session: analyst, body: { headline: 'x', description: 'y' } })).status, 403);
    const pub = await http(`${base}api/cirt/incidents/${inc.id}/advisories`, { session: lead, body: { headline: 'Block SMB to 198.51.100.7', description: 'Two ministries sent SMB to it.', instruction: 'Block TCP 445 outbound.', urgency: 'Immediate' } });
    assert.equal(pub.status, 201, pub.text);
    const adv = pub.json<Advisory>();
    assert.deepEqual(adv.deliveries.map((d) => [d.status, d.attempts, d.http_status]), [['delivered', 2, 202]], 'a 503, then delivered');
    assert.equal(received.length, 1);
    assert.equal(received[0]?.body.advisory_id, adv.id);

    const cap = await http(`${base}api/cirt/advisories/${adv.id}/cap.xml`, { session: lead });
    assert.equal(cap.status, 200);
    assert.match(cap.headers.get('content-type') ?? '', /^application\/xml/);
    assert.match(cap.headers.get('content-disposition') ?? '', /attachment; filename="advisory-.*\.cap\.xml"/);
    validateCap(cap.text);
    assert.equal(cap.text, received[0]?.body.cap_xml, 'what was sent is what is recorded');
    assert.match(cap.text, /<sent>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-00:00<\/sent>/);
    const stix = await http(`${base}api/cirt/advisories/${adv.id}/stix.json`, { session: lead });
    validateStix(stix.json());

    // The liaison of agency A sees the advisory (A is affected); the record says what went to whom.
    const seen = (await http(`${base}api/cirt/advisories?incident=${inc.id}`, { session: liaison })).json<{ advisories: Advisory[] }>();
    assert.deepEqual(seen.advisories.map((a) => a.id), [adv.id]);
    assert.deepEqual([...(seen.advisories[0]?.organization.id ?? [])].sort(), [fx.agencyA, fx.agencyB].sort());
  });

  test('wall and rule health aggregate the seeded data', async () => {
    const wall = (await http(`${base}api/cirt/wall?minutes=60`, { session: analyst })).json<{
      agencies: { agency: string; last_seen?: string; events_per_minute: number; alerts: Record<string, number> }[];
      timeline: { buckets: unknown[] };
      ticker: TriagedAlert[];
      top_sources: { ip: string; agencies: number }[];
      campaigns: { key: string; kind: string }[];
    }>();
    const a = wall.agencies.find((x) => x.agency === fx.agencyA);
    assert.ok(a?.last_seen, JSON.stringify(wall.agencies));
    assert.equal(a?.alerts.critical, 1);
    assert.equal(a?.alerts.medium, 1);
    assert.ok((a?.events_per_minute ?? 0) > 0);
    assert.ok(wall.timeline.buckets.length >= 12);
    assert.equal(wall.ticker.length, 3);
    assert.deepEqual(wall.top_sources[0], { ip: '198.51.100.7', alerts: 2, agencies: 2 });
    assert.deepEqual(wall.campaigns.map((c) => [c.kind, c.key]), [['shared-source', '198.51.100.7']]);
    const rules = (await http(`${base}api/cirt/rules/health`, { session: analyst })).json<{ rules: { rule_id: string; hits: number; qualified: number; false_positive_rate: number | null }[] }>();
    assert.deepEqual(rules.rules.map((r) => [r.rule_id, r.hits, r.qualified, r.false_positive_rate]), [['cirt-net-0001', 3, 1, 0]]);
  });

  test('wall: spool backlog from the latest heartbeat per agent and the earliest certificate expiry, per agency', async () => {
    // A daily events index mapped as ingest/indexer/templates.ts maps events-* (heartbeat and cirt.agent_cert fields).
    const index = fx.indices.events.replace('*', '2026.05.02');
    await fx.client.indices.create({
      index,
      body: {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: {
          properties: {
            '@timestamp': { type: 'date' },
            event: { properties: { kind: { type: 'keyword' }, dataset: { type: 'keyword' }, module: { type: 'keyword' } } },
            organization: { properties: { id: { type: 'keyword' } } },
            agent: { properties: { id: { type: 'keyword' }, ephemeral_id: { type: 'keyword' } } },
            cirt: { properties: { agent_cert: { properties: { not_after: { type: 'date' }, serial: { type: 'keyword' } } }, agent: { properties: { boot_id: { type: 'keyword' }, spool: { properties: { backlog_bytes: { type: 'long' }, backlog_records: { type: 'long' } } }, shipper: { properties: { connected: { type: 'boolean' } } } } } } },
          },
        } as never,
      },
    });
    const now = Date.now();
    const ago = (min: number) => new Date(now - min * 60_000).toISOString();
    const inDays = (d: number) => new Date(now + d * 86_400_000).toISOString();
    // As the gateway stamps them: organization.id, agent.id and cirt.agent_cert from the client certificate.
    const cert = (agent: string, notAfter: string) => ({ not_after: notAfter, serial: `SN-${agent}` });
    const stamped = (agency: string, agent: string, notAfter: string) => ({ organization: { id: agency }, agent: { id: agent, ephemeral_id: `boot-${agent}` }, cirt: { agent_cert: cert(agent, notAfter) } });
    const heartbeat = (agency: string, agent: string, notAfter: string, at: string, bytes: number, records: number, connected: boolean) => ({
      '@timestamp': at,
      event: { kind: 'metric', dataset: 'cirt.agent_health', module: 'cirt' },
      ...stamped(agency, agent, notAfter),
      cirt: { agent_cert: cert(agent, notAfter), agent: { boot_id: `boot-${agent}`, spool: { backlog_bytes: bytes, backlog_records: records, acked_total: 100, dropped_total: 0, torn_total: 0 }, shipper: { connected, reconnects: 0, rejected_events: 0 }, inputs: [{ name: 'jsonl:demo.jsonl', received: 100, spooled: 100, rejected: 0 }] } },
    });
    const event = (agency: string, agent: string, notAfter: string, at: string) => ({ '@timestamp': at, event: { kind: 'event' }, ...stamped(agency, agent, notAfter), source: { ip: '10.0.0.2' } });
    const docs = [
      // agency A: agent a1 renewed its certificate (10 d → 400 d) and its backlog drained; a2 is disconnected
      heartbeat(fx.agencyA, 'a1', inDays(10), ago(20), 999_999, 9_999, false),
      heartbeat(fx.agencyA, 'a1', inDays(400), ago(1), 1000, 10, true),
      event(fx.agencyA, 'a1', inDays(10), ago(30)),
      event(fx.agencyA, 'a1', inDays(400), ago(1)),
      heartbeat(fx.agencyA, 'a2', inDays(20), ago(2), 536, 5, false),
      event(fx.agencyA, 'a2', inDays(20), ago(9)),
      // agency B: one agent with a certificate expiring in 5 days; another last heard of two days ago (drops out)
      heartbeat(fx.agencyB, 'b1', inDays(5), ago(3), 0, 0, true),
      event(fx.agencyB, 'b1', inDays(5), ago(10)),
      heartbeat(fx.agencyB, 'b2', inDays(1), ago(2 * 24 * 60), 777, 7, true),
    ];
    for (const d of docs) await fx.client.index({ index, body: d });
    await fx.client.indices.refresh({ index });

    const res = await http(`${base}api/cirt/wall?minutes=60`, { session: analyst });
    assert.equal(res.status, 200, res.text);
    const wall = res.json<{ agencies: { agency: string; events_per_minute: number; health: AgencyHealth }[] }>();
    const a = wall.agencies.find((x) => x.agency === fx.agencyA);
    const b = wall.agencies.find((x) => x.agency === fx.agencyB);
    assert.deepEqual(a?.health, {
      spool: { agents: 2, backlog_bytes: 1536, backlog_records: 15, disconnected: 1, heartbeat_at: ago(2) },
      certificate: { not_after: inDays(20), agent: 'a2' },
    });
    assert.deepEqual(b?.health, { spool: { agents: 1, backlog_bytes: 0, backlog_records: 0, disconnected: 0, heartbeat_at: ago(3) }, certificate: { not_after: inDays(5), agent: 'b1' } });
    // the fixture's three telemetry events of B in the last 5 minutes; B's heartbeat 3 min ago is not traffic
    assert.equal(b?.events_per_minute, 0.6);
    // The wall is CIRT staff only: a liaison (agency A) gets no agency's health, its own included.
    const asLiaison = await http(`${base}api/cirt/wall?minutes=60`, { session: liaison });
    assert.equal(asLiaison.status, 403);
    assert.doesNotMatch(asLiaison.text, new RegExp(fx.agencyB));
  });

  test('GET / serves the page with the strict CSP; the bundle and style sheet are served', async () => {
    const res = await http(base);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.ok(res.text.includes(`<script src="${BUNDLE_JS_PATH}"`));
    assert.doesNotMatch(res.text, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    assert.doesNotMatch(res.text, /<style|\sstyle=/, 'no inline style');
    const js = await http(`${base}${BUNDLE_JS_PATH.slice(1)}`);
    assert.ok(js.text.length > 10_000 && js.text.includes('cirt-root'));
    const css = await http(`${base}${BUNDLE_CSS_PATH.slice(1)}`);
    assert.ok(css.text.includes('.cirt-sev--critical'));
  });

  test('logout ends the session; repeated failed logins are rate limited (429)', async () => {
    const s = await login(base, 'analyst', PASSWORDS.analyst);
    const out = await http(`${base}api/cirt/logout`, { session: s, body: {} });
    assert.equal(out.status, 200);
    assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
    assert.equal((await http(`${base}api/cirt/alerts`, { session: s })).status, 401);
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await http(`${base}api/cirt/login`, { body: { username: 'ghost', password: 'x' } })).status);
    // 3 failures per address per minute (this host's setting; one failure came from the wrong-password test).
    assert.equal(codes[0], 401);
    assert.equal(codes[3], 429);
    const limited = await http(`${base}api/cirt/login`, { body: { username: 'analyst', password: PASSWORDS.analyst } });
    assert.equal(limited.status, 429, 'the address is limited for a while, even with the right password');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
  });

  test('requests are logged as JSON-friendly records', () => {
    assert.ok(logLines.some((l) => l.m === 'request' && l.path === '/api/cirt/alerts'));
  });
});

// The services over a recording in-memory store: agency scoping of EVERY query, triage, incident lifecycle,
// publishing with webhook retry, audit records.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Advisory, Incident, Principal, TriagedAlert } from '../../common/index';
import { createRoutes } from '../routes/index';
import type { HandlerResult } from '../routes/route_kit';
import { deliver } from './advisories_service';
import { checkTransition } from './incidents_service';
import { createServices } from './index';
import { alertDoc, memoryStore } from './memory_store_fixture';

const LIAISON: Principal = { username: 'li', role: 'liaison', agency: 'mofa' };
const ANALYST: Principal = { username: 'ana', role: 'analyst' };
const LEAD: Principal = { username: 'boss', role: 'lead' };

function setup(webhookFetch?: typeof fetch) {
  const mem = memoryStore();
  mem.put('alerts-2026.05.01', 'a-mofa', alertDoc('a-mofa', 'mofa'));
  mem.put('alerts-2026.05.01', 'a-mof', alertDoc('a-mof', 'mof'));
  const services = createServices(mem.store, {
    publish: { webhooks: [{ url: 'http://hook.invalid/mofa', agencies: ['mofa'], clearance: 'AMBER' }, { url: 'http://hook.invalid/all', clearance: 'RED' }], attempts: 3, backoffMs: 1, ...(webhookFetch ? { fetch: webhookFetch } : {}), sleep: async () => {} },
    now: () => new Date('2026-05-01T12:30:00.000Z'),
  });
  const routes = createRoutes(services, { error: () => {} });
  const call = (method: string, path: string, principal: Principal | undefined, req: { query?: unknown; params?: unknown; body?: unknown } = {}): Promise<HandlerResult> => {
    const r = routes.find((x) => x.method === method && x.path === path);
    assert.ok(r, `${method} ${path}`);
    return r.handler({ ...req, ...(principal ? { principal } : {}) });
  };
  return { ...mem, services, routes, call };
}

const okFetch = (async () => new Response('{}', { status: 200 })) as typeof fetch;

describe('agency scoping: EVERY store query of a liaison carries its organization.id filter', () => {
  test('all routes, as a liaison', async () => {
    const s = setup(okFetch);
    // An incident and an advisory of each agency, written as CIRT staff.
    const inc = (await s.services.incidents.create({ title: 't', description: '', severity: 'low', alertIds: ['a-mofa'] }, ANALYST)).id;
    const other = (await s.services.incidents.create({ title: 't', description: '', severity: 'low', alertIds: ['a-mof'] }, ANALYST)).id;
    const adv = (await s.services.advisories.publish(inc, { headline: 'h', description: 'd', instruction: '', urgency: 'Expected', certainty: 'Observed' }, LEAD)).id;
    const otherAdv = (await s.services.advisories.publish(other, { headline: 'h', description: 'd', instruction: '', urgency: 'Expected', certainty: 'Observed' }, LEAD)).id;
    s.searches.length = 0;

    const requests: Record<string, { query?: unknown; params?: unknown; body?: unknown }> = {
      'GET /api/cirt/alerts': { query: {} },
      'GET /api/cirt/alerts/groups': { query: { by: 'source_ip' } },
      'POST /api/cirt/alerts/triage': { query: {}, body: { ids: ['a-mofa'], action: 'acknowledge' } },
      'GET /api/cirt/alerts/{id}': { query: {}, params: { id: 'a-mofa' } },
      'GET /api/cirt/alerts/{id}/related': { query: {}, params: { id: 'a-mofa' } },
      'GET /api/cirt/incidents': { query: {} },
      'POST /api/cirt/incidents': { query: {}, body: { title: 'x', alert_ids: ['a-mofa'] } },
      'GET /api/cirt/incidents/{id}': { query: {}, params: { id: inc } },
      'POST /api/cirt/incidents/{id}': { query: {}, params: { id: inc }, body: { note: 'n' } },
      'POST /api/cirt/incidents/{id}/advisories': { query: {}, params: { id: inc }, body: { headline: 'h', description: 'd' } },
      'GET /api/cirt/incidents/{id}/evidence.tar': { query: {}, params: { id: inc } },
      'GET /api/cirt/advisories': { query: {} },
      'GET /api/cirt/advisories/{id}/cap.xml': { query: {}, params: { id: adv } },
      'GET /api/cirt/advisories/{id}/stix.json': { query: {}, params: { id: adv } },
      'GET /api/cirt/session': { query: {} },
      'GET /api/cirt/wall': { query: {} },
      'GET /api/cirt/wall/honeypots': { query: {} },
      'GET /api/cirt/rules/health': { query: {} },
      'GET /api/cirt/traceback': { query: { ip: '10.0.0.1' } },
    };
    const expected: Record<string, number> = {
      'POST /api/cirt/alerts/triage': 403,
      'POST /api/cirt/incidents': 403,
      'POST /api/cirt/incidents/{id}': 403,
      'POST /api/cirt/incidents/{id}/advisories': 403,
      'GET /api/cirt/incidents/{id}/evidence.tar': 403,
      'GET /api/cirt/wall': 403,
      'GET /api/cirt/wall/honeypots': 403,
      'GET /api/cirt/rules/health': 403,
    };
    assert.deepEqual(Object.keys(requests).sort(), s.routes.map((r) => `${r.method} ${r.path}`).sort(), 'every route is exercised');
    for (const [key, req] of Object.entries(requests)) {
      const [method, path] = key.split(' ') as [string, string];
      const res = await s.call(method, path, LIAISON, req);
      assert.equal(res.status, expected[key] ?? 200, `${key}: ${JSON.stringify(res.body)}`);
    }
    assert.ok(s.searches.length >= 8);
    for (const { index, body } of s.searches) {
      const filter = (body.query as { bool?: { filter?: unknown[] } }).bool?.filter?.[0];
      assert.deepEqual(filter, { term: { 'organization.id': 'mofa' } }, `${index}: ${JSON.stringify(body.query)}`);
    }

    // Another agency's objects answer exactly like missing ones.
    for (const [path, id] of [
      ['/api/cirt/alerts/{id}', 'a-mof'],
      ['/api/cirt/alerts/{id}/related', 'a-mof'],
      ['/api/cirt/incidents/{id}', other],
      ['/api/cirt/advisories/{id}/cap.xml', otherAdv],
    ] as const) {
      const res = await s.call('GET', path, LIAISON, { query: {}, params: { id } });
      assert.equal(res.status, 404, path);
    }
    const list = (await s.call('GET', '/api/cirt/alerts', LIAISON, { query: { agency: 'mof' } })).body as { alerts: TriagedAlert[] };
    assert.deepEqual(list.alerts, [], 'asking for another agency explicitly still yields nothing');
  });

  test('CIRT staff queries are not restricted; no principal → 401', async () => {
    const s = setup();
    const res = await s.call('GET', '/api/cirt/alerts', ANALYST, { query: {} });
    assert.equal((res.body as { total: number }).total, 2);
    assert.equal((await s.call('GET', '/api/cirt/alerts', undefined, { query: {} })).status, 401);
    assert.equal(((await s.call('GET', '/api/cirt/alerts', undefined, { query: {} })).body as { code: string }).code, 'ERR_UI_UNAUTHENTICATED');
  });
});

describe('triage', () => {
  test('acknowledge, assign, qualify (bulk): _update on the concrete index, audited with before/after', async () => {
    const s = setup();
    const ack = await s.call('POST', '/api/cirt/alerts/triage', ANALYST, { query: {}, body: { ids: ['a-mofa', 'a-mof', 'nope'], action: 'acknowledge' } });
    assert.deepEqual(ack.body, { updated: ['a-mofa', 'a-mof'], failed: [{ id: 'nope', code: 'ERR_UI_NOT_FOUND', message: 'no alert with id nope' }] });
    const upd = s.writes.filter((w) => w.op === 'update');
    assert.deepEqual(upd.map((w) => `${w.index}/${w.id}`), ['alerts-2026.05.01/a-mofa', 'alerts-2026.05.01/a-mof']);
    await s.call('POST', '/api/cirt/alerts/triage', ANALYST, { query: {}, body: { ids: ['a-mofa'], action: 'qualify', qualification: 'false_positive', reason: 'backup job' } });
    const a = (await s.call('GET', '/api/cirt/alerts/{id}', ANALYST, { query: {}, params: { id: 'a-mofa' } })).body as TriagedAlert;
    assert.equal(a.alert.status, 'closed');
    assert.equal(a.triage?.qualification, 'false_positive');
    assert.equal(a.triage?.reason, 'backup job');
    assert.equal(a.triage?.acknowledged_by, 'ana');
    const audits = s.writes.filter((w) => w.index.startsWith('audit-'));
    assert.equal(audits.length, 3);
    const last = audits[2]?.doc as { user: { name: string; roles: string[] }; event: { action: string }; object: { id: string }; before: { status: string }; after: { status: string } };
    assert.deepEqual([last.user.name, last.user.roles, last.event.action, last.object.id, last.before.status, last.after.status], ['ana', ['analyst'], 'alert.qualify', 'a-mofa', 'acknowledged', 'closed']);
    assert.equal(audits[2]?.index, 'audit-2026.05');
  });

  test('strict bodies: qualify needs a reason, unknown fields refused', async () => {
    const s = setup();
    for (const body of [{ ids: ['a'], action: 'qualify', qualification: 'false_positive' }, { ids: ['a'], action: 'acknowledge', extra: 1 }, { ids: [], action: 'acknowledge' }, { ids: ['a'], action: 'delete' }]) {
      assert.equal((await s.call('POST', '/api/cirt/alerts/triage', ANALYST, { query: {}, body })).status, 400, JSON.stringify(body));
    }
  });
});

describe('incidents', () => {
  test('lifecycle transitions are validated', () => {
    checkTransition('new', 'triage');
    checkTransition('recovery', 'closed');
    assert.throws(() => checkTransition('new', 'eradication'), /cannot go from new to eradication/);
    assert.throws(() => checkTransition('containment', 'closed'), /allowed: eradication/);
  });

  test('create from alerts, walk the lifecycle, notes and timeline; closing is the lead’s, with a reason', async () => {
    const s = setup();
    const created = await s.call('POST', '/api/cirt/incidents', ANALYST, { query: {}, body: { title: 'SMB', alert_ids: ['a-mofa', 'a-mof'], severity: 'low' } });
    assert.equal(created.status, 201);
    const inc = created.body as Incident;
    assert.deepEqual(inc.organization.id, ['mof', 'mofa']);
    assert.equal(inc.severity, 'high', 'at least as severe as its worst alert');
    const linked = (await s.call('GET', '/api/cirt/alerts/{id}', ANALYST, { query: {}, params: { id: 'a-mof' } })).body as TriagedAlert;
    assert.equal(linked.triage?.incident_id, inc.id);
    const step = (principal: Principal, body: object) => s.call('POST', '/api/cirt/incidents/{id}', principal, { query: {}, params: { id: inc.id }, body });
    assert.equal((await step(ANALYST, { status: 'containment' })).status, 409, 'new → containment skips triage');
    for (const status of ['triage', 'containment', 'eradication', 'recovery']) assert.equal((await step(ANALYST, { status })).status, 200, status);
    assert.equal((await step(ANALYST, { status: 'closed', reason: 'done' })).status, 403, 'an analyst cannot close');
    assert.equal((await step(LEAD, { status: 'closed' })).status, 400, 'closing needs a reason');
    const closed = await step(LEAD, { status: 'closed', reason: 'eradicated, recovered', note: 'lessons learned', assignee: 'boss' });
    assert.equal(closed.status, 200);
    const final = closed.body as Incident;
    assert.equal(final.status, 'closed');
    assert.equal(final.assignee, 'boss');
    assert.deepEqual(final.timeline.map((t) => t.action), ['created', 'status new → triage', 'status triage → containment', 'status containment → eradication', 'status eradication → recovery', 'status recovery → closed', 'assigned', 'note added']);
    assert.equal(final.notes[0]?.text, 'lessons learned');
  });
});

describe('publishing', () => {
  test('CAP + STIX recorded with the deliveries; webhooks filtered by agency and retried', async () => {
    const calls: string[] = [];
    let flaky = 0;
    const fetchImpl = (async (url: string | URL | Request) => {
      calls.push(String(url));
      if (String(url).endsWith('/mofa') && flaky++ < 2) return new Response('busy', { status: 503 });
      return new Response('{}', { status: 202 });
    }) as typeof fetch;
    const s = setup(fetchImpl);
    const inc = (await s.services.incidents.create({ title: 'SMB', description: '', severity: 'high', alertIds: ['a-mof'] }, ANALYST)).id;
    assert.equal((await s.call('POST', '/api/cirt/incidents/{id}/advisories', ANALYST, { query: {}, params: { id: inc }, body: { headline: 'h', description: 'd' } })).status, 403, 'publishing is the lead’s');
    const res = await s.call('POST', '/api/cirt/incidents/{id}/advisories', LEAD, { query: {}, params: { id: inc }, body: { headline: 'Block it', description: 'd', agencies: ['mof'] } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const adv = res.body as Advisory;
    assert.deepEqual(calls, ['http://hook.invalid/all'], 'the mofa-only hook does not get an advisory for mof');
    assert.deepEqual(adv.deliveries.map((d) => [d.url, d.status, d.attempts, d.http_status]), [['http://hook.invalid/all', 'delivered', 1, 202]]);
    assert.equal((adv as Partial<Advisory>).cap_xml, undefined, 'the answer is a summary');
    const cap = await s.call('GET', '/api/cirt/advisories/{id}/cap.xml', LEAD, { query: {}, params: { id: adv.id } });
    assert.equal(cap.contentType, 'application/xml; charset=utf-8');
    assert.match(String(cap.body), /<addresses>mof<\/addresses>/);
    assert.match(cap.headers?.['content-disposition'] ?? '', /attachment/);
    assert.equal((await s.call('POST', '/api/cirt/incidents/{id}/advisories', LEAD, { query: {}, params: { id: inc }, body: { headline: 'h', description: 'd', agencies: ['mofa'] } })).status, 400, 'only affected agencies');

    const inc2 = (await s.services.incidents.create({ title: 'x', description: '', severity: 'high', alertIds: ['a-mofa'] }, ANALYST)).id;
    const res2 = (await s.call('POST', '/api/cirt/incidents/{id}/advisories', LEAD, { query: {}, params: { id: inc2 }, body: { headline: 'h', description: 'd' } })).body as Advisory;
    const mofa = res2.deliveries.find((d) => d.url.endsWith('/mofa'));
    assert.deepEqual([mofa?.status, mofa?.attempts], ['delivered', 3], 'two 503s, then delivered');
  });

  test('deliver: no retry on 4xx, failure recorded after the last attempt', async () => {
    let n = 0;
    const f400 = (async () => (n++, new Response('', { status: 400 }))) as typeof fetch;
    const r1 = await deliver('http://x', {}, { attempts: 3, backoffMs: 1, timeoutMs: 100, fetch: f400, sleep: async () => {} });
    assert.deepEqual([r1.status, r1.attempts, r1.http_status, n], ['failed', 1, 400, 1]);
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    const waits: number[] = [];
    const r2 = await deliver('http://x', {}, { attempts: 3, backoffMs: 10, timeoutMs: 100, fetch: down, sleep: async (ms) => void waits.push(ms) });
    assert.deepEqual([r2.status, r2.attempts, waits], ['failed', 3, [10, 20]]);
  });
});

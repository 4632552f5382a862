import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from '../../../proto/ecs';
import type { IRouter, OsdRequestHandler, OsdResponseFactory, RouteConfig, RouteValidationResultFactory } from '../osd_types';
import { AlertsService, type AlertStore, type SearchBody, type SearchResult } from '../services/alerts_service';
import { createAlertRoutes, type HandlerResult, type HandlerRequest } from './alerts';
import { registerAlertRoutes } from './index';
import type { Principal } from '../../common/index';

const ANALYST: Principal = { username: 'ana', role: 'analyst' };

function alert(id: string, ts: string, over: Partial<Alert['alert']> = {}): Alert {
  return {
    '@timestamp': ts,
    event: { kind: 'alert', created: ts },
    alert: { id, status: 'open', severity: 'high', reason: `reason ${id}`, ...over },
    rule: { id: 'r1', name: 'Port scan', author: 'Jane Analyst', level: 'high', tags: [], references: [], type: 'detection' },
    organization: { id: 'mof' },
    events: [],
  };
}

interface Call {
  index: string;
  body: SearchBody;
}

function fakeStore(answer: SearchResult | Error | (() => SearchResult)) {
  const calls: Call[] = [];
  const store: AlertStore = {
    async search(index, body) {
      calls.push({ index, body });
      if (answer instanceof Error) throw answer;
      return typeof answer === 'function' ? answer() : answer;
    },
  };
  return { store, calls };
}

const hits = (...alerts: Alert[]): SearchResult => ({
  hits: { total: { value: alerts.length, relation: 'eq' }, hits: alerts.map((a) => ({ _id: a.alert.id, _index: 'alerts-2026.05.01', _source: a })) },
});

function quietLogger() {
  const logged: unknown[] = [];
  return { logged, logger: { debug() {}, info() {}, warn() {}, error: (m: unknown, meta?: unknown) => void logged.push({ m, meta }) } };
}

/** The plain handler table (what the standalone host mounts). */
function plainHandlers(answer: SearchResult | Error) {
  const { store, calls } = fakeStore(answer);
  const { logger, logged } = quietLogger();
  const routes = createAlertRoutes(new AlertsService(store), logger);
  const byPath = (p: string) => {
    const r = routes.find((x) => x.path === p);
    assert.ok(r, `route ${p}`);
    return (req: HandlerRequest) => r.handler({ principal: ANALYST, ...req });
  };
  return { list: byPath('/api/cirt/alerts'), get: byPath('/api/cirt/alerts/{id}'), calls, logged };
}

/** Handlers captured from a mock OSD router, called the way OSD does: validate first, then the handler. */
function osdHandlers(answer: SearchResult | Error) {
  const { store, calls } = fakeStore(answer);
  const { logger, logged } = quietLogger();
  const captured = new Map<string, { cfg: RouteConfig<unknown, unknown, unknown>; handler: OsdRequestHandler<unknown, unknown, unknown> }>();
  const router: IRouter = {
    get: (cfg, handler) => void captured.set(cfg.path, { cfg: cfg as RouteConfig<unknown, unknown, unknown>, handler: handler as OsdRequestHandler<unknown, unknown, unknown> }),
    post: (cfg, handler) => void captured.set(`POST ${cfg.path}`, { cfg: cfg as RouteConfig<unknown, unknown, unknown>, handler: handler as OsdRequestHandler<unknown, unknown, unknown> }),
  };
  registerAlertRoutes(router, new AlertsService(store), () => ANALYST, logger);

  const validationResult: RouteValidationResultFactory = {
    ok: (value) => ({ value }),
    badRequest: (error) => ({ error: error instanceof Error ? error : new Error(error) }),
  };
  const response: OsdResponseFactory = {
    ok: (o) => ({ status: 200, body: o?.body }),
    custom: (o) => ({ status: o.statusCode, body: o.body }),
    customError: (o) => ({ status: o.statusCode, body: o.body }),
  };
  const call = async (path: string, req: { query?: unknown; params?: unknown }): Promise<HandlerResult> => {
    const route = captured.get(path);
    assert.ok(route, `route ${path} registered`);
    assert.notEqual(route.cfg.validate, false, 'routes must validate (OSD passes nothing to unvalidated routes)');
    const v = route.cfg.validate || {};
    const q = v.query ? v.query(req.query ?? {}, validationResult) : { value: {} };
    const p = v.params ? v.params(req.params ?? {}, validationResult) : { value: {} };
    if (q.error || p.error) return { status: 400, body: { message: (q.error ?? p.error)?.message } };
    return (await route.handler({}, { query: q.value, params: p.value, body: undefined }, response)) as HandlerResult;
  };
  return { captured, calls, logged, list: (query: unknown) => call('/api/cirt/alerts', { query }), get: (params: unknown) => call('/api/cirt/alerts/{id}', { params }) };
}

const newest = alert('a2', '2026-05-01T12:00:02Z');
const older = alert('a1', '2026-05-01T12:00:01Z', { severity: 'low' });

describe('GET /api/cirt/alerts (plain handler table)', () => {
  test('defaults: size 50, from 0, newest first, no filters, on alerts-*', async () => {
    const h = plainHandlers(hits(newest, older));
    const res = await h.list({ query: {} });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { total: 2, alerts: [newest, older] });
    assert.equal(h.calls.length, 1);
    assert.equal(h.calls[0]?.index, 'alerts-*');
    assert.deepEqual(h.calls[0]?.body, {
      size: 50,
      from: 0,
      track_total_hits: true,
      sort: [{ '@timestamp': { order: 'desc', unmapped_type: 'date' } }],
      query: { match_all: {} },
    });
  });

  test('every filter becomes a clause; since is normalised to ISO UTC', async () => {
    const h = plainHandlers(hits(newest));
    const res = await h.list({ query: { size: '10', from: '20', severity: 'critical', agency: 'mof', q: ' port scan ', since: '2026-05-01T14:00:00+02:00' } });
    assert.equal(res.status, 200);
    const body = h.calls[0]?.body as { size: number; from: number; query: { bool: { filter: unknown[]; must: unknown[] } } };
    assert.equal(body.size, 10);
    assert.equal(body.from, 20);
    assert.deepEqual(body.query.bool.filter, [
      { term: { 'alert.severity': 'critical' } },
      { term: { 'organization.id': 'mof' } },
      { range: { '@timestamp': { gte: '2026-05-01T12:00:00.000Z' } } },
    ]);
    assert.equal(body.query.bool.must.length, 1);
    const sqs = (body.query.bool.must[0] as { simple_query_string: { query: string; fields: string[]; default_operator: string } }).simple_query_string;
    assert.equal(sqs.query, 'port scan');
    assert.equal(sqs.default_operator, 'and');
    assert.ok(sqs.fields.includes('rule.author') && sqs.fields.includes('alert.reason'));
  });

  test('size bounds: 1 and 500 pass', async () => {
    for (const size of ['1', '500', 500]) {
      const h = plainHandlers(hits());
      assert.equal((await h.list({ query: { size } })).status, 200);
      assert.equal(h.calls[0]?.body.size, Number(size));
    }
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['size 0', { size: '0' }, /\[size\]/],
    ['size 501', { size: '501' }, /\[size\]/],
    ['size not a number', { size: 'ten' }, /\[size\]/],
    ['size negative', { size: '-1' }, /\[size\]/],
    ['size fractional', { size: '1.5' }, /\[size\]/],
    ['size repeated', { size: ['10', '20'] }, /\[size\]/],
    ['severity unknown', { severity: 'severe' }, /\[severity\]: expected one of informational, low, medium, high, critical/],
    ['severity wrong case', { severity: 'HIGH' }, /\[severity\]/],
    ['since not a time', { since: 'yesterday' }, /\[since\]/],
    ['since impossible date', { since: '2026-13-45T00:00:00Z' }, /\[since\]/],
    ['agency with spaces', { agency: 'a b' }, /\[agency\]/],
    ['q too long', { q: 'x'.repeat(257) }, /\[q\]/],
    ['from + size past the result window', { from: '9990', size: '20' }, /\[from\]/],
    ['unknown parameter', { sort: 'asc' }, /\[sort\]: unknown query parameter/],
  ];
  for (const [name, query, message] of bad) {
    test(`400 on ${name}, store not called`, async () => {
      const h = plainHandlers(hits());
      const res = await h.list({ query });
      assert.equal(res.status, 400);
      assert.match((res.body as { message: string }).message, message);
      assert.equal((res.body as { code: string }).code, 'ERR_UI_VALIDATION');
      assert.equal(h.calls.length, 0);
    });
  }

  test('500 never echoes the upstream message, which goes to the log with a reference', async () => {
    const upstream = Object.assign(new Error('index [alerts-secret-ministry] blew up at 10.1.2.3'), { meta: { statusCode: 500, body: { error: 'x' } } });
    const h = plainHandlers(upstream);
    const res = await h.list({ query: {} });
    assert.equal(res.status, 500);
    const text = JSON.stringify(res.body);
    assert.doesNotMatch(text, /secret|10\.1\.2\.3|blew/);
    assert.equal((res.body as { code: string }).code, 'ERR_UI_INTERNAL');
    const ref = /reference ([0-9a-f-]{36})/.exec((res.body as { message: string }).message)?.[1];
    assert.ok(ref, 'the answer carries a reference');
    assert.equal(h.logged.length, 1);
    assert.match(JSON.stringify(h.logged[0]), /alerts-secret-ministry/);
    assert.match(JSON.stringify(h.logged[0]), new RegExp(ref));
  });

  test('500 on a store answer without hits', async () => {
    const h = plainHandlers({} as SearchResult);
    const res = await h.list({ query: {} });
    assert.equal(res.status, 500);
    assert.equal((res.body as { code: string }).code, 'ERR_UI_STORE_RESPONSE');
  });

  test('total given as a bare number (Elasticsearch 6 style) is read too', async () => {
    const h = plainHandlers({ hits: { total: 7, hits: [{ _id: 'a2', _index: 'alerts-x', _source: newest }] } });
    assert.deepEqual((await h.list({ query: {} })).body, { total: 7, alerts: [newest] });
  });
});

describe('GET /api/cirt/alerts/{id} (plain handler table)', () => {
  test('200 with the alert; looks the id up as document id or alert.id, newest first', async () => {
    const h = plainHandlers(hits(newest));
    const res = await h.get({ params: { id: 'a2' } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, newest);
    assert.deepEqual(h.calls[0]?.body, {
      size: 1,
      sort: [{ '@timestamp': { order: 'desc', unmapped_type: 'date' } }],
      seq_no_primary_term: true,
      query: { bool: { should: [{ ids: { values: ['a2'] } }, { terms: { 'alert.id': ['a2'] } }], minimum_should_match: 1 } },
    });
  });

  test('404 on an unknown id', async () => {
    const h = plainHandlers(hits());
    const res = await h.get({ params: { id: 'nope' } });
    assert.equal(res.status, 404);
    assert.equal((res.body as { code: string }).code, 'ERR_UI_NOT_FOUND');
  });

  test('400 on a malformed id, store not called', async () => {
    for (const id of ['', 'a b', '../x', 'x'.repeat(257)]) {
      const h = plainHandlers(hits());
      assert.equal((await h.get({ params: { id } })).status, 400, JSON.stringify(id));
      assert.equal(h.calls.length, 0);
    }
  });
});

describe('OSD router adapter (handlers captured from a mock router)', () => {
  test('registers the alert routes with validation functions', () => {
    const h = osdHandlers(hits());
    assert.deepEqual([...h.captured.keys()].sort(), ['/api/cirt/alerts', '/api/cirt/alerts/groups', '/api/cirt/alerts/{id}', '/api/cirt/alerts/{id}/related', 'POST /api/cirt/alerts/triage']);
    assert.equal(typeof (h.captured.get('/api/cirt/alerts')?.cfg.validate || {}).query, 'function');
    assert.equal(typeof (h.captured.get('/api/cirt/alerts/{id}')?.cfg.validate || {}).params, 'function');
  });

  test('a valid request reaches the store with the same query as the plain handler', async () => {
    const h = osdHandlers(hits(newest, older));
    const res = await h.list({ size: '2', severity: 'high' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { total: 2, alerts: [newest, older] });
    const body = h.calls[0]?.body as { size: number; query: { bool: { filter: unknown[] } } };
    assert.equal(body.size, 2);
    assert.deepEqual(body.query.bool.filter, [{ term: { 'alert.severity': 'high' } }]);
  });

  test('OSD-side validation answers 400 on bad size / severity before the handler runs', async () => {
    for (const query of [{ size: '501' }, { size: 'x' }, { severity: 'bogus' }]) {
      const h = osdHandlers(hits());
      const res = await h.list(query);
      assert.equal(res.status, 400, JSON.stringify(query));
      assert.equal(h.calls.length, 0);
    }
  });

  test('404 and 500 go through customError; the 500 body hides the upstream message', async () => {
    const missing = await osdHandlers(hits()).get({ id: 'nope' });
    assert.equal(missing.status, 404);
    assert.deepEqual((missing.body as { attributes: unknown }).attributes, { code: 'ERR_UI_NOT_FOUND' });

    const h = osdHandlers(new Error('connect ECONNREFUSED 10.9.9.9:9200'));
    const failed = await h.list({});
    assert.equal(failed.status, 500);
    assert.doesNotMatch(JSON.stringify(failed.body), /ECONNREFUSED|10\.9\.9\.9/);
    assert.deepEqual((failed.body as { attributes: unknown }).attributes, { code: 'ERR_UI_INTERNAL' });
    assert.equal(h.logged.length, 1);
  });
});

describe('OSD adapter: the principal comes from OSD auth', () => {
  test('no mapped user → 401 before any query; POST routes are registered with body validation', async () => {
    const { store, calls } = fakeStore(hits(newest));
    const captured = new Map<string, { cfg: RouteConfig<unknown, unknown, unknown>; handler: OsdRequestHandler<unknown, unknown, unknown> }>();
    const router: IRouter = {
      get: (cfg, handler) => void captured.set(`GET ${cfg.path}`, { cfg: cfg as RouteConfig<unknown, unknown, unknown>, handler: handler as OsdRequestHandler<unknown, unknown, unknown> }),
      post: (cfg, handler) => void captured.set(`POST ${cfg.path}`, { cfg: cfg as RouteConfig<unknown, unknown, unknown>, handler: handler as OsdRequestHandler<unknown, unknown, unknown> }),
    };
    registerAlertRoutes(router, new AlertsService(store), () => undefined, quietLogger().logger);
    const response: OsdResponseFactory = { ok: (o) => ({ status: 200, body: o?.body }), custom: (o) => ({ status: o.statusCode, body: o.body }), customError: (o) => ({ status: o.statusCode, body: o.body }) };
    const res = (await captured.get('GET /api/cirt/alerts')?.handler({}, { query: { size: 50, from: 0 }, params: {}, body: undefined }, response)) as HandlerResult;
    assert.equal(res.status, 401);
    assert.deepEqual((res.body as { attributes: unknown }).attributes, { code: 'ERR_UI_UNAUTHENTICATED' });
    assert.equal(calls.length, 0);
    const triage = captured.get('POST /api/cirt/alerts/triage');
    assert.equal(typeof (triage?.cfg.validate || {}).body, 'function');
  });
});

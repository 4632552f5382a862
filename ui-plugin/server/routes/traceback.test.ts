// GET /api/cirt/traceback: strict input (address or CIDR, from/to), 401 without a principal, and the same checks
// through the OSD router adapter.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Principal } from '../../common/index';
import type { IRouter, OsdRequestHandler, OsdResponseFactory, RouteConfig, RouteValidationResultFactory } from '../osd_types';
import type { SearchBody, SearchResult } from '../services/store';
import { TracebackService } from '../services/traceback_service';
import { registerRoutes } from './index';
import type { HandlerResult } from './route_kit';
import { createTracebackRoutes } from './traceback';
import { parseTracebackQuery } from './validation';

const ANALYST: Principal = { username: 'ana', role: 'analyst' };
const PATH = '/api/cirt/traceback';

function setup() {
  const calls: { index: string; body: SearchBody }[] = [];
  const store = {
    async search(index: string, body: SearchBody): Promise<SearchResult> {
      calls.push({ index, body });
      return { hits: { total: { value: 0 }, hits: [] }, aggregations: {} };
    },
  };
  const routes = createTracebackRoutes(new TracebackService(store, { events: 'events-*', alerts: 'alerts-*' }), { error: () => {} });
  const route = routes.find((r) => r.method === 'GET' && r.path === PATH);
  assert.ok(route);
  return { calls, routes, call: (query: unknown, principal: Principal | null = ANALYST) => route.handler({ query, ...(principal ? { principal } : {}) }) };
}

/** The term the events search matched the address with. */
const termIn = (body: SearchBody) => ((body.query as { bool: { filter: { bool: { should: { term: Record<string, string> }[] } }[] } }).bool.filter[0]?.bool.should[0]?.term['source.ip']);

describe('GET /api/cirt/traceback', () => {
  const good: [string, Record<string, unknown>, string][] = [
    ['IPv4', { ip: '198.51.100.7' }, '198.51.100.7'],
    ['IPv6, normalised', { ip: '2001:DB8:0:0::1' }, '2001:db8::1'],
    ['IPv4-mapped IPv6 is its IPv4', { ip: '::ffff:198.51.100.7' }, '198.51.100.7'],
    ['IPv4 CIDR, host bits cleared', { ip: '10.1.2.3/16' }, '10.1.0.0/16'],
    ['IPv6 CIDR', { ip: '2001:db8::/32' }, '2001:db8::/32'],
    ['surrounding blanks', { ip: ' 10.0.0.1 ' }, '10.0.0.1'],
  ];
  for (const [name, query, expected] of good) {
    test(`200 on ${name}`, async () => {
      const s = setup();
      const res = await s.call(query);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal((res.body as { query: { ip: string } }).query.ip, expected);
      assert.equal(s.calls.length, 2);
      for (const c of s.calls) assert.equal(termIn(c.body), expected, c.index);
    });
  }

  test('from/to normalised to ISO UTC, to exclusive', async () => {
    const s = setup();
    const res = await s.call({ ip: '10.0.0.1', from: '2026-05-01T14:00:00+02:00', to: '2026-05-02' });
    assert.equal(res.status, 200);
    assert.deepEqual((res.body as { query: unknown }).query, { ip: '10.0.0.1', from: '2026-05-01T12:00:00.000Z', to: '2026-05-02T00:00:00.000Z' });
  });

  const bad: [string, unknown, RegExp][] = [
    ['no ip', {}, /\[ip\]: required/],
    ['empty ip', { ip: '' }, /\[ip\]: required/],
    ['a host name', { ip: 'evil.example' }, /\[ip\]: expected an IPv4 or IPv6 address or a CIDR block/],
    ['three octets', { ip: '10.1.2' }, /\[ip\]/],
    ['octet out of range', { ip: '10.1.2.256' }, /\[ip\]/],
    ['leading zero (octal in some parsers)', { ip: '010.1.2.3' }, /\[ip\]/],
    ['IPv6 zone id', { ip: 'fe80::1%eth0' }, /\[ip\]/],
    ['prefix too long (v4)', { ip: '10.0.0.0/33' }, /\[ip\]: expected a prefix length from 0 to 32/],
    ['prefix too long (v6)', { ip: '2001:db8::/129' }, /\[ip\]: expected a prefix length from 0 to 128/],
    ['prefix not a number', { ip: '10.0.0.0/x' }, /\[ip\]: expected a prefix length/],
    ['two slashes', { ip: '10.0.0.0/8/8' }, /\[ip\]/],
    ['a query-string injection', { ip: '10.0.0.1 OR *' }, /\[ip\]/],
    ['repeated ip', { ip: ['10.0.0.1', '10.0.0.2'] }, /\[ip\]: expected a single value/],
    ['from not a time', { ip: '10.0.0.1', from: 'yesterday' }, /\[from\]/],
    ['to before from', { ip: '10.0.0.1', from: '2026-05-02T00:00:00Z', to: '2026-05-01T00:00:00Z' }, /\[to\]: must be later than from/],
    ['unknown parameter', { ip: '10.0.0.1', agency: 'mofa' }, /\[agency\]: unknown query parameter \(allowed: ip, from, to\)/],
  ];
  for (const [name, query, message] of bad) {
    test(`400 ERR_UI_VALIDATION on ${name}, store not called`, async () => {
      const s = setup();
      const res = await s.call(query);
      assert.equal(res.status, 400);
      assert.equal((res.body as { code: string }).code, 'ERR_UI_VALIDATION');
      assert.match((res.body as { message: string }).message, message);
      assert.equal(s.calls.length, 0);
    });
  }

  test('401 without a principal, store not called', async () => {
    const s = setup();
    const res = await s.call({ ip: '10.0.0.1' }, null);
    assert.equal(res.status, 401);
    assert.equal((res.body as { code: string }).code, 'ERR_UI_UNAUTHENTICATED');
    assert.equal(s.calls.length, 0);
  });

  test('through the OSD router adapter: validate runs the same parser (400), then the handler (200)', async () => {
    const s = setup();
    const captured = new Map<string, { cfg: RouteConfig<unknown, unknown, unknown>; handler: OsdRequestHandler<unknown, unknown, unknown> }>();
    const router: IRouter = {
      get: (cfg, handler) => void captured.set(cfg.path, { cfg: cfg as RouteConfig<unknown, unknown, unknown>, handler: handler as OsdRequestHandler<unknown, unknown, unknown> }),
      post: () => assert.fail('no POST route'),
    };
    registerRoutes(router, s.routes, () => ANALYST);
    const route = captured.get(PATH);
    assert.ok(route && route.cfg.validate && route.cfg.validate.query);
    const v: RouteValidationResultFactory = { ok: (value) => ({ value }), badRequest: (error) => ({ error: error instanceof Error ? error : new Error(error) }) };
    const rejected = route.cfg.validate.query({ ip: '10.0.0.0/99' }, v);
    assert.match(String(rejected.error?.message), /\[ip\]: expected a prefix length/);
    const accepted = route.cfg.validate.query({ ip: '10.0.0.1' }, v);
    const response: OsdResponseFactory = { ok: (o) => ({ status: 200, body: o?.body }), custom: (o) => ({ status: o.statusCode, body: o.body }), customError: (o) => ({ status: o.statusCode, body: o.body }) };
    const res = (await route.handler({}, { query: accepted.value, params: {}, body: undefined }, response)) as HandlerResult;
    assert.equal(res.status, 200);
    assert.equal((res.body as { query: { ip: string } }).query.ip, '10.0.0.1');
  });

  test('the parser alone is pure and deterministic', () => {
    assert.deepEqual(parseTracebackQuery({ ip: '0.0.0.0/0' }), { ip: '0.0.0.0/0' });
    assert.deepEqual(parseTracebackQuery({ ip: '255.255.255.255/31' }), { ip: '255.255.255.254/31' });
  });
});

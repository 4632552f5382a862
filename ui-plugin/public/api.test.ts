import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiRequestError, createApi, fetchHttp, filtersToQuery } from './api';

test('filters become query parameters, empty ones are left out', () => {
  assert.deepEqual(filtersToQuery({ severity: 'high', agency: ' mof ', q: '', size: 20 }), { severity: 'high', agency: 'mof', size: '20' });
});

test('the API calls the plugin routes, sends the CSRF token on POST and surfaces server errors', async () => {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    const url = String(input);
    if (url.includes('/alerts/missing')) {
      return new Response(JSON.stringify({ statusCode: 404, error: 'Not Found', code: 'ERR_UI_NOT_FOUND', message: 'no alert with id missing' }), { status: 404 });
    }
    if (url.endsWith('/login')) return new Response(JSON.stringify({ username: 'a', role: 'analyst', permissions: [], csrfToken: 'tok' }), { status: 200 });
    if (url.endsWith('/triage')) return new Response(JSON.stringify({ updated: ['x'], failed: [] }), { status: 200 });
    return new Response(JSON.stringify({ total: 0, alerts: [] }), { status: 200 });
  }) as typeof fetch;
  const api = createApi(fetchHttp(fakeFetch, 'http://h'));
  assert.deepEqual(await api.listAlerts({ severity: 'critical', q: 'a b' }), { total: 0, alerts: [] });
  assert.equal(calls[0]?.url, 'http://h/api/cirt/alerts?severity=critical&q=a+b');
  await assert.rejects(api.getAlert('missing'), (e: unknown) => e instanceof ApiRequestError && e.status === 404 && e.code === 'ERR_UI_NOT_FOUND');
  await api.getAlert('a/b').catch(() => {});
  assert.equal(calls[2]?.url, 'http://h/api/cirt/alerts/a%2Fb');
  await api.login('a', 'pw');
  assert.equal(calls[3]?.init?.method, 'POST');
  assert.deepEqual(JSON.parse(String(calls[3]?.init?.body)), { username: 'a', password: 'pw' });
  await api.triage(['x'], { action: 'acknowledge' });
  assert.equal((calls[4]?.init?.headers as Record<string, string>)['x-cirt-csrf'], 'tok', 'the token from the login goes on every POST');
  assert.equal(api.capHref('a b'), 'http://h/api/cirt/advisories/a%20b/cap.xml');
});

test('traceback: the address (or CIDR) and the window as query parameters', async () => {
  const urls: string[] = [];
  const api = createApi(fetchHttp((async (input: string | URL | Request) => (urls.push(String(input)), new Response('{}', { status: 200 }))) as typeof fetch, 'http://h'));
  await api.traceback('10.1.0.0/16', { from: '2026-05-01T00:00:00Z', to: '' });
  await api.traceback('2001:db8::1');
  assert.deepEqual(urls, ['http://h/api/cirt/traceback?ip=10.1.0.0%2F16&from=2026-05-01T00%3A00%3A00Z', 'http://h/api/cirt/traceback?ip=2001%3Adb8%3A%3A1']);
});

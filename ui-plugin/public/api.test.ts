import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiRequestError, createAlertsApi, fetchHttpGet, filtersToQuery } from './api.ts';

test('filters become query parameters, empty ones are left out', () => {
  assert.deepEqual(filtersToQuery({ severity: 'high', agency: ' mof ', q: '', size: 20 }), { severity: 'high', agency: 'mof', size: '20' });
});

test('the API calls the plugin routes and surfaces server errors', async () => {
  const urls: string[] = [];
  const fakeFetch = (async (input: string | URL | Request) => {
    urls.push(String(input));
    if (String(input).includes('/alerts/missing')) {
      return new Response(JSON.stringify({ statusCode: 404, error: 'Not Found', code: 'ERR_UI_NOT_FOUND', message: 'no alert with id missing' }), { status: 404 });
    }
    return new Response(JSON.stringify({ total: 0, alerts: [] }), { status: 200 });
  }) as typeof fetch;
  const api = createAlertsApi(fetchHttpGet(fakeFetch, 'http://h'));
  assert.deepEqual(await api.listAlerts({ severity: 'critical', q: 'a b' }), { total: 0, alerts: [] });
  assert.equal(urls[0], 'http://h/api/cirt/alerts?severity=critical&q=a+b');
  await assert.rejects(api.getAlert('missing'), (e: unknown) => e instanceof ApiRequestError && e.status === 404 && e.code === 'ERR_UI_NOT_FOUND');
  await api.getAlert('a/b').catch(() => {});
  assert.equal(urls[2], 'http://h/api/cirt/alerts/a%2Fb');
});

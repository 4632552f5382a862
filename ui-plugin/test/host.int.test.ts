// Integration: the standalone host against the REAL OpenSearch (bash stack/stack.sh start).
// Fails, with the reason, when OpenSearch is not reachable: it neither skips nor hangs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '@opensearch-project/opensearch';
import { dailyIndex, type Alert } from '../../proto/ecs.ts';
import { BUNDLE_CSS_PATH, BUNDLE_JS_PATH, CONTENT_SECURITY_POLICY, startHost, type HostLogger, type RunningHost } from '../standalone/host.ts';

const OPENSEARCH_URL = process.env.CIRT_OPENSEARCH_URL ?? 'http://127.0.0.1:19200';
const run = randomBytes(4).toString('hex');
const agency = `uitest-${run}`;

function alert(id: string, ts: string, severity: Alert['alert']['severity'], reason: string): Alert {
  return {
    '@timestamp': ts,
    event: { kind: 'alert', created: ts, dataset: 'cirt.alerts' },
    alert: { id, status: 'open', severity, reason, window: { start: ts, end: ts } },
    rule: {
      id: 'cirt-net-0001',
      name: 'Outbound SMB to the internet',
      author: 'CIRT detection team',
      license: 'DRL-1.1',
      level: severity,
      tags: ['attack.lateral_movement'],
      references: [],
      type: 'detection',
    },
    organization: { id: agency },
    source: { ip: '10.20.0.5', port: 49152 },
    destination: { ip: '203.0.113.9', port: 445 },
    events: [],
  };
}

const older = alert(`${run}-a1`, '2026-05-01T10:00:00.000Z', 'medium', `first smb flow ${run}`);
const newer = alert(`${run}-a2`, '2026-05-01T10:05:00.000Z', 'critical', `second smb flow ${run}`);
// Under alerts-* like the indexer's daily indices, but a name of our own so that cleanup cannot touch real data.
const index = `${dailyIndex('alerts', older['@timestamp'])}-uitest-${run}`;

/** ECS types for the fields the routes filter and sort on, as the indexer maps alerts-* (keyword ids, date @timestamp). */
const MAPPINGS = {
  properties: {
    '@timestamp': { type: 'date' },
    alert: { properties: { id: { type: 'keyword' }, status: { type: 'keyword' }, severity: { type: 'keyword' }, reason: { type: 'text' } } },
    rule: { properties: { id: { type: 'keyword' }, name: { type: 'text', fields: { keyword: { type: 'keyword' } } }, author: { type: 'keyword' }, level: { type: 'keyword' } } },
    organization: { properties: { id: { type: 'keyword' } } },
    source: { properties: { ip: { type: 'ip' }, port: { type: 'long' } } },
    destination: { properties: { ip: { type: 'ip' }, port: { type: 'long' } } },
  },
} as const;

async function get(url: string): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe(`standalone host against OpenSearch at ${OPENSEARCH_URL}`, () => {
  let client: Client | undefined;
  let host: RunningHost | undefined;
  const logLines: unknown[] = [];
  const logger: HostLogger = { info: (m, f) => logLines.push({ m, ...f }), warn: (m, f) => logLines.push({ m, ...f }), error: (m, f) => logLines.push({ m, ...f }) };

  before(async () => {
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
    client = new Client({ node: OPENSEARCH_URL, requestTimeout: 15_000 });
    await client.indices.create({ index, body: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: MAPPINGS } });
    // Document id = alert id, as the indexer writes them (deterministic ids make replays idempotent).
    for (const a of [older, newer]) await client.index({ index, id: a.alert.id, body: a, refresh: true });
    host = await startHost({ port: 0, host: '127.0.0.1', opensearchUrl: OPENSEARCH_URL, logger });
  });

  after(async () => {
    await host?.close();
    if (client) {
      await client.indices.delete({ index, ignore_unavailable: true }).catch(() => {});
      await client.close();
    }
  });

  test('health reports the cluster', async () => {
    const res = await get(`${host?.url}api/cirt/health`);
    assert.equal(res.status, 200, res.text);
    const body = JSON.parse(res.text) as { status: string; opensearch: string };
    assert.equal(body.status, 'ok');
    assert.ok(['green', 'yellow'].includes(body.opensearch), body.opensearch);
  });

  test('GET /api/cirt/alerts returns both alerts, newest first, with their fields', async () => {
    const res = await get(`${host?.url}api/cirt/alerts?agency=${agency}`);
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = JSON.parse(res.text) as { total: number; alerts: Alert[] };
    assert.equal(body.total, 2);
    assert.deepEqual(body.alerts, [newer, older]);
  });

  test('filters: severity, free text, since, size', async () => {
    const bySeverity = JSON.parse((await get(`${host?.url}api/cirt/alerts?agency=${agency}&severity=medium`)).text) as { alerts: Alert[] };
    assert.deepEqual(bySeverity.alerts.map((a) => a.alert.id), [older.alert.id]);
    const byText = JSON.parse((await get(`${host?.url}api/cirt/alerts?q=${encodeURIComponent(`second ${run}`)}`)).text) as { alerts: Alert[] };
    assert.deepEqual(byText.alerts.map((a) => a.alert.id), [newer.alert.id]);
    const bySince = JSON.parse((await get(`${host?.url}api/cirt/alerts?agency=${agency}&since=2026-05-01T10:01:00Z`)).text) as { alerts: Alert[] };
    assert.deepEqual(bySince.alerts.map((a) => a.alert.id), [newer.alert.id]);
    const page = JSON.parse((await get(`${host?.url}api/cirt/alerts?agency=${agency}&size=1&from=1`)).text) as { total: number; alerts: Alert[] };
    assert.equal(page.total, 2);
    assert.deepEqual(page.alerts.map((a) => a.alert.id), [older.alert.id]);
  });

  test('GET /api/cirt/alerts/{id}: 200 with the alert, 404 when unknown, 400 on bad input', async () => {
    const one = await get(`${host?.url}api/cirt/alerts/${newer.alert.id}`);
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(JSON.parse(one.text), newer);
    assert.equal((await get(`${host?.url}api/cirt/alerts/${run}-none`)).status, 404);
    assert.equal((await get(`${host?.url}api/cirt/alerts?size=501`)).status, 400);
    assert.equal((await get(`${host?.url}api/cirt/alerts?severity=urgent`)).status, 400);
  });

  test('GET / serves the page with the strict CSP and references the bundle', async () => {
    const res = await get(host?.url ?? '');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.equal(
      res.headers.get('content-security-policy'),
      "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; frame-ancestors 'none'",
    );
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.ok(res.text.includes(`<script src="${BUNDLE_JS_PATH}"`), res.text);
    assert.ok(res.text.includes(`href="${BUNDLE_CSS_PATH}"`), res.text);
    assert.doesNotMatch(res.text, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    assert.doesNotMatch(res.text, /<style|\sstyle=/, 'no inline style');
  });

  test('the bundle and its style sheet are served with their content types', async () => {
    const js = await get(`${host?.url}${BUNDLE_JS_PATH.slice(1)}`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.ok(js.text.length > 10_000, 'a real bundle (React + the app)');
    assert.ok(js.text.includes('cirt-root'), 'the bundle mounts into #cirt-root');
    const css = await get(`${host?.url}${BUNDLE_CSS_PATH.slice(1)}`);
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    assert.ok(css.text.includes('.cirt-sev--critical'));
  });

  test('every request was logged as a JSON-friendly record', () => {
    assert.ok(logLines.some((l) => (l as { m: string; path?: string }).m === 'request' && (l as { path?: string }).path === '/api/cirt/alerts'));
  });
});

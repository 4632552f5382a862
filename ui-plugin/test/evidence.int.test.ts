// Integration: evidence preservation against the REAL OpenSearch. An incident is created from two alerts whose raw
// events are in the (per-run) events index; the raw index is then deleted (as retention would), the bundle is
// exported through the standalone host's HTTP API, verified by the real `cirt evidence verify`, tampered with, and
// seen to fail. Port 21100-21199, per-run index prefix, everything removed afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Incident } from '../common/index';
import { readTar, writeTar } from '../server/evidence/bundle_format';
import { startHost, type HostLogger, type RunningHost } from '../standalone/host';
import { createFixture, login, PASSWORDS, type Fixture, type Login } from './opensearch_fixture';

const CLI = resolve(__dirname, '../../cli/cirt.ts');

function verify(file: string, ...extra: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, 'evidence', 'verify', file, ...extra], { encoding: 'utf8', timeout: 60_000 });
}

describe('evidence bundle through the HTTP API, against the real OpenSearch', () => {
  let fx: Fixture;
  let host: RunningHost;
  let lead: Login;
  let dir: string;
  const quiet: HostLogger = { info: () => {}, warn: () => {}, error: () => {} };

  before(async () => {
    fx = await createFixture();
    dir = mkdtempSync(join(tmpdir(), 'cirt-evidence-int-'));
    // The raw events behind the alerts (event.id = `<alert id>-e1`, see makeAlert), as the indexer writes them.
    const rawIndex = fx.indices.events.replace('*', '2026.05.01');
    for (const a of fx.alerts) await fx.client.index({ index: rawIndex, id: a.events[0]!.event!.id!, body: a.events[0]!, refresh: 'wait_for' });
    host = await startHost({ port: 21100 + Math.floor(Math.random() * 100), host: '127.0.0.1', opensearchUrl: process.env.CIRT_OPENSEARCH_URL ?? 'http://127.0.0.1:19200', indices: fx.indices, users: fx.users, logger: quiet });
    lead = await login(host.url, 'lead', PASSWORDS.lead);
  });

  after(async () => {
    await host?.close();
    await fx?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('export → verify OK; the raw events survive the loss of events-*; tampering fails verification', async () => {
    const [a1, a2] = fx.alerts;
    const created = await fetch(`${host.url}api/cirt/incidents`, {
      method: 'POST',
      headers: { cookie: lead.cookie, 'x-cirt-csrf': lead.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ title: `evidence ${fx.run}`, description: 'int test', severity: 'high', alert_ids: [a1!.alert.id, a2!.alert.id] }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const incident = (await created.json()) as Incident;

    // Retention deletes the raw telemetry: the held copies in the incident-events index must carry the bundle.
    await fx.client.indices.delete({ index: fx.indices.events });
    const held = await fx.client.search({ index: fx.indices.heldEvents, body: { query: { term: { incident_id: incident.id } } } });
    assert.equal((held.body.hits.total as { value: number }).value, 2);

    const res = await fetch(`${host.url}api/cirt/incidents/${incident.id}/evidence.tar`, { headers: { cookie: lead.cookie } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/x-tar');
    assert.match(res.headers.get('content-disposition') ?? '', new RegExp(`^attachment; filename="evidence-${incident.id}-\\d{8}T\\d{6}Z\\.tar"$`));
    const digest = res.headers.get('x-cirt-manifest-sha256') ?? '';
    assert.match(digest, /^[0-9a-f]{64}$/);
    const tar = Buffer.from(await res.arrayBuffer());
    const file = join(dir, 'bundle.tar');
    writeFileSync(file, tar);

    const ok = verify(file, '--expect', digest, '--json');
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const report = JSON.parse(ok.stdout) as { ok: boolean; checked: number; incident_id: string; exported_by: { username: string }; missing_events: unknown[] };
    assert.equal(report.ok, true);
    assert.equal(report.incident_id, incident.id);
    assert.equal(report.exported_by.username, 'lead');
    assert.deepEqual(report.missing_events, []);
    const files = new Map(readTar(tar).map((f) => [f.path, f.data.toString('utf8')]));
    const events = files.get('events.jsonl')!.trim().split('\n').map((l) => JSON.parse(l) as { event_id: string; event: { network?: { bytes?: number } } });
    assert.deepEqual(events.map((e) => e.event_id).sort(), [`${a1!.alert.id}-e1`, `${a2!.alert.id}-e1`].sort());
    assert.equal(events[0]!.event.network?.bytes, 4242);

    // The export is in the audit index with the manifest's digest.
    await fx.client.indices.refresh({ index: `${fx.indices.auditPrefix}-*` });
    const audit = await fx.client.search({ index: `${fx.indices.auditPrefix}-*`, body: { query: { term: { 'event.action': 'incident.evidence_export' } } } });
    const rec = audit.body.hits.hits[0]?._source as { user: { name: string }; after: { manifest_sha256: string } } | undefined;
    assert.equal(rec?.user.name, 'lead');
    assert.equal(rec?.after.manifest_sha256, digest);

    // Tamper: one byte of the raw events changed.
    const tampered = writeTar(readTar(tar).map((f) => (f.path === 'events.jsonl' ? { path: f.path, data: Buffer.from(f.data.toString('utf8').replace('4242', '4243')) } : f)), new Date());
    writeFileSync(join(dir, 'tampered.tar'), tampered);
    const bad = verify(join(dir, 'tampered.tar'));
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /^MODIFIED events\.jsonl: /m);
  });
});

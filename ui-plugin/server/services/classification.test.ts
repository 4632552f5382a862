// RSIT classification and TLP 2.0 in the operations room: alert and incident classification changes (audited,
// role-checked), queue filters, incident defaults from the alerts, and TLP enforcement when publishing advisories.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Advisory, Incident, Principal, TriagedAlert } from '../../common/index';
import { parseAlertListQuery } from '../routes/validation';
import { createRoutes } from '../routes/index';
import type { HandlerResult } from '../routes/route_kit';
import { buildListQuery } from './alerts_service';
import { incidentMarking } from './classification';
import { createServices } from './index';
import { alertDoc, memoryStore } from './memory_store_fixture';
import { parseWebhooks, type WebhookTarget } from './advisories_service';

const ANALYST: Principal = { username: 'ana', role: 'analyst' };
const LEAD: Principal = { username: 'boss', role: 'lead' };
const LIAISON: Principal = { username: 'li', role: 'liaison', agency: 'mofa' };

const SCAN = { classification: 'information-gathering', type: 'scanner' };
const BRUTE = { classification: 'intrusion-attempts', type: 'brute-force' };

function setup(webhooks: WebhookTarget[] = []) {
  const mem = memoryStore();
  mem.put('alerts-2026.05.01', 'a-green', alertDoc('a-green', 'mofa', { rsit: SCAN, tlp: 'GREEN' }));
  mem.put('alerts-2026.05.01', 'a-amber', alertDoc('a-amber', 'mofa', { rsit: SCAN, tlp: 'AMBER' }));
  mem.put('alerts-2026.05.01', 'a-old', alertDoc('a-old', 'mofa'));
  const calls: { url: string; body: Record<string, unknown> }[] = [];
  const fetchImpl = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), body: JSON.parse(String(init?.body)) as Record<string, unknown> });
    return new Response('{}', { status: 200 });
  }) as typeof fetch;
  const services = createServices(mem.store, { publish: { webhooks, attempts: 1, backoffMs: 1, fetch: fetchImpl, sleep: async () => {} }, now: () => new Date('2026-05-01T12:30:00.000Z') });
  const routes = createRoutes(services, { error: () => {} });
  const call = (method: string, path: string, principal: Principal, req: { query?: unknown; params?: unknown; body?: unknown } = {}): Promise<HandlerResult> => {
    const r = routes.find((x) => x.method === method && x.path === path);
    assert.ok(r, `${method} ${path}`);
    return r.handler({ query: {}, ...req, principal });
  };
  const audits = () => mem.writes.filter((w) => w.index.startsWith('audit-')).map((w) => w.doc as { event: { action: string }; before: Record<string, unknown> | null; after: Record<string, unknown> });
  return { ...mem, services, call, calls, audits };
}

describe('alert classification', () => {
  test('an analyst re-classifies alerts and raises their TLP (bulk), audited with before/after', async () => {
    const s = setup();
    const res = await s.call('POST', '/api/cirt/alerts/triage', ANALYST, { body: { ids: ['a-green', 'a-old'], action: 'classify', rsit: BRUTE, tlp: 'AMBER' } });
    assert.deepEqual(res.body, { updated: ['a-green', 'a-old'], failed: [] });
    const a = (await s.call('GET', '/api/cirt/alerts/{id}', ANALYST, { params: { id: 'a-green' } })).body as TriagedAlert;
    assert.deepEqual([a.rsit, a.tlp, a.triage?.updated_by], [BRUTE, 'AMBER', 'ana']);
    const audit = s.audits().find((x) => x.event.action === 'alert.classify');
    assert.deepEqual([audit?.before?.rsit, audit?.before?.tlp, audit?.after.rsit, audit?.after.tlp], [SCAN, 'GREEN', BRUTE, 'AMBER']);
  });

  test('lowering a TLP is the lead\'s; a liaison may not classify; bad values are 400s naming the field', async () => {
    const s = setup();
    const down = await s.call('POST', '/api/cirt/alerts/triage', ANALYST, { body: { ids: ['a-amber'], action: 'classify', tlp: 'GREEN' } });
    assert.deepEqual((down.body as { failed: { code: string; message: string }[] }).failed.map((f) => f.code), ['ERR_UI_FORBIDDEN']);
    assert.match((down.body as { failed: { message: string }[] }).failed[0]!.message, /may not lower the TLP of an alert \(TLP:AMBER → TLP:GREEN\)/);
    assert.deepEqual((await s.call('POST', '/api/cirt/alerts/triage', LEAD, { body: { ids: ['a-amber'], action: 'classify', tlp: 'GREEN' } })).body, { updated: ['a-amber'], failed: [] });
    assert.equal((await s.call('POST', '/api/cirt/alerts/triage', LIAISON, { body: { ids: ['a-amber'], action: 'classify', tlp: 'RED' } })).status, 403);
    const bad: [object, RegExp][] = [
      [{ ids: ['a-amber'], action: 'classify' }, /\[rsit\]: action classify needs rsit and\/or tlp/],
      [{ ids: ['a-amber'], action: 'classify', tlp: 'WHITE' }, /\[tlp\]: expected a TLP 2\.0 level/],
      [{ ids: ['a-amber'], action: 'classify', rsit: { classification: 'intrusions', type: 'scanner' } }, /\[rsit\.type\]: expected an RSIT type of intrusions/],
      [{ ids: ['a-amber'], action: 'classify', rsit: { classification: 'hacking', type: 'x' } }, /\[rsit\.classification\]/],
      [{ ids: ['a-amber'], action: 'acknowledge', tlp: 'RED' }, /\[tlp\]: only with action classify/],
    ];
    for (const [body, message] of bad) {
      const r = await s.call('POST', '/api/cirt/alerts/triage', ANALYST, { body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match((r.body as { message: string }).message, message);
    }
  });

  test('the queue filters by classification and TLP', () => {
    const q = parseAlertListQuery({ classification: 'information-gathering', tlp: 'AMBER+STRICT' });
    const filter = (buildListQuery(q).query as { bool: { filter: unknown[] } }).bool.filter;
    assert.deepEqual(filter, [{ term: { 'rsit.classification': 'information-gathering' } }, { term: { tlp: 'AMBER+STRICT' } }]);
    assert.throws(() => parseAlertListQuery({ classification: 'scanning' }), /\[classification\]: expected an RSIT classification/);
    assert.throws(() => parseAlertListQuery({ tlp: 'amber strict' }), /\[tlp\]/);
  });
});

describe('incident classification', () => {
  test('defaults: the alerts\' classification when they agree, else other/undetermined; the highest TLP of the alerts', () => {
    assert.deepEqual(incidentMarking([{ rsit: SCAN, tlp: 'GREEN' }, { rsit: SCAN, tlp: 'AMBER+STRICT' }], {}, ANALYST), { rsit: SCAN, tlp: 'AMBER+STRICT' });
    assert.deepEqual(incidentMarking([{ rsit: SCAN, tlp: 'GREEN' }, { rsit: BRUTE }], {}, ANALYST), { rsit: { classification: 'other', type: 'undetermined' }, tlp: 'AMBER' }, 'an alert without a TLP counts as AMBER');
    assert.deepEqual(incidentMarking([{ rsit: SCAN, tlp: 'GREEN' }], { rsit: BRUTE, tlp: 'RED' }, ANALYST), { rsit: BRUTE, tlp: 'RED' });
    assert.throws(() => incidentMarking([{ tlp: 'AMBER' }], { tlp: 'CLEAR' }, ANALYST), /may not lower the TLP of an incident \(TLP:AMBER → TLP:CLEAR\)/);
    assert.deepEqual(incidentMarking([{ tlp: 'AMBER' }], { tlp: 'CLEAR' }, LEAD).tlp, 'CLEAR');
  });

  test('created with the defaults, then re-classified and re-marked: timeline and audit show it; lowering is the lead\'s', async () => {
    const s = setup();
    const created = await s.call('POST', '/api/cirt/incidents', ANALYST, { body: { title: 'Scan', alert_ids: ['a-green', 'a-amber'] } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const inc = created.body as Incident;
    assert.deepEqual([inc.rsit, inc.tlp], [SCAN, 'AMBER']);
    const change = (p: Principal, body: object) => s.call('POST', '/api/cirt/incidents/{id}', p, { params: { id: inc.id }, body });
    const up = await change(ANALYST, { rsit: BRUTE, tlp: 'RED' });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.deepEqual((up.body as Incident).timeline.slice(1).map((t) => `${t.action}: ${t.detail}`), ['classified: information-gathering/scanner → intrusion-attempts/brute-force', 'TLP changed: TLP:AMBER → TLP:RED']);
    const down = await change(ANALYST, { tlp: 'GREEN' });
    assert.equal(down.status, 403);
    assert.match((down.body as { message: string }).message, /TLP:RED → TLP:GREEN/);
    assert.equal((await change(LEAD, { tlp: 'GREEN' })).status, 200);
    const last = s.audits().filter((a) => a.event.action === 'incident.update').at(-1);
    assert.deepEqual([last?.before?.tlp, last?.after.tlp], ['RED', 'GREEN']);
    assert.equal((await change(ANALYST, { rsit: { classification: 'fraud', type: 'scanner' } })).status, 400);
  });
});

describe('advisories: TLP marking and recipient clearance', () => {
  const publish = async (s: ReturnType<typeof setup>, incidentId: string, tlp?: string) => {
    const res = await s.call('POST', '/api/cirt/incidents/{id}/advisories', LEAD, { params: { id: incidentId }, body: { headline: 'Scanning', description: 'd', ...(tlp ? { tlp } : {}) } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as Advisory;
  };

  test('an AMBER advisory to a CLEAR-only webhook is refused (typed, counted, audited) while the cleared webhooks get it', async () => {
    const s = setup([{ url: 'http://hook.invalid/public' }, { url: 'http://hook.invalid/green', clearance: 'GREEN' }, { url: 'http://hook.invalid/amber', clearance: 'AMBER' }]);
    const inc = (await s.services.incidents.create({ title: 't', description: '', severity: 'low', alertIds: ['a-amber'] }, ANALYST)).id;
    const adv = await publish(s, inc);
    assert.equal(adv.tlp, 'AMBER', 'the advisory inherits the incident\'s TLP');
    assert.deepEqual(adv.deliveries.map((d) => [d.url, d.status, d.clearance, d.code]), [
      ['http://hook.invalid/public', 'refused', 'CLEAR', 'ERR_UI_TLP_REFUSED'],
      ['http://hook.invalid/green', 'refused', 'GREEN', 'ERR_UI_TLP_REFUSED'],
      ['http://hook.invalid/amber', 'delivered', 'AMBER', undefined],
    ]);
    assert.equal(adv.deliveries[0]?.message, "not sent to http://hook.invalid/public: the advisory is TLP:AMBER, above the target's clearance TLP:CLEAR");
    assert.deepEqual(s.calls.map((c) => [c.url, c.body.tlp]), [['http://hook.invalid/amber', 'AMBER']], 'nothing at all reached the refused targets');
    assert.equal(s.services.advisories.refusedTotal, 2);
    const refused = s.audits().filter((a) => a.event.action === 'advisory.refused').map((a) => [a.after.url, a.after.tlp, a.after.clearance]);
    assert.deepEqual(refused, [['http://hook.invalid/public', 'AMBER', 'CLEAR'], ['http://hook.invalid/green', 'AMBER', 'GREEN']]);
    const cap = await s.call('GET', '/api/cirt/advisories/{id}/cap.xml', LEAD, { params: { id: adv.id } });
    assert.match(String(cap.body), /<code>TLP:AMBER<\/code>/);
    const stix = JSON.parse(String((await s.call('GET', '/api/cirt/advisories/{id}/stix.json', LEAD, { params: { id: adv.id } })).body)) as { objects: { type: string; id: string }[] };
    assert.equal(stix.objects.find((o) => o.type === 'marking-definition')?.id, 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421');
  });

  test('a GREEN advisory is delivered to the GREEN-cleared webhook, a CLEAR one to every webhook', async () => {
    const s = setup([{ url: 'http://hook.invalid/public' }, { url: 'http://hook.invalid/green', clearance: 'GREEN' }]);
    const inc = (await s.services.incidents.create({ title: 't', description: '', severity: 'low', alertIds: ['a-green'] }, ANALYST)).id;
    const green = await publish(s, inc);
    assert.equal(green.tlp, 'GREEN');
    assert.deepEqual(green.deliveries.map((d) => [d.url, d.status]), [['http://hook.invalid/public', 'refused'], ['http://hook.invalid/green', 'delivered']]);
    const clear = await publish(s, inc, 'CLEAR');
    assert.deepEqual(clear.deliveries.map((d) => d.status), ['delivered', 'delivered']);
    assert.equal(s.services.advisories.refusedTotal, 1);
    const bad = await s.call('POST', '/api/cirt/incidents/{id}/advisories', LEAD, { params: { id: inc }, body: { headline: 'h', description: 'd', tlp: 'tlp:amber' } });
    assert.equal(bad.status, 400);
  });
});

test('CIRT_UI_WEBHOOKS: `<url>` or `<url> <clearance>`, default clearance CLEAR; a bad clearance is an error naming the entry', () => {
  assert.deepEqual(parseWebhooks(' https://a.example/hook AMBER+STRICT, https://b.example/hook ,'), [{ url: 'https://a.example/hook', clearance: 'AMBER+STRICT' }, { url: 'https://b.example/hook' }]);
  assert.deepEqual(parseWebhooks(''), []);
  assert.throws(() => parseWebhooks('https://a.example/hook amber'), /entry 'https:\/\/a\.example\/hook amber': expected '<url>' or '<url> <clearance>' with clearance one of CLEAR, GREEN/);
});

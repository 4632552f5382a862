// Evidence hold and export over an in-memory store that evaluates the queries the services send (ids, term, terms,
// bool): events held on incident creation, the bundle's content and manifest, missing events named, the export
// route's download and audit record, role checks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Principal, TriagedAlert } from '../../common/index';
import { readTar, verifyBundle } from '../evidence/bundle_format';
import { createRoutes } from '../routes/index';
import { INCIDENT_EVIDENCE_PATH, MANIFEST_DIGEST_HEADER } from '../routes/evidence';
import { eventRefs, ruleFileStem } from './evidence_service';
import { createServices } from './index';
import type { DocStore, SearchResult } from './store';

const ANALYST: Principal = { username: 'ana', role: 'analyst' };
const LEAD: Principal = { username: 'boss', role: 'lead' };
const LIAISON: Principal = { username: 'li', role: 'liaison', agency: 'mofa' };

type Doc = Record<string, unknown>;

function valueAt(doc: Doc, path: string): unknown {
  let cur: unknown = doc;
  for (const k of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Doc)[k] : undefined;
  return cur;
}

/** Evaluates the query shapes the services build: match_all, ids, term, terms, bool filter/should/must_not. */
function matches(q: Doc | undefined, id: string, doc: Doc): boolean {
  if (!q || 'match_all' in q) return true;
  if ('ids' in q) return ((q.ids as { values: string[] }).values).includes(id);
  const has = (field: string, v: unknown) => {
    const got = valueAt(doc, field);
    return Array.isArray(got) ? got.includes(v) : got === v;
  };
  if ('term' in q) return Object.entries(q.term as Doc).every(([f, v]) => has(f, v));
  if ('terms' in q) return Object.entries(q.terms as Doc).every(([f, vs]) => (vs as unknown[]).some((v) => has(f, v)));
  if ('bool' in q) {
    const b = q.bool as { filter?: Doc[]; must?: Doc[]; should?: Doc[]; must_not?: Doc[] };
    return (b.filter ?? []).every((c) => matches(c, id, doc)) && (b.must ?? []).every((c) => matches(c, id, doc)) && (!b.should?.length || b.should.some((c) => matches(c, id, doc))) && !(b.must_not ?? []).some((c) => matches(c, id, doc));
  }
  throw new Error(`query not understood by the test store: ${JSON.stringify(q)}`);
}

function memoryStore() {
  const docs = new Map<string, Map<string, { doc: Doc; seq: number }>>();
  let seq = 0;
  const creates: { index: string; id: string }[] = [];
  const store: DocStore = {
    async search(index, body) {
      const names = [...docs.keys()].filter((i) => (index.endsWith('*') ? i.startsWith(index.slice(0, -1)) : i === index));
      const hits = names.flatMap((i) => [...docs.get(i)!.entries()].filter(([id, d]) => matches(body.query as Doc, id, d.doc)).map(([id, d]) => ({ _id: id, _index: i, _source: structuredClone(d.doc), _seq_no: d.seq, _primary_term: 1 })));
      return { hits: { total: { value: hits.length }, hits: hits.slice(0, Number(body.size ?? 10)) } } as SearchResult;
    },
    async index(index, id, doc, opts = {}) {
      const m = docs.get(index) ?? docs.set(index, new Map()).get(index)!;
      if (opts.create && m.has(id)) throw Object.assign(new Error('exists'), { meta: { statusCode: 409 } });
      if (opts.create) creates.push({ index, id });
      m.set(id, { doc: structuredClone(doc), seq: ++seq });
    },
    async update(index, id, partial) {
      const cur = docs.get(index)!.get(id)!;
      const merged = { ...cur.doc };
      for (const [k, v] of Object.entries(partial)) merged[k] = typeof v === 'object' && v && !Array.isArray(v) ? { ...(merged[k] as object), ...v } : v;
      docs.get(index)!.set(id, { doc: merged, seq: ++seq });
    },
    async ensureIndex(index) {
      if (!docs.has(index)) docs.set(index, new Map());
    },
    async putMapping() {},
  };
  const put = (index: string, id: string, doc: object) => (docs.get(index) ?? docs.set(index, new Map()).get(index)!).set(id, { doc: structuredClone(doc) as Doc, seq: ++seq });
  return { store, docs, put, creates };
}

function rawEvent(id: string, agency: string) {
  return { '@timestamp': '2026-05-01T11:59:00.000Z', event: { id, kind: 'event', category: ['network'] }, organization: { id: agency }, source: { ip: '10.0.0.1', port: 50000 }, destination: { ip: '203.0.113.9', port: 445 }, network: { transport: 'tcp', bytes: 4242 } };
}

function alertDoc(id: string, agency: string, eventIds: string[], rule: Partial<TriagedAlert['rule']> = {}): TriagedAlert {
  return {
    '@timestamp': '2026-05-01T12:00:00.000Z',
    event: { kind: 'alert', created: '2026-05-01T12:00:00.000Z' },
    alert: { id, status: 'open', severity: 'high', reason: 'r' },
    rule: { id: 'r1', name: 'SMB out', level: 'high', tags: [], references: [], type: 'detection', hash: 'a'.repeat(64), version: '2026-03-02', ...rule },
    organization: { id: agency },
    events: eventIds.map((e) => rawEvent(e, agency)),
  };
}

function setup(ruleText?: string) {
  const mem = memoryStore();
  mem.put('alerts-2026.05.01', 'a1', alertDoc('a1', 'mofa', ['e1', 'e2']));
  mem.put('alerts-2026.05.01', 'a2', alertDoc('a2', 'mofa', ['e2', 'e3'], { id: 'r/2', hash: 'b'.repeat(64) }));
  mem.put('events-2026.05.01', 'e1', rawEvent('e1', 'mofa'));
  mem.put('events-2026.05.01', 'e2', rawEvent('e2', 'mofa'));
  // e3 was never indexed as raw telemetry (indexTelemetry off, or past retention).
  let clock = Date.parse('2026-05-01T12:30:00.000Z');
  const services = createServices(mem.store, {
    now: () => new Date(clock),
    ...(ruleText ? { ruleSource: async (rule) => (rule.hash === 'a'.repeat(64) ? { text: ruleText, origin: `rules/smb.yml, SHA-256 ${rule.hash}` } : undefined) } : {}),
  });
  const routes = createRoutes(services, { error: () => {} });
  const exportRoute = routes.find((r) => r.method === 'GET' && r.path === INCIDENT_EVIDENCE_PATH)!;
  return { ...mem, services, exportRoute, tick: (ms: number) => (clock += ms) };
}

describe('evidence hold', () => {
  test('creating an incident copies the raw events behind its alerts into incident-events, once', async () => {
    const s = setup();
    const inc = await s.services.incidents.create({ title: 't', description: '', severity: 'low', alertIds: ['a1', 'a2'] }, ANALYST);
    const held = s.docs.get('incident-events')!;
    assert.deepEqual([...held.keys()].sort(), [`${inc.id}:e1`, `${inc.id}:e2`]);
    const e2 = held.get(`${inc.id}:e2`)!.doc;
    assert.deepEqual(e2.alert_ids, ['a1', 'a2']);
    assert.equal(e2.source_index, 'events-2026.05.01');
    assert.equal(e2.held_by, 'ana');
    assert.deepEqual(e2.event, rawEvent('e2', 'mofa'));
    // The raw telemetry index may now be deleted by retention: the held copy stays.
    s.docs.delete('events-2026.05.01');
    const again = await s.services.evidence.hold(inc.id, [alertDoc('a1', 'mofa', ['e1', 'e2'])], ANALYST);
    assert.deepEqual(again, { held: 0, missing: [] });
    assert.equal(held.size, 2);
  });

  test('triggering events without event.id are reported, not dropped', () => {
    const a = alertDoc('a9', 'mofa', ['e1']);
    a.events.push({ '@timestamp': 'x' });
    const { refs, unidentified } = eventRefs([a]);
    assert.deepEqual(refs, [{ eventId: 'e1', alertIds: ['a9'] }]);
    assert.equal(unidentified.length, 1);
    assert.equal(unidentified[0]!.event_id, '(events[1] has no event.id)');
  });
});

describe('evidence export', () => {
  test('the bundle holds incident, alerts, held events, rules; names the missing event; verifies; is audited', async () => {
    const s = setup('title: SMB out\nid: r1\n');
    const inc = await s.services.incidents.create({ title: 't', description: '', severity: 'low', alertIds: ['a1', 'a2'] }, ANALYST);
    s.tick(60_000);
    const res = await s.exportRoute.handler({ query: {}, params: { id: inc.id }, principal: LEAD });
    assert.equal(res.status, 200);
    assert.equal(res.contentType, 'application/x-tar');
    assert.ok(Buffer.isBuffer(res.body));
    const tar = res.body as Buffer;
    assert.equal(res.headers?.['content-disposition'], `attachment; filename="evidence-${inc.id}-20260501T123100Z.tar"`);
    const digest = res.headers?.[MANIFEST_DIGEST_HEADER] as string;
    const v = verifyBundle(tar, digest);
    assert.deepEqual(v.problems, []);
    const m = v.manifest!;
    assert.deepEqual(m.files.map((f) => f.path), ['alerts.jsonl', 'events.jsonl', 'incident.json', 'rules/r1.alert-record.json', 'rules/r1.yml', 'rules/r_2.alert-record.json']);
    assert.deepEqual(m.exported_by, { username: 'boss', role: 'lead' });
    assert.equal(m.exported_at, '2026-05-01T12:31:00.000Z');
    assert.equal(m.incident_id, inc.id);
    assert.deepEqual(m.missing_events.map((x) => [x.alert_id, x.event_id]), [['a2', 'e3']]);
    assert.match(m.missing_events[0]!.reason, /not in incident-events nor events-\*/);
    // Rules in rule-id order ('r/2' sorts before 'r1').
    assert.deepEqual(m.notes, ['rules/r_2.yml: the rule text was not available to the operations room; rules/r_2.alert-record.json is the rule as the alerts recorded it', 'rules/r1.yml: rules/smb.yml, SHA-256 ' + 'a'.repeat(64)]);

    const files = new Map(readTar(tar).map((f) => [f.path, f.data.toString('utf8')]));
    assert.deepEqual(files.get('alerts.jsonl')!.trim().split('\n').map((l) => (JSON.parse(l) as TriagedAlert).alert.id), ['a1', 'a2']);
    const events = files.get('events.jsonl')!.trim().split('\n').map((l) => JSON.parse(l) as { event_id: string; alert_ids: string[]; event: unknown });
    assert.deepEqual(events.map((e) => [e.event_id, e.alert_ids]), [['e1', ['a1']], ['e2', ['a1', 'a2']]]);
    assert.deepEqual(events[0]!.event, rawEvent('e1', 'mofa'));
    assert.equal(files.get('rules/r1.yml'), 'title: SMB out\nid: r1\n');
    assert.equal((JSON.parse(files.get('rules/r_2.alert-record.json')!) as { hash: string }[])[0]!.hash, 'b'.repeat(64));
    assert.equal((JSON.parse(files.get('incident.json')!) as { id: string }).id, inc.id);

    const audit = [...s.docs.entries()].filter(([i]) => i.startsWith('audit-')).flatMap(([, m]) => [...m.values()].map((d) => d.doc as { event: { action: string }; user: { name: string }; object: { id: string }; after: { manifest_sha256: string; missing_events: number } }));
    const exportRecord = audit.find((a) => a.event.action === 'incident.evidence_export')!;
    assert.equal(exportRecord.user.name, 'boss');
    assert.equal(exportRecord.object.id, inc.id);
    assert.equal(exportRecord.after.manifest_sha256, digest);
    assert.equal(exportRecord.after.missing_events, 1);
  });

  test('two exports at the same instant are byte-identical (deterministic ordering)', async () => {
    const s = setup();
    const inc = await s.services.incidents.create({ title: 't', description: '', severity: 'low', alertIds: ['a2', 'a1'] }, ANALYST);
    const one = await s.services.evidence.export(inc.id, ANALYST);
    const two = await s.services.evidence.export(inc.id, ANALYST);
    assert.deepEqual(one.tar, two.tar);
  });

  test('a liaison may not export (403); an unknown incident is 404; no principal is 401', async () => {
    const s = setup();
    const inc = await s.services.incidents.create({ title: 't', description: '', severity: 'low', alertIds: ['a1'] }, ANALYST);
    assert.equal((await s.exportRoute.handler({ query: {}, params: { id: inc.id }, principal: LIAISON })).status, 403);
    assert.equal((await s.exportRoute.handler({ query: {}, params: { id: 'nope' }, principal: ANALYST })).status, 404);
    assert.equal((await s.exportRoute.handler({ query: {}, params: { id: inc.id } })).status, 401);
    assert.equal((await s.exportRoute.handler({ query: { x: 1 }, params: { id: inc.id }, principal: ANALYST })).status, 400);
  });

  test('rule file names are safe whatever the rule id', () => {
    assert.equal(ruleFileStem('5f0c0c52-0000-4000-8000-000000000001'), '5f0c0c52-0000-4000-8000-000000000001');
    assert.equal(ruleFileStem('../../etc/passwd'), '.._.._etc_passwd');
  });
});

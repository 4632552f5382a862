// Test fixtures shared by the service tests: an alert document and a tiny recording in-memory DocStore.
import type { TriagedAlert } from '../../common/index';
import type { DocStore, SearchBody, SearchResult } from './store';

export function alertDoc(id: string, agency: string, over: Partial<TriagedAlert> = {}): TriagedAlert {
  return {
    '@timestamp': '2026-05-01T12:00:00.000Z',
    event: { kind: 'alert', created: '2026-05-01T12:00:00.000Z' },
    alert: { id, status: 'open', severity: 'high', reason: 'r' },
    rule: { id: 'r1', name: 'Rule', level: 'high', tags: ['attack.t1048'], references: [], type: 'detection' },
    organization: { id: agency },
    source: { ip: '10.0.0.1' },
    events: [],
    ...over,
  };
}

/** A tiny document store: keeps docs per index, answers searches for ids/all (filters are checked separately). */
export function memoryStore() {
  const docs = new Map<string, Map<string, { doc: Record<string, unknown>; seq: number }>>();
  const searches: { index: string; body: SearchBody }[] = [];
  const writes: { op: string; index: string; id: string; doc: Record<string, unknown> }[] = [];
  let seq = 0;
  const matchIndex = (pattern: string) => [...docs.keys()].filter((i) => (pattern.endsWith('*') ? i.startsWith(pattern.slice(0, -1)) : i === pattern));
  const store: DocStore = {
    async search(index, body) {
      searches.push({ index, body });
      const json = JSON.stringify(body.query ?? {});
      const ids = /"ids":\{"values":\[([^\]]*)\]/.exec(json)?.[1];
      const wanted = ids ? (JSON.parse(`[${ids}]`) as string[]) : undefined;
      // Every organization.id term must hold (they are all in filter context in our queries).
      const agencies = [...json.matchAll(/"term":\{"organization.id":"([^"]+)"\}/g)].map((m) => m[1] as string);
      const hits = matchIndex(index).flatMap((i) =>
        [...(docs.get(i)?.entries() ?? [])]
          .filter(([id]) => !wanted || wanted.includes(id))
          .filter(([, d]) => {
            const org = (d.doc.organization as { id: string | string[] }).id;
            return agencies.every((agency) => (Array.isArray(org) ? org.includes(agency) : org === agency));
          })
          .map(([id, d]) => ({ _id: id, _index: i, _source: structuredClone(d.doc), _seq_no: d.seq, _primary_term: 1 })),
      );
      return { hits: { total: { value: hits.length }, hits: hits.slice(0, Number(body.size ?? 10)) }, aggregations: {} } as SearchResult;
    },
    async index(index, id, doc, opts = {}) {
      const m = docs.get(index) ?? new Map();
      docs.set(index, m);
      if (opts.create && m.has(id)) throw Object.assign(new Error('exists'), { meta: { statusCode: 409 } });
      if (opts.ifSeqNo !== undefined && m.get(id)?.seq !== opts.ifSeqNo) throw Object.assign(new Error('conflict'), { meta: { statusCode: 409 } });
      m.set(id, { doc: structuredClone(doc), seq: ++seq });
      writes.push({ op: 'index', index, id, doc });
    },
    async update(index, id, partial, opts = {}) {
      const cur = docs.get(index)?.get(id);
      if (!cur) throw Object.assign(new Error('missing'), { meta: { statusCode: 404 } });
      if (opts.ifSeqNo !== undefined && cur.seq !== opts.ifSeqNo) throw Object.assign(new Error('conflict'), { meta: { statusCode: 409 } });
      const merged = { ...cur.doc };
      for (const [k, v] of Object.entries(partial)) merged[k] = typeof v === 'object' && v && !Array.isArray(v) ? { ...(merged[k] as object), ...v } : v;
      docs.get(index)?.set(id, { doc: merged, seq: ++seq });
      writes.push({ op: 'update', index, id, doc: partial });
    },
    async ensureIndex(index) {
      if (!docs.has(index)) docs.set(index, new Map());
    },
    async putMapping() {},
  };
  const put = (index: string, id: string, doc: object) => {
    const m = docs.get(index) ?? new Map();
    docs.set(index, m);
    m.set(id, { doc: structuredClone(doc) as Record<string, unknown>, seq: ++seq });
  };
  return { store, searches, writes, put, docs };
}


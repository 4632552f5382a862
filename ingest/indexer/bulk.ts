// The pure half of the indexer: turning documents into a _bulk body and sorting a bulk response into
// written / retry / dead-letter. A 200 response can still carry per-item failures; only those are retried.

export interface IndexDoc {
  index: string;
  id: string;
  doc: Record<string, unknown>;
}

export interface BulkItemResult {
  status: number;
  error?: { type?: string; reason?: string } | string;
}

export interface BulkOutcome {
  written: IndexDoc[];
  retry: IndexDoc[];
  dead: { doc: IndexDoc; status: number; reason: string }[];
}

/** `create` keeps the first write of a deterministic id: a replay never duplicates, nor overwrites analyst triage. */
export function bulkBody(docs: IndexDoc[]): Record<string, unknown>[] {
  const body: Record<string, unknown>[] = [];
  for (const d of docs) body.push({ create: { _index: d.index, _id: d.id } }, d.doc);
  return body;
}

export function classifyBulk(docs: IndexDoc[], items: BulkItemResult[]): BulkOutcome {
  const out: BulkOutcome = { written: [], retry: [], dead: [] };
  docs.forEach((doc, i) => {
    const item = items[i];
    if (!item) return out.retry.push(doc);
    if (item.status < 300 || item.status === 409) return out.written.push(doc);
    if (item.status === 429 || item.status >= 500) return out.retry.push(doc);
    const reason = typeof item.error === 'string' ? item.error : `${item.error?.type ?? 'error'}: ${item.error?.reason ?? 'unknown'}`;
    out.dead.push({ doc, status: item.status, reason });
  });
  return out;
}

/** A dead-letter document: the original as text plus why it was refused, in an index with no strict mapping. */
export function deadLetter(entry: BulkOutcome['dead'][number], now: Date): IndexDoc {
  return {
    index: `deadletter-${now.toISOString().slice(0, 10).replace(/-/g, '.')}`,
    id: `${entry.doc.index}:${entry.doc.id}`,
    doc: {
      '@timestamp': now.toISOString(),
      target: { index: entry.doc.index, id: entry.doc.id },
      error: { status: entry.status, reason: entry.reason },
      original: JSON.stringify(entry.doc.doc).slice(0, 32_768),
    },
  };
}

/** Splits documents into groups whose serialised size stays under maxBytes (a single larger document goes alone). */
export function chunkBySize(docs: IndexDoc[], maxBytes: number): IndexDoc[][] {
  const chunks: IndexDoc[][] = [];
  let current: IndexDoc[] = [];
  let bytes = 0;
  for (const d of docs) {
    const size = JSON.stringify(d.doc).length + d.id.length + d.index.length + 40;
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(d);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

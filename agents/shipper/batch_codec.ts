// The shipper's Batch serializer: the same bytes as proto/gen/ingest.ts `Batch.encode(batch).finish()`, written once
// into one buffer of the exact size. The generated encoder builds a chunk per record and joins the chunks, and its
// gRPC serializer copies the result again (`Buffer.from`): each event was copied three times per batch, as garbage
// the size of the batch each time; here it is copied once. Fields (proto/ingest.proto, proto3: defaults omitted):
// Batch { 1 agent_id: string, 2 boot_id: string, 3 seq: uint64, 4 records: repeated Record }
// Record { 1 kind: RecordKind (a spool kind byte, 0..255), 2 event_json: bytes }
import type { Batch, Record } from '../../proto/gen/ingest.ts';

const varintBytes = (n: number): number => {
  let bytes = 1;
  for (; n >= 0x80; bytes++) n = Math.floor(n / 0x80);
  return bytes;
};

function writeVarint(out: Buffer, pos: number, n: number): number {
  for (; n >= 0x80; n = Math.floor(n / 0x80)) out[pos++] = (n % 0x80) | 0x80;
  out[pos++] = n;
  return pos;
}

function recordBytes(r: Record): number {
  if (!Number.isInteger(r.kind) || r.kind < 0) throw new RangeError(`record kind ${r.kind} is not a spool kind (0..255)`);
  return (r.kind !== 0 ? 1 + varintBytes(r.kind) : 0) + (r.eventJson.length !== 0 ? 1 + varintBytes(r.eventJson.length) + r.eventJson.length : 0);
}

export function encodeBatch(batch: Batch): Buffer {
  if (!Number.isSafeInteger(batch.seq) || batch.seq < 0) throw new RangeError(`batch seq ${batch.seq} is not a non-negative safe integer`);
  const agentLen = Buffer.byteLength(batch.agentId);
  const bootLen = Buffer.byteLength(batch.bootId);
  let size = (agentLen !== 0 ? 1 + varintBytes(agentLen) + agentLen : 0) + (bootLen !== 0 ? 1 + varintBytes(bootLen) + bootLen : 0) + (batch.seq !== 0 ? 1 + varintBytes(batch.seq) : 0);
  for (const r of batch.records) {
    const n = recordBytes(r);
    size += 1 + varintBytes(n) + n;
  }
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  if (agentLen !== 0) {
    out[pos++] = 10;
    pos = writeVarint(out, pos, agentLen);
    pos += out.write(batch.agentId, pos, 'utf8');
  }
  if (bootLen !== 0) {
    out[pos++] = 18;
    pos = writeVarint(out, pos, bootLen);
    pos += out.write(batch.bootId, pos, 'utf8');
  }
  if (batch.seq !== 0) {
    out[pos++] = 24;
    pos = writeVarint(out, pos, batch.seq);
  }
  for (const r of batch.records) {
    out[pos++] = 34;
    pos = writeVarint(out, pos, recordBytes(r));
    if (r.kind !== 0) {
      out[pos++] = 8;
      pos = writeVarint(out, pos, r.kind);
    }
    if (r.eventJson.length !== 0) {
      out[pos++] = 18;
      pos = writeVarint(out, pos, r.eventJson.length);
      out.set(r.eventJson, pos);
      pos += r.eventJson.length;
    }
  }
  return out;
}

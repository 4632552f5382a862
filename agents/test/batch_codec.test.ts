import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Batch, RecordKind } from '../../proto/gen/ingest.ts';
import { encodeBatch } from '../shipper/batch_codec.ts';

const same = (b: Batch) => assert.deepEqual(encodeBatch(b), Buffer.from(Batch.encode(b).finish()), JSON.stringify({ ...b, records: b.records.length }));
const json = (n: number) => Buffer.from(JSON.stringify({ n, pad: 'é'.repeat(n) }));

test('encodeBatch writes the bytes of the generated encoder, and the gateway decodes them back', () => {
  const records = [1, 60, 200, 9000, 70_000].map((n, i) => ({ kind: i % 2 ? RecordKind.RECORD_KIND_LOG : RecordKind.RECORD_KIND_FLOW, eventJson: json(n) }));
  const batch: Batch = { agentId: 'mofa:agent-01', bootId: '0f6a0b9e-4c1e-4d6b-9a51-6f1d5ad7c2b1', seq: 17, records };
  same(batch);
  assert.deepEqual(Batch.decode(encodeBatch(batch)), batch);
});

test('encodeBatch omits proto3 defaults and handles varint boundaries like the generated encoder', () => {
  same({ agentId: '', bootId: '', seq: 0, records: [] });
  same({ agentId: 'ä', bootId: 'b', seq: 0, records: [{ kind: 0, eventJson: Buffer.alloc(0) }, { kind: 255 as RecordKind, eventJson: Buffer.from('x') }] });
  for (const seq of [1, 127, 128, 16_383, 16_384, 2 ** 31, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER]) same({ agentId: 'a', bootId: 'b', seq, records: [] });
  for (const len of [126, 127, 128, 16_381, 16_382, 16_383, 16_384]) same({ agentId: 'a', bootId: 'b', seq: 2, records: [{ kind: 1, eventJson: Buffer.alloc(len, 0x61) }] });
});

test('encodeBatch refuses what it cannot encode exactly', () => {
  assert.throws(() => encodeBatch({ agentId: 'a', bootId: 'b', seq: -1, records: [] }), RangeError);
  assert.throws(() => encodeBatch({ agentId: 'a', bootId: 'b', seq: 2 ** 53, records: [] }), RangeError);
  assert.throws(() => encodeBatch({ agentId: 'a', bootId: 'b', seq: 1, records: [{ kind: -1, eventJson: Buffer.from('x') }] }), RangeError);
});

import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DiskSpool, SpoolError, type SpoolOptions } from '../spool/disk_spool.ts';
import { decodeRecord, encodeRecord } from '../spool/record_codec.ts';

const opts = (dir: string, over: Partial<SpoolOptions> = {}): SpoolOptions => ({
  dir, segmentBytes: 1024, maxBytes: 1 << 20, whenFull: 'block', fsync: 'never', fsyncIntervalMs: 1000, maxRecordBytes: 4096, ...over,
});
const rec = (n: number) => ({ kind: 2, payload: Buffer.from(JSON.stringify({ n, pad: 'x'.repeat(40) })) });
const ns = (records: { payload: Buffer }[]) => records.map((r) => (JSON.parse(r.payload.toString()) as { n: number }).n);
const fresh = () => mkdtempSync(join(tmpdir(), 'spool-'));

test('record framing round-trips and detects torn and corrupt records', () => {
  const buf = encodeRecord(rec(1));
  const ok = decodeRecord(buf, 0, 4096);
  assert.ok(ok.ok && ok.record.kind === 2 && ok.next === buf.length);
  assert.deepEqual(decodeRecord(buf.subarray(0, buf.length - 1), 0, 4096), { ok: false, reason: 'torn', at: 0 });
  const bad = Buffer.from(buf);
  bad.writeUInt8(bad.readUInt8(bad.length - 1) ^ 0xff, bad.length - 1);
  assert.deepEqual(decodeRecord(bad, 0, 4096), { ok: false, reason: 'corrupt', at: 0 });
  assert.deepEqual(decodeRecord(buf, 0, 10), { ok: false, reason: 'corrupt', at: 0 }, 'an absurd length is corrupt, not an allocation');
});

test('after a restart, reading resumes at the last acknowledged record', () => {
  const dir = fresh();
  let s = new DiskSpool(opts(dir));
  for (let i = 0; i < 50; i++) assert.equal(s.append(rec(i)), true);
  const first = s.read(20, 1 << 20);
  assert.deepEqual(ns(first.records), [...Array(20).keys()]);
  s.commit(first.end);
  const second = s.read(10, 1 << 20); // handed out but never acknowledged
  assert.equal(second.records.length, 10);
  s.close();
  s = new DiskSpool(opts(dir));
  assert.deepEqual(ns(s.read(1000, 1 << 20).records), Array.from({ length: 30 }, (_, i) => i + 20));
  assert.equal(s.counters.tornRecords, 0);
  s.close();
});

test('segments rotate, and fully acknowledged segments are deleted', () => {
  const dir = fresh();
  const s = new DiskSpool(opts(dir));
  for (let i = 0; i < 100; i++) s.append(rec(i));
  assert.ok(readdirSync(dir).filter((f) => f.endsWith('.seg')).length > 3);
  const all = s.read(1000, 1 << 20);
  assert.deepEqual(ns(all.records), [...Array(100).keys()]);
  s.commit(all.end);
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.seg')).length, 1, 'only the active segment remains');
  assert.equal(s.pendingBytes, 0);
  assert.equal(s.counters.acked, 100);
  s.close();
});

test('a torn tail after a crash is cut off and counted; the rest survives and appends go on', () => {
  const dir = fresh();
  let s = new DiskSpool(opts(dir, { segmentBytes: 1 << 20 }));
  for (let i = 0; i < 5; i++) s.append(rec(i));
  s.close();
  const seg = join(dir, readdirSync(dir).find((f) => f.endsWith('.seg'))!);
  appendFileSync(seg, encodeRecord(rec(99)).subarray(0, 20)); // the crash cut the 6th record short
  s = new DiskSpool(opts(dir, { segmentBytes: 1 << 20 }));
  assert.equal(s.counters.tornRecords, 1);
  s.append(rec(5));
  assert.deepEqual(ns(s.read(100, 1 << 20).records), [0, 1, 2, 3, 4, 5]);
  s.close();
});

test('a corrupt record (bad checksum) ends its segment there and is counted', () => {
  const dir = fresh();
  let s = new DiskSpool(opts(dir, { segmentBytes: 1 << 20 }));
  for (let i = 0; i < 5; i++) s.append(rec(i));
  s.close();
  const seg = join(dir, readdirSync(dir).find((f) => f.endsWith('.seg'))!);
  const bytes = readFileSync(seg);
  const third = encodeRecord(rec(0)).length * 2 + 12;
  bytes.writeUInt8(bytes.readUInt8(third) ^ 0xff, third);
  writeFileSync(seg, bytes);
  s = new DiskSpool(opts(dir, { segmentBytes: 1 << 20 }));
  assert.equal(s.counters.corruptRegions, 1);
  assert.deepEqual(ns(s.read(100, 1 << 20).records), [0, 1]);
  s.close();
});

test('when full with policy block, append refuses until an ack frees space', async () => {
  const dir = fresh();
  const size = encodeRecord(rec(0)).length;
  const s = new DiskSpool(opts(dir, { maxBytes: size * 3, segmentBytes: size }));
  for (let i = 0; i < 3; i++) assert.equal(s.append(rec(i)), true);
  assert.equal(s.append(rec(3)), false);
  assert.equal(s.counters.fullRefusals, 1);
  const space = s.waitForSpace();
  const r = s.read(1, 1 << 20);
  s.commit(r.end);
  await space;
  assert.equal(s.append(rec(3)), true);
  assert.deepEqual(ns(s.read(100, 1 << 20).records), [1, 2, 3]);
  s.close();
});

test('when full with policy drop_oldest, the oldest segment is dropped and counted', () => {
  const dir = fresh();
  const size = encodeRecord(rec(0)).length;
  const s = new DiskSpool(opts(dir, { maxBytes: size * 4, segmentBytes: size * 2, whenFull: 'drop_oldest' }));
  for (let i = 0; i < 6; i++) assert.equal(s.append(rec(i)), true);
  assert.equal(s.counters.droppedFull, 2);
  assert.deepEqual(ns(s.read(100, 1 << 20).records), [2, 3, 4, 5]);
  s.close();
});

test('a record larger than the limit is a typed error; a full disk is ERR_SPOOL_DISK_FULL, retryable', () => {
  const dir = fresh();
  const size = encodeRecord(rec(0)).length;
  const s = new DiskSpool(opts(dir, { segmentBytes: size }));
  assert.throws(() => s.append({ kind: 1, payload: Buffer.alloc(5000) }), (e: SpoolError) => e.code === 'ERR_SPOOL_RECORD_TOO_LARGE');
  assert.equal(s.append(rec(0)), true);
  if (existsSync('/dev/full')) {
    symlinkSync('/dev/full', join(dir, '0000000002.seg')); // the next segment lives on a full "disk"
    assert.throws(() => s.append(rec(1)), (e: SpoolError) => e.code === 'ERR_SPOOL_DISK_FULL' && e.retryable);
  }
  assert.deepEqual(ns(s.read(100, 1 << 20).records), [0], 'what was written before is intact');
  s.close();
});

test('a full disk is counted (diskFullErrors, lastWriteError) until an append succeeds again', () => {
  if (!existsSync('/dev/full')) assert.fail('this test needs /dev/full (Linux) to simulate ENOSPC');
  const dir = fresh();
  const size = encodeRecord(rec(0)).length;
  const s = new DiskSpool(opts(dir, { segmentBytes: size }));
  assert.equal(s.append(rec(0)), true);
  symlinkSync('/dev/full', join(dir, '0000000002.seg'));
  for (let i = 0; i < 3; i++) assert.throws(() => s.append(rec(1)), (e: SpoolError) => e.code === 'ERR_SPOOL_DISK_FULL');
  assert.deepEqual([s.counters.writeErrors, s.counters.diskFullErrors, s.counters.appended], [3, 3, 1]);
  assert.equal(s.lastWriteError, 'ERR_SPOOL_DISK_FULL');
  s.close();
});

test('an ack cursor that cannot be saved (disk full) is counted, not thrown; acked segments are freed first', () => {
  if (!existsSync('/dev/full')) assert.fail('this test needs /dev/full (Linux) to simulate ENOSPC');
  const dir = fresh();
  const size = encodeRecord(rec(0)).length;
  const s = new DiskSpool(opts(dir, { segmentBytes: size }));
  for (let i = 0; i < 4; i++) assert.equal(s.append(rec(i)), true);
  const first = s.read(2, 1 << 20);
  symlinkSync('/dev/full', join(dir, 'ack.json.tmp')); // the cursor file cannot be written
  assert.doesNotThrow(() => s.commit(first.end));
  assert.equal(s.counters.ackSaveErrors, 1);
  assert.equal(s.counters.acked, 2);
  // the cursor ends inside segment 2 (record 1 read, segment not left yet): segment 1 is the one fully acknowledged
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.seg')).sort(), ['0000000002.seg', '0000000003.seg', '0000000004.seg'], 'the acknowledged segment is deleted anyway');
  assert.deepEqual(ns(s.read(100, 1 << 20).records), [2, 3], 'shipping goes on after the failed save');
  s.close();
  // a restart finds no saved cursor: it re-ships from the oldest segment left, record 1 again (at least once; the
  // event id makes it one document downstream)
  const again = new DiskSpool(opts(dir, { segmentBytes: size }));
  assert.deepEqual(ns(again.read(100, 1 << 20).records), [1, 2, 3]);
  again.close();
});

test('a string payload is framed as its UTF-8 bytes, the same record as the Buffer payload', () => {
  const text = JSON.stringify({ n: 1, name: 'Ministère — 外務省 \u{1F600}' });
  assert.deepEqual(encodeRecord({ kind: 2, payload: text }), encodeRecord({ kind: 2, payload: Buffer.from(text) }));
  const s = new DiskSpool(opts(fresh()));
  assert.equal(s.append({ kind: 2, payload: text }), true);
  assert.equal(s.append({ kind: 1, payload: 'x'.repeat(3000) }), true, 'larger than the first frame buffer use');
  const { records } = s.read(10, 1 << 20);
  assert.deepEqual(records.map((r) => [r.kind, r.payload.toString()]), [[2, text], [1, 'x'.repeat(3000)]]);
  assert.throws(() => s.append({ kind: 2, payload: 'é'.repeat(2049) }), (e: SpoolError) => e.code === 'ERR_SPOOL_RECORD_TOO_LARGE' && /4098 bytes/.test(e.message), 'the limit is on bytes, not characters');
  s.close();
});

test('a read reuses the buffer of the read before it (no allocation per batch); records across segments stay whole', () => {
  const s = new DiskSpool(opts(fresh(), { segmentBytes: 256 }));
  for (let i = 0; i < 40; i++) s.append(rec(i));
  assert.deepEqual(ns(s.read(4, 1 << 20).records), [0, 1, 2, 3], 'the buffer grows to what reads need');
  const second = s.read(4, 1 << 20);
  assert.deepEqual(ns(second.records), [4, 5, 6, 7]);
  const third = s.read(4, 1 << 20);
  assert.deepEqual(ns(third.records), [8, 9, 10, 11]);
  assert.equal(third.records[0]!.payload.buffer, second.records[0]!.payload.buffer, 'then it is read into again');
  assert.deepEqual(ns(s.read(100, 1 << 20).records), Array.from({ length: 28 }, (_, i) => i + 12), 'one read over several segments');
  s.close();
});

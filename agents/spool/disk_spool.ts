// The agent's on-disk spool: every accepted record is appended to segment files before it is shipped, and is
// deleted only once the gateway acknowledged it. After a crash or restart, reading resumes at the last
// acknowledged record; a torn or corrupt tail is cut off and counted, never corrupting the rest.
// Bounded in size: when full, either the input blocks (`block`) or the oldest unacknowledged segment is
// dropped (`drop_oldest`); both are counted. A full disk is a typed, retryable error, not a crash.
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, writeFileSync, writeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CirtError } from '../../proto/errors.ts';
import { decodeRecord, encodeRecordInto, HEADER_BYTES, payloadBytes, type NewRecord, type SpoolRecord } from './record_codec.ts';

export class SpoolError extends CirtError {}

export interface SpoolOptions {
  dir: string;
  segmentBytes: number;
  maxBytes: number;
  whenFull: 'block' | 'drop_oldest';
  fsync: 'always' | 'interval' | 'never';
  fsyncIntervalMs: number;
  maxRecordBytes: number;
}

export interface Cursor {
  segment: number;
  offset: number;
}

export interface SpoolCounters {
  appended: number;
  acked: number;
  droppedFull: number;
  tornRecords: number;
  corruptRegions: number;
  fullRefusals: number;
  /** appends that failed on the filesystem (the record was not taken; the caller retries): all causes */
  writeErrors: number;
  /** of those, ENOSPC (ERR_SPOOL_DISK_FULL) */
  diskFullErrors: number;
  /** acknowledged cursors not persisted (e.g. disk full): kept in memory, saved with the next ack */
  ackSaveErrors: number;
}

interface Segment {
  id: number;
  size: number;
  records: number;
}

const SEG = (id: number) => `${String(id).padStart(10, '0')}.seg`;
const ACK_FILE = 'ack.json';

export class DiskSpool {
  private segments: Segment[] = [];
  private fd: number | undefined;
  private acked: Cursor;
  private readPos: Cursor;
  private lastSync = Date.now();
  private spaceWaiters: (() => void)[] = [];
  private unread = 0;
  /** Where append frames a record before writing it (grows to the largest record seen). */
  private frame = Buffer.allocUnsafe(16 * 1024);
  /** Where `read` reads records into (grows to the largest read; only the pages read into are resident). */
  private readBuf = Buffer.alloc(0);
  readonly counters: SpoolCounters = { appended: 0, acked: 0, droppedFull: 0, tornRecords: 0, corruptRegions: 0, fullRefusals: 0, writeErrors: 0, diskFullErrors: 0, ackSaveErrors: 0 };
  /** Code of the last failed append (ERR_SPOOL_DISK_FULL, ERR_SPOOL_WRITE), until an append succeeds again. */
  lastWriteError: string | undefined;

  constructor(private readonly opts: SpoolOptions) {
    mkdirSync(opts.dir, { recursive: true });
    this.acked = this.loadAck();
    this.recover();
    if (this.segments.length === 0 || this.acked.segment < this.segments[0]!.id) {
      this.acked = { segment: this.segments[0]?.id ?? 1, offset: 0 };
    }
    this.readPos = { ...this.acked };
    this.openActive();
    this.unread = this.countRecords(this.readPos, this.endCursor());
  }

  /** Records appended (or recovered) that `read` has not handed out yet. */
  get unreadRecords(): number {
    return this.unread;
  }

  /** Bytes held that are not yet acknowledged. */
  get pendingBytes(): number {
    let n = 0;
    for (const s of this.segments) if (s.id >= this.acked.segment) n += s.size - (s.id === this.acked.segment ? this.acked.offset : 0);
    return n;
  }

  /**
   * Appends one record (framed in one reused buffer: no allocation per record). Returns false when the spool is full
   * and the policy is `block` (wait with `waitForSpace`).
   */
  append(record: NewRecord): boolean {
    const length = payloadBytes(record);
    if (length > this.opts.maxRecordBytes) {
      throw new SpoolError('ERR_SPOOL_RECORD_TOO_LARGE', `record of ${length} bytes exceeds spool.maxRecordBytes (${this.opts.maxRecordBytes})`);
    }
    const size = HEADER_BYTES + length;
    while (this.pendingBytes + size > this.opts.maxBytes) {
      if (this.opts.whenFull === 'block' || !this.dropOldest()) {
        this.counters.fullRefusals++;
        return false;
      }
    }
    if (this.frame.length < size) this.frame = Buffer.allocUnsafe(Math.max(size, this.frame.length * 2));
    encodeRecordInto(this.frame, record, length);
    let active = this.segments[this.segments.length - 1]!;
    if (active.size > 0 && active.size + size > this.opts.segmentBytes) active = this.rotate();
    try {
      // A regular file is written short only when the filesystem is full; the tail would read as a torn record
      // and stop the reader there for good, so a short write is ENOSPC like the failed one.
      const written = writeSync(this.fd!, this.frame, 0, size, active.size);
      if (written !== size) throw Object.assign(new Error(`short write (${written} of ${size} bytes): no space left on device`), { code: 'ENOSPC' });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A partial write leaves a torn tail: cut it so the segment stays well-formed.
      try {
        ftruncateSync(this.fd!, active.size);
      } catch {
        /* the recovery scan cuts it at the next start */
      }
      const error = new SpoolError(code === 'ENOSPC' ? 'ERR_SPOOL_DISK_FULL' : 'ERR_SPOOL_WRITE', `cannot append to the spool in ${this.opts.dir}: ${(err as Error).message}`, { cause: err, retryable: true });
      this.counters.writeErrors++;
      if (code === 'ENOSPC') this.counters.diskFullErrors++;
      this.lastWriteError = error.code;
      throw error;
    }
    this.lastWriteError = undefined;
    active.size += size;
    active.records++;
    this.unread++;
    this.counters.appended++;
    this.maybeSync(this.fd!);
    return true;
  }

  /** Resolves when an ack or a drop freed space. */
  waitForSpace(): Promise<void> {
    return new Promise((resolve) => this.spaceWaiters.push(resolve));
  }

  /**
   * Reads the next records after the read position (not yet handed out), up to the limits. Their payloads are views
   * into a buffer that the next `read` reuses (no allocation per batch): use them, or copy them, before reading again.
   */
  read(maxRecords: number, maxBytes: number): { records: SpoolRecord[]; start: Cursor; end: Cursor } {
    const records: SpoolRecord[] = [];
    const start = { ...this.readPos };
    let used = 0; // bytes of readBuf that hold records handed out by this call
    let bytes = 0;
    while (records.length < maxRecords && bytes < maxBytes) {
      const seg = this.segments.find((s) => s.id === this.readPos.segment);
      if (!seg) break;
      if (this.readPos.offset >= seg.size) {
        const next = this.segments.find((s) => s.id > seg.id);
        if (!next) break;
        this.readPos = { segment: next.id, offset: 0 };
        continue;
      }
      const length = Math.min(seg.size - this.readPos.offset, Math.max(maxBytes - bytes, 64 * 1024) + 64 * 1024);
      if (this.readBuf.length - used < length) {
        // records already decoded by this call keep the old buffer alive through their views
        this.readBuf = Buffer.allocUnsafeSlow(Math.max(length, Math.min(2 * this.readBuf.length, maxBytes + 128 * 1024)));
        used = 0;
      }
      const chunk = this.readInto(this.readBuf.subarray(used, used + length), seg.id, this.readPos.offset);
      let pos = 0;
      while (records.length < maxRecords && bytes < maxBytes) {
        const step = decodeRecord(chunk, pos, this.opts.maxRecordBytes);
        if (!step.ok) break;
        records.push(step.record);
        bytes += step.next - pos;
        pos = step.next;
      }
      if (pos === 0) break; // a record larger than the chunk cannot happen: chunk covers maxRecordBytes
      used += pos;
      this.readPos = { segment: seg.id, offset: this.readPos.offset + pos };
    }
    this.unread -= records.length;
    return { records, start, end: { ...this.readPos } };
  }

  /**
   * The records between two cursors that `read` returned before: a batch to send again. Records of a segment that
   * `drop_oldest` removed since are gone (they were counted as dropped).
   */
  readRange(start: Cursor, end: Cursor): SpoolRecord[] {
    const records: SpoolRecord[] = [];
    this.forEachRecord(start, end, (r) => records.push(r));
    return records;
  }

  /** Everything up to `end` is acknowledged: persist the cursor and delete fully acknowledged segments. */
  commit(end: Cursor, records?: number): void {
    if (compare(end, this.acked) <= 0) return;
    // The shipper knows how many records its acknowledged batch held; counting them again would read them back
    // from disk (and copy every one) on every acknowledgement.
    const acked = records ?? this.countRecords(this.acked, end);
    this.acked = { ...end };
    this.counters.acked += acked;
    // Free the fully acknowledged segments first: on a full disk that is what makes room for the cursor file. A
    // crash before the cursor is saved re-ships from the oldest segment left (duplicates are removed by id).
    for (const seg of [...this.segments]) {
      const active = seg === this.segments[this.segments.length - 1];
      if (!active && seg.id < this.acked.segment) this.removeSegment(seg);
    }
    this.trySaveAck();
    this.wake();
  }

  /** Re-read from the last acknowledged record (after the shipper lost what it had in flight). */
  rewind(): void {
    this.readPos = { ...this.acked };
    this.unread = this.countRecords(this.readPos, this.endCursor());
  }

  close(): void {
    if (this.fd !== undefined) {
      if (this.opts.fsync !== 'never') fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  // ---- internals ----------------------------------------------------------------------------------

  private recover(): void {
    const ids = readdirSync(this.opts.dir)
      .filter((f) => /^\d{10}\.seg$/.test(f))
      .map((f) => Number(f.slice(0, 10)))
      .sort((a, b) => a - b);
    for (const id of ids) {
      if (id < this.acked.segment) {
        rmSync(join(this.opts.dir, SEG(id)), { force: true });
        continue;
      }
      const buf = readFileSync(join(this.opts.dir, SEG(id)));
      let pos = 0;
      let records = 0;
      while (true) {
        const step = decodeRecord(buf, pos, this.opts.maxRecordBytes);
        if (step.ok) {
          pos = step.next;
          records++;
          continue;
        }
        if (step.reason === 'torn') this.counters.tornRecords++;
        if (step.reason === 'corrupt') this.counters.corruptRegions++;
        break;
      }
      if (pos < buf.length) writeFileSync(join(this.opts.dir, SEG(id)), buf.subarray(0, pos));
      this.segments.push({ id, size: pos, records });
    }
    if (this.acked.offset > (this.segments.find((s) => s.id === this.acked.segment)?.size ?? 0)) {
      this.acked = { segment: this.acked.segment, offset: this.segments.find((s) => s.id === this.acked.segment)?.size ?? 0 };
    }
  }

  private openActive(): void {
    if (this.segments.length === 0) this.segments.push({ id: this.acked.segment, size: 0, records: 0 });
    const active = this.segments[this.segments.length - 1]!;
    this.fd = openSync(join(this.opts.dir, SEG(active.id)), existsSync(join(this.opts.dir, SEG(active.id))) ? 'r+' : 'w+');
  }

  private rotate(): Segment {
    if (this.opts.fsync !== 'never') fsyncSync(this.fd!);
    closeSync(this.fd!);
    const seg: Segment = { id: this.segments[this.segments.length - 1]!.id + 1, size: 0, records: 0 };
    this.segments.push(seg);
    this.fd = openSync(join(this.opts.dir, SEG(seg.id)), 'w+');
    return seg;
  }

  private dropOldest(): boolean {
    const oldest = this.segments.find((s) => s.id >= this.acked.segment);
    if (!oldest || oldest === this.segments[this.segments.length - 1]) return false;
    const unacked = this.countRecords(this.acked, { segment: oldest.id + 1, offset: 0 });
    this.counters.droppedFull += unacked;
    this.acked = { segment: oldest.id + 1, offset: 0 };
    if (compare(this.readPos, this.acked) < 0) this.readPos = { ...this.acked };
    this.removeSegment(oldest);
    this.trySaveAck();
    this.unread = this.countRecords(this.readPos, this.endCursor());
    return true;
  }

  private endCursor(): Cursor {
    const last = this.segments[this.segments.length - 1]!;
    return { segment: last.id, offset: last.size };
  }

  private removeSegment(seg: Segment): void {
    rmSync(join(this.opts.dir, SEG(seg.id)), { force: true });
    this.segments = this.segments.filter((s) => s !== seg);
  }

  /** Records between two cursors (decoding only the partial first/last segments). */
  private countRecords(from: Cursor, to: Cursor): number {
    let n = 0;
    for (const seg of this.segments) {
      if (seg.id < from.segment || seg.id > to.segment) continue;
      const start = seg.id === from.segment ? from.offset : 0;
      const end = seg.id === to.segment ? Math.min(to.offset, seg.size) : seg.size;
      if (start === 0 && end === seg.size) {
        n += seg.records;
        continue;
      }
      this.forEachRecord({ segment: seg.id, offset: start }, { segment: seg.id, offset: end }, () => n++);
    }
    return n;
  }

  /** Decodes the records between two cursors (up to the first torn or corrupt one of a segment). */
  private forEachRecord(from: Cursor, to: Cursor, each: (r: SpoolRecord) => void): void {
    for (const seg of this.segments) {
      if (seg.id < from.segment || seg.id > to.segment) continue;
      const start = seg.id === from.segment ? from.offset : 0;
      const end = seg.id === to.segment ? Math.min(to.offset, seg.size) : seg.size;
      const buf = this.readChunk(seg.id, start, end - start);
      for (let pos = 0; ; ) {
        const step = decodeRecord(buf, pos, this.opts.maxRecordBytes);
        if (!step.ok) break;
        each(step.record);
        pos = step.next;
      }
    }
  }

  private readChunk(segment: number, offset: number, length: number): Buffer {
    return this.readInto(Buffer.allocUnsafe(Math.max(0, length)), segment, offset);
  }

  /** Fills `buf` from the segment at `offset`; returns the part read. */
  private readInto(buf: Buffer, segment: number, offset: number): Buffer {
    const length = buf.length;
    if (length <= 0) return buf;
    const active = segment === this.segments[this.segments.length - 1]?.id && this.fd !== undefined;
    const fd = active ? this.fd! : openSync(join(this.opts.dir, SEG(segment)), 'r');
    try {
      const n = readSync(fd, buf, 0, length, offset);
      return buf.subarray(0, n);
    } finally {
      if (!active) closeSync(fd);
    }
  }

  private loadAck(): Cursor {
    const file = join(this.opts.dir, ACK_FILE);
    if (!existsSync(file)) return { segment: 1, offset: 0 };
    try {
      const c = JSON.parse(readFileSync(file, 'utf8')) as Cursor;
      if (Number.isInteger(c.segment) && Number.isInteger(c.offset) && c.segment > 0 && c.offset >= 0) return c;
    } catch {
      /* fall through: re-ship from the oldest segment (duplicates are removed downstream by id) */
    }
    this.counters.corruptRegions++;
    return { segment: 1, offset: 0 };
  }

  /** saveAck, but a failure (disk full) is counted, not thrown: the cursor stays in memory and the next ack saves it. */
  private trySaveAck(): void {
    try {
      this.saveAck();
    } catch {
      this.counters.ackSaveErrors++;
    }
  }

  private saveAck(): void {
    const file = join(this.opts.dir, ACK_FILE);
    writeFileSync(`${file}.tmp`, JSON.stringify(this.acked));
    if (this.opts.fsync === 'always') {
      const fd = openSync(`${file}.tmp`, 'r+');
      fsyncSync(fd);
      closeSync(fd);
    }
    renameSync(`${file}.tmp`, file);
  }

  private maybeSync(fd: number): void {
    if (this.opts.fsync === 'always' || (this.opts.fsync === 'interval' && Date.now() - this.lastSync >= this.opts.fsyncIntervalMs)) {
      fsyncSync(fd);
      this.lastSync = Date.now();
    }
  }

  private wake(): void {
    const w = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const resolve of w) resolve();
  }
}

export function compare(a: Cursor, b: Cursor): number {
  return a.segment - b.segment || a.offset - b.offset;
}

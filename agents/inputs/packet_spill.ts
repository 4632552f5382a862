// A disk-backed FIFO of datagrams: the NetFlow collector's overflow when its in-memory queue is full (a burst faster
// than the decoder). Receiving must never wait, so a push only copies the datagram into a write buffer; full buffers
// are appended to segment files (`spill-<n>.bin`, ~4 MiB each) in the state directory; the decoder reads a whole
// segment back once it has drained everything before it, and deletes it. Bounded by `maxBytes` of segments on disk;
// beyond that (or when the disk refuses) a push is refused and the caller counts the drop. Not fsynced (a datagram
// queue, like the kernel's and our in-memory one), but a spill left by a killed agent is read back at start: records
// are framed and checksummed, and a torn or corrupt record ends its segment, counted.
//
// Record: [u32 length of the rest][u32 crc32 of the rest][f64 receivedAt][u8 exporter length][exporter][datagram]
import { closeSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

export interface SpilledPacket {
  buf: Buffer;
  exporter: string;
  at: number;
}

export interface PacketSpillOptions {
  dir: string;
  /** Most bytes of segment files on disk; a push beyond is refused. */
  maxBytes: number;
  /** A segment is closed (and may be read back) once it reaches this size. */
  segmentBytes?: number;
}

const HEAD = 8; // length + crc
const WRITE_BUFFER = 256 * 1024;
const SEGMENT = /^spill-(\d+)\.bin$/;

interface Segment {
  n: number;
  path: string;
  bytes: number;
  packets: number;
}

export class PacketSpill {
  private readonly segmentBytes: number;
  /** Closed segments waiting to be read, oldest first. */
  private readonly closed: Segment[] = [];
  private writing: (Segment & { fd: number }) | undefined;
  /** Records framed and not yet written: the first `pendingBytes` of `writeBuffer`. */
  private writeBuffer = Buffer.allocUnsafe(WRITE_BUFFER);
  private pendingBytes = 0;
  private pendingPackets = 0;
  /** The last exporter's address and its bytes (datagrams come from a few exporters: encoded once each time it changes). */
  private exporterText = '';
  private exporterBytes = Buffer.alloc(0);
  /** The segment being read back: its bytes, the read offset, and how many packets are left in it. */
  private reading: { seg: Segment; data: Buffer; offset: number; left: number } | undefined;
  private nextSegment = 1;
  private diskBytes = 0;
  private packets = 0;
  readonly counters = { spilled_packets_total: 0, spill_corrupt_records_total: 0, spill_write_errors_total: 0, spill_recovered_packets: 0 };
  /** Called with the number of buffered datagrams a failed write lost, and why (the caller counts them as dropped). */
  onLost: ((packets: number, error: Error) => void) | undefined;

  constructor(private readonly opts: PacketSpillOptions) {
    this.segmentBytes = opts.segmentBytes ?? 4 * 1024 * 1024;
    mkdirSync(opts.dir, { recursive: true });
    const numbers = readdirSync(opts.dir).flatMap((name) => SEGMENT.exec(name)?.[1] ?? []).map(Number);
    for (const n of numbers.sort((a, b) => a - b)) {
      const path = join(opts.dir, `spill-${n}.bin`);
      const data = readFileSync(path);
      const bytes = data.length;
      const { packets, end } = countRecords(data);
      if (end < data.length) this.counters.spill_corrupt_records_total++; // a torn tail: the agent was killed mid-write
      this.nextSegment = Math.max(this.nextSegment, n + 1);
      if (packets === 0) {
        unlinkSync(path);
        continue;
      }
      this.closed.push({ n, path, bytes, packets });
      this.diskBytes += bytes;
      this.packets += packets;
    }
    this.counters.spill_recovered_packets = this.packets;
  }

  /** Datagrams spilled and not yet read back. */
  get length(): number {
    return this.packets;
  }

  /** Bytes on disk plus those still in the write buffer. */
  get bytes(): number {
    return this.diskBytes + this.pendingBytes;
  }

  /** Appends a datagram; false when the spill is full or the disk refused (the caller drops it, counted). */
  push(buf: Buffer, exporter: string, at: number): boolean {
    if (exporter !== this.exporterText) {
      this.exporterText = exporter;
      this.exporterBytes = Buffer.from(exporter, 'latin1');
    }
    const ex = this.exporterBytes;
    const size = HEAD + 9 + ex.length + buf.length;
    if (this.diskBytes + this.pendingBytes + size > this.opts.maxBytes) return false;
    if (this.pendingBytes + size > this.writeBuffer.length) {
      this.flush();
      if (size > this.writeBuffer.length) this.writeBuffer = Buffer.allocUnsafe(size);
    }
    // framed in place in the write buffer: no allocation per datagram
    const w = this.writeBuffer;
    const o = this.pendingBytes;
    w.writeUInt32LE(size - HEAD, o);
    w.writeDoubleLE(at, o + HEAD);
    w[o + HEAD + 8] = ex.length;
    ex.copy(w, o + HEAD + 9);
    buf.copy(w, o + HEAD + 9 + ex.length);
    w.writeUInt32LE(crc32(w.subarray(o + HEAD, o + size)), o + 4);
    this.pendingBytes += size;
    this.pendingPackets++;
    this.packets++;
    this.counters.spilled_packets_total++;
    return true;
  }

  /** The oldest spilled datagram, or undefined when none is left. */
  shift(): SpilledPacket | undefined {
    while (this.packets > 0) {
      if (this.reading === undefined && !this.openNextForReading()) return undefined;
      const r = this.reading!;
      const rec = readRecord(r.data, r.offset);
      if (rec === undefined) {
        // a torn or corrupt record (a crash or a bad disk): the rest of this segment is not trusted
        this.counters.spill_corrupt_records_total++;
        this.packets -= r.left;
        this.finishReading();
        continue;
      }
      r.offset = rec.next;
      this.packets--;
      if (--r.left === 0) this.finishReading(); // its disk space is free as soon as its last datagram is out
      return rec.packet;
    }
    return undefined;
  }

  close(): void {
    this.flush();
    this.closeWriting();
  }

  /** Ends the segment being written: it joins the segments waiting to be read. */
  private closeWriting(): void {
    if (this.writing === undefined) return;
    closeSync(this.writing.fd);
    this.closed.push(this.writing);
    this.writing = undefined;
  }

  private openNextForReading(): boolean {
    if (this.closed.length === 0) {
      // Everything left is in the segment being written (or its buffer): close it so it can be read.
      this.flush();
      this.closeWriting();
    }
    const seg = this.closed.shift();
    if (seg === undefined) return false;
    if (seg.packets === 0) {
      // a segment whose only write failed: nothing in it
      this.remove(seg);
      return this.openNextForReading();
    }
    this.reading = { seg, data: readFileSync(seg.path), offset: 0, left: seg.packets };
    return true;
  }

  private finishReading(): void {
    this.remove(this.reading!.seg);
    this.reading = undefined;
  }

  /** Deletes a segment and frees its share of maxBytes. */
  private remove(seg: Segment): void {
    this.diskBytes -= seg.bytes;
    try {
      unlinkSync(seg.path);
    } catch {
      /* already gone: nothing to free */
    }
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    const chunk = this.writeBuffer.subarray(0, this.pendingBytes);
    const packets = this.pendingPackets;
    this.pendingBytes = 0;
    this.pendingPackets = 0;
    let seg = this.writing;
    try {
      if (seg === undefined) {
        const n = this.nextSegment++;
        const path = join(this.opts.dir, `spill-${n}.bin`);
        seg = this.writing = { n, path, bytes: 0, packets: 0, fd: openSync(path, 'w') };
      }
      let done = 0;
      while (done < chunk.length) done += writeSync(seg.fd, chunk, done, chunk.length - done);
    } catch (err) {
      // ENOSPC and friends: these datagrams are lost, counted; the segment is cut back to its last whole record
      this.counters.spill_write_errors_total++;
      this.packets -= packets;
      this.counters.spilled_packets_total -= packets;
      this.onLost?.(packets, err as Error);
      if (seg !== undefined) {
        try {
          ftruncateSync(seg.fd, seg.bytes);
        } catch {
          /* the reader stops at the torn record, counted */
        }
      }
      return;
    }
    seg.bytes += chunk.length;
    seg.packets += packets;
    this.diskBytes += chunk.length;
    if (seg.bytes >= this.segmentBytes) this.closeWriting();
  }
}

function readRecord(data: Buffer, offset: number): { packet: SpilledPacket; next: number } | undefined {
  if (data.length - offset < HEAD + 9) return undefined;
  const len = data.readUInt32LE(offset);
  const end = offset + HEAD + len;
  if (len < 9 || end > data.length) return undefined;
  const body = data.subarray(offset + HEAD, end);
  if (crc32(body) !== data.readUInt32LE(offset + 4)) return undefined;
  const exLen = body.readUInt8(8);
  if (9 + exLen > body.length) return undefined;
  const exporter = body.toString('latin1', 9, 9 + exLen);
  return { packet: { buf: Buffer.from(body.subarray(9 + exLen)), exporter, at: body.readDoubleLE(0) }, next: end };
}

/** Whole, valid records at the start of a segment, and where they end. */
function countRecords(data: Buffer): { packets: number; end: number } {
  let packets = 0;
  let end = 0;
  for (let r = readRecord(data, 0); r !== undefined; r = readRecord(data, end)) {
    packets++;
    end = r.next;
  }
  return { packets, end };
}

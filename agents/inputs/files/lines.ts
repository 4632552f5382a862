// Splits a file's bytes into lines, streaming and bounded. Pure. Offsets are file byte offsets, line numbers are
// 1-based. A line longer than maxLineBytes is reported once when it crosses the limit (`too-long`) and its end
// when the newline arrives (`skipped`), without its bytes ever being held. The last line without a newline is
// held until the newline comes (a writer may be half-way through it).

export type LineItem =
  | { type: 'line'; data: Buffer; start: number; end: number; line: number }
  | { type: 'too-long'; start: number; line: number }
  | { type: 'skipped'; start: number; end: number; line: number };

export class LineSplitter {
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private skipping = false;
  private lineStart: number;
  private pos: number;

  constructor(
    private readonly maxLineBytes: number,
    startOffset = 0,
    private lineNo = 1,
  ) {
    this.lineStart = startOffset;
    this.pos = startOffset;
  }

  push(chunk: Buffer): LineItem[] {
    const out: LineItem[] = [];
    let i = 0;
    while (i < chunk.length) {
      const nl = chunk.indexOf(0x0a, i);
      const end = nl === -1 ? chunk.length : nl;
      if (!this.skipping && this.partialBytes + (end - i) > this.maxLineBytes) {
        out.push({ type: 'too-long', start: this.lineStart, line: this.lineNo });
        this.skipping = true;
        this.partial = [];
        this.partialBytes = 0;
      }
      if (!this.skipping) {
        this.partial.push(chunk.subarray(i, end));
        this.partialBytes += end - i;
      }
      if (nl === -1) {
        this.pos += chunk.length - i;
        break;
      }
      const lineEnd = this.pos + (nl - i) + 1;
      if (this.skipping) out.push({ type: 'skipped', start: this.lineStart, end: lineEnd, line: this.lineNo });
      else {
        let data = this.partial.length === 1 ? this.partial[0]! : Buffer.concat(this.partial);
        if (data[data.length - 1] === 0x0d) data = data.subarray(0, data.length - 1);
        out.push({ type: 'line', data, start: this.lineStart, end: lineEnd, line: this.lineNo });
      }
      this.lineNo++;
      this.skipping = false;
      this.partial = [];
      this.partialBytes = 0;
      this.pos = lineEnd;
      this.lineStart = lineEnd;
      i = nl + 1;
    }
    // The caller reuses its read buffer: keep a private copy of the held partial line.
    if (this.partial.length) this.partial = [Buffer.from(Buffer.concat(this.partial))];
    return out;
  }

  /** Bytes held for the unfinished last line. */
  held(): number {
    return this.partialBytes;
  }
}

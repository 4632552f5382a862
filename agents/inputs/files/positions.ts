// The persisted read positions: {path, dev, inode, offset, line} per file, written atomically (temp file +
// rename in the same directory), so a crash leaves either the old or the new file, never a torn one.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FileInputError } from './errors.ts';

export interface Position {
  path: string;
  dev: number;
  inode: number;
  /** Byte offset just after the last line whose event was spooled. */
  offset: number;
  /** Number of the next line (1-based), for error locations. */
  line: number;
}

export const positionKey = (dev: number, inode: number): string => `${dev}:${inode}`;

/** Pure: parse the position file's text. Throws FileInputError on anything unexpected. */
export function parsePositions(text: string, file: string): Map<string, Position> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new FileInputError('ERR_FILE_POSITIONS', `position file is not JSON: ${(err as Error).message}`, { location: { file }, cause: err });
  }
  const files = (doc as { version?: unknown; files?: unknown }).files;
  if ((doc as { version?: unknown }).version !== 1 || !Array.isArray(files)) {
    throw new FileInputError('ERR_FILE_POSITIONS', 'position file must be {"version":1,"files":[...]}', { location: { file } });
  }
  const out = new Map<string, Position>();
  files.forEach((p: Partial<Position>, i) => {
    const ok = typeof p.path === 'string' && [p.dev, p.inode, p.offset, p.line].every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
    if (!ok) throw new FileInputError('ERR_FILE_POSITIONS', `position entry ${i} is malformed`, { location: { file, field: `files[${i}]` } });
    out.set(positionKey(p.dev!, p.inode!), p as Position);
  });
  return out;
}

export async function loadPositions(file: string): Promise<Map<string, Position>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new FileInputError('ERR_FILE_POSITIONS', `cannot read position file: ${(err as Error).message}`, { location: { file }, cause: err, retryable: true });
  }
  return parsePositions(text, file);
}

let tmpSeq = 0;

export async function savePositions(file: string, positions: Iterable<Position>): Promise<void> {
  const tmp = `${file}.${process.pid}.${++tmpSeq}.tmp`;
  const text = JSON.stringify({ version: 1, files: [...positions] });
  try {
    await writeFile(tmp, text);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(dirname(file), { recursive: true });
    await writeFile(tmp, text);
  }
  await rename(tmp, file);
}

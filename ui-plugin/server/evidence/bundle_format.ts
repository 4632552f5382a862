// The evidence bundle format (pure, no I/O): a plain POSIX ustar archive holding the incident, its alerts, the raw
// events behind them, the rules that fired, and a manifest of every file's size and SHA-256 with who exported it and
// when; `manifest.sha256` holds the manifest's own digest in `sha256sum` form. The operations room builds bundles,
// `cirt evidence verify` (cli/, a composition root) checks them with the same code. Self-contained on purpose (only
// node:crypto): it compiles under both the plugin's bundler resolution and the services' NodeNext one.
import { createHash } from 'node:crypto';

export const BUNDLE_FORMAT = 'cirt-evidence/1';
export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_DIGEST_FILE = 'manifest.sha256';

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

/** A triggering event the bundle could not include, and why (never silently left out). */
export interface MissingEvidence {
  alert_id: string;
  event_id: string;
  reason: string;
}

export interface Manifest {
  format: typeof BUNDLE_FORMAT;
  incident_id: string;
  exported_at: string;
  exported_by: { username: string; role: string; agency?: string };
  tool: { name: string; version: string };
  /** Every file of the bundle but the manifest and its digest, sorted by path. */
  files: ManifestFile[];
  missing_events: MissingEvidence[];
  /** Plain statements about what the bundle does and does not contain (e.g. rule text not available). */
  notes: string[];
}

export type EvidenceProblemKind = 'format' | 'manifest' | 'modified' | 'missing' | 'extra';

export interface EvidenceProblem {
  kind: EvidenceProblemKind;
  /** The bundle file concerned ('' for the archive itself). */
  path: string;
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  /** SHA-256 of manifest.json as found in the bundle (compare with the one audited at export). */
  manifestDigest?: string;
  manifest?: Manifest;
  /** Files checked against the manifest (equal to the manifest's count when ok). */
  checked: number;
  problems: EvidenceProblem[];
}

/** A malformed archive (not ustar, bad header checksum, truncated, unsafe or duplicate name). */
export class EvidenceFormatError extends Error {
  readonly code = 'ERR_EVIDENCE_FORMAT';
  readonly retryable = false;
  readonly location: { file?: string; offset?: number };
  constructor(message: string, location: { file?: string; offset?: number } = {}) {
    super(message);
    this.name = 'EvidenceFormatError';
    this.location = location;
  }
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with object keys sorted at every level: the same document always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// ustar (POSIX.1-1988): 512-byte header + data padded to 512, two zero blocks at the end. Regular files only.

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(path: string, size: number, mtimeSeconds: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(path, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtimeSeconds, 12), 136, 'ascii');
  h.fill(0x20, 148, 156); // checksum field counts as spaces
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

/** A path inside a bundle: relative, `/`-separated, no `.`/`..` segments, printable ASCII, ≤ 100 bytes. */
export function checkBundlePath(path: string): string | undefined {
  if (path.length === 0 || path.length > 100) return 'must be 1 to 100 characters';
  if (!/^[A-Za-z0-9._@+-]+(\/[A-Za-z0-9._@+-]+)*$/.test(path)) return 'must be relative and use only letters, digits and ._@+-';
  if (path.split('/').some((s) => s === '.' || s === '..')) return 'must not contain . or .. segments';
  return undefined;
}

export function writeTar(files: { path: string; data: Buffer }[], mtime: Date): Buffer {
  const seconds = Math.max(0, Math.floor(mtime.getTime() / 1000));
  const parts: Buffer[] = [];
  for (const f of files) {
    const bad = checkBundlePath(f.path);
    if (bad) throw new EvidenceFormatError(`file name ${JSON.stringify(f.path)} ${bad}`, { file: f.path });
    parts.push(header(f.path, f.data.length, seconds), f.data, Buffer.alloc((BLOCK - (f.data.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

function field(h: Buffer, start: number, length: number): string {
  const raw = h.subarray(start, start + length);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul === -1 ? length : nul).toString('utf8');
}

/** The files of a ustar archive, in archive order. Throws EvidenceFormatError naming the byte offset. */
export function readTar(tar: Buffer): { path: string; data: Buffer }[] {
  const files: { path: string; data: Buffer }[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (;;) {
    if (offset + BLOCK > tar.length) throw new EvidenceFormatError('archive ends without its two zero blocks (truncated?)', { offset });
    const h = tar.subarray(offset, offset + BLOCK);
    if (h.every((b) => b === 0)) return files;
    const stored = parseInt(field(h, 148, 8).trim() || 'x', 8);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    if (stored !== sum) throw new EvidenceFormatError(`header checksum ${Number.isNaN(stored) ? 'missing' : stored.toString(8)} does not match ${sum.toString(8)}`, { offset });
    if (field(h, 257, 6) !== 'ustar') throw new EvidenceFormatError('not a ustar header', { offset });
    const prefix = field(h, 345, 155);
    const path = prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100);
    const type = String.fromCharCode(h[156]!);
    if (type !== '0' && type !== '\0') throw new EvidenceFormatError(`entry type '${type}' is not a regular file`, { file: path, offset });
    const bad = checkBundlePath(path);
    if (bad) throw new EvidenceFormatError(`file name ${JSON.stringify(path)} ${bad}`, { file: path, offset });
    if (seen.has(path)) throw new EvidenceFormatError('the archive holds this file twice', { file: path, offset });
    seen.add(path);
    const size = parseInt(field(h, 124, 12).trim() || 'x', 8);
    if (!Number.isSafeInteger(size) || size < 0) throw new EvidenceFormatError('invalid size field', { file: path, offset: offset + 124 });
    const start = offset + BLOCK;
    if (start + size > tar.length) throw new EvidenceFormatError(`file data runs past the end of the archive (${size} bytes declared)`, { file: path, offset: start });
    files.push({ path, data: Buffer.from(tar.subarray(start, start + size)) });
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Build and verify.

export interface BundleInput {
  incidentId: string;
  exportedAt: Date;
  exportedBy: Manifest['exported_by'];
  tool: Manifest['tool'];
  /** The content files (incident.json, alerts.jsonl, events.jsonl, rules/...). */
  files: { path: string; data: Buffer }[];
  missingEvents: MissingEvidence[];
  notes: string[];
}

export interface Bundle {
  tar: Buffer;
  manifest: Manifest;
  manifestDigest: string;
}

export function buildBundle(input: BundleInput): Bundle {
  const files = [...input.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (let i = 1; i < files.length; i++) if (files[i]!.path === files[i - 1]!.path) throw new EvidenceFormatError('two bundle files with the same name', { file: files[i]!.path });
  for (const f of files) {
    if (f.path === MANIFEST_FILE || f.path === MANIFEST_DIGEST_FILE) throw new EvidenceFormatError('reserved file name', { file: f.path });
  }
  const manifest: Manifest = {
    format: BUNDLE_FORMAT,
    incident_id: input.incidentId,
    exported_at: input.exportedAt.toISOString(),
    exported_by: input.exportedBy,
    tool: input.tool,
    files: files.map((f) => ({ path: f.path, size: f.data.length, sha256: sha256Hex(f.data) })),
    missing_events: [...input.missingEvents].sort((a, b) => (a.alert_id + '\0' + a.event_id < b.alert_id + '\0' + b.event_id ? -1 : 1)),
    notes: input.notes,
  };
  const manifestBytes = Buffer.from(JSON.stringify(sortKeys(manifest), null, 2) + '\n');
  const manifestDigest = sha256Hex(manifestBytes);
  const tar = writeTar(
    [{ path: MANIFEST_FILE, data: manifestBytes }, { path: MANIFEST_DIGEST_FILE, data: Buffer.from(`${manifestDigest}  ${MANIFEST_FILE}\n`) }, ...files],
    input.exportedAt,
  );
  return { tar, manifest, manifestDigest };
}

function parseManifest(data: Buffer): Manifest | string {
  let m: unknown;
  try {
    m = JSON.parse(data.toString('utf8'));
  } catch (err) {
    return `is not JSON (${(err as Error).message})`;
  }
  const o = m as Partial<Manifest>;
  if (o === null || typeof o !== 'object' || o.format !== BUNDLE_FORMAT) return `is not a ${BUNDLE_FORMAT} manifest`;
  if (!Array.isArray(o.files)) return 'has no files list';
  for (const [i, f] of o.files.entries()) {
    if (typeof f?.path !== 'string' || typeof f.size !== 'number' || typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256)) return `files[${i}] is not {path, size, sha256}`;
  }
  if (typeof o.incident_id !== 'string' || typeof o.exported_at !== 'string' || typeof o.exported_by?.username !== 'string') return 'lacks incident_id, exported_at or exported_by';
  return o as Manifest;
}

/**
 * Checks a bundle: the archive is well formed, manifest.sha256 matches manifest.json (and `expectedDigest`, the
 * digest recorded in the audit log at export, when given), and every file matches its manifest entry; a file the
 * manifest lists but the archive lacks is `missing`, one the archive holds but the manifest does not list `extra`.
 */
export function verifyBundle(tar: Buffer, expectedDigest?: string): VerifyResult {
  const problems: EvidenceProblem[] = [];
  let files: { path: string; data: Buffer }[];
  try {
    files = readTar(tar);
  } catch (err) {
    if (!(err instanceof EvidenceFormatError)) throw err;
    const where = [err.location.file, err.location.offset !== undefined ? `byte ${err.location.offset}` : undefined].filter(Boolean).join(' ');
    return { ok: false, checked: 0, problems: [{ kind: 'format', path: err.location.file ?? '', message: `${where ? where + ': ' : ''}${err.message}` }] };
  }
  const byPath = new Map(files.map((f) => [f.path, f.data]));
  const manifestBytes = byPath.get(MANIFEST_FILE);
  if (!manifestBytes) return { ok: false, checked: 0, problems: [{ kind: 'missing', path: MANIFEST_FILE, message: 'the bundle has no manifest.json' }] };
  const manifestDigest = sha256Hex(manifestBytes);
  const digestLine = byPath.get(MANIFEST_DIGEST_FILE)?.toString('utf8');
  if (digestLine === undefined) problems.push({ kind: 'missing', path: MANIFEST_DIGEST_FILE, message: 'the bundle has no manifest.sha256' });
  else {
    const recorded = /^([0-9a-f]{64}) {2}manifest\.json\n?$/.exec(digestLine)?.[1];
    if (recorded === undefined) problems.push({ kind: 'manifest', path: MANIFEST_DIGEST_FILE, message: 'is not "<sha256>  manifest.json"' });
    else if (recorded !== manifestDigest) problems.push({ kind: 'manifest', path: MANIFEST_FILE, message: `SHA-256 is ${manifestDigest}, manifest.sha256 records ${recorded}: the manifest was edited` });
  }
  if (expectedDigest !== undefined && expectedDigest.toLowerCase() !== manifestDigest) {
    problems.push({ kind: 'manifest', path: MANIFEST_FILE, message: `SHA-256 is ${manifestDigest}, expected ${expectedDigest.toLowerCase()} (the digest audited at export)` });
  }
  const manifest = parseManifest(manifestBytes);
  if (typeof manifest === 'string') {
    problems.push({ kind: 'manifest', path: MANIFEST_FILE, message: manifest });
    return { ok: false, manifestDigest, checked: 0, problems };
  }
  let checked = 0;
  const listed = new Set<string>();
  for (const entry of manifest.files) {
    listed.add(entry.path);
    const data = byPath.get(entry.path);
    if (data === undefined) {
      problems.push({ kind: 'missing', path: entry.path, message: 'listed in the manifest but not in the bundle' });
      continue;
    }
    checked++;
    const digest = sha256Hex(data);
    if (data.length !== entry.size || digest !== entry.sha256) {
      problems.push({ kind: 'modified', path: entry.path, message: `size ${data.length} and SHA-256 ${digest}, the manifest records size ${entry.size} and SHA-256 ${entry.sha256}` });
    }
  }
  for (const f of files) {
    if (f.path !== MANIFEST_FILE && f.path !== MANIFEST_DIGEST_FILE && !listed.has(f.path)) problems.push({ kind: 'extra', path: f.path, message: 'in the bundle but not listed in the manifest' });
  }
  return { ok: problems.length === 0, manifestDigest, manifest, checked, problems };
}

// Threat-intel sets: IOC files (plain lists, STIX 2.1 bundles, MISP exports) -> named lists -> a Sigma processing
// pipeline whose `vars` the rules use as placeholders (`dst_ip|expand: '%c2_ips%'`, `dst_ip|expand|cidr: '%c2_cidrs%'`).
//
// A list is named after its file (`rules/intel/c2.txt` and `rules/intel/c2.stix.json` both feed list `c2`); every
// list defines six placeholders, `<list>_ips`, `<list>_cidrs`, `<list>_domains`, `<list>_md5`, `<list>_sha1`,
// `<list>_sha256`, and the union of all lists is `intel_<kind>`. Matching is the engine's own: exact values are
// equality tests (the prefilter's per-field hash index anchors on them), CIDRs go through the `cidr` modifier.
// An empty list still defines its placeholder, with a sentinel that no event carries (the engine rejects an item
// whose placeholder expands to nothing): `ioc.invalid` (RFC 2606 reserved TLD) for values, `100::/128` (RFC 6666
// discard-only prefix) for CIDRs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Pipeline } from '../engine/index.ts';
import { IntelError } from './errors.ts';
import type { Indicator, IocType } from './indicator.ts';
import { isMispExport, parseMispExport } from './misp.ts';
import { parsePlainList, type ParseResult } from './plain.ts';
import { parseStixBundle } from './stix.ts';

export const PLACEHOLDER_KINDS: Record<IocType, string> = { ip: 'ips', cidr: 'cidrs', domain: 'domains', md5: 'md5', sha1: 'sha1', sha256: 'sha256' };
export const EMPTY_VALUE = 'ioc.invalid';
export const EMPTY_CIDR = '100::/128';
export const INTEL_FILE = /\.(txt|list|ioc|json)$/i;

export interface IntelFileReport { file: string; list: string; format: 'plain' | 'stix' | 'misp'; indicators: number; skipped: number; errors: number }

export interface IntelSet {
  /** list name -> IOC type -> canonical values */
  lists: Map<string, Map<IocType, Set<string>>>;
  files: IntelFileReport[];
  errors: IntelError[];
}

export function listName(file: string): string {
  return basename(file).replace(/\..*$/, '').toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

/** Parse one intel file's text; the format is recognised from the content (JSON bundle / MISP) or is a plain list. */
export function parseIntelText(text: string, file: string, now?: Date): ParseResult & { format: IntelFileReport['format'] } {
  const head = text.trimStart();
  if (head.startsWith('{') || head.startsWith('[')) {
    let doc: unknown;
    try { doc = JSON.parse(text); } catch (err) {
      const m = /position (\d+)/.exec((err as Error).message);
      const offset = m ? Number(m[1]) : undefined;
      const line = offset !== undefined ? text.slice(0, offset).split('\n').length : undefined;
      return { format: 'plain', indicators: [], skipped: 0, errors: [new IntelError('ERR_INTEL_JSON', `not valid JSON: ${(err as Error).message}`, { location: { file, ...(line ? { line } : {}), ...(offset !== undefined ? { offset } : {}) }, cause: err })] };
    }
    if (isMispExport(doc)) return { format: 'misp', ...parseMispExport(doc, file) };
    return { format: 'stix', ...parseStixBundle(doc, file, now) };
  }
  return { format: 'plain', ...parsePlainList(text, file) };
}

function expand(paths: readonly string[], errors: IntelError[]): string[] {
  const files: string[] = [];
  const walk = (p: string): void => {
    let st;
    try { st = statSync(p); } catch (err) { errors.push(new IntelError('ERR_INTEL_IO', `cannot read: ${(err as Error).message}`, { location: { file: p }, cause: err })); return; }
    if (st.isDirectory()) { for (const e of readdirSync(p).sort()) { const c = join(p, e); if (statSync(c).isDirectory() || INTEL_FILE.test(e)) walk(c); } }
    else files.push(p);
  };
  for (const p of paths) walk(p);
  return files;
}

/** Load intel files and directories (recursively: *.txt, *.list, *.ioc, *.json). Never throws: bad files and
 * bad entries are located errors; the good entries load. */
export function loadIntel(paths: readonly string[], now?: Date): IntelSet {
  const errors: IntelError[] = [];
  const lists = new Map<string, Map<IocType, Set<string>>>();
  const files: IntelFileReport[] = [];
  for (const file of expand(paths, errors)) {
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch (err) { errors.push(new IntelError('ERR_INTEL_IO', `cannot read: ${(err as Error).message}`, { location: { file }, cause: err })); continue; }
    const res = parseIntelText(text, file, now);
    const name = listName(file);
    addAll(lists, name, res.indicators);
    errors.push(...res.errors);
    files.push({ file, list: name, format: res.format, indicators: res.indicators.length, skipped: res.skipped, errors: res.errors.length });
  }
  return { lists, files, errors };
}

function addAll(lists: Map<string, Map<IocType, Set<string>>>, name: string, inds: readonly Indicator[]): void {
  let m = lists.get(name);
  if (!m) lists.set(name, (m = new Map()));
  for (const i of inds) {
    let s = m.get(i.type);
    if (!s) m.set(i.type, (s = new Set()));
    s.add(i.value);
  }
}

/** The placeholder variables of an intel set (every kind of every list, and the `intel_*` unions). */
export function intelVars(set: IntelSet): Record<string, string[]> {
  const vars: Record<string, string[]> = {};
  const union = new Map<IocType, Set<string>>();
  for (const [name, m] of set.lists) {
    for (const [type, kind] of Object.entries(PLACEHOLDER_KINDS) as Array<[IocType, string]>) {
      const vals = [...(m.get(type) ?? [])].sort();
      vars[`${name}_${kind}`] = vals;
      const u = union.get(type) ?? new Set(); vals.forEach((v) => u.add(v)); union.set(type, u);
    }
  }
  for (const [type, kind] of Object.entries(PLACEHOLDER_KINDS) as Array<[IocType, string]>) vars[`intel_${kind}`] = [...(union.get(type) ?? [])].sort();
  for (const [k, v] of Object.entries(vars)) if (v.length === 0) vars[k] = [k.endsWith('_cidrs') ? EMPTY_CIDR : EMPTY_VALUE];
  return vars;
}

/** A processing pipeline with no transformations, only the intel placeholders as `vars`. */
export function intelPipeline(set: IntelSet): Pipeline {
  return Object.freeze({ name: 'cirt-intel', priority: 0, vars: intelVars(set), items: [] });
}

export function intelCounts(set: IntelSet): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, m] of set.lists) for (const [t, s] of m) out[`${name}_${PLACEHOLDER_KINDS[t]}`] = s.size;
  return out;
}

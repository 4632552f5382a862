// Path globs: `*` and `?` within a path segment, `**` across segments. The pattern → RegExp part is pure;
// `expandGlob` walks the directory tree under the pattern's static prefix (bounded depth).
import { readdir } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

const GLOB_CHARS = /[*?[]/;

export function hasGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/** The directory before the first segment with a glob character ("/var/log/app/*.log" → "/var/log/app"). */
export function staticBase(pattern: string): string {
  const segs = resolve(pattern).split(sep);
  const i = segs.findIndex((s) => GLOB_CHARS.test(s));
  return i === -1 ? segs.slice(0, -1).join(sep) || sep : segs.slice(0, i).join(sep) || sep;
}

export function globToRegExp(pattern: string): RegExp {
  const abs = resolve(pattern);
  let re = '';
  for (let i = 0; i < abs.length; i++) {
    const ch = abs[i]!;
    if (ch === '*' && abs[i + 1] === '*') {
      const slash = abs[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Files matching `pattern` (absolute paths, sorted). A pattern without glob characters is returned as is. */
export async function expandGlob(pattern: string, maxDepth = 16): Promise<string[]> {
  if (!hasGlob(pattern)) return [resolve(pattern)];
  const re = globToRegExp(pattern);
  const base = staticBase(pattern);
  const depth = pattern.includes('**') ? maxDepth : resolve(pattern).split(sep).length - base.split(sep).length;
  const out: string[] = [];
  const walk = async (dir: string, d: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isFile() && re.test(p)) out.push(p);
      else if (e.isDirectory() && d > 1) await walk(p, d - 1);
    }
  };
  await walk(base, depth);
  return out.sort();
}

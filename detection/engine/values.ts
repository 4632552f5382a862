// Sigma string values: wildcard parsing (`*`, `?`, backslash escapes) and fast matchers.
// A SigmaString is a list of parts: literal text, the two wildcards, or a character class (used by `windash`).

export const STAR = { w: '*' } as const;
export const ONE = { w: '?' } as const;
export interface CharClass { set: string }
export type Part = string | typeof STAR | typeof ONE | CharClass;

const SPECIAL = /[*?\\]/g;

/**
 * Parse a Sigma string: `*` and `?` are wildcards; a backslash escapes `*`, `?` and `\` itself;
 * a backslash before any other character is a literal backslash (as in pySigma).
 */
export function parseSigmaString(s: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  let from = 0;
  SPECIAL.lastIndex = 0;
  for (let m = SPECIAL.exec(s); m !== null; m = SPECIAL.exec(s)) {
    const k = m.index;
    lit += s.slice(from, k);
    if (s[k] === '\\') {
      const n = s[k + 1];
      if (n === '*' || n === '?' || n === '\\') { lit += n; SPECIAL.lastIndex = k + 2; } else lit += '\\';
    } else {
      if (lit) { parts.push(lit); lit = ''; }
      parts.push(s[k] === '*' ? STAR : ONE);
    }
    from = SPECIAL.lastIndex;
  }
  lit += s.slice(from);
  if (lit) parts.push(lit);
  return normalise(parts);
}

/** Merge adjacent literals and collapse runs of `*`. */
export function normalise(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (typeof p === 'string') {
      if (p === '') continue;
      if (typeof last === 'string') out[out.length - 1] = last + p; else out.push(p);
    } else if (p === STAR && last === STAR) continue;
    else out.push(p);
  }
  return out;
}

export function hasWildcards(parts: readonly Part[]): boolean {
  return parts.some((p) => typeof p !== 'string');
}

export function isLiteral(parts: readonly Part[]): boolean {
  return parts.every((p) => typeof p === 'string');
}

export function literalText(parts: readonly Part[]): string {
  return parts.map((p) => (typeof p === 'string' ? p : p === STAR ? '*' : p === ONE ? '?' : `[${(p as CharClass).set}]`)).join('');
}

/** A matcher over one string; `caseSensitive=false` lower-cases pattern and input. */
export function stringMatcher(parts: readonly Part[], caseSensitive: boolean): (s: string) => boolean {
  const ps: Part[] = caseSensitive ? [...parts] : parts.map((p) => (typeof p === 'string' ? p.toLowerCase() : p !== STAR && p !== ONE ? { set: (p as CharClass).set.toLowerCase() } : p));
  const conv = caseSensitive ? (s: string) => s : (s: string) => s.toLowerCase();
  // Fast paths on the common shapes.
  if (ps.length === 0) return (s) => s === '';
  if (ps.length === 1 && typeof ps[0] === 'string') { const lit = ps[0]; return (s) => conv(s) === lit; }
  if (ps.length === 1 && ps[0] === STAR) return () => true;
  if (ps.length === 2 && ps[1] === STAR && typeof ps[0] === 'string') { const lit = ps[0]; return (s) => conv(s).startsWith(lit); }
  if (ps.length === 2 && ps[0] === STAR && typeof ps[1] === 'string') { const lit = ps[1]; return (s) => conv(s).endsWith(lit); }
  if (ps.length === 3 && ps[0] === STAR && ps[2] === STAR && typeof ps[1] === 'string') { const lit = ps[1]; return (s) => conv(s).includes(lit); }
  // General glob: split on `*` into segments of single-character tokens; anchor first/last, leftmost-match the middle.
  type Tok = string | null | CharClass; // char, any-one, class
  const segs: Tok[][] = [[]];
  for (const p of ps) {
    if (p === STAR) segs.push([]);
    else if (p === ONE) segs[segs.length - 1]!.push(null);
    else if (typeof p === 'string') for (const ch of p) segs[segs.length - 1]!.push(ch);
    else segs[segs.length - 1]!.push(p as CharClass);
  }
  // Without `?` (and with BMP-only classes) a segment has a fixed length in UTF-16 units, so the glob runs on
  // the string itself: literal segments with startsWith/indexOf/endsWith, segments with classes with a
  // quantifier-free regex (linear, no backtracking). `?` must match one code point: the array path below.
  if (!ps.includes(ONE) && ps.every((p) => typeof p === 'string' || p === STAR || !/[\ud800-\udfff]/.test((p as CharClass).set))) {
    const g = unitGlob(ps);
    return caseSensitive ? g : (s) => g(conv(s));
  }
  const chars = (s: string): string[] => Array.from(s);
  const segAt = (seg: Tok[], s: string[], at: number): boolean => {
    if (at + seg.length > s.length) return false;
    for (let k = 0; k < seg.length; k++) {
      const t = seg[k]!; const c = s[at + k]!;
      if (t === null) continue;
      if (typeof t === 'string') { if (t !== c) return false; } else if (!t.set.includes(c)) return false;
    }
    return true;
  };
  return (input: string): boolean => {
    const s = chars(conv(input));
    if (segs.length === 1) return s.length === segs[0]!.length && segAt(segs[0]!, s, 0);
    const first = segs[0]!; const last = segs[segs.length - 1]!;
    if (!segAt(first, s, 0)) return false;
    let pos = first.length;
    const end = s.length - last.length;
    if (end < pos) return false;
    for (let i = 1; i < segs.length - 1; i++) {
      const seg = segs[i]!;
      let found = -1;
      for (let j = pos; j + seg.length <= end; j++) if (segAt(seg, s, j)) { found = j; break; }
      if (found < 0) return false;
      pos = found + seg.length;
    }
    return segAt(last, s, end);
  };
}

interface UnitSeg { len: number; lit: string | undefined; sticky: RegExp | undefined; search: RegExp | undefined }

/** Whether segment `seg` occurs in `s` at `pos`. */
function at(seg: UnitSeg, s: string, pos: number): boolean {
  if (seg.lit !== undefined) return s.startsWith(seg.lit, pos);
  seg.sticky!.lastIndex = pos;
  return seg.sticky!.test(s);
}

const reEscape = (t: string): string => t.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/** Glob over `*`-separated segments of literals and BMP character classes (no `?`), on UTF-16 units. */
function unitGlob(ps: readonly Part[]): (s: string) => boolean {
  const raw: Array<Array<string | CharClass>> = [[]];
  for (const p of ps) {
    if (p === STAR) raw.push([]);
    else raw[raw.length - 1]!.push(p as string | CharClass);
  }
  const segs: UnitSeg[] = raw.map((seg) => {
    if (seg.every((t) => typeof t === 'string')) return { len: seg.join('').length, lit: seg.join(''), sticky: undefined, search: undefined };
    let src = ''; let len = 0;
    for (const t of seg) {
      if (typeof t === 'string') { src += reEscape(t); len += t.length; } else { src += `[${reEscape(t.set)}]`; len += 1; }
    }
    return { len, lit: undefined, sticky: new RegExp(src, 'y'), search: new RegExp(src, 'g') };
  });
  const first = segs[0]!; const last = segs[segs.length - 1]!;
  if (segs.length === 1) return (s) => s.length === first.len && at(first, s, 0);
  return (s: string): boolean => {
    if (s.length < first.len || !at(first, s, 0)) return false;
    let pos = first.len;
    const end = s.length - last.len;
    if (end < pos) return false;
    for (let i = 1; i < segs.length - 1; i++) {
      const seg = segs[i]!;
      let found: number;
      if (seg.lit !== undefined) found = s.indexOf(seg.lit, pos);
      else { seg.search!.lastIndex = pos; const m = seg.search!.exec(s); found = m ? m.index : -1; }
      if (found < 0 || found + seg.len > end) return false;
      pos = found + seg.len;
    }
    return at(last, s, end);
  };
}

// Fast path of the located YAML parser (yamlnode.ts) for the YAML that Sigma rules are written in: one document
// of block maps and sequences, plain / quoted / literal (`|`) scalars, comments. It builds the same located tree
// as the eemeli/yaml path (same values, core-schema scalar types, positions and plain `source` texts) about ten
// times faster, and answers `undefined` for anything outside that subset or anything doubtful (anchors, tags,
// flow collections, folded or indented block scalars, multi-line quoted scalars, `---`, tabs, duplicate keys,
// syntax errors ...). The caller then runs the full parser, so errors keep their located messages.
// detection/test/fastyaml.test.ts checks both parsers give deep-equal trees on every corpus file and on mutations.
import type { Pos, Scalar, YEntry, YMap, YNode, YScalar, YSeq, YDoc } from './yamlnode.ts';

/** Thrown inside the parser to leave the fast path; never escapes parseYamlFast. */
class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported('outside the fast YAML subset');
function no(): never { throw UNSUPPORTED; }

/** Characters the fast path never handles (tabs, CR, BOM, control and non-printable characters, other line breaks). */
// eslint-disable-next-line no-control-regex
const REJECT_CHARS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;
/** Document markers and directives (`---`, `...`, `%`) at a line start: several documents or a header. */
const hasMarkers = (t: string): boolean => /^(?:---|\.\.\.|%)/.test(t) || t.includes('\n---') || t.includes('\n...') || t.includes('\n%');
/** Characters that may not start a plain scalar or key here (YAML indicators; `-` is checked apart). */
const INDICATOR = new Set(['?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`']);
const MAX_DEPTH = 48;
const MAX_KEY = 1000;

/** Parse `text` on the fast path, or undefined when the full parser must decide. */
export function parseYamlFast(text: string): YDoc[] | undefined {
  if (REJECT_CHARS.test(text) || hasMarkers(text)) return undefined;
  try {
    return new FastParser(text).document();
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

const NOT_SPACE = /[^ ]/;

class FastParser {
  /** the lines, their indents (leading spaces) and whether each is blank or comment-only */
  private readonly text: string[];
  private readonly indent: Int32Array;
  private readonly skip: Uint8Array;
  private readonly n: number;
  private li = 0;

  constructor(text: string) {
    const lines = text.split('\n');
    const n = lines.length;
    this.text = lines; this.n = n;
    this.indent = new Int32Array(n);
    this.skip = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const t = lines[i]!;
      const k = t.search(NOT_SPACE);
      this.indent[i] = k < 0 ? t.length : k;
      this.skip[i] = k < 0 || t.charCodeAt(k) === 35 /* # */ ? 1 : 0;
    }
  }

  /** Whether line `i` is blank (spaces only). */
  private blank(i: number): boolean { return this.indent[i] === this.text[i]!.length; }

  document(): YDoc[] {
    this.skipBlank();
    if (this.li >= this.n) no(); // empty document: the full parser says what it is
    const root = this.blockAt(this.indent[this.li]!, 0);
    this.skipBlank();
    if (this.li < this.n) no(); // content after the root: an error or something we do not handle
    return [{ root, index: 0, pos: { line: root.pos.line, column: 1 } }]; // the full parser's document starts at its line
  }

  private skipBlank(): void {
    while (this.li < this.n && this.skip[this.li] === 1) this.li++;
  }

  private pos(li: number, col: number): Pos { return { line: li + 1, column: col + 1 }; }

  /** A block collection starting at the current line (its first content column is `indent`). */
  private blockAt(indent: number, depth: number): YNode {
    const t = this.text[this.li]!;
    if (isSeqItem(t, indent)) return this.seq(indent, depth);
    if (keyEnd(t, indent) >= 0) return this.map(indent, this.li, indent, depth);
    return no();
  }

  /**
   * The value of a `key:` or `-` with nothing after it on its line: a collection or scalar on the next content
   * line when more indented (or a sequence at the key's own indent), else null at `emptyPos`.
   */
  private valueBelow(parent: number, seqSameIndent: boolean, emptyPos: Pos, depth: number): YNode {
    this.li++;
    this.skipBlank();
    if (this.li < this.n) {
      const t = this.text[this.li]!;
      const ind = this.indent[this.li]!;
      if (ind > parent || (seqSameIndent && ind === parent && isSeqItem(t, ind))) {
        if (isSeqItem(t, ind)) return this.seq(ind, depth);
        if (keyEnd(t, ind) >= 0) return this.map(ind, this.li, ind, depth);
        const c = t.charCodeAt(ind);
        if (c === 34 || c === 39) return this.quotedValue(ind, parent);
        return this.plain(ind, parent);
      }
    }
    return { kind: 'scalar', value: null, plain: true, pos: emptyPos, source: '' };
  }

  private seq(indent: number, depth: number): YSeq {
    if (depth > MAX_DEPTH) no();
    const items: YNode[] = [];
    const pos = this.pos(this.li, indent);
    for (;;) {
      this.skipBlank();
      if (this.li >= this.n) break;
      const ind = this.indent[this.li]!;
      const t = this.text[this.li]!;
      if (ind < indent) break;
      if (ind > indent || !isSeqItem(t, indent)) {
        // The item list of a sequence that is a map value at the key's indent ends at the next key.
        if (ind === indent && keyEnd(t, indent) >= 0) break;
        no();
      }
      let c = indent + 1;
      while (c < t.length && t.charCodeAt(c) === 32) c++;
      if (c === t.length || t.charCodeAt(c) === 35) { items.push(this.valueBelow(indent, false, this.pos(this.li, c), depth + 1)); continue; }
      if (isSeqItem(t, c)) no(); // nested compact sequence
      if (keyEnd(t, c) >= 0) { items.push(this.map(c, this.li, c, depth + 1)); continue; }
      items.push(this.inlineValue(c, indent, depth + 1));
    }
    return { kind: 'seq', items, pos };
  }

  /** A block map whose keys are at column `indent`; its first key is on line `firstLi` at column `firstCol`. */
  private map(indent: number, firstLi: number, firstCol: number, depth: number): YMap {
    if (depth > MAX_DEPTH) no();
    const entries: YEntry[] = [];
    const pos = this.pos(firstLi, firstCol);
    let first = true;
    for (;;) {
      let col = indent;
      if (first) { first = false; col = firstCol; } else {
        this.skipBlank();
        if (this.li >= this.n) break;
        const ind = this.indent[this.li]!;
        if (ind < indent) break;
        if (ind > indent) no();
        // A sequence at this indent belongs to an enclosing map value (`key:\n- a`), handled by the caller.
        if (isSeqItem(this.text[this.li]!, indent)) break;
      }
      const t = this.text[this.li]!;
      const colon = keyEnd(t, col);
      if (colon < 0) no();
      const keyPos = this.pos(this.li, col);
      const key = keyText(t, col, colon);
      if (key === '<<') no();
      for (let k = 0; k < entries.length; k++) if (entries[k]!.key === key) no(); // duplicate: the full parser reports it
      let v = colon + 1;
      while (v < t.length && t.charCodeAt(v) === 32) v++;
      const value = v === t.length || t.charCodeAt(v) === 35 ? this.valueBelow(indent, true, this.pos(this.li, v), depth + 1) : this.inlineValue(v, indent, depth + 1);
      entries.push({ key, keyPos, value });
    }
    return { kind: 'map', entries, pos };
  }

  /** A scalar that starts at column `c` of the current line, after `key: ` or `- ` (`parent` = collection indent). */
  private inlineValue(c: number, parent: number, depth: number): YNode {
    if (depth > MAX_DEPTH) no();
    const ch = this.text[this.li]!.charCodeAt(c);
    if (ch === 34 || ch === 39) return this.quotedValue(c, parent);
    if (ch === 124 /* | */) return this.literal(c, parent);
    return this.plain(c, parent);
  }

  private quotedValue(c: number, parent: number): YScalar {
    const t = this.text[this.li]!;
    const [value, end] = quoted(t, c);
    trailingComment(t, end);
    const node: YScalar = { kind: 'scalar', value, plain: false, pos: this.pos(this.li, c) };
    this.li++;
    this.noMoreIndented(parent);
    return node;
  }

  /** After a one-line value: a more indented content line would be an error (or a construct we do not parse). */
  private noMoreIndented(parent: number): void {
    this.skipBlank();
    if (this.li < this.n && this.indent[this.li]! > parent) no();
  }

  /** A plain scalar from column `c`, possibly continued on more indented lines (folded with spaces / newlines). */
  private plain(c: number, parent: number): YScalar {
    const t = this.text[this.li]!;
    const ch = t[c]!;
    if (INDICATOR.has(ch) || isSeqItem(t, c)) no();
    const pos = this.pos(this.li, c);
    let hash = t.indexOf(' #', c);
    const comment = hash >= 0;
    if (!comment) hash = t.length;
    let text = trimSpaces(t.slice(c, hash));
    checkPlainLine(text);
    this.li++;
    if (!comment) {
      // Continuation lines: more indented than the collection, not blank; blank lines in between become newlines.
      let empties = 0;
      for (let j = this.li; j < this.n; j++) {
        if (this.blank(j)) { empties++; continue; }
        const ind = this.indent[j]!;
        if (ind <= parent || this.skip[j] === 1) break;
        const lt = this.text[j]!;
        const first = lt[ind]!;
        if (INDICATOR.has(first) || first === '-' || lt.includes(' #')) no();
        const part = trimSpaces(lt.slice(ind));
        checkPlainLine(part);
        text += empties > 0 ? '\n'.repeat(empties) + part : ' ' + part;
        empties = 0;
        this.li = j + 1;
      }
    }
    this.noMoreIndented(parent);
    return { kind: 'scalar', value: resolvePlain(text), plain: true, pos, source: text };
  }

  /** A literal block scalar (`|`, `|-`) whose header is at column `c`. */
  private literal(c: number, parent: number): YScalar {
    const t = this.text[this.li]!;
    let h = c + 1;
    let strip = false;
    if (t[h] === '-') { strip = true; h++; } else if (t[h] === '+') no();
    if (h < t.length && t.charCodeAt(h) !== 32) no(); // indentation indicator or junk
    trailingComment(t, h);
    const pos = this.pos(this.li, c);
    this.li++;
    // Content indent: that of the first non-blank line; leading blank lines may not be longer.
    let j = this.li;
    let maxBlank = 0;
    while (j < this.n && this.blank(j)) { maxBlank = Math.max(maxBlank, this.text[j]!.length); j++; }
    if (j >= this.n) no();
    const ind = this.indent[j]!;
    if (ind <= parent || maxBlank > ind) no();
    const body: string[] = [];
    let lastContent = -1;
    for (j = this.li; j < this.n; j++) {
      const lt = this.text[j]!;
      if (this.blank(j)) { if (lt.length > ind) no(); body.push(''); continue; }
      if (this.indent[j]! < ind) break;
      body.push(ind === 0 ? lt : lt.slice(ind));
      lastContent = body.length;
    }
    this.li += lastContent; // trailing blank lines are not part of the value (clip / strip)
    if (this.li === this.n) no(); // no line break after the last line: leave chomping to the full parser
    const text = body.length === lastContent ? body.join('\n') : body.slice(0, lastContent).join('\n');
    this.noMoreIndented(parent);
    return { kind: 'scalar', value: strip ? text : text + '\n', plain: false, pos };
  }
}

/** Whether the line has a sequence item (`-` then space or end of line) at column `c`. */
function isSeqItem(t: string, c: number): boolean {
  return t.charCodeAt(c) === 45 && (c + 1 === t.length || t.charCodeAt(c + 1) === 32);
}

/** Column of the `:` ending an implicit key that starts at column `c`, or -1 when the line is no `key:` entry. */
function keyEnd(t: string, c: number): number {
  const ch = t.charCodeAt(c);
  if (ch === 34 || ch === 39) {
    let end: number;
    try { end = quoted(t, c)[1]; } catch { return -1; }
    while (end < t.length && t.charCodeAt(end) === 32) end++;
    return t.charCodeAt(end) === 58 && (end + 1 === t.length || t.charCodeAt(end + 1) === 32) ? end : -1;
  }
  if (c >= t.length || INDICATOR.has(t[c]!) || ch === 45) return -1;
  let i = t.indexOf(':', c);
  while (i >= 0 && i + 1 < t.length && t.charCodeAt(i + 1) !== 32) i = t.indexOf(':', i + 1);
  if (i < 0 || i - c > MAX_KEY) return -1;
  const hash = t.indexOf(' #', c);
  return hash >= 0 && hash < i ? -1 : i; // a comment before any `: `: no key
}

/** The key text of `t[c..colon)` (a quoted key, or a plain one resolved as YAML then turned into a string). */
function keyText(t: string, c: number, colon: number): string {
  const ch = t.charCodeAt(c);
  if (ch === 34 || ch === 39) return quoted(t, c)[0];
  const raw = trimSpaces(t.slice(c, colon));
  checkPlainLine(raw);
  const v = resolvePlain(raw);
  if (v === null) no();
  return String(v);
}

/** Remove trailing spaces (only spaces: YAML does not trim other white space such as U+00A0). */
function trimSpaces(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 32) e--;
  return e === s.length ? s : s.slice(0, e);
}

/** A plain scalar line may not hold `: ` or end in `:` (a nested mapping: the full parser reports it). */
function checkPlainLine(s: string): void {
  if (s.includes(': ') || s.endsWith(':')) no();
}

/** After a scalar ending at `end`: only spaces, then optionally a comment. */
function trailingComment(t: string, end: number): void {
  let i = end;
  while (i < t.length && t.charCodeAt(i) === 32) i++;
  if (i < t.length && !(t.charCodeAt(i) === 35 && i > end)) no();
}

const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', '0': '\0', ' ': ' ' };
const DQ_SPECIAL = /["\\]/g;
const HEX_LEN: Record<string, number> = { x: 2, u: 4, U: 8 };

/** A one-line quoted scalar at column `c`: [value, column after the closing quote]. Multi-line ones are not handled. */
function quoted(t: string, c: number): [string, number] {
  const q = t[c];
  let out = '';
  let i = c + 1;
  if (q === "'") {
    for (;;) {
      const k = t.indexOf("'", i);
      if (k < 0) no();
      out += t.slice(i, k);
      if (t[k + 1] === "'") { out += "'"; i = k + 2; continue; }
      return [out, k + 1];
    }
  }
  for (;;) {
    DQ_SPECIAL.lastIndex = i;
    const k = DQ_SPECIAL.test(t) ? DQ_SPECIAL.lastIndex - 1 : -1;
    if (k < 0) no();
    out += t.slice(i, k);
    if (t[k] === '"') return [out, k + 1];
    const e = t[k + 1];
    if (e === undefined) no();
    const hex = HEX_LEN[e];
    if (hex !== undefined) {
      const h = t.slice(k + 2, k + 2 + hex);
      if (h.length !== hex || !/^[0-9a-fA-F]+$/.test(h)) no();
      const code = parseInt(h, 16);
      if (code > 0x10ffff) no();
      out += String.fromCodePoint(code);
      i = k + 2 + hex;
      continue;
    }
    const s = ESCAPES[e];
    if (s === undefined) no();
    out += s;
    i = k + 2;
  }
}

// The YAML 1.2 core schema, as eemeli/yaml resolves plain scalars (its schema/core tags, in its order).
const NULL_RE = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL_RE = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const OCT_RE = /^0o[0-7]+$/;
const INT_RE = /^[-+]?[0-9]+$/;
const HEX_RE = /^0x[0-9a-fA-F]+$/;
const NAN_RE = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const EXP_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

export function resolvePlain(s: string): Scalar {
  const c = s.charCodeAt(0);
  // Only these first characters can start a non-string: digits + - . ~ n N t T f F (and the empty string).
  if (s.length > 0 && !((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70)) return s;
  if (NULL_RE.test(s)) return null;
  if (BOOL_RE.test(s)) return s[0] === 't' || s[0] === 'T';
  if (OCT_RE.test(s)) return parseInt(s.substring(2), 8);
  if (INT_RE.test(s)) return parseInt(s, 10);
  if (HEX_RE.test(s)) return parseInt(s.substring(2), 16);
  if (NAN_RE.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (EXP_RE.test(s) || FLOAT_RE.test(s)) return parseFloat(s);
  return s;
}

// Sigma condition grammar -> AST. Precedence: not > and > or; `1 of x*`, `any of x*`, `all of x*`, `... of them`.
// Parsed ASTs are cached by their text and frozen (never changed after caching; STYLE habit 8).

export type CondNode =
  | { readonly op: 'and' | 'or'; readonly args: readonly CondNode[] }
  | { readonly op: 'not'; readonly arg: CondNode }
  | { readonly op: 'id'; readonly name: string }
  | { readonly op: 'of'; readonly quant: 'one' | 'all'; readonly pattern: string /* 'them' or a glob */ };

export class ConditionSyntaxError extends Error {
  constructor(message: string, readonly offset: number) { super(message); }
}

interface Tok { t: 'word' | '(' | ')'; v: string; at: number }

function tokenize(s: string): Tok[] {
  const toks: Tok[] = [];
  const re = /\s*(?:(\()|(\))|([^\s()]+))/y;
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while (re.lastIndex < s.length) {
    const start = re.lastIndex;
    m = re.exec(s);
    if (!m) {
      if (/^\s*$/.test(s.slice(start))) break;
      throw new ConditionSyntaxError(`unexpected character at ${start}`, start);
    }
    const at = m.index + m[0].length - (m[1] ?? m[2] ?? m[3] ?? '').length;
    if (m[1]) toks.push({ t: '(', v: '(', at });
    else if (m[2]) toks.push({ t: ')', v: ')', at });
    else if (m[3]) toks.push({ t: 'word', v: m[3], at });
  }
  return toks;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them', 'all', 'any', '1']);
const IDENT = /^[A-Za-z0-9_*.-]+$/;

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[], private readonly len: number) {}
  private peek(): Tok | undefined { return this.toks[this.i]; }
  private kw(v: string): boolean { const t = this.peek(); return t !== undefined && t.t === 'word' && t.v.toLowerCase() === v; }
  private where(): number { return this.peek()?.at ?? this.len; }
  parse(): CondNode {
    if (this.toks.length === 0) throw new ConditionSyntaxError('empty condition', 0);
    const n = this.or();
    if (this.i < this.toks.length) throw new ConditionSyntaxError(`unexpected '${this.peek()!.v}'`, this.where());
    return n;
  }
  private or(): CondNode {
    const args = [this.and()];
    while (this.kw('or')) { this.i++; args.push(this.and()); }
    return args.length === 1 ? args[0]! : { op: 'or', args };
  }
  private and(): CondNode {
    const args = [this.not()];
    while (this.kw('and')) { this.i++; args.push(this.not()); }
    return args.length === 1 ? args[0]! : { op: 'and', args };
  }
  private not(): CondNode {
    if (this.kw('not')) { this.i++; return { op: 'not', arg: this.not() }; }
    return this.atom();
  }
  private atom(): CondNode {
    const t = this.peek();
    if (!t) throw new ConditionSyntaxError('unexpected end of condition', this.len);
    if (t.t === '(') {
      this.i++;
      const n = this.or();
      if (this.peek()?.t !== ')') throw new ConditionSyntaxError("missing ')'", this.where());
      this.i++;
      return n;
    }
    if (t.t === ')') throw new ConditionSyntaxError("unexpected ')'", t.at);
    const w = t.v.toLowerCase();
    if (w === '1' || w === 'any' || w === 'all') {
      const next = this.toks[this.i + 1];
      if (next?.t === 'word' && next.v.toLowerCase() === 'of') {
        const target = this.toks[this.i + 2];
        if (!target || target.t !== 'word') throw new ConditionSyntaxError(`'${t.v} of' needs a name pattern or 'them'`, next.at + 2);
        const tv = target.v.toLowerCase() === 'them' ? 'them' : target.v;
        if (tv !== 'them' && (KEYWORDS.has(tv.toLowerCase()) || !IDENT.test(tv))) throw new ConditionSyntaxError(`invalid name pattern '${target.v}'`, target.at);
        this.i += 3;
        return { op: 'of', quant: w === 'all' ? 'all' : 'one', pattern: tv };
      }
    }
    if (KEYWORDS.has(w) || !IDENT.test(t.v) || t.v.includes('*')) throw new ConditionSyntaxError(`unexpected '${t.v}'`, t.at);
    this.i++;
    return { op: 'id', name: t.v };
  }
}

function deepFreeze<T>(n: T): T {
  if (n && typeof n === 'object') { for (const v of Object.values(n)) deepFreeze(v); Object.freeze(n); }
  return n;
}

const cache = new Map<string, CondNode | ConditionSyntaxError>();
const CACHE_MAX = 10_000;

/** Parse a condition (cached by text). Throws ConditionSyntaxError with the offset of the problem. */
export function parseCondition(text: string): CondNode {
  let r = cache.get(text);
  if (r === undefined) {
    try { r = deepFreeze(new Parser(tokenize(text), text.length).parse()); } catch (e) {
      if (!(e instanceof ConditionSyntaxError)) throw e;
      r = e;
    }
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(text, r);
  }
  if (r instanceof ConditionSyntaxError) throw r;
  return r;
}

/** The regexes of `of` patterns, by pattern (the same few patterns recur in thousands of rules). */
const patterns = new Map<string, RegExp>();

/** Names matched by an `of` pattern (`them` = all names not starting with `_`). */
export function expandPattern(pattern: string, names: readonly string[]): string[] {
  if (pattern === 'them') return names.filter((n) => !n.startsWith('_'));
  let re = patterns.get(pattern);
  if (re === undefined) {
    re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*') + '$');
    if (patterns.size >= CACHE_MAX) patterns.clear();
    patterns.set(pattern, re);
  }
  return names.filter((n) => re.test(n));
}

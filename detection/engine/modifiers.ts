// The Sigma modifier registry (STYLE habit 7): one Record of modifier definitions. Value modifiers transform
// one typed value at a time and declare the value types they accept, so a chain such as `re|contains` or
// `cidr|contains` is rejected with a located error; flag modifiers change how the item is evaluated.
import { STAR, normalise, isLiteral, literalText, type Part } from './values.ts';

export type SVal =
  | { t: 'str'; parts: Part[]; raw?: string; bytes?: boolean }
  | { t: 'num'; n: number; text: string }
  | { t: 'bool'; b: boolean }
  | { t: 'null' }
  | { t: 're'; src: string; flags: { i: boolean; m: boolean; s: boolean } }
  | { t: 'cidr'; text: string }
  | { t: 'cmp'; op: 'lt' | 'lte' | 'gt' | 'gte'; n: number }
  | { t: 'fieldref'; field: string }
  | { t: 'exists'; b: boolean };
export type SValType = SVal['t'];

export class ModifierError extends Error {
  constructor(message: string, readonly code: 'ERR_SIGMA_MODIFIER' | 'ERR_SIGMA_VALUE' | 'ERR_SIGMA_PLACEHOLDER' = 'ERR_SIGMA_MODIFIER') { super(message); }
}

export interface ModifierContext {
  vars: Readonly<Record<string, readonly string[]>>;
}

export type TimePart = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

export type ModifierDef =
  | { kind: 'value'; accepts: readonly SValType[]; apply(v: SVal, ctx: ModifierContext): SVal | SVal[] }
  | { kind: 'flag'; flag: 'all' | 'cased' | 'neq' }
  | { kind: 'time'; part: TimePart }
  | { kind: 're-flag'; flag: 'i' | 'm' | 's' };

const STRINGISH = ['str', 'num'] as const;

function asStr(v: SVal): Extract<SVal, { t: 'str' }> {
  if (v.t === 'str') return v;
  if (v.t === 'num') return { t: 'str', parts: [v.text], raw: v.text };
  throw new ModifierError(`expected a string value, got ${v.t}`);
}

function wrap(v: SVal, start: boolean, end: boolean): SVal {
  const s = asStr(v);
  const parts = [...s.parts];
  if (start && parts[0] !== STAR) parts.unshift(STAR);
  if (end && parts[parts.length - 1] !== STAR) parts.push(STAR);
  return { t: 'str', parts: normalise(parts), ...(s.bytes ? { bytes: true } : {}) };
}

function literalOnly(v: SVal, mod: string): string {
  const s = asStr(v);
  if (!isLiteral(s.parts)) throw new ModifierError(`'${mod}' cannot encode a value with wildcards: ${literalText(s.parts)}`, 'ERR_SIGMA_VALUE');
  return s.parts.join('');
}

function toBytes(v: SVal, mod: string): Buffer {
  const s = asStr(v);
  return Buffer.from(literalOnly(s, mod), s.bytes ? 'latin1' : 'utf8');
}

function encodeParts(v: SVal, enc: (text: string) => Buffer): SVal {
  const s = asStr(v);
  if (s.bytes) throw new ModifierError('value is already encoded');
  return { t: 'str', parts: s.parts.map((p) => (typeof p === 'string' ? enc(p).toString('latin1') : p)), bytes: true };
}

const utf16be = (t: string): Buffer => { const b = Buffer.from(t, 'utf16le'); b.swap16(); return b; };

const WINDASH = '-/\u2013\u2014\u2015';

const isWord = (ch: string | undefined): boolean => ch !== undefined && /\w/.test(ch);

function windash(v: SVal): SVal {
  const s = asStr(v);
  const out: Part[] = [];
  for (const p of s.parts) {
    if (typeof p !== 'string') { out.push(p); continue; }
    // pySigma: a `-` or `/` that starts a word-ish option (`\B[-/]\b`) may be any of the dash characters.
    let lit = '';
    for (let i = 0; i < p.length; i++) {
      const c = p[i]!;
      const prev = i === 0 ? undefined : p[i - 1];
      const next = p[i + 1];
      if ((c === '-' || c === '/') && !isWord(prev) && isWord(next)) {
        if (lit) { out.push(lit); lit = ''; }
        out.push({ set: WINDASH });
      } else lit += c;
    }
    if (lit) out.push(lit);
  }
  return { t: 'str', parts: out };
}

function compare(op: 'lt' | 'lte' | 'gt' | 'gte'): ModifierDef {
  return {
    kind: 'value', accepts: ['num', 'str'], apply(v) {
      const n = v.t === 'num' ? v.n : v.t === 'str' && isLiteral(v.parts) ? Number(v.parts.join('')) : NaN;
      if (!Number.isFinite(n)) throw new ModifierError(`'${op}' needs a number`, 'ERR_SIGMA_VALUE');
      return { t: 'cmp', op, n };
    },
  };
}

function expand(v: SVal, ctx: ModifierContext): SVal[] {
  const s = asStr(v);
  // Work on the literal text so a placeholder may span parts; wildcards are kept.
  let results: Part[][] = [[]];
  for (const p of s.parts) {
    if (typeof p !== 'string') { for (const r of results) r.push(p); continue; }
    const pieces = p.split(/(%[A-Za-z0-9_.-]+%)/);
    for (const piece of pieces) {
      const m = /^%([A-Za-z0-9_.-]+)%$/.exec(piece);
      if (!m) { for (const r of results) r.push(piece); continue; }
      const vals = ctx.vars[m[1]!];
      if (vals === undefined) throw new ModifierError(`placeholder %${m[1]}% is not defined by any pipeline (vars)`, 'ERR_SIGMA_PLACEHOLDER');
      const next: Part[][] = [];
      for (const r of results) for (const val of vals) next.push([...r, val]);
      results = next;
    }
  }
  return results.map((parts) => ({ t: 'str', parts: normalise(parts) }));
}

export const MODIFIERS: Readonly<Record<string, ModifierDef>> = Object.freeze({
  contains: { kind: 'value', accepts: STRINGISH, apply: (v) => wrap(v, true, true) },
  startswith: { kind: 'value', accepts: STRINGISH, apply: (v) => wrap(v, false, true) },
  endswith: { kind: 'value', accepts: STRINGISH, apply: (v) => wrap(v, true, false) },
  windash: { kind: 'value', accepts: STRINGISH, apply: windash },
  all: { kind: 'flag', flag: 'all' },
  cased: { kind: 'flag', flag: 'cased' },
  neq: { kind: 'flag', flag: 'neq' },
  exists: {
    kind: 'value', accepts: ['bool', 'str'], apply(v) {
      if (v.t === 'bool') return { t: 'exists', b: v.b };
      const t = v.t === 'str' ? v.parts.join('').toLowerCase() : '';
      if (t === 'true' || t === 'false') return { t: 'exists', b: t === 'true' };
      throw new ModifierError("'exists' needs true or false", 'ERR_SIGMA_VALUE');
    },
  },
  re: {
    kind: 'value', accepts: ['str'], apply(v) {
      const s = asStr(v);
      if (s.raw === undefined) throw new ModifierError("'re' must come first in a chain of value modifiers");
      return { t: 're', src: s.raw, flags: { i: false, m: false, s: false } };
    },
  },
  i: { kind: 're-flag', flag: 'i' },
  m: { kind: 're-flag', flag: 'm' },
  s: { kind: 're-flag', flag: 's' },
  base64: { kind: 'value', accepts: STRINGISH, apply: (v) => ({ t: 'str', parts: [toBytes(v, 'base64').toString('base64')] }) },
  base64offset: {
    kind: 'value', accepts: STRINGISH, apply(v) {
      const b = toBytes(v, 'base64offset');
      const starts = [0, 2, 3];
      const ends = [0, -3, -2];
      return [0, 1, 2].map((i) => {
        const enc = Buffer.concat([Buffer.alloc(i, 0x20), b]).toString('base64');
        const e = ends[(b.length + i) % 3]!;
        return { t: 'str' as const, parts: [enc.slice(starts[i]!, e === 0 ? undefined : e)] };
      });
    },
  },
  utf16le: { kind: 'value', accepts: STRINGISH, apply: (v) => encodeParts(v, (t) => Buffer.from(t, 'utf16le')) },
  wide: { kind: 'value', accepts: STRINGISH, apply: (v) => encodeParts(v, (t) => Buffer.from(t, 'utf16le')) },
  utf16be: { kind: 'value', accepts: STRINGISH, apply: (v) => encodeParts(v, utf16be) },
  utf16: {
    kind: 'value', accepts: STRINGISH, apply(v) {
      const s = asStr(v);
      if (s.bytes) throw new ModifierError('value is already encoded');
      const enc = encodeParts(v, (t) => Buffer.from(t, 'utf16le')) as Extract<SVal, { t: 'str' }>;
      return { t: 'str', parts: normalise(['\xff\xfe', ...enc.parts]), bytes: true };
    },
  },
  lt: compare('lt'), lte: compare('lte'), gt: compare('gt'), gte: compare('gte'),
  cidr: {
    kind: 'value', accepts: ['str'], apply(v) {
      const s = asStr(v);
      if (!isLiteral(s.parts)) throw new ModifierError("'cidr' value must not contain wildcards", 'ERR_SIGMA_VALUE');
      return { t: 'cidr', text: s.parts.join('') };
    },
  },
  expand: { kind: 'value', accepts: ['str'], apply: expand },
  fieldref: {
    kind: 'value', accepts: ['str'], apply(v) {
      const s = asStr(v);
      if (!isLiteral(s.parts)) throw new ModifierError("'fieldref' value must be a field name", 'ERR_SIGMA_VALUE');
      return { t: 'fieldref', field: s.parts.join('') };
    },
  },
  minute: { kind: 'time', part: 'minute' },
  hour: { kind: 'time', part: 'hour' },
  day: { kind: 'time', part: 'day' },
  week: { kind: 'time', part: 'week' },
  month: { kind: 'time', part: 'month' },
  year: { kind: 'time', part: 'year' },
} satisfies Record<string, ModifierDef>);

export interface AppliedModifiers {
  values: SVal[];
  all: boolean;
  cased: boolean;
  neq: boolean;
  time: TimePart | undefined;
}

/** Apply a modifier chain to the raw values of one detection item. Throws ModifierError on invalid chains. */
export function applyModifiers(mods: readonly string[], values: SVal[], ctx: ModifierContext): AppliedModifiers {
  const res: AppliedModifiers = { values, all: false, cased: false, neq: false, time: undefined };
  let prev: string | undefined;
  let valueMods = 0;
  for (const name of mods) {
    const def = Object.prototype.hasOwnProperty.call(MODIFIERS, name) ? MODIFIERS[name] : undefined;
    if (!def) throw new ModifierError(`unknown modifier '${name}'`);
    switch (def.kind) {
      case 'flag':
        if (res[def.flag]) throw new ModifierError(`modifier '${name}' given twice`);
        res[def.flag] = true;
        break;
      case 'time':
        if (res.time || valueMods > 0) throw new ModifierError(`time modifier '${name}' must come first and only once`);
        res.time = def.part;
        break;
      case 're-flag':
        if (prev !== 're' && !(prev !== undefined && MODIFIERS[prev]?.kind === 're-flag')) {
          throw new ModifierError(`modifier '${name}' is only valid right after 're'`);
        }
        res.values = res.values.map((v) => (v.t === 're' ? { ...v, flags: { ...v.flags, [def.flag]: true } } : v));
        break;
      case 'value': {
        valueMods++;
        const out: SVal[] = [];
        for (const v of res.values) {
          if (!def.accepts.includes(v.t)) {
            throw new ModifierError(v.t === 'null' ? `modifier '${name}' cannot apply to null` : `modifier '${name}' cannot follow a value of type ${v.t}${prev ? ` (after '${prev}')` : ''}`);
          }
          const r = def.apply(v, ctx);
          if (Array.isArray(r)) out.push(...r); else out.push(r);
        }
        res.values = out;
        // Once a value modifier ran, the raw text is gone (so `contains|re` is rejected).
        res.values = res.values.map((v) => (v.t === 'str' && v.raw !== undefined ? { t: 'str', parts: v.parts, ...(v.bytes ? { bytes: true } : {}) } : v));
        break;
      }
    }
    prev = name;
  }
  const kinds = new Set(res.values.map((v) => v.t));
  if (kinds.has('exists') && (mods.length !== 1)) throw new ModifierError("'exists' cannot be combined with other modifiers");
  if (res.time && [...kinds].some((k) => k !== 'num' && k !== 'cmp' && k !== 'str')) throw new ModifierError(`time modifier '${res.time}' needs numbers`);
  if (res.time) {
    for (const v of res.values) if (v.t === 'str' && !(isLiteral(v.parts) && Number.isFinite(Number(v.parts.join(''))))) throw new ModifierError(`time modifier '${res.time}' needs numbers`, 'ERR_SIGMA_VALUE');
  }
  return res;
}

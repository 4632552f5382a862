// Sigma regular expressions run on re2js (RE2 semantics: linear time, no catastrophic backtracking).
// Sigma regexes are PCRE-flavoured: the few PCRE spellings RE2 can express are translated; anything RE2
// cannot compile (look-arounds, backreferences, atomic groups, possessive quantifiers) is an error.
import { RE2JS } from 're2js';

export class RegexError extends Error {}

export interface CompiledRegex { test(s: string): boolean }

/** Translate PCRE-isms RE2 accepts under another spelling. */
export function translatePcre(src: string): string {
  let out = '';
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\' && i + 1 < src.length) {
      const n = src[i + 1]!;
      if (n === 'Z') { out += '(?:\\n?\\z)'; i++; continue; }        // PCRE \Z: end or before a final newline
      if (n === 'h') { out += '[\\t \\x{a0}]'; i++; continue; }      // horizontal whitespace
      if (n === '/') { out += '/'; i++; continue; }                  // escaped slash (JS-style) is a literal
      out += c + n; i++; continue;
    }
    if (c === '(' && src.startsWith('(?<', i) && /^\(\?<[A-Za-z_]/.test(src.slice(i))) { out += '(?P<'; i += 2; continue; }
    out += c;
  }
  return out;
}

const UNSUPPORTED: Array<[RegExp, string]> = [
  [/\(\?[=!]/, 'look-ahead'],
  [/\(\?<[=!]/, 'look-behind'],
  [/\(\?>/, 'atomic group'],
  [/\\[1-9]/, 'backreference'],
  [/\\k</, 'named backreference'],
  [/[*+?}][+]/, 'possessive quantifier'],
];

/** Compiled regexes by flags + source: the same regex recurs across rules (217 regex values, 149 distinct in SigmaHQ). */
const compiled = new Map<string, CompiledRegex>();
const CACHE_MAX = 10_000;

export function compileRegex(src: string, flags: { i: boolean; m: boolean; s: boolean }): CompiledRegex {
  const key = `${flags.i ? 'i' : ''}${flags.m ? 'm' : ''}${flags.s ? 's' : ''}/${src}`;
  let re = compiled.get(key);
  if (re === undefined) {
    re = compileUncached(src, flags); // throws RegexError: failures are not cached (they are rare, and carry the rule's location)
    if (compiled.size >= CACHE_MAX) compiled.clear();
    compiled.set(key, re);
  }
  return re;
}

function compileUncached(src: string, flags: { i: boolean; m: boolean; s: boolean }): CompiledRegex {
  let f = 0;
  if (flags.i) f |= RE2JS.CASE_INSENSITIVE;
  if (flags.m) f |= RE2JS.MULTILINE;
  if (flags.s) f |= RE2JS.DOTALL;
  const translated = translatePcre(src);
  try {
    const re = RE2JS.compile(translated, f);
    return { test: (s): boolean => re.test(s) };
  } catch (err) {
    const stripped = src.replace(/\\\\/g, '').replace(/\[(?:\\.|[^\]\\])*\]/g, '[]');
    const what = UNSUPPORTED.find(([re]) => re.test(stripped));
    const reason = what ? `${what[1]} is not supported by RE2` : (err instanceof Error ? err.message : String(err));
    throw new RegexError(`regular expression /${src}/ cannot be compiled: ${reason}`, { cause: err });
  }
}

// Traffic Light Protocol 2.0 (FIRST, 2022): the marking every alert, incident and advisory carries, and the
// clearance of every recipient. Pure: the levels in order, parsing of the tag spellings in use, the sharing check.
//
// Tag spellings accepted by parseTlp (case-insensitive): Sigma's `tlp.amber-strict` (Sigma tags namespace `tlp`),
// MISP's `tlp:amber+strict`, the label `TLP:AMBER+STRICT`, and the bare level `amber+strict`. TLP 1.0's `white`
// reads as CLEAR (TLP 2.0 renamed it).
import { CirtError } from './errors.ts';

/** The five TLP 2.0 levels, least restricted first: the order `mayShare` compares. */
export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

export class TlpError extends CirtError {}

export function isTlp(value: unknown): value is Tlp {
  return typeof value === 'string' && (TLP_LEVELS as readonly string[]).includes(value);
}

export function tlpRank(level: Tlp): number {
  return TLP_LEVELS.indexOf(level);
}

/** The standard label, e.g. `TLP:AMBER+STRICT`. */
export function tlpLabel(level: Tlp): string {
  return `TLP:${level}`;
}

/**
 * Whether information marked `marking` may go to a recipient cleared for `clearance`: the marking must not be more
 * restricted than the clearance (an AMBER advisory may go to an AMBER or RED recipient, never to a CLEAR one).
 */
export function mayShare(marking: Tlp, clearance: Tlp): boolean {
  return tlpRank(marking) <= tlpRank(clearance);
}

/** The most restricted of the given levels, or `fallback` when there are none. */
export function highestTlp(levels: Iterable<Tlp | undefined>, fallback: Tlp): Tlp {
  let best: Tlp | undefined;
  for (const l of levels) if (l !== undefined && (best === undefined || tlpRank(l) > tlpRank(best))) best = l;
  return best ?? fallback;
}

const LEVEL_BY_NAME: Record<string, Tlp> = {
  clear: 'CLEAR',
  white: 'CLEAR',
  green: 'GREEN',
  amber: 'AMBER',
  'amber+strict': 'AMBER+STRICT',
  'amber-strict': 'AMBER+STRICT',
  amber_strict: 'AMBER+STRICT',
  red: 'RED',
};

/** Whether a tag is in the TLP namespace (`tlp.*` or `tlp:*`), valid or not. */
export function isTlpTag(tag: string): boolean {
  return /^tlp[.:]/i.test(tag.trim());
}

/**
 * A TLP level from a tag or label (`tlp.amber-strict`, `tlp:amber+strict`, `TLP:RED`, `green`). Throws TlpError
 * (ERR_TLP_UNKNOWN) naming the value for anything else.
 */
export function parseTlp(text: string): Tlp {
  const bare = text.trim().toLowerCase().replace(/^tlp[.:]/, '');
  const level = LEVEL_BY_NAME[bare];
  if (level === undefined) {
    throw new TlpError('ERR_TLP_UNKNOWN', `'${text.slice(0, 64)}' is not a TLP 2.0 level (expected one of ${TLP_LEVELS.map((l) => l.toLowerCase()).join(', ')}, e.g. tlp.amber-strict)`);
  }
  return level;
}

/**
 * The TLP marking a list of tags asks for: the most restricted `tlp.*` tag, or undefined when there is none.
 * Unknown `tlp.*` tags are returned as problems (never silently dropped).
 */
export function tlpFromTags(tags: readonly string[]): { tlp?: Tlp; problems: string[] } {
  const found: Tlp[] = [];
  const problems: string[] = [];
  for (const tag of tags) {
    if (!isTlpTag(tag)) continue;
    try {
      found.push(parseTlp(tag));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  return found.length ? { tlp: highestTlp(found, 'CLEAR'), problems } : { problems };
}

/** The Sigma tag for a level, as our rules write it: `tlp.amber-strict`. */
export function tlpTag(level: Tlp): string {
  return `tlp.${level.toLowerCase().replace('+', '-')}`;
}


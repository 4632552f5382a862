// Rule prefilter: per event, the few rules that can possibly match, so the cost per event grows far slower than
// the number of rules. Pure.
//
// The compiler records for every rule a *requirement* (`SigmaCompiledRule.requirement`): a necessary condition of
// `match(event)` built only from literal tests on field values (an exact value, or a literal substring of a
// wildcard pattern), combined with and/or. Negations, regexes, CIDRs, comparisons, `cased`, `neq`, null tests,
// keyword searches and `exists` contribute nothing (they are "unknown", i.e. always possible), so a requirement
// never excludes an event the rule matches.
//
// The index turns each requirement into clauses (conjunction of disjunctions of atoms) and indexes each rule
// under ONE clause, its most selective ("anchor"): the rule is a candidate for an event iff one of the anchor's
// atoms holds. Exact atoms are looked up in a hash map per field, substring atoms are found with one
// Aho-Corasick automaton per field over the lower-cased value. Rules without any clause are always candidates.
// The pipeline's logsource conditions (`add_condition` Channel/EventID) are requirements too, so logsource
// routing falls out of the same index whenever nothing more selective exists.
import { FieldMemo, fieldSlot } from './fields.ts';
import type { CompiledRule } from './compile.ts';

/** One literal test on a (lower-cased) field value: equality, or containment of `s`. */
export interface ReqAtom { op: 'eq' | 'sub'; s: string }

/** A necessary condition of a rule; null = none known (always possible). */
export type Req =
  | null
  | { k: 'atom'; /** alternative event fields (any) */ fields: readonly string[]; /** any of */ lits: readonly ReqAtom[] }
  | { k: 'and' | 'or'; args: readonly Req[] };

/** `key` identifies the atom (field, op, literal) for the frequency table. */
interface ClauseAtom { field: string; op: 'eq' | 'sub'; s: string; key: string }
/** A disjunction of atoms. */
type Clause = ClauseAtom[];

export interface RuleIndexStats {
  rules: number;
  /** rules indexed by a literal clause */
  indexed: number;
  /** rules evaluated for every event */
  always: number;
  fields: number;
  eqKeys: number;
  substrings: number;
}

export interface RuleIndex<R extends CompiledRule = CompiledRule> {
  /** Rules that may match `event`, in their original order (a superset of the rules that match). */
  candidates(event: Record<string, unknown>): R[];
  /** The rules that match `event` (candidates, then `match`). */
  matches(event: Record<string, unknown>): R[];
  /**
   * Candidate indices (into the rules given to buildRuleIndex, ascending) for the event of `memo`; the memo is then
   * shared with the rules' matchMemo. The returned array is reused by the next call.
   */
  candidatesIn(memo: FieldMemo): readonly number[];
  readonly rules: readonly R[];
  readonly stats: RuleIndexStats;
}

function requirementOf(rule: CompiledRule): Req {
  const r = (rule as { requirement?: Req }).requirement;
  return r === undefined ? null : r;
}

function clauseAtom(field: string, op: 'eq' | 'sub', s: string): ClauseAtom {
  return { field, op, s, key: `${field}\u0000${op}\u0000${s}` };
}

/** CNF-lite: `and` concatenates clauses, `or` takes the best clause of each branch and unions them. */
function clausesOf(req: Req, cost: (c: Clause) => number): Clause[] {
  if (req === null) return [];
  switch (req.k) {
    case 'atom': {
      const c: Clause = [];
      for (const f of req.fields) for (const l of req.lits) c.push(clauseAtom(f, l.op, l.s));
      // A substring atom on '' always holds: the clause says nothing.
      return c.some((a) => a.op === 'sub' && a.s === '') ? [] : [c];
    }
    case 'and': return req.args.flatMap((a) => clausesOf(a, cost));
    case 'or': {
      const out: Clause = [];
      for (const a of req.args) {
        const cs = clausesOf(a, cost);
        if (cs.length === 0) return [];
        out.push(...pickBest(cs, cost));
      }
      return [out];
    }
  }
}

function pickBest(cs: Clause[], cost: (c: Clause) => number): Clause {
  let best = cs[0]!; let bc = cost(best);
  for (let i = 1; i < cs.length; i++) { const c = cost(cs[i]!); if (c < bc) { bc = c; best = cs[i]!; } }
  return best;
}

/** Collect every atom of a requirement (for the frequency-based cost). */
function atomsOf(req: Req, out: ClauseAtom[]): void {
  if (req === null) return;
  if (req.k === 'atom') { for (const f of req.fields) for (const l of req.lits) out.push(clauseAtom(f, l.op, l.s)); return; }
  for (const a of req.args) atomsOf(a, out);
}

/**
 * Aho-Corasick over UTF-16 code units; outputs are the pattern ids found anywhere in the input. Built with Maps,
 * then frozen into flat typed arrays for the search: the root's transitions in a dense table for code units < 256 (the
 * root is where the search spends most of its time), every other node's children as a short run of (char, target) pairs.
 */
class AhoCorasick {
  // The trie while building: node 0 is the root; each node's children form a sibling list (first child, next
  // sibling, the code unit leading to it). No Map per node: with ~15k patterns that was ~100k Maps at load time.
  private firstChild: number[] = [-1];
  private nextSibling: number[] = [-1];
  private charOf: number[] = [0];
  private rootChild = new Map<number, number>();
  private readonly fail: number[] = [0];
  private readonly out: number[][] = [[]];
  /** root transitions for code units < 256 (dense); the others in rootHigh */
  private root = new Int32Array(0);
  private rootHigh = new Map<number, number>();
  private childStart = new Int32Array(0);
  private childChars = new Uint16Array(0);
  private childTargets = new Int32Array(0);
  private failArr = new Int32Array(0);
  private hasOut = new Uint8Array(0);

  /** The child of `n` along code unit `c`, or -1. */
  private child(n: number, c: number): number {
    if (n === 0) return this.rootChild.get(c) ?? -1;
    for (let k = this.firstChild[n]!; k !== -1; k = this.nextSibling[k]!) if (this.charOf[k] === c) return k;
    return -1;
  }

  add(pattern: string, id: number): void {
    let n = 0;
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern.charCodeAt(i);
      let m = this.child(n, c);
      if (m === -1) {
        m = this.firstChild.length;
        this.firstChild.push(-1); this.charOf.push(c); this.fail.push(0); this.out.push([]);
        this.nextSibling.push(this.firstChild[n]!);
        this.firstChild[n] = m;
        if (n === 0) this.rootChild.set(c, m);
      }
      n = m;
    }
    this.out[n]!.push(id);
  }

  build(): void {
    const nodes = this.firstChild.length;
    const queue: number[] = [];
    for (let m = this.firstChild[0]!; m !== -1; m = this.nextSibling[m]!) { this.fail[m] = 0; queue.push(m); }
    for (let qi = 0; qi < queue.length; qi++) {
      const n = queue[qi]!;
      for (let m = this.firstChild[n]!; m !== -1; m = this.nextSibling[m]!) {
        const c = this.charOf[m]!;
        let f = this.fail[n]!;
        while (f !== 0 && this.child(f, c) === -1) f = this.fail[f]!;
        const g = this.child(f, c);
        this.fail[m] = g !== -1 && g !== m ? g : 0;
        const fo = this.out[this.fail[m]!]!;
        if (fo.length) this.out[m] = [...this.out[m]!, ...fo];
        queue.push(m);
      }
    }
    // Freeze into flat arrays.
    this.root = new Int32Array(256);
    for (const [c, m] of this.rootChild) { if (c < 256) this.root[c] = m; else this.rootHigh.set(c, m); }
    this.childStart = new Int32Array(nodes + 1);
    let total = 0;
    for (let n = 0; n < nodes; n++) {
      this.childStart[n] = total;
      if (n !== 0) for (let m = this.firstChild[n]!; m !== -1; m = this.nextSibling[m]!) total++;
    }
    this.childStart[nodes] = total;
    this.childChars = new Uint16Array(total);
    this.childTargets = new Int32Array(total);
    for (let n = 1; n < nodes; n++) {
      let k = this.childStart[n]!;
      for (let m = this.firstChild[n]!; m !== -1; m = this.nextSibling[m]!) { this.childChars[k] = this.charOf[m]!; this.childTargets[k] = m; k++; }
    }
    this.failArr = Int32Array.from(this.fail);
    this.hasOut = Uint8Array.from(this.out, (o) => (o.length ? 1 : 0));
    this.firstChild = []; this.nextSibling = []; this.charOf = []; this.rootChild = new Map(); // build-time only
  }

  search(text: string, hit: (id: number) => void): void {
    const root = this.root; const start = this.childStart; const chars = this.childChars; const targets = this.childTargets;
    const fail = this.failArr; const hasOut = this.hasOut;
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      for (;;) {
        if (n === 0) { n = c < 256 ? root[c]! : this.rootHigh.get(c) ?? 0; break; }
        let m = 0;
        for (let k = start[n]!, e = start[n + 1]!; k < e; k++) if (chars[k] === c) { m = targets[k]!; break; }
        if (m !== 0) { n = m; break; }
        n = fail[n]!;
      }
      if (hasOut[n] === 1) { const o = this.out[n]!; for (let k = 0; k < o.length; k++) hit(o[k]!); }
    }
  }
}

interface FieldIndex {
  slot: number;
  eq: Map<string, number[]>;
  ac: AhoCorasick | undefined;
  /** pattern id -> rule indices */
  subRules: number[][];
}

/** Build the prefilter index over compiled rules (rules without a recorded requirement are always candidates). */
export function buildRuleIndex<R extends CompiledRule>(rules: readonly R[]): RuleIndex<R> {
  const freq = new Map<string, number>();
  const reqs = rules.map(requirementOf);
  for (const r of reqs) {
    const atoms: ClauseAtom[] = [];
    atomsOf(r, atoms);
    for (const k of new Set(atoms.map((a) => a.key))) freq.set(k, (freq.get(k) ?? 0) + 1);
  }
  // Estimated cost of a clause: how many rules share its atoms (a proxy for how often they hold), plus a
  // penalty for short substrings, which hold in most values.
  const cost = (c: Clause): number => {
    let t = 0;
    for (const a of c) {
      t += 1 + (freq.get(a.key) ?? 0);
      if (a.op === 'sub') t += a.s.length < 3 ? 2000 : a.s.length < 5 ? 50 : 10 / a.s.length;
    }
    return t;
  };

  const fields = new Map<string, FieldIndex & { subIds: Map<string, number> }>();
  const always: number[] = [];
  let indexed = 0;
  rules.forEach((_, i) => {
    const cs = clausesOf(reqs[i]!, cost);
    if (cs.length === 0) { always.push(i); return; }
    indexed++;
    for (const a of pickBest(cs, cost)) {
      let fi = fields.get(a.field);
      if (!fi) { fi = { slot: fieldSlot(a.field), eq: new Map(), ac: undefined, subRules: [], subIds: new Map() }; fields.set(a.field, fi); }
      if (a.op === 'eq') { const l = fi.eq.get(a.s); if (l) { if (l[l.length - 1] !== i) l.push(i); } else fi.eq.set(a.s, [i]); } else {
        let id = fi.subIds.get(a.s);
        if (id === undefined) { id = fi.subRules.length; fi.subIds.set(a.s, id); fi.subRules.push([]); (fi.ac ??= new AhoCorasick()).add(a.s, id); }
        const l = fi.subRules[id]!; if (l[l.length - 1] !== i) l.push(i);
      }
    }
  });
  const list: FieldIndex[] = [];
  let eqKeys = 0; let substrings = 0;
  for (const fi of fields.values()) {
    fi.ac?.build();
    eqKeys += fi.eq.size; substrings += fi.subRules.length;
    list.push({ slot: fi.slot, eq: fi.eq, ac: fi.ac, subRules: fi.subRules });
  }

  const seen = new Uint32Array(rules.length);
  let stamp = 0;
  const hits: number[] = [];
  const mark = (i: number): void => { if (seen[i] !== stamp) { seen[i] = stamp; hits.push(i); } };
  const markAll = (l: readonly number[]): void => { for (let k = 0; k < l.length; k++) mark(l[k]!); };
  let subRules: number[][] = [];
  const onSub = (id: number): void => markAll(subRules[id]!);

  const candidatesIn = (memo: FieldMemo): readonly number[] => {
    if (++stamp === 0xffffffff) { seen.fill(0); stamp = 1; }
    hits.length = 0;
    for (let k = 0; k < always.length; k++) { const i = always[k]!; seen[i] = stamp; hits.push(i); }
    const nAlways = hits.length;
    for (let f = 0; f < list.length; f++) {
      const fi = list[f]!;
      const vals = memo.values(fi.slot);
      if (vals.length === 0) continue;
      const lows = memo.lower(fi.slot);
      for (let k = 0; k < lows.length; k++) {
        const t = lows[k];
        if (t === undefined) continue;
        const l = fi.eq.get(t);
        if (l) markAll(l);
        if (fi.ac) { subRules = fi.subRules; fi.ac.search(t, onSub); }
      }
    }
    // `always` is ascending; sort only when something was added.
    if (hits.length > nAlways) hits.sort((a, b) => a - b);
    return hits;
  };
  const local = new FieldMemo();
  const matchOne = (r: R, m: FieldMemo): boolean => (r.matchMemo ? r.matchMemo(m) : r.match(m.event));

  return {
    rules,
    candidatesIn,
    candidates: (event) => candidatesIn(local.reset(event)).map((i) => rules[i]!),
    matches: (event) => {
      const m = local.reset(event);
      const out: R[] = [];
      for (const i of candidatesIn(m)) { const r = rules[i]!; if (matchOne(r, m)) out.push(r); }
      return out;
    },
    stats: { rules: rules.length, indexed, always: always.length, fields: list.length, eqKeys, substrings },
  };
}

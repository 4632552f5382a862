// Field access on nested events: `a.b.c` walks nested objects, and a literal key "a.b.c" (or "b.c" inside
// `a`) is found too. A `*` segment matches any key at that level (used for evtx `UserData.<Element>.X`).
// Values inside arrays are all returned (a field matches if any element matches).
//
// Every distinct path gets a numeric *slot* (process-wide registry). A FieldMemo resolves each slot at most once
// per event and keeps the lower-cased text of its values, so the many rules evaluated on one event (and the
// prefilter before them) share one walk of each path and one toLowerCase of each value.

export type Getter = (event: unknown) => unknown[];

const cache = new Map<string, Getter>();
const slots = new Map<string, number>();
const slotGetters: Getter[] = [];
const EMPTY: readonly unknown[] = Object.freeze([]);

/** Compile (and cache) a getter that returns every value found at `path` (empty when the field is missing). */
export function fieldGetter(path: string): Getter {
  let g = cache.get(path);
  if (!g) {
    const segs = path.split('.');
    // keys[i][j] = segs[i..j] joined with '.', precomputed so the walk allocates no strings.
    const keys: string[][] = segs.map((_, i) => segs.map((__, j) => (j < i ? '' : segs.slice(i, j + 1).join('.'))));
    g = (event) => {
      // Fast path: plain nested objects (no arrays, no dotted keys on the way) up to the end or a `*`; a missing
      // key there means no value at all. Anything else takes the general walk from the root.
      let node: unknown = event;
      let i = 0;
      for (; i < segs.length; i++) {
        if (node === null || typeof node !== 'object' || Array.isArray(node) || segs[i] === '*') break;
        const obj = node as Record<string, unknown>;
        let dotted = false;
        const ki = keys[i]!;
        for (let j = i + 1; j < segs.length; j++) if (Object.prototype.hasOwnProperty.call(obj, ki[j]!)) { dotted = true; break; }
        if (dotted) break;
        if (!Object.prototype.hasOwnProperty.call(obj, segs[i]!)) return EMPTY as unknown[];
        node = obj[segs[i]!];
      }
      if (i === segs.length) return Array.isArray(node) ? node.slice() : [node];
      if (node === null || typeof node !== 'object') return EMPTY as unknown[];
      const out: unknown[] = [];
      collect(event, segs, keys, 0, out);
      return out;
    };
    cache.set(path, g);
  }
  return g;
}

/**
 * Per slot: the slot of its parent path (-1 for a top-level key) and its last key, so a memo resolves
 * `a.b.c` from the cached node of `a.b` (one property lookup). For paths with `*`: `starPrefix` is the slot of the
 * part before the first `*` (when it is missing there is no value at all), and `parent` is -2.
 */
const parents: number[] = [];
const lastKeys: string[] = [];
const starPrefix: number[] = [];

/** The slot of a field path (stable for the life of the process). */
export function fieldSlot(path: string): number {
  let s = slots.get(path);
  if (s === undefined) {
    let parent = -1; let last = path; let star = -1;
    if (path !== LEAVES) {
      const segs = path.split('.');
      const si = segs.indexOf('*');
      if (si >= 0) { parent = -2; star = si === 0 ? -1 : fieldSlot(segs.slice(0, si).join('.')); } else if (segs.length > 1) { parent = fieldSlot(segs.slice(0, -1).join('.')); last = segs[segs.length - 1]!; }
    }
    s = slotGetters.length;
    slots.set(path, s);
    slotGetters.push(path === LEAVES ? (ev) => leafValues(ev) : fieldGetter(path));
    parents.push(path === LEAVES ? -2 : parent); lastKeys.push(last); starPrefix.push(star);
  }
  return s;
}

/** Pseudo field path of "every scalar leaf of the event" (keyword search); no real field path has a NUL. */
export const LEAVES = '\u0000leaves';
/** The slot of LEAVES. */
export const LEAVES_SLOT = fieldSlot(LEAVES);

/** Lower-cased text of a scalar value (strings, numbers, booleans, bigints), undefined for anything else. */
export function valueText(v: unknown): string | undefined {
  if (typeof v === 'string') return v.toLowerCase();
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v).toLowerCase();
  return undefined;
}

const MISSING = Symbol('missing');
const COMPLEX = Symbol('complex');

/** Whether an object has a key containing '.' (then `a.b` may also name the literal key "a.b" there). */
function hasDottedKey(obj: object): boolean {
  for (const k in obj) if (k.includes('.')) return true;
  return false;
}

/**
 * Per-event cache of field values. `reset(event)` starts a new event (O(1)); values are resolved on first use.
 * Not for sharing across events that are mutated in between: reset after any change to the event.
 */
export class FieldMemo {
  event: Record<string, unknown> = {};
  private gen = 1;
  private readonly gens: number[] = [];
  private readonly vals: unknown[][] = [];
  private readonly lows: Array<Array<string | undefined>> = [];
  private readonly lowGens: number[] = [];
  private readonly nodeGens: number[] = [];
  private readonly nodes: unknown[] = [];
  private readonly dottedGens: number[] = [];
  private readonly dotted: boolean[] = [];
  private rootDottedGen = 0;
  private rootDotted = false;

  reset(event: Record<string, unknown>): this {
    this.event = event;
    this.gen++;
    return this;
  }

  /** Whether the object at `slot` (-1 = the event) has a dotted key; memoised per event. */
  private dottedAt(slot: number, obj: object): boolean {
    if (slot === -1) {
      if (this.rootDottedGen !== this.gen) { this.rootDotted = hasDottedKey(obj); this.rootDottedGen = this.gen; }
      return this.rootDotted;
    }
    if (this.dottedGens[slot] !== this.gen) { this.dotted[slot] = hasDottedKey(obj); this.dottedGens[slot] = this.gen; }
    return this.dotted[slot]!;
  }

  /**
   * The node at a star-free slot's path by the nested walk, MISSING, or COMPLEX (an array, or an object with
   * dotted keys, on the way: the general getter decides). Only objects on the path are inspected, so the answer
   * equals the general walk's whenever it is not COMPLEX.
   */
  private node(slot: number): unknown {
    if (this.nodeGens[slot] === this.gen) return this.nodes[slot];
    const parent = parents[slot]!;
    const p = parent === -1 ? this.event : this.node(parent);
    let n: unknown;
    if (p === MISSING || p === COMPLEX) n = p;
    else if (p === null || typeof p !== 'object') n = MISSING;
    else if (Array.isArray(p) || this.dottedAt(parent, p)) n = COMPLEX;
    else n = Object.prototype.hasOwnProperty.call(p, lastKeys[slot]!) ? (p as Record<string, unknown>)[lastKeys[slot]!] : MISSING;
    this.nodeGens[slot] = this.gen;
    this.nodes[slot] = n;
    return n;
  }

  /** Every value at the slot's path (do not modify the returned array). */
  values(slot: number): unknown[] {
    if (this.gens[slot] === this.gen) return this.vals[slot]!;
    let v: unknown[] | undefined;
    const parent = parents[slot]!;
    if (parent === -2) {
      if (starPrefix[slot]! >= 0 && this.node(starPrefix[slot]!) === MISSING) v = EMPTY as unknown[];
    } else {
      const n = this.node(slot);
      if (n === MISSING) v = EMPTY as unknown[];
      else if (n !== COMPLEX) v = Array.isArray(n) ? n.slice() : [n];
    }
    if (v === undefined) v = slotGetters[slot]!(this.event);
    this.gens[slot] = this.gen;
    this.vals[slot] = v;
    return v;
  }

  /** valueText() of every value at the slot's path, index-aligned with values(). */
  lower(slot: number): Array<string | undefined> {
    const vals = this.values(slot);
    if (this.lowGens[slot] === this.gen) return this.lows[slot]!;
    const out = new Array<string | undefined>(vals.length);
    for (let k = 0; k < vals.length; k++) out[k] = valueText(vals[k]);
    this.lowGens[slot] = this.gen;
    this.lows[slot] = out;
    return out;
  }
}

function collect(node: unknown, segs: readonly string[], keys: readonly string[][], i: number, out: unknown[]): void {
  if (i === segs.length) {
    if (Array.isArray(node)) for (const v of node) out.push(v);
    else out.push(node);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const el of node) collect(el, segs, keys, i, out);
    return;
  }
  const obj = node as Record<string, unknown>;
  if (segs[i] === '*') {
    for (const v of Object.values(obj)) collect(v, segs, keys, i + 1, out);
    return;
  }
  // Literal dotted keys first (longest first), then the plain nested walk.
  const ki = keys[i]!;
  for (let j = segs.length - 1; j > i; j--) if (Object.prototype.hasOwnProperty.call(obj, ki[j]!)) collect(obj[ki[j]!], segs, keys, j + 1, out);
  if (Object.prototype.hasOwnProperty.call(obj, segs[i]!)) collect(obj[segs[i]!], segs, keys, i + 1, out);
}

/** Whether the field exists (is present, even if null). */
export function fieldPresent(event: unknown, path: string): boolean {
  return fieldGetter(path)(event).some((v) => v !== undefined);
}

/** Every scalar leaf value of an event (strings, numbers, booleans), for keyword search. */
export function leafValues(event: unknown, out: Array<string | number | boolean> = [], depth = 0): Array<string | number | boolean> {
  if (depth > 32) return out;
  if (typeof event === 'string' || typeof event === 'number' || typeof event === 'boolean') out.push(event);
  else if (Array.isArray(event)) for (const v of event) leafValues(v, out, depth + 1);
  else if (event !== null && typeof event === 'object') for (const v of Object.values(event)) leafValues(v, out, depth + 1);
  return out;
}

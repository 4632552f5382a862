// Field access on nested events: `a.b.c` walks nested objects, and a literal key "a.b.c" (or "b.c" inside
// `a`) is found too. A `*` segment matches any key at that level (used for evtx `UserData.<Element>.X`).
// Values inside arrays are all returned (a field matches if any element matches).

export type Getter = (event: unknown) => unknown[];

const cache = new Map<string, Getter>();

/** Compile (and cache) a getter that returns every value found at `path` (empty when the field is missing). */
export function fieldGetter(path: string): Getter {
  let g = cache.get(path);
  if (!g) {
    const segs = path.split('.');
    g = (event) => {
      const out: unknown[] = [];
      collect(event, segs, 0, out);
      return out;
    };
    cache.set(path, g);
  }
  return g;
}

function collect(node: unknown, segs: readonly string[], i: number, out: unknown[]): void {
  if (i === segs.length) {
    if (Array.isArray(node)) for (const v of node) out.push(v);
    else out.push(node);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const el of node) collect(el, segs, i, out);
    return;
  }
  const obj = node as Record<string, unknown>;
  if (segs[i] === '*') {
    for (const v of Object.values(obj)) collect(v, segs, i + 1, out);
    return;
  }
  // Literal dotted keys first (longest first), then the plain nested walk.
  let key = segs[i]!;
  const found: number[] = [];
  for (let j = i + 1; j < segs.length; j++) {
    key += '.' + segs[j]!;
    if (Object.prototype.hasOwnProperty.call(obj, key)) found.push(j);
  }
  for (let k = found.length - 1; k >= 0; k--) collect(obj[buildKey(segs, i, found[k]!)], segs, found[k]! + 1, out);
  if (Object.prototype.hasOwnProperty.call(obj, segs[i]!)) collect(obj[segs[i]!], segs, i + 1, out);
}

function buildKey(segs: readonly string[], from: number, to: number): string {
  return segs.slice(from, to + 1).join('.');
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

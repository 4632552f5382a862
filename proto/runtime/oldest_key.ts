// The oldest key of a Map or Set used as an LRU (a touched key is deleted and re-inserted, so insertion order is
// least recently used first), for eviction. `map.keys().next()` looks like O(1) but is not: a fresh iterator walks
// every deleted slot at the front of V8's hash table, and an LRU deletes at the front all the time, so each eviction
// could cost thousands of steps until the next rehash (~30 µs per new key in the detector's correlation state).
// This keeps ONE iterator and advances it only to evict: every key before it was evicted or moved to the end (a
// touch), so its next key is the oldest live one. Valid only if every key it returns is then deleted by the caller.
export class OldestKey<K> {
  private cursor: Iterator<K> | undefined;

  constructor(private readonly keys: () => Iterator<K>) {}

  /** The least recently inserted live key (the caller deletes it), or undefined when the collection is empty. */
  take(): K | undefined {
    let next = (this.cursor ??= this.keys()).next();
    if (next.done === true) next = (this.cursor = this.keys()).next(); // reached the end: start over from the front
    return next.done === true ? undefined : next.value;
  }

  /** Forget the position (after the collection was cleared or replaced). */
  reset(): void {
    this.cursor = undefined;
  }
}

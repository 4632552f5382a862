// Seeded PRNG (mulberry32) and byte mutators shared by the fuzz tests of every component: every run sees the same cases.
export type Rng = () => number;

export function rng(seed: number): Rng {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = (r: Rng, n: number): number => Math.floor(r() * n);

/** One of: byte flips, truncation, random insertion, block duplication, varint bomb, bit flips. */
export function mutateBytes(src: Uint8Array, r: Rng): Uint8Array {
  const b = Buffer.from(src);
  if (b.length === 0) return Buffer.from([pick(r, 256)]);
  switch (pick(r, 6)) {
    case 0:
      for (let i = 0, n = 1 + pick(r, 8); i < n; i++) b[pick(r, b.length)] = pick(r, 256);
      return b;
    case 1:
      return b.subarray(0, pick(r, b.length));
    case 2: {
      const at = pick(r, b.length);
      const ins = Buffer.from(Array.from({ length: 1 + pick(r, 16) }, () => pick(r, 256)));
      return Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
    }
    case 3: {
      const from = pick(r, b.length);
      const len = 1 + pick(r, Math.min(64, b.length - from));
      const at = pick(r, b.length);
      return Buffer.concat([b.subarray(0, at), b.subarray(from, from + len), b.subarray(at)]);
    }
    case 4: {
      // a varint of 10 bytes of 0xff: the largest length / tag a reader can be asked to take
      const at = pick(r, b.length);
      return Buffer.concat([b.subarray(0, at), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), b.subarray(at)]);
    }
    default:
      for (let i = 0, n = 1 + pick(r, 4); i < n; i++) {
        const at = pick(r, b.length);
        b[at] = b[at]! ^ (1 << pick(r, 8));
      }
      return b;
  }
}

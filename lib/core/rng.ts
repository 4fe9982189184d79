/**
 * Seeded randomness: xoshiro128** (Blackman & Vigna, 2018) with its 128-bit state filled by SplitMix32 from
 * a 32-bit seed.
 *
 * Why this algorithm: it needs only 32-bit integer arithmetic (`Math.imul`, shifts), which every JavaScript
 * engine evaluates bit-for-bit identically, so the same seed gives the same numbers in Node and in any browser.
 * Uniform doubles take 53 random bits from two outputs. Nothing here calls `Math.log`/`Math.sin`, whose last
 * bit the language does not pin down; that is also why the initialisers draw uniforms, not Gaussians.
 */
export interface Rng {
  /** Uniform on [0, 1), 53 random bits. */
  next(): number;
  /** Uniform on [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Uniform integer on [0, n). */
  int(n: number): number;
  /** The raw 32-bit output. */
  nextUint32(): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

export function makeRng(seed: number): Rng {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`makeRng: seed must be an integer in [0, 4294967295], got ${seed}`);
  }
  const sm = splitmix32(seed);
  let a = sm(), b = sm(), c = sm(), d = sm();
  if ((a | b | c | d) === 0) a = 1; // the all-zero state is a fixed point

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d >>> 0, 11);
    a >>>= 0; b >>>= 0; c >>>= 0;
    return result;
  };
  const next = (): number => {
    const hi = nextUint32() >>> 5; // 27 bits
    const lo = nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  };
  return {
    next,
    nextUint32,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (n) => {
      if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Rng.int: n must be a positive integer, got ${n}`);
      return Math.floor(next() * n);
    },
  };
}

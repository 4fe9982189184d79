/**
 * lib/core/rng.ts: xoshiro128** seeded by SplitMix32. The pinned outputs are checked twice: against numbers written
 * down once from the implementation (a regression guard) and against an independent re-implementation below,
 * written with BigInt arithmetic from the published algorithms — itself checked against the reference vector
 * of xoshiro128starstar.c (state {1,2,3,4}) and the MurmurHash3 finaliser's known answers — so the pins are
 * not merely self-referential.
 */
import { describe, expect, it } from "vitest";
import { makeRng } from "../../lib/core/rng.js";

// ---------------------------------------------------------------------------------------------------------
// Independent reference, BigInt arithmetic modulo 2^32 (no Math.imul, no >>> tricks).
const M32 = 0xffffffffn;

/** MurmurHash3's 32-bit finaliser fmix32. */
function refFmix32(h: bigint): bigint {
  h ^= h >> 16n;
  h = (h * 0x85ebca6bn) & M32;
  h ^= h >> 13n;
  h = (h * 0xc2b2ae35n) & M32;
  h ^= h >> 16n;
  return h;
}

/** SplitMix32 as lib/core/rng.ts documents it: a Weyl sequence with step 0x9e3779b9 (⌊2^32/φ⌋), each state mixed by fmix32. */
function refSplitMix32(seed: number): () => bigint {
  let s = BigInt(seed);
  return () => {
    s = (s + 0x9e3779b9n) & M32;
    return refFmix32(s);
  };
}

const refRotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M32;

/** xoshiro128** 1.1 (Blackman & Vigna), transcribed from xoshiro128starstar.c. */
function refXoshiro128ss(state: readonly bigint[]): () => bigint {
  const s = state.slice();
  return () => {
    const [s0, s1, s2, s3] = s as [bigint, bigint, bigint, bigint];
    const result = (refRotl((s1 * 5n) & M32, 7n) * 9n) & M32;
    const t = (s1 << 9n) & M32;
    let n2 = s2 ^ s0;
    let n3 = s3 ^ s1;
    const n1 = s1 ^ n2;
    const n0 = s0 ^ n3;
    n2 ^= t;
    n3 = refRotl(n3, 11n);
    s[0] = n0; s[1] = n1; s[2] = n2; s[3] = n3;
    return result;
  };
}

/** The whole seeded generator: four SplitMix32 outputs fill the state (all-zero state replaced, as in lib). */
function refSeeded(seed: number): () => bigint {
  const sm = refSplitMix32(seed);
  const st = [sm(), sm(), sm(), sm()];
  if (!st.some((w) => w !== 0n)) st[0] = 1n;
  return refXoshiro128ss(st);
}

const take = <T>(n: number, f: () => T): T[] => Array.from({ length: n }, f);
// ---------------------------------------------------------------------------------------------------------

/** First outputs of makeRng(seed).nextUint32(), written down once from lib/core/rng.ts. */
const PINNED: Record<number, number[]> = {
  0: [3809008728, 1133695204, 53579671, 2891528803, 139681546, 2203266335, 104831812, 1587294886],
  42: [2837322924, 544945897, 479756282, 3500138142, 339756180, 113173290, 65323186, 1112262688],
  4294967295: [835879718, 1921286648, 2356205009, 1885780724, 980451116, 1053911718, 3677392737, 2464361898],
};

describe("the independent reference itself", () => {
  it("xoshiro128** from state {1,2,3,4} gives the reference vector of xoshiro128starstar.c", () => {
    // The test vector of the Rust crate rand_xoshiro, produced with the C reference implementation (v1.1).
    const expected = [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804];
    expect(take(10, refXoshiro128ss([1n, 2n, 3n, 4n])).map(Number)).toEqual(expected);
  });

  it("fmix32 gives MurmurHash3's known answers for the empty key (murmur3_32('', seed) = fmix32(seed))", () => {
    expect(refFmix32(0n)).toBe(0n);
    expect(refFmix32(1n)).toBe(0x514e28b7n);
    expect(refFmix32(0xffffffffn)).toBe(0x81f16f39n);
  });
});

describe("makeRng", () => {
  it.each([0, 42, 4294967295])("seed %i: the first outputs are the pinned ones, and the reference agrees", (seed) => {
    const rng = makeRng(seed);
    const got = take(8, () => rng.nextUint32());
    expect(got).toEqual(PINNED[seed]);
    expect(take(8, refSeeded(seed)).map(Number)).toEqual(PINNED[seed]);
  });

  it("agrees with the reference for 1000 outputs of many seeds, including the extremes", () => {
    for (const seed of [0, 1, 2, 7, 42, 1234567, 0x7fffffff, 0x80000000, 0x9e3779b9, 4294967294, 4294967295]) {
      const rng = makeRng(seed);
      const ref = refSeeded(seed);
      for (let k = 0; k < 1000; k++) {
        const a = rng.nextUint32(), b = Number(ref());
        if (a !== b) expect({ seed, k, got: a }).toEqual({ seed, k, got: b });
      }
    }
  });

  it("next() takes 27 + 26 bits from two outputs: (u₁ >>> 5)·2²⁶ + (u₂ >>> 6), over 2⁵³", () => {
    const rng = makeRng(42);
    const ref = refSeeded(42);
    const want = take(1000, () => {
      const u1 = ref(), u2 = ref();
      return Number(((u1 >> 5n) << 26n) | (u2 >> 6n)) / 2 ** 53;
    });
    expect(take(1000, () => rng.next())).toEqual(want);
  });

  it("same seed gives bitwise identical sequences (next, uniform, int, nextUint32 interleaved)", () => {
    const draw = (seed: number) => {
      const r = makeRng(seed);
      const out = new Float64Array(4000);
      for (let k = 0; k < 1000; k++) {
        out[4 * k] = r.next();
        out[4 * k + 1] = r.uniform(-3, 5);
        out[4 * k + 2] = r.int(17);
        out[4 * k + 3] = r.nextUint32();
      }
      return new Uint8Array(out.buffer);
    };
    for (const seed of [0, 9, 42]) expect(Buffer.from(draw(seed)).equals(Buffer.from(draw(seed)))).toBe(true);
    expect(Buffer.from(draw(9)).equals(Buffer.from(draw(10)))).toBe(false);
  });

  it("different seeds give different sequences: the first four outputs of seeds 0 … 1999 are all distinct", () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 2000; seed++) {
      const r = makeRng(seed);
      seen.add(take(4, () => r.nextUint32()).join(","));
    }
    expect(seen.size).toBe(2000);
  });

  it("next() is in [0, 1) with mean ≈ 1/2 and uses more than 32 bits", () => {
    const rng = makeRng(7);
    const n = 100_000;
    let min = 1, max = 0, sum = 0, fine = 0, off53 = 0;
    for (let k = 0; k < n; k++) {
      const u = rng.next();
      min = Math.min(min, u);
      max = Math.max(max, u);
      sum += u;
      if (!Number.isInteger(u * 2 ** 53)) off53++;
      if (!Number.isInteger(u * 2 ** 32)) fine++;
    }
    expect(off53).toBe(0); // a multiple of 2⁻⁵³
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(min).toBeLessThan(1e-3);
    expect(max).toBeGreaterThan(1 - 1e-3);
    // the sample mean has standard deviation √(1/12n) ≈ 9e-4: 6 standard deviations
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(6 * Math.sqrt(1 / (12 * n)));
    expect(fine).toBeGreaterThan(n * 0.99); // almost every draw has bits below 2⁻³²
  });

  it("uniform(lo, hi) stays in [lo, hi)", () => {
    const rng = makeRng(3);
    const k3 = Math.sqrt(3);
    const us = take(10_000, () => rng.uniform(-k3, k3));
    expect(us.filter((u) => !(u >= -k3 && u < k3))).toEqual([]);
    expect(Math.min(...us)).toBeLessThan(-k3 + 0.01);
    expect(Math.max(...us)).toBeGreaterThan(k3 - 0.01);
  });

  it("int(n) is an integer in [0, n), and int(1) is always 0", () => {
    const rng = makeRng(5);
    for (const n of [1, 2, 3, 7, 1000, 2 ** 32 + 5]) {
      const vs = take(2000, () => rng.int(n));
      expect(vs.filter((v) => !(Number.isInteger(v) && v >= 0 && v < n))).toEqual([]);
    }
    expect(new Set(take(100, () => rng.int(1)))).toEqual(new Set([0]));
  });

  it.each([[10, 0], [10, 42], [6, 1], [257, 9]])("int(%i) is roughly uniform (seed %i): chi-square test", (n, seed) => {
    const rng = makeRng(seed);
    const draws = 200 * n;
    const counts = new Array<number>(n).fill(0);
    for (let k = 0; k < draws; k++) counts[rng.int(n)]!++;
    const expected = draws / n;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // χ² with n − 1 degrees of freedom has mean n − 1 and standard deviation √(2(n − 1)); allow a generous
    // mean + 6 sd (far beyond any p-value worth worrying about, the seeds are fixed anyway) — a broken int()
    // that never reaches n − 1 or favours a value blows through it by orders of magnitude.
    const dof = n - 1;
    expect(chi2).toBeLessThan(dof + 6 * Math.sqrt(2 * dof));
    expect(Math.min(...counts)).toBeGreaterThan(0);
  });

  it("seed validation: integers in [0, 2³² − 1] only", () => {
    for (const bad of [-1, 1.5, 2 ** 32, NaN, Infinity, -0.5]) {
      expect(() => makeRng(bad)).toThrow(RangeError);
      expect(() => makeRng(bad)).toThrow(`makeRng: seed must be an integer in [0, 4294967295], got ${bad}`);
    }
    expect(() => makeRng(0)).not.toThrow();
    expect(() => makeRng(4294967295)).not.toThrow();
  });

  it("int(n) validation: n must be a positive integer", () => {
    const rng = makeRng(0);
    for (const bad of [0, -3, 2.5, NaN]) {
      expect(() => rng.int(bad)).toThrow(RangeError);
      expect(() => rng.int(bad)).toThrow(`Rng.int: n must be a positive integer, got ${bad}`);
    }
  });
});

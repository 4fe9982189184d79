/**
 * lib/fastmath.ts against V8's Math.exp and Math.tanh: within MAX_ULPS everywhere they are used and beyond, the
 * special values exactly as Math's, and the accuracy enough for lib/fast.ts to keep agreeing with lib/backward.ts.
 */
import { describe, expect, it } from "vitest";
import { expFast, tanhFast } from "../lib/fastmath.js";
import { makeRng } from "../lib/rng.js";

/** Math.* is itself within 1 ulp of the true value; ours is allowed 2 ulp from Math's. */
const MAX_ULPS = 2;

const bits = new Float64Array(1);
const asInt = new BigInt64Array(bits.buffer);
/** Distance in units in the last place between two finite doubles of the same sign. */
function ulps(a: number, b: number): number {
  if (a === b) return 0;
  bits[0] = a; const ia = asInt[0]!;
  bits[0] = b; const ib = asInt[0]!;
  return Number(ia > ib ? ia - ib : ib - ia);
}

/** The worst ulp distance of f from g over `n` seeded uniform samples in [lo, hi], and where it occurs. */
function worst(f: (x: number) => number, g: (x: number) => number, lo: number, hi: number, n: number, seed: number) {
  const rng = makeRng(seed);
  let max = 0, at = NaN;
  for (let i = 0; i < n; i++) {
    const x = lo + (hi - lo) * rng.next();
    const u = ulps(f(x), g(x));
    if (u > max) { max = u; at = x; }
  }
  return { max, at };
}

describe("expFast", () => {
  it.each([
    ["the softmax's range, o − max o ≤ 0", -50, 0],
    ["around 0, where the tables' first entries are used", -1, 1],
    ["the whole range handled without Math.exp", -708, 709],
  ])("is within 2 ulp of Math.exp over %s", (_, lo, hi) => {
    const { max, at } = worst(expFast, Math.exp, lo, hi, 200_000, 7);
    expect(max, `at x = ${at}`).toBeLessThanOrEqual(MAX_ULPS);
  });

  it("is exact at 0 and agrees at the table points k·ln2/128", () => {
    expect(expFast(0)).toBe(1);
    expect(expFast(-0)).toBe(1);
    for (let k = -2000; k <= 2000; k++) {
      const x = (k * Math.LN2) / 128;
      expect(ulps(expFast(x), Math.exp(x)), `x = ${x}`).toBeLessThanOrEqual(MAX_ULPS);
    }
  });

  it("gives what Math.exp gives for NaN, ±∞ and beyond ±708 (overflow, underflow, subnormals)", () => {
    for (const x of [NaN, Infinity, -Infinity, 709.5, 710, 1000, -708.5, -720, -745.1, -746, -1e10]) {
      expect(Object.is(expFast(x), Math.exp(x)), `x = ${x}`).toBe(true);
    }
  });
});

describe("tanhFast", () => {
  it.each([
    ["the rational branch, |x| < 0.625", -0.625, 0.625],
    ["small arguments", -1e-3, 1e-3],
    ["the exp branch, 0.625 ≤ |x| ≤ 22", 0.625, 22],
    ["negative arguments of the exp branch", -22, -0.625],
    ["the pre-activations an RNN sees", -6, 6],
  ])("is within 2 ulp of Math.tanh over %s", (_, lo, hi) => {
    const { max, at } = worst(tanhFast, Math.tanh, lo, hi, 200_000, 11);
    expect(max, `at x = ${at}`).toBeLessThanOrEqual(MAX_ULPS);
  });

  it("is odd, keeps the sign of zero, and matches Math.tanh at the branch points and specials", () => {
    const rng = makeRng(5);
    for (let i = 0; i < 10_000; i++) {
      const x = 30 * (rng.next() - 0.5);
      expect(tanhFast(-x)).toBe(-tanhFast(x));
    }
    expect(Object.is(tanhFast(0), 0)).toBe(true);
    expect(Object.is(tanhFast(-0), -0)).toBe(true);
    for (const x of [NaN, Infinity, -Infinity, 22, -22, 22.5, 1e300, -1e300, 5e-324, 1e-300, 0.625, -0.625]) {
      expect(ulps(tanhFast(x), Math.tanh(x)) <= MAX_ULPS || Object.is(tanhFast(x), Math.tanh(x)), `x = ${x}`).toBe(true);
    }
    expect(tanhFast(NaN)).toBeNaN();
  });
});

/**
 * exp and tanh in float64 JavaScript, for the hot loops of lib/fast.ts and lib/gradcheck.ts. V8's Math.exp and
 * Math.tanh are calls out of optimised code into C++ (~40 ns each here): at the tiny size they were 40% of a
 * forward + backward pass. These inline into the caller and cost a few nanoseconds.
 *
 * Accuracy (test/fastmath.test.ts, against Math.exp / Math.tanh over their whole ranges): within 2 ulp, so a
 * gradient computed with them agrees with lib/forward.ts + lib/backward.ts (which use Math.*) to ROUNDING_TOL.
 * They are plain IEEE arithmetic on tables built at load time, so they give the same bits in every engine.
 */

/** N table entries per octave: exp(x) = 2^q · 2^(j/N) · exp(r), x = (qN + j) ln2/N + r, |r| ≤ ln2/2N. */
const N = 128, LOG2_N = 7;
const SHIFTER = 6755399441055744;
const N_OVER_LN2 = N / Math.LN2;
// Cody–Waite: ln2/N split so that k · LN2_HI_N is exact for |k| < 2^21 (fdlibm's ln2_hi has 21 trailing zero bits).
const LN2_HI_N = 6.93147180369123816490e-1 / N;
const LN2_LO_N = 1.90821492927058770002e-10 / N;

/**
 * 2^(j/N), j = 0 … N − 1, each the double nearest the true value. `2 ** (j / N)` alone is not enough: Node 20's
 * and Chromium's V8 disagree in the last bit for 14 of the 128 (test/browser/same-bits.test.ts found it), so each
 * is corrected exactly: v = M/2⁵² is the nearest double to 2^(j/N) iff (2M − 1)ᴺ < 2^(j + 53N) < (2M + 1)ᴺ, in
 * BigInt. A few milliseconds, once, at load.
 */
const TWO_J_N = Float64Array.from({ length: N }, (_, j) => {
  const target = 1n << BigInt(j + 53 * N), n = BigInt(N);
  let M = BigInt(Math.round(2 ** (j / N) * 2 ** 52));
  for (;;) {
    if ((2n * M - 1n) ** n >= target) M -= 1n;
    else if ((2n * M + 1n) ** n <= target) M += 1n;
    else return Number(M) / 2 ** 52;
  }
});
/** 2^q for q = −1022 … 1023 at index q + 1022, built by exact halvings and doublings. */
const TWO_Q = (() => {
  const t = new Float64Array(2046);
  t[1022] = 1;
  for (let q = 1; q <= 1023; q++) t[1022 + q] = t[1021 + q]! * 2;
  for (let q = 1; q <= 1022; q++) t[1022 - q] = t[1023 - q]! / 2;
  return t;
})();

/** Kept out of line: a Math.exp call inside expFast made V8 compile the common path ~40% slower. */
function expOutside(x: number): number {
  return Math.exp(x);
}

/** Below and above these Math.exp takes over: the result would leave the normal range, where 2^q is not a table entry. */
const EXP_MIN = -708, EXP_MAX = 709;

/** e^x within 2 ulp of Math.exp(x); NaN, ±∞ and |x| beyond ±708 go to Math.exp. */
export function expFast(x: number): number {
  if (!(x >= EXP_MIN && x <= EXP_MAX)) return expOutside(x);
  // k = x·N/ln2 rounded to an integer by the 1.5·2⁵² shifter (cheaper than Math.round in V8).
  const k = x * N_OVER_LN2 + SHIFTER - SHIFTER;
  const r = x - k * LN2_HI_N - k * LN2_LO_N;
  // exp(r) − 1 by its Taylor series: |r| ≤ 0.0028, so the first omitted term, r⁶/720, is below 1e-18.
  const p = r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120)))));
  const ki = k | 0; // |k| < 2^18
  const s = TWO_J_N[ki & (N - 1)]!;
  return (s + s * p) * TWO_Q[(ki >> LOG2_N) + 1022]!;
}

// Cephes tanh: for |x| < 0.625, tanh x = x + x³ P(x²)/Q(x²) (relative error ~2.5e-16 on [−2, 2]).
const P0 = -9.64399179425052238628e-1, P1 = -9.92877231001918586564e1, P2 = -1.61468768441708447952e3;
const Q0 = 1.12811678491632931402e2, Q1 = 2.23548839060100448583e3, Q2 = 4.84406305325125486048e3;

/** tanh x within 2 ulp of Math.tanh(x); exactly ±1 beyond |x| = 22, where tanh rounds to ±1 anyway. */
export function tanhFast(x: number): number {
  const z = x < 0 ? -x : x;
  if (z < 0.625) {
    if (z === 0) return x; // keeps −0 (x + x·s·R would round it to +0)
    const s = x * x;
    return x + x * s * ((P0 * s + P1) * s + P2) / (((s + Q0) * s + Q1) * s + Q2);
  }
  if (!(z <= 22)) return x !== x ? x : x < 0 ? -1 : 1; // NaN stays NaN
  // 1 − tanh z = 2e/(1 + e) with e = e^(−2z) ≤ 0.29: the subtraction loses nothing.
  const e = expFast(-2 * z);
  const t = 1 - (2 * e) / (1 + e);
  return x < 0 ? -t : t;
}

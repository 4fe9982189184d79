/**
 * exp, log and tanh of our own, made of + − × ÷ only, so that every number lib/ computes has the same bits in Node
 * and in every browser engine. IEEE 754 rounds those four operations (and √) exactly, so every engine agrees on
 * them; it does not fix Math.exp, Math.log or Math.tanh, and engines do differ: Chromium 156's V8 and Node 20's
 * disagree in the last bit for about 10% of exp arguments and 5% of log arguments (docs/architecture.md,
 * "Reproducibility"). Numeric code in lib/ calls these, never Math's (test/core/libm.test.ts fails otherwise).
 *
 * Accuracy against a 40-digit reference, over their whole ranges: MAX_ULP below, which test/core/libm.test.ts asserts
 * (docs/architecture.md has the measured figures). They are also fast: plain arithmetic on small tables, which V8
 * inlines into the hot loops of lib/fast/fast.ts (its Math.exp and Math.tanh are calls into C++, ~40 ns each here).
 */
import { EXP2_TABLE } from "./libm-tables.js";

/** The largest error of each function, in units in the last place of the true value. */
export const MAX_ULP = {
  /** Normal results: only the last addition rounds. */
  exp: 0.52,
  /** Results below 2^−1022 round twice (to 53 bits, then to the subnormal's fewer). */
  expSubnormal: 0.76,
  /** fdlibm's bound for its method. */
  log: 1,
  /** Cephes' rational below 0.625, 1 − 2/(e^(2|x|) + 1) with its roundings compensated above. */
  tanh: 0.85,
  /** Built on log, for the checks of lib/derivation/forward-checks.ts. */
  log1p: 3,
  atanh: 3,
} as const;

// exp(x) = 2^q · 2^(j/128) · e^r with x = (128q + j) ln2/128 + r, |r| ≤ ln2/256; 2^(j/128) = hi + lo from the table.
const N = 128, LOG2_N = 7;
/** 1.5 · 2⁵²: adding and subtracting it rounds a double below 2⁵¹ to an integer (cheaper than Math.round). */
const SHIFTER = 6755399441055744;
const N_OVER_LN2 = N / Math.LN2;
// Cody–Waite: ln2/128 = LN2_HI_N + LN2_LO_N, LN2_HI_N with 21 trailing zero bits so that k · LN2_HI_N is exact for
// every |k| < 2²¹ (fdlibm's ln2_hi and ln2_lo, divided by 128, which is exact).
const LN2_HI = 6.93147180369123816490e-1, LN2_LO = 1.90821492927058770002e-10;
const LN2_HI_N = LN2_HI / N, LN2_LO_N = LN2_LO / N;

/** 2^q for q = −1022 … 1023 at index q + 1022, by exact doublings and halvings. */
const TWO_Q = (() => {
  const t = new Float64Array(2046);
  t[1022] = 1;
  for (let q = 1; q <= 1023; q++) t[1022 + q] = t[1021 + q]! * 2;
  for (let q = 1; q <= 1022; q++) t[1022 - q] = t[1023 - q]! / 2;
  return t;
})();
const TWO_M64 = 1 / 18446744073709551616;

/** ln(Number.MAX_VALUE): above it e^x overflows. */
const EXP_MAX = 709.782712893384;
/** Below it e^x < 2^−1075 rounds to 0. */
const EXP_MIN = -745.1332191019412;
/** Between these, 2^q of the reduction below is a normal double (−1022 ≤ q ≤ 1023): one product scales the result. */
const EXP_CORE_MIN = -708.39, EXP_CORE_MAX = 709.779;

/** The low part of the last `expCore` result (a Float64Array slot: a module variable would box the double). */
const LOW = new Float64Array(1);

/**
 * 2^−bias eˣ as hi + LOW[0], hi rounded (within 0.51 ulp) and LOW[0] its rounding error, so that hi + LOW[0] is within
 * ~2^−60 relative; for EXP_CORE_MIN ≤ x ≤ EXP_CORE_MAX with bias 0, or beyond with a bias that keeps 2^(q − bias)
 * normal. Shared by exp and tanh, and small enough for V8 to inline into both (a larger tanh ran 3× slower).
 */
function expCore(x: number, bias: number): number {
  const k = x * N_OVER_LN2 + SHIFTER - SHIFTER;
  // x − k·LN2_HI_N is exact (k·LN2_HI_N is, and it is within a factor 2 of x); only k·LN2_LO_N rounds, by ~2^−62.
  const r = x - k * LN2_HI_N - k * LN2_LO_N;
  // e^r − 1 by Taylor: |r| ≤ 0.0028, so the first omitted term, r⁶/720, is below 2^−60 relative.
  const p = r + r * r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120))));
  const ki = k | 0, j = ki & (N - 1), scale = TWO_Q[(ki >> LOG2_N) - bias + 1022]!;
  // (hi + lo)(1 + p) = hi + c, with lo·p (below 2^−61 relative) left out: only the sum rounds, by half an ulp.
  const hi = EXP2_TABLE[2 * j]!, c = EXP2_TABLE[2 * j + 1]! + hi * p;
  const sum = hi + c;
  LOW[0] = (hi - sum + c) * scale; // |hi| ≥ |c|: (hi − sum) + c is the exact rounding error (Fast2Sum)
  return sum * scale;
}

/** eˣ within 0.51 ulp; +∞ above 709.78, 0 below −745.13, subnormal results in between rounded once more. */
export function exp(x: number): number {
  return x >= EXP_CORE_MIN && x <= EXP_CORE_MAX ? expCore(x, 0) : expEdge(x);
}

/** exp beyond the core's range: overflow, underflow, the subnormals (scaled in two steps), NaN and ±∞. */
function expEdge(x: number): number {
  if (!(x >= EXP_MIN && x <= EXP_MAX)) return x !== x ? x : x > 0 ? Infinity : 0;
  // 2^q = 2^1024 is not a double: 2 · (2^−1 eˣ), a product that is exact or overflows.
  if (x > 0) return expCore(x, 1) * 2;
  // 2^q below 2^−1022: 2^−64 · (2^64 eˣ), whose first factor is normal, so only the product rounds (into the subnormals).
  return expCore(x, -64) * TWO_M64;
}

// log: fdlibm's method (e_log.c, Sun Microsystems, 1993; error below 1 ulp). x = 2^k (1 + f), √2/2 ≤ 1 + f < √2,
// log(1 + f) = f − f²/2 + s(f²/2 + R(s²)), s = f/(2 + f), R a minimax polynomial for 2 atanh(s)/s − 2 − ….
const Lg1 = 6.666666666666735130e-1, Lg2 = 3.999999999940941908e-1, Lg3 = 2.857142874366239149e-1;
const Lg4 = 2.222219843214978396e-1, Lg5 = 1.818357216161805012e-1, Lg6 = 1.531383769920937332e-1;
const Lg7 = 1.479819860511658591e-1;
const TWO_54 = 18014398509481984;

/** The two 32-bit halves of one double: the exponent and mantissa are read and written through them. */
const cell = new Float64Array(1), words = new Uint32Array(cell.buffer);
/** Which word holds the sign and exponent: 1 on little-endian machines (all of today's), 0 otherwise. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0, LO = 1 - HI;

/** ln x within 1 ulp; −∞ at ±0, NaN below 0, +∞ at +∞. */
export function log(x: number): number {
  cell[0] = x;
  let hx = words[HI]! | 0, k = 0;
  if (hx < 0x00100000) { // subnormal, zero, or negative (the sign bit makes hx negative)
    if (((hx & 0x7fffffff) | words[LO]!) === 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    cell[0] = x * TWO_54; // scale a subnormal up, exactly
    hx = words[HI]! | 0;
  }
  if (hx >= 0x7ff00000) return x + x; // +∞ or NaN
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  // Normalise the mantissa into [√2/2, √2): i is 0x100000 when it is at least √2 (then halve it and add 1 to k).
  const i = (hx + 0x95f64) & 0x100000;
  words[HI] = hx | (i ^ 0x3ff00000);
  k += i >> 20;
  const f = cell[0]! - 1;
  if ((0x000fffff & (2 + hx)) < 3) { // |f| < 2^−20
    if (f === 0) return k === 0 ? 0 : k * LN2_HI + k * LN2_LO;
    const R = f * f * (0.5 - (1 / 3) * f);
    return k === 0 ? f - R : k * LN2_HI - ((R - k * LN2_LO) - f);
  }
  const s = f / (2 + f), z = s * s, w = z * z;
  const t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  const R = t2 + t1;
  // Positive when 1 + f is farther than about 0.15 from 1: there f²/2 is subtracted separately to keep its bits.
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const hfsq = 0.5 * f * f;
    return k === 0 ? f - (hfsq - s * (hfsq + R)) : k * LN2_HI - ((hfsq - (s * (hfsq + R) + k * LN2_LO)) - f);
  }
  return k === 0 ? f - s * (f - R) : k * LN2_HI - ((s * (f - R) - k * LN2_LO) - f);
}

// tanh below 0.625: Cephes' rational form x + x³ P(x²)/Q(x²) (S. L. Moshier; within 0.81 ulp, near 0.54).
const P0 = -9.64399179425052238628e-1, P1 = -9.92877231001918586564e1, P2 = -1.61468768441708447952e3;
const Q0 = 1.12811678491632931402e2, Q1 = 2.23548839060100448583e3, Q2 = 4.84406305325125486048e3;

/**
 * tanh x within 0.85 ulp; ±1 beyond |x| = 22, where tanh rounds to ±1 anyway. Above 0.625 it is 1 − 2/(G + 1) with
 * G = e^(2|x|) carried as gh + gl (as exp() computes it, before rounding): 2/(G + 1) is at most 0.45, so its one
 * rounding costs at most a quarter ulp of the result, and the rounding of G + 1 and of 1 − q are kept and added back.
 * The plain 1 − 2e/(1 + e) was off by up to 1.35 ulp near 0.65.
 */
export function tanh(x: number): number {
  const z = x < 0 ? -x : x;
  if (z < 0.625) {
    if (z === 0) return x; // keeps −0
    const s = x * x;
    return x + (x * s * ((P0 * s + P1) * s + P2)) / (((s + Q0) * s + Q1) * s + Q2);
  }
  if (!(z < 22)) return x !== x ? x : x < 0 ? -1 : 1; // NaN stays NaN
  const gh = expCore(2 * z, 0), gl = LOW[0]!; // G = e^(2z) = gh + gl; 2z < 44 is within the core's range
  // G + 1 = s + e exactly but for gl's own error (Fast2Sum: gh ≥ 1).
  const s = gh + 1, e = gh - s + 1 + gl;
  // 2/(s + e) = q (1 − e/s) to first order, q = 2/s rounded; then 1 − q = t + u with u exact (Fast2Sum: 1 > q).
  const q = 2 / s;
  const t = 1 - q, u = 1 - t - q + q * (e / s);
  const res = t + u;
  return x < 0 ? -res : res;
}

/** ln(1 + x) within a few ulp, also for tiny x: ln(u)·x/(u − 1) with u = 1 + x cancels u's rounding (Goldberg). */
export function log1p(x: number): number {
  const u = 1 + x;
  if (u === 1) return x;
  if (u === Infinity) return x !== x ? x : Infinity;
  return log(u) * (x / (u - 1));
}

/** atanh x = ½ ln((1 + x)/(1 − x)) = ½ log1p(2x/(1 − x)), odd; ±∞ at ±1, NaN beyond. */
export function atanh(x: number): number {
  const a = x < 0 ? -x : x;
  const t = 0.5 * log1p((2 * a) / (1 - a));
  return x < 0 ? -t : t;
}

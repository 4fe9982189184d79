/**
 * The cases of the tests of Vera's own equations: 2-layer models with the source's loss (1/T) Σ_t CE_t, the truth
 * each equation is judged against, and how "right" and "wrong" are decided.
 */
import fc from "fast-check";
import { discrepancy } from "../../lib/core/fd.js";
import { type Matrix, transpose, zeros } from "../../lib/core/matrix.js";
import { makeRng } from "../../lib/core/rng.js";
import { ROUNDING_TOL } from "../../lib/core/tolerances.js";
import type { Evaluation } from "../../lib/stacked/as-printed.js";
import { type StackedGrads, stackedBackward } from "../../lib/stacked/backward.js";
import { type StackedEquation, type Verdict, STACKED_EQUATIONS } from "../../lib/stacked/errata.js";
import {
  type StackedForward, type StackedOptions, singleStepWeights, stackedForward, withWeights,
} from "../../lib/stacked/forward.js";
import { type StackedParams, initStackedParams, zeroStates } from "../../lib/stacked/params.js";
import type { SourceEq } from "../../lib/stacked/stacked.js";

/**
 * "Right" means equal to the true gradient up to float64 rounding: the as-written formula and the backward pass
 * evaluate the same sums in a different order, so a right formula is off by ~1e-16 relative; 1e-12 is the bound.
 * Relative error alone is not enough: a gradient can be tiny because its terms cancel (h₁ = 1 at T = 3 gave one
 * entry of −2.5e-7 whose order-one terms left 3.5e-18 of rounding, 7e-12 relative), so an entry within
 * ROUNDING_TOL absolute is right too — the terms here are of order one. Every wrong formula is off by far more:
 * the fixed cases below are asserted to be off by at least WRONG_MARGIN relative.
 */
export const RIGHT_TOL = 1e-12;
export const WRONG_MARGIN = 1e-3;

export function judge(e: Evaluation, truth: Matrix): { verdict: Verdict; rel?: number } {
  if (!e.ok || e.value.rows !== truth.rows || e.value.cols !== truth.cols) return { verdict: "wrong shape" };
  const { relError: rel, maxAbsError } = discrepancy(e.value, truth);
  return { verdict: rel < RIGHT_TOL || maxAbsError <= ROUNDING_TOL ? "right" : "wrong value", rel };
}

// ————————————————————————————————————————— cases —————————————————————————————————————————

export interface Spec { seed: number; d: number; h1: number; h2: number; a: number; n: number; T: number; h0: "zeros" | "random" }
export interface Built { p: StackedParams; X: Matrix[]; y: number[][]; opts: StackedOptions; f: StackedForward }

export function uniform(rows: number, cols: number, k: number, rng: ReturnType<typeof makeRng>): Matrix {
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform(-k, k);
  return m;
}

/** A 2-layer model, the source's, with the source's averaging (1/T, batch-summed). `edit` may alter the weights. */
export function build(s: Spec, edit?: (p: StackedParams) => StackedParams): Built {
  const rng = makeRng(s.seed);
  const sizes = { d: s.d, hidden: [s.h1, s.h2], a: s.a };
  let p = initStackedParams(sizes, rng);
  if (edit) p = edit(p);
  const X = Array.from({ length: s.T }, () => uniform(s.n, s.d, 1, rng));
  const y = Array.from({ length: s.T }, () => Array.from({ length: s.n }, () => rng.int(s.a)));
  const H0 = s.h0 === "zeros" ? zeroStates(s.n, sizes) : sizes.hidden.map((h) => uniform(s.n, h, 0.5, rng));
  const opts: StackedOptions = { H0, reduction: "source" };
  return { p, X, y, opts, f: stackedForward(p, X, y, opts) };
}

export const label = (s: Spec) => `d ${s.d}, h₁ ${s.h1}, h₂ ${s.h2}, a ${s.a}, n ${s.n}, T ${s.T}, H0 ${s.h0}`;
/** Generic cases at the source's T = 2: n differs from both widths, weights are not symmetric. */
export const CASES: Spec[] = [
  { seed: 11, d: 3, h1: 4, h2: 5, a: 3, n: 2, T: 2, h0: "random" },
  { seed: 12, d: 2, h1: 3, h2: 2, a: 4, n: 1, T: 2, h0: "random" },
  { seed: 13, d: 4, h1: 2, h2: 3, a: 2, n: 4, T: 2, h0: "zeros" },
  { seed: 14, d: 1, h1: 5, h2: 4, a: 3, n: 3, T: 2, h0: "random" },
];

/** §2.1's loss is CE_2 alone: the backward pass with weights e_2. */
export const truth21 = (b: Built, t = 2): StackedGrads => stackedBackward(b.p, withWeights(b.f, singleStepWeights(t, b.f.T)));
/** §2.1.1's loss is (1/T) Σ_t CE_t (b.f was built with it). */
export const truth211 = (b: Built): StackedGrads => stackedBackward(b.p, b.f);

export const byEq = (section: "2.1" | "2.1.1", k: SourceEq): StackedEquation => STACKED_EQUATIONS.find((e) => e.section === section && e.number === k)!;

export const sym = (W: Matrix): Matrix => {
  const Wt = transpose(W);
  return { ...W, data: W.data.map((v, i) => (v + Wt.data[i]!) / 2) };
};
export const had = (a: Matrix, b: Matrix): Matrix => ({ ...a, data: a.data.map((v, i) => v * b.data[i]!) });
export const dphi = (H: Matrix): Matrix => ({ ...H, data: H.data.map((h) => 1 - h * h) });
export const valueOf = (e: Evaluation): Matrix => {
  if (!e.ok) throw new Error(e.reason);
  return e.value;
};
export const base = CASES[0]!;

export const specArb: fc.Arbitrary<Spec> = fc.record({
  seed: fc.integer({ min: 0, max: 0xffffffff }),
  d: fc.integer({ min: 1, max: 4 }),
  h1: fc.integer({ min: 1, max: 4 }),
  h2: fc.integer({ min: 1, max: 4 }),
  a: fc.integer({ min: 2, max: 4 }),
  n: fc.integer({ min: 1, max: 3 }),
  T: fc.constant(2),
  h0: fc.constantFrom("zeros" as const, "random" as const),
});
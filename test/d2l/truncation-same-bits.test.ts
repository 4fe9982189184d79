/**
 * lib/d2l/truncation.ts — the shortcuts /truncation's moments take to stay cheap on every edit must not change a
 * digit. `exactRandomizedMoments` and `monteCarloRandomized` run the recursion of eq 1.3b once per prefix ξ_2 … ξ_t
 * their patterns share (so once per pattern drawn, however often), and `sampleXi` maps π_t to ξ_t without an
 * iterator. Each is compared, entry by entry with Object.is, with the plain form kept here: one `randomizedGradient`
 * per pattern (summed in mask order, bit t − 2 is ξ_t) or per draw.
 */
import { describe, expect, it } from "vitest";
import { expectSameBits } from "../close.js";
import { type D2LOptions, type D2LParams, type D2LSequence } from "../../lib/d2l/model.js";
import { forwardModePieces } from "../../lib/d2l/d2l.js";
import { gradientNormDemo } from "../../lib/d2l/vanishing.js";
import { type Rng, makeRng } from "../../lib/core/rng.js";
import {
  type Moments, type MonteCarlo, exactRandomizedMoments, flattenWeights, monteCarloRandomized, monteCarloRng, randomizedGradient,
  sampleXi, unflattenWeights,
} from "../../lib/d2l/truncation.js";

/** The w_h part of one estimate (W_hx then W_hh): the first P entries of `flattenWeights`. */
function estimate(p: D2LParams, s: D2LSequence, xi: ArrayLike<number>, opts: D2LOptions): Float64Array {
  const pc = forwardModePieces(p, s, opts);
  return flattenWeights(randomizedGradient(p, s, xi, opts, pc)).slice(0, pc.layout.P);
}

const exactWqhOf = (p: D2LParams, s: D2LSequence, opts: D2LOptions) => randomizedGradient(p, s, new Float64Array(s.xs.length).fill(1), opts).W_qh.data;

/** Every pattern of ξ_2 … ξ_T run on its own, in mask order; patterns of probability 0 left out. */
function plainExactMoments(p: D2LParams, s: D2LSequence, pi: number | ArrayLike<number>, opts: D2LOptions): Moments & { patterns: number } {
  const T = s.xs.length, P = forwardModePieces(p, s, opts).layout.P, wqh = exactWqhOf(p, s, opts);
  const pis = typeof pi === "number" ? new Float64Array(T).fill(pi) : Float64Array.from(pi);
  const values: Float64Array[] = [], probs: number[] = [];
  const xi = new Float64Array(T).fill(1);
  for (let mask = 0; mask < 1 << (T - 1); mask++) {
    let prob = 1;
    for (let t = 2; t <= T; t++) {
      const on = (mask >> (t - 2)) & 1, q = pis[t - 1]!;
      xi[t - 1] = on ? 1 / q : 0;
      prob *= on ? q : 1 - q;
    }
    if (prob === 0) continue;
    values.push(estimate(p, s, xi, opts));
    probs.push(prob);
  }
  const mean = new Float64Array(P + wqh.length), variance = new Float64Array(P + wqh.length);
  values.forEach((v, r) => { for (let k = 0; k < P; k++) mean[k]! += probs[r]! * v[k]!; });
  values.forEach((v, r) => { for (let k = 0; k < P; k++) variance[k]! += probs[r]! * (v[k]! - mean[k]!) * (v[k]! - mean[k]!); });
  mean.set(wqh, P);
  return { mean, variance, totalVariance: variance.reduce((a, b) => a + b, 0), meanGrads: unflattenWeights(mean, p), patterns: values.length };
}

/** One estimate per draw. */
function plainMonteCarlo(p: D2LParams, s: D2LSequence, pi: number | ArrayLike<number>, N: number, rng: Rng, opts: D2LOptions, scaled: boolean): MonteCarlo {
  const T = s.xs.length, P = forwardModePieces(p, s, opts).layout.P, wqh = exactWqhOf(p, s, opts), nAll = P + wqh.length;
  const sum = new Float64Array(P), sumSq = new Float64Array(P);
  const first = estimate(p, s, new Float64Array(T).fill(1), opts);
  for (let r = 0; r < N; r++) {
    const buf = estimate(p, s, sampleXi(pi, T, rng, scaled), opts);
    for (let k = 0; k < P; k++) { const d = buf[k]! - first[k]!; sum[k]! += d; sumSq[k]! += d * d; }
  }
  const mean = new Float64Array(nAll), variance = new Float64Array(nAll), stdErr = new Float64Array(nAll);
  for (let k = 0; k < P; k++) {
    const m = sum[k]! / N;
    mean[k] = first[k]! + m;
    variance[k] = Math.max(0, (sumSq[k]! - N * m * m) / (N - 1));
    stdErr[k] = Math.sqrt(variance[k]! / N);
  }
  mean.set(wqh, P);
  return { N, mean, variance, stdErr, totalVariance: variance.reduce((a, b) => a + b, 0), meanGrads: unflattenWeights(mean, p) };
}

function expectSameMoments(got: Moments, want: Moments): void {
  expectSameBits("mean", got.mean, want.mean);
  expectSameBits("variance", got.variance, want.variance);
  expectSameBits("totalVariance", [got.totalVariance], [want.totalVariance]);
  for (const w of ["W_hx", "W_hh", "W_qh"] as const) expectSameBits(`meanGrads.${w}`, got.meanGrads[w].data, want.meanGrads[w].data);
}

const MODELS = [
  { hidden: 4, T: 8, seed: 1, rho: 0.9, activation: "tanh" as const, lossAt: "all" as const }, // /truncation's defaults
  { hidden: 4, T: 8, seed: 7, rho: 1.3, activation: "tanh" as const, lossAt: "all" as const },
  { hidden: 3, T: 5, seed: 2, rho: 1.2, activation: "relu" as const, lossAt: "all" as const },
  { hidden: 2, T: 6, seed: 3, rho: 0.5, activation: "identity" as const, lossAt: "last" as const },
  { hidden: 1, T: 2, seed: 5, rho: 0.5, activation: "tanh" as const, lossAt: "all" as const },
  { hidden: 6, T: 12, seed: 4294967295, rho: 1.6, activation: "tanh" as const, lossAt: "all" as const },
];
const PIS = [1, 0.9, 0.5, 0.3, 0.05];

describe.each(MODELS.map((c) => [`h ${c.hidden}, T ${c.T}, ${c.activation}, seed ${c.seed}`, c] as const))("%s", (_, c) => {
  const { p, s, opts } = gradientNormDemo(c);
  const T = c.T;
  /** π_t varying with t: one 1 (the coin never cuts there), and a pair so small that the product of both underflows to 0. */
  const mixed = Array.from({ length: T }, (_, t) => (t === 1 ? 1 : t === T - 1 || t === T - 2 ? 1e-200 : 0.2 + 0.1 * (t % 5)));

  it.each([...PIS, mixed].map((pi) => [typeof pi === "number" ? `π = ${pi}` : "π_t varying, with 1 and 1e-200", pi] as const))(
    "exactRandomizedMoments, %s: the depth-first walk gives the bits of one estimate per pattern in mask order",
    (_, pi) => {
      const got = exactRandomizedMoments(p, s, pi, opts), want = plainExactMoments(p, s, pi, opts);
      expect(got.patterns).toBe(want.patterns);
      expectSameMoments(got, want);
    },
  );

  it.each([[0.5, 500, true], [0.5, 500, false], [0.05, 200, true], [1, 50, true], [0.9, 2000, false]] as const)(
    "monteCarloRandomized, π = %s, N = %s, scaled %s: one estimate per pattern drawn gives the bits of one per draw",
    (pi, N, scaled) => {
      const got = monteCarloRandomized(p, s, pi, N, monteCarloRng(c.seed), opts, { scaled });
      const want = plainMonteCarlo(p, s, pi, N, monteCarloRng(c.seed), opts, scaled);
      expect(got.N).toBe(N);
      expectSameMoments(got, want);
      expectSameBits("stdErr", got.stdErr, want.stdErr);
    },
  );
});

describe("sampleXi", () => {
  it("draws ξ_1 … ξ_T with the bits of the plain Float64Array.from over π_t (scaled and not, π fixed and varying)", () => {
    for (const T of [2, 8, 12]) for (const pi of [1, 0.5, 0.05, Array.from({ length: T }, (_, t) => 0.1 + 0.9 * (t / T))]) for (const scaled of [true, false]) {
      const pis = typeof pi === "number" ? new Float64Array(T).fill(pi) : Float64Array.from(pi);
      const r = makeRng(T), plain = () => Float64Array.from(pis, (q) => (r.next() < q ? (scaled ? 1 / q : 1) : 0));
      const stream = makeRng(T);
      for (let draw = 0; draw < 50; draw++) expectSameBits(`T ${T}, π ${pi}, draw ${draw}`, sampleXi(pi, T, stream, scaled), plain());
    }
  });
});

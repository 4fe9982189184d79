/**
 * lib/d2l/truncation.ts: estimators of ∂L/∂W for the D2L model — full BPTT (d2l eqs 1c–1d), truncation after k steps
 * (d2l eq 1.2) and randomized truncation (d2l eqs 1.3a–1.3b) — each against central finite differences of its gated
 * surrogate loss (lib/d2l/checks.ts `gatedLoss`) and against TF.js autodiff of the same gated graph (TFJS_REL_TOL). Then the
 * statistics: truncation is exact iff k ≥ T − 1; the randomized estimator is unbiased (exactly, by enumerating every
 * ξ; and by Monte-Carlo within 5 standard errors, with a fixed seed); its variance grows as π falls. A biased
 * variant (ξ ∈ {0, 1}, no 1/π) must fail the unbiasedness check.
 */
import * as tf from "@tensorflow/tfjs";
import { useTfjsCpu } from "./tfjs-cpu.js";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type D2LOptions, type D2LParams, type D2LSequence, initD2L, randomSequence, roundToFloat32,
} from "../../lib/d2l/model.js";
import { d2lBackward } from "../../lib/d2l/d2l.js";
import { numericalGatedGrads, numericalWeightGrads } from "../../lib/d2l/checks.js";
import { tfjsGatedGrads } from "../../lib/d2l/tfjs-oracles.js";
import { discrepancy } from "../../lib/core/fd.js";
import { makeRng } from "../../lib/core/rng.js";
import { ROUNDING_TOL, TFJS_REL_TOL } from "../../lib/core/tolerances.js";
import { expectFd, expectWithin } from "../close.js";
import {
  biasOf, exactRandomizedMoments, flattenWeights, fullGradient, monteCarloRandomized, randomizedGate,
  randomizedGradient, sampleXi, truncatedGradient, truncatedGradientReverse, truncationBiasProfile, truncationGate,
  unflattenWeights,
} from "../../lib/d2l/truncation.js";

beforeAll(useTfjsCpu);

interface Case { name: string; seed: number; T: number; opts: D2LOptions; kind: "cross-entropy" | "squared" }
const CASES: Case[] = [
  { name: "identity (D2L §2), cross-entropy, T 6", seed: 11, T: 6, opts: {}, kind: "cross-entropy" },
  { name: "tanh, squared error, T 5", seed: 12, T: 5, opts: { activation: "tanh" }, kind: "squared" },
  { name: "identity, loss at T only, T 6", seed: 13, T: 6, opts: { lossAt: "last" }, kind: "cross-entropy" },
];

function setup(c: Case): { p: D2LParams; s: D2LSequence } {
  const rng = makeRng(c.seed), sizes = { d: 2, hidden: 3, q: 3, T: c.T };
  return roundToFloat32(initD2L(sizes, rng, 2), randomSequence(sizes, rng, c.kind, { randomH0: true }));
}

const rel = (a: Parameters<typeof flattenWeights>[0], b: Parameters<typeof flattenWeights>[0]) => discrepancy(flattenWeights(a), flattenWeights(b)).relError;

describe.each(CASES.map((c) => [c.name, c] as const))("%s", (_, c) => {
  const { p, s } = setup(c);
  const T = c.T, full = fullGradient(p, s, c.opts);

  it("full BPTT (d2l eqs 1c, 1d, forward mode) equals backprop (eqs 2.2, 2.5), finite differences and TF.js", () => {
    expectWithin("full vs d2lBackward", flattenWeights(full), flattenWeights(d2lBackward(p, s, c.opts)), ROUNDING_TOL);
    expectFd("full vs numericalWeightGrads", flattenWeights(full), flattenWeights(numericalWeightGrads(p, s, c.opts)));
    expectWithin("full vs tfjsGatedGrads", flattenWeights(full), flattenWeights(tfjsGatedGrads(tf, p, s, c.opts, () => 1)), TFJS_REL_TOL);
  });

  for (const k of [0, 1, 2]) {
    it(`d2l eq 1.2, truncation after k = ${k}: forward mode = reverse mode; matches finite differences of the gated loss and TF.js with the edge cut`, () => {
      const est = truncatedGradient(p, s, k, c.opts);
      expectWithin("est vs truncatedGradientReverse", flattenWeights(est), flattenWeights(truncatedGradientReverse(p, s, k, c.opts)), ROUNDING_TOL);
      expectFd("est vs numericalGatedGrads", flattenWeights(est), flattenWeights(numericalGatedGrads(p, s, c.opts, truncationGate(k))));
      expectWithin("est vs tfjsGatedGrads", flattenWeights(est), flattenWeights(tfjsGatedGrads(tf, p, s, c.opts, truncationGate(k))), TFJS_REL_TOL);
    });
  }

  it("d2l eq 1.2: the bias is nonzero for k ≤ T − 2 and exactly zero (to rounding) for k ≥ T − 1, including k ≥ T", () => {
    const profile = truncationBiasProfile(p, s, T + 2, c.opts);
    for (let k = 0; k <= T - 2; k++) expect(profile[k], `k = ${k}`).toBeGreaterThan(1e-3);
    for (let k = T - 1; k <= T + 2; k++) expect(profile[k], `k = ${k}`).toBeLessThan(ROUNDING_TOL);
    // W_qh has no recurrence: every truncation leaves it exact
    expect(Array.from(truncatedGradient(p, s, 0, c.opts).W_qh.data)).toEqual(Array.from(full.W_qh.data));
  });

  it("d2l eq 1.3b for a drawn ξ: z_t = A_t + ξ_t J_t z_{t−1} matches finite differences of the ξ-gated loss and TF.js", () => {
    const rng = makeRng(c.seed + 100);
    for (const pi of [0.5, 0.8]) {
      const xi = sampleXi(pi, T, rng);
      const est = randomizedGradient(p, s, xi, c.opts);
      expectFd(`ξ = ${xi}`, flattenWeights(est), flattenWeights(numericalGatedGrads(p, s, c.opts, randomizedGate(xi))));
      expectWithin(`ξ = ${xi} vs TF.js`, flattenWeights(est), flattenWeights(tfjsGatedGrads(tf, p, s, c.opts, randomizedGate(xi))), TFJS_REL_TOL);
    }
  });

  it("d2l eq 1.3b: π ≡ 1 (ξ ≡ 1) is full BPTT; ξ = 0 after the first step is truncation with k = 0", () => {
    expect(rel(randomizedGradient(p, s, new Float64Array(T).fill(1), c.opts), full)).toBe(0);
    expectWithin("randomizedGradient vs truncatedGradient", flattenWeights(randomizedGradient(p, s, new Float64Array(T), c.opts)), flattenWeights(truncatedGradient(p, s, 0, c.opts)), ROUNDING_TOL);
  });

  it("d2l eq 1.3a–b: unbiased exactly — the probability-weighted mean over all 2^{T−1} patterns of ξ is the full gradient", () => {
    for (const pi of [0.9, 0.5, 0.2]) {
      const ex = exactRandomizedMoments(p, s, pi, c.opts);
      expect(ex.patterns).toBe(2 ** (T - 1));
      expect(biasOf(ex.meanGrads, full).relative, `π = ${pi}`).toBeLessThan(ROUNDING_TOL);
    }
  });

  it("the variance of the randomized estimator grows as π decreases (exact, π = 1, 0.9, 0.7, 0.5, 0.3, 0.1)", () => {
    const v = [1, 0.9, 0.7, 0.5, 0.3, 0.1].map((pi) => exactRandomizedMoments(p, s, pi, c.opts).totalVariance);
    expect(v[0]).toBe(0);
    for (let i = 1; i < v.length; i++) expect(v[i]!, `π step ${i}: ${v}`).toBeGreaterThan(v[i - 1]!);
  });
});

describe("Monte-Carlo (fixed seeds, so deterministic)", () => {
  const c = CASES[0]!;
  const { p, s } = setup(c);
  const full = flattenWeights(fullGradient(p, s, c.opts));
  /**
   * Largest |mean − full| / SE over the entries that vary. For an unbiased estimator with finite variance (it is:
   * the exact variance is finite, computed by enumeration) the CLT makes each ratio ≈ N(0, 1), so |z| > 5 has
   * probability 5.7e-7 per entry, about 1e-5 for all 15 — the check is justified, and deterministic by its seed.
   */
  const maxZ = (mean: Float64Array, se: Float64Array) => {
    let m = 0;
    for (let k = 0; k < mean.length; k++) {
      if (se[k]! > 0) m = Math.max(m, Math.abs(mean[k]! - full[k]!) / se[k]!);
      else expect(mean[k]).toBe(full[k]); // W_qh entries: exact in every sample
    }
    return m;
  };
  const N = 20_000;
  const mc = monteCarloRandomized(p, s, 0.5, N, makeRng(2024), c.opts);

  it("unbiased: the Monte-Carlo mean over N = 20 000 draws (π = 0.5) is within 5 standard errors of the full gradient, entry by entry", () => {
    const z = maxZ(mc.mean, mc.stdErr);
    expect(z).toBeLessThan(5);
    expect(z).toBeGreaterThan(0); // it is a genuine random estimate, not the full gradient in disguise
  });

  it("can fail: the same check rejects the biased variant ξ ∈ {0, 1} (no 1/π), far beyond 5 standard errors", () => {
    const biased = monteCarloRandomized(p, s, 0.5, N, makeRng(2024), c.opts, { scaled: false });
    expect(maxZ(biased.mean, biased.stdErr)).toBeGreaterThan(50);
  });

  /**
   * The sample variance is itself noisy, and heavy-tailed for small π: a pattern with ξ_2 … ξ_6 all 1/π has
   * probability π⁵ and weight π⁻⁵ (412 at π = 0.3), so at π = 0.3 and N = 10 000 the estimate is off by ~9% here.
   * We compare with the exact variance where the tails are light (π = 0.9, 0.6: within 5%; measured 0.02% and 0.45%)
   * and use π = 0.3 only for the ordering, where successive variances differ by a factor of ten or more.
   */
  it("the Monte-Carlo variance agrees with the exact variance (π = 0.9, 0.6: within 5%) and grows as π falls (0.9 → 0.6 → 0.3)", () => {
    const pis = [0.9, 0.6, 0.3];
    const mcv = pis.map((pi, i) => monteCarloRandomized(p, s, pi, 10_000, makeRng(300 + i), c.opts).totalVariance);
    const exv = pis.map((pi) => exactRandomizedMoments(p, s, pi, c.opts).totalVariance);
    [0, 1].forEach((i) => expect(Math.abs(mcv[i]! - exv[i]!) / exv[i]!, `π = ${pis[i]}: MC ${mcv[i]} exact ${exv[i]}`).toBeLessThan(0.05));
    expect(mcv[1]!).toBeGreaterThan(mcv[0]!);
    expect(mcv[2]!).toBeGreaterThan(mcv[1]!);
  });

  it("sampleXi: E[ξ_t] = 1 (eq 1.3a) — the sample mean over 20 000 draws is within 5 standard errors of 1; ξ ∈ {0, 1/π}", () => {
    const rng = makeRng(5), pi = 0.3, n = 20_000;
    let sum = 0, others = 0;
    for (let r = 0; r < n; r++) for (const x of sampleXi(pi, 1, rng)) { if (x !== 0 && x !== 1 / pi) others++; sum += x; }
    expect(others).toBe(0);
    const se = Math.sqrt((1 / pi - 1) / n); // Var ξ = 1/π − 1
    expect(Math.abs(sum / n - 1)).toBeLessThan(5 * se);
  });

  it("bad arguments are refused", () => {
    expect(() => truncatedGradient(p, s, -1)).toThrow(RangeError);
    expect(() => truncatedGradient(p, s, 1.5)).toThrow(RangeError);
    expect(() => sampleXi(0, 3, makeRng(1))).toThrow(RangeError);
    expect(() => sampleXi([0.5, 0.5], 3, makeRng(1))).toThrow(RangeError);
    expect(() => randomizedGradient(p, s, [1, 1])).toThrow(RangeError);
    expect(() => monteCarloRandomized(p, s, 0.5, 1, makeRng(1))).toThrow(RangeError);
    const flat = flattenWeights(fullGradient(p, s));
    expect(Array.from(flattenWeights(unflattenWeights(flat, p)))).toEqual(Array.from(flat));
    expect(() => unflattenWeights(flat.slice(1), p)).toThrow(RangeError);
  });
});

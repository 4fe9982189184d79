/**
 * lib/d2l/intuition.ts — Step 3 of the intuition page on D2L's RNN with an activation: each display as
 * written and corrected, checked against central finite differences of L = Σ_t L_t (and the backward pass), for
 * every activation and a few sizes; the slips pinned: Step 3c as written is identically 0, Step 3d as written has
 * the shape of h.
 */
import { describe, expect, it } from "vitest";
import { d2lForward } from "../../lib/d2l/model.js";
import { d2lBackward } from "../../lib/d2l/d2l.js";
import { numericalDhdw, numericalSumLossGrads, sumLossFromMean } from "../../lib/d2l/checks.js";
import {
  intuitionLoss, intuitionStep3b, intuitionStep3cAsPrinted, intuitionStep3cCorrected, intuitionStep3dAsPrinted,
  intuitionStep3dCorrected, localStepGrads,
} from "../../lib/d2l/intuition.js";
import { maxAbs, maxAbsDiff, scale } from "../../lib/core/matrix.js";
import { gradientNormDemo } from "../../lib/d2l/vanishing.js";
import { relMaxError } from "../../lib/core/fd.js";
import { FD_REL_TOL, ROUNDING_TOL } from "../../lib/core/tolerances.js";

const CASES = [
  { hidden: 4, T: 6, seed: 1, rho: 0.9, activation: "tanh" as const },
  { hidden: 3, T: 5, seed: 2, rho: 1.2, activation: "identity" as const },
  { hidden: 5, T: 4, seed: 3, rho: 0.7, activation: "relu" as const },
  { hidden: 1, T: 3, seed: 4, rho: 0.5, activation: "tanh" as const },
];
const build = (c: (typeof CASES)[number]) => gradientNormDemo({ ...c, lossAt: "all" });

describe.each(CASES.map((c) => [`h ${c.hidden}, T ${c.T}, ${c.activation}, ρ ${c.rho}`, c] as const))("intuition Step 3, %s", (_, c) => {
  const { p, s, opts } = build(c);
  const fd = numericalSumLossGrads(p, s, opts);

  it("intuitionLoss (Step 3a): L = Σ_t L_t is T times D2L's mean loss", () => {
    const L = intuitionLoss(p, s, opts);
    expect(Math.abs(L.sum - c.T * d2lForward(p, s, opts).loss)).toBeLessThan(ROUNDING_TOL * 100);
    expect(Math.abs(L.mean * c.T - L.sum)).toBeLessThan(ROUNDING_TOL * 100);
    expect(sumLossFromMean(p, s, opts)).toBe(c.T * d2lForward(p, s, opts).loss); // the page's check reference
  });

  it("localStepGrads: ∂L_t/∂h_t = W_qhᵀ ∂l_t/∂o_t is T × D2L's ∂L/∂h_T at the last step (only the local path there)", () => {
    const g = localStepGrads(p, s, opts);
    const dh = d2lBackward(p, s, opts).dL_dh;
    expect(maxAbsDiff(g[c.T - 1]!, dh[c.T - 1]!.map((v) => v * c.T))).toBeLessThan(ROUNDING_TOL * 100);
  });

  it("intuitionStep3b matches finite differences of Σ_t L_t", () => {
    expect(relMaxError(intuitionStep3b(p, s, opts), fd.W_hh)).toBeLessThan(FD_REL_TOL);
  });

  it("intuitionStep3cAsPrinted is identically 0 (no direct term), while ∂h_t/∂W_hh is not", () => {
    const num = numericalDhdw(p, s, opts, ["W_hh"]);
    for (const D of intuitionStep3cAsPrinted(p, s, opts)) expect(maxAbs(D)).toBe(0);
    expect(maxAbs(num[c.T - 1]!)).toBeGreaterThan(1e-3);
  });

  it("intuitionStep3cCorrected matches finite differences of every h_t in W_hh", () => {
    expect(relMaxError(intuitionStep3cCorrected(p, s, opts), numericalDhdw(p, s, opts, ["W_hh"]))).toBeLessThan(FD_REL_TOL);
  });

  it("intuitionStep3dAsPrinted has the shape of h ([h]), not of W_hh ([h, h])", () => {
    const v = intuitionStep3dAsPrinted(p, s, opts);
    expect(v.length).toBe(c.hidden);
    expect([fd.W_hh.rows, fd.W_hh.cols]).toEqual([c.hidden, c.hidden]);
  });

  it("intuitionStep3dCorrected matches finite differences of Σ_t L_t and T × the backward pass", () => {
    const G = intuitionStep3dCorrected(p, s, opts);
    expect(relMaxError(G, fd.W_hh)).toBeLessThan(FD_REL_TOL);
    expect(maxAbsDiff(G, scale(d2lBackward(p, s, opts).W_hh, c.T))).toBeLessThan(1e-12);
  });
});

describe("the checks can fail", () => {
  const { p, s, opts } = build(CASES[0]!);
  const fd = numericalSumLossGrads(p, s, opts);
  it("D2L's mean-loss gradient (the 'average' of the text) is rejected against the sum's finite differences", () => {
    expect(relMaxError(d2lBackward(p, s, opts).W_hh, fd.W_hh)).toBeGreaterThan(0.5);
  });
  it("a gradient built from Step 3c as written (identically 0) is rejected", () => {
    const zero = scale(fd.W_hh, 0);
    expect(intuitionStep3cAsPrinted(p, s, opts).every((D) => maxAbs(D) === 0)).toBe(true);
    expect(relMaxError(zero, fd.W_hh)).toBeGreaterThan(0.5);
  });
  it("Step 3d corrected evaluated on the model without recurrence (W_hh = 0) is rejected", () => {
    const noRec = intuitionStep3dCorrected({ ...p, W_hh: scale(p.W_hh, 0) }, s, opts);
    expect(relMaxError(noRec, fd.W_hh)).toBeGreaterThan(1e-3);
  });
});

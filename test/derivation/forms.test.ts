/**
 * The intermediate forms of §3 (lib/derivation/forms.ts) against the summary forms of §4 (lib/derivation/backward.ts), against finite
 * differences, and against hand-worked values. Every comparison is between two different computations, so each
 * one can fail.
 */
import { describe, expect, it } from "vitest";
import { backward, gradW, hiddenGrads, logitGrads } from "../../lib/derivation/backward.js";
import { forward, hPrevAt, softmax } from "../../lib/derivation/forward.js";
import {
  columnBroadcastHadamard, dAi_dU, dAi_dW, dOi_dV, dXi_dE, dX_dE, embeddingContributions, flattenRows, foldRows,
  gradBDiagForm, gradCDummySum, gradCPerStep, gradEOneHotForm, gradETensorForm, gradETripleSum, gradUPerIndexForm,
  gradVPerIndexForm, gradWPerIndexForm, gradWAsPrinted, hiddenGradsBroadcastForm, hiddenGradsDiagForm,
  hiddenStepJacobian, logitGradChainRule, logitGradEq33AsPrinted, logitGradTwoCases, numericalHiddenStepJacobian, oneHotColumn,
  projectionJacobian, remark322, rowBroadcastHadamard, rowTimesStack, softmaxJacobian, stepLossGradWrtYhat,
} from "../../lib/derivation/forms.js";
import { numericalHiddenGrads, numericalLogitGrads, numericalParamGrads } from "../../lib/derivation/gradcheck.js";
import {
  type Matrix, type Vector, ShapeError, fromRows, get, maxAbs, maxAbsDiff, row, shapeText, transpose, zeros,
} from "../../lib/core/matrix.js";
import { type H0Kind, H0_KINDS, type Sizes, initParams, initialHidden } from "../../lib/derivation/model.js";
import { makeRng } from "../../lib/core/rng.js";
// ROUNDING_TOL = 1e-12 (absolute): a form and its summary compute the same O(1) numbers (|h| < 1, weights below
// √3, gradients below ~1) by different orders of at most a few hundred float64 operations, so they differ by
// at most ~1e-14; any wrong term, factor or broadcast shows up at 1e-4 or more. FD_TOL = 1e-8 for central
// differences with ε = 1e-5 (truncation ~1e-10, rounding ~1e-11). Both are shared with the site's pages.
import { FD_TOL, ROUNDING_TOL } from "../../lib/core/tolerances.js";
import { InputError } from "../../lib/core/tokens.js";

// ---------------------------------------------------------------------------------------------------------------
// Fixtures.

interface Base {
  label: string;
  seed: number;
  sizes: Sizes;
  tau: number;
  inputs?: number[];
  targets?: number[];
}

const BASES: Base[] = [
  { label: "generic A", seed: 1, sizes: { vocab: 5, dModel: 3, hidden: 4 }, tau: 6 },
  { label: "generic B", seed: 2, sizes: { vocab: 6, dModel: 4, hidden: 5 }, tau: 7 },
  {
    // token 2 occurs three times; 1, 3, 4 and 6 never occur as inputs (1 occurs only as a target)
    label: "repeated and unseen tokens", seed: 7, sizes: { vocab: 7, dModel: 3, hidden: 4 }, tau: 5,
    inputs: [2, 0, 2, 2, 5], targets: [0, 2, 2, 5, 1],
  },
  { label: "larger", seed: 2024, sizes: { vocab: 9, dModel: 5, hidden: 6 }, tau: 10 },
  { label: "τ = 1", seed: 3, sizes: { vocab: 4, dModel: 2, hidden: 3 }, tau: 1, inputs: [1], targets: [3] },
  { label: "hidden = 1", seed: 5, sizes: { vocab: 4, dModel: 3, hidden: 1 }, tau: 5 },
  { label: "vocab = 1", seed: 11, sizes: { vocab: 1, dModel: 2, hidden: 3 }, tau: 4 },
  { label: "d_model = 1", seed: 13, sizes: { vocab: 3, dModel: 1, hidden: 2 }, tau: 4 },
  { label: "all sizes 1", seed: 17, sizes: { vocab: 1, dModel: 1, hidden: 1 }, tau: 1 },
];

interface Case extends Base {
  name: string;
  h0Kind: H0Kind;
}

const CASES: Case[] = BASES.flatMap((b) => H0_KINDS.map((h0Kind) => ({ ...b, h0Kind, name: `${b.label}, seed ${b.seed}, h0 ${h0Kind}` })));

function setup(c: Base & { h0Kind: H0Kind }) {
  const rng = makeRng(c.seed);
  const p = initParams(c.sizes, rng);
  const inputs = c.inputs ?? Array.from({ length: c.tau }, () => rng.int(c.sizes.vocab));
  const targets = c.targets ?? Array.from({ length: c.tau }, () => rng.int(c.sizes.vocab));
  const h0 = initialHidden(c.h0Kind, c.sizes.hidden);
  const f = forward(p, inputs, targets, h0);
  const g = backward(p, f, inputs, targets);
  return { p, inputs, targets, h0, f, g };
}

/** Same shape and every entry within `tol` (absolute); NaN anywhere fails. */
function expectAgree(actual: Matrix | Vector, expected: Matrix | Vector, tol = ROUNDING_TOL): void {
  expect(shapeText(actual)).toBe(shapeText(expected));
  const d = maxAbsDiff(actual, expected);
  expect(Number.isNaN(d)).toBe(false);
  expect(d).toBeLessThanOrEqual(tol);
}

const distinct = (xs: readonly number[]) => [...new Set(xs)];

// ---------------------------------------------------------------------------------------------------------------
// Each form against its summary, for every case.

describe.each(CASES)("$name", (c) => {
  const { p, inputs, targets, h0, f, g } = setup(c);
  const vocab = c.sizes.vocab;

  it("eq 3.1 chain rule with the full softmax Jacobian equals eq 4.1", () => {
    expectAgree(logitGradChainRule(f.yhat, targets), g.dL_do);
  });

  it("eqs 3.2/3.3 in their middle forms (3.3 with its sign restored) equal eq 3.4 (= eq 4.1), eq 3.2 exactly at the targets", () => {
    const { dL_do, cases } = logitGradTwoCases(f.yhat, targets);
    expectAgree(dL_do, g.dL_do);
    expect(cases.length).toBe(c.tau);
    cases.forEach((caseRow, t) => {
      expect(caseRow.length).toBe(vocab);
      caseRow.forEach((which, i) => expect(which).toBe(i === targets[t] ? "3.2" : "3.3"));
    });
  });

  it("eq 3.7 diag[1 − (h⁽ᵗ⁺¹⁾)²] W equals eq 3.8's column broadcast and its finite-difference Jacobian", () => {
    for (let step = 0; step < c.tau; step++) {
      const J = hiddenStepJacobian(row(f.h, step), p.W);
      expect(shapeText(J)).toBe(`[${c.sizes.hidden},${c.sizes.hidden}]`);
      expectAgree(J, columnBroadcastHadamard(row(f.h, step).map((v) => 1 - v * v), p.W));
      expectAgree(J, numericalHiddenStepJacobian(p, f, inputs, step), FD_TOL);
    }
  });

  it("eqs 3.5–3.8 (explicit diag product) equal eqs 4.2–4.3", () => {
    expectAgree(hiddenGradsDiagForm(g.dL_do, f.h, p.V, p.W), g.dL_dh);
  });

  it("eq 3.8 second line (column broadcast) equals eqs 4.2–4.3", () => {
    expectAgree(hiddenGradsBroadcastForm(g.dL_do, f.h, p.V, p.W), g.dL_dh);
  });

  it("eq 3.10 per-step (DL)_{c⁽ᵗ⁾} via the identity Jacobian are the rows of (DL)_{o⁽ᵗ⁾}; eq 3.9 sum equals eq 4.4", () => {
    const perStep = gradCPerStep(g.dL_do);
    expect(perStep.length).toBe(c.tau);
    perStep.forEach((v, t) => expectAgree(v, row(g.dL_do, t)));
    expectAgree(gradCDummySum(g.dL_do), g.dL_dc);
  });

  it("eq 3.12 with explicit diag and identity Jacobians equals eq 4.5", () => {
    expectAgree(gradBDiagForm(g.dL_dh, f.h), g.dL_db);
  });

  it("eq 3.13 per-index sum with (Do_i)_V equals eq 3.14 (= eq 4.6)", () => {
    expectAgree(gradVPerIndexForm(g.dL_do, f.h), g.dL_dV);
  });

  it("eq 3.15 per-index sum with (Da_i)_W equals eq 3.16 (= eq 4.7), h⁽⁰⁾ included", () => {
    expectAgree(gradWPerIndexForm(g.dL_dh, f.h, f.h0), g.dL_dW);
  });

  it("eq 3.17 per-index sum with (Da_i)_U equals eq 3.18 (= eq 4.8)", () => {
    expectAgree(gradUPerIndexForm(g.dL_dh, f.h, f.x), g.dL_dU);
  });

  it("eq 3.19 triple sum equals eq 4.9", () => {
    expectAgree(gradETripleSum(g.dL_dh, f.h, p.U, inputs, vocab), g.dL_dE);
  });

  it("eq 3.20 with the stacked tensor (Dx⁽ᵗ⁾)_E equals eq 4.9", () => {
    expectAgree(gradETensorForm(g.dL_dh, f.h, p.U, inputs, vocab), g.dL_dE);
  });

  it("eq 3.21 one-hot column times row vector equals eq 4.9", () => {
    expectAgree(gradEOneHotForm(g.dL_dh, f.h, p.U, inputs, vocab), g.dL_dE);
  });

  it("Remark 3.22 flatten, projection Jacobian, fold equals eq 4.9", () => {
    expectAgree(remark322(g.dL_dh, f.h, p.U, inputs, vocab), g.dL_dE);
  });

  it("eqs 3.19–3.22 leave rows of tokens that are never inputs exactly zero", () => {
    const unseen = Array.from({ length: vocab }, (_, k) => k).filter((k) => !inputs.includes(k));
    for (const form of [gradETripleSum, gradETensorForm, gradEOneHotForm, remark322]) {
      const dL_dE = form(g.dL_dh, f.h, p.U, inputs, vocab);
      for (const k of unseen) expect(Array.from(row(dL_dE, k)).every((v) => v === 0)).toBe(true);
    }
  });

  it("eq 3.21 term by term: each token's row of eq 4.9 is the sum of its occurrences' contributions", () => {
    const contributions = embeddingContributions(g.dL_dh, f.h, p.U, inputs);
    expect(contributions.map((k) => k.t)).toEqual(inputs.map((_, t) => t + 1));
    expect(contributions.map((k) => k.token)).toEqual(inputs);
    for (const token of distinct(inputs)) {
      const sum = new Float64Array(c.sizes.dModel);
      for (const k of contributions.filter((k) => k.token === token)) k.row.forEach((v, j) => (sum[j]! += v));
      expectAgree(sum, row(g.dL_dE, token));
    }
  });

  it("the Jacobians displayed after eqs 3.13, 3.15 and 3.17 reproduce o⁽ᵗ⁾ and a⁽ᵗ⁾ (linear in V, W, U)", () => {
    // For a linear map, ⟨(Dz)_M, M⟩ = z; this checks which row the vector is placed in and which vector it is.
    const inner = (A: Matrix, B: Matrix) => A.data.reduce((s, v, k) => s + v * B.data[k]!, 0);
    for (let t = 0; t < c.tau; t++) {
      for (let i = 0; i < vocab; i++) {
        expect(Math.abs(inner(dOi_dV(i, row(f.h, t), vocab), p.V) + p.c[i]! - get(f.o, t, i))).toBeLessThanOrEqual(ROUNDING_TOL);
      }
      for (let i = 0; i < c.sizes.hidden; i++) {
        const a = inner(dAi_dW(i, hPrevAt(f, t), c.sizes.hidden), p.W) + inner(dAi_dU(i, row(f.x, t), c.sizes.hidden), p.U) + p.b[i]!;
        expect(Math.abs(a - get(f.a, t, i))).toBeLessThanOrEqual(ROUNDING_TOL);
      }
    }
  });

  it("eq 3.1's softmax Jacobian and (DL⁽ᵗ⁾)_ŷ have the stated entries", () => {
    for (let t = 0; t < c.tau; t++) {
      const y = row(f.yhat, t);
      const J = softmaxJacobian(y);
      // each row of a softmax Jacobian sums to 0 because Σ_k ŷ_k = 1 whatever o is
      for (let k = 0; k < vocab; k++) expect(Math.abs(Array.from(row(J, k)).reduce((s, v) => s + v, 0))).toBeLessThanOrEqual(ROUNDING_TOL);
      const d = stepLossGradWrtYhat(y, targets[t]!);
      d.forEach((v, k) => expect(v).toBe(k === targets[t] ? -1 / y[k]! : 0));
    }
  });

  it("Remark 3.22's projection Jacobian maps the unfolded E to x⁽ᵗ⁾, and eqs 3.19/3.20's Jacobians are its rearrangements", () => {
    const e = flattenRows(p.E);
    const d = c.sizes.dModel;
    for (let t = 0; t < c.tau; t++) {
      const J = projectionJacobian(inputs[t]!, vocab, d);
      const x = Array.from({ length: d }, (_, k) => Array.from(row(J, k)).reduce((s, v, l) => s + v * e[l]!, 0));
      expect(x).toEqual(Array.from(row(f.x, t)));
      const T = dX_dE(inputs[t]!, vocab, d);
      for (let r = 0; r < vocab; r++) {
        for (let k = 0; k < d; k++) for (let j = 0; j < d; j++) expect(get(T, r * d + k, j)).toBe(get(J, k, r * d + j));
      }
      for (let i = 0; i < d; i++) expect(dXi_dE(i, inputs[t]!, vocab, d)).toEqual(foldRows(row(J, i), vocab, d));
    }
  });

  it("h0 is the stated convention (so both are exercised)", () => {
    expect(Array.from(h0).every((v) => v === (c.h0Kind === "zeros" ? 0 : 0.1))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The agreement above is not vacuous, and the forms are right on their own (finite differences, not backward.ts).

describe("non-vacuous and independent checks", () => {
  const c: Case = { ...BASES[2]!, h0Kind: "point-one", name: "repeated, point-one" };
  const { p, inputs, targets, h0, f, g } = setup(c);

  it("every summary gradient in a generic case is far from zero, so agreement to 1e-12 means something", () => {
    for (const m of [g.dL_do, g.dL_dh, g.dL_dc, g.dL_db, g.dL_dV, g.dL_dW, g.dL_dU, g.dL_dE]) expect(maxAbs(m)).toBeGreaterThan(1e-3);
  });

  it("eqs 3.1, 3.2/3.3 and 3.5–3.8 match finite differences of the loss", () => {
    const numLogits = numericalLogitGrads(f, targets);
    expectAgree(logitGradChainRule(f.yhat, targets), numLogits, FD_TOL);
    expectAgree(logitGradTwoCases(f.yhat, targets).dL_do, numLogits, FD_TOL);
    const numHidden = numericalHiddenGrads(p, f, inputs, targets);
    expectAgree(hiddenGradsDiagForm(g.dL_do, f.h, p.V, p.W), numHidden, FD_TOL);
    expectAgree(hiddenGradsBroadcastForm(g.dL_do, f.h, p.V, p.W), numHidden, FD_TOL);
  });

  it("eqs 3.9–3.21 and Remark 3.22 match finite differences of the loss", () => {
    const num = numericalParamGrads(p, inputs, targets, h0);
    expectAgree(gradCDummySum(g.dL_do), num.c, FD_TOL);
    expectAgree(gradBDiagForm(g.dL_dh, f.h), num.b, FD_TOL);
    expectAgree(gradVPerIndexForm(g.dL_do, f.h), num.V, FD_TOL);
    expectAgree(gradWPerIndexForm(g.dL_dh, f.h, f.h0), num.W, FD_TOL);
    expectAgree(gradUPerIndexForm(g.dL_dh, f.h, f.x), num.U, FD_TOL);
    for (const form of [gradETripleSum, gradETensorForm, gradEOneHotForm, remark322]) {
      expectAgree(form(g.dL_dh, f.h, p.U, inputs, p.E.rows), num.E, FD_TOL);
    }
  });

  it("eq 3.21 contributions: the repeated token 2 collects three rows, in steps 1, 3 and 4", () => {
    const contributions = embeddingContributions(g.dL_dh, f.h, p.U, inputs).filter((k) => k.token === 2);
    expect(contributions.map((k) => k.t)).toEqual([1, 3, 4]);
    // the three rows are genuinely different, so summing them (not copying one) is what the test above checked
    expect(maxAbsDiff(contributions[0]!.row, contributions[1]!.row)).toBeGreaterThan(1e-6);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The broadcast convention of eq 3.8 matters.

describe("eq 3.8: column broadcast (the derivation) against row broadcast (PyTorch on a 1-D tensor)", () => {
  it("hand example: column scales rows, row scales columns", () => {
    const v = new Float64Array([1, 2]);
    const W = fromRows([[1, 2], [3, 4]]);
    expectAgree(columnBroadcastHadamard(v, W), fromRows([[1, 2], [6, 8]]));
    expectAgree(rowBroadcastHadamard(v, W), fromRows([[1, 4], [3, 8]]));
  });

  it("they differ for a non-symmetric W and non-constant v, and agree when v is constant", () => {
    const { p, f } = setup({ ...BASES[0]!, h0Kind: "zeros" });
    const v = row(f.h, 2).map((x) => 1 - x * x);
    expect(maxAbsDiff(p.W, transpose(p.W))).toBeGreaterThan(1e-3); // W is not symmetric
    expect(maxAbsDiff(rowBroadcastHadamard(v, p.W), columnBroadcastHadamard(v, p.W))).toBeGreaterThan(1e-4);
    const constant = new Float64Array(p.W.rows).fill(0.7);
    expectAgree(rowBroadcastHadamard(constant, p.W), columnBroadcastHadamard(constant, p.W));
  });

  it("the row broadcast gives hidden gradients that disagree with eq 4.3 and with finite differences", () => {
    const c = { ...BASES[1]!, h0Kind: "point-one" as const };
    const { p, inputs, targets, f, g } = setup(c);
    const wrong = hiddenGradsBroadcastForm(g.dL_do, f.h, p.V, p.W, "row");
    expect(maxAbsDiff(wrong, hiddenGrads(g.dL_do, f.h, p.V, p.W))).toBeGreaterThan(1e-4);
    expect(maxAbsDiff(wrong, numericalHiddenGrads(p, f, inputs, targets))).toBeGreaterThan(1e-4);
    // the last step has no recursion, so the broadcast cannot matter there
    expectAgree(row(wrong, c.tau - 1), row(g.dL_dh, c.tau - 1));
  });

  it("W diag[1 − h²] (the row-broadcast Jacobian) fails the finite-difference check that eq 3.7 passes", () => {
    const { p, inputs, f } = setup({ ...BASES[0]!, h0Kind: "zeros" });
    const v = row(f.h, 3).map((x) => 1 - x * x);
    expect(maxAbsDiff(rowBroadcastHadamard(v, p.W), numericalHiddenStepJacobian(p, f, inputs, 3))).toBeGreaterThan(1e-4);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Errata and numerical caveats.

describe("erratum after eq 3.15: (1 − h⁽ᵗ⁺¹⁾)² in the prose where eq 3.16 has 1 − (h⁽ᵗ⁺¹⁾)²", () => {
  it("hand example, τ = 1, hidden = 1: the typo gives g(1 − h)²h⁽⁰⁾, eq 3.16 gives g(1 − h²)h⁽⁰⁾", () => {
    const dL_dh = fromRows([[0.5]]), h = fromRows([[0.6]]), h0 = new Float64Array([0.1]);
    expect(gradWAsPrinted(dL_dh, h, h0).data[0]).toBeCloseTo(0.5 * 0.16 * 0.1, 15);
    expect(gradW(dL_dh, h, h0).data[0]).toBeCloseTo(0.5 * 0.64 * 0.1, 15);
  });

  it.each(H0_KINDS)("the typo differs from eq 3.16 and from finite differences (h0 %s)", (h0Kind) => {
    const { p, inputs, targets, h0, f, g } = setup({ ...BASES[0]!, h0Kind });
    const typo = gradWAsPrinted(g.dL_dh, f.h, f.h0);
    expect(maxAbsDiff(typo, g.dL_dW)).toBeGreaterThan(1e-4);
    expect(maxAbsDiff(typo, numericalParamGrads(p, inputs, targets, h0).W)).toBeGreaterThan(1e-4);
  });
});

describe("erratum in eq 3.3: the middle expression −(1/τ)(1/ŷ_y)(ŷ_y ŷ_i) drops the sign of (Dŷ_y)_{o_i} = −ŷ_y ŷ_i", () => {
  it.each(CASES.filter((c) => c.sizes.vocab > 1).slice(0, 4))("as printed it is −(eq 4.1) off the target and eq 4.1 on it ($name)", (c) => {
    const { f, targets, g } = setup(c);
    const printed = logitGradEq33AsPrinted(f.yhat, targets);
    expect(maxAbsDiff(printed, g.dL_do)).toBeGreaterThan(1e-3);
    for (let t = 0; t < c.tau; t++) {
      for (let i = 0; i < c.sizes.vocab; i++) {
        const want = i === targets[t] ? get(g.dL_do, t, i) : -get(g.dL_do, t, i);
        expect(Math.abs(get(printed, t, i) - want)).toBeLessThanOrEqual(ROUNDING_TOL);
      }
    }
  });

  it("hand example: ŷ = (0.5, 0.3, 0.2), y = 0, τ = 1 — printed −0.3, −0.2; eq 3.3's result and eq 3.4 give +0.3, +0.2", () => {
    const yhat = fromRows([[0.5, 0.3, 0.2]]);
    expect(Array.from(logitGradEq33AsPrinted(yhat, [0]).data).map((v) => +v.toFixed(12))).toEqual([-0.5, -0.3, -0.2]);
    expect(Array.from(logitGradTwoCases(yhat, [0]).dL_do.data).map((v) => +v.toFixed(12))).toEqual([-0.5, 0.3, 0.2]);
  });
});

describe("eqs 3.1–3.3 divide by ŷ_y, eq 3.4 does not", () => {
  it("when the target's probability underflows to 0 the literal forms give NaN and eq 3.4 stays finite", () => {
    const yhat = fromRows([softmax(new Float64Array([0, -800]))]);
    expect(get(yhat, 0, 1)).toBe(0);
    const targets = [1];
    expect(Array.from(logitGrads(yhat, targets).data)).toEqual([1, -1]);
    expect(Array.from(logitGradTwoCases(yhat, targets).dL_do.data).every(Number.isNaN)).toBe(true);
    expect(Array.from(logitGradChainRule(yhat, targets).data).some(Number.isNaN)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Building blocks on hand values.

describe("explicit Jacobians on hand values", () => {
  it("(Do_i)_V, (Da_i)_W, (Da_i)_U put the vector in row i and nowhere else", () => {
    const v = new Float64Array([0.3, -0.2]);
    expect(dOi_dV(1, v, 3)).toEqual(fromRows([[0, 0], [0.3, -0.2], [0, 0]]));
    expect(dAi_dW(0, v, 2)).toEqual(fromRows([[0.3, -0.2], [0, 0]]));
    expect(dAi_dU(2, v, 3)).toEqual(fromRows([[0, 0], [0, 0], [0.3, -0.2]]));
  });

  it("eq 3.19's (Dx_i)_E, eq 3.20's stacked tensor, eq 3.21's one-hot column, Remark 3.22's projection", () => {
    expect(dXi_dE(1, 2, 3, 2)).toEqual(fromRows([[0, 0], [0, 0], [0, 1]]));
    expect(dX_dE(1, 2, 2)).toEqual(fromRows([[0, 0], [0, 0], [1, 0], [0, 1]]));
    expect(oneHotColumn(2, 3)).toEqual(fromRows([[0], [0], [1]]));
    expect(projectionJacobian(1, 3, 2)).toEqual(fromRows([[0, 0, 1, 0, 0, 0], [0, 0, 0, 1, 0, 0]]));
    expect(rowTimesStack(new Float64Array([5, 7]), dX_dE(1, 3, 2))).toEqual(fromRows([[0, 0], [5, 7], [0, 0]]));
    const E = fromRows([[1, 2], [3, 4], [5, 6]]);
    expect(Array.from(flattenRows(E))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(foldRows(flattenRows(E), 3, 2)).toEqual(E);
  });

  it("eq 3.7 on a 2 × 2 example: diag[1 − h²] W scales row i by 1 − h_i²", () => {
    const J = hiddenStepJacobian(new Float64Array([0.5, 0]), fromRows([[1, 2], [3, 4]]));
    expectAgree(J, fromRows([[0.75, 1.5], [3, 4]]));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Shape errors name the operation, the operands and both shapes.

describe("shape errors", () => {
  const v3 = new Float64Array(3), W22 = zeros(2, 2);
  const expectShapeError = (fn: () => unknown, message: RegExp) => {
    expect(fn).toThrow(ShapeError);
    expect(fn).toThrow(message);
  };

  it("broadcasts and eq 3.7 name v/hNext and W with both shapes", () => {
    expectShapeError(() => columnBroadcastHadamard(v3, W22), /^columnBroadcastHadamard: length and rows 3 and 2 of v \[3\] and W \[2,2\] must match$/);
    expectShapeError(() => rowBroadcastHadamard(v3, zeros(3, 2)), /^rowBroadcastHadamard: length and columns 3 and 2 of v \[3\] and W \[3,2\] must match$/);
    expectShapeError(() => hiddenStepJacobian(v3, W22), /^hiddenStepJacobian: lengths 3 and 2 of hNext \[3\] and W \[2,2\] must match$/);
    expectShapeError(() => hiddenStepJacobian(new Float64Array(2), zeros(2, 3)), /hiddenStepJacobian: .*W \[2,3\]/);
  });

  it("eq 3.1 checks targets against yhat (ShapeError) and token ids (InputError)", () => {
    expectShapeError(() => logitGradChainRule(zeros(2, 3), [0]), /^logitGradChainRule: step counts 1 and 2 of targets \[1\] and yhat \[2,3\] must match$/);
    expect(() => logitGradTwoCases(zeros(1, 3), [3])).toThrow(InputError);
    expect(() => logitGradTwoCases(zeros(1, 3), [3])).toThrow(/targets\[0\] = 3 is not a token id/);
  });

  it("the hidden-state forms check dL_do, h, V and W", () => {
    const h = zeros(3, 2), dL_do = zeros(3, 4);
    expectShapeError(() => hiddenGradsDiagForm(dL_do, h, zeros(5, 2), W22), /^hiddenGradsDiagForm: vocab sizes 4 and 5 of dL_do \[3,4\] and V \[5,2\] must match$/);
    expectShapeError(() => hiddenGradsBroadcastForm(zeros(2, 4), h, zeros(4, 2), W22), /^hiddenGradsBroadcastForm: step counts 2 and 3 of dL_do \[2,4\] and h \[3,2\] must match$/);
    expectShapeError(() => hiddenGradsDiagForm(dL_do, h, zeros(4, 2), zeros(3, 3)), /^hiddenGradsDiagForm: hidden widths 2 and 3 of h \[3,2\] and W \[3,3\] must match$/);
    expectShapeError(() => hiddenGradsDiagForm(zeros(0, 4), zeros(0, 2), zeros(4, 2), W22), /no time steps/);
  });

  it("the parameter forms check dL_dh against h, h0, x and U", () => {
    expectShapeError(() => gradBDiagForm(zeros(3, 2), zeros(3, 4)), /^gradBDiagForm: hidden widths 2 and 4 of dL_dh \[3,2\] and h \[3,4\] must match$/);
    expectShapeError(() => gradWPerIndexForm(zeros(3, 2), zeros(3, 2), v3), /^gradWPerIndexForm: hidden widths 3 and 2 of h0 \[3\] and h \[3,2\] must match$/);
    expectShapeError(() => gradWAsPrinted(zeros(2, 2), zeros(3, 2), new Float64Array(2)), /^gradWAsPrinted: step counts 2 and 3 of dL_dh \[2,2\] and h \[3,2\] must match$/);
    expectShapeError(() => gradUPerIndexForm(zeros(3, 2), zeros(3, 2), zeros(4, 5)), /^gradUPerIndexForm: step counts 4 and 3 of x \[4,5\] and h \[3,2\] must match$/);
    expectShapeError(() => gradVPerIndexForm(zeros(2, 5), zeros(3, 2)), /^gradVPerIndexForm: step counts 2 and 3 of dL_do \[2,5\] and h \[3,2\] must match$/);
    expectShapeError(() => gradETripleSum(zeros(3, 2), zeros(3, 2), zeros(4, 5), [0, 1, 2], 3), /^gradETripleSum: hidden widths 2 and 4 of h \[3,2\] and U \[4,5\] must match$/);
    expectShapeError(() => remark322(zeros(3, 2), zeros(3, 2), zeros(2, 5), [0, 1], 3), /^remark322: step counts 2 and 3 of inputs \[2\] and h \[3,2\] must match$/);
    expectShapeError(() => embeddingContributions(zeros(3, 2), zeros(3, 2), zeros(2, 5), [0]), /^embeddingContributions: step counts 1 and 3 of inputs \[1\] and h \[3,2\] must match$/);
    expect(() => gradETensorForm(zeros(2, 2), zeros(2, 2), zeros(2, 5), [0, 7], 3)).toThrow(/inputs\[1\] = 7 is not a token id/);
  });

  it("the explicit Jacobians and the contraction check indices and sizes", () => {
    expectShapeError(() => dOi_dV(3, v3, 3), /^dOi_dV: row index i 3 is out of range: expected an integer from 0 to 2$/);
    expectShapeError(() => dAi_dW(0, v3, 2), /^dAi_dW: length 3 of hPrev \[3\] and hidden 2 must match$/);
    expectShapeError(() => dXi_dE(2, 0, 3, 2), /^dXi_dE: component i 2 is out of range/);
    expectShapeError(() => dX_dE(0, 0, 2), /^dX_dE: vocab must be a positive integer, got 0$/);
    expectShapeError(() => rowTimesStack(v3, zeros(4, 3)), /^rowTimesStack: rows 4 of T \[4,3\] are not a whole number of blocks of height 3 = length of v \[3\]$/);
    expectShapeError(() => foldRows(v3, 2, 2), /^foldRows: length 3 of e \[3\] and size 4 of the fold \[2,2\] must match$/);
  });

  it("numericalHiddenStepJacobian checks the step", () => {
    const { p, inputs, f } = setup({ ...BASES[0]!, h0Kind: "zeros" });
    expectShapeError(() => numericalHiddenStepJacobian(p, f, inputs, BASES[0]!.tau), /^numericalHiddenStepJacobian: step 6 is out of range: expected an integer from 0 to 5$/);
  });
});

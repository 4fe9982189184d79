/**
 * lib/derivation/hidden.ts, §3.2: eqs 3.5–3.8 against eqs 4.2–4.3 (lib/derivation/backward.ts), against finite differences
 * (lib/derivation/gradcheck.ts, lib/derivation/hidden-checks.ts) and hand values; both readings of eq 3.8's broadcast; the
 * two terms of eq 3.6.
 */
import { describe, expect, it } from "vitest";
import { hiddenGrads } from "../../lib/derivation/backward.js";
import {
  columnBroadcastHadamard, hiddenGradStep, hiddenGradTerms, hiddenGradsBroadcastForm, hiddenGradsDiagForm, hiddenStepJacobian,
  maxAbsDiffPerRow, rowBroadcastHadamard,
} from "../../lib/derivation/hidden.js";
import { numericalHiddenStepJacobian } from "../../lib/derivation/hidden-checks.js";
import { numericalHiddenGrads } from "../../lib/derivation/gradcheck.js";
import { numericalGradients } from "../../lib/state/example.js";
import { ShapeError, add, fromRows, get, maxAbsDiff, row, shapeText, transpose, zeros } from "../../lib/core/matrix.js";
import { FD_TOL, ROUNDING_TOL } from "../../lib/core/tolerances.js";
import { expectWithin } from "../close.js";
import { BASES, CASES, EXAMPLES, REPEATED, expectShapeError, setup } from "./fixtures.js";

// Absolute tolerances, as the pages use them: ROUNDING_TOL = 1e-12 between a form and its summary (the same O(1)
// numbers by different orders of at most a few hundred float64 operations differ by ~1e-14; a wrong term, factor or
// broadcast shows up at 1e-4 or more), FD_TOL = 1e-8 against central differences (truncation ~1e-10, rounding ~1e-11).
// `expectWithin(what, a, b, 0, tol)` accepts on the largest absolute error alone.

describe.each(CASES)("$name", (c) => {
  const { p, inputs, f, g } = setup(c);
  it("eq 3.7 diag[1 − (h⁽ᵗ⁺¹⁾)²] W equals eq 3.8's column broadcast and its finite-difference Jacobian", () => {
    for (let step = 0; step < c.tau; step++) {
      const J = hiddenStepJacobian(row(f.h, step), p.W);
      expect(shapeText(J)).toBe(`[${c.sizes.hidden},${c.sizes.hidden}]`);
      expectWithin("J", J, columnBroadcastHadamard(row(f.h, step).map((v) => 1 - v * v), p.W), 0, ROUNDING_TOL);
      expectWithin("J", J, numericalHiddenStepJacobian(p, f, inputs, step), 0, FD_TOL);
    }
  });

  it("eqs 3.5–3.8 (explicit diag product) equal eqs 4.2–4.3", () => {
    expectWithin("hiddenGradsDiagForm", hiddenGradsDiagForm(g.dL_do, f.h, p.V, p.W), g.dL_dh, 0, ROUNDING_TOL);
  });

  it("eq 3.8 second line (column broadcast) equals eqs 4.2–4.3", () => {
    expectWithin("hiddenGradsBroadcastForm", hiddenGradsBroadcastForm(g.dL_do, f.h, p.V, p.W), g.dL_dh, 0, ROUNDING_TOL);
  });

  it("eq 3.8 one step at a time (hiddenGradStep) is row t of the diag form", () => {
    const diagForm = hiddenGradsDiagForm(g.dL_do, f.h, p.V, p.W);
    for (let t = 0; t + 1 < c.tau; t++) {
      expect(hiddenGradStep(row(diagForm, t + 1), row(f.h, t + 1), row(g.dL_do, t), p.V, p.W)).toEqual(row(diagForm, t));
    }
  });
});

describe("non-vacuous and independent checks", () => {
  const { p, inputs, targets, f, g } = setup(REPEATED);

  it("eqs 3.5–3.8 match finite differences of the loss", () => {
    const numHidden = numericalHiddenGrads(p, f, inputs, targets);
    expectWithin("hiddenGradsDiagForm", hiddenGradsDiagForm(g.dL_do, f.h, p.V, p.W), numHidden, 0, FD_TOL);
    expectWithin("hiddenGradsBroadcastForm", hiddenGradsBroadcastForm(g.dL_do, f.h, p.V, p.W), numHidden, 0, FD_TOL);
  });
});

describe("eq 3.8: column broadcast (the derivation) against row broadcast (PyTorch on a 1-D tensor)", () => {
  it("hand example: column scales rows, row scales columns", () => {
    const v = new Float64Array([1, 2]);
    const W = fromRows([[1, 2], [3, 4]]);
    expectWithin("columnBroadcastHadamard", columnBroadcastHadamard(v, W), fromRows([[1, 2], [6, 8]]), 0, ROUNDING_TOL);
    expectWithin("rowBroadcastHadamard", rowBroadcastHadamard(v, W), fromRows([[1, 4], [3, 8]]), 0, ROUNDING_TOL);
  });

  it("they differ for a non-symmetric W and non-constant v, and agree when v is constant", () => {
    const { p, f } = setup({ ...BASES[0]!, h0Kind: "zeros" });
    const v = row(f.h, 2).map((x) => 1 - x * x);
    expect(maxAbsDiff(p.W, transpose(p.W))).toBeGreaterThan(1e-3); // W is not symmetric
    expect(maxAbsDiff(rowBroadcastHadamard(v, p.W), columnBroadcastHadamard(v, p.W))).toBeGreaterThan(1e-4);
    const constant = new Float64Array(p.W.rows).fill(0.7);
    expectWithin("rowBroadcastHadamard", rowBroadcastHadamard(constant, p.W), columnBroadcastHadamard(constant, p.W), 0, ROUNDING_TOL);
  });

  it("the row broadcast gives hidden gradients that disagree with eq 4.3 and with finite differences", () => {
    const c = { ...BASES[1]!, h0Kind: "point-one" as const };
    const { p, inputs, targets, f, g } = setup(c);
    const wrong = hiddenGradsBroadcastForm(g.dL_do, f.h, p.V, p.W, "row");
    expect(maxAbsDiff(wrong, hiddenGrads(g.dL_do, f.h, p.V, p.W))).toBeGreaterThan(1e-4);
    expect(maxAbsDiff(wrong, numericalHiddenGrads(p, f, inputs, targets))).toBeGreaterThan(1e-4);
    // the last step has no recursion, so the broadcast cannot matter there
    expectWithin("row", row(wrong, c.tau - 1), row(g.dL_dh, c.tau - 1), 0, ROUNDING_TOL);
  });

  it("W diag[1 − h²] (the row-broadcast Jacobian) fails the finite-difference check that eq 3.7 passes", () => {
    const { p, inputs, f } = setup({ ...BASES[0]!, h0Kind: "zeros" });
    const v = row(f.h, 3).map((x) => 1 - x * x);
    expect(maxAbsDiff(rowBroadcastHadamard(v, p.W), numericalHiddenStepJacobian(p, f, inputs, 3))).toBeGreaterThan(1e-4);
  });
});

describe("eq 3.7 on hand values", () => {
  it("eq 3.7 on a 2 × 2 example: diag[1 − h²] W scales row i by 1 − h_i²", () => {
    const J = hiddenStepJacobian(new Float64Array([0.5, 0]), fromRows([[1, 2], [3, 4]]));
    expectWithin("J", J, fromRows([[0.75, 1.5], [3, 4]]), 0, ROUNDING_TOL);
  });
});

describe("shape errors", () => {
  const v3 = new Float64Array(3), W22 = zeros(2, 2);
  it("broadcasts and eq 3.7 name v/hNext and W with both shapes", () => {
    expectShapeError(() => columnBroadcastHadamard(v3, W22), /^columnBroadcastHadamard: length and rows 3 and 2 of v \[3\] and W \[2,2\] must match$/);
    expectShapeError(() => rowBroadcastHadamard(v3, zeros(3, 2)), /^rowBroadcastHadamard: length and columns 3 and 2 of v \[3\] and W \[3,2\] must match$/);
    expectShapeError(() => hiddenStepJacobian(v3, W22), /^hiddenStepJacobian: lengths 3 and 2 of hNext \[3\] and W \[2,2\] must match$/);
    expectShapeError(() => hiddenStepJacobian(new Float64Array(2), zeros(2, 3)), /hiddenStepJacobian: .*W \[2,3\]/);
  });

  it("the hidden-state forms check dL_do, h, V and W", () => {
    const h = zeros(3, 2), dL_do = zeros(3, 4);
    expectShapeError(() => hiddenGradsDiagForm(dL_do, h, zeros(5, 2), W22), /^hiddenGradsDiagForm: vocab sizes 4 and 5 of dL_do \[3,4\] and V \[5,2\] must match$/);
    expectShapeError(() => hiddenGradsBroadcastForm(zeros(2, 4), h, zeros(4, 2), W22), /^hiddenGradsBroadcastForm: step counts 2 and 3 of dL_do \[2,4\] and h \[3,2\] must match$/);
    expectShapeError(() => hiddenGradsDiagForm(dL_do, h, zeros(4, 2), zeros(3, 3)), /^hiddenGradsDiagForm: hidden widths 2 and 3 of h \[3,2\] and W \[3,3\] must match$/);
    expectShapeError(() => hiddenGradsDiagForm(zeros(0, 4), zeros(0, 2), zeros(4, 2), W22), /no time steps/);
  });
});


describe("eq 3.6: hiddenGradTerms", () => {
  it.each(EXAMPLES.map((ex) => [ex.config.text, ex] as const))("the two terms, fed the finite-difference (DL)_{h⁽ᵗ⁺¹⁾}, add up to the finite-difference (DL)_{h⁽ᵗ⁾} (%s)", (_, ex) => {
    const fd = numericalGradients(ex).dL_dh;
    const { throughNext, throughLogits } = hiddenGradTerms(fd, ex.grads.dL_do, ex.fwd.h, ex.params.V, ex.params.W);
    expect(maxAbsDiff(add(throughNext, throughLogits), fd)).toBeLessThanOrEqual(FD_TOL);
    // step τ (eq 3.5) has no next hidden state
    const tau = ex.inputs.length, hidden = ex.config.hidden;
    for (let j = 0; j < hidden; j++) expect(get(throughNext, tau - 1, j)).toBe(0);
  });

  it("the path through h⁽ᵗ⁺¹⁾ matters: the logits' term alone is not the gradient", () => {
    const ex = EXAMPLES[0]!;
    const { throughLogits } = hiddenGradTerms(ex.grads.dL_dh, ex.grads.dL_do, ex.fwd.h, ex.params.V, ex.params.W);
    expect(maxAbsDiff(throughLogits, numericalGradients(ex).dL_dh)).toBeGreaterThan(1e-3);
  });

  it("checks shapes", () => {
    const ex = EXAMPLES[0]!;
    expect(() => hiddenGradTerms(ex.grads.dL_do, ex.grads.dL_do, ex.fwd.h, ex.params.V, ex.params.W)).toThrow(ShapeError);
    expect(() => hiddenGradTerms(ex.grads.dL_dh, ex.grads.dL_do, ex.fwd.h, ex.params.W, ex.params.W)).toThrow(ShapeError);
  });
});

describe("eq 3.8: maxAbsDiffPerRow and the row-broadcast reading", () => {
  it("hand example, NaN kept", () => {
    const a = fromRows([[1, 2], [3, NaN]]), b = fromRows([[1.5, 0], [3, 4]]);
    const d = maxAbsDiffPerRow(a, b);
    expect(d[0]).toBe(2);
    expect(Number.isNaN(d[1])).toBe(true);
    expect(() => maxAbsDiffPerRow(a, zeros(2, 3))).toThrow(ShapeError);
  });

  it("the row reading of eq 3.8 is exact at t = τ and wrong at every earlier step", () => {
    const ex = EXAMPLES[0]!;
    const wrong = hiddenGradsBroadcastForm(ex.grads.dL_do, ex.fwd.h, ex.params.V, ex.params.W, "row");
    const perStep = maxAbsDiffPerRow(wrong, numericalGradients(ex).dL_dh);
    const tau = ex.inputs.length;
    expect(perStep[tau - 1]).toBeLessThanOrEqual(FD_TOL);
    for (let t = 0; t < tau - 1; t++) expect(perStep[t]).toBeGreaterThan(1e-4);
  });
});

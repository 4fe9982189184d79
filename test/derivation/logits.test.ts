/**
 * lib/derivation/logits.ts, §3.1: the intermediate forms of eqs 3.1–3.3 against eq 3.4 (= eq 4.1, lib/derivation/backward.ts),
 * against finite differences and hand values, the erratum of eq 3.3, and the helpers of the page (rowSums, entriesOfCase).
 */
import { describe, expect, it } from "vitest";
import { logitGrads } from "../../lib/derivation/backward.js";
import { softmax } from "../../lib/derivation/forward.js";
import {
  entriesOfCase, logitGradChainRule, logitGradEq33AsPrinted, logitGradTwoCases, rowSums, softmaxJacobian, stepLossGradWrtYhat,
  stepLossGrads, stepLossWeight,
} from "../../lib/derivation/logits.js";
import { numericalLogitGrads } from "../../lib/derivation/gradcheck.js";
import { numericalGradients } from "../../lib/state/example.js";
import { ShapeError, fromRows, get, maxAbs, maxAbsDiff, row, scale, zeros } from "../../lib/core/matrix.js";
import { FD_TOL, ROUNDING_TOL } from "../../lib/core/tolerances.js";
import { InputError } from "../../lib/core/tokens.js";
import { expectWithin } from "../close.js";
import { CASES, EXAMPLES, REPEATED, expectShapeError, setup } from "./fixtures.js";

// Absolute tolerances, as the pages use them: ROUNDING_TOL = 1e-12 between a form and its summary (the same O(1)
// numbers by different orders of at most a few hundred float64 operations differ by ~1e-14; a wrong term, factor or
// broadcast shows up at 1e-4 or more), FD_TOL = 1e-8 against central differences (truncation ~1e-10, rounding ~1e-11).
// `expectWithin(what, a, b, 0, tol)` accepts on the largest absolute error alone.

describe.each(CASES)("$name", (c) => {
  const { targets, h0, f, g } = setup(c);
  const vocab = c.sizes.vocab;
  it("eq 3.1 chain rule with the full softmax Jacobian equals eq 4.1", () => {
    expectWithin("logitGradChainRule", logitGradChainRule(f.yhat, targets), g.dL_do, 0, ROUNDING_TOL);
  });

  it("eqs 3.2/3.3 in their middle forms (3.3 with its sign restored) equal eq 3.4 (= eq 4.1), eq 3.2 exactly at the targets", () => {
    const { dL_do, cases } = logitGradTwoCases(f.yhat, targets);
    expectWithin("dL_do", dL_do, g.dL_do, 0, ROUNDING_TOL);
    expect(cases.length).toBe(c.tau);
    cases.forEach((caseRow, t) => {
      expect(caseRow.length).toBe(vocab);
      caseRow.forEach((which, i) => expect(which).toBe(i === targets[t] ? "3.2" : "3.3"));
    });
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

  it("h0 is the stated convention (so both are exercised)", () => {
    expect(Array.from(h0).every((v) => v === (c.h0Kind === "zeros" ? 0 : 0.1))).toBe(true);
  });
});

describe("non-vacuous and independent checks", () => {
  const { targets, f } = setup(REPEATED);

  it("eqs 3.1, 3.2/3.3 match finite differences of the loss", () => {
    const numLogits = numericalLogitGrads(f, targets);
    expectWithin("logitGradChainRule", logitGradChainRule(f.yhat, targets), numLogits, 0, FD_TOL);
    expectWithin("logitGradTwoCases", logitGradTwoCases(f.yhat, targets).dL_do, numLogits, 0, FD_TOL);
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

describe("shape errors", () => {
  it("eq 3.1 checks targets against yhat (ShapeError) and token ids (InputError)", () => {
    expectShapeError(() => logitGradChainRule(zeros(2, 3), [0]), /^logitGradChainRule: step counts 1 and 2 of targets \[1\] and yhat \[2,3\] must match$/);
    expect(() => logitGradTwoCases(zeros(1, 3), [3])).toThrow(InputError);
    expect(() => logitGradTwoCases(zeros(1, 3), [3])).toThrow(/targets\[0\] = 3 is not a token id/);
  });
});


describe("eq 3.4: rowSums", () => {
  it("hand example", () => {
    expect(Array.from(rowSums(fromRows([[1, 2, 3], [-1, 0.5, 0.5]])))).toEqual([6, 0]);
  });

  it.each(EXAMPLES.map((ex) => [ex.config.text, ex] as const))("every row of (DL)_{o⁽ᵗ⁾} sums to zero (%s)", (_, ex) => {
    expect(maxAbs(rowSums(ex.grads.dL_do))).toBeLessThanOrEqual(ROUNDING_TOL);
    expect(maxAbs(rowSums(numericalGradients(ex).dL_do))).toBeLessThanOrEqual(FD_TOL);
    // …while the rows themselves are far from zero
    expect(maxAbs(ex.grads.dL_do)).toBeGreaterThan(1e-2);
  });
});

describe("eqs 3.2/3.3: entriesOfCase", () => {
  it("hand example: picks the entries of one case in row-major order", () => {
    const m = fromRows([[1, 2, 3], [4, 5, 6]]);
    const cases = [["3.3", "3.2", "3.3"], ["3.2", "3.3", "3.3"]] as const;
    expect(Array.from(entriesOfCase(m, cases, "3.2"))).toEqual([2, 4]);
    expect(Array.from(entriesOfCase(m, cases, "3.3"))).toEqual([1, 3, 5, 6]);
  });

  it.each(EXAMPLES.map((ex) => [ex.config.text, ex] as const))("case 3.2 is one entry per step, at the target (%s)", (_, ex) => {
    const { dL_do, cases } = logitGradTwoCases(ex.fwd.yhat, ex.targets);
    const at = entriesOfCase(dL_do, cases, "3.2");
    expect(at.length).toBe(ex.targets.length);
    ex.targets.forEach((y, t) => expect(Math.abs(at[t]! - (get(ex.fwd.yhat, t, y) - 1) / ex.targets.length)).toBeLessThanOrEqual(ROUNDING_TOL));
    expect(entriesOfCase(dL_do, cases, "3.3").length).toBe(ex.targets.length * (ex.labels.length - 1));
  });

  it("rejects cases of another shape", () => {
    expect(() => entriesOfCase(zeros(2, 3), [["3.2", "3.3", "3.3"]], "3.2")).toThrow(ShapeError);
  });
});

describe("(DL)_{L⁽ᵗ⁾} = 1/τ and the step-loss gradients τ · (DL)_{o⁽ᵗ⁾}", () => {
  it.each(EXAMPLES.map((ex) => [ex.config.text, ex] as const))("rows of τ · (DL)_o are ŷ⁽ᵗ⁾ minus the one-hot target (%s)", (_, ex) => {
    const tau = ex.inputs.length;
    expect(stepLossWeight(tau)).toBe(1 / tau);
    const G = stepLossGrads(ex.grads.dL_do);
    expect(maxAbsDiff(G, scale(ex.grads.dL_do, tau))).toBe(0);
    ex.targets.forEach((y, t) => expect(Math.abs(get(G, t, y) - (get(ex.fwd.yhat, t, y) - 1))).toBeLessThanOrEqual(ROUNDING_TOL));
  });
});

/**
 * lib/derivation/conventions.ts, the helpers of the §3.1 and §3.2 pages, on hand values and against independent
 * computations (finite differences, lib/derivation/backward.ts).
 */
import { describe, expect, it } from "vitest";
import { entriesOfCase, hiddenGradTerms, maxAbsDiffPerRow, rowSums } from "../../lib/derivation/conventions.js";
import { DEFAULT_CONFIG, buildExample, numericalGradients } from "../../lib/state/example.js";
import { hiddenGradsBroadcastForm, logitGradTwoCases } from "../../lib/derivation/forms.js";
import { ShapeError, add, fromRows, get, maxAbs, maxAbsDiff, zeros } from "../../lib/core/matrix.js";
import { FD_TOL, ROUNDING_TOL } from "../../lib/core/tolerances.js";

const EXAMPLES = [
  DEFAULT_CONFIG,
  { ...DEFAULT_CONFIG, text: "badge", seed: 3, h0: "point-one" as const },
  { ...DEFAULT_CONFIG, text: "ab", hidden: 1, dModel: 1 }, // τ = 1
  { ...DEFAULT_CONFIG, text: "hell", vocab: "ehlo", targets: "elol", hidden: 3, seed: 9 }, // explicit targets
].map(buildExample);

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

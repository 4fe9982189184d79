/**
 * lib/derivation/embedding.ts, §3.8 and Remark 3.22: the forms of eqs 3.19–3.21 and the remark against eq 4.9
 * (lib/derivation/backward.ts), finite differences and hand values; which rows of (DL)_E can be non-zero; the terms of
 * eq 3.21 stacked token by token.
 */
import { describe, expect, it } from "vitest";
import {
  dXi_dE, dX_dE, embeddingContributions, embeddingRowSupport, flattenRows, foldRows, gradEOneHotForm, gradETensorForm,
  gradETripleSum, largestInRows, lookupsByProjection, nonZeroRows, oneHotColumn, projectionJacobian, remark322, rowTimesStack,
  stackByToken, tripleSumTermCount, unfoldedLength,
} from "../../lib/derivation/embedding.js";
import { numericalParamGrads } from "../../lib/derivation/gradcheck.js";
import { DEFAULT_CONFIG, buildExample, numericalGradients } from "../../lib/state/example.js";
import { fromRows, get, maxAbsDiff, row, ShapeError, zeros } from "../../lib/core/matrix.js";
import { FD_TOL, ROUNDING_TOL } from "../../lib/core/tolerances.js";
import { expectWithin } from "../close.js";
import { CASES, REPEATED, distinct, expectShapeError, setup as setupCase, setupSequence } from "./fixtures.js";

// Absolute tolerances, as the pages use them: ROUNDING_TOL = 1e-12 between a form and its summary (the same O(1)
// numbers by different orders of at most a few hundred float64 operations differ by ~1e-14; a wrong term, factor or
// broadcast shows up at 1e-4 or more), FD_TOL = 1e-8 against central differences (truncation ~1e-10, rounding ~1e-11).
// `expectWithin(what, a, b, 0, tol)` accepts on the largest absolute error alone.

describe.each(CASES)("$name", (c) => {
  const { p, inputs, f, g } = setupCase(c);
  const vocab = c.sizes.vocab;
  it("eq 3.19 triple sum equals eq 4.9", () => {
    expectWithin("gradETripleSum", gradETripleSum(g.dL_dh, f.h, p.U, inputs, vocab), g.dL_dE, 0, ROUNDING_TOL);
  });

  it("eq 3.20 with the stacked tensor (Dx⁽ᵗ⁾)_E equals eq 4.9", () => {
    expectWithin("gradETensorForm", gradETensorForm(g.dL_dh, f.h, p.U, inputs, vocab), g.dL_dE, 0, ROUNDING_TOL);
  });

  it("eq 3.21 one-hot column times row vector equals eq 4.9", () => {
    expectWithin("gradEOneHotForm", gradEOneHotForm(g.dL_dh, f.h, p.U, inputs, vocab), g.dL_dE, 0, ROUNDING_TOL);
  });

  it("Remark 3.22 flatten, projection Jacobian, fold equals eq 4.9", () => {
    expectWithin("remark322", remark322(g.dL_dh, f.h, p.U, inputs, vocab), g.dL_dE, 0, ROUNDING_TOL);
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
      expectWithin("sum", sum, row(g.dL_dE, token), 0, ROUNDING_TOL);
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
});

describe("non-vacuous and independent checks", () => {
  const { p, inputs, targets, h0, f, g } = setupCase(REPEATED);

  it("eqs 3.19–3.21 and Remark 3.22 match finite differences of the loss", () => {
    const num = numericalParamGrads(p, inputs, targets, h0);
    for (const form of [gradETripleSum, gradETensorForm, gradEOneHotForm, remark322]) {
      expectWithin("form", form(g.dL_dh, f.h, p.U, inputs, p.E.rows), num.E, 0, FD_TOL);
    }
  });

  it("eq 3.21 contributions: the repeated token 2 collects three rows, in steps 1, 3 and 4", () => {
    const contributions = embeddingContributions(g.dL_dh, f.h, p.U, inputs).filter((k) => k.token === 2);
    expect(contributions.map((k) => k.t)).toEqual([1, 3, 4]);
    // the three rows are genuinely different, so summing them (not copying one) is what the test above checked
    expect(maxAbsDiff(contributions[0]!.row, contributions[1]!.row)).toBeGreaterThan(1e-6);
  });
});

describe("explicit Jacobians on hand values", () => {
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
});

describe("shape errors", () => {
  const v3 = new Float64Array(3);

  it("the embedding forms check dL_dh against h, inputs and U", () => {
    expectShapeError(() => gradETripleSum(zeros(3, 2), zeros(3, 2), zeros(4, 5), [0, 1, 2], 3), /^gradETripleSum: hidden widths 2 and 4 of h \[3,2\] and U \[4,5\] must match$/);
    expectShapeError(() => remark322(zeros(3, 2), zeros(3, 2), zeros(2, 5), [0, 1], 3), /^remark322: step counts 2 and 3 of inputs \[2\] and h \[3,2\] must match$/);
    expectShapeError(() => embeddingContributions(zeros(3, 2), zeros(3, 2), zeros(2, 5), [0]), /^embeddingContributions: step counts 1 and 3 of inputs \[1\] and h \[3,2\] must match$/);
    expect(() => gradETensorForm(zeros(2, 2), zeros(2, 2), zeros(2, 5), [0, 7], 3)).toThrow(/inputs\[1\] = 7 is not a token id/);
  });

  it("the explicit Jacobians and the contraction check indices and sizes", () => {
    expectShapeError(() => dXi_dE(2, 0, 3, 2), /^dXi_dE: component i 2 is out of range/);
    expectShapeError(() => dX_dE(0, 0, 2), /^dX_dE: vocab must be a positive integer, got 0$/);
    expectShapeError(() => rowTimesStack(v3, zeros(4, 3)), /^rowTimesStack: rows 4 of T \[4,3\] are not a whole number of blocks of height 3 = length of v \[3\]$/);
    expectShapeError(() => foldRows(v3, 2, 2), /^foldRows: length 3 of e \[3\] and size 4 of the fold \[2,2\] must match$/);
  });
});


describe("eq 3.21 support: embeddingRowSupport and nonZeroRows", () => {
  it("eq 3.21: the default 'cabbage' writes rows a, b, c, g; e is a target only", () => {
    const ex = buildExample(DEFAULT_CONFIG);
    const s = embeddingRowSupport(ex.inputs, ex.targets, ex.labels.length);
    expect(s.seen.map((k) => ex.labels[k])).toEqual(["a", "b", "c", "g"]);
    expect(s.unseen.map((k) => ex.labels[k])).toEqual(["d", "e", "f", "h"]);
    expect(s.targetOnly.map((k) => ex.labels[k])).toEqual(["e"]);
  });

  it("eq 3.21: the non-zero rows of eq 4.9 are exactly the input tokens, and the other rows are === 0", () => {
    for (const text of ["cabbage", "deafbed", "hhhh", "abcdefgh", "ga"]) {
      const ex = buildExample({ ...DEFAULT_CONFIG, text });
      const s = embeddingRowSupport(ex.inputs, ex.targets, ex.labels.length);
      expect(nonZeroRows(ex.grads.dL_dE)).toEqual(s.seen);
      for (const k of s.unseen) expect(Array.from(row(ex.grads.dL_dE, k)).every((v) => v === 0)).toBe(true);
    }
  });

  it("eq 3.21: finite differences of the loss are exactly zero on the rows the loss never reads", () => {
    const ex = buildExample(DEFAULT_CONFIG);
    const fd = numericalGradients(ex).params.E;
    expect(nonZeroRows(fd)).toEqual(embeddingRowSupport(ex.inputs, ex.targets, ex.labels.length).seen);
  });

  it("nonZeroRows counts NaN as non-zero and reads every entry", () => {
    expect(nonZeroRows(fromRows([[0, 0], [0, -0], [0, 1e-300], [NaN, 0]]))).toEqual([2, 3]);
    expect(nonZeroRows(zeros(3, 2))).toEqual([]);
  });

  it("rejects bad token ids and sizes with a message", () => {
    expect(() => embeddingRowSupport([0, 3], [1, 2], 3)).toThrow(/inputs\[1\] = 3 is not a token id/);
    expect(() => embeddingRowSupport([0, 1], [1, 5], 3)).toThrow(/targets\[1\] = 5 is not a token id/);
    expect(() => embeddingRowSupport([0], [0], 0)).toThrow(ShapeError);
  });
});

describe("eq 3.21 term by term: stackByToken", () => {
  const sizes = { vocab: 7, dModel: 3, hidden: 4 };
  const inputs = [2, 0, 2, 2, 5], targets = [0, 2, 2, 5, 1];
  const { p, f, g } = setupSequence(7, sizes, inputs, targets);
  const stacks = stackByToken(embeddingContributions(g.dL_dh, f.h, p.U, inputs), sizes.vocab, sizes.dModel);

  it("eq 3.21: each token's stack holds its steps in order, and its sum is that token's row of eq 4.9", () => {
    expect(stacks.map((s) => s.steps)).toEqual([[2], [], [1, 3, 4], [], [], [5], []]);
    for (const s of stacks) {
      expect(s.rows.length).toBe(s.steps.length);
      expect(maxAbsDiff(s.sum, row(g.dL_dE, s.token))).toBeLessThanOrEqual(ROUNDING_TOL);
    }
  });

  it("eq 3.21: a repeated token's row is not any single step's term (the text's 'row i equal to …' needs the sum)", () => {
    const s = stacks[2]!;
    for (const r of s.rows) expect(maxAbsDiff(r, row(g.dL_dE, 2))).toBeGreaterThan(1e-6);
  });

  it("eq 3.21: stacks a hand-made list, in step order whatever the list's order", () => {
    const rows = [[1, 2], [10, 20], [100, 200]].map((r) => Float64Array.from(r));
    const s = stackByToken([{ t: 3, token: 1, row: rows[2]! }, { t: 1, token: 1, row: rows[0]! }, { t: 2, token: 0, row: rows[1]! }], 3, 2);
    expect(s.map((k) => k.steps)).toEqual([[2], [1, 3], []]);
    expect(Array.from(s[1]!.sum)).toEqual([101, 202]);
    expect(s[1]!.rows[0]).toBe(rows[0]);
    expect(Array.from(s[2]!.sum)).toEqual([0, 0]);
  });

  it("rejects a token or a row that does not fit", () => {
    const r = Float64Array.from([1, 2]);
    expect(() => stackByToken([{ t: 1, token: 3, row: r }], 3, 2)).toThrow(/token 3 of step 1 is out of range/);
    expect(() => stackByToken([{ t: 1, token: 0, row: r }], 3, 3)).toThrow(/length 2 of the row of step 1 and dModel 3 must match/);
  });
});

describe("the counts and lookups the page shows", () => {
  it("τ · d_model · hidden terms; d_model · vocab unfolded entries", () => {
    expect(tripleSumTermCount(6, 4, 8)).toBe(192);
    expect(unfoldedLength(8, 4)).toBe(32);
  });

  it("Remark 3.22: (projection Jacobian) · e is x⁽ᵗ⁾ exactly, at every step", () => {
    const ex = buildExample(DEFAULT_CONFIG);
    lookupsByProjection(ex.params.E, ex.inputs).forEach((x, t) => expect(x).toEqual(row(ex.fwd.x, t)));
  });

  it("largestInRows: 0 for no rows, else max |entry| of those rows", () => {
    const m = fromRows([[1, -5], [0, 2], [-3, 0]]);
    expect(largestInRows(m, [])).toBe(0);
    expect(largestInRows(m, [1, 2])).toBe(3);
    const ex = buildExample(DEFAULT_CONFIG);
    expect(largestInRows(ex.grads.dL_dE, embeddingRowSupport(ex.inputs, ex.targets, ex.labels.length).unseen)).toBe(0);
  });
});

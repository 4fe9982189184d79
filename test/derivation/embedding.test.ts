/**
 * lib/derivation/embedding.ts: the support of (DL)_E (eq 3.21), the per-token stacking of eq 3.21's terms, and eq 3.20's
 * (Da⁽ᵗ⁾)_{x⁽ᵗ⁾} by finite differences — each against a different computation (eq 4.9 in lib/derivation/backward.ts, central
 * differences of the loss, hand-worked values).
 */
import { describe, expect, it } from "vitest";
import { backward } from "../../lib/derivation/backward.js";
import {
  embeddingRowSupport, lossWithStepEmbedding, nonZeroRows, numericalDaDx, numericalStepEmbeddingGrad, stackByToken,
} from "../../lib/derivation/embedding.js";
import { DEFAULT_CONFIG, buildExample, numericalGradients } from "../../lib/state/example.js";
import { embeddingContributions } from "../../lib/derivation/forms.js";
import { forward, hPrevAt } from "../../lib/derivation/forward.js";
import { ShapeError, fromRows, maxAbsDiff, row, transpose, zeros } from "../../lib/core/matrix.js";
import { type Sizes, initParams, initialHidden } from "../../lib/derivation/model.js";
import { makeRng } from "../../lib/core/rng.js";
import { FD_TOL, ROUNDING_TOL } from "../../lib/core/tolerances.js";

function setup(seed: number, sizes: Sizes, inputs: number[], targets: number[]) {
  const p = initParams(sizes, makeRng(seed));
  const h0 = initialHidden("point-one", sizes.hidden);
  const f = forward(p, inputs, targets, h0);
  const g = backward(p, f, inputs, targets);
  return { p, f, g, h0 };
}

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
  const { p, f, g } = setup(7, sizes, inputs, targets);
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

describe("eq 3.20: (Da⁽ᵗ⁾)_{x⁽ᵗ⁾} by finite differences", () => {
  it("eq 3.20: is U (hidden × d_model), not Uᵀ, at every step", () => {
    const sizes = { vocab: 5, dModel: 3, hidden: 4 };
    const inputs = [1, 4, 1, 0], targets = [4, 1, 0, 2];
    const { p, f } = setup(3, sizes, inputs, targets);
    for (let t = 0; t < inputs.length; t++) {
      const J = numericalDaDx(p, hPrevAt(f, t), row(f.x, t));
      expect([J.rows, J.cols]).toEqual([sizes.hidden, sizes.dModel]);
      expect(maxAbsDiff(J, p.U)).toBeLessThanOrEqual(FD_TOL);
    }
  });

  it("eq 3.20: with a square U the transpose would have the right shape and the wrong numbers", () => {
    const sizes = { vocab: 4, dModel: 3, hidden: 3 };
    const { p, f } = setup(5, sizes, [0, 1], [1, 2]);
    const J = numericalDaDx(p, hPrevAt(f, 0), row(f.x, 0));
    expect(maxAbsDiff(J, p.U)).toBeLessThanOrEqual(FD_TOL);
    expect(maxAbsDiff(J, transpose(p.U))).toBeGreaterThan(1e-3);
  });

  it("rejects vectors of the wrong length", () => {
    const p = initParams({ vocab: 3, dModel: 2, hidden: 4 }, makeRng(1));
    expect(() => numericalDaDx(p, new Float64Array(3), new Float64Array(2))).toThrow(/length 3 of hPrev and columns 4 of W/);
    expect(() => numericalDaDx(p, new Float64Array(4), new Float64Array(3))).toThrow(/length 3 of x and columns 2 of U/);
  });
});

describe("eq 3.21, one term: (DL)_{E⁽ᵗ⁾} by finite differences of the step's copy of E", () => {
  const ex = buildExample({ ...DEFAULT_CONFIG, h0: "point-one" });
  const contributions = embeddingContributions(ex.grads.dL_dh, ex.fwd.h, ex.params.U, ex.inputs);

  it("eq 3.21: step t's term is zero except row input⁽ᵗ⁾, which is [(DL)_h ⊙ (1 − h²)] U; the terms sum to eq 4.9", () => {
    const vocab = ex.labels.length, dModel = ex.config.dModel;
    const total = zeros(vocab, dModel);
    for (let s = 0; s < ex.inputs.length; s++) {
      const g = numericalStepEmbeddingGrad(ex.params, ex.fwd, ex.inputs, ex.targets, s);
      expect(nonZeroRows(g)).toEqual([ex.inputs[s]]);
      expect(maxAbsDiff(row(g, ex.inputs[s]!), contributions[s]!.row)).toBeLessThanOrEqual(FD_TOL);
      g.data.forEach((v, k) => (total.data[k]! += v));
    }
    expect(maxAbsDiff(total, ex.grads.dL_dE)).toBeLessThanOrEqual(FD_TOL);
  });

  it("lossWithStepEmbedding with E itself is the forward pass's loss; with E changed everywhere, the loss of that E", () => {
    for (let s = 0; s < ex.inputs.length; s++) {
      expect(Math.abs(lossWithStepEmbedding(ex.params, ex.fwd, ex.inputs, ex.targets, s, ex.params.E) - ex.fwd.loss)).toBeLessThanOrEqual(ROUNDING_TOL);
    }
    // changing the copy of step 1 (0-based 0) alone is the same as changing E when the first token is not read again
    const single = buildExample({ ...DEFAULT_CONFIG, text: "cabbage", h0: "point-one" });
    const E2 = { ...single.params.E, data: single.params.E.data.map((v, k) => (Math.floor(k / 4) === single.inputs[0] ? v + 0.3 : v)) };
    const direct = forward({ ...single.params, E: E2 }, single.inputs, single.targets, single.h0).loss;
    expect(Math.abs(lossWithStepEmbedding(single.params, single.fwd, single.inputs, single.targets, 0, E2) - direct)).toBeLessThanOrEqual(ROUNDING_TOL);
    expect(Math.abs(direct - single.fwd.loss)).toBeGreaterThan(1e-6);
  });

  it("rejects a step or a table that does not fit", () => {
    expect(() => lossWithStepEmbedding(ex.params, ex.fwd, ex.inputs, ex.targets, 6, ex.params.E)).toThrow(/step 6 is out of range: expected an integer from 0 to 5/);
    expect(() => lossWithStepEmbedding(ex.params, ex.fwd, ex.inputs, ex.targets, 0, zeros(8, 3))).toThrow(/shape \[8,3\] of Et and \[8,4\] of E must match/);
  });
});

/**
 * lib/derivation/embedding-checks.ts: (Da⁽ᵗ⁾)_{x⁽ᵗ⁾} by finite differences, and one step's term of eq 3.21 through the step's
 * own copy of E, against eq 4.9 (lib/derivation/backward.ts) and the per-step terms of lib/derivation/embedding.ts.
 */
import { describe, expect, it } from "vitest";
import { embeddingContributions, nonZeroRows } from "../../lib/derivation/embedding.js";
import { lossWithStepEmbedding, numericalDaDx, numericalStepEmbeddingGrad } from "../../lib/derivation/embedding-checks.js";
import { DEFAULT_CONFIG, buildExample } from "../../lib/state/example.js";
import { forward, hPrevAt } from "../../lib/derivation/forward.js";
import { maxAbsDiff, row, transpose, zeros } from "../../lib/core/matrix.js";
import { initParams } from "../../lib/derivation/model.js";
import { makeRng } from "../../lib/core/rng.js";
import { FD_TOL, ROUNDING_TOL } from "../../lib/core/tolerances.js";
import { setupSequence } from "./fixtures.js";


describe("eq 3.20: (Da⁽ᵗ⁾)_{x⁽ᵗ⁾} by finite differences", () => {
  it("eq 3.20: is U (hidden × d_model), not Uᵀ, at every step", () => {
    const sizes = { vocab: 5, dModel: 3, hidden: 4 };
    const inputs = [1, 4, 1, 0], targets = [4, 1, 0, 2];
    const { p, f } = setupSequence(3, sizes, inputs, targets);
    for (let t = 0; t < inputs.length; t++) {
      const J = numericalDaDx(p, hPrevAt(f, t), row(f.x, t));
      expect([J.rows, J.cols]).toEqual([sizes.hidden, sizes.dModel]);
      expect(maxAbsDiff(J, p.U)).toBeLessThanOrEqual(FD_TOL);
    }
  });

  it("eq 3.20: with a square U the transpose would have the right shape and the wrong numbers", () => {
    const sizes = { vocab: 4, dModel: 3, hidden: 3 };
    const { p, f } = setupSequence(5, sizes, [0, 1], [1, 2]);
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

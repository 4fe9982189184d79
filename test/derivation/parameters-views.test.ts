/**
 * lib/derivation/parameters-views.ts: the per-step terms of eq 3.16, the sum without its h⁽⁰⁾ term, the finite-difference
 * checks of the Jacobians displayed after eqs 3.13 and 3.15, and eq 3.17's middle factor read literally.
 */
import { describe, expect, it } from "vitest";
import { buildExample, DEFAULT_CONFIG, numericalGradients } from "../../lib/state/example.js";
import { hPrevAt } from "../../lib/derivation/forward.js";
import { dAi_dU, dAi_dW, dOi_dV } from "../../lib/derivation/forms.js";
import { ShapeError, addInPlace, fromRows, matmul, maxAbs, maxAbsDiff, row, zeros } from "../../lib/core/matrix.js";
import {
  dH_dAi, gradWPerStep, gradWWithoutH0Term, numericalDAiDW, numericalDOiDV,
} from "../../lib/derivation/parameters-views.js";
import { FD_TOL, ROUNDING_TOL } from "../../lib/core/tolerances.js";

const zerosEx = buildExample({ ...DEFAULT_CONFIG, h0: "zeros" });
const pointOneEx = buildExample({ ...DEFAULT_CONFIG, h0: "point-one" });

describe.each([["zeros", zerosEx], ["point-one", pointOneEx]] as const)("h0 = %s", (_, ex) => {
  const { dL_dh } = ex.grads, { h } = ex.fwd;

  it("eq 3.16 per step: τ hidden × hidden terms that sum to eq 4.7 and to finite differences", () => {
    const terms = gradWPerStep(dL_dh, h, ex.h0);
    expect(terms).toHaveLength(ex.inputs.length);
    const sum = zeros(h.cols, h.cols);
    for (const term of terms) {
      expect([term.rows, term.cols]).toEqual([h.cols, h.cols]);
      addInPlace(sum, term);
    }
    expect(maxAbsDiff(sum, ex.grads.dL_dW)).toBeLessThan(ROUNDING_TOL);
    expect(maxAbsDiff(sum, numericalGradients(ex).params.W)).toBeLessThan(FD_TOL);
  });

  it("eq 3.13's matrix (Do_i⁽ᵗ⁾)_V equals central differences of o_i⁽ᵗ⁾ in V", () => {
    const vocab = ex.labels.length;
    for (let t = 0; t < h.rows; t++) {
      for (let i = 0; i < vocab; i++) {
        const fd = numericalDOiDV(ex.params.V, ex.params.c, row(h, t), i);
        expect(maxAbsDiff(dOi_dV(i, row(h, t), vocab), fd)).toBeLessThan(FD_TOL);
      }
    }
  });

  it("eq 3.15's matrix (Da_i⁽ᵗ⁺¹⁾)_W equals central differences of a_i⁽ᵗ⁺¹⁾ in W, h⁽⁰⁾ at t = 0", () => {
    const n = h.cols;
    for (let t = 0; t < h.rows; t++) {
      const hPrev = hPrevAt(ex.fwd, t);
      for (let i = 0; i < n; i++) {
        const fd = numericalDAiDW(ex.params.W, ex.params.U, ex.params.b, hPrev, row(ex.fwd.x, t), i);
        expect(maxAbsDiff(dAi_dW(i, hPrev, n), fd)).toBeLessThan(FD_TOL);
      }
    }
  });
});

describe("eq 3.16: the h⁽⁰⁾ term", () => {
  it("is exactly zero for h⁽⁰⁾ = 0, so leaving it out changes nothing", () => {
    const terms = gradWPerStep(zerosEx.grads.dL_dh, zerosEx.fwd.h, zerosEx.h0);
    expect(maxAbs(terms[0]!)).toBe(0);
    const without = gradWWithoutH0Term(zerosEx.grads.dL_dh, zerosEx.fwd.h, zerosEx.h0);
    expect(maxAbsDiff(without, numericalGradients(zerosEx).params.W)).toBeLessThan(FD_TOL);
  });

  it("is non-zero for h⁽⁰⁾ = 0.1·ones, and leaving it out fails the finite-difference check by its size", () => {
    const ex = pointOneEx;
    const terms = gradWPerStep(ex.grads.dL_dh, ex.fwd.h, ex.h0);
    const size = maxAbs(terms[0]!);
    expect(size).toBeGreaterThan(1e-4);
    const without = gradWWithoutH0Term(ex.grads.dL_dh, ex.fwd.h, ex.h0);
    const err = maxAbsDiff(without, numericalGradients(ex).params.W);
    expect(err).toBeGreaterThan(1e3 * FD_TOL);
    expect(Math.abs(err - size)).toBeLessThan(FD_TOL);
  });

  it("hand example, τ = 1, hidden = 1: the only term is g(1 − h²)h⁽⁰⁾", () => {
    const [term] = gradWPerStep(fromRows([[0.5]]), fromRows([[0.6]]), Float64Array.of(0.1));
    expect(term!.data[0]).toBeCloseTo(0.5 * (1 - 0.36) * 0.1, 15);
    expect(maxAbs(gradWWithoutH0Term(fromRows([[0.5]]), fromRows([[0.6]]), Float64Array.of(0.1)))).toBe(0);
  });
});

describe("hand values of the finite-difference Jacobians", () => {
  it("eq 3.13: o_1 = V_10 h_0 + V_11 h_1 + c_1 gives h in row 1", () => {
    const V = fromRows([[1, 2], [3, 4], [5, 6]]);
    const J = numericalDOiDV(V, Float64Array.of(0, 0, 0), Float64Array.of(0.25, -0.5), 1);
    expect(maxAbsDiff(J, fromRows([[0, 0], [0.25, -0.5], [0, 0]]))).toBeLessThan(1e-10);
  });

  it("eq 3.15: a_0 depends on row 0 of W through h⁽ᵗ⁾ only (x and b do not move it)", () => {
    const J = numericalDAiDW(
      fromRows([[1, 2], [3, 4]]), fromRows([[7], [8]]), Float64Array.of(1, 1), Float64Array.of(0.3, 0.7), Float64Array.of(2), 0,
    );
    expect(maxAbsDiff(J, fromRows([[0.3, 0.7], [0, 0]]))).toBeLessThan(1e-10);
  });
});

describe("eq 3.17: the middle factor (Dh⁽ᵗ⁾)_{a_i⁽ᵗ⁾} as printed", () => {
  it("is a hidden × 1 column with the scalar 1 − (h_i)² in row i", () => {
    const col = dH_dAi(1, Float64Array.of(0.5, 0.6, -0.2));
    expect([col.rows, col.cols]).toEqual([3, 1]);
    expect(Array.from(col.data)).toEqual([0, 1 - 0.36, 0]);
  });

  it("does not multiply (Da_i⁽ᵗ⁾)_U (hidden × d_model) unless hidden = 1", () => {
    const h_t = Float64Array.of(0.5, 0.6, -0.2), x_t = Float64Array.of(1, 2);
    expect(() => matmul(dH_dAi(1, h_t), dAi_dU(1, x_t, 3))).toThrow(ShapeError);
    expect(matmul(dH_dAi(0, Float64Array.of(0.5)), dAi_dU(0, x_t, 1)).data).toEqual(Float64Array.of(0.75, 1.5));
  });
});

describe("shape errors", () => {
  it("name the operands and both shapes", () => {
    expect(() => gradWPerStep(zeros(2, 3), zeros(2, 4), new Float64Array(4))).toThrow(/hidden widths 3 and 4 of dL_dh \[2,3\] and h \[2,4\]/);
    expect(() => gradWPerStep(zeros(2, 3), zeros(2, 3), new Float64Array(2))).toThrow(/h0 \[2\]/);
    expect(() => numericalDOiDV(zeros(3, 2), new Float64Array(3), new Float64Array(2), 3)).toThrow(/logit index i 3 is out of range/);
    expect(() => numericalDAiDW(zeros(2, 2), zeros(2, 1), new Float64Array(2), new Float64Array(2), new Float64Array(3), 0)).toThrow(/embedding widths/);
    expect(() => dH_dAi(-1, new Float64Array(2))).toThrow(ShapeError);
  });
});

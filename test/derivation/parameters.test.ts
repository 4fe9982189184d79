/**
 * lib/derivation/parameters.ts, §3.3–3.7: the intermediate forms of eqs 3.9–3.17 against eqs 4.4–4.8
 * (lib/derivation/backward.ts), against finite differences and hand values; the terms of eq 3.16 and its h⁽⁰⁾ term;
 * the errata of the sentence before eq 3.16 and of eq 3.17's middle factor.
 */
import { describe, expect, it } from "vitest";
import { gradW } from "../../lib/derivation/backward.js";
import { hPrevAt } from "../../lib/derivation/forward.js";
import {
  dAi_dU, dAi_dW, dH_dAiAsPrinted, dOi_dV, gradBDiagForm, gradCDummySum, gradCPerStep, gradUPerIndexForm, gradVPerIndexForm,
  gradWAsPrinted, gradWPerIndexForm, gradWPerStep, gradWTermSizes, gradWWithoutH0Term,
} from "../../lib/derivation/parameters.js";
import { numericalDAiDW, numericalDOiDV } from "../../lib/derivation/parameters-checks.js";
import { numericalParamGrads } from "../../lib/derivation/gradcheck.js";
import { DEFAULT_CONFIG, buildExample, numericalGradients } from "../../lib/state/example.js";
import { type Matrix, ShapeError, addInPlace, fromRows, get, matmul, maxAbs, maxAbsDiff, row, zeros } from "../../lib/core/matrix.js";
import { H0_KINDS } from "../../lib/derivation/model.js";
import { FD_TOL, ROUNDING_TOL } from "../../lib/core/tolerances.js";
import { expectWithin } from "../close.js";
import { BASES, CASES, REPEATED, expectShapeError, setup } from "./fixtures.js";

// Absolute tolerances, as the pages use them: ROUNDING_TOL = 1e-12 between a form and its summary (the same O(1)
// numbers by different orders of at most a few hundred float64 operations differ by ~1e-14; a wrong term, factor or
// broadcast shows up at 1e-4 or more), FD_TOL = 1e-8 against central differences (truncation ~1e-10, rounding ~1e-11).
// `expectWithin(what, a, b, 0, tol)` accepts on the largest absolute error alone.

describe.each(CASES)("$name", (c) => {
  const { p, f, g } = setup(c);
  const vocab = c.sizes.vocab;
  it("eq 3.10 per-step (DL)_{c⁽ᵗ⁾} via the identity Jacobian are the rows of (DL)_{o⁽ᵗ⁾}; eq 3.9 sum equals eq 4.4", () => {
    const perStep = gradCPerStep(g.dL_do);
    expect(perStep.length).toBe(c.tau);
    perStep.forEach((v, t) => expectWithin("v", v, row(g.dL_do, t), 0, ROUNDING_TOL));
    expectWithin("gradCDummySum", gradCDummySum(g.dL_do), g.dL_dc, 0, ROUNDING_TOL);
  });

  it("eq 3.12 with explicit diag and identity Jacobians equals eq 4.5", () => {
    expectWithin("gradBDiagForm", gradBDiagForm(g.dL_dh, f.h), g.dL_db, 0, ROUNDING_TOL);
  });

  it("eq 3.13 per-index sum with (Do_i)_V equals eq 3.14 (= eq 4.6)", () => {
    expectWithin("gradVPerIndexForm", gradVPerIndexForm(g.dL_do, f.h), g.dL_dV, 0, ROUNDING_TOL);
  });

  it("eq 3.15 per-index sum with (Da_i)_W equals eq 3.16 (= eq 4.7), h⁽⁰⁾ included", () => {
    expectWithin("gradWPerIndexForm", gradWPerIndexForm(g.dL_dh, f.h, f.h0), g.dL_dW, 0, ROUNDING_TOL);
  });

  it("eq 3.17 per-index sum with (Da_i)_U equals eq 3.18 (= eq 4.8)", () => {
    expectWithin("gradUPerIndexForm", gradUPerIndexForm(g.dL_dh, f.h, f.x), g.dL_dU, 0, ROUNDING_TOL);
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
});

describe("non-vacuous and independent checks", () => {
  const { p, inputs, targets, h0, f, g } = setup(REPEATED);

  it("every summary gradient in a generic case is far from zero, so agreement to 1e-12 means something", () => {
    for (const m of [g.dL_do, g.dL_dh, g.dL_dc, g.dL_db, g.dL_dV, g.dL_dW, g.dL_dU, g.dL_dE]) expect(maxAbs(m)).toBeGreaterThan(1e-3);
  });

  it("eqs 3.9–3.17 match finite differences of the loss", () => {
    const num = numericalParamGrads(p, inputs, targets, h0);
    expectWithin("gradCDummySum", gradCDummySum(g.dL_do), num.c, 0, FD_TOL);
    expectWithin("gradBDiagForm", gradBDiagForm(g.dL_dh, f.h), num.b, 0, FD_TOL);
    expectWithin("gradVPerIndexForm", gradVPerIndexForm(g.dL_do, f.h), num.V, 0, FD_TOL);
    expectWithin("gradWPerIndexForm", gradWPerIndexForm(g.dL_dh, f.h, f.h0), num.W, 0, FD_TOL);
    expectWithin("gradUPerIndexForm", gradUPerIndexForm(g.dL_dh, f.h, f.x), num.U, 0, FD_TOL);
  });
});

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

describe("explicit Jacobians on hand values", () => {
  it("(Do_i)_V, (Da_i)_W, (Da_i)_U put the vector in row i and nowhere else", () => {
    const v = new Float64Array([0.3, -0.2]);
    expect(dOi_dV(1, v, 3)).toEqual(fromRows([[0, 0], [0.3, -0.2], [0, 0]]));
    expect(dAi_dW(0, v, 2)).toEqual(fromRows([[0.3, -0.2], [0, 0]]));
    expect(dAi_dU(2, v, 3)).toEqual(fromRows([[0, 0], [0, 0], [0.3, -0.2]]));
  });
});

describe("shape errors", () => {
  const v3 = new Float64Array(3);
  it("the parameter forms check dL_dh against h, h0, x and U", () => {
    expectShapeError(() => gradBDiagForm(zeros(3, 2), zeros(3, 4)), /^gradBDiagForm: hidden widths 2 and 4 of dL_dh \[3,2\] and h \[3,4\] must match$/);
    expectShapeError(() => gradWPerIndexForm(zeros(3, 2), zeros(3, 2), v3), /^gradWPerIndexForm: hidden widths 3 and 2 of h0 \[3\] and h \[3,2\] must match$/);
    expectShapeError(() => gradWAsPrinted(zeros(2, 2), zeros(3, 2), new Float64Array(2)), /^gradWAsPrinted: step counts 2 and 3 of dL_dh \[2,2\] and h \[3,2\] must match$/);
    expectShapeError(() => gradUPerIndexForm(zeros(3, 2), zeros(3, 2), zeros(4, 5)), /^gradUPerIndexForm: step counts 4 and 3 of x \[4,5\] and h \[3,2\] must match$/);
    expectShapeError(() => gradVPerIndexForm(zeros(2, 5), zeros(3, 2)), /^gradVPerIndexForm: step counts 2 and 3 of dL_do \[2,5\] and h \[3,2\] must match$/);
  });

  it("the explicit Jacobians check indices and sizes", () => {
    expectShapeError(() => dOi_dV(3, v3, 3), /^dOi_dV: row index i 3 is out of range: expected an integer from 0 to 2$/);
    expectShapeError(() => dAi_dW(0, v3, 2), /^dAi_dW: length 3 of hPrev \[3\] and hidden 2 must match$/);
  });
});

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

describe("eq 3.17: the middle factor (Dh⁽ᵗ⁾)_{a_i⁽ᵗ⁾} as printed", () => {
  it("is a hidden × 1 column with the scalar 1 − (h_i)² in row i", () => {
    const col = dH_dAiAsPrinted(1, Float64Array.of(0.5, 0.6, -0.2));
    expect([col.rows, col.cols]).toEqual([3, 1]);
    expect(Array.from(col.data)).toEqual([0, 1 - 0.36, 0]);
  });

  it("does not multiply (Da_i⁽ᵗ⁾)_U (hidden × d_model) unless hidden = 1", () => {
    const h_t = Float64Array.of(0.5, 0.6, -0.2), x_t = Float64Array.of(1, 2);
    expect(() => matmul(dH_dAiAsPrinted(1, h_t), dAi_dU(1, x_t, 3))).toThrow(ShapeError);
    expect(matmul(dH_dAiAsPrinted(0, Float64Array.of(0.5)), dAi_dU(0, x_t, 1)).data).toEqual(Float64Array.of(0.75, 1.5));
  });
});

describe("eq 3.16's term sizes", () => {
  it("are max |term t| of gradWPerStep", () => {
    const ex = pointOneEx;
    expect(Array.from(gradWTermSizes(ex.grads.dL_dh, ex.fwd.h, ex.h0))).toEqual(gradWPerStep(ex.grads.dL_dh, ex.fwd.h, ex.h0).map(maxAbs));
  });

  it("shape errors name the operands and both shapes", () => {
    expect(() => gradWPerStep(zeros(2, 3), zeros(2, 4), new Float64Array(4))).toThrow(/hidden widths 3 and 4 of dL_dh \[2,3\] and h \[2,4\]/);
    expect(() => gradWPerStep(zeros(2, 3), zeros(2, 3), new Float64Array(2))).toThrow(/h0 \[2\]/);
    expect(() => dH_dAiAsPrinted(-1, new Float64Array(2))).toThrow(ShapeError);
  });
});

/**
 * lib/derivation/parameters-checks.ts: central differences of o_i⁽ᵗ⁾ in V and a_i⁽ᵗ⁺¹⁾ in W on hand values, and their
 * shape errors. (The comparison with the displayed matrices of eqs 3.13 and 3.15 is in parameters.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { numericalDAiDW, numericalDOiDV, lossEvaluations } from "../../lib/derivation/parameters-checks.js";
import { fromRows, maxAbsDiff, zeros } from "../../lib/core/matrix.js";

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

describe("shape errors and cost", () => {
  it("name the operands and both shapes", () => {
    expect(() => numericalDOiDV(zeros(3, 2), new Float64Array(3), new Float64Array(2), 3)).toThrow(/logit index i 3 is out of range/);
    expect(() => numericalDAiDW(zeros(2, 2), zeros(2, 1), new Float64Array(2), new Float64Array(2), new Float64Array(3), 0)).toThrow(/embedding widths/);
  });

  it("two losses per entry", () => {
    expect(lossEvaluations(8, 16)).toBe(256);
  });
});

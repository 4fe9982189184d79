/** lib/core/fd.ts: the one central difference, and the measures an analytic value is compared with it by. */
import { describe, expect, it } from "vitest";
import { centralDifference, centralDifferences, discrepancy, relMaxError } from "../../lib/core/fd.js";
import { FD_EPSILON } from "../../lib/core/tolerances.js";

describe("centralDifference", () => {
  it("is exact for a quadratic up to rounding, O(ε²) for a cubic, and restores θ_k to its exact bits", () => {
    const theta = Float64Array.of(0.1 + 0.2, -1.5);
    const keep = theta.slice();
    const quad = () => 3 * theta[0]! * theta[0]! + theta[1]!;
    expect(centralDifference(theta, 0, quad)).toBeCloseTo(6 * keep[0]!, 9);
    const cubic = () => theta[1]! ** 3;
    const d = centralDifference(theta, 1, cubic);
    expect(Math.abs(d - 3 * keep[1]! ** 2)).toBeLessThan(2 * FD_EPSILON ** 2 + 1e-9); // the O(ε²) term is ε² exactly
    expect(Math.abs(d - 3 * keep[1]! ** 2)).toBeGreaterThan(0);
    expect(Array.from(theta)).toEqual(Array.from(keep));
  });

  it("keeps the expression (up − down) / (2ε), so every caller's numbers stay the same bits", () => {
    const theta = Float64Array.of(0.7);
    const f = () => Math.sin(theta[0]!);
    const up = Math.sin(0.7 + 1e-3), down = Math.sin(0.7 - 1e-3);
    expect(centralDifference(theta, 0, f, 1e-3)).toBe((up - down) / (2 * 1e-3));
  });
});

describe("centralDifferences", () => {
  it("gives each function (up − down) / 2ε from the same two moves of θ_k, as centralDifference does, and restores θ_k", () => {
    const theta = Float64Array.of(0.3, -1.1);
    const fs = [(x: number) => Math.sin(x) * 0.1, (x: number) => x ** 3 - 0.3, (x: number) => 0.25 * x + 1e-9, (x: number) => Math.exp(x) / 3];
    const keep = theta.slice();
    const want = fs.map((f) => (f(-1.1 + FD_EPSILON) - f(-1.1 - FD_EPSILON)) / (2 * FD_EPSILON));
    let calls = 0;
    const all = centralDifferences(theta, 1, () => { calls++; return fs.map((f) => f(theta[1]!)); });
    expect(calls).toBe(2);
    all.forEach((d, i) => expect(Object.is(d, want[i]), `function ${i}: ${d} against ${want[i]}`).toBe(true));
    fs.forEach((f, i) => expect(Object.is(centralDifference(theta, 1, () => f(theta[1]!)), want[i])).toBe(true));
    expect(Array.from(theta)).toEqual(Array.from(keep));
  });
});

describe("discrepancy", () => {
  it("is 0 for equal arrays, scale-free, NaN for NaN, and refuses different shapes", () => {
    expect(discrepancy(Float64Array.of(0, 0), Float64Array.of(0, 0))).toEqual({ maxAbsError: 0, relError: 0 });
    const d = discrepancy(Float64Array.of(1e12, 0), Float64Array.of(1e12 + 2e4, 0));
    expect(d.maxAbsError).toBe(2e4);
    expect(d.relError).toBeCloseTo(1e-8, 12);
    expect(discrepancy(Float64Array.of(NaN), Float64Array.of(1)).relError).toBeNaN();
    expect(() => discrepancy(Float64Array.of(1, 2), { rows: 1, cols: 2, data: Float64Array.of(1, 2) })).toThrow("discrepancy: shapes of analytic [2] and numeric [1,2] must match");
  });
});

describe("relMaxError", () => {
  it("is scale-free and can fail", () => {
    const a = Float64Array.of(1e12, 2e12), b = Float64Array.of(1e12, 2e12 + 1);
    expect(relMaxError(a, b)).toBeCloseTo(1 / 2e12, 20);
    expect(relMaxError([a.map((x) => x * 1e-24)], [b.map((x) => x * 1e-24)])).toBeCloseTo(1 / 2e12, 15);
    expect(relMaxError(Float64Array.of(1, 1), Float64Array.of(1, 2))).toBe(0.5);
    expect(relMaxError(Float64Array.of(0.5), Float64Array.of(0))).toBe(0.5);
    expect(relMaxError(Float64Array.of(NaN), Float64Array.of(1))).toBeNaN();
  });
});

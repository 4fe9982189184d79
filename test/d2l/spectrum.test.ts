/**
 * lib/d2l/spectrum.ts: W_hh with a chosen spectrum (Householder Q, W = Q diag(λ) Qᵀ; with all |λ| = 1 the orthogonal
 * initialisation of d2l ex 4.2) and the Jacobi eigenvalues behind every spectral number of /vanishing, each claim
 * paired with a variant that must fail it.
 */
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  householderQR, identity, jacobiEigen, randomOrthogonal, spectralRadiusSymmetric, symmetricWithSpectrum, withSpectralRadius,
} from "../../lib/d2l/spectrum.js";
import { type Matrix, ShapeError, matmul, maxAbs, maxAbsDiff, transpose, zeros } from "../../lib/core/matrix.js";
import { makeRng } from "../../lib/core/rng.js";
import { ROUNDING_TOL } from "../../lib/core/tolerances.js";

/** Eigen-decompositions and orthogonal factors of order-one matrices are good to a few ulps times n: 1e-12. */
const EIG_TOL = ROUNDING_TOL;

describe("building W_hh with a chosen spectrum (d2l ex 4.2: orthogonal initialisation)", () => {
  it("Householder QR: Q is orthogonal, R upper triangular with R_ii ≥ 0, QR = A", () => {
    const rng = makeRng(1);
    for (const n of [1, 2, 5, 8]) {
      const A = zeros(n, n);
      for (let k = 0; k < A.data.length; k++) A.data[k] = rng.uniform(-1, 1);
      const { Q, R } = householderQR(A);
      expect(maxAbsDiff(matmul(transpose(Q), Q), identity(n))).toBeLessThan(EIG_TOL);
      expect(maxAbsDiff(matmul(Q, R), A)).toBeLessThan(EIG_TOL);
      for (let i = 0; i < n; i++) {
        expect(R.data[i * n + i]).toBeGreaterThanOrEqual(0);
        for (let j = 0; j < i; j++) expect(R.data[i * n + j]).toBe(0);
      }
    }
  });

  it("randomOrthogonal is seeded: same seed, same bits; different seed, different matrix", () => {
    expect(Array.from(randomOrthogonal(4, makeRng(7)).data)).toEqual(Array.from(randomOrthogonal(4, makeRng(7)).data));
    expect(maxAbsDiff(randomOrthogonal(4, makeRng(7)), randomOrthogonal(4, makeRng(8)))).toBeGreaterThan(1e-2);
  });

  it("W = Q diag(λ) Qᵀ is exactly symmetric and Jacobi recovers λ; its spectral radius is the chosen ρ", () => {
    const lambdas = [1.3, -0.9, 0.5, 0.2, -0.05];
    const { W } = symmetricWithSpectrum(lambdas, makeRng(2));
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(W.data[i * 5 + j]).toBe(W.data[j * 5 + i]);
    expect(maxAbsDiff(jacobiEigen(W).values, Float64Array.from(lambdas).sort((a, b) => b - a))).toBeLessThan(EIG_TOL);
    for (const rho of [0.5, 1, 1.7]) expect(Math.abs(spectralRadiusSymmetric(withSpectralRadius(6, rho, makeRng(3)).W) - rho)).toBeLessThan(EIG_TOL);
    // orthogonal initialisation: all |λ| = 1 gives an orthogonal W (‖W x‖ = ‖x‖)
    const { W: O } = symmetricWithSpectrum([1, -1, 1, -1], makeRng(4));
    expect(maxAbsDiff(matmul(O, O), identity(4))).toBeLessThan(EIG_TOL);
  });

  it("Jacobi: S v_i = λ_i v_i with orthonormal v_i, on random symmetric matrices (fast-check)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 2 ** 31 }), (n, seed) => {
      const rng = makeRng(seed), S = zeros(n, n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) S.data[i * n + j] = S.data[j * n + i] = rng.uniform(-2, 2);
      const { values, vectors } = jacobiEigen(S);
      const residual = matmul(S, vectors);
      for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) residual.data[k * n + i]! -= values[i]! * vectors.data[k * n + i]!;
      return maxAbs(residual) < 1e-11 && maxAbsDiff(matmul(transpose(vectors), vectors), identity(n)) < 1e-12
        && values.every((v, i) => i === 0 || v <= values[i - 1]!);
    }), { numRuns: 60, seed: 20240 });
  });

  it("Jacobi without its vectors (singularValues asks so) gives the same values, bit for bit, and sweeps", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 2 ** 31 }), (n, seed) => {
      const rng = makeRng(seed), S = zeros(n, n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) S.data[i * n + j] = S.data[j * n + i] = rng.uniform(-2, 2);
      const all = jacobiEigen(S), only = jacobiEigen(S, { vectors: false });
      return only.sweeps === all.sweeps && only.values.every((v, i) => Object.is(v, all.values[i])) && only.vectors.data.length === 0;
    }), { numRuns: 60, seed: 20241 });
  });

  it("can fail: Jacobi refuses a non-symmetric matrix; R Q (factors swapped) does not reproduce A", () => {
    expect(() => jacobiEigen({ rows: 2, cols: 2, data: Float64Array.from([1, 2, 0, 1]) })).toThrow(/not symmetric/);
    expect(() => jacobiEigen(zeros(2, 3))).toThrow(ShapeError);
    const A: Matrix = { rows: 3, cols: 3, data: Float64Array.from([1, 2, 0, 3, 4, 1, -1, 0, 2]) };
    const { Q, R } = householderQR(A);
    expect(maxAbsDiff(matmul(Q, R), A)).toBeLessThan(EIG_TOL);
    expect(maxAbsDiff(matmul(R, Q), A)).toBeGreaterThan(1e-3); // the order matters: RQ ≠ A
  });
});

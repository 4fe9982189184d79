/**
 * lib/fast/fast.ts — the matrix-shaped forward and backward pass used by the training page and the benchmark —
 * against lib/derivation/forward.ts + lib/derivation/backward.ts, the equation-by-equation code the pages show (eqs 1.1–1.7, 4.1–4.9).
 * They sum in different orders, so they agree to rounding, not bit for bit: ROUNDING_TOL relative to the largest
 * entry. Sizes cover every remainder of the 2 × 4 blocking (odd rows, columns not a multiple of 4, k = 1), with
 * the products in WebAssembly (the default) and in JavaScript.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backward, paramGrads } from "../../lib/derivation/backward.js";
import { gemmNT, gemvNT, lastHidden, lossAndGrads, lossFast, makeWorkspace } from "../../lib/fast/fast.js";
import { forward } from "../../lib/derivation/forward.js";
import { type Matrix, type Vector, maxAbs, maxAbsDiff, row } from "../../lib/core/matrix.js";
import { PARAM_NAMES, initParams, initialHidden } from "../../lib/derivation/model.js";
import { makeRng } from "../../lib/core/rng.js";
import { ROUNDING_TOL } from "../../lib/core/tolerances.js";

const relDiff = (a: Matrix | Vector, b: Matrix | Vector) => maxAbsDiff(a, b) / Math.max(1, maxAbs(b));

describe("gemmNT and gemvNT: C = A Bᵀ", () => {
  it("matches a triple loop for every blocking remainder, with strides, offsets and accumulation", () => {
    const rng = makeRng(5);
    for (const [m, n, k] of [[1, 1, 1], [2, 4, 3], [3, 5, 1], [5, 7, 9], [4, 8, 2], [7, 3, 6], [3, 13, 5], [2, 17, 4]] as const) {
      const lda = k + 2, ldb = k + 1, ldc = n + 3, ao = 3, bo = 1, co = 2;
      const A = Float64Array.from({ length: ao + m * lda }, () => rng.next() - 0.5);
      const B = Float64Array.from({ length: bo + n * ldb }, () => rng.next() - 0.5);
      const C0 = Float64Array.from({ length: co + m * ldc }, () => rng.next() - 0.5);
      for (const beta of [0, 1] as const) {
        const C = C0.slice();
        gemmNT(A, ao, lda, B, bo, ldb, C, co, ldc, m, n, k, beta);
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
          let s = beta ? C0[co + i * ldc + j]! : 0;
          for (let p = 0; p < k; p++) s += A[ao + i * lda + p]! * B[bo + j * ldb + p]!;
          expect(Math.abs(C[co + i * ldc + j]! - s)).toBeLessThan(ROUNDING_TOL);
        }
        // Entries outside C's block are untouched (the stride's gap and the offset).
        for (let i = 0; i < co; i++) expect(C[i]).toBe(C0[i]);
        for (let i = 0; i < m; i++) for (let j = n; j < ldc && co + i * ldc + j < C.length; j++) expect(C[co + i * ldc + j]).toBe(C0[co + i * ldc + j]);
        const c = C0.slice();
        gemvNT(A, ao, B, bo, ldb, c, co, n, k, beta);
        for (let j = 0; j < n; j++) {
          let s = beta ? C0[co + j]! : 0;
          for (let p = 0; p < k; p++) s += A[ao + p]! * B[bo + j * ldb + p]!;
          expect(Math.abs(c[co + j]! - s)).toBeLessThan(ROUNDING_TOL);
        }
      }
    }
  });
});

describe("lossAndGrads agrees with forward + backward (eqs 1.1–1.7, 4.1–4.9) to rounding", () => {
  it("on a long sequence with a large vocabulary, where Σ log z is taken from a product flushed many times", () => {
    const sizes = { vocab: 300, dModel: 3, hidden: 5 }, tau = 400; // z ≈ 300 per step: 300^400 ≈ 1e990, ~7 flushes
    const p = initParams(sizes, makeRng(9));
    const rng = makeRng(10);
    const inputs = Array.from({ length: tau }, () => Math.floor(rng.next() * sizes.vocab));
    const targets = Array.from({ length: tau }, () => Math.floor(rng.next() * sizes.vocab));
    const h0 = initialHidden("point-one", sizes.hidden);
    const f = forward(p, inputs, targets, h0);
    expect(f.loss).toBeGreaterThan(5); // ≈ ln 300: every z is near the vocabulary size
    const ws = makeWorkspace(sizes, tau);
    expect(Math.abs(lossAndGrads(p, inputs, targets, h0, ws) - f.loss)).toBeLessThan(ROUNDING_TOL);
    expect(Math.abs(lossFast(p, inputs, targets, h0, ws) - f.loss)).toBeLessThan(ROUNDING_TOL);
  });

  it("on random models, sequences and both h⁽⁰⁾ conventions", () => {
    fc.assert(
      fc.property(
        fc.record({
          vocab: fc.integer({ min: 1, max: 11 }), dModel: fc.integer({ min: 1, max: 9 }),
          hidden: fc.integer({ min: 1, max: 13 }), tau: fc.integer({ min: 1, max: 10 }),
          seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }), kind: fc.constantFrom("zeros" as const, "point-one" as const),
          kernels: fc.constantFrom("wasm" as const, "js" as const),
        }).chain((s) => fc.record({
          s: fc.constant(s),
          inputs: fc.array(fc.integer({ min: 0, max: s.vocab - 1 }), { minLength: s.tau, maxLength: s.tau }),
          targets: fc.array(fc.integer({ min: 0, max: s.vocab - 1 }), { minLength: s.tau, maxLength: s.tau }),
        })),
        ({ s, inputs, targets }) => {
          const sizes = { vocab: s.vocab, dModel: s.dModel, hidden: s.hidden };
          const p = initParams(sizes, makeRng(s.seed));
          const h0 = initialHidden(s.kind, s.hidden);
          const f = forward(p, inputs, targets, h0);
          const ref = paramGrads(backward(p, f, inputs, targets));
          const ws = makeWorkspace(sizes, s.tau, s.kernels);
          expect(ws.k.kind).toBe(s.kernels); // Node has WebAssembly SIMD: no silent fallback
          const L = lossAndGrads(p, inputs, targets, h0, ws);
          expect(Math.abs(L - f.loss)).toBeLessThan(ROUNDING_TOL);
          for (const name of PARAM_NAMES) expect(relDiff(ws.grads[name], ref[name]), name).toBeLessThan(ROUNDING_TOL);
          expect(maxAbsDiff(lastHidden(ws), row(f.h, s.tau - 1))).toBeLessThan(ROUNDING_TOL);
          expect(Math.abs(lossFast(p, inputs, targets, h0, ws) - f.loss)).toBeLessThan(ROUNDING_TOL);
        },
      ),
      { numRuns: 200, seed: 20261122 },
    );
  });

  it("at the benchmark's medium size (vocab 65, d_model 32, hidden 128, τ 64)", () => {
    const sizes = { vocab: 65, dModel: 32, hidden: 128 }, tau = 64, rng = makeRng(9);
    const p = initParams(sizes, rng);
    const inputs = Array.from({ length: tau }, () => Math.floor(rng.next() * 65));
    const targets = Array.from({ length: tau }, () => Math.floor(rng.next() * 65));
    const h0 = initialHidden("point-one", 128);
    const ref = paramGrads(backward(p, forward(p, inputs, targets, h0), inputs, targets));
    const ws = makeWorkspace(sizes, tau);
    lossAndGrads(p, inputs, targets, h0, ws);
    for (const name of PARAM_NAMES) expect(relDiff(ws.grads[name], ref[name]), name).toBeLessThan(ROUNDING_TOL);
  });

  it("a reused workspace gives the same numbers as a fresh one (nothing leaks between calls)", () => {
    const sizes = { vocab: 7, dModel: 3, hidden: 5 }, ws = makeWorkspace(sizes, 4);
    const p = initParams(sizes, makeRng(1)), q = initParams(sizes, makeRng(2)), h0 = initialHidden("zeros", 5);
    lossAndGrads(q, [6, 6, 6, 6], [0, 0, 0, 0], initialHidden("point-one", 5), ws);
    const L = lossAndGrads(p, [1, 2, 1, 3], [2, 1, 3, 0], h0, ws);
    const fresh = makeWorkspace(sizes, 4);
    expect(lossAndGrads(p, [1, 2, 1, 3], [2, 1, 3, 0], h0, fresh)).toBe(L);
    for (const name of PARAM_NAMES) expect(maxAbsDiff(ws.grads[name], fresh.grads[name])).toBe(0);
  });

  it("rejects a mismatched workspace, sequence or token with a message naming what was expected", () => {
    const sizes = { vocab: 4, dModel: 2, hidden: 3 }, p = initParams(sizes, makeRng(1)), h0 = initialHidden("zeros", 3);
    expect(() => lossAndGrads(p, [0, 1], [1, 2], h0, makeWorkspace({ ...sizes, hidden: 4 }, 2))).toThrow(/U has shape \[3,2\], the workspace expects \[4,2\]/);
    expect(() => lossAndGrads(p, [0, 1, 2], [1, 2, 3], h0, makeWorkspace(sizes, 2))).toThrow(/expected τ = 2/);
    expect(() => lossAndGrads(p, [0, 4], [1, 2], h0, makeWorkspace(sizes, 2))).toThrow(/inputs\[1\] = 4 is not a token id in \[0, 4\)/);
    expect(() => makeWorkspace(sizes, 0)).toThrow(/tau must be a positive integer/);
  });
});

/**
 * lib/fast/kernels.ts: the WebAssembly products (and transpose, and the backward recursion) against a triple loop for every remainder of their blocking (2 × 4 for
 * C = A Bᵀ; 4 rows and k unrolled by 4 for c = a Bᵀ), with row strides, offsets and accumulation, and against the
 * JavaScript kernels; and the committed bytes (lib/fast/kernels-wasm.ts) against what scripts/wasm-kernels.ts assembles to.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { gemmNT, gemvNT } from "../../lib/fast/fast.js";
import { type KernelKind, makeProducts } from "../../lib/fast/kernels.js";
import { makeRng } from "../../lib/core/rng.js";
import { ROUNDING_TOL } from "../../lib/core/tolerances.js";
import { KERNELS_OUT, assembleKernels, kernelsModuleText } from "../../scripts/build-wasm.js";

const JS = { gemm: gemmNT, gemv: gemvNT };
const SHAPES = [[1, 1, 1], [2, 4, 3], [3, 5, 1], [5, 7, 9], [4, 8, 2], [7, 3, 6], [3, 13, 5], [2, 17, 4], [6, 6, 4], [9, 11, 16], [2, 4, 7]] as const;

/** Runs C = A Bᵀ (and c = a Bᵀ on A's first row) through `kind` on random data laid out in one heap. */
function run(kind: KernelKind, m: number, n: number, k: number, beta: 0 | 1, seed: number) {
  const lda = k + 2, ldb = k + 1, ldc = n + 3;
  const ao = 3, bo = ao + m * lda + 1, co = bo + n * ldb + 2, end = co + m * ldc + 5;
  const prod = makeProducts(end, kind, JS);
  const rng = makeRng(seed);
  for (let i = 0; i < end; i++) prod.heap[i] = rng.next() - 0.5;
  const before = prod.heap.slice();
  prod.gemm(ao, lda, bo, ldb, co, ldc, m, n, k, beta);
  const C = prod.heap.slice();
  prod.heap.set(before);
  prod.gemv(ao, bo, ldb, co, n, k, beta);
  const c = prod.heap.slice();
  return { kind: prod.kind, before, C, c, lda, ldb, ldc, ao, bo, co };
}

describe("the WebAssembly products", () => {
  it("are the ones in use in Node (WebAssembly SIMD is there: no silent fallback)", () => {
    expect(makeProducts(16, "wasm", JS).kind).toBe("wasm");
  });

  it.each(SHAPES)("C = A Bᵀ and c = a Bᵀ match a triple loop at m, n, k = %i, %i, %i, untouched outside C", (m, n, k) => {
    for (const beta of [0, 1] as const) {
      const { kind, before: h, C, c, lda, ldb, ldc, ao, bo, co } = run("wasm", m, n, k, beta, 100 * m + 10 * n + k);
      expect(kind).toBe("wasm");
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = beta ? h[co + i * ldc + j]! : 0;
        for (let p = 0; p < k; p++) s += h[ao + i * lda + p]! * h[bo + j * ldb + p]!;
        expect(Math.abs(C[co + i * ldc + j]! - s), `C[${i},${j}]`).toBeLessThan(ROUNDING_TOL);
      }
      for (let j = 0; j < n; j++) {
        let s = beta ? h[co + j]! : 0;
        for (let p = 0; p < k; p++) s += h[ao + p]! * h[bo + j * ldb + p]!;
        expect(Math.abs(c[co + j]! - s), `c[${j}]`).toBeLessThan(ROUNDING_TOL);
      }
      // Nothing outside C (the strides' gaps, A, B, the ends of the heap) is written.
      const inC = (q: number) => q >= co && (q - co) % ldc < n && Math.floor((q - co) / ldc) < m;
      for (let q = 0; q < h.length; q++) if (!inC(q)) expect(C[q], `heap[${q}]`).toBe(h[q]);
      for (let q = 0; q < h.length; q++) if (!(q >= co && q < co + n)) expect(c[q], `heap[${q}]`).toBe(h[q]);
    }
  });

  it.each(["wasm", "js"] as const)("transpose (%s) writes srcᵀ and nothing else, for strided sources", (kind) => {
    for (const [rows, cols, ld] of [[1, 1, 1], [3, 5, 7], [6, 4, 4], [9, 2, 3]] as const) {
      const src = 2, dst = src + rows * ld + 3, end = dst + rows * cols + 4;
      const prod = makeProducts(end, kind, JS);
      expect(prod.kind).toBe(kind);
      const rng = makeRng(rows * cols);
      for (let i = 0; i < end; i++) prod.heap[i] = rng.next();
      const before = prod.heap.slice();
      prod.transpose(src, ld, rows, cols, dst);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expect(prod.heap[dst + c * rows + r]).toBe(before[src + r * ld + c]);
      for (let q = 0; q < end; q++) if (q < dst || q >= dst + rows * cols) expect(prod.heap[q]).toBe(before[q]);
    }
  });

  it.each(["wasm", "js"] as const)("backRecursion (%s) is eqs 4.2–4.3 run backward in time", (kind) => {
    for (const [H, tau] of [[1, 1], [6, 6], [5, 9], [13, 4]] as const) {
      const dh = 0, da = dh + tau * H, h = da + tau * H, WT = h + (tau + 1) * H, end = WT + H * H;
      const prod = makeProducts(end, kind, JS);
      expect(prod.kind).toBe(kind);
      const rng = makeRng(H * tau);
      for (let i = 0; i < end; i++) prod.heap[i] = rng.next() - 0.5;
      const ref = prod.heap.slice();
      // The definition, step by step: (DL)_h⁽ᵗ⁾ gains (DL)_a⁽ᵗ⁺¹⁾ W, then (DL)_a⁽ᵗ⁾ = (DL)_h⁽ᵗ⁾ ⊙ (1 − h⁽ᵗ⁾²).
      for (let t = tau - 1; t >= 0; t--) {
        for (let j = 0; j < H && t < tau - 1; j++) {
          let s = 0;
          for (let i = 0; i < H; i++) s += ref[da + (t + 1) * H + i]! * ref[WT + j * H + i]!;
          ref[dh + t * H + j] = ref[dh + t * H + j]! + s;
        }
        for (let j = 0; j < H; j++) ref[da + t * H + j] = ref[dh + t * H + j]! * (1 - ref[h + (t + 1) * H + j]! ** 2);
      }
      prod.backRecursion(dh, da, h, WT, H, tau);
      for (let q = 0; q < end; q++) expect(Math.abs(prod.heap[q]! - ref[q]!), `heap[${q}]`).toBeLessThan(ROUNDING_TOL);
    }
  });

  it("agree with the JavaScript kernels to rounding on larger shapes", () => {
    for (const [m, n, k] of [[64, 48, 33], [31, 64, 64], [128, 17, 5]] as const) {
      const w = run("wasm", m, n, k, 1, m + n + k), j = run("js", m, n, k, 1, m + n + k);
      expect(j.kind).toBe("js");
      let worst = 0;
      for (let q = 0; q < w.C.length; q++) worst = Math.max(worst, Math.abs(w.C[q]! - j.C[q]!), Math.abs(w.c[q]! - j.c[q]!));
      expect(worst).toBeLessThan(ROUNDING_TOL);
    }
  });
});

describe("lib/fast/kernels-wasm.ts", () => {
  it("holds what scripts/wasm-kernels.ts assembles to (run `npm run build:wasm` after editing it)", async () => {
    expect(readFileSync(KERNELS_OUT, "utf8")).toBe(kernelsModuleText(await assembleKernels()));
  });
});

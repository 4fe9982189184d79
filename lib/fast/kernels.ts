/**
 * The two products lib/fast/fast.ts is made of — C = A Bᵀ (`gemm`) and c = a Bᵀ (`gemv`) — and the transposes that let
 * them read rows, over one Float64Array
 * `heap` that holds every buffer of a workspace, addressed by element offsets. Two implementations with one
 * contract: WebAssembly SIMD (scripts/wasm-kernels.ts, 4–5× faster here) when the engine has it, the JavaScript
 * `gemmNT` / `gemvNT` of lib/fast/fast.ts otherwise. test/fast/kernels.test.ts checks that they agree to rounding.
 */
import { KERNELS_WASM_BASE64 } from "./kernels-wasm.js";

export type KernelKind = "wasm" | "js";

export interface Products {
  readonly kind: KernelKind;
  /** The buffer every offset refers to. With "wasm" it lives in a WebAssembly.Memory that never grows. */
  readonly heap: Float64Array;
  /** heap[C] = heap[A] heap[B]ᵀ (beta 0) or += (beta 1); A m×k, B n×k, C m×n at element offsets with row strides. */
  gemm(ao: number, lda: number, bo: number, ldb: number, co: number, ldc: number, m: number, n: number, k: number, beta: 0 | 1): void;
  /** heap[c] = heap[a] heap[B]ᵀ (beta 0) or += (beta 1); a of length k, B n×k. */
  gemv(ao: number, bo: number, ldb: number, co: number, n: number, k: number, beta: 0 | 1): void;
  /** heap[dst] (cols × rows) = heap[src]ᵀ, src rows × cols with row stride ld. */
  transpose(src: number, ld: number, rows: number, cols: number, dst: number): void;
  /**
   * eqs 4.2–4.3 for t = τ−1 … 0 (rows of H): dh[t] += da[t+1] WTᵀ for t < τ−1, then da[t] = dh[t] ⊙ (1 − h[t+1]²),
   * with h at the row of h⁽⁰⁾ and WT = Wᵀ (H × H).
   */
  backRecursion(dh: number, da: number, h: number, WT: number, H: number, tau: number): void;
}

type GemmFn = (ao: number, lda: number, bo: number, ldb: number, co: number, ldc: number, m: number, n: number, k: number, beta: number) => void;
type GemvFn = (ao: number, bo: number, ldb: number, co: number, n: number, k: number, beta: number) => void;
type TransposeFn = (src: number, ld: number, rows: number, cols: number, dst: number) => void;
type RecursionFn = (dh: number, da: number, h: number, WT: number, H: number, tau: number) => void;

let compiled: WebAssembly.Module | null | undefined;

/**
 * The compiled module, or null where WebAssembly SIMD is missing. Compiled synchronously, once: it is ~4 KB
 * (Chromium here compiled 41 KB synchronously on a page's main thread; where an engine refuses, the JS kernels serve).
 */
export function wasmModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  try {
    if (typeof WebAssembly === "object") {
      const bytes = Uint8Array.from(atob(KERNELS_WASM_BASE64), (ch) => ch.charCodeAt(0));
      if (WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
    }
  } catch {
    compiled = null; // e.g. a browser without SIMD or with WebAssembly disabled by policy: the JS kernels serve
  }
  return compiled;
}

/**
 * A heap of `length` doubles and the products over it. `kind` "wasm" falls back to "js" where WebAssembly SIMD is
 * unavailable; `js` is the reference the WebAssembly kernels are tested against.
 */
export function makeProducts(
  length: number,
  kind: KernelKind,
  js: { gemm: (A: Float64Array, ao: number, lda: number, B: Float64Array, bo: number, ldb: number, C: Float64Array, co: number, ldc: number, m: number, n: number, k: number, beta: 0 | 1) => void;
        gemv: (a: Float64Array, ao: number, B: Float64Array, bo: number, ldb: number, c: Float64Array, co: number, n: number, k: number, beta: 0 | 1) => void },
): Products {
  const module = kind === "wasm" ? wasmModule() : null;
  if (module) {
    const pages = Math.max(1, Math.ceil((length * 8) / 65536));
    // initial = maximum: growing would detach the buffer, which slows every typed-array loop in the process.
    const mem = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const ex = new WebAssembly.Instance(module, { env: { mem } }).exports as { gemmNT: GemmFn; gemvNT: GemvFn; transpose: TransposeFn; backRecursion: RecursionFn };
    const gemmNT = ex.gemmNT, gemvNT = ex.gemvNT, transpose = ex.transpose, backRecursion = ex.backRecursion;
    return {
      kind: "wasm",
      heap: new Float64Array(mem.buffer, 0, length),
      gemm: (ao, lda, bo, ldb, co, ldc, m, n, k, beta) => gemmNT(ao * 8, lda, bo * 8, ldb, co * 8, ldc, m, n, k, beta),
      gemv: (ao, bo, ldb, co, n, k, beta) => gemvNT(ao * 8, bo * 8, ldb, co * 8, n, k, beta),
      transpose: (src, ld, rows, cols, dst) => transpose(src * 8, ld, rows, cols, dst * 8),
      backRecursion: (dh, da, h, WT, H, tau) => backRecursion(dh * 8, da * 8, h * 8, WT * 8, H, tau),
    };
  }
  const heap = new Float64Array(length);
  return {
    kind: "js",
    heap,
    gemm: (ao, lda, bo, ldb, co, ldc, m, n, k, beta) => js.gemm(heap, ao, lda, heap, bo, ldb, heap, co, ldc, m, n, k, beta),
    gemv: (ao, bo, ldb, co, n, k, beta) => js.gemv(heap, ao, heap, bo, ldb, heap, co, n, k, beta),
    transpose: (src, ld, rows, cols, dst) => {
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) heap[dst + c * rows + r] = heap[src + r * ld + c]!;
    },
    backRecursion: (dh, da, h, WT, H, tau) => {
      for (let t = tau - 1; t >= 0; t--) {
        if (t < tau - 1) js.gemv(heap, da + (t + 1) * H, heap, WT, H, heap, dh + t * H, H, H, 1);
        for (let j = 0; j < H; j++) {
          const hv = heap[h + (t + 1) * H + j]!;
          heap[da + t * H + j] = heap[dh + t * H + j]! * (1 - hv * hv);
        }
      }
    },
  };
}

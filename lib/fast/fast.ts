/**
 * The same loss and gradients as lib/derivation/forward.ts + lib/derivation/backward.ts (eqs 1.1–1.7, 4.1–4.9), arranged for speed:
 * the derivation's plan of attack (§2) says everything except the hidden-state recursion is parallel over t,
 * so here every such step is one matrix product over all τ steps at once, and only eqs 1.4–1.5 forward and
 * 4.2–4.3 backward loop over t. Pages show lib/derivation/backward.ts, which reads like the equations; the training page
 * and `npm run bench` use this file; test/fast/fast.test.ts proves the two agree to rounding.
 *
 * Every product is C = A Bᵀ with both operands row-major, so each entry is a dot product of two contiguous rows,
 * blocked 2 × 4 so each load feeds two or four multiply-adds: `gemmNT` below in TypeScript, and the same in
 * WebAssembly SIMD (lib/fast/kernels.ts, 4–5× faster), which a workspace uses unless the engine lacks it. Buffers live
 * in a `Workspace` made once per (sizes, τ), in the one heap the kernels address: a call allocates nothing. tanh,
 * exp and log are lib/core/libm.ts's, as everywhere in lib/; Σ log z is one log of a product: the results differ from
 * lib/derivation/backward.ts's in the last bits only. docs/performance.md has the figures.
 */
import { type Matrix, type Vector, ShapeError } from "../core/matrix.js";
import type { Params, Sizes } from "../derivation/model.js";
import { type KernelKind, type Products, makeProducts } from "./kernels.js";
import { exp, log, tanh } from "../core/libm.js";

/**
 * C = A Bᵀ (beta = 0) or C += A Bᵀ (beta = 1), for A m×k, B n×k, C m×n, each given as (array, offset of its
 * first entry, row stride). A row stride larger than k lets a caller pass a block of a wider matrix.
 */
export function gemmNT(
  A: Float64Array, ao: number, lda: number,
  B: Float64Array, bo: number, ldb: number,
  C: Float64Array, co: number, ldc: number,
  m: number, n: number, k: number, beta: 0 | 1,
): void {
  let i = 0;
  // Two rows of A against four rows of B: 6 loads per 8 multiply-adds (a plain dot product does 2 per 1).
  for (; i + 1 < m; i += 2) {
    const a0 = ao + i * lda, a1 = a0 + lda, c0 = co + i * ldc, c1 = c0 + ldc;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = bo + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let p = 0; p < k; p++) {
        // One B entry at a time against both A rows: V8 keeps the 8 sums and 3 operands in registers.
        const x0 = A[a0 + p]!, x1 = A[a1 + p]!;
        let y = B[b0 + p]!;
        s00 += x0 * y; s10 += x1 * y;
        y = B[b1 + p]!;
        s01 += x0 * y; s11 += x1 * y;
        y = B[b2 + p]!;
        s02 += x0 * y; s12 += x1 * y;
        y = B[b3 + p]!;
        s03 += x0 * y; s13 += x1 * y;
      }
      if (beta) {
        C[c0 + j] = C[c0 + j]! + s00; C[c0 + j + 1] = C[c0 + j + 1]! + s01; C[c0 + j + 2] = C[c0 + j + 2]! + s02; C[c0 + j + 3] = C[c0 + j + 3]! + s03;
        C[c1 + j] = C[c1 + j]! + s10; C[c1 + j + 1] = C[c1 + j + 1]! + s11; C[c1 + j + 2] = C[c1 + j + 2]! + s12; C[c1 + j + 3] = C[c1 + j + 3]! + s13;
      } else {
        C[c0 + j] = s00; C[c0 + j + 1] = s01; C[c0 + j + 2] = s02; C[c0 + j + 3] = s03;
        C[c1 + j] = s10; C[c1 + j + 1] = s11; C[c1 + j + 2] = s12; C[c1 + j + 3] = s13;
      }
    }
    for (; j < n; j++) {
      const b0 = bo + j * ldb;
      let s0 = 0, s1 = 0;
      for (let p = 0; p < k; p++) {
        const y = B[b0 + p]!;
        s0 += A[a0 + p]! * y; s1 += A[a1 + p]! * y;
      }
      if (beta) { C[c0 + j] = C[c0 + j]! + s0; C[c1 + j] = C[c1 + j]! + s1; } else { C[c0 + j] = s0; C[c1 + j] = s1; }
    }
  }
  if (i < m) gemvNT(A, ao + i * lda, B, bo, ldb, C, co + i * ldc, n, k, beta);
}

/** c = a Bᵀ or c += a Bᵀ for one row a (length k) and B n×k: the shape of the recursion's step. */
export function gemvNT(
  a: Float64Array, ao: number,
  B: Float64Array, bo: number, ldb: number,
  c: Float64Array, co: number,
  n: number, k: number, beta: 0 | 1,
): void {
  let j = 0;
  // Eight rows of B per pass over a: one load of a feeds eight multiply-adds.
  for (; j + 7 < n; j += 8) {
    const b0 = bo + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
    const b4 = b3 + ldb, b5 = b4 + ldb, b6 = b5 + ldb, b7 = b6 + ldb;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (let p = 0; p < k; p++) {
      const x = a[ao + p]!;
      s0 += x * B[b0 + p]!; s1 += x * B[b1 + p]!; s2 += x * B[b2 + p]!; s3 += x * B[b3 + p]!;
      s4 += x * B[b4 + p]!; s5 += x * B[b5 + p]!; s6 += x * B[b6 + p]!; s7 += x * B[b7 + p]!;
    }
    const c0 = co + j;
    if (beta) {
      c[c0] = c[c0]! + s0; c[c0 + 1] = c[c0 + 1]! + s1; c[c0 + 2] = c[c0 + 2]! + s2; c[c0 + 3] = c[c0 + 3]! + s3;
      c[c0 + 4] = c[c0 + 4]! + s4; c[c0 + 5] = c[c0 + 5]! + s5; c[c0 + 6] = c[c0 + 6]! + s6; c[c0 + 7] = c[c0 + 7]! + s7;
    } else {
      c[c0] = s0; c[c0 + 1] = s1; c[c0 + 2] = s2; c[c0 + 3] = s3; c[c0 + 4] = s4; c[c0 + 5] = s5; c[c0 + 6] = s6; c[c0 + 7] = s7;
    }
  }
  for (; j + 3 < n; j += 4) {
    const b0 = bo + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let p = 0; p < k; p++) {
      const x = a[ao + p]!;
      s0 += x * B[b0 + p]!; s1 += x * B[b1 + p]!; s2 += x * B[b2 + p]!; s3 += x * B[b3 + p]!;
    }
    if (beta) { c[co + j] = c[co + j]! + s0; c[co + j + 1] = c[co + j + 1]! + s1; c[co + j + 2] = c[co + j + 2]! + s2; c[co + j + 3] = c[co + j + 3]! + s3; } else {
      c[co + j] = s0; c[co + j + 1] = s1; c[co + j + 2] = s2; c[co + j + 3] = s3;
    }
  }
  for (; j < n; j++) {
    const b0 = bo + j * ldb;
    let s = 0;
    for (let p = 0; p < k; p++) s += a[ao + p]! * B[b0 + p]!;
    if (beta) c[co + j] = c[co + j]! + s; else c[co + j] = s;
  }
}

/** The buffers of a workspace, each a view into `Products.heap`; `at` gives their element offsets. */
const BUFFERS = ["x", "a", "hs", "o", "dL_dh", "dL_da", "dL_dx", "U", "W", "V", "WT", "VT", "UT", "hsT", "daT", "xT", "doT",
  "dE", "dU", "dW", "dV", "db", "dc", "ones"] as const;
type Buffer = (typeof BUFFERS)[number];

/** Every buffer one evaluation needs, for one (vocab, d_model, hidden, τ), in one heap the products address. */
export interface Workspace {
  readonly sizes: Sizes;
  readonly tau: number;
  /** The products and the heap every buffer below lives in ("wasm" unless WebAssembly SIMD is missing). */
  readonly k: Products;
  /** Element offset of each buffer in `k.heap`. */
  readonly at: Readonly<Record<Buffer, number>>;
  /** x⁽ᵗ⁾ (eq 1.3), τ × d_model. */
  readonly x: Float64Array;
  /** a⁽ᵗ⁾ (eq 1.4), τ × hidden. */
  readonly a: Float64Array;
  /** h⁽⁰⁾ … h⁽τ⁾ (eq 1.5), (τ + 1) × hidden: row 0 is h⁽⁰⁾ so row t − 1 is always h⁽ᵗ⁻¹⁾. */
  readonly hs: Float64Array;
  /** o⁽ᵗ⁾ (eq 1.6), then overwritten in place by ŷ⁽ᵗ⁾/τ and by (DL)_{o⁽ᵗ⁾} (eq 4.1), τ × vocab. */
  readonly o: Float64Array;
  /** (DL)_{h⁽ᵗ⁾} (eqs 4.2–4.3) and (DL)_{a⁽ᵗ⁾} (the bracket of eqs 4.5, 4.7–4.9), τ × hidden. */
  readonly dL_dh: Float64Array;
  readonly dL_da: Float64Array;
  /** (DL)_{x⁽ᵗ⁾}, the rows eq 4.9 scatters into (DL)_E, τ × d_model. */
  readonly dL_dx: Float64Array;
  /** Copies of the parameters the products read (the products address the heap only), made by every call. */
  readonly U: Float64Array; readonly W: Float64Array; readonly V: Float64Array;
  /** Transposed copies so that every product reads contiguous rows. */
  readonly WT: Float64Array; readonly VT: Float64Array; readonly UT: Float64Array;
  readonly hsT: Float64Array; readonly daT: Float64Array; readonly xT: Float64Array; readonly doT: Float64Array;
  /** The gradients of the last `lossAndGrads` call, overwritten by the next (eqs 4.4–4.9): views into the heap. */
  readonly grads: { E: Matrix; U: Matrix; W: Matrix; b: Vector; V: Matrix; c: Vector };
}

/**
 * `kernels`: "wasm" (the default) runs the products in WebAssembly SIMD where the engine has it, else in JavaScript;
 * "js" always in JavaScript (the reference the WebAssembly kernels are tested against). Same numbers to rounding.
 */
export function makeWorkspace(sizes: Sizes, tau: number, kernels: KernelKind = "wasm"): Workspace {
  const { vocab: V, dModel: d, hidden: H } = sizes;
  for (const [name, n] of [["vocab", V], ["dModel", d], ["hidden", H], ["tau", tau]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new ShapeError(`makeWorkspace: ${name} must be a positive integer, got ${n}`);
  }
  const length: Record<Buffer, number> = {
    x: tau * d, a: tau * H, hs: (tau + 1) * H, o: tau * V, dL_dh: tau * H, dL_da: tau * H, dL_dx: tau * d,
    U: H * d, W: H * H, V: V * H, WT: H * H, VT: H * V, UT: d * H,
    hsT: H * (tau + 1), daT: H * tau, xT: d * tau, doT: V * tau,
    dE: V * d, dU: H * d, dW: H * H, dV: V * H, db: H, dc: V, ones: tau,
  };
  let end = 0;
  const place = (name: Buffer) => {
    const start = end;
    end += Math.ceil(length[name] / 8) * 8; // each buffer starts on a 64-byte line
    return start;
  };
  // An object literal, not properties added in a loop: V8 keeps a literal's properties fast, and every call reads
  // these offsets (the loop-built object made each read ~10 ns, 0.5 µs a call at the tiny size).
  const at: Record<Buffer, number> = {
    x: place("x"), a: place("a"), hs: place("hs"), o: place("o"), dL_dh: place("dL_dh"), dL_da: place("dL_da"),
    dL_dx: place("dL_dx"), U: place("U"), W: place("W"), V: place("V"), WT: place("WT"), VT: place("VT"), UT: place("UT"),
    hsT: place("hsT"), daT: place("daT"), xT: place("xT"), doT: place("doT"), dE: place("dE"), dU: place("dU"),
    dW: place("dW"), dV: place("dV"), db: place("db"), dc: place("dc"), ones: place("ones"),
  };
  const k = makeProducts(end, kernels, { gemm: gemmNT, gemv: gemvNT });
  const view = (name: Buffer) => k.heap.subarray(at[name], at[name] + length[name]);
  view("ones").fill(1);
  const mat = (rows: number, name: Buffer): Matrix => ({ rows, cols: length[name] / rows, data: view(name) });
  return {
    sizes: { ...sizes }, tau, k, at,
    x: view("x"), a: view("a"), hs: view("hs"), o: view("o"), dL_dh: view("dL_dh"), dL_da: view("dL_da"), dL_dx: view("dL_dx"),
    U: view("U"), W: view("W"), V: view("V"), WT: view("WT"), VT: view("VT"), UT: view("UT"),
    hsT: view("hsT"), daT: view("daT"), xT: view("xT"), doT: view("doT"),
    grads: { E: mat(V, "dE"), U: mat(H, "dU"), W: mat(H, "dW"), b: view("db"), V: mat(V, "dV"), c: view("dc") },
  };
}

/**
 * Shapes and token ids, checked with plain comparisons: at the tiny size a whole evaluation takes a few
 * microseconds, and lib/derivation/model.ts `sizesOf` (which builds its messages eagerly) would cost as much again. The
 * message is built only on failure (building the list of shapes on every call cost 0.2 µs at tiny).
 */
function checkCall(fn: string, p: Params, inputs: readonly number[], targets: readonly number[], h0: Vector, ws: Workspace): void {
  const { vocab: V, dModel: d, hidden: H } = ws.sizes;
  if (p.E.rows !== V || p.E.cols !== d || p.U.rows !== H || p.U.cols !== d || p.W.rows !== H || p.W.cols !== H ||
      p.b.length !== H || p.V.rows !== V || p.V.cols !== H || p.c.length !== V) shapeMismatch(fn, p, ws);
  if (inputs.length !== ws.tau || targets.length !== ws.tau) {
    throw new ShapeError(`${fn}: ${inputs.length} inputs and ${targets.length} targets, expected τ = ${ws.tau} of each`);
  }
  if (h0.length !== H) throw new ShapeError(`${fn}: h0 has length ${h0.length}, expected hidden = ${H}`);
  for (let t = 0; t < ws.tau; t++) {
    const i = inputs[t]!, y = targets[t]!;
    if (!(Number.isInteger(i) && i >= 0 && i < V)) throw new ShapeError(`${fn}: inputs[${t}] = ${i} is not a token id in [0, ${V})`);
    if (!(Number.isInteger(y) && y >= 0 && y < V)) throw new ShapeError(`${fn}: targets[${t}] = ${y} is not a token id in [0, ${V})`);
  }
}

function shapeMismatch(fn: string, p: Params, ws: Workspace): never {
  const { vocab: V, dModel: d, hidden: H } = ws.sizes;
  const shapes: [string, number, number, number, number][] = [
    ["E", p.E.rows, p.E.cols, V, d], ["U", p.U.rows, p.U.cols, H, d], ["W", p.W.rows, p.W.cols, H, H],
    ["b", p.b.length, 1, H, 1], ["V", p.V.rows, p.V.cols, V, H], ["c", p.c.length, 1, V, 1],
  ];
  const [name, r, c, wr, wc] = shapes.find(([, r, c, wr, wc]) => r !== wr || c !== wc)!;
  throw new ShapeError(`${fn}: ${name} has shape [${r},${c}], the workspace expects [${wr},${wc}] (vocab ${V}, d_model ${d}, hidden ${H})`);
}

/** eqs 1.3–1.7 and 1.1–1.2 into the workspace; returns L. Leaves ŷ⁽ᵗ⁾/τ in `ws.o`. */
function forwardInto(p: Params, inputs: readonly number[], targets: readonly number[], h0: Vector, ws: Workspace): number {
  const { vocab: V, dModel: d, hidden: H } = ws.sizes, tau = ws.tau;
  const { x, a, hs, o, k, at } = ws;
  const Ed = p.E.data;
  // The products read the heap only: U, W and V are copied in (the size of the parameters, not of the work).
  ws.U.set(p.U.data);
  ws.W.set(p.W.data);
  ws.V.set(p.V.data);
  for (let t = 0; t < tau; t++) { // eq 1.3: x⁽ᵗ⁾ is row input⁽ᵗ⁾ of E
    const r = inputs[t]! * d;
    for (let m = 0; m < d; m++) x[t * d + m] = Ed[r + m]!;
  }
  // eq 1.4, the input half for all t at once: a = x Uᵀ + b.
  k.gemm(at.x, d, at.U, d, at.a, H, tau, H, d, 0);
  for (let t = 0; t < tau; t++) for (let j = 0; j < H; j++) a[t * H + j] = a[t * H + j]! + p.b[j]!;
  hs.set(h0, 0);
  for (let t = 0; t < tau; t++) {
    k.gemv(at.hs + t * H, at.W, H, at.a + t * H, H, H, 1); // eq 1.4: a⁽ᵗ⁾ += h⁽ᵗ⁻¹⁾ Wᵀ, the sequential part
    for (let j = 0; j < H; j++) hs[(t + 1) * H + j] = tanh(a[t * H + j]!); // eq 1.5
  }
  k.gemm(at.hs + H, H, at.V, H, at.o, V, tau, V, H, 0); // eq 1.6 for all t: o = h Vᵀ + c
  let sum = 0, zProd = 1;
  for (let t = 0; t < tau; t++) {
    const r = t * V;
    let m = -Infinity;
    for (let j = 0; j < V; j++) {
      const v = (o[r + j] = o[r + j]! + p.c[j]!);
      if (v > m) m = v;
    }
    // One exp per logit: e_k = exp(o_k − m), z = Σ e_k, ŷ = e / z.
    const oy = o[r + targets[t]!]! - m;
    let z = 0;
    for (let j = 0; j < V; j++) {
      const e = exp(o[r + j]! - m);
      o[r + j] = e;
      z += e;
    }
    // eq 1.1 through log-sum-exp, as lib/derivation/forward.ts: L⁽ᵗ⁾ = log z − (o_y − m) = −log ŷ_y. Σ_t log z_t is taken as
    // the log of a product (1 ≤ z ≤ vocab, so it is flushed before it could overflow): one log per ~50 steps
    // instead of one per step, which was 10% of the tiny size's time.
    sum -= oy;
    zProd *= z;
    if (zProd > 1e150) { sum += log(zProd); zProd = 1; }
    const scale = 1 / (z * tau); // eq 1.7's ŷ⁽ᵗ⁾, and already the 1/τ of eq 4.1
    for (let j = 0; j < V; j++) o[r + j] = o[r + j]! * scale;
  }
  sum += log(zProd);
  return sum / tau; // eq 1.2
}

/** The mean loss L (eq 1.2) alone, for finite differences: no gradient work. */
export function lossFast(p: Params, inputs: readonly number[], targets: readonly number[], h0: Vector, ws: Workspace): number {
  checkCall("lossFast", p, inputs, targets, h0, ws);
  return forwardInto(p, inputs, targets, h0, ws);
}

/**
 * L and all six parameter gradients (eqs 4.1–4.9) into `ws.grads`; returns L. h⁽τ⁾, which truncated BPTT
 * carries into the next chunk, is the last row of `ws.hs` (see `lastHidden`).
 */
export function lossAndGrads(p: Params, inputs: readonly number[], targets: readonly number[], h0: Vector, ws: Workspace): number {
  checkCall("lossAndGrads", p, inputs, targets, h0, ws);
  const loss = forwardInto(p, inputs, targets, h0, ws);
  const { vocab: V, dModel: d, hidden: H } = ws.sizes, tau = ws.tau;
  const { o, dL_dx, grads, k, at } = ws;
  // eq 4.1 for all t, in place: (DL)_{o⁽ᵗ⁾} = ŷ⁽ᵗ⁾/τ − e_{y⁽ᵗ⁾}/τ (the forward pass left ŷ⁽ᵗ⁾/τ).
  for (let t = 0; t < tau; t++) {
    const y = t * V + targets[t]!;
    o[y] = o[y]! - 1 / tau;
  }
  k.transpose(at.V, H, V, H, at.VT); // the forward pass copied V, W and U into the heap
  k.transpose(at.W, H, H, H, at.WT);
  k.transpose(at.U, d, H, d, at.UT);
  // The (DL)_{o⁽ᵗ⁾} V term of eqs 4.2–4.3 for all t at once.
  k.gemm(at.o, V, at.VT, V, at.dL_dh, H, tau, H, V, 0);
  // eqs 4.2–4.3, t = τ … 1: add the recurrent term, then fold in the tanh derivative (the bracket of 4.5–4.9);
  // the one sequential loop of the backward pass, in one call.
  k.backRecursion(at.dL_dh, at.dL_da, at.hs, at.WT, H, tau);
  // eqs 4.4–4.8, each Σ_t as one product over the time axis (for 4.4 and 4.5, with a row of ones).
  k.transpose(at.hs, H, tau + 1, H, at.hsT); // column t of hsT is h⁽ᵗ⁾
  k.transpose(at.dL_da, H, tau, H, at.daT);
  k.transpose(at.x, d, tau, d, at.xT);
  k.transpose(at.o, V, tau, V, at.doT); // (DL)_{o⁽ᵗ⁾}, in place of o since eq 4.1
  k.gemv(at.ones, at.doT, tau, at.dc, V, tau, 0); // eq 4.4: Σ_t (DL)_{o⁽ᵗ⁾}
  k.gemv(at.ones, at.daT, tau, at.db, H, tau, 0); // eq 4.5: Σ_t (DL)_{h⁽ᵗ⁾} ⊙ (1 − h⁽ᵗ⁾²)
  k.gemm(at.doT, tau, at.hsT + 1, tau + 1, at.dV, H, V, H, tau, 0); // eq 4.6: Σ_t (DL)_{o⁽ᵗ⁾} ⊗ h⁽ᵗ⁾
  k.gemm(at.daT, tau, at.hsT, tau + 1, at.dW, H, H, H, tau, 0); // eq 4.7: … ⊗ h⁽ᵗ⁻¹⁾
  k.gemm(at.daT, tau, at.xT, tau, at.dU, d, H, d, tau, 0); // eq 4.8: … ⊗ x⁽ᵗ⁾
  // eq 4.9: (DL)_{x⁽ᵗ⁾} = [(DL)_{h⁽ᵗ⁾} ⊙ (1 − h²)] U for all t, then scattered into the rows of the input tokens.
  k.gemm(at.dL_da, H, at.UT, H, at.dL_dx, d, tau, d, H, 0);
  const dE = grads.E.data;
  dE.fill(0);
  for (let t = 0; t < tau; t++) {
    const r = inputs[t]! * d;
    for (let m = 0; m < d; m++) dE[r + m] = dE[r + m]! + dL_dx[t * d + m]!;
  }
  return loss;
}

/** h⁽τ⁾ of the last call, a view into the workspace (copy it before the next call if you keep it). */
export function lastHidden(ws: Workspace): Vector {
  const H = ws.sizes.hidden;
  return ws.hs.subarray(ws.tau * H, (ws.tau + 1) * H);
}

/**
 * Views of "BPTT Derivations" (A. Singh) §3.5–3.7 that lib/derivation/forms.ts does not provide, for the page on the
 * biases and weights (src/parameters.md): the terms of eq 3.16 one step at a time (so a page can show the size
 * of the h⁽⁰⁾ term), the sum with that term left out, finite-difference checks of the Jacobians displayed after
 * eqs 3.13 and 3.15, and the factor (Dh⁽ᵗ⁾)_{a_i⁽ᵗ⁾} of eq 3.17 read literally.
 *
 * Conventions are those of lib/derivation/forms.ts: row vectors, weights stored [out, in], row t − 1 of every τ-row matrix
 * is time step t. Nothing here calls backward.ts, so comparing with it is a comparison of two computations.
 */
import { hPrevAt } from "./forward.js";
import { FD_EPSILON } from "../core/tolerances.js";
import { type Matrix, type Vector, ShapeError, addInPlace, row, zeros } from "../core/matrix.js";

const shp = (x: Matrix | Vector): string => ("data" in x ? `[${x.rows},${x.cols}]` : `[${x.length}]`);

function mismatch(op: string, what: string, a: string, x: Matrix | Vector, b: string, y: Matrix | Vector, n: number, m: number): ShapeError {
  return new ShapeError(`${op}: ${what} ${n} and ${m} of ${a} ${shp(x)} and ${b} ${shp(y)} must match`);
}

function checkIndex(op: string, what: string, i: number, n: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= n) {
    throw new ShapeError(`${op}: ${what} ${i} is out of range: expected an integer from 0 to ${n - 1}`);
  }
}

function checkHidden(op: string, dL_dh: Matrix, h: Matrix, h0: Vector): number {
  if (h.rows < 1) throw new ShapeError(`${op}: h ${shp(h)} has no time steps: expected at least one row`);
  if (dL_dh.rows !== h.rows) throw mismatch(op, "step counts", "dL_dh", dL_dh, "h", h, dL_dh.rows, h.rows);
  if (dL_dh.cols !== h.cols) throw mismatch(op, "hidden widths", "dL_dh", dL_dh, "h", h, dL_dh.cols, h.cols);
  if (h0.length !== h.cols) throw mismatch(op, "hidden widths", "h0", h0, "h", h, h0.length, h.cols);
  return h.rows;
}

/**
 * eq 3.16 one term at a time: element t (the source's t = 0 … τ − 1) is
 * [(DL)_{h⁽ᵗ⁺¹⁾} ⊙ (1 − (h⁽ᵗ⁺¹⁾)²)] ⊗ h⁽ᵗ⁾, a hidden × hidden matrix, with h⁽⁰⁾ = h0 in the term t = 0.
 * Their sum is (DL)_W; the term t = 0 is exactly zero when h0 is, and only then.
 */
export function gradWPerStep(dL_dh: Matrix, h: Matrix, h0: Vector): Matrix[] {
  const tau = checkHidden("gradWPerStep", dL_dh, h, h0);
  const n = h.cols;
  return Array.from({ length: tau }, (_, t) => {
    const hNext = row(h, t), dL_dhNext = row(dL_dh, t), hPrev = hPrevAt({ h0, h }, t);
    const term = zeros(n, n);
    for (let i = 0; i < n; i++) {
      const g = dL_dhNext[i]! * (1 - hNext[i]! * hNext[i]!);
      for (let j = 0; j < n; j++) term.data[i * n + j] = g * hPrev[j]!;
    }
    return term;
  });
}

/**
 * NOT the gradient unless h0 = 0: eq 3.16 with its sum started at t = 1, i.e. without the term that W⁽⁰⁾
 * contributes through h⁽⁰⁾. Kept to show numerically why the source's sum runs from t = 0.
 */
export function gradWWithoutH0Term(dL_dh: Matrix, h: Matrix, h0: Vector): Matrix {
  const terms = gradWPerStep(dL_dh, h, h0);
  const out = zeros(h.cols, h.cols);
  for (const term of terms.slice(1)) addInPlace(out, term);
  return out;
}

/**
 * Central differences of one component f_i of a function of a matrix M, entry by entry: the Jacobian (Df_i)_M,
 * shaped like M. The functions below are linear in M, so the result is exact up to rounding.
 */
function numericalComponentJacobian(M: Matrix, f: (M: Matrix) => number, eps: number): Matrix {
  const q: Matrix = { rows: M.rows, cols: M.cols, data: M.data.slice() };
  const J = zeros(M.rows, M.cols);
  for (let k = 0; k < q.data.length; k++) {
    const keep = q.data[k]!;
    q.data[k] = keep + eps;
    const up = f(q);
    q.data[k] = keep - eps;
    const down = f(q);
    q.data[k] = keep;
    J.data[k] = (up - down) / (2 * eps);
  }
  return J;
}

/**
 * An independent check on the matrix displayed after eq 3.13 (`dOi_dV` in lib/derivation/forms.ts): central differences of
 * o_i⁽ᵗ⁾ = (h⁽ᵗ⁾Vᵀ + c)_i (eq 1.6) with respect to every entry of V, h⁽ᵗ⁾ held fixed (V⁽ᵗ⁾ is the use of V at step
 * t only). vocab × hidden, like V.
 */
export function numericalDOiDV(V: Matrix, c: Vector, h_t: Vector, i: number, eps = FD_EPSILON): Matrix {
  const op = "numericalDOiDV";
  if (h_t.length !== V.cols) throw mismatch(op, "hidden widths", "h_t", h_t, "V", V, h_t.length, V.cols);
  if (c.length !== V.rows) throw mismatch(op, "vocab sizes", "c", c, "V", V, c.length, V.rows);
  checkIndex(op, "logit index i", i, V.rows);
  return numericalComponentJacobian(V, (Vq) => {
    let o = c[i]!;
    for (let j = 0; j < Vq.cols; j++) o += h_t[j]! * Vq.data[i * Vq.cols + j]!; // (h Vᵀ)_i = Σ_j V_ij h_j
    return o;
  }, eps);
}

/**
 * An independent check on the matrix displayed after eq 3.15 (`dAi_dW` in lib/derivation/forms.ts): central differences of
 * a_i⁽ᵗ⁺¹⁾ = (h⁽ᵗ⁾Wᵀ + x⁽ᵗ⁺¹⁾Uᵀ + b)_i (eq 1.4) with respect to every entry of W, h⁽ᵗ⁾ held fixed. hidden × hidden.
 */
export function numericalDAiDW(
  W: Matrix, U: Matrix, b: Vector, hPrev: Vector, xNext: Vector, i: number, eps = FD_EPSILON,
): Matrix {
  const op = "numericalDAiDW";
  if (W.rows !== W.cols) throw mismatch(op, "rows and columns", "W", W, "W", W, W.rows, W.cols);
  if (hPrev.length !== W.cols) throw mismatch(op, "hidden widths", "hPrev", hPrev, "W", W, hPrev.length, W.cols);
  if (U.rows !== W.rows) throw mismatch(op, "hidden widths", "U", U, "W", W, U.rows, W.rows);
  if (xNext.length !== U.cols) throw mismatch(op, "embedding widths", "xNext", xNext, "U", U, xNext.length, U.cols);
  if (b.length !== W.rows) throw mismatch(op, "hidden widths", "b", b, "W", W, b.length, W.rows);
  checkIndex(op, "hidden index i", i, W.rows);
  return numericalComponentJacobian(W, (Wq) => {
    let a = b[i]!;
    for (let j = 0; j < Wq.cols; j++) a += hPrev[j]! * Wq.data[i * Wq.cols + j]!;
    for (let j = 0; j < U.cols; j++) a += xNext[j]! * U.data[i * U.cols + j]!;
    return a;
  }, eps);
}

/**
 * The middle factor of eq 3.17 as printed, (Dh⁽ᵗ⁾)_{a_i⁽ᵗ⁾}: the derivative of the whole vector h⁽ᵗ⁾ with respect
 * to the one scalar a_i⁽ᵗ⁾, a hidden × 1 column — column i of diag[1 − (h⁽ᵗ⁾)²], zero except 1 − (h_i⁽ᵗ⁾)² in
 * row i. That entry is the scalar (Dh_i⁽ᵗ⁾)_{a_i⁽ᵗ⁾} the sum needs; the column itself does not multiply the
 * hidden × d_model matrix (Da_i⁽ᵗ⁾)_{U⁽ᵗ⁾} unless hidden = 1.
 */
export function dH_dAi(i: number, h_t: Vector): Matrix {
  checkIndex("dH_dAi", "hidden index i", i, h_t.length);
  const col = zeros(h_t.length, 1);
  col.data[i] = 1 - h_t[i]! * h_t[i]!;
  return col;
}

/**
 * The finite-difference checks of /parameters (§3.5–3.6 of "BPTT Derivations"): the Jacobians displayed after
 * eqs 3.13 and 3.15 (`dOi_dV`, `dAi_dW` in lib/derivation/parameters.ts), measured from eqs 1.4 and 1.6 alone. It
 * imports neither parameters.ts nor backward.ts.
 */
import { centralDifference } from "../core/fd.js";
import { FD_EPSILON } from "../core/tolerances.js";
import { type Matrix, type Vector, zeros } from "../core/matrix.js";
import { checkIndex, mismatch } from "./validate.js";

/**
 * Central differences of one component f_i of a function of a matrix M, entry by entry: the Jacobian (Df_i)_M,
 * shaped like M. The functions below are linear in M, so the result is exact up to rounding.
 */
function numericalComponentJacobian(M: Matrix, f: (M: Matrix) => number, eps: number): Matrix {
  const q: Matrix = { rows: M.rows, cols: M.cols, data: M.data.slice() };
  const J = zeros(M.rows, M.cols);
  for (let k = 0; k < q.data.length; k++) J.data[k] = centralDifference(q.data, k, () => f(q), eps);
  return J;
}

/**
 * An independent check on the matrix displayed after eq 3.13 (`dOi_dV`): central differences of
 * o_i⁽ᵗ⁾ = (h⁽ᵗ⁾Vᵀ + c)_i (eq 1.6) with respect to every entry of V, h⁽ᵗ⁾ held fixed (V⁽ᵗ⁾ is the use of V at step
 * t only). vocab × hidden, like V.
 */
export function numericalDOiDV(V: Matrix, c: Vector, h_t: Vector, i: number, eps = FD_EPSILON): Matrix {
  const op = "numericalDOiDV";
  if (h_t.length !== V.cols) throw mismatch(op, "hidden widths", h_t.length, "h_t", h_t, V.cols, "V", V);
  if (c.length !== V.rows) throw mismatch(op, "vocab sizes", c.length, "c", c, V.rows, "V", V);
  checkIndex(op, "logit index i", i, V.rows);
  return numericalComponentJacobian(V, (Vq) => {
    let o = c[i]!;
    for (let j = 0; j < Vq.cols; j++) o += h_t[j]! * Vq.data[i * Vq.cols + j]!; // (h Vᵀ)_i = Σ_j V_ij h_j
    return o;
  }, eps);
}

/**
 * An independent check on the matrix displayed after eq 3.15 (`dAi_dW`): central differences of
 * a_i⁽ᵗ⁺¹⁾ = (h⁽ᵗ⁾Wᵀ + x⁽ᵗ⁺¹⁾Uᵀ + b)_i (eq 1.4) with respect to every entry of W, h⁽ᵗ⁾ held fixed. hidden × hidden.
 */
export function numericalDAiDW(
  W: Matrix, U: Matrix, b: Vector, hPrev: Vector, xNext: Vector, i: number, eps = FD_EPSILON,
): Matrix {
  const op = "numericalDAiDW";
  if (W.rows !== W.cols) throw mismatch(op, "rows and columns", W.rows, "W", W, W.cols, "W", W);
  if (hPrev.length !== W.cols) throw mismatch(op, "hidden widths", hPrev.length, "hPrev", hPrev, W.cols, "W", W);
  if (U.rows !== W.rows) throw mismatch(op, "hidden widths", U.rows, "U", U, W.rows, "W", W);
  if (xNext.length !== U.cols) throw mismatch(op, "embedding widths", xNext.length, "xNext", xNext, U.cols, "U", U);
  if (b.length !== W.rows) throw mismatch(op, "hidden widths", b.length, "b", b, W.rows, "W", W);
  checkIndex(op, "hidden index i", i, W.rows);
  return numericalComponentJacobian(W, (Wq) => {
    let a = b[i]!;
    for (let j = 0; j < Wq.cols; j++) a += hPrev[j]! * Wq.data[i * Wq.cols + j]!;
    for (let j = 0; j < U.cols; j++) a += xNext[j]! * U.data[i * U.cols + j]!;
    return a;
  }, eps);
}

/** How many losses a central-difference check of a rows × cols parameter evaluates: two per entry. */
export function lossEvaluations(rows: number, cols: number): number {
  return 2 * rows * cols;
}

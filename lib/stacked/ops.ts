/**
 * The few matrix operations Vera's stacked RNN is written with, in its conventions: rows are batch rows, weights
 * multiply from the right (X·W), a bias is a [1, h] row added to every row. Shared by the forward pass, the
 * backward pass and the source's formulas; lib/core/matrix.ts has the general ones.
 */
import { type Matrix, matmul, transpose, zeros } from "../core/matrix.js";
import { exp, log, tanh } from "../core/libm.js";

/** φ(Z) = tanh(Z), elementwise. */
export function tanhM(z: Matrix): Matrix {
  return { rows: z.rows, cols: z.cols, data: z.data.map(tanh) };
}

/** φ'(Z) = 1 − tanh²(Z), read off H = tanh(Z) rather than recomputed from Z. */
export function dtanh(h: Matrix): Matrix {
  return { rows: h.rows, cols: h.cols, data: h.data.map((v) => 1 - v * v) };
}

/** Σ x W + b over the given (x, W) pairs, with b [1, cols] added to every row (broadcast over the batch). */
export function affine(terms: readonly [Matrix, Matrix][], b: Matrix): Matrix {
  let out: Matrix | undefined;
  for (const [x, W] of terms) {
    const m = matmul(x, W);
    if (out) for (let i = 0; i < m.data.length; i++) out.data[i]! += m.data[i]!;
    else out = m;
  }
  const o = out!;
  for (let r = 0; r < o.rows; r++) for (let j = 0; j < o.cols; j++) o.data[r * o.cols + j]! += b.data[j]!;
  return o;
}

/** Row-wise softmax and the batch-summed cross-entropy Σ_r −log A[r, y_r], each row shifted by its max so exp cannot overflow. */
export function softmaxCE(z: Matrix, y: readonly number[]): { A: Matrix; ce: number } {
  const A = zeros(z.rows, z.cols);
  let ce = 0;
  for (let r = 0; r < z.rows; r++) {
    let m = -Infinity;
    for (let j = 0; j < z.cols; j++) m = Math.max(m, z.data[r * z.cols + j]!);
    let s = 0;
    for (let j = 0; j < z.cols; j++) s += exp(z.data[r * z.cols + j]! - m);
    for (let j = 0; j < z.cols; j++) A.data[r * z.cols + j] = exp(z.data[r * z.cols + j]! - m) / s;
    ce += -(z.data[r * z.cols + y[r]!]! - m - log(s));
  }
  return { A, ce };
}

/** softmax of one row, shifted by its maximum. */
export function softmaxRow(z: readonly number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => exp(v - m));
  const s = e.reduce((x, y) => x + y, 0);
  return e.map((v) => v / s);
}

/** Y_t: one one-hot row per batch row, [n, a]. */
export function oneHot(y: readonly number[], a: number): Matrix {
  const out = zeros(y.length, a);
  y.forEach((c, r) => { out.data[r * a + c] = 1; });
  return out;
}

/** A_t − Y_t, the output delta of the batch-summed cross-entropy of one step (stacked 2.1 (1)). */
export function predictionMinusTarget(A: Matrix, y: readonly number[]): Matrix {
  const Y = oneHot(y, A.cols);
  return { rows: A.rows, cols: A.cols, data: A.data.map((v, i) => v - Y.data[i]!) };
}

/** a ⊙= b. */
export function hadamardInPlace(a: Matrix, b: Matrix): Matrix {
  for (let i = 0; i < a.data.length; i++) a.data[i]! *= b.data[i]!;
  return a;
}

/** 1ᵀ M: the column sums, [1, cols] (a bias is added to every row, so its gradient sums them). */
export function colSums(m: Matrix): Matrix {
  const out = zeros(1, m.cols);
  for (let r = 0; r < m.rows; r++) for (let j = 0; j < m.cols; j++) out.data[j]! += m.data[r * m.cols + j]!;
  return out;
}

/** A Bᵀ: how a gradient G of X·W is sent back to X (G Wᵀ). */
export const mmT = (a: Matrix, b: Matrix): Matrix => matmul(a, transpose(b));
/** Aᵀ B: how a gradient G of X·W is sent back to W (Xᵀ G). */
export const mTm = (a: Matrix, b: Matrix): Matrix => matmul(transpose(a), b);

/** Row r (0-based) of a matrix as plain numbers. */
export const rowOf = (m: Matrix, r: number): number[] => Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols));

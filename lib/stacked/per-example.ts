/**
 * The independent check of the forward passes on the stacked-RNN page: Vera §1.1 and §1.2 pushed through one
 * example (batch row) at a time, as vectors, with plain loops and no matrix product. The batch forms they check
 * (`ffnnForward` in lib/stacked/stacked.ts, `stackedForward` in lib/stacked/forward.ts) are never imported here
 * (test/layers.test.ts holds it to that): rows of a batch are independent, and the bias row is added to each.
 */
import { type Matrix, ShapeError, shapeText } from "../core/matrix.js";
import { tanh } from "../core/libm.js";
import { rowOf, softmaxRow } from "./ops.js";
import { type StackedParams, checkFfnnInput, stackedSizesOf } from "./params.js";

/** Plain-loop x W + b for one example x (a row). */
function rowAffine(terms: readonly [ArrayLike<number>, Matrix][], b: Matrix): number[] {
  const out = Array.from(b.data);
  for (const [x, W] of terms) {
    for (let j = 0; j < W.cols; j++) {
      let s = 0;
      for (let i = 0; i < W.rows; i++) s += x[i]! * W.data[i * W.cols + j]!;
      out[j]! += s;
    }
  }
  return out;
}

const fromRowArrays = (rows: number[][], cols: number): Matrix => ({ rows: rows.length, cols, data: Float64Array.from(rows.flat()) });

/**
 * Vera §1.1 (1)–(3) one example at a time: each row x_r of X is pushed through the network as a vector, and the
 * results are stacked. The check of `ffnnForward`'s batch form.
 */
export function ffnnForwardPerExample(p: StackedParams, X: Matrix): { H1: Matrix; H2: Matrix; A: Matrix } {
  checkFfnnInput("ffnnForwardPerExample", p, X);
  const H1: number[][] = [], H2: number[][] = [], A: number[][] = [];
  for (let r = 0; r < X.rows; r++) {
    const h1 = rowAffine([[rowOf(X, r), p.Wxh[0]!]], p.b[0]!).map(tanh);
    const h2 = rowAffine([[h1, p.Wxh[1]!]], p.b[1]!).map(tanh);
    H1.push(h1); H2.push(h2); A.push(softmaxRow(rowAffine([[h2, p.Wha]], p.ba)));
  }
  return { H1: fromRowArrays(H1, p.Wxh[0]!.cols), H2: fromRowArrays(H2, p.Wxh[1]!.cols), A: fromRowArrays(A, p.Wha.cols) };
}

/**
 * Vera §1.2 (1)–(3), the 2-layer stacked RNN, one example (batch row) at a time: for each row r,
 * h_t^(1) = φ(x_t W_{xh₁} + h_{t−1}^(1) W_{h₁h₁} + b), h_t^(2) = φ(h_t^(1) W_{h₁h₂} + h_{t−1}^(2) W_{h₂h₂} + b),
 * a_t = softmax(h_t^(2) W_{h₂a} + b_a). The check of the forward cache of `stackedForward` (which the gradients
 * use): H at [t − 1][l − 1], A at t − 1, as there.
 */
export function stackedForwardPerExample(p: StackedParams, X: readonly Matrix[], H0?: readonly Matrix[]): { H: Matrix[][]; A: Matrix[] } {
  const sizes = stackedSizesOf(p);
  if (p.Wxh.length !== 2) throw new RangeError(`stackedForwardPerExample: §1.2 is a 2-layer stacked RNN, got ${p.Wxh.length} layers`);
  const n = X[0]!.rows, T = X.length;
  X.forEach((x, t) => {
    if (x.cols !== sizes.d || x.rows !== n) throw new ShapeError(`stackedForwardPerExample: X_${t + 1} ${shapeText(x)} must be [${n},${sizes.d}]`);
  });
  const H: number[][][][] = Array.from({ length: T }, () => [[], []]);
  const A: number[][][] = Array.from({ length: T }, () => []);
  for (let r = 0; r < n; r++) {
    let prev = [0, 1].map((l) => (H0 ? rowOf(H0[l]!, r) : new Array<number>(sizes.hidden[l]!).fill(0)));
    for (let t = 0; t < T; t++) {
      const h1 = rowAffine([[rowOf(X[t]!, r), p.Wxh[0]!], [prev[0]!, p.Whh[0]!]], p.b[0]!).map(tanh);
      const h2 = rowAffine([[h1, p.Wxh[1]!], [prev[1]!, p.Whh[1]!]], p.b[1]!).map(tanh);
      H[t]![0]!.push(h1); H[t]![1]!.push(h2); A[t]!.push(softmaxRow(rowAffine([[h2, p.Wha]], p.ba)));
      prev = [h1, h2];
    }
  }
  return {
    H: H.map((Ht) => Ht.map((rows, l) => fromRowArrays(rows, sizes.hidden[l]!))),
    A: A.map((rows) => fromRowArrays(rows, sizes.a)),
  };
}

/** max_r |Σ_j A[r, j] − 1|: how far the rows of a softmax output are from being distributions. */
export function softmaxRowSumError(A: Matrix): number {
  let worst = 0;
  for (let r = 0; r < A.rows; r++) {
    let s = 0;
    for (let j = 0; j < A.cols; j++) s += A.data[r * A.cols + j]!;
    worst = Math.max(worst, Math.abs(s - 1));
  }
  return worst;
}

/**
 * Second computations of the forward quantities, written differently from lib/derivation/forward.ts on purpose, so a page
 * can check each of eqs 1.1–1.7 against something that does not share its code path.
 */
import { type Forward } from "./forward.js";
import { type Matrix, type Vector, matmulT, row, zeros } from "../core/matrix.js";
import type { Params } from "./model.js";
import { atanh, exp, log } from "../core/libm.js";

/** [h⁽⁰⁾; h⁽¹⁾; …; h⁽τ⁻¹⁾]: the previous hidden state of every step, stacked (τ × hidden). */
export function previousHidden(f: Pick<Forward, "h0" | "h">): Matrix {
  const tau = f.h.rows, H = f.h.cols;
  const out = zeros(tau, H);
  out.data.set(f.h0, 0);
  out.data.set(f.h.data.subarray(0, (tau - 1) * H), H);
  return out;
}

/** eq 1.4 for all t at once, as matrix products: A = H_prev Wᵀ + X Uᵀ + 1 b. */
export function preactivationsBatched(p: Params, f: Pick<Forward, "h0" | "h" | "x">): Matrix {
  const A = matmulT(previousHidden(f), p.W);
  const XU = matmulT(f.x, p.U);
  for (let t = 0; t < A.rows; t++) {
    for (let j = 0; j < A.cols; j++) A.data[t * A.cols + j]! += XU.data[t * A.cols + j]! + p.b[j]!;
  }
  return A;
}

/** eq 1.6 for all t at once: O = H Vᵀ + 1 c. */
export function logitsBatched(p: Params, h: Matrix): Matrix {
  const O = matmulT(h, p.V);
  for (let t = 0; t < O.rows; t++) for (let k = 0; k < O.cols; k++) O.data[t * O.cols + k]! += p.c[k]!;
  return O;
}

/** eq 1.7 straight from the definition exp(o_k) / Σ exp(o_j), without the max shift (fine for small logits). */
export function softmaxNaive(o: Matrix): Matrix {
  const out = zeros(o.rows, o.cols);
  for (let t = 0; t < o.rows; t++) {
    const e = row(o, t).map(exp);
    const s = e.reduce((acc, v) => acc + v, 0);
    row(out, t).set(e.map((v) => v / s));
  }
  return out;
}

/** eq 1.1 as written: −log ŷ⁽ᵗ⁾ at the target. */
export function stepLossFromProbabilities(yhat: Matrix, targets: readonly number[]): Vector {
  return Float64Array.from({ length: yhat.rows }, (_, t) => -log(yhat.data[t * yhat.cols + targets[t]!]!));
}

/** eq 1.5 inverted: atanh(h) should give back a. */
export function atanhOf(h: Matrix): Matrix {
  return { rows: h.rows, cols: h.cols, data: h.data.map(atanh) };
}

/** eq 1.3 as a product: the one-hot rows of the inputs times E. */
export function embedAsOneHotProduct(E: Matrix, inputs: readonly number[]): Matrix {
  const X = zeros(inputs.length, E.cols);
  for (let t = 0; t < inputs.length; t++) {
    for (let i = 0; i < E.rows; i++) {
      const onehot = i === inputs[t] ? 1 : 0;
      for (let j = 0; j < E.cols; j++) X.data[t * E.cols + j]! += onehot * E.data[i * E.cols + j]!;
    }
  }
  return X;
}

/** eq 1.2 as written: the sum of the L⁽ᵗ⁾, divided by τ. */
export function meanLossBySum(L_t: Vector): number {
  return L_t.reduce((s, v) => s + v, 0) / L_t.length;
}

/**
 * The tolerance of the atanh check of eq 1.5: atanh′(h) = 1/(1 − h²) amplifies the rounding of h near ±1, so a
 * looser bound than ROUNDING_TOL.
 */
export const ATANH_TOL = 1e-9;

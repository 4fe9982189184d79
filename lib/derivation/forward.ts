/**
 * The forward pass, eqs 1.1–1.7 of "BPTT Derivations", keeping every intermediate the backward pass needs.
 * Row t − 1 of each τ-row matrix holds the quantity at time step t (the source counts t = 1 … τ).
 */
import { type Matrix, type Vector, row, vecmatT, zeros } from "../core/matrix.js";
import { type Params, sizesOf } from "./model.js";
import { checkSequenceAndH0 } from "./validate.js";
import { exp, log, tanh } from "../core/libm.js";
import { experiments } from "../core/experiment.js";

export interface Forward {
  /** h⁽⁰⁾, [hidden]. */
  h0: Vector;
  /** x⁽ᵗ⁾ = E[input⁽ᵗ⁾], τ × d_model (eq 1.3). */
  x: Matrix;
  /** a⁽ᵗ⁾, τ × hidden (eq 1.4). */
  a: Matrix;
  /** h⁽¹⁾ … h⁽τ⁾, τ × hidden (eq 1.5). */
  h: Matrix;
  /** o⁽ᵗ⁾, τ × vocab (eq 1.6). */
  o: Matrix;
  /** ŷ⁽ᵗ⁾, τ × vocab (eq 1.7). */
  yhat: Matrix;
  /** L⁽ᵗ⁾, [τ] (eq 1.1). */
  L_t: Vector;
  /** L, the mean of L⁽ᵗ⁾ (eq 1.2). */
  loss: number;
}

/**
 * eq 1.7 at every step: row t − 1 of ŷ is softmax(o⁽ᵗ⁾), a distribution over the vocabulary for each step on its own,
 * each row shifted by its largest logit so that logits in the thousands neither overflow nor give NaN.
 */
export function softmaxRows(o: Matrix): Matrix {
  const yhat = zeros(o.rows, o.cols);
  for (let t = 0; t < o.rows; t++) {
    const ot = row(o, t), yt = row(yhat, t);
    let m = -Infinity;
    for (const v of ot) m = Math.max(m, v);
    let s = 0;
    for (let k = 0; k < ot.length; k++) {
      yt[k] = exp(ot[k]! - m);
      s += yt[k]!;
    }
    for (let k = 0; k < ot.length; k++) yt[k] = yt[k]! / s;
  }
  return yhat;
}

/** eq 1.7 for one step: softmax(o), as `softmaxRows` computes each row. */
export function softmax(o: Vector): Vector {
  return softmaxRows({ rows: 1, cols: o.length, data: o }).data;
}

/**
 * eq 1.1 at every step: L⁽ᵗ⁾ = −log ŷ⁽ᵗ⁾_y for y = y⁽ᵗ⁾, the target of step t (the next token), computed as
 * log Σ_k exp(o_k − m) − (o_y − m) with m = max_k o_k. Not −log(softmax(o)_y), which is −log(0) = ∞ once the target's
 * probability underflows; and not logsumexp(o) − o_y, which adds log Σ (between 0 and log vocab) to m first and loses
 * it when m is huge (m = 1e17: m + ln 2 = m).
 */
export function stepLosses(o: Matrix, targets: readonly number[]): Vector {
  const L_t = new Float64Array(o.rows);
  for (let t = 0; t < o.rows; t++) {
    const ot = row(o, t), y = targets[t]!;
    let m = -Infinity;
    for (const v of ot) m = Math.max(m, v);
    let s = 0;
    for (const v of ot) s += exp(v - m);
    L_t[t] = log(s) - (ot[y]! - m);
  }
  return L_t;
}

/**
 * eq 1.1 for one step: L⁽ᵗ⁾ = −log softmax(o)_y, with the operations of `stepLosses` in its order (the same bits,
 * test/derivation/forward.test.ts). Written out rather than wrapping o as a one-row matrix: finite differences call it
 * some ten thousand times per edit, and the wrapping's four allocations a call were a fifth of a page's garbage.
 */
export function stepLoss(o: Vector, y: number): number {
  let m = -Infinity;
  for (let k = 0; k < o.length; k++) m = Math.max(m, o[k]!);
  let s = 0;
  for (let k = 0; k < o.length; k++) s += exp(o[k]! - m);
  return log(s) - (o[y]! - m);
}

/** eq 1.2: L = (1/τ) Σ_t L⁽ᵗ⁾. */
export function meanLoss(L_t: Vector): number {
  let s = 0;
  for (const v of L_t) s += v;
  return s / L_t.length;
}

/** eqs 1.3–1.7, then 1.1 and 1.2, for one sequence. */
export function forward(p: Params, inputs: readonly number[], targets: readonly number[], h0: Vector): Forward {
  const { vocab, dModel, hidden } = sizesOf(p);
  const tau = checkSequenceAndH0("forward", inputs, targets, h0, vocab, hidden);
  const x = zeros(tau, dModel), a = zeros(tau, hidden), h = zeros(tau, hidden);
  const o = zeros(tau, vocab), yhat = zeros(tau, vocab);
  const L_t = new Float64Array(tau);
  let hPrev = h0;
  for (let t = 0; t < tau; t++) {
    const xt = row(p.E, inputs[t]!); // eq 1.3
    x.data.set(xt, t * dModel);
    const hW = vecmatT(hPrev, p.W), xU = vecmatT(xt, p.U);
    const at = row(a, t);
    for (let j = 0; j < hidden; j++) at[j] = hW[j]! + xU[j]! + p.b[j]!; // eq 1.4
    const ht = row(h, t);
    for (let j = 0; j < hidden; j++) ht[j] = tanh(at[j]!); // eq 1.5
    const hV = vecmatT(ht, p.V);
    const ot = row(o, t);
    for (let k = 0; k < vocab; k++) ot[k] = hV[k]! + p.c[k]!; // eq 1.6
    yhat.data.set(softmax(ot), t * vocab); // eq 1.7
    L_t[t] = stepLoss(ot, targets[t]!); // eq 1.1
    hPrev = ht;
  }
  // h0 is copied so that a caller reusing its buffer cannot change what eq 4.7 later reads.
  return { h0: h0.slice(), x, a, h, o, yhat, L_t, loss: meanLoss(L_t) };
}

/** h⁽ᵗ⁻¹⁾ for t = 1 … τ given the 0-based row index t − 1: h⁽⁰⁾ for the first step. */
export function hPrevAt(f: Pick<Forward, "h0" | "h">, step: number): Vector {
  return step === 0 ? f.h0 : row(f.h, step - 1);
}

// ——— guided experiments (lib/core/experiment.ts): each a classic mistake its page's check catches ———

experiments(forward, [
  {
    label: "Forget the bias b in (1.4)",
    find: "hW[j]! + xU[j]! + p.b[j]!",
    replace: "hW[j]! + xU[j]!",
    why: "a⁽ᵗ⁾ = h⁽ᵗ⁻¹⁾Wᵀ + x⁽ᵗ⁾Uᵀ + b: without b every pre-activation is off by b, at every step. The check of (1.4) " +
      "recomputes a⁽ᵗ⁾ from the same h⁽ᵗ⁻¹⁾ and x⁽ᵗ⁾ with b and disagrees by b_j in column j; (1.5) and (1.6) still agree " +
      "with what this a⁽ᵗ⁾ gives, which is how a missing term hides in a forward pass.",
  },
  {
    label: "h⁽ᵗ⁻¹⁾W instead of h⁽ᵗ⁻¹⁾Wᵀ",
    find: "const hW = vecmatT(hPrev, p.W), xU = vecmatT(xt, p.U);",
    replace: "const hW = new Float64Array(hidden), xU = vecmatT(xt, p.U);\n" +
      "    for (let j = 0; j < hidden; j++) for (let k = 0; k < hidden; k++) hW[j]! += hPrev[k]! * p.W.data[k * hidden + j]!; // (hW)_j = Σ_k h_k W_kj",
    why: "W is stored [out, in], one row per unit it feeds, so unit j of a⁽ᵗ⁾ reads row j of W: (h Wᵀ)_j = Σ_k W_jk h_k. " +
      "Multiplying by W itself reads column j, W_kj, as if W were stored [in, out]. W is square, so nothing fails on shape: " +
      "only the numbers are wrong (at step 1 too unless h⁽⁰⁾ = 0), and the check of (1.4), which uses Wᵀ, disagrees.",
  },
  {
    label: "Carry a⁽ᵗ⁾ to the next step instead of h⁽ᵗ⁾",
    find: "hPrev = ht;",
    replace: "hPrev = at;",
    why: "The state handed to the next step is h⁽ᵗ⁾ = tanh(a⁽ᵗ⁾) (1.4 reads h⁽ᵗ⁻¹⁾), not the pre-activation. Feeding a⁽ᵗ⁾ " +
      "skips the squashing on the recurrent path: step 1 is right, and every later a⁽ᵗ⁾ disagrees with h⁽ᵗ⁻¹⁾Wᵀ + x⁽ᵗ⁾Uᵀ + b " +
      "computed from the h⁽ᵗ⁻¹⁾ this very pass shows.",
  },
]);

experiments(softmaxRows, [{
  label: "One softmax over the whole sequence (a sum without its axis)",
  find: "const ot = row(o, t), yt = row(yhat, t);",
  replace: "const ot = o.data, yt = yhat.data; // every entry of o, all steps at once (the same for every t)",
  why: "ŷ⁽ᵗ⁾ is a distribution over the vocabulary for each step: normalise each row of o on its own. Normalising over every " +
    "entry at once (numpy's np.exp(o) / np.exp(o).sum() without axis=1) makes the whole τ × vocab table sum to 1, so each " +
    "row sums to about 1/τ, and the textbook formula, applied row by row, disagrees everywhere.",
}]);

experiments(stepLosses, [{
  label: "Take −o_y for the loss (the logits as log-probabilities)",
  find: "L_t[t] = log(s) - (ot[y]! - m);",
  replace: "L_t[t] = -ot[y]!;",
  why: "A logit is not a log-probability: log ŷ_y = o_y − log Σ_k exp(o_k). Leaving out the softmax's normaliser log Σ_k exp(o_k) " +
    "gives −o_y, which no longer equals −log ŷ⁽ᵗ⁾ at the target, and which a model could drive to −∞ just by raising every logit.",
}]);

experiments(meanLoss, [{
  label: "Sum the step losses instead of averaging them",
  find: "return s / L_t.length;",
  replace: "return s;",
  why: "(1.2) defines L as the mean of the τ step losses, (1/τ) Σ_t L⁽ᵗ⁾. The sum is τ times larger: L would grow with the " +
    "length of the text, and every gradient on the following pages would carry a factor τ too (the 1/τ of (3.1)–(3.4) comes from here).",
}]);

/**
 * The backward pass as summarised in §4 of "BPTT Derivations", eqs 4.1–4.9, in the order of its §2 "plan of
 * attack": the logit gradients for all t at once (4.1), the hidden-state recursion from t = τ down to 1
 * (4.2–4.3, the only sequential part), then the parameter gradients (4.4–4.9), each a sum over t.
 *
 * Gradients are row vectors, like everything else (§3). `dL_do` and `dL_dh` keep one row per time step.
 */
import { type Forward, forward, hPrevAt } from "./forward.js";
import {
  type Matrix, type Vector, addOuterInPlace, hadamard, row, sumRows, vaddInPlace, vecmat, zeros,
} from "../core/matrix.js";
import { PARAM_NAMES, type ParamName, type Params } from "./model.js";
import { type ParamGrads, numericalParamGrads } from "./gradcheck.js";
import { type Discrepancy, discrepancy } from "../core/fd.js";
import { FD_EPSILON } from "../core/tolerances.js";
import { experiments } from "../core/experiment.js";

export interface Gradients {
  /** (DL)_{o⁽ᵗ⁾}, τ × vocab (eq 4.1). */
  dL_do: Matrix;
  /** (DL)_{h⁽ᵗ⁾}, τ × hidden (eqs 4.2–4.3). */
  dL_dh: Matrix;
  /** (DL)_{a⁽ᵗ⁾} = (DL)_{h⁽ᵗ⁾} ⊙ (1 − (h⁽ᵗ⁾)²), τ × hidden: the bracket shared by eqs 4.5 and 4.7–4.9. */
  dL_da: Matrix;
  /** (DL)_c, [vocab] (eq 4.4). */
  dL_dc: Vector;
  /** (DL)_b, [hidden] (eq 4.5). */
  dL_db: Vector;
  /** (DL)_V, vocab × hidden (eq 4.6). */
  dL_dV: Matrix;
  /** (DL)_W, hidden × hidden (eq 4.7). */
  dL_dW: Matrix;
  /** (DL)_U, hidden × d_model (eq 4.8). */
  dL_dU: Matrix;
  /** (DL)_E, vocab × d_model (eq 4.9). */
  dL_dE: Matrix;
}

/** The tanh derivative at h = tanh(a): 1 − h², elementwise (eq 3.7's diagonal). */
export function oneMinusSquare(h: Vector): Vector {
  return h.map((v) => 1 - v * v);
}

/** eq 4.1: (DL)_{o_i⁽ᵗ⁾} = (1/τ)(ŷ_i⁽ᵗ⁾ − 1{i = y⁽ᵗ⁾}), for every t at once. */
export function logitGrads(yhat: Matrix, targets: readonly number[]): Matrix {
  const tau = yhat.rows;
  const dL_do = zeros(tau, yhat.cols);
  for (let t = 0; t < tau; t++) {
    for (let i = 0; i < yhat.cols; i++) {
      dL_do.data[t * yhat.cols + i] = (yhat.data[t * yhat.cols + i]! - (i === targets[t] ? 1 : 0)) / tau;
    }
  }
  return dL_do;
}

/** eqs 4.2–4.3: (DL)_{h⁽τ⁾} (lastHiddenGrad), then the recursion of eq 4.3 down to t = 1 (hiddenGradsFrom). */
export function hiddenGrads(dL_do: Matrix, h: Matrix, V: Matrix, W: Matrix): Matrix {
  return hiddenGradsFrom(dL_do, lastHiddenGrad(dL_do, V), h, V, W);
}

/** eq 4.2: (DL)_{h⁽τ⁾} = (DL)_{o⁽τ⁾} V — the last hidden state feeds only the last logits (row τ − 1 is step τ). */
export function lastHiddenGrad(dL_do: Matrix, V: Matrix): Vector {
  return vecmat(row(dL_do, dL_do.rows - 1), V);
}

/**
 * eq 4.3 from a given last row `last` = (DL)_{h⁽τ⁾}: for t = τ−1 … 1
 * (DL)_{h⁽ᵗ⁾} = (DL)_{h⁽ᵗ⁺¹⁾}([1 − (h⁽ᵗ⁺¹⁾)²] ⊙ W) + (DL)_{o⁽ᵗ⁾} V.
 * The bracket is a column broadcast against W, i.e. diag[1 − (h⁽ᵗ⁺¹⁾)²] W (eq 3.7), computed here as
 * ((DL)_{h⁽ᵗ⁺¹⁾} ⊙ (1 − (h⁽ᵗ⁺¹⁾)²)) W, the same product with the diagonal folded into the row vector. The last row
 * is a parameter so that a reader's own (4.2) on /summary feeds this same recursion.
 */
export function hiddenGradsFrom(dL_do: Matrix, last: Vector, h: Matrix, V: Matrix, W: Matrix): Matrix {
  const tau = h.rows;
  const dL_dh = zeros(tau, h.cols);
  row(dL_dh, tau - 1).set(last);
  for (let t = tau - 2; t >= 0; t--) {
    const fromNext = vecmat(hadamard(row(dL_dh, t + 1), oneMinusSquare(row(h, t + 1))), W);
    row(dL_dh, t).set(vaddInPlace(fromNext, vecmat(row(dL_do, t), V))); // eq 4.3
  }
  return dL_dh;
}

/** (DL)_{a⁽ᵗ⁾} = (DL)_{h⁽ᵗ⁾} ⊙ (1 − (h⁽ᵗ⁾)²) for every t: the bracket of eqs 4.7–4.9. */
export function preactivationGrads(dL_dh: Matrix, h: Matrix): Matrix {
  const dL_da = zeros(h.rows, h.cols);
  for (let t = 0; t < h.rows; t++) row(dL_da, t).set(hadamard(row(dL_dh, t), oneMinusSquare(row(h, t))));
  return dL_da;
}

/** eq 4.4: (DL)_c = Σ_t (DL)_{o⁽ᵗ⁾}. */
export function gradC(dL_do: Matrix): Vector {
  return sumRows(dL_do);
}

/** eq 4.5: (DL)_b = Σ_t (DL)_{h⁽ᵗ⁾} diag[1 − (h⁽ᵗ⁾)²]. */
export function gradB(dL_dh: Matrix, h: Matrix): Vector {
  const dL_db = new Float64Array(h.cols);
  for (let t = 0; t < h.rows; t++) vaddInPlace(dL_db, hadamard(row(dL_dh, t), oneMinusSquare(row(h, t))));
  return dL_db;
}

/** eq 4.6: (DL)_V = Σ_t (DL)_{o⁽ᵗ⁾} ⊗ h⁽ᵗ⁾. */
export function gradV(dL_do: Matrix, h: Matrix): Matrix {
  const dL_dV = zeros(dL_do.cols, h.cols);
  for (let t = 0; t < h.rows; t++) addOuterInPlace(dL_dV, row(dL_do, t), row(h, t));
  return dL_dV;
}

/**
 * eq 4.7: (DL)_W = Σ_{t=0}^{τ−1} [(DL)_{h⁽ᵗ⁺¹⁾} ⊙ (1 − (h⁽ᵗ⁺¹⁾)²)] ⊗ h⁽ᵗ⁾. The sum starts at t = 0, so h⁽⁰⁾
 * contributes unless it is zero (it is not under the source code's 0.1·ones convention).
 */
export function gradW(dL_dh: Matrix, h: Matrix, h0: Vector): Matrix {
  const dL_dW = zeros(h.cols, h.cols);
  for (let t = 0; t < h.rows; t++) {
    const hPrev = hPrevAt({ h0, h }, t);
    addOuterInPlace(dL_dW, hadamard(row(dL_dh, t), oneMinusSquare(row(h, t))), hPrev);
  }
  return dL_dW;
}

/** eq 4.8: (DL)_U = Σ_t [(DL)_{h⁽ᵗ⁾} ⊙ (1 − (h⁽ᵗ⁾)²)] ⊗ x⁽ᵗ⁾. */
export function gradU(dL_dh: Matrix, h: Matrix, x: Matrix): Matrix {
  const dL_dU = zeros(h.cols, x.cols);
  for (let t = 0; t < h.rows; t++) addOuterInPlace(dL_dU, hadamard(row(dL_dh, t), oneMinusSquare(row(h, t))), row(x, t));
  return dL_dU;
}

/**
 * eq 4.9: (DL)_E = Σ_t e_{i_t}ᵀ([(DL)_{h⁽ᵗ⁾} ⊙ (1 − (h⁽ᵗ⁾)²)] U). Each step adds one row vector into the row
 * of its input token, so rows of tokens absent from the input stay exactly zero and a repeated token's row
 * is the sum of its occurrences' contributions.
 */
export function gradE(dL_dh: Matrix, h: Matrix, U: Matrix, inputs: readonly number[], vocab: number): Matrix {
  const dL_dE = zeros(vocab, U.cols);
  for (let t = 0; t < h.rows; t++) {
    vaddInPlace(row(dL_dE, inputs[t]!), vecmat(hadamard(row(dL_dh, t), oneMinusSquare(row(h, t))), U));
  }
  return dL_dE;
}

/** The whole backward pass, eqs 4.1–4.9, in the plan-of-attack order. */
export function backward(p: Params, f: Forward, inputs: readonly number[], targets: readonly number[]): Gradients {
  const dL_do = logitGrads(f.yhat, targets); // all t at once
  const dL_dh = hiddenGrads(dL_do, f.h, p.V, p.W); // sequential, t = τ … 1
  return {
    dL_do,
    dL_dh,
    dL_da: preactivationGrads(dL_dh, f.h),
    dL_dc: gradC(dL_do),
    dL_db: gradB(dL_dh, f.h),
    dL_dV: gradV(dL_do, f.h),
    dL_dW: gradW(dL_dh, f.h, f.h0),
    dL_dU: gradU(dL_dh, f.h, f.x),
    dL_dE: gradE(dL_dh, f.h, p.U, inputs, p.E.rows),
  };
}

/** Parameter gradients keyed by parameter name, for comparison with finite differences. */
export function paramGrads(g: Gradients): ParamGrads {
  return { E: g.dL_dE, U: g.dL_dU, W: g.dL_dW, b: g.dL_db, V: g.dL_dV, c: g.dL_dc };
}

export interface GradCheck {
  perParam: Record<ParamName, Discrepancy>;
  /** The worst relative error over all six parameters. */
  maxRelError: number;
  /** Every entry of the six gradients in the order of PARAM_NAMES, analytic and by finite differences. */
  entries: { analytic: Vector; numeric: Vector };
}

function entriesOf(g: ParamGrads): Vector {
  const parts = PARAM_NAMES.map((name): Vector => { const v = g[name]; return "data" in v ? v.data : v; });
  const out = new Float64Array(parts.reduce((n, v) => n + v.length, 0));
  let at = 0;
  for (const v of parts) { out.set(v, at); at += v.length; }
  return out;
}

/**
 * The backward pass (eqs 4.4–4.9) against central differences of the loss (lib/derivation/gradcheck.ts) over every
 * entry of every parameter, both computed afresh from the parameters.
 */
export function gradCheck(
  p: Params, inputs: readonly number[], targets: readonly number[], h0: Vector, eps = FD_EPSILON,
): GradCheck {
  const f = forward(p, inputs, targets, h0);
  const analytic = paramGrads(backward(p, f, inputs, targets));
  const numeric = numericalParamGrads(p, inputs, targets, h0, eps);
  const perParam = {} as Record<ParamName, Discrepancy>;
  let maxRelError = 0;
  for (const name of PARAM_NAMES) {
    perParam[name] = discrepancy(analytic[name], numeric[name]);
    maxRelError = Math.max(maxRelError, perParam[name].relError);
  }
  return { perParam, maxRelError, entries: { analytic: entriesOf(analytic), numeric: entriesOf(numeric) } };
}

// ——— guided experiments (lib/core/experiment.ts): each a classic mistake /summary's checks catch ———

experiments(logitGrads, [{
  label: "Drop the 1/τ",
  find: "(i === targets[t] ? 1 : 0)) / tau;",
  replace: "(i === targets[t] ? 1 : 0));",
  why: "The loss is the mean of the τ per-step losses, so each logit's partial carries the factor 1/τ. Without it every " +
    "entry is τ times too large: finite differences disagree in every row (each row still sums to zero, so that sanity " +
    "check alone would not catch it), and every gradient computed from it downstream is τ times too large as well.",
}]);

experiments(lastHiddenGrad, [{
  label: "Take row τ of (DL)_o, which is step τ + 1",
  find: "row(dL_do, dL_do.rows - 1)",
  replace: "row(dL_do, dL_do.rows - 2)",
  why: "Row t − 1 of every τ-row matrix holds step t, so step τ is row τ − 1 (dL_do.rows − 1). Counting rows from 1 picks " +
    "step τ − 1's logits: (4.2) then pairs h⁽τ⁾ with the wrong step, and the recursion (4.3) carries the error back to every row.",
}]);

experiments(hiddenGradsFrom, [{
  label: "Forget the (1 − h²) factor",
  find: "hadamard(row(dL_dh, t + 1), oneMinusSquare(row(h, t + 1)))",
  replace: "row(dL_dh, t + 1)",
  why: "h⁽ᵗ⁺¹⁾ = tanh(a⁽ᵗ⁺¹⁾), so the path from h⁽ᵗ⁾ to h⁽ᵗ⁺¹⁾ passes through the tanh, whose derivative is 1 − (h⁽ᵗ⁺¹⁾)². " +
    "Leaving it out treats the cell as linear. The last row, (4.2), has no such factor and stays right; every earlier row " +
    "is wrong, and the error grows as the recursion runs back in time. (4.5) and (4.7)–(4.9) inherit it.",
}]);

experiments(gradC, [{
  label: "Keep only the last step",
  find: "return sumRows(dL_do);",
  replace: "return row(dL_do, dL_do.rows - 1);",
  why: "c is added to the logits at every step, so its gradient sums (DL)_{o⁽ᵗ⁾} over all τ steps. Keeping the last step's " +
    "row is the gradient of a model whose bias acted at step τ only.",
}]);

experiments(gradB, [{
  label: "(1 − h)² for 1 − h²",
  find: "hadamard(row(dL_dh, t), oneMinusSquare(row(h, t)))",
  replace: "hadamard(row(dL_dh, t), row(h, t).map((v) => (1 - v) * (1 - v)))",
  why: "tanh′(a) = 1 − tanh²(a) = 1 − h²: the square is of h. (1 − h)² = 1 − 2h + h² agrees with it only where h = 0, so every " +
    "entry of (DL)_b with h ≠ 0 at some step is wrong.",
}]);

experiments(gradW, [{
  label: "Pair (DL)_a⁽ᵗ⁾ with h⁽ᵗ⁾ instead of h⁽ᵗ⁻¹⁾",
  find: "const hPrev = hPrevAt({ h0, h }, t);",
  replace: "const hPrev = row(h, t);",
  why: "a⁽ᵗ⁾ = h⁽ᵗ⁻¹⁾Wᵀ + x⁽ᵗ⁾Uᵀ + b: W multiplies the previous state, so each term is an outer product with h⁽ᵗ⁻¹⁾ " +
    "(h⁽⁰⁾ at the first step). With h⁽ᵗ⁾ every term is wrong, and h⁽⁰⁾'s contribution is lost.",
}]);

experiments(gradE, [{
  label: "Assign instead of accumulate",
  find: "vaddInPlace(row(dL_dE, inputs[t]!), ",
  replace: "row(dL_dE, inputs[t]!).set(",
  why: "E is shared by every step, so its gradient is the sum over all the steps that read it (the Σ_t). Assigning keeps only " +
    "the last step that read each token. For a token read once that is the same thing, so exactly the rows of tokens that " +
    "occur more than once as inputs go wrong; all other rows still match.",
}]);

/**
 * §3.2 of "BPTT Derivations" (A. Singh), the page /hidden: the gradient of the loss with respect to the hidden
 * states, eqs 3.5–3.8, with eq 3.7's Jacobian diag[1 − (h⁽ᵗ⁺¹⁾)²] W built as an explicit matrix, eq 3.6 term by
 * term, and both readings of eq 3.8's broadcast (the column one of the text, and PyTorch's row one on a 1-D
 * tensor, which is wrong). The page sets them beside eqs 4.2–4.3 (`hiddenGrads` in lib/derivation/backward.ts).
 *
 * Conventions are those of lib/derivation/backward.ts: row vectors, weights stored [out, in], row t − 1 of every
 * τ-row matrix is time step t. Nothing here reuses backward.ts's arithmetic (not even its 1 − h²): these are the
 * independent copies of the recursion that backward.ts is checked against, and /plan's step-by-step recursion
 * (lib/derivation/graph.ts `hiddenGradsUpTo`) is built from `hiddenGradStep` below rather than a copy of its own.
 */
import { type Matrix, type Vector, ShapeError, diag, get, matmul, row, vaddInPlace, vecmat, zeros } from "../core/matrix.js";
import { checkHNextAndSquareW, checkHiddenGradsAndInputs, checkSquare, mismatch, shp, stepsOf } from "./validate.js";
import { experiments } from "../core/experiment.js";

/**
 * 1 − (h)², elementwise: tanh′(a) written through h = tanh(a) (eq 1.5), the diagonal of eqs 3.7, 3.12 and
 * 3.15–3.20. backward.ts has its own (`oneMinusSquare`); this copy keeps the §3 forms independent of it.
 */
export function oneMinusHSquared(h: Vector): Vector {
  return h.map((v) => 1 - v * v);
}

/**
 * eq 3.7: (Dh⁽ᵗ⁺¹⁾)_{h⁽ᵗ⁾} = (Dh⁽ᵗ⁺¹⁾)_{a⁽ᵗ⁺¹⁾}(Da⁽ᵗ⁺¹⁾)_{h⁽ᵗ⁾} = diag[1 − (h⁽ᵗ⁺¹⁾)²] W, as an explicit
 * hidden × hidden product. (Da)_h is W itself, not Wᵀ: a = hWᵀ + … makes ∂a_i/∂h_j = W_ij.
 */
export function hiddenStepJacobian(hNext: Vector, W: Matrix): Matrix {
  checkHNextAndSquareW("hiddenStepJacobian", hNext, W);
  const dhNext_daNext = diag(oneMinusHSquared(hNext)); // tanh acts elementwise, so its Jacobian is diagonal
  const daNext_dh = W;
  return matmul(dhNext_daNext, daNext_dh);
}

/**
 * The ⊙ of eq 3.8's second line, [1 − (h⁽ᵗ⁺¹⁾)²] ⊙ W, with the vector broadcast as a COLUMN (hidden × 1): row i
 * of W is scaled by v_i, which is diag[v] W. This is the reading §3 asks for ("the Hadamard product of a column
 * vector and matrix").
 */
export function columnBroadcastHadamard(v: Vector, W: Matrix): Matrix {
  if (v.length !== W.rows) throw mismatch("columnBroadcastHadamard", "length and rows", v.length, "v", v, W.rows, "W", W);
  const out = zeros(W.rows, W.cols);
  for (let i = 0; i < W.rows; i++) for (let j = 0; j < W.cols; j++) out.data[i * W.cols + j] = v[i]! * get(W, i, j);
  return out;
}

/**
 * What PyTorch computes for `v * W` with a 1-D tensor v: broadcast as a ROW, scaling column j by v_j, i.e.
 * W diag[v]. Not eq 3.8 — it differs from the column broadcast unless W commutes with diag[v] — kept so a page
 * can show that writing `(1 - h**2) * W` instead of `(1 - h**2)[:, None] * W` gives wrong hidden gradients.
 */
export function rowBroadcastHadamard(v: Vector, W: Matrix): Matrix {
  if (v.length !== W.cols) throw mismatch("rowBroadcastHadamard", "length and columns", v.length, "v", v, W.cols, "W", W);
  const out = zeros(W.rows, W.cols);
  for (let i = 0; i < W.rows; i++) for (let j = 0; j < W.cols; j++) out.data[i * W.cols + j] = v[j]! * get(W, i, j);
  return out;
}

function checkHiddenInputs(op: string, dL_do: Matrix, h: Matrix, V: Matrix, W: Matrix): number {
  const tau = stepsOf(op, "h", h);
  if (dL_do.rows !== tau) throw mismatch(op, "step counts", dL_do.rows, "dL_do", dL_do, tau, "h", h);
  if (V.rows !== dL_do.cols) throw mismatch(op, "vocab sizes", dL_do.cols, "dL_do", dL_do, V.rows, "V", V);
  if (V.cols !== h.cols) throw mismatch(op, "hidden widths", h.cols, "h", h, V.cols, "V", V);
  checkSquare(op, W);
  if (W.rows !== h.cols) throw mismatch(op, "hidden widths", h.cols, "h", h, W.rows, "W", W);
  return tau;
}

/**
 * One step t < τ of eq 3.8's first line, (DL)_{h⁽ᵗ⁾} = (DL)_{h⁽ᵗ⁺¹⁾} diag[1 − (h⁽ᵗ⁺¹⁾)²] W + (DL)_{o⁽ᵗ⁾}V: eq 3.6
 * with eq 3.7's Jacobian and (Do⁽ᵗ⁾)_{h⁽ᵗ⁾} = V (o = hVᵀ + c, so ∂o_k/∂h_j = V_kj).
 */
export function hiddenGradStep(dL_dhNext: Vector, hNext: Vector, dL_do_t: Vector, V: Matrix, W: Matrix): Vector {
  const viaNext = vecmat(dL_dhNext, hiddenStepJacobian(hNext, W)); // eq 3.7
  return vaddInPlace(viaNext, vecmat(dL_do_t, V)); // eq 3.6
}

/**
 * eq 3.5, eq 3.6 and eq 3.8 (first line), with eq 3.7's Jacobian as an explicit diag-matrix product:
 * (DL)_{h⁽τ⁾} = (DL)_{o⁽τ⁾}V, then for t = τ−1 … 1
 * (DL)_{h⁽ᵗ⁾} = (DL)_{h⁽ᵗ⁺¹⁾} diag[1 − (h⁽ᵗ⁺¹⁾)²] W + (DL)_{o⁽ᵗ⁾}V.
 * Sequential from t = τ down because (DL)_{h⁽ᵗ⁾} needs the total derivative at t + 1 (§2).
 */
export function hiddenGradsDiagForm(dL_do: Matrix, h: Matrix, V: Matrix, W: Matrix): Matrix {
  const tau = checkHiddenInputs("hiddenGradsDiagForm", dL_do, h, V, W);
  const dL_dh = zeros(tau, h.cols);
  row(dL_dh, tau - 1).set(vecmat(row(dL_do, tau - 1), V)); // eq 3.5: h⁽τ⁾ feeds only o⁽τ⁾
  for (let t = tau - 2; t >= 0; t--) row(dL_dh, t).set(hiddenGradStep(row(dL_dh, t + 1), row(h, t + 1), row(dL_do, t), V, W));
  return dL_dh;
}

/**
 * eq 3.8, second line: (DL)_{h⁽ᵗ⁾} = (DL)_{h⁽ᵗ⁺¹⁾}([1 − (h⁽ᵗ⁺¹⁾)²] ⊙ W) + (DL)_{o⁽ᵗ⁾}V, with ⊙ the column
 * broadcast of the text. `broadcast: "row"` substitutes PyTorch's 1-D row broadcast instead, to show the wrong
 * gradients that reading produces; the default is the derivation's.
 */
export function hiddenGradsBroadcastForm(
  dL_do: Matrix, h: Matrix, V: Matrix, W: Matrix, broadcast: "column" | "row" = "column",
): Matrix {
  const tau = checkHiddenInputs("hiddenGradsBroadcastForm", dL_do, h, V, W);
  const hadamardW = broadcast === "column" ? columnBroadcastHadamard : rowBroadcastHadamard;
  const dL_dh = zeros(tau, h.cols);
  row(dL_dh, tau - 1).set(vecmat(row(dL_do, tau - 1), V)); // eq 3.5
  for (let t = tau - 2; t >= 0; t--) {
    const scaledW = hadamardW(oneMinusHSquared(row(h, t + 1)), W);
    row(dL_dh, t).set(vaddInPlace(vecmat(row(dL_dh, t + 1), scaledW), vecmat(row(dL_do, t), V)));
  }
  return dL_dh;
}

/** The two terms of eq 3.6, one row per step t (row t − 1). */
export interface HiddenGradTerms {
  /** (DL)_{h⁽ᵗ⁺¹⁾}(Dh⁽ᵗ⁺¹⁾)_{h⁽ᵗ⁾}: what reaches h⁽ᵗ⁾ through the next hidden state; zero at t = τ (eq 3.5). */
  throughNext: Matrix;
  /** (DL)_{o⁽ᵗ⁾}(Do⁽ᵗ⁾)_{h⁽ᵗ⁾} = (DL)_{o⁽ᵗ⁾}V: what reaches h⁽ᵗ⁾ through its own logits. */
  throughLogits: Matrix;
}

/**
 * eq 3.6, term by term: given the total derivatives (DL)_{h⁽ᵗ⁾} (e.g. from the recursion), the contribution of
 * each path out of h⁽ᵗ⁾, with eq 3.7's Jacobian diag[1 − (h⁽ᵗ⁺¹⁾)²]W built explicitly. Row t − 1 of the sum of
 * the two terms is the right-hand side of eq 3.6 (of eq 3.5 at t = τ), evaluated with the given (DL)_{h⁽ᵗ⁺¹⁾};
 * it equals the given (DL)_{h⁽ᵗ⁾} exactly when those satisfy the recursion.
 */
export function hiddenGradTerms(dL_dh: Matrix, dL_do: Matrix, h: Matrix, V: Matrix, W: Matrix): HiddenGradTerms {
  const tau = checkHiddenGradsAndInputs("hiddenGradTerms", dL_dh, dL_do, h, V, W), hidden = h.cols;
  const throughNext = zeros(tau, hidden), throughLogits = zeros(tau, hidden);
  for (let t = 0; t < tau; t++) {
    row(throughLogits, t).set(vecmat(row(dL_do, t), V)); // (Do⁽ᵗ⁾)_{h⁽ᵗ⁾} = V since o = hVᵀ + c
    if (t + 1 < tau) row(throughNext, t).set(vecmat(row(dL_dh, t + 1), hiddenStepJacobian(row(h, t + 1), W)));
  }
  return { throughNext, throughLogits };
}

/**
 * max_j |a[t, j] − b[t, j]| for each row t: how far two τ-row gradients are apart step by step (eq 3.8's
 * broadcasting demonstration: a wrong Jacobian leaves step τ alone and spoils every earlier step). NaN stays NaN.
 */
export function maxAbsDiffPerRow(a: Matrix, b: Matrix): Vector {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new ShapeError(`maxAbsDiffPerRow: shapes ${shp(a)} and ${shp(b)} must match`);
  const out = new Float64Array(a.rows);
  for (let t = 0; t < a.rows; t++) {
    let m = 0;
    for (let j = 0; j < a.cols; j++) {
      const d = Math.abs(a.data[t * a.cols + j]! - b.data[t * a.cols + j]!);
      if (Number.isNaN(d)) { m = NaN; break; }
      if (d > m) m = d;
    }
    out[t] = m;
  }
  return out;
}

// ——— guided experiments (lib/core/experiment.ts): each a classic mistake its page's check catches ———

experiments(hiddenStepJacobian, [{
  label: "(1 − h)² for 1 − h²",
  find: "diag(oneMinusHSquared(hNext))",
  replace: "diag(hNext.map((v) => (1 - v) * (1 - v)))",
  why: "tanh′(a) = 1 − tanh²(a) = 1 − h²: the square is of h, not of 1 − h. (1 − h)² = 1 − 2h + h² agrees with it only " +
    "where h = 0, so every row i of the Jacobian with h_i ≠ 0 is scaled by the wrong factor, and the finite-difference " +
    "Jacobian disagrees.",
}]);

experiments(columnBroadcastHadamard, [{
  label: "Broadcast along rows (W diag[v]) instead of columns",
  find: "v[i]! * get(W, i, j)",
  replace: "v[j]! * get(W, i, j)",
  why: "In (3.8) the vector 1 − (h⁽ᵗ⁺¹⁾)² is a column: row i of W is scaled by 1 − (h_i⁽ᵗ⁺¹⁾)², because unit i's tanh sits " +
    "on the output side of W. Scaling column j instead (what PyTorch's v * W does with a row vector v) gives W diag[v], " +
    "not diag[v] W; the two agree only if W is diagonal, so the finite-difference Jacobian disagrees.",
}]);

experiments(hiddenGradsBroadcastForm, [{
  label: "Take the tanh factor of h⁽ᵗ⁾ instead of h⁽ᵗ⁺¹⁾",
  find: "oneMinusHSquared(row(h, t + 1))",
  replace: "oneMinusHSquared(row(h, t))",
  why: "The path from h⁽ᵗ⁾ to L through h⁽ᵗ⁺¹⁾ = tanh(a⁽ᵗ⁺¹⁾) passes the tanh of step t + 1, so the factor is 1 − (h⁽ᵗ⁺¹⁾)². " +
    "With h⁽ᵗ⁾ the last row, (3.5), has no such factor and stays right; every earlier row is wrong, and finite differences disagree.",
}]);

experiments(hiddenGradsDiagForm, [{
  label: "Forget (3.5): start the recursion from zero",
  find: "row(dL_dh, tau - 1).set(vecmat(row(dL_do, tau - 1), V)); // eq 3.5: h⁽τ⁾ feeds only o⁽τ⁾",
  replace: "// (3.5) left out: row τ stays zero",
  why: "h⁽τ⁾ feeds o⁽τ⁾, so its gradient is (DL)_{o⁽τ⁾}V, not zero: (3.5) is where the recursion starts. Without it the last row is " +
    "zero and every earlier row misses what flows back from the last step, so finite differences disagree at every step.",
}]);

experiments(hiddenGradTerms, [{
  label: "Keep only the path through o⁽ᵗ⁾ (the partial, not the total derivative)",
  find: "if (t + 1 < tau) row(throughNext, t)",
  replace: "if (t + 1 < 0) row(throughNext, t)",
  why: "(3.6) is a total derivative: h⁽ᵗ⁾ reaches L through o⁽ᵗ⁾ and through h⁽ᵗ⁺¹⁾. Dropping the second path leaves the partial " +
    "derivative that holds the later states fixed: right at t = τ, where there is no later state, wrong at every earlier step.",
}]);

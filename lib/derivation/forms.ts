/**
 * The intermediate forms of "BPTT Derivations" (A. Singh) §3, each computed separately and literally — explicit
 * Jacobians, diagonal matrices, one-hot tensors, per-index sums — so that a page can set each one beside the
 * summary form of §4 (lib/derivation/backward.ts) and show numerically that the derivation's steps agree. These are the
 * slow way on purpose; the backward pass never calls them.
 *
 * Conventions are those of lib/derivation/backward.ts: row vectors (PyTorch), a⁽ᵗ⁾ = h⁽ᵗ⁻¹⁾Wᵀ + x⁽ᵗ⁾Uᵀ + b, weights stored
 * [out, in], row t − 1 of every τ-row matrix is time step t. A Jacobian (Df)_p has one row per component of f
 * and one column per component of p, so that a row-vector gradient times a Jacobian is the chain rule.
 *
 * Nothing here reuses backward.ts's arithmetic (not even its 1 − h²): a form that shared code with the summary
 * it is compared against could agree with it while both were wrong.
 */
import { type Forward, hPrevAt } from "./forward.js";
import { FD_EPSILON } from "../core/tolerances.js";
import {
  type Matrix, type Vector, ShapeError, addInPlace, diag, get, matmul, row, vaddInPlace, vecmat, vecmatT, zeros,
} from "../core/matrix.js";
import type { Params } from "./model.js";
import { checkTokenIds } from "../core/tokens.js";
import { tanh } from "../core/libm.js";

// ---------------------------------------------------------------------------------------------------------------
// Shape checks. Messages follow matrix.ts: the operation, what disagrees, both operands and both shapes.

const shp = (x: Matrix | Vector | readonly number[]): string => ("data" in x ? `[${x.rows},${x.cols}]` : `[${x.length}]`);

function mismatch(
  op: string, what: string,
  n: number, aName: string, a: Matrix | Vector | readonly number[],
  m: number, bName: string, b: Matrix | Vector | readonly number[],
): ShapeError {
  return new ShapeError(`${op}: ${what} ${n} and ${m} of ${aName} ${shp(a)} and ${bName} ${shp(b)} must match`);
}

/** τ from a τ-row matrix; the recursions of §3.2 start at t = τ, so there must be one. */
function stepsOf(op: string, name: string, m: Matrix): number {
  if (m.rows < 1) throw new ShapeError(`${op}: ${name} ${shp(m)} has no time steps: expected at least one row`);
  return m.rows;
}

/** (DL)_{h⁽ᵗ⁾} and h⁽ᵗ⁾ must be the same τ × hidden shape: every parameter form pairs them row by row. */
function checkHiddenPair(op: string, dL_dh: Matrix, h: Matrix): number {
  const tau = stepsOf(op, "h", h);
  if (dL_dh.rows !== h.rows) throw mismatch(op, "step counts", dL_dh.rows, "dL_dh", dL_dh, h.rows, "h", h);
  if (dL_dh.cols !== h.cols) throw mismatch(op, "hidden widths", dL_dh.cols, "dL_dh", dL_dh, h.cols, "h", h);
  return tau;
}

function checkInputs(op: string, inputs: readonly number[], h: Matrix, vocab: number): void {
  if (inputs.length !== h.rows) throw mismatch(op, "step counts", inputs.length, "inputs", inputs, h.rows, "h", h);
  checkTokenIds("inputs", inputs, vocab);
}

function checkCount(op: string, what: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ShapeError(`${op}: ${what} must be a positive integer, got ${n}`);
}

function checkIndex(op: string, what: string, i: number, n: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= n) {
    throw new ShapeError(`${op}: ${what} ${i} is out of range: expected an integer from 0 to ${n - 1}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Small literal building blocks.

/**
 * 1 − (h)², elementwise: tanh′(a) written through h = tanh(a) (eq 1.5), the diagonal of eqs 3.7, 3.12 and
 * 3.15–3.20. A private copy, so that no form shares arithmetic with backward.ts (see the file comment).
 */
function oneMinusHSquared(h: Vector): Vector {
  return h.map((v) => 1 - v * v);
}

function identity(n: number): Matrix {
  return diag(new Float64Array(n).fill(1));
}

/** out += s·M: the sums of §3 add whole Jacobian-shaped matrices, weighted by a scalar partial. */
function addScaledInPlace(out: Matrix, s: number, m: Matrix): void {
  for (let k = 0; k < out.data.length; k++) out.data[k]! += s * m.data[k]!;
}

/** The matrix displayed after eqs 3.13 and 3.15: zero except `v` in row i (for a_i = Σ_j M_ij v_j, ∂a_i/∂M_kj = 1{k=i} v_j). */
function onlyRow(op: string, i: number, v: Vector, rows: number): Matrix {
  checkCount(op, "rows", rows);
  checkIndex(op, "row index i", i, rows);
  const out = zeros(rows, v.length);
  row(out, i).set(v);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// §3.1 Logits.

/** (Dŷ⁽ᵗ⁾)_{o⁽ᵗ⁾} of eq 3.1: entry (k, i) is (Dŷ_k)_{o_i} = ŷ_k(1{k=i} − ŷ_i), the full softmax Jacobian. */
export function softmaxJacobian(yhat_t: Vector): Matrix {
  const n = yhat_t.length;
  const J = zeros(n, n);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) J.data[k * n + i] = yhat_t[k]! * ((k === i ? 1 : 0) - yhat_t[i]!);
  }
  return J;
}

/**
 * (DL⁽ᵗ⁾)_{ŷ⁽ᵗ⁾} of eq 3.1: −1/ŷ_y at k = y and 0 elsewhere, from L⁽ᵗ⁾ = −log ŷ_y (eq 1.1). The indicator is a
 * case split, not a product, so entries k ≠ y are exact zeros even when ŷ_y is 0.
 */
export function stepLossGradWrtYhat(yhat_t: Vector, y: number): Vector {
  checkIndex("stepLossGradWrtYhat", "target y", y, yhat_t.length);
  const g = new Float64Array(yhat_t.length);
  g[y] = -1 / yhat_t[y]!;
  return g;
}

function checkTargets(op: string, yhat: Matrix, targets: readonly number[]): number {
  const tau = stepsOf(op, "yhat", yhat);
  if (targets.length !== tau) throw mismatch(op, "step counts", targets.length, "targets", targets, tau, "yhat", yhat);
  checkTokenIds("targets", targets, yhat.cols);
  return tau;
}

/**
 * eq 3.1: (DL)_{o_i⁽ᵗ⁾} = Σ_k (DL)_{L⁽ᵗ⁾}(DL⁽ᵗ⁾)_{ŷ_k}(Dŷ_k)_{o_i} = (1/τ) Σ_k (DL⁽ᵗ⁾)_{ŷ_k}(Dŷ_k)_{o_i}, summing over
 * every k because o_i feeds every component of the softmax. Divides by ŷ_y like the text, so unlike eq 3.4 it
 * gives NaN once the target's probability underflows to 0 — which is why the summary form is the one to compute.
 */
export function logitGradChainRule(yhat: Matrix, targets: readonly number[]): Matrix {
  const tau = checkTargets("logitGradChainRule", yhat, targets);
  const n = yhat.cols;
  const dL_do = zeros(tau, n);
  const dL_dLt = 1 / tau; // (DL)_{L⁽ᵗ⁾}: L is the mean of the L⁽ᵗ⁾ (eq 1.2)
  for (let t = 0; t < tau; t++) {
    const yhat_t = row(yhat, t);
    const dLt_dyhat = stepLossGradWrtYhat(yhat_t, targets[t]!);
    const dyhat_do = softmaxJacobian(yhat_t);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += dLt_dyhat[k]! * get(dyhat_do, k, i);
      dL_do.data[t * n + i] = dL_dLt * s;
    }
  }
  return dL_do;
}

/** Which of the two cases of §3.1 an entry of (DL)_{o⁽ᵗ⁾} fell under: eq 3.2 (i = y⁽ᵗ⁾) or eq 3.3 (i ≠ y⁽ᵗ⁾). */
export type LogitCase = "3.2" | "3.3";

/**
 * eq 3.2 and eq 3.3, each evaluated in its middle form, (1/τ)(DL⁽ᵗ⁾)_{ŷ_y}(Dŷ_y)_{o_i} with (DL⁽ᵗ⁾)_{ŷ_y} = −1/ŷ_y:
 * i = y: −(1/τ)(1/ŷ_i)(ŷ_i − ŷ_i²), exactly as printed;
 * i ≠ y: −(1/τ)(1/ŷ_y)(−ŷ_y ŷ_i). The printed line has (ŷ_y ŷ_i) without its minus sign, although the softmax
 * Jacobian's off-diagonal entry is (Dŷ_y)_{o_i} = −ŷ_y ŷ_i; only with the sign does it reach the printed result
 * (1/τ)ŷ_i. The sign-dropped version is `logitGradEq33AsPrinted`, kept to show the erratum.
 * `cases[t][i]` records which equation gave entry (t, i), for pages that colour the two cases.
 */
export function logitGradTwoCases(yhat: Matrix, targets: readonly number[]): { dL_do: Matrix; cases: LogitCase[][] } {
  const tau = checkTargets("logitGradTwoCases", yhat, targets);
  const n = yhat.cols;
  const dL_do = zeros(tau, n);
  const cases: LogitCase[][] = [];
  for (let t = 0; t < tau; t++) {
    const y = targets[t]!;
    const yhat_t = row(yhat, t);
    const caseRow: LogitCase[] = [];
    for (let i = 0; i < n; i++) {
      const yhat_i = yhat_t[i]!;
      if (i === y) {
        dL_do.data[t * n + i] = -(1 / tau) * (1 / yhat_i) * (yhat_i - yhat_i * yhat_i); // eq 3.2
        caseRow.push("3.2");
      } else {
        const yhat_y = yhat_t[y]!;
        dL_do.data[t * n + i] = -(1 / tau) * (1 / yhat_y) * -(yhat_y * yhat_i); // eq 3.3, sign restored
        caseRow.push("3.3");
      }
    }
    cases.push(caseRow);
  }
  return { dL_do, cases };
}

/**
 * NOT a correct gradient: eq 3.3's middle expression exactly as printed, −(1/τ)(1/ŷ_y)(ŷ_y ŷ_i) = −ŷ_i/τ for
 * i ≠ y, which contradicts the same line's right-hand side (1/τ)ŷ_i (and eq 3.4) by its sign; the i = y entries
 * are eq 3.2's, which is printed correctly. Lets a page show the erratum numerically.
 */
export function logitGradEq33AsPrinted(yhat: Matrix, targets: readonly number[]): Matrix {
  const tau = checkTargets("logitGradEq33AsPrinted", yhat, targets);
  const n = yhat.cols;
  const dL_do = zeros(tau, n);
  for (let t = 0; t < tau; t++) {
    const y = targets[t]!, yhat_y = get(yhat, t, y);
    for (let i = 0; i < n; i++) {
      const yhat_i = get(yhat, t, i);
      dL_do.data[t * n + i] = i === y
        ? -(1 / tau) * (1 / yhat_i) * (yhat_i - yhat_i * yhat_i) // eq 3.2
        : -(1 / tau) * (1 / yhat_y) * (yhat_y * yhat_i); // eq 3.3 as printed
    }
  }
  return dL_do;
}

// ---------------------------------------------------------------------------------------------------------------
// §3.2 Hidden states.

function checkSquare(op: string, W: Matrix): void {
  if (W.rows !== W.cols) throw mismatch(op, "rows and columns", W.rows, "W", W, W.cols, "W", W);
}

/**
 * eq 3.7: (Dh⁽ᵗ⁺¹⁾)_{h⁽ᵗ⁾} = (Dh⁽ᵗ⁺¹⁾)_{a⁽ᵗ⁺¹⁾}(Da⁽ᵗ⁺¹⁾)_{h⁽ᵗ⁾} = diag[1 − (h⁽ᵗ⁺¹⁾)²] W, as an explicit
 * hidden × hidden product. (Da)_h is W itself, not Wᵀ: a = hWᵀ + … makes ∂a_i/∂h_j = W_ij.
 */
export function hiddenStepJacobian(hNext: Vector, W: Matrix): Matrix {
  checkSquare("hiddenStepJacobian", W);
  if (hNext.length !== W.rows) throw mismatch("hiddenStepJacobian", "lengths", hNext.length, "hNext", hNext, W.rows, "W", W);
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
 * eq 3.5, eq 3.6 and eq 3.8 (first line), with eq 3.7's Jacobian as an explicit diag-matrix product:
 * (DL)_{h⁽τ⁾} = (DL)_{o⁽τ⁾}V, then for t = τ−1 … 1
 * (DL)_{h⁽ᵗ⁾} = (DL)_{h⁽ᵗ⁺¹⁾} diag[1 − (h⁽ᵗ⁺¹⁾)²] W + (DL)_{o⁽ᵗ⁾}V.
 * Sequential from t = τ down because (DL)_{h⁽ᵗ⁾} needs the total derivative at t + 1 (§2).
 */
export function hiddenGradsDiagForm(dL_do: Matrix, h: Matrix, V: Matrix, W: Matrix): Matrix {
  const tau = checkHiddenInputs("hiddenGradsDiagForm", dL_do, h, V, W);
  const dL_dh = zeros(tau, h.cols);
  const do_dh = V; // (Do⁽ᵗ⁾)_{h⁽ᵗ⁾}: o = hVᵀ + c, so ∂o_k/∂h_j = V_kj
  row(dL_dh, tau - 1).set(vecmat(row(dL_do, tau - 1), do_dh)); // eq 3.5: h⁽τ⁾ feeds only o⁽τ⁾
  for (let t = tau - 2; t >= 0; t--) {
    const dhNext_dh = hiddenStepJacobian(row(h, t + 1), W); // eq 3.7
    const viaNext = vecmat(row(dL_dh, t + 1), dhNext_dh);
    row(dL_dh, t).set(vaddInPlace(viaNext, vecmat(row(dL_do, t), do_dh))); // eq 3.6
  }
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

/**
 * Central differences of h⁽ᵗ⁺¹⁾ = tanh(h⁽ᵗ⁾Wᵀ + x⁽ᵗ⁺¹⁾Uᵀ + b) with respect to h⁽ᵗ⁾ — an independent check on
 * eq 3.7. `step` is the source's t, 0 ≤ t ≤ τ − 1: h⁽ᵗ⁺¹⁾ is row `step` of f.h and h⁽ᵗ⁾ is `hPrevAt(f, step)`
 * (f.h0 at t = 0). Entry (i, j) is ∂h_i⁽ᵗ⁺¹⁾/∂h_j⁽ᵗ⁾, the layout of hiddenStepJacobian.
 */
export function numericalHiddenStepJacobian(
  p: Params, f: Pick<Forward, "h0" | "h">, inputs: readonly number[], step: number, eps = FD_EPSILON,
): Matrix {
  const op = "numericalHiddenStepJacobian";
  checkInputs(op, inputs, f.h, p.E.rows);
  checkIndex(op, "step", step, f.h.rows);
  const hidden = p.W.rows;
  if (f.h.cols !== hidden) throw mismatch(op, "hidden widths", f.h.cols, "h", f.h, hidden, "W", p.W);
  const x = row(p.E, inputs[step]!); // eq 1.3: x⁽ᵗ⁺¹⁾ = E[input⁽ᵗ⁺¹⁾], row `step` of the inputs
  const next = (hPrev: Vector): Vector => {
    const hW = vecmatT(hPrev, p.W), xU = vecmatT(x, p.U);
    return hW.map((v, i) => tanh(v + xU[i]! + p.b[i]!)); // eqs 1.4–1.5
  };
  const hPrev = hPrevAt(f, step).slice();
  const J = zeros(hidden, hidden);
  for (let j = 0; j < hidden; j++) {
    const keep = hPrev[j]!;
    hPrev[j] = keep + eps;
    const up = next(hPrev);
    hPrev[j] = keep - eps;
    const down = next(hPrev);
    hPrev[j] = keep;
    for (let i = 0; i < hidden; i++) J.data[i * hidden + j] = (up[i]! - down[i]!) / (2 * eps);
  }
  return J;
}

// ---------------------------------------------------------------------------------------------------------------
// §3.3 Hidden-to-logit bias c.

/**
 * eq 3.10, one term per step: (DL)_{c⁽ᵗ⁾} = (DL)_{o⁽ᵗ⁾}(Do⁽ᵗ⁾)_{c⁽ᵗ⁾}, the dummy variable c⁽ᵗ⁾ standing for the
 * use of c at step t, with (Do⁽ᵗ⁾)_{c⁽ᵗ⁾} built as an explicit vocab × vocab identity (o = hVᵀ + c). Element t − 1
 * of the result is step t.
 */
export function gradCPerStep(dL_do: Matrix): Vector[] {
  const tau = stepsOf("gradCPerStep", "dL_do", dL_do);
  const do_dc = identity(dL_do.cols);
  return Array.from({ length: tau }, (_, t) => vecmat(row(dL_do, t), do_dc));
}

/**
 * eq 3.9 with eq 3.10's terms: (DL)_c = Σ_t (DL)_{c⁽ᵗ⁾} — a shared parameter's gradient is the sum over its uses.
 * Compared with eq 3.11 (= eq 4.4, Σ_t (DL)_{o⁽ᵗ⁾}), where the identity has been dropped.
 */
export function gradCDummySum(dL_do: Matrix): Vector {
  const dL_dc = new Float64Array(dL_do.cols);
  for (const dL_dct of gradCPerStep(dL_do)) vaddInPlace(dL_dc, dL_dct);
  return dL_dc;
}

// ---------------------------------------------------------------------------------------------------------------
// §3.4 Input-to-hidden bias b.

/**
 * eq 3.12: (DL)_b = Σ_t (DL)_{h⁽ᵗ⁾}(Dh⁽ᵗ⁾)_{a⁽ᵗ⁾}(Da⁽ᵗ⁾)_{b⁽ᵗ⁾} = Σ_t (DL)_{h⁽ᵗ⁾} diag[1 − (h⁽ᵗ⁾)²], with both
 * Jacobians as explicit hidden × hidden matrices; (Da)_b is the identity because b enters a⁽ᵗ⁾ added.
 */
export function gradBDiagForm(dL_dh: Matrix, h: Matrix): Vector {
  const tau = checkHiddenPair("gradBDiagForm", dL_dh, h);
  const da_db = identity(h.cols);
  const dL_db = new Float64Array(h.cols);
  for (let t = 0; t < tau; t++) {
    const dh_da = diag(oneMinusHSquared(row(h, t)));
    vaddInPlace(dL_db, vecmat(vecmat(row(dL_dh, t), dh_da), da_db));
  }
  return dL_db;
}

// ---------------------------------------------------------------------------------------------------------------
// §3.5 Hidden-to-logit weights V.

/** (Do_i⁽ᵗ⁾)_V, the matrix displayed after eq 3.13: vocab × hidden, zero except h⁽ᵗ⁾ in row i (o_i = Σ_j v_ij h_j + c_i). */
export function dOi_dV(i: number, h_t: Vector, vocab: number): Matrix {
  return onlyRow("dOi_dV", i, h_t, vocab);
}

/**
 * eq 3.13: (DL)_V = Σ_t Σ_i (DL)_{o_i⁽ᵗ⁾}(Do_i⁽ᵗ⁾)_V, adding the explicit matrices (Do_i⁽ᵗ⁾)_V weighted by scalars —
 * before the text recognises the inner sum as the outer product of eq 3.14 (= eq 4.6, gradV in backward.ts).
 */
export function gradVPerIndexForm(dL_do: Matrix, h: Matrix): Matrix {
  const op = "gradVPerIndexForm";
  const tau = stepsOf(op, "h", h);
  if (dL_do.rows !== tau) throw mismatch(op, "step counts", dL_do.rows, "dL_do", dL_do, tau, "h", h);
  const vocab = dL_do.cols;
  const dL_dV = zeros(vocab, h.cols);
  for (let t = 0; t < tau; t++) {
    const h_t = row(h, t);
    for (let i = 0; i < vocab; i++) addScaledInPlace(dL_dV, get(dL_do, t, i), dOi_dV(i, h_t, vocab));
  }
  return dL_dV;
}

// ---------------------------------------------------------------------------------------------------------------
// §3.6 Hidden-to-hidden weights W.

/** (Da_i⁽ᵗ⁺¹⁾)_{W⁽ᵗ⁾}, the matrix displayed after eq 3.15: hidden × hidden, zero except h⁽ᵗ⁾ in row i (a_i⁽ᵗ⁺¹⁾ = Σ_j W_ij h_j⁽ᵗ⁾ + …). */
export function dAi_dW(i: number, hPrev: Vector, hidden: number): Matrix {
  if (hPrev.length !== hidden) {
    throw new ShapeError(`dAi_dW: length ${hPrev.length} of hPrev [${hPrev.length}] and hidden ${hidden} must match`);
  }
  return onlyRow("dAi_dW", i, hPrev, hidden);
}

function checkH0(op: string, h0: Vector, h: Matrix): void {
  if (h0.length !== h.cols) throw mismatch(op, "hidden widths", h0.length, "h0", h0, h.cols, "h", h);
}

/**
 * eq 3.15: (DL)_W = Σ_{t=0}^{τ−1} Σ_i (DL)_{h_i⁽ᵗ⁺¹⁾}(1 − (h_i⁽ᵗ⁺¹⁾)²)(Da_i⁽ᵗ⁺¹⁾)_{W⁽ᵗ⁾}, the i-th diagonal entry
 * of (Dh⁽ᵗ⁺¹⁾)_{a⁽ᵗ⁺¹⁾} being the only way a_i reaches h_i. The sum starts at t = 0 because W⁽⁰⁾ acts on h⁽⁰⁾
 * (= h0), which contributes unless it is zero. Its outer-product form is eq 3.16 (= eq 4.7, gradW in backward.ts).
 */
export function gradWPerIndexForm(dL_dh: Matrix, h: Matrix, h0: Vector): Matrix {
  const tau = checkHiddenPair("gradWPerIndexForm", dL_dh, h);
  checkH0("gradWPerIndexForm", h0, h);
  const hidden = h.cols;
  const dL_dW = zeros(hidden, hidden);
  for (let t = 0; t <= tau - 1; t++) {
    const hNext = row(h, t), hPrev = hPrevAt({ h0, h }, t), dL_dhNext = row(dL_dh, t);
    for (let i = 0; i < hidden; i++) {
      const dhi_dai = 1 - hNext[i]! * hNext[i]!;
      addScaledInPlace(dL_dW, dL_dhNext[i]! * dhi_dai, dAi_dW(i, hPrev, hidden));
    }
  }
  return dL_dW;
}

/**
 * NOT a correct gradient: the prose between eq 3.15 and eq 3.16 writes the outer product as
 * Σ_t [(DL)_{h⁽ᵗ⁺¹⁾} ⊙ (1 − h⁽ᵗ⁺¹⁾)²] ⊗ h⁽ᵗ⁾, squaring (1 − h) where eq 3.16 (and the entrywise sentence just
 * before it) has 1 − (h⁽ᵗ⁺¹⁾)². Evaluated here as written so a page can show the erratum numerically; the
 * two agree only where h = 0 or h = 1.
 */
export function gradWAsPrinted(dL_dh: Matrix, h: Matrix, h0: Vector): Matrix {
  const tau = checkHiddenPair("gradWAsPrinted", dL_dh, h);
  checkH0("gradWAsPrinted", h0, h);
  const hidden = h.cols;
  const dL_dW = zeros(hidden, hidden);
  for (let t = 0; t <= tau - 1; t++) {
    const hNext = row(h, t), hPrev = hPrevAt({ h0, h }, t), dL_dhNext = row(dL_dh, t);
    for (let i = 0; i < hidden; i++) {
      const typo = dL_dhNext[i]! * (1 - hNext[i]!) * (1 - hNext[i]!);
      for (let j = 0; j < hidden; j++) dL_dW.data[i * hidden + j]! += typo * hPrev[j]!;
    }
  }
  return dL_dW;
}

// ---------------------------------------------------------------------------------------------------------------
// §3.7 Input-to-hidden weights U.

/** (Da_i⁽ᵗ⁾)_{U⁽ᵗ⁾} of eq 3.17: hidden × d_model, zero except x⁽ᵗ⁾ in row i (a_i⁽ᵗ⁾ = Σ_j U_ij x_j⁽ᵗ⁾ + …). */
export function dAi_dU(i: number, x_t: Vector, hidden: number): Matrix {
  return onlyRow("dAi_dU", i, x_t, hidden);
}

/**
 * eq 3.17: (DL)_U = Σ_t Σ_i (DL)_{h_i⁽ᵗ⁾}(Dh_i⁽ᵗ⁾)_{a_i⁽ᵗ⁾}(Da_i⁽ᵗ⁾)_{U⁽ᵗ⁾}, with (Dh_i)_{a_i} = 1 − (h_i⁽ᵗ⁾)². The
 * source prints the middle factor as (Dh⁽ᵗ⁾)_{a_i⁽ᵗ⁾} and the first sum's term as (DL)_t; both are read here as
 * §3.6's "identical reasoning" requires. Its outer-product form is eq 3.18 (= eq 4.8, gradU in backward.ts).
 */
export function gradUPerIndexForm(dL_dh: Matrix, h: Matrix, x: Matrix): Matrix {
  const op = "gradUPerIndexForm";
  const tau = checkHiddenPair(op, dL_dh, h);
  if (x.rows !== tau) throw mismatch(op, "step counts", x.rows, "x", x, tau, "h", h);
  const hidden = h.cols;
  const dL_dU = zeros(hidden, x.cols);
  for (let t = 0; t < tau; t++) {
    const h_t = row(h, t), x_t = row(x, t), dL_dh_t = row(dL_dh, t);
    for (let i = 0; i < hidden; i++) {
      const dhi_dai = 1 - h_t[i]! * h_t[i]!;
      addScaledInPlace(dL_dU, dL_dh_t[i]! * dhi_dai, dAi_dU(i, x_t, hidden));
    }
  }
  return dL_dU;
}

// ---------------------------------------------------------------------------------------------------------------
// §3.8 Embedding table E.

function checkEmbeddingInputs(op: string, dL_dh: Matrix, h: Matrix, U: Matrix, inputs: readonly number[], vocab: number): number {
  const tau = checkHiddenPair(op, dL_dh, h);
  if (U.rows !== h.cols) throw mismatch(op, "hidden widths", h.cols, "h", h, U.rows, "U", U);
  checkCount(op, "vocab", vocab);
  checkInputs(op, inputs, h, vocab);
  return tau;
}

/**
 * The row vector [(DL)_{h⁽ᵗ⁾} ⊙ (1 − (h⁽ᵗ⁾)²)] U = (DL)_{x⁽ᵗ⁾} shared by eqs 3.20–3.22; the ⊙ is of two row
 * vectors here, so no broadcasting question arises.
 */
function dL_dx(dL_dh: Matrix, h: Matrix, U: Matrix, t: number): Vector {
  const h_t = row(h, t), dL_dh_t = row(dL_dh, t), tanhPrime = oneMinusHSquared(h_t);
  return vecmat(dL_dh_t.map((g, m) => g * tanhPrime[m]!), U);
}

/** (Dx_i⁽ᵗ⁾)_{E⁽ᵗ⁾} of eq 3.19: vocab × d_model with a single 1 at (input⁽ᵗ⁾, i), since x_i⁽ᵗ⁾ = E[input⁽ᵗ⁾, i]. */
export function dXi_dE(i: number, token: number, vocab: number, dModel: number): Matrix {
  checkCount("dXi_dE", "vocab", vocab);
  checkCount("dXi_dE", "dModel", dModel);
  checkIndex("dXi_dE", "component i", i, dModel);
  checkIndex("dXi_dE", "token", token, vocab);
  const out = zeros(vocab, dModel);
  out.data[token * dModel + i] = 1;
  return out;
}

/**
 * eq 3.19, the triple sum: (DL)_E = Σ_t Σ_i Σ_m (DL)_{a_m⁽ᵗ⁾}(Da_m⁽ᵗ⁾)_{x_i⁽ᵗ⁾}(Dx_i⁽ᵗ⁾)_{E⁽ᵗ⁾}, with
 * (DL)_{a_m} = (DL)_{h_m}(1 − h_m²) and (Da_m)_{x_i} = U_mi: each component x_i feeds every a_m, hence the sum
 * over m as well as i. Costs τ·d_model·hidden full vocab × d_model matrices — the "shibboleth" the text escapes.
 */
export function gradETripleSum(dL_dh: Matrix, h: Matrix, U: Matrix, inputs: readonly number[], vocab: number): Matrix {
  const tau = checkEmbeddingInputs("gradETripleSum", dL_dh, h, U, inputs, vocab);
  const hidden = h.cols, dModel = U.cols;
  const dL_dE = zeros(vocab, dModel);
  for (let t = 0; t < tau; t++) {
    const h_t = row(h, t), dL_dh_t = row(dL_dh, t);
    for (let i = 0; i < dModel; i++) {
      const dxi_dE = dXi_dE(i, inputs[t]!, vocab, dModel);
      for (let m = 0; m < hidden; m++) {
        const dL_dam = dL_dh_t[m]! * (1 - h_t[m]! * h_t[m]!);
        const dam_dxi = get(U, m, i);
        addScaledInPlace(dL_dE, dL_dam * dam_dxi, dxi_dE);
      }
    }
  }
  return dL_dE;
}

/**
 * The tensor (Dx⁽ᵗ⁾)_{E⁽ᵗ⁾} of eq 3.20 as the text pictures it: a vertical stack of `vocab` many d_model × d_model
 * blocks, returned as one (vocab·d_model) × d_model matrix. Block r has entry (k, j) = (Dx_k⁽ᵗ⁾)_{E_rj}, so it is
 * the identity for r = input⁽ᵗ⁾ and zero otherwise.
 */
export function dX_dE(token: number, vocab: number, dModel: number): Matrix {
  checkCount("dX_dE", "vocab", vocab);
  checkCount("dX_dE", "dModel", dModel);
  checkIndex("dX_dE", "token", token, vocab);
  const T = zeros(vocab * dModel, dModel);
  for (let k = 0; k < dModel; k++) T.data[(token * dModel + k) * dModel + k] = 1;
  return T;
}

/**
 * Right multiplication of a row vector by a vertically stacked tensor, as §3.8 describes it: v times each
 * stacked block, the r-th product becoming row r of the result. With eq 3.20's (Dx)_E this gives a
 * vocab × d_model matrix, zero except at the input token's row.
 */
export function rowTimesStack(v: Vector, T: Matrix): Matrix {
  const n = v.length;
  if (n < 1 || T.rows % n !== 0) {
    throw new ShapeError(`rowTimesStack: rows ${T.rows} of T ${shp(T)} are not a whole number of blocks of height ${n} = length of v ${shp(v)}`);
  }
  const blocks = T.rows / n;
  const out = zeros(blocks, T.cols);
  for (let r = 0; r < blocks; r++) {
    const block: Matrix = { rows: n, cols: T.cols, data: T.data.subarray(r * n * T.cols, (r + 1) * n * T.cols) };
    row(out, r).set(vecmat(v, block));
  }
  return out;
}

/**
 * eq 3.20: (DL)_E = Σ_t [(DL)_{h⁽ᵗ⁾} ⊙ (1 − (h⁽ᵗ⁾)²)] U (Dx⁽ᵗ⁾)_{E⁽ᵗ⁾}, differentiating through the vector x⁽ᵗ⁾
 * as a whole, with the tensor built explicitly (dX_dE) and contracted block by block (rowTimesStack).
 */
export function gradETensorForm(dL_dh: Matrix, h: Matrix, U: Matrix, inputs: readonly number[], vocab: number): Matrix {
  const tau = checkEmbeddingInputs("gradETensorForm", dL_dh, h, U, inputs, vocab);
  const dModel = U.cols;
  const dL_dE = zeros(vocab, dModel);
  for (let t = 0; t < tau; t++) addInPlace(dL_dE, rowTimesStack(dL_dx(dL_dh, h, U, t), dX_dE(inputs[t]!, vocab, dModel)));
  return dL_dE;
}

/** e_{i_t}ᵀ of eq 3.21 as an explicit n × 1 column: the one-hot vector, transposed because vectors are rows. */
export function oneHotColumn(index: number, n: number): Matrix {
  checkCount("oneHotColumn", "n", n);
  checkIndex("oneHotColumn", "index", index, n);
  const col = zeros(n, 1);
  col.data[index] = 1;
  return col;
}

/**
 * eq 3.21: (DL)_E = Σ_t e_{i_t}ᵀ([(DL)_{h⁽ᵗ⁾} ⊙ (1 − (h⁽ᵗ⁾)²)] U), each term a (vocab × 1)(1 × d_model) matrix
 * product — an outer product that places the row vector at the input token's row.
 */
export function gradEOneHotForm(dL_dh: Matrix, h: Matrix, U: Matrix, inputs: readonly number[], vocab: number): Matrix {
  const tau = checkEmbeddingInputs("gradEOneHotForm", dL_dh, h, U, inputs, vocab);
  const dModel = U.cols;
  const dL_dE = zeros(vocab, dModel);
  for (let t = 0; t < tau; t++) {
    const g: Matrix = { rows: 1, cols: dModel, data: dL_dx(dL_dh, h, U, t) };
    addInPlace(dL_dE, matmul(oneHotColumn(inputs[t]!, vocab), g));
  }
  return dL_dE;
}

/** Remark 3.22's unfolding: the rows of a matrix placed side by side, E ↦ e with e_{r·cols + j} = E_rj. */
export function flattenRows(m: Matrix): Vector {
  const e = new Float64Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) e.set(row(m, r), r * m.cols);
  return e;
}

/** Remark 3.22's folding back: the inverse of flattenRows, stacking `rows` consecutive slices of length `cols`. */
export function foldRows(e: Vector, rows: number, cols: number): Matrix {
  if (e.length !== rows * cols) {
    throw new ShapeError(`foldRows: length ${e.length} of e ${shp(e)} and size ${rows * cols} of the fold [${rows},${cols}] must match`);
  }
  const m = zeros(rows, cols);
  for (let r = 0; r < rows; r++) row(m, r).set(e.subarray(r * cols, (r + 1) * cols));
  return m;
}

/**
 * Remark 3.22's Jacobian of the projection e⁽ᵗ⁾ ↦ x⁽ᵗ⁾ on the row-by-row unfolding of E: d_model × (d_model·vocab),
 * entry (k, r·d_model + j) = 1{r = input⁽ᵗ⁾ and j = k}. The map is linear, so this matrix times e is x⁽ᵗ⁾.
 */
export function projectionJacobian(token: number, vocab: number, dModel: number): Matrix {
  checkCount("projectionJacobian", "vocab", vocab);
  checkCount("projectionJacobian", "dModel", dModel);
  checkIndex("projectionJacobian", "token", token, vocab);
  const n = dModel * vocab;
  const J = zeros(dModel, n);
  for (let k = 0; k < dModel; k++) J.data[k * n + token * dModel + k] = 1;
  return J;
}

/**
 * Remark 3.22: the same gradient with no tensors — multiply [(DL)_{h⁽ᵗ⁾} ⊙ (1 − (h⁽ᵗ⁾)²)] U by the ordinary
 * d_model × (d_model·vocab) projection Jacobian to get a 1 × (d_model·vocab) row, sum over t, then fold the row
 * back into vocab × d_model the way E was unfolded.
 */
export function remark322(dL_dh: Matrix, h: Matrix, U: Matrix, inputs: readonly number[], vocab: number): Matrix {
  const tau = checkEmbeddingInputs("remark322", dL_dh, h, U, inputs, vocab);
  const dModel = U.cols;
  const dL_de = new Float64Array(dModel * vocab);
  for (let t = 0; t < tau; t++) vaddInPlace(dL_de, vecmat(dL_dx(dL_dh, h, U, t), projectionJacobian(inputs[t]!, vocab, dModel)));
  return foldRows(dL_de, vocab, dModel);
}

/** One step's term of eq 3.20 / eq 3.21: step t (1-based, as in the source), its input token, and the row it adds. */
export interface EmbeddingContribution {
  t: number;
  token: number;
  row: Vector;
}

/**
 * The terms of eq 3.21 one by one, so a page can show that a token's row of (DL)_E is the sum of the rows its
 * occurrences contribute ("the gradient with respect to a repeated parameter is the sum …", §3.3) and that a
 * token that is never an input gets none.
 */
export function embeddingContributions(dL_dh: Matrix, h: Matrix, U: Matrix, inputs: readonly number[]): EmbeddingContribution[] {
  const op = "embeddingContributions";
  const tau = checkHiddenPair(op, dL_dh, h);
  if (U.rows !== h.cols) throw mismatch(op, "hidden widths", h.cols, "h", h, U.rows, "U", U);
  if (inputs.length !== tau) throw mismatch(op, "step counts", inputs.length, "inputs", inputs, tau, "h", h);
  return Array.from({ length: tau }, (_, t) => ({ t: t + 1, token: inputs[t]!, row: dL_dx(dL_dh, h, U, t) }));
}

/**
 * Small helpers for the §3.1 and §3.2 pages (src/logits.md, src/hidden.md) of "BPTT Derivations" (A. Singh):
 * the facts those pages demonstrate beside the equations — rows of (DL)_{o⁽ᵗ⁾} summing to zero, the entries that
 * fall under each case of eqs 3.2/3.3, the two terms of the recursion eq 3.6, and per-step errors for the
 * broadcasting demonstration of eq 3.8.
 *
 * Conventions are those of lib/derivation/backward.ts and lib/derivation/forms.ts: row vectors, weights stored [out, in], row t − 1 of
 * every τ-row matrix is time step t. Nothing here reuses backward.ts's arithmetic.
 */
import { type LogitCase, hiddenStepJacobian } from "./forms.js";
import { type Matrix, type Vector, ShapeError, row, vecmat, zeros } from "../core/matrix.js";

const shp = (m: Matrix) => `[${m.rows},${m.cols}]`;

/**
 * eq 3.4: the sum of each row, Σ_i m[t, i]. For m = (DL)_{o⁽ᵗ⁾} every sum is (1/τ)(Σ_i ŷ_i⁽ᵗ⁾ − 1) = 0: adding
 * the same constant to every logit of a step leaves the softmax, and so L, unchanged.
 */
export function rowSums(m: Matrix): Vector {
  const out = new Float64Array(m.rows);
  for (let t = 0; t < m.rows; t++) {
    let s = 0;
    for (let i = 0; i < m.cols; i++) s += m.data[t * m.cols + i]!;
    out[t] = s;
  }
  return out;
}

/**
 * eqs 3.2/3.3: the entries of a τ × vocab matrix whose (t, i) fell under case `which` (as recorded by
 * `logitGradTwoCases`), in row-major order. With next-token targets case 3.2 holds exactly one entry per row
 * (i = y⁽ᵗ⁾), so `entriesOfCase(m, cases, "3.2")` has one value per step.
 */
export function entriesOfCase(m: Matrix, cases: readonly (readonly LogitCase[])[], which: LogitCase): Vector {
  if (cases.length !== m.rows || cases.some((r) => r.length !== m.cols)) {
    throw new ShapeError(`entriesOfCase: cases [${cases.length},${cases[0]?.length ?? 0}] and m ${shp(m)} must have the same shape`);
  }
  const out: number[] = [];
  for (let t = 0; t < m.rows; t++) for (let i = 0; i < m.cols; i++) if (cases[t]![i] === which) out.push(m.data[t * m.cols + i]!);
  return Float64Array.from(out);
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
  const op = "hiddenGradTerms";
  const tau = h.rows, hidden = h.cols;
  if (tau < 1) throw new ShapeError(`${op}: h ${shp(h)} has no time steps: expected at least one row`);
  if (dL_dh.rows !== tau || dL_dh.cols !== hidden) throw new ShapeError(`${op}: dL_dh ${shp(dL_dh)} and h ${shp(h)} must have the same shape`);
  if (dL_do.rows !== tau) throw new ShapeError(`${op}: step counts ${dL_do.rows} and ${tau} of dL_do ${shp(dL_do)} and h ${shp(h)} must match`);
  if (V.rows !== dL_do.cols || V.cols !== hidden) throw new ShapeError(`${op}: V ${shp(V)} must be [${dL_do.cols},${hidden}] (vocab of dL_do, hidden of h)`);
  if (W.rows !== hidden || W.cols !== hidden) throw new ShapeError(`${op}: W ${shp(W)} must be [${hidden},${hidden}] (hidden of h)`);
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

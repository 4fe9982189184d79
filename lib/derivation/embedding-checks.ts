/**
 * The finite-difference checks of /embedding (§3.8 of "BPTT Derivations"): the Jacobian (Da⁽ᵗ⁾)_{x⁽ᵗ⁾} of eq 3.20
 * from eq 1.4 alone, and a single step's term (DL)_{E⁽ᵗ⁾} of eq 3.21 through the copy E⁽ᵗ⁾ of E used at that step
 * only. It imports neither lib/derivation/embedding.ts nor backward.ts.
 */
import { type Forward, hPrevAt, stepLoss } from "./forward.js";
import { centralDifference } from "../core/fd.js";
import { FD_EPSILON } from "../core/tolerances.js";
import { type Matrix, type Vector, ShapeError, clone, row, vecmatT, zeros } from "../core/matrix.js";
import type { Params } from "./model.js";
import { checkSequence } from "../core/tokens.js";
import { tanh } from "../core/libm.js";
import { checkHPrevAndX } from "./validate.js";

/**
 * (Da⁽ᵗ⁾)_{x⁽ᵗ⁾} of eq 3.20 by central differences of eq 1.4, a⁽ᵗ⁾ = h⁽ᵗ⁻¹⁾Wᵀ + x⁽ᵗ⁾Uᵀ + b, holding h⁽ᵗ⁻¹⁾ fixed:
 * entry (m, i) ≈ ∂a_m/∂x_i, one row per component of a (hidden × d_model). The text writes this factor as U —
 * not Uᵀ, although U enters the forward pass transposed — and this is the independent check of that reading.
 */
export function numericalDaDx(p: Pick<Params, "W" | "U" | "b">, hPrev: Vector, x: Vector, eps = FD_EPSILON): Matrix {
  checkHPrevAndX("numericalDaDx", p, hPrev, x);
  const hidden = p.U.rows, dModel = p.U.cols;
  const hW = vecmatT(hPrev, p.W);
  const a = (xs: Vector): Vector => {
    const xU = vecmatT(xs, p.U);
    return xU.map((v, m) => hW[m]! + v + p.b[m]!); // eq 1.4
  };
  const J = zeros(hidden, dModel);
  const xs = x.slice();
  for (let i = 0; i < dModel; i++) {
    for (let m = 0; m < hidden; m++) J.data[m * dModel + i] = centralDifference(xs, i, () => a(xs)[m]!, eps);
  }
  return J;
}

/**
 * The mean loss L (eqs 1.1–1.7) when the copy E⁽ᵗ⁾ of the embedding table used at one step is replaced by `Et`
 * and every other step still reads E — the dummy variables of eq 3.9 applied to E, as §3.8 uses them.
 * `step` is 0-based (the source's t − 1). Steps before it cannot see E⁽ᵗ⁾, so their losses L⁽ˢ⁾ and the hidden
 * state h⁽ᵗ⁻¹⁾ are taken from the forward pass `f` and only steps t … τ are re-run, by a copy of the recursion
 * (forward.ts's `forward` reads one E for every step).
 */
export function lossWithStepEmbedding(
  p: Params, f: Pick<Forward, "h0" | "h" | "L_t">, inputs: readonly number[], targets: readonly number[], step: number, Et: Matrix,
): number {
  const op = "lossWithStepEmbedding";
  const tau = checkSequence(inputs, targets, p.E.rows);
  if (f.h.rows !== tau || f.L_t.length !== tau) {
    throw new ShapeError(`${op}: the forward pass has ${f.h.rows} steps but inputs has ${tau}`);
  }
  if (!Number.isInteger(step) || step < 0 || step >= tau) {
    throw new ShapeError(`${op}: step ${step} is out of range: expected an integer from 0 to ${tau - 1}`);
  }
  if (Et.rows !== p.E.rows || Et.cols !== p.E.cols) {
    throw new ShapeError(`${op}: shape [${Et.rows},${Et.cols}] of Et and [${p.E.rows},${p.E.cols}] of E must match`);
  }
  let sum = 0;
  for (let s = 0; s < step; s++) sum += f.L_t[s]!;
  let h = hPrevAt(f, step);
  for (let s = step; s < tau; s++) {
    const x = row(s === step ? Et : p.E, inputs[s]!); // eq 1.3, with E⁽ᵗ⁾ at the chosen step
    const hW = vecmatT(h, p.W), xU = vecmatT(x, p.U);
    h = hW.map((v, j) => tanh(v + xU[j]! + p.b[j]!)); // eqs 1.4–1.5
    const o = vecmatT(h, p.V).map((v, k) => v + p.c[k]!); // eq 1.6
    sum += stepLoss(o, targets[s]!); // eqs 1.7, 1.1
  }
  return sum / tau; // eq 1.2
}

/**
 * One term of eq 3.21 on its own, (DL)_{E⁽ᵗ⁾} = e_{i_t}ᵀ([(DL)_{h⁽ᵗ⁾} ⊙ (1 − (h⁽ᵗ⁾)²)] U), by central differences
 * over every entry of the step's copy E⁽ᵗ⁾ (vocab × d_model; `step` 0-based). Rows the step does not read come
 * out exactly zero, since nudging them leaves every float of the forward pass unchanged.
 */
export function numericalStepEmbeddingGrad(
  p: Params, f: Pick<Forward, "h0" | "h" | "L_t">, inputs: readonly number[], targets: readonly number[], step: number,
  eps = FD_EPSILON,
): Matrix {
  const Et = clone(p.E);
  const g = zeros(Et.rows, Et.cols);
  for (let k = 0; k < Et.data.length; k++) {
    g.data[k] = centralDifference(Et.data, k, () => lossWithStepEmbedding(p, f, inputs, targets, step, Et), eps);
  }
  return g;
}

/**
 * The finite-difference check of /hidden (§3.2 of "BPTT Derivations"): the Jacobian of one step of the forward
 * recursion, computed from eqs 1.3–1.5 alone, against which eq 3.7's diag[1 − (h⁽ᵗ⁺¹⁾)²] W (lib/derivation/hidden.ts)
 * is checked. It imports neither hidden.ts nor backward.ts.
 */
import { type Forward, hPrevAt } from "./forward.js";
import { centralDifference } from "../core/fd.js";
import { FD_EPSILON } from "../core/tolerances.js";
import { type Matrix, type Vector, row, vecmatT, zeros } from "../core/matrix.js";
import type { Params } from "./model.js";
import { tanh } from "../core/libm.js";
import { checkIndex, checkInputs, mismatch } from "./validate.js";

/**
 * Central differences of h⁽ᵗ⁺¹⁾ = tanh(h⁽ᵗ⁾Wᵀ + x⁽ᵗ⁺¹⁾Uᵀ + b) with respect to h⁽ᵗ⁾ — an independent check on
 * eq 3.7. `step` is the source's t, 0 ≤ t ≤ τ − 1: h⁽ᵗ⁺¹⁾ is row `step` of f.h and h⁽ᵗ⁾ is `hPrevAt(f, step)`
 * (f.h0 at t = 0). Entry (i, j) is ∂h_i⁽ᵗ⁺¹⁾/∂h_j⁽ᵗ⁾, the layout of hiddenStepJacobian. The step is written
 * out here rather than taken from forward.ts so that h⁽ᵗ⁾ can be perturbed on its own.
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
    for (let i = 0; i < hidden; i++) J.data[i * hidden + j] = centralDifference(hPrev, j, () => next(hPrev)[i]!, eps);
  }
  return J;
}

/**
 * §3.1 of "BPTT Derivations" (A. Singh), the page /logits: the gradient of the loss with respect to the logits,
 * eqs 3.1–3.4, each computed literally — the full softmax Jacobian of eq 3.1, the two cases of eqs 3.2/3.3 in
 * their middle forms, eq 3.3 as printed (an erratum) — so the page can set them beside eq 3.4 (= eq 4.1,
 * `logitGrads` in lib/derivation/backward.ts) and show that the derivation's steps agree with it.
 *
 * Conventions are those of lib/derivation/backward.ts: row vectors (PyTorch), row t − 1 of every τ-row matrix is
 * time step t, and a Jacobian (Df)_p has one row per component of f and one column per component of p.
 * Nothing here reuses backward.ts's arithmetic: a form that shared code with the summary it is compared against
 * could agree with it while both were wrong.
 */
import { type Matrix, type Vector, ShapeError, get, row, scale, zeros } from "../core/matrix.js";
import { FD_TOL } from "../core/tolerances.js";
import { checkIndex, checkTargets, shp } from "./validate.js";
import { experiments } from "../core/experiment.js";

/** (DL)_{L⁽ᵗ⁾} = 1/τ, the factor in front of eqs 3.1–3.4: L is the mean of the step losses L⁽ᵗ⁾ (eq 1.2). */
export function stepLossWeight(tau: number): number {
  return 1 / tau;
}

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

/**
 * eq 3.1: (DL)_{o_i⁽ᵗ⁾} = Σ_k (DL)_{L⁽ᵗ⁾}(DL⁽ᵗ⁾)_{ŷ_k}(Dŷ_k)_{o_i} = (1/τ) Σ_k (DL⁽ᵗ⁾)_{ŷ_k}(Dŷ_k)_{o_i}, summing over
 * every k because o_i feeds every component of the softmax. Divides by ŷ_y like the text, so unlike eq 3.4 it
 * gives NaN once the target's probability underflows to 0 — which is why the summary form is the one to compute.
 */
export function logitGradChainRule(yhat: Matrix, targets: readonly number[]): Matrix {
  const tau = checkTargets("logitGradChainRule", yhat, targets);
  const n = yhat.cols;
  const dL_do = zeros(tau, n);
  const dL_dLt = stepLossWeight(tau);
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

/**
 * The sum of each row, Σ_i m[t, i]. For m = (DL)_{o⁽ᵗ⁾} (eq 3.4) every sum is (1/τ)(Σ_i ŷ_i⁽ᵗ⁾ − 1) = 0: adding
 * the same constant to every logit of a step leaves the softmax, and so L, unchanged. For a softmax Jacobian
 * (eq 3.1) likewise, since Σ_k ŷ_k = 1 whatever o is.
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

/**
 * τ · (DL)_{o⁽ᵗ⁾} = (DL⁽ᵗ⁾)_{o⁽ᵗ⁾}: each row without the factor 1/τ of eq 3.4, the gradient of its own step loss,
 * ŷ⁽ᵗ⁾ minus the one-hot target whatever the length of the text.
 */
export function stepLossGrads(dL_do: Matrix): Matrix {
  return scale(dL_do, dL_do.rows);
}

/** FD_TOL for a quantity scaled like `stepLossGrads`: multiplying by τ multiplies the finite differences' error by τ. */
export function stepLossGradsTolerance(tau: number): number {
  return tau * FD_TOL;
}

// ——— guided experiments (lib/core/experiment.ts): each a classic mistake its page's check catches ———

experiments(logitGradChainRule, [
  {
    label: "Drop the 1/τ",
    find: "const dL_dLt = stepLossWeight(tau);",
    replace: "const dL_dLt = 1;",
    why: "L is the mean of the τ step losses (1.2), so (DL)_{L⁽ᵗ⁾} = 1/τ. Without it every entry is τ times too large (each row " +
      "still sums to zero, so that check alone would not catch it), and finite differences disagree whenever τ > 1.",
  },
  {
    label: "Keep only the diagonal of the softmax Jacobian",
    find: "for (let k = 0; k < n; k++) s += dLt_dyhat[k]! * get(dyhat_do, k, i);",
    replace: "s = dLt_dyhat[i]! * get(dyhat_do, i, i);",
    why: "o_i feeds every component of the softmax, so the chain rule sums over every k. Keeping only k = i treats the softmax " +
      "as if it acted entry by entry: the target's entry stays right, every other entry becomes 0 instead of ŷ_i/τ.",
  },
]);

experiments(logitGradTwoCases, [{
  label: "Drop the minus sign of (3.3), as printed",
  find: "-(1 / tau) * (1 / yhat_y) * -(yhat_y * yhat_i)",
  replace: "-(1 / tau) * (1 / yhat_y) * (yhat_y * yhat_i)",
  why: "The off-diagonal entry of the softmax Jacobian is −ŷ_y ŷ_i. Without its sign, as (3.3)'s middle expression is printed, " +
    "every entry i ≠ y⁽ᵗ⁾ is −ŷ_i/τ, the negative of (3.4).",
}]);

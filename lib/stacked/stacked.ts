/**
 * The equations of the stacked-RNN page (/stacked), as "Mathematics of Backpropagation Through Time" (J. Vera,
 * 2025) derives them for its 2-layer stacked RNN with a batch of n rows, in its X·W convention, at T = 2 — one
 * function per equation, in the source's symbols: Z^(3) is the output pre-activation, W_h2a is W_{h₂a}^{(3)} (our
 * Wha), W_h1h2 is W_{h₁h₂}^{(2)} (our Wxh[1]), W_xh1 is W_{xh₁}^{(1)}, W_h1h1 and W_h2h2 the recurrent weights.
 * Where the source slips these are the CORRECTED equations; its formulas as printed are lib/stacked/as-printed.ts,
 * what is wrong with each lib/stacked/errata.ts. The forward pass of §1.2 is lib/stacked/forward.ts, its general
 * backward pass lib/stacked/backward.ts, and lib/stacked/finite-differences.ts checks them all.
 *
 * NAMING OF THE SOURCE'S EQUATIONS. The source numbers its equations afresh in each section, so an equation is
 * named by section and number: `stacked 1.2 (k)` (forward pass, k = 1…3), `stacked 2.1 (k)` (BPTT at t = T = 2,
 * k = 1…8) and `stacked 2.1.1 (k)` (the 1/T averaging over t, k = 1…8). The site's anchor is the name with
 * every space, dot and bracket turned into a single dash: `stacked-1-2-3`, `stacked-2-1-5`, `stacked-2-1-1-5`
 * (§2.1 anchors have four parts, §2.1.1 anchors five, so they never collide). See `stackedEqName`,
 * `stackedEqAnchor`. §1.1 (1)–(3), the 3-layer FFNN the source starts from, is `ffnnForward` (anchors
 * `stacked-1-1-k`); the unnumbered display of §2.2 (∂L/∂W_hh^(1) for any T, anchor `stacked-2-2`) is corrected by
 * explicit Jacobian products in `stacked22Corrected` / `stacked22Truncated`.
 *
 * §2.1's L is CE_t, the batch-summed cross-entropy of step t alone; §2.1.1's is (1/T) Σ_t CE_t (the header of
 * lib/stacked/forward.ts says why). Steps are 1-based here, as in the source.
 */
import { type Matrix, addInPlace as addInto, clone, matmul, scale, transpose, zeros } from "../core/matrix.js";
import { stackedBackward } from "./backward.js";
import { type StackedForward, type StackedStateGrads, hPrevAt, singleStepWeights, withWeights } from "./forward.js";
import { affine, dtanh, hadamardInPlace, mTm, mmT, oneHot, predictionMinusTarget, rowOf, softmaxRow, tanhM } from "./ops.js";
import { type StackedParamGrads, type StackedParams, checkFfnnInput } from "./params.js";
import { checkStep, checkTwoLayers, checkTwoLayersStepRow } from "./validate.js";
import { experiments } from "../core/experiment.js";

// ————————————————————————————————————————— naming —————————————————————————————————————————

export type StackedSection = "1.2" | "2.1" | "2.1.1";
/** The source's equation numbers within §2.1 and §2.1.1. */
export type SourceEq = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;
export const SOURCE_EQS: readonly SourceEq[] = [1, 2, 3, 4, 5, 6, 7, 8];

/** (1), (3) and (6) of §2.1 and §2.1.1 are gradients of pre-activations Z^(l) (one per step); the others of weights. */
export const isPreActivationEq = (k: SourceEq): boolean => k === 1 || k === 3 || k === 6;

function checkEq(section: StackedSection, k: number): void {
  const max = section === "1.2" ? 3 : 8;
  if (!Number.isInteger(k) || k < 1 || k > max) throw new RangeError(`stacked ${section}: there is no equation (${k}); the section numbers 1–${max}`);
}

/** The name of the source's equation (k) of a section: `stacked 2.1.1 (5)`. */
export function stackedEqName(section: StackedSection, k: number): string {
  checkEq(section, k);
  return `stacked ${section} (${k})`;
}

/** The site's anchor for the same equation: `stacked-2-1-1-5`. */
export function stackedEqAnchor(section: StackedSection, k: number): string {
  checkEq(section, k);
  return `stacked-${section.replaceAll(".", "-")}-${k}`;
}

// ————————————————————————————————— §1.1: the network the source starts from —————————————————————————————————

/** The intermediates of the 3-layer FFNN of Vera §1.1 (1)–(3) on one batch X ∈ R^{n×d}. */
export interface FfnnForward {
  /** Z^(1) = X W_xh^(1) + b^(1), H^(1) = φ(Z^(1)): Vera §1.1 (1). */
  Z1: Matrix;
  H1: Matrix;
  /** Z^(2) = H^(1) W_h1h2 + b^(2), H^(2) = φ(Z^(2)): Vera §1.1 (2). */
  Z2: Matrix;
  H2: Matrix;
  /** Z^(3) = H^(2) W_h2a + b_a, A^(3) = softmax(Z^(3)) row by row: Vera §1.1 (3). */
  Z3: Matrix;
  A: Matrix;
}

/**
 * Vera §1.1 (1)–(3), the 3-layer FFNN, in the batch (matrix) form: H^(1) = φ(X W_{xh₁} + b_{h₁}),
 * H^(2) = φ(H^(1) W_{h₁h₂} + b_{h₂}), A^(3) = softmax(H^(2) W_{h₂a} + b), φ = tanh. The weights are the stacked
 * model's feed-forward ones (W_xh^(1), b^(1), W_xh^(2), b^(2), W_ha, b_a); the recurrent W_hh are not used — §1.2
 * obtains the RNN from this network by adding them. So with H_0 = 0 this is exactly step 1 of the stacked RNN.
 */
export function ffnnForward(p: StackedParams, X: Matrix): FfnnForward {
  checkFfnnInput("ffnnForward", p, X);
  const Z1 = affine([[X, p.Wxh[0]!]], p.b[0]!), H1 = tanhM(Z1);
  const Z2 = affine([[H1, p.Wxh[1]!]], p.b[1]!), H2 = tanhM(Z2);
  const Z3 = affine([[H2, p.Wha]], p.ba);
  const A = zeros(Z3.rows, Z3.cols);
  for (let r = 0; r < Z3.rows; r++) A.data.set(softmaxRow(rowOf(Z3, r)), r * Z3.cols);
  return { Z1, H1, Z2, H2, Z3, A };
}

// ————————————————————————————————— §2.1: BPTT at t = 2 = T, corrected —————————————————————————————————
// Each is the exact gradient of the step loss CE_t, in the source's two-term form, for t ∈ {1, 2}: at t = 2 every
// path back reaches t − 1 = 1 at most, so two terms are all there are (t ≥ 3 needs more: `stackedBackward` with
// `singleStepWeights`); at t = 1 the terms of step t − 1 are absent. δ^(l)_s below is ∂CE_t/∂Z_s^(l).

/** φ'(Z_s^(l)) = 1 − (H_s^(l))². */
const dphi = (f: StackedForward, s: number, l: number): Matrix => dtanh(f.H[s - 1]![l - 1]!);
/** H_s^(l), with H_0^(l) the initial state. */
const Hs = (f: StackedForward, s: number, l: number): Matrix => (s === 0 ? f.H0[l - 1]! : f.H[s - 1]![l - 1]!);

/** stacked 2.1 (1): δ^(3)_t = ∂CE_t/∂Z_t^(3) = A_t − Y_t (softmax and cross-entropy together). */
export function dLdZ3(f: StackedForward, t = 2): Matrix {
  return predictionMinusTarget(f.A[t - 1]!, f.targets[t - 1]!);
}

/** stacked 2.1 (2): ∂CE_t/∂W_h2a = (H_t^(2))ᵀ δ^(3)_t — W_h2a reaches CE_t only through Z_t^(3). */
export function dLdWh2a(f: StackedForward, t = 2): Matrix {
  return mTm(Hs(f, t, 2), dLdZ3(f, t));
}

/** stacked 2.1 (3): δ^(2)_t = (δ^(3)_t W_h2aᵀ) ⊙ φ'(Z_t^(2)). */
export function dLdZ2(p: StackedParams, f: StackedForward, t = 2): Matrix {
  return hadamardInPlace(mmT(dLdZ3(f, t), p.Wha), dphi(f, t, 2));
}

/** stacked 2.1 (4′), inner: δ^(2)_{t−1} = (δ^(2)_t W_h2h2ᵀ) ⊙ φ'(Z_{t−1}^(2)), one step back across layer 2's recurrence. */
export function dLdZ2Back(p: StackedParams, f: StackedForward, t = 2): Matrix {
  return hadamardInPlace(mmT(dLdZ2(p, f, t), p.Whh[1]!), dphi(f, t - 1, 2));
}

/** stacked 2.1 (4), corrected: ∂CE_t/∂W_h1h2 = (H_t^(1))ᵀ δ^(2)_t + (H_{t−1}^(1))ᵀ δ^(2)_{t−1}. */
export function dLdWh1h2(p: StackedParams, f: StackedForward, t = 2): Matrix {
  const now = mTm(Hs(f, t, 1), dLdZ2(p, f, t));
  return t >= 2 ? addInto(now, mTm(Hs(f, t - 1, 1), dLdZ2Back(p, f, t))) : now;
}

/** stacked 2.1 (5), corrected: ∂CE_t/∂W_h2h2 = (H_{t−1}^(2))ᵀ δ^(2)_t + (H_{t−2}^(2))ᵀ δ^(2)_{t−1}. */
export function dLdWh2h2(p: StackedParams, f: StackedForward, t = 2): Matrix {
  const now = mTm(Hs(f, t - 1, 2), dLdZ2(p, f, t));
  return t >= 2 ? addInto(now, mTm(Hs(f, t - 2, 2), dLdZ2Back(p, f, t))) : now;
}

/** stacked 2.1 (6): δ^(1)_t = (δ^(2)_t W_h1h2ᵀ) ⊙ φ'(Z_t^(1)) — at the last step, Z_t^(1) reaches CE_t only through Z_t^(2). */
export function dLdZ1(p: StackedParams, f: StackedForward, t = 2): Matrix {
  return hadamardInPlace(mmT(dLdZ2(p, f, t), p.Wxh[1]!), dphi(f, t, 1));
}

/**
 * stacked 2.1 (7′), inner: δ^(1)_{t−1} = (δ^(1)_t W_h1h1ᵀ + δ^(2)_{t−1} W_h1h2ᵀ) ⊙ φ'(Z_{t−1}^(1)) — both paths out
 * of H_{t−1}^(1): across layer 1's recurrence, and up into layer 2 at t − 1 and across its recurrence.
 */
export function dLdZ1Back(p: StackedParams, f: StackedForward, t = 2): Matrix {
  return hadamardInPlace(addInto(mmT(dLdZ1(p, f, t), p.Whh[0]!), mmT(dLdZ2Back(p, f, t), p.Wxh[1]!)), dphi(f, t - 1, 1));
}

/** stacked 2.1 (7), corrected: ∂CE_t/∂W_xh1 = X_tᵀ δ^(1)_t + X_{t−1}ᵀ δ^(1)_{t−1}. */
export function dLdWxh1(p: StackedParams, f: StackedForward, t = 2): Matrix {
  const now = mTm(f.X[t - 1]!, dLdZ1(p, f, t));
  return t >= 2 ? addInto(now, mTm(f.X[t - 2]!, dLdZ1Back(p, f, t))) : now;
}

/** stacked 2.1 (8), corrected: ∂CE_t/∂W_h1h1 = (H_{t−1}^(1))ᵀ δ^(1)_t + (H_{t−2}^(1))ᵀ δ^(1)_{t−1}. */
export function dLdWh1h1(p: StackedParams, f: StackedForward, t = 2): Matrix {
  const now = mTm(Hs(f, t - 1, 1), dLdZ1(p, f, t));
  return t >= 2 ? addInto(now, mTm(Hs(f, t - 2, 1), dLdZ1Back(p, f, t))) : now;
}

/**
 * stacked 2.1 (k) CORRECTED, by number: the exact gradient of the step loss CE_t (batch-summed, §2.1's L) with
 * respect to the equation's left-hand side, for t ∈ {1, 2}. Written out independently of `stackedBackward`.
 */
export function stacked21Corrected(k: SourceEq, p: StackedParams, f: StackedForward, t = 2): Matrix {
  const eq = stackedEqName("2.1", k);
  checkTwoLayers(eq, p, f);
  checkStep(`${eq} corrected`, f, t, 2);
  switch (k) {
    case 1: return dLdZ3(f, t);
    case 2: return dLdWh2a(f, t);
    case 3: return dLdZ2(p, f, t);
    case 4: return dLdWh1h2(p, f, t);
    case 5: return dLdWh2h2(p, f, t);
    case 6: return dLdZ1(p, f, t);
    case 7: return dLdWxh1(p, f, t);
    case 8: return dLdWh1h1(p, f, t);
  }
}

/** A backward pass, or finite differences of one: what the left-hand sides of §2.1 and §2.1.1 are read off. */
export type StackedGradsLike = StackedParamGrads & Pick<StackedStateGrads, "dZout" | "dZ">;

/**
 * What the left-hand side of stacked 2.1 (k) denotes, read off a backward pass `g` (run with the weights of the
 * loss in question; for §2.1 that is `singleStepWeights(t, T)`) at 1-based step t.
 */
export function stacked21Target(k: SourceEq, g: StackedGradsLike, t = 2): Matrix {
  switch (k) {
    case 1: return g.dZout[t - 1]!;
    case 2: return g.Wha;
    case 3: return g.dZ[t - 1]![1]!;
    case 4: return g.Wxh[1]!;
    case 5: return g.Whh[1]!;
    case 6: return g.dZ[t - 1]![0]!;
    case 7: return g.Wxh[0]!;
    case 8: return g.Whh[0]!;
  }
}

// ————————————————————————————————— §2.1.1: the average over t, corrected —————————————————————————————————

/**
 * What the left-hand side of stacked 2.1.1 (k) denotes, from a backward pass `g` of the total loss: for the
 * weights (2), (4), (5), (7), (8) the gradient itself; for the pre-activations (1), (3), (6), whose "Z^(l)" carries
 * no t, the only reading under which ∂L/∂Z^(l) is a derivative of L: the gradient w.r.t. an offset Δ ∈ R^{n×h_l}
 * added to EVERY Z_t^(l), i.e. Σ_t ∂L/∂Z_t^(l) (total derivatives). Its column sums are ∂L/∂b^(l) (∂L/∂b_a for (1)).
 */
export function stacked211Target(k: SourceEq, g: StackedGradsLike): Matrix {
  const sumOver = (ms: Matrix[]) => ms.slice(1).reduce((acc, m) => addInto(acc, m), clone(ms[0]!));
  switch (k) {
    case 1: return sumOver(g.dZout);
    case 3: return sumOver(g.dZ.map((Zt) => Zt[1]!));
    case 6: return sumOver(g.dZ.map((Zt) => Zt[0]!));
    default: return stacked21Target(k, g);
  }
}

/**
 * stacked 2.1.1 (k) CORRECTED, for the loss of `f` (its step weights w_t; "source": w_t = 1/T, "mean":
 * 1/(T·n)): for the weights (2), (4), (5), (7), (8), Σ_t w_t ∂CE_t/∂W — with w_t = 1/T that is the source's own
 * equation; for (1), (3), (6), Σ_s ∂L/∂Z_s^(l) = Σ_t w_t Σ_{s ≤ t} ∂CE_t/∂Z_s^(l) (each step loss differentiated
 * w.r.t. every pre-activation it depends on, not only its own step's).
 */
export function stacked211Corrected(k: SourceEq, p: StackedParams, f: StackedForward): Matrix {
  checkTwoLayers(stackedEqName("2.1.1", k), p, f);
  let acc: Matrix | undefined;
  for (let t = 1; t <= f.T; t++) {
    const g = stackedBackward(p, withWeights(f, singleStepWeights(t, f.T)));
    const term = scale(stacked211Target(k, g), f.weights[t - 1]!); // for (1), (3), (6): Σ_{s ≤ t} ∂CE_t/∂Z_s (later steps give 0)
    acc = acc ? addInto(acc, term) : term;
  }
  return acc!;
}

// ————————————————————————————————— §2.2: ∂L/∂W_hh^(1) for any T, corrected —————————————————————————————————

/**
 * Vera §2.2, one factor of its product: for batch row r (1-based) at step k (1-based),
 *   ∂Z_k^(3)/∂H_k^(2) · ∂H_k^(2)/∂Z_k^(2) · ∂Z_k^(2)/∂H_k^(1) · ∂H_k^(1)/∂Z_k^(1)
 *     = (W_h2a)ᵀ diag(φ'(Z_k^(2)[r])) (W_h1h2)ᵀ diag(φ'(Z_k^(1)[r])),   [a, h₁]
 * the Jacobian of the output pre-activation z_k^(3) of that row w.r.t. its z_k^(1) (numerator layout: rows are
 * outputs) — a path up through the layers WITHIN step k, with no recurrent weight in it.
 */
export function stacked22Factor(p: StackedParams, f: StackedForward, k: number, r = 1): Matrix {
  checkTwoLayersStepRow("stacked 2.2 factor", p, f, k, r);
  const d1 = rowOf(dphi(f, k, 1), r - 1), d2 = rowOf(dphi(f, k, 2), r - 1);
  const W12T = transpose(p.Wxh[1]!); // [h2, h1]
  for (let i = 0; i < W12T.rows; i++) for (let j = 0; j < W12T.cols; j++) W12T.data[i * W12T.cols + j]! *= d2[i]! * d1[j]!;
  return matmul(transpose(p.Wha), W12T);
}

/** The Jacobians of the corrected §2.2 for one batch row, numerator layout, joint state u_k = (h_k^(1), h_k^(2)). */
export interface Stacked22Jacobians {
  /** R_k = ∂u_k/∂u_{k−1} at index k − 1 ([h₁+h₂, h₁+h₂]; R_1 is unused, u_0 is constant). */
  R: Matrix[];
  /** E_t = ∂u_t/∂z_t^(1) = [diag(φ'(Z_t^(1))); diag(φ'(Z_t^(2))) W_h1h2ᵀ diag(φ'(Z_t^(1)))] at index t − 1, [h₁+h₂, h₁]. */
  E: Matrix[];
  /** C = ∂z_s^(3)/∂u_s = [0, W_h2aᵀ], [a, h₁+h₂] (the same at every step). */
  C: Matrix;
}

/**
 * The pieces of the corrected Vera §2.2 for batch row r: with D_k^(l) = diag(φ'(Z_k^(l)[r])),
 *   R_k = [[D_k^(1) W_h1h1ᵀ, 0], [D_k^(2) W_h1h2ᵀ D_k^(1) W_h1h1ᵀ, D_k^(2) W_h2h2ᵀ]]
 * — the recurrence of BOTH layers (H_{k−1}^(1) reaches H_k^(2) through H_k^(1)), which the source's product omits.
 */
export function stacked22Jacobians(p: StackedParams, f: StackedForward, r = 1): Stacked22Jacobians {
  checkTwoLayers("stacked 2.2 Jacobians", p, f);
  const [h1, h2] = [p.Whh[0]!.rows, p.Whh[1]!.rows], u = h1 + h2, a = f.sizes.a;
  const put = (M: Matrix, i0: number, j0: number, B: Matrix) => {
    for (let i = 0; i < B.rows; i++) for (let j = 0; j < B.cols; j++) M.data[(i0 + i) * M.cols + j0 + j] = B.data[i * B.cols + j]!;
  };
  const diagTimes = (d: number[], B: Matrix): Matrix => ({ rows: B.rows, cols: B.cols, data: B.data.map((v, idx) => v * d[Math.floor(idx / B.cols)]!) });
  const R: Matrix[] = [], E: Matrix[] = [];
  for (let k = 1; k <= f.T; k++) {
    const d1 = rowOf(dphi(f, k, 1), r - 1), d2 = rowOf(dphi(f, k, 2), r - 1);
    const A11 = diagTimes(d1, transpose(p.Whh[0]!)); // ∂h_k^(1)/∂h_{k−1}^(1)
    const B = diagTimes(d2, transpose(p.Wxh[1]!)); // ∂h_k^(2)/∂h_k^(1)
    const Rk = zeros(u, u);
    put(Rk, 0, 0, A11);
    put(Rk, h1, 0, matmul(B, A11));
    put(Rk, h1, h1, diagTimes(d2, transpose(p.Whh[1]!)));
    R.push(Rk);
    const D1 = zeros(h1, h1);
    d1.forEach((v, i) => { D1.data[i * h1 + i] = v; });
    const Ek = zeros(u, h1);
    put(Ek, 0, 0, D1);
    put(Ek, h1, 0, matmul(B, D1));
    E.push(Ek);
  }
  const C = zeros(a, u);
  put(C, 0, h1, transpose(p.Wha));
  return { R, E, C };
}

/**
 * Vera §2.2 corrected, its δ: ∂L/∂Z_t^(1) for t = 1 … T (index t − 1, [n, h₁]), row r being
 *   δ_t[r] = Σ_{s=t}^{min(T, t+maxBack)} w_s (A_s − Y_s)[r] · C · R_s R_{s−1} ⋯ R_{t+1} · E_t
 * (row vectors; the loss signal of step s carried back through s − t recurrent Jacobians, latest on the left).
 * maxBack = ∞ is the exact gradient; a finite maxBack keeps only the terms with at most maxBack Jacobian factors
 * (the truncation of §2.2's last paragraph).
 */
export function stacked22Delta(p: StackedParams, f: StackedForward, maxBack = Infinity): Matrix[] {
  checkTwoLayers("stacked 2.2", p, f);
  if (!(maxBack >= 0)) throw new RangeError(`stacked 2.2: the truncation length must be ≥ 0, got ${maxBack}`);
  const h1 = p.Whh[0]!.rows, a = f.sizes.a;
  const out = Array.from({ length: f.T }, () => zeros(f.n, h1));
  const vm = (v: number[], M: Matrix) => Array.from({ length: M.cols }, (_, j) => v.reduce((s, x, i) => s + x * M.data[i * M.cols + j]!, 0));
  for (let r = 1; r <= f.n; r++) {
    const { R, E, C } = stacked22Jacobians(p, f, r);
    const Y = oneHot(f.targets.map((y) => y[r - 1]!), a); // row s − 1: one-hot of y_{s,r}
    for (let t = 1; t <= f.T; t++) {
      const acc = new Array<number>(h1).fill(0);
      for (let s = t; s <= Math.min(f.T, t + maxBack); s++) {
        const g = rowOf(f.A[s - 1]!, r - 1).map((v, j) => f.weights[s - 1]! * (v - Y.data[(s - 1) * a + j]!));
        let v = vm(g, C);
        for (let k = s; k >= t + 1; k--) v = vm(v, R[k - 1]!);
        vm(v, E[t - 1]!).forEach((x, j) => { acc[j]! += x; });
      }
      out[t - 1]!.data.set(acc, (r - 1) * h1);
    }
  }
  return out;
}

/**
 * Vera §2.2 corrected: ∂L/∂W_hh^(1) = Σ_{t=1}^{T} (H_{t−1}^(1))ᵀ δ_t with δ_t = ∂L/∂Z_t^(1) from `stacked22Delta`,
 * computed by explicit products of Jacobians — independently of `stackedBackward`'s recursion. For the loss of `f`
 * (its step weights; the source's is (1/T) Σ_t CE_t, `reduction: "source"`).
 */
export function stacked22Corrected(p: StackedParams, f: StackedForward): Matrix {
  return stacked22Truncated(p, f, Infinity);
}

/**
 * Vera §2.2, "truncating the computation of gradients": Σ_t (H_{t−1}^(1))ᵀ δ_t with only the terms that pass
 * through at most k recurrent Jacobians (each step's loss sent back at most k steps). k ≥ T − 1 is the exact
 * gradient; k = 0 keeps only each step's own loss at its own step.
 */
export function stacked22Truncated(p: StackedParams, f: StackedForward, k: number): Matrix {
  const delta = stacked22Delta(p, f, k);
  const h1 = p.Whh[0]!.rows;
  const G = zeros(h1, h1);
  for (let t = 1; t <= f.T; t++) addInto(G, mTm(hPrevAt(f, t, 1), delta[t - 1]!));
  return G;
}

// ————————————————————————————————— guided experiments (lib/core/experiment.ts) —————————————————————————————————
// Each reintroduces a slip of the source (lib/stacked/as-printed.ts, errata.ts) or a classic one of its section into
// the function a cell of /stacked runs, so that the cell's check fails for the reason given.

experiments(ffnnForward, [{
  label: "Softmax down each column (over the batch) instead of along each row",
  find: "for (let r = 0; r < Z3.rows; r++) A.data.set(softmaxRow(rowOf(Z3, r)), r * Z3.cols);",
  replace: "for (let j = 0; j < Z3.cols; j++) softmaxRow(Array.from({ length: Z3.rows }, (_, r) => Z3.data[r * Z3.cols + j]!)).forEach((v, r) => { A.data[r * Z3.cols + j] = v; });",
  why: "In the batch form each ROW of Z⁽³⁾ is one example, so the softmax normalises each row over the a classes. " +
    "Normalising each column instead mixes the n examples of the batch: the columns of A sum to 1, its rows do not, and " +
    "each example's prediction now depends on the others — pushed through one at a time, the examples give other numbers.",
}, {
  label: "Feed layer 2 the pre-activation Z⁽¹⁾ instead of H⁽¹⁾ = φ(Z⁽¹⁾)",
  find: "affine([[H1, p.Wxh[1]!]], p.b[1]!)",
  replace: "affine([[Z1, p.Wxh[1]!]], p.b[1]!)",
  why: "(2) applies W_h₁h₂ to H⁽¹⁾ = φ(XW + b), the output of layer 1's tanh. Passing Z⁽¹⁾ skips that nonlinearity, so " +
    "layers 1 and 2 collapse into one affine map before φ: H⁽²⁾ and A⁽³⁾ change, and the examples one at a time disagree.",
}]);

experiments(dLdWh1h2, [{
  label: "Multiply by W_h₂h₂ instead of its transpose (as printed in (4))",
  find: "mTm(Hs(f, t - 1, 1), dLdZ2Back(p, f, t))",
  replace: "mTm(Hs(f, t - 1, 1), hadamardInPlace(matmul(dLdZ2(p, f, t), p.Whh[1]!), dphi(f, t - 1, 2)))",
  why: "Z_t⁽²⁾ = … + H_{t−1}⁽²⁾ W_h₂h₂ sends a gradient G back to H_{t−1}⁽²⁾ as G W_h₂h₂ᵀ: in the X·W convention the " +
    "weight is transposed on the way back, as W_h₂a is in (3). The source's (4) multiplies by W_h₂h₂ itself. The shapes " +
    "fit because the matrix is square, so only the numbers show it (unless W_h₂h₂ is symmetric, e.g. h₂ = 1).",
}, {
  label: "Stop at step t: leave out the path through step t − 1",
  find: "t >= 2 ?",
  replace: "t >= 3 ?",
  why: "W_h₁h₂ is used at every step. At t = 2 it also makes Z₁⁽²⁾, which reaches CE₂ through layer 2's recurrence: " +
    "dropping the term (H₁⁽¹⁾)ᵀ δ₁⁽²⁾ treats the RNN as a one-step feed-forward network, and finite differences disagree.",
}]);

experiments(dLdWh2h2, [{
  label: "Pair δ_t⁽²⁾ with H_t⁽²⁾ instead of H_{t−1}⁽²⁾",
  find: "mTm(Hs(f, t - 1, 2), dLdZ2(p, f, t))",
  replace: "mTm(Hs(f, t, 2), dLdZ2(p, f, t))",
  why: "Recurrent weights multiply the PREVIOUS state: Z_t⁽²⁾ = … + H_{t−1}⁽²⁾ W_h₂h₂, so ∂Z_t⁽²⁾/∂W_h₂h₂ is (H_{t−1}⁽²⁾)ᵀ. " +
    "H_t⁽²⁾ is what comes out of step t (it pairs with W_h₂a in (2)), not what goes into it; with it the gradient is wrong.",
}]);

experiments(dLdWxh1, [{
  label: "Forget the path up through layer 2 at t − 1 (as printed in (7))",
  find: "mTm(f.X[t - 2]!, dLdZ1Back(p, f, t))",
  replace: "mTm(f.X[t - 2]!, hadamardInPlace(mmT(dLdZ1(p, f, t), p.Whh[0]!), dphi(f, t - 1, 1)))",
  why: "H_{t−1}⁽¹⁾ reaches CE_t two ways: across layer 1's recurrence into Z_t⁽¹⁾, and up into Z_{t−1}⁽²⁾, then across " +
    "layer 2's recurrence into Z_t⁽²⁾. The source's (7) follows only the first. In a stacked RNN the second is always " +
    "there, so δ_{t−1}⁽¹⁾, and with it the gradient, is wrong even with the transpose right.",
}, {
  label: "Exactly as printed: W_h₁h₁ without its transpose, and no path through layer 2",
  find: "mTm(f.X[t - 2]!, dLdZ1Back(p, f, t))",
  replace: "mTm(f.X[t - 2]!, hadamardInPlace(matmul(dLdZ1(p, f, t), p.Whh[0]!), dphi(f, t - 1, 1)))",
  why: "Both slips of the source's (7): the step back across layer 1's recurrence multiplies by W_h₁h₁ where the chain " +
    "rule gives W_h₁h₁ᵀ (as in (4)), and the path from H_{t−1}⁽¹⁾ up into layer 2 is missing. Finite differences disagree.",
}]);

experiments(dLdWh1h1, [{
  label: "Pair δ_t⁽¹⁾ with H_t⁽¹⁾ instead of H_{t−1}⁽¹⁾",
  find: "mTm(Hs(f, t - 1, 1), dLdZ1(p, f, t))",
  replace: "mTm(Hs(f, t, 1), dLdZ1(p, f, t))",
  why: "As in (5′): Z_t⁽¹⁾ = X_t W_xh₁ + H_{t−1}⁽¹⁾ W_h₁h₁ + b, so the recurrent weights see the previous state, and " +
    "∂Z_t⁽¹⁾/∂W_h₁h₁ is (H_{t−1}⁽¹⁾)ᵀ. With H_t⁽¹⁾, the state the step produces, the gradient is wrong.",
}]);

experiments(stacked211Corrected, [{
  label: "Keep only each step's own Z_t (the source's (3) and (6))",
  find: "scale(stacked211Target(k, g), f.weights[t - 1]!)",
  replace: "scale(stacked21Target(k, g, t), f.weights[t - 1]!)",
  why: "CE_t depends on Z_s⁽ˡ⁾ for every s ≤ t through the recurrence. Taking from each step loss only its derivative at " +
    "its own step, ∂CE_t/∂Z_t⁽ˡ⁾, as the source's (3) and (6) do, loses what each later loss sends back to earlier " +
    "pre-activations: with T ≥ 2 finite differences disagree. (For the weights (2), (4), (5), (7), (8) nothing changes.)",
}, {
  label: "Leave out the step weight w_t (no 1/T)",
  find: "f.weights[t - 1]!)",
  replace: "1)",
  why: "The loss weighs its step losses, L = Σ_t w_t CE_t (w_t = 1/T for the source's loss, 1/(T·n) for the batch mean), " +
    "and by linearity so does its gradient. Summing the step gradients unweighted is the gradient of Σ_t CE_t: T times " +
    "too large for the source's loss, T·n times for the mean.",
}]);

experiments(stacked22Factor, [{
  label: "Leave out φ′(Z_k⁽¹⁾), the derivative of layer 1's tanh",
  find: "d2[i]! * d1[j]!",
  replace: "d2[i]!",
  why: "The path from Z_k⁽¹⁾ up to Z_k⁽³⁾ passes two tanh, H_k⁽¹⁾ = φ(Z_k⁽¹⁾) and H_k⁽²⁾ = φ(Z_k⁽²⁾), so the factor has a " +
    "diag(φ′) for each. Without layer 1's it is the Jacobian with respect to H_k⁽¹⁾, not Z_k⁽¹⁾: column j is off by " +
    "the factor 1 − (H_k⁽¹⁾[r, j])², and finite differences disagree.",
}]);

experiments(stacked22Truncated, [{
  label: "Send each loss back through its own step only, whatever k (the source's missing sum)",
  find: "stacked22Delta(p, f, k)",
  replace: "stacked22Delta(p, f, 0)",
  why: "Every CE_s with s ≥ t reaches Z_t⁽¹⁾, through s − t recurrent steps; §2.2's product carries no loss signal and " +
    "no sum over the losses. Keeping only s = t is the truncation at k = 0: on this T = 4 example it misses what the " +
    "later losses send back, so even at k = T − 1 = 3 finite differences disagree.",
}, {
  label: "Pair δ_t with H_t⁽¹⁾ instead of H_{t−1}⁽¹⁾",
  find: "hPrevAt(f, t, 1)",
  replace: "f.H[t - 1]![0]!",
  why: "∂Z_t⁽¹⁾/∂W_h₁h₁ is the state that goes INTO step t, (H_{t−1}⁽¹⁾)ᵀ — the source writes it twice, as a prefix and " +
    "as the last factor, but it is one factor, of the previous step. The state step t produces gives another matrix.",
}]);

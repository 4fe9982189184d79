/**
 * One backward pass through Vera's stacked RNN for any L, T and step weights: the general form of
 * stacked 2.1 (1)–(8) as one recursion, which the page uses for the total loss and, with single-step weights, for
 * what each of the source's left-hand sides denotes. The source's own equations, one function each, are in
 * lib/stacked/stacked.ts; lib/stacked/finite-differences.ts checks both without importing either.
 */
import { type Matrix, addInPlace as addInto, clone, scale, zeros } from "../core/matrix.js";
import { type StackedForward, type StackedStateGrads, hPrevAt, layerInput } from "./forward.js";
import { colSums, dtanh, hadamardInPlace, mTm, mmT, predictionMinusTarget } from "./ops.js";
import type { StackedParamGrads, StackedParams } from "./params.js";
import { checkSameSizes } from "./validate.js";
import { experiments } from "../core/experiment.js";

/** Every gradient of one backward pass: the parameters' and the forward pass's intermediates'. */
export interface StackedGrads extends StackedParamGrads, StackedStateGrads {}

/**
 * Hand-derived BPTT for the stacked RNN (the general form of stacked 2.1 (1)–(8), for any L, T and step weights):
 *   ∂L/∂Z_t^(L+1) = w_t (A_t − Y_t)                                                   [stacked 2.1 (1)]
 *   ∂L/∂H_t^(l)   = (l = L ? ∂L/∂Z_t^(L+1) W_haᵀ : ∂L/∂Z_t^(l+1) (W_xh^(l+1))ᵀ)
 *                   + (t < T ? ∂L/∂Z_{t+1}^(l) (W_hh^(l))ᵀ : 0)                         [up, and across time]
 *   ∂L/∂Z_t^(l)   = ∂L/∂H_t^(l) ⊙ φ'(Z_t^(l)),  φ'(Z) = 1 − H²                           [stacked 2.1 (3), (6)]
 *   ∂L/∂W_xh^(l)  = Σ_t (H_t^(l−1))ᵀ ∂L/∂Z_t^(l),  ∂L/∂W_hh^(l) = Σ_t (H_{t−1}^(l))ᵀ ∂L/∂Z_t^(l)   [(4), (5), (7), (8)]
 *   ∂L/∂b^(l)     = Σ_t 1ᵀ ∂L/∂Z_t^(l),  ∂L/∂W_ha = Σ_t (H_t^(L))ᵀ ∂L/∂Z_t^(L+1)          [(2)],  ∂L/∂b_a = Σ_t 1ᵀ ∂L/∂Z_t^(L+1)
 *   ∂L/∂H_0^(l)   = ∂L/∂Z_1^(l) (W_hh^(l))ᵀ
 * Unlike the source's §2.1, ∂L/∂H_t^(l) collects BOTH paths out of H_t^(l): up into layer l + 1 (which for
 * l < L then also reaches later steps through W_hh^(l+1)) and across to step t + 1.
 */
export function stackedBackward(p: StackedParams, f: StackedForward): StackedGrads {
  checkSameSizes("stackedBackward", p, f);
  const { T, L } = f;
  const g: StackedGrads = {
    Wxh: p.Wxh.map((W) => zeros(W.rows, W.cols)), Whh: p.Whh.map((W) => zeros(W.rows, W.cols)),
    b: p.b.map((b) => zeros(1, b.cols)), Wha: zeros(p.Wha.rows, p.Wha.cols), ba: zeros(1, p.ba.cols),
    dZout: new Array<Matrix>(T), dH: Array.from({ length: T }, () => new Array<Matrix>(L)),
    dZ: Array.from({ length: T }, () => new Array<Matrix>(L)), dH0: new Array<Matrix>(L),
  };
  for (let t = 1; t <= T; t++) g.dZout[t - 1] = scale(predictionMinusTarget(f.A[t - 1]!, f.targets[t - 1]!), f.weights[t - 1]!);
  for (let t = T; t >= 1; t--) {
    for (let l = L; l >= 1; l--) {
      const fromAbove = l === L ? mmT(g.dZout[t - 1]!, p.Wha) : mmT(g.dZ[t - 1]![l]!, p.Wxh[l]!);
      const dH = t < T ? addInto(fromAbove, mmT(g.dZ[t]![l - 1]!, p.Whh[l - 1]!)) : fromAbove;
      g.dH[t - 1]![l - 1] = dH;
      g.dZ[t - 1]![l - 1] = hadamardInPlace(clone(dH), dtanh(f.H[t - 1]![l - 1]!));
    }
  }
  for (let t = 1; t <= T; t++) {
    for (let l = 1; l <= L; l++) {
      const dZ = g.dZ[t - 1]![l - 1]!;
      addInto(g.Wxh[l - 1]!, mTm(layerInput(f, t, l), dZ));
      addInto(g.Whh[l - 1]!, mTm(hPrevAt(f, t, l), dZ));
      addInto(g.b[l - 1]!, colSums(dZ));
    }
    addInto(g.Wha, mTm(f.H[t - 1]![L - 1]!, g.dZout[t - 1]!));
    addInto(g.ba, colSums(g.dZout[t - 1]!));
  }
  for (let l = 1; l <= L; l++) g.dH0[l - 1] = mmT(g.dZ[0]![l - 1]!, p.Whh[l - 1]!);
  return g;
}

// ————————————————————————————————— guided experiments (lib/core/experiment.ts) —————————————————————————————————

experiments(stackedBackward, [{
  label: "Leave out w_t: send §2.1's A_t − Y_t back for the total loss",
  find: "g.dZout[t - 1] = scale(predictionMinusTarget(f.A[t - 1]!, f.targets[t - 1]!), f.weights[t - 1]!);",
  replace: "g.dZout[t - 1] = predictionMinusTarget(f.A[t - 1]!, f.targets[t - 1]!);",
  why: "A_t − Y_t is the gradient of CE_t alone (§2.1's L). The total loss (1/T) Σ_t CE_t weighs step t by 1/T, so the " +
    "gradient that reaches Z_t⁽³⁾ is (1/T)(A_t − Y_t); without it every gradient of one backward pass is T times too large.",
}, {
  label: "Average the weight gradient over t a second time (1/T again)",
  find: "addInto(g.Whh[l - 1]!, mTm(hPrevAt(f, t, l), dZ));",
  replace: "addInto(g.Whh[l - 1]!, scale(mTm(hPrevAt(f, t, l), dZ), 1 / T));",
  why: "The 1/T is already in every δ of one backward pass (it starts from (1/T)(A_t − Y_t)), so the gradient of a weight " +
    "used at every step is the plain sum Σ_t (H_{t−1})ᵀ δ_t. Dividing that sum by T again makes ∂L/∂W_hh T times too small.",
}]);

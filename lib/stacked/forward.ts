/**
 * The forward pass of Vera's stacked RNN, stacked 1.2 (1)–(3) (= the display at the top of §2), for any L ≥ 1 and
 * T ≥ 1, and its loss. Rows are batch rows, weights multiply from the right (lib/stacked/params.ts):
 *
 *   Z_t^(l) = H_t^(l−1) W_xh^(l) + H_{t−1}^(l) W_hh^(l) + b^(l),  H_t^(l) = φ(Z_t^(l)),  φ = tanh,  H_t^(0) = X_t
 *   Z_t^(L+1) = H_t^(L) W_ha + b_a,  A_t = softmax(Z_t^(L+1)) (row by row)
 *
 * The source never names the pre-activations; we call them Z_t^(l), and its output pre-activation Z_t^{(3)} is our
 * Z_t^(L+1) ("Zout").
 *
 * LOSS AND AVERAGING. Let CE_t = Σ_r −log A_t[r, y_{t,r}] be the cross-entropy of step t SUMMED over the n batch
 * rows. Every loss here is L = Σ_t w_t CE_t, with per-step weights w_t:
 *   - "mean" (the default, this site's convention): w_t = 1/(T·n), i.e. L = (1/(T·n)) Σ_t Σ_r −log A_t[r, y_{t,r}];
 *   - "source": w_t = 1/T, i.e. L = (1/T) Σ_t Σ_r −log A_t[r, y_{t,r}] = n · L_mean.
 * Why "source" is the source's: its stacked 2.1 (1) gives ∂L/∂Z_t^{(3)} = A_t − one-hot(y) with no 1/n and no
 * 1/T, so the "L" of §2.1 is the single-step, batch-SUMMED loss CE_t (and only the loss of step t: stacked 2.1 (2)
 * has no term from other steps). Stacked 2.1.1 then averages these per-step gradients with 1/T, which is exactly the
 * gradient of (1/T) Σ_t CE_t, by linearity — not of the batch mean, which is smaller by the factor n.
 * What the 1/T means: it is right when the summand (∂L/∂W)_(t) is the gradient of the UNaveraged step loss CE_t
 * (taken through every earlier step, as §2.1 does for t = 2); the per-step gradient that the total loss sends
 * back into step t is then ∂L/∂Z_t^{(3)} = (1/T)(A_t − Y_t) — the 1/T is carried by every per-step δ of the total
 * loss. It would be wrong (one 1/T too many) if the summands were instead the per-time-of-use pieces of the total
 * gradient, Σ_t H_{t−1}ᵀ ∂L/∂Z_t, whose sum needs no 1/T; and it makes no sense for the pre-activations of
 * stacked 2.1.1 (1), (3), (6) unless Z^(l) is read as an offset shared by every Z_t^(l) (see `stacked211AsPrinted`).
 *
 * Time steps are 1-based in the text and 0-based in arrays: index t − 1 holds step t, as in lib/derivation/forward.ts;
 * layer l is index l − 1. Initial states H_0^(l) are kept separately (zeros by default).
 */
import { type Matrix, ShapeError, clone, shapeText as fmt } from "../core/matrix.js";
import { affine, softmaxCE, tanhM } from "./ops.js";
import { type StackedParams, type StackedSizes, stackedSizesOf, zeroStates } from "./params.js";
import { experiments } from "../core/experiment.js";

/** "mean": L = (1/(T·n)) Σ_t Σ_r CE; "source": L = (1/T) Σ_t Σ_r CE (see the header). */
export type StackedReduction = "mean" | "source";

/** The per-step weights w_t of L = Σ_t w_t CE_t (CE_t summed over the batch): 1/(T·n) for "mean", 1/T for "source". */
export function stepWeightsFor(reduction: StackedReduction, T: number, n: number): number[] {
  if (!Number.isInteger(T) || T < 1 || !Number.isInteger(n) || n < 1) {
    throw new RangeError(`stepWeightsFor: T and n must be positive integers, got T = ${T}, n = ${n}`);
  }
  const w = reduction === "mean" ? 1 / (T * n) : reduction === "source" ? 1 / T : NaN;
  if (Number.isNaN(w)) throw new RangeError(`stepWeightsFor: unknown reduction ${String(reduction)}`);
  return new Array<number>(T).fill(w);
}

/** The one-loss-term weights e_t: L = CE_t, the batch-summed loss of step t (1-based) alone — §2.1's L. */
export function singleStepWeights(t: number, T: number): number[] {
  if (!Number.isInteger(t) || t < 1 || t > T) throw new RangeError(`singleStepWeights: step ${t} is not in 1…${T}`);
  return Array.from({ length: T }, (_, i) => (i === t - 1 ? 1 : 0));
}

export interface StackedOptions {
  /** H_0^(l) at index l − 1, each [n, h_l]; zeros if absent. Copied. */
  H0?: readonly Matrix[];
  /** How CE is averaged; "mean" if absent. Not allowed together with `weights`. */
  reduction?: StackedReduction;
  /** Explicit per-step weights w_t (length T) of L = Σ_t w_t CE_t, e.g. `singleStepWeights(t, T)`. */
  weights?: readonly number[];
}

export interface StackedForward {
  T: number;
  n: number;
  L: number;
  sizes: StackedSizes;
  /** X_t at index t − 1 (the inputs, not copied). */
  X: readonly Matrix[];
  /** y_{t,r} at [t − 1][r]. */
  targets: readonly (readonly number[])[];
  /** H_0^(l) at index l − 1. */
  H0: Matrix[];
  /** Z_t^(l) at [t − 1][l − 1]. */
  Z: Matrix[][];
  /** H_t^(l) = tanh(Z_t^(l)) at [t − 1][l − 1]. */
  H: Matrix[][];
  /** Z_t^(L+1) = H_t^(L) W_ha + b_a at index t − 1 (the source's Z_t^{(3)}). */
  Zout: Matrix[];
  /** A_t = softmax(Z_t^(L+1)) at index t − 1. */
  A: Matrix[];
  /** CE_t = Σ_r −log A_t[r, y_{t,r}] at index t − 1 (summed over the batch, not weighted). */
  stepLoss: number[];
  /** w_t at index t − 1. */
  weights: number[];
  /** L = Σ_t w_t CE_t. */
  loss: number;
}

/** The gradient of the loss with respect to every intermediate of the forward pass, each of its shape. */
export interface StackedStateGrads {
  /** ∂L/∂Z_t^(L+1) = w_t (A_t − Y_t) at index t − 1 (stacked 2.1 (1)). */
  dZout: Matrix[];
  /** ∂L/∂H_t^(l) at [t − 1][l − 1]: the total derivative, through the layer above and every later step. */
  dH: Matrix[][];
  /** ∂L/∂Z_t^(l) = ∂L/∂H_t^(l) ⊙ (1 − (H_t^(l))²) at [t − 1][l − 1] (stacked 2.1 (3), (6) in general). */
  dZ: Matrix[][];
  /** ∂L/∂H_0^(l) at index l − 1. */
  dH0: Matrix[];
}

/** One intermediate replaced inside the forward pass, so that finite differences can reach into the recursion. */
export interface StackedOverride {
  kind: "Z" | "H" | "Zout";
  /** 1-based step. */
  step: number;
  /** 1-based layer (ignored for "Zout"). */
  layer: number;
  value: Matrix;
}

/** H_{t−1}^(l) for a 1-based step t (t = 1 gives H_0^(l)) and 1-based layer l. */
export function hPrevAt(f: Pick<StackedForward, "H" | "H0">, t: number, l: number): Matrix {
  return t === 1 ? f.H0[l - 1]! : f.H[t - 2]![l - 1]!;
}

/** The input of layer l at 1-based step t: X_t for l = 1, H_t^(l−1) above. */
export function layerInput(f: Pick<StackedForward, "H" | "X">, t: number, l: number): Matrix {
  return l === 1 ? f.X[t - 1]! : f.H[t - 1]![l - 2]!;
}

function validateInputs(p: StackedParams, X: readonly Matrix[], targets: readonly (readonly number[])[], options: StackedOptions) {
  const op = "stackedForward";
  const sizes = stackedSizesOf(p);
  const T = X.length;
  if (T < 1) throw new ShapeError(`${op}: need at least one time step, got ${T} inputs`);
  if (targets.length !== T) throw new ShapeError(`${op}: ${T} inputs X_1…X_${T} but targets for ${targets.length} steps`);
  const W1 = p.Wxh[0]!;
  const n = X[0]!.rows;
  if (n < 1) throw new ShapeError(`${op}: X_1 ${fmt(X[0]!)} has no batch rows`);
  X.forEach((x, i) => {
    if (x.cols !== W1.rows) {
      throw new ShapeError(`${op}: inner shapes ${x.cols} and ${W1.rows} of X_${i + 1} ${fmt(x)} and W_xh^(1) ${fmt(W1)} must match`);
    }
    if (x.rows !== n) throw new ShapeError(`${op}: X_${i + 1} ${fmt(x)} and X_1 ${fmt(X[0]!)} must have the same batch size (rows)`);
    const y = targets[i]!;
    if (y.length !== n) throw new ShapeError(`${op}: targets of step ${i + 1} [${y.length}] and X_${i + 1} ${fmt(x)} must have one entry per batch row`);
    y.forEach((c, r) => {
      if (!Number.isInteger(c) || c < 0 || c >= sizes.a) {
        throw new RangeError(`${op}: target y_{${i + 1},${r + 1}} = ${c} is not a class id in [0, ${sizes.a}) of W_ha ${fmt(p.Wha)}`);
      }
    });
  });
  const L = sizes.hidden.length;
  let H0: Matrix[];
  if (options.H0) {
    if (options.H0.length !== L) throw new ShapeError(`${op}: ${options.H0.length} initial states H_0 for ${L} layers`);
    H0 = options.H0.map((h, l) => {
      const Whh = p.Whh[l]!;
      if (h.rows !== n || h.cols !== Whh.rows) {
        throw new ShapeError(`${op}: H_0^(${l + 1}) ${fmt(h)} must be [${n},${Whh.rows}]: batch of X_1 ${fmt(X[0]!)}, width of W_hh^(${l + 1}) ${fmt(Whh)}`);
      }
      return clone(h);
    });
  } else H0 = zeroStates(n, sizes);
  let weights: number[];
  if (options.weights) {
    if (options.reduction) throw new RangeError(`${op}: give either reduction or weights, not both`);
    if (options.weights.length !== T) throw new ShapeError(`${op}: ${options.weights.length} step weights for ${T} steps`);
    weights = [...options.weights];
  } else weights = stepWeightsFor(options.reduction ?? "mean", T, n);
  return { sizes, T, n, L, H0, weights };
}

function sameShapeOrThrow(what: string, got: Matrix, want: Matrix): void {
  if (got.rows !== want.rows || got.cols !== want.cols) throw new ShapeError(`stackedForward: override ${what} ${fmt(got)} must have the shape of ${fmt(want)}`);
}

/**
 * stacked 1.2 (1)–(3) for any L ≥ 1 and T ≥ 1, keeping every intermediate, and the loss
 * L = Σ_t w_t Σ_r −log A_t[r, y_{t,r}] — by default the mean (1/(T·n)) Σ_t Σ_r −log A_t[r, y_{t,r}];
 * `reduction: "source"` gives the source's (1/T) Σ_t Σ_r (stacked 2.1 (1) with 2.1.1 (1)). With `override`, one
 * intermediate is replaced and everything after it recomputed. Throws ShapeError (naming the operation and both
 * shapes) on any inconsistent shape, RangeError on a target outside [0, a).
 */
export function stackedForward(
  p: StackedParams, X: readonly Matrix[], targets: readonly (readonly number[])[], options: StackedOptions = {}, override?: StackedOverride,
): StackedForward {
  const { sizes, T, n, L, H0, weights } = validateInputs(p, X, targets, options);
  const f: StackedForward = { T, n, L, sizes, X, targets, H0, Z: [], H: [], Zout: [], A: [], stepLoss: [], weights, loss: 0 };
  const hit = (kind: StackedOverride["kind"], t: number, l: number) =>
    override !== undefined && override.kind === kind && override.step === t && (kind === "Zout" || override.layer === l);
  for (let t = 1; t <= T; t++) {
    const Zt: Matrix[] = [], Ht: Matrix[] = [];
    f.Z.push(Zt);
    f.H.push(Ht);
    for (let l = 1; l <= L; l++) {
      // stacked 1.2 (1) for l = 1, (2) for l ≥ 2
      let z = affine([[layerInput(f, t, l), p.Wxh[l - 1]!], [hPrevAt(f, t, l), p.Whh[l - 1]!]], p.b[l - 1]!);
      if (hit("Z", t, l)) { sameShapeOrThrow(`Z_${t}^(${l})`, override!.value, z); z = clone(override!.value); }
      let h = tanhM(z);
      if (hit("H", t, l)) { sameShapeOrThrow(`H_${t}^(${l})`, override!.value, h); h = clone(override!.value); }
      Zt.push(z);
      Ht.push(h);
    }
    // stacked 1.2 (3)
    let zo = affine([[Ht[L - 1]!, p.Wha]], p.ba);
    if (hit("Zout", t, 0)) { sameShapeOrThrow(`Z_${t}^(L+1)`, override!.value, zo); zo = clone(override!.value); }
    const { A, ce } = softmaxCE(zo, targets[t - 1]!);
    f.Zout.push(zo);
    f.A.push(A);
    f.stepLoss.push(ce);
    f.loss += weights[t - 1]! * ce;
  }
  return f;
}

/** The loss L of `stackedForward`, optionally with one intermediate replaced (everything after it recomputed). */
export function stackedLoss(
  p: StackedParams, X: readonly Matrix[], targets: readonly (readonly number[])[], options: StackedOptions = {}, override?: StackedOverride,
): number {
  return stackedForward(p, X, targets, options, override).loss;
}

/** The same forward pass with other step weights (nothing recomputed): e.g. §2.1's single-step loss CE_t. */
export function withWeights(f: StackedForward, weights: readonly number[]): StackedForward {
  if (weights.length !== f.T) throw new ShapeError(`withWeights: ${weights.length} step weights for ${f.T} steps`);
  return { ...f, weights: [...weights], loss: f.stepLoss.reduce((s, ce, i) => s + weights[i]! * ce, 0) };
}

// ————————————————————————————————— guided experiments (lib/core/experiment.ts) —————————————————————————————————

experiments(stackedForward, [{
  label: "Leave out the recurrence H_{t−1} W_hh",
  find: ", [hPrevAt(f, t, l), p.Whh[l - 1]!]]",
  replace: "]",
  why: "§1.2 turns the network of §1.1 into an RNN by adding H_{t−1}⁽ˡ⁾ W_hh⁽ˡ⁾ inside each layer. Without it every step is " +
    "§1.1's network on its own X_t: step 1 is unchanged (H₀ = 0), every later step differs from the loop over rows and steps.",
}, {
  label: "Average CE_t over the batch (PyTorch's mean) where the source sums",
  find: "const { A, ce } = softmaxCE(zo, targets[t - 1]!);",
  replace: "const { A, ce: summed } = softmaxCE(zo, targets[t - 1]!);\n    const ce = summed / n; // the batch mean",
  why: "The source's §2.1 (1), A_t − one-hot(y) with no 1/n, is the gradient of the batch SUM Σ_r −log A_t[r, y_{t,r}]. " +
    "Taking the mean over the n rows instead gives each CE_t and the loss n times smaller, so the source's loss no " +
    "longer equals n × the batch-mean loss, and nothing §2.1 computes is its gradient.",
}]);

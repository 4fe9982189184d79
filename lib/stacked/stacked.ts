/**
 * The stacked RNN of "Mathematics of Backpropagation Through Time" (J. Vera, 2025) §1.2 and §2, generalised from
 * its 2 recurrent layers to any L ≥ 1 and from its T = 2 to any T ≥ 1, in the SOURCE's conventions: a batch of n
 * rows, row-major activations and the X·W product (weights stored [in, out], unlike lib/derivation/model.ts).
 *
 *   Z_t^(l) = H_t^(l−1) W_xh^(l) + H_{t−1}^(l) W_hh^(l) + b^(l),  H_t^(l) = φ(Z_t^(l)),  φ = tanh,  H_t^(0) = X_t
 *   Z_t^(L+1) = H_t^(L) W_ha + b_a,  A_t = softmax(Z_t^(L+1)) (row by row)
 *
 * X_t ∈ R^{n×d}; W_xh^(1) ∈ R^{d×h₁}, W_xh^(l) ∈ R^{h_{l−1}×h_l}; W_hh^(l) ∈ R^{h_l×h_l}; b^(l) ∈ R^{1×h_l}, added to
 * every row (broadcast over the batch); W_ha ∈ R^{h_L×a}; b_a ∈ R^{1×a}. The source's W_{h₁h₂}^{(2)} is our
 * W_xh^(2) (the input-to-hidden weights of layer 2), its W_{h₂a}^{(3)} and b_a^{(3)} are W_ha and b_a, and its
 * output pre-activation Z_t^{(3)} is our Z_t^(L+1) ("Zout").
 *
 * NAMING OF THE SOURCE'S EQUATIONS. The source numbers its equations afresh in each section, so an equation is
 * named by section and number: `stacked 1.2 (k)` (forward pass, k = 1…3), `stacked 2.1 (k)` (BPTT at t = T = 2,
 * k = 1…8) and `stacked 2.1.1 (k)` (the 1/T averaging over t, k = 1…8). The site's anchor is the name with
 * every space, dot and bracket turned into a single dash: `stacked-1-2-3`, `stacked-2-1-5`, `stacked-2-1-1-5`
 * (§2.1 anchors have four parts, §2.1.1 anchors five, so they never collide). See `stackedEqName`,
 * `stackedEqAnchor`. §1.1 (1)–(3), the 3-layer FFNN the source starts from, is `ffnnForward` (anchors
 * `stacked-1-1-k`); the unnumbered display of §2.2 (∂L/∂W_hh^(1) for any T, anchor `stacked-2-2`) is
 * `stacked22AsPrinted`, corrected by explicit Jacobian products in `stacked22Corrected` / `stacked22Truncated`.
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
 * Time steps are 1-based in the text and 0-based in arrays: index t − 1 holds step t, as in lib/derivation/forward.ts; layer
 * l is index l − 1. Initial states H_0^(l) are kept separately (zeros by default).
 */
import { FD_EPSILON } from "../core/tolerances.js";
import { type Matrix, ShapeError, clone, matmul, transpose, zeros } from "../core/matrix.js";
import type { Rng } from "../core/rng.js";
import { exp, log, tanh } from "../core/libm.js";

const fmt = (m: Matrix) => `[${m.rows},${m.cols}]`;

// ————————————————————————————————————————— naming —————————————————————————————————————————

export type StackedSection = "1.2" | "2.1" | "2.1.1";
/** The source's equation numbers within §2.1 and §2.1.1. */
export type SourceEq = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;
export const SOURCE_EQS: readonly SourceEq[] = [1, 2, 3, 4, 5, 6, 7, 8];

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

// ————————————————————————————————————————— model —————————————————————————————————————————

export interface StackedSizes {
  /** Input width d (columns of X_t). */
  d: number;
  /** Hidden widths h_1 … h_L; L = hidden.length ≥ 1. */
  hidden: readonly number[];
  /** Output width a (classes). */
  a: number;
}

export interface StackedParams {
  /** W_xh^(l) at index l − 1: [d, h₁] for l = 1, [h_{l−1}, h_l] above (the source's W_{xh₁}^{(1)}, W_{h₁h₂}^{(2)}). */
  Wxh: readonly Matrix[];
  /** W_hh^(l) at index l − 1: [h_l, h_l]. */
  Whh: readonly Matrix[];
  /** b^(l) at index l − 1: [1, h_l], broadcast over the batch. */
  b: readonly Matrix[];
  /** W_ha: [h_L, a] (the source's W_{h₂a}^{(3)}). */
  Wha: Matrix;
  /** b_a: [1, a]. */
  ba: Matrix;
}

/** Read the sizes off a set of parameters, checking every shape; throws ShapeError naming both shapes. */
export function stackedSizesOf(p: StackedParams): StackedSizes {
  const op = "stacked params";
  const L = p.Wxh.length;
  if (L < 1) throw new ShapeError(`${op}: need at least one recurrent layer, got ${L}`);
  if (p.Whh.length !== L || p.b.length !== L) {
    throw new ShapeError(`${op}: ${L} W_xh but ${p.Whh.length} W_hh and ${p.b.length} b; need one of each per layer`);
  }
  const hidden: number[] = [];
  for (let l = 0; l < L; l++) {
    const Wxh = p.Wxh[l]!, Whh = p.Whh[l]!, b = p.b[l]!;
    const name = (s: string) => `${s}^(${l + 1})`;
    if (Whh.rows !== Whh.cols) throw new ShapeError(`${op}: ${name("W_hh")} ${fmt(Whh)} must be square`);
    if (Wxh.cols !== Whh.cols) {
      throw new ShapeError(`${op}: ${name("W_xh")} ${fmt(Wxh)} and ${name("W_hh")} ${fmt(Whh)} must have the same number of columns (h_${l + 1})`);
    }
    if (l > 0 && Wxh.rows !== hidden[l - 1]) {
      const prev = p.Whh[l - 1]!;
      throw new ShapeError(
        `${op}: inner shapes ${hidden[l - 1]} and ${Wxh.rows} of H^(${l}) [n,${hidden[l - 1]}] (W_hh^(${l}) ${fmt(prev)}) and ${name("W_xh")} ${fmt(Wxh)} must match`,
      );
    }
    if (b.rows !== 1 || b.cols !== Whh.cols) throw new ShapeError(`${op}: ${name("b")} ${fmt(b)} must be [1,${Whh.cols}] to match ${name("W_hh")} ${fmt(Whh)}`);
    if (Whh.rows < 1) throw new ShapeError(`${op}: ${name("W_hh")} ${fmt(Whh)} has no hidden units`);
    hidden.push(Whh.cols);
  }
  const hL = hidden[L - 1]!;
  if (p.Wha.rows !== hL) {
    throw new ShapeError(`${op}: inner shapes ${hL} and ${p.Wha.rows} of H^(${L}) [n,${hL}] and W_ha ${fmt(p.Wha)} must match`);
  }
  if (p.ba.rows !== 1 || p.ba.cols !== p.Wha.cols) throw new ShapeError(`${op}: b_a ${fmt(p.ba)} must be [1,${p.Wha.cols}] to match W_ha ${fmt(p.Wha)}`);
  const d = p.Wxh[0]!.rows;
  if (d < 1 || p.Wha.cols < 1) throw new ShapeError(`${op}: W_xh^(1) ${fmt(p.Wxh[0]!)} and W_ha ${fmt(p.Wha)} need d ≥ 1 and a ≥ 1`);
  return { d, hidden, a: p.Wha.cols };
}

function uniformMatrix(rows: number, cols: number, k: number, rng: Rng): Matrix {
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform(-k, k);
  return m;
}

/**
 * Seeded initialisation (stacked 1.2 (1)–(3) parameters), PyTorch's nn.RNN / nn.Linear default: every entry of
 * layer l drawn from U(−1/√h_l, 1/√h_l), the output layer's from U(−1/√h_L, 1/√h_L); drawn in the fixed order
 * W_xh^(1), W_hh^(1), b^(1), W_xh^(2), …, W_ha, b_a, so a seed pins every number.
 */
export function initStackedParams(sizes: StackedSizes, rng: Rng): StackedParams {
  const { d, hidden, a } = sizes;
  for (const [k, v] of [["d", d], ["a", a], ...hidden.map((h, l) => [`h_${l + 1}`, h] as const)] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`initStackedParams: ${k} must be a positive integer, got ${v}`);
  }
  if (hidden.length < 1) throw new RangeError("initStackedParams: need at least one recurrent layer (hidden = [])");
  const Wxh: Matrix[] = [], Whh: Matrix[] = [], b: Matrix[] = [];
  hidden.forEach((h, l) => {
    const k = 1 / Math.sqrt(h);
    Wxh.push(uniformMatrix(l === 0 ? d : hidden[l - 1]!, h, k, rng));
    Whh.push(uniformMatrix(h, h, k, rng));
    b.push(uniformMatrix(1, h, k, rng));
  });
  const k = 1 / Math.sqrt(hidden[hidden.length - 1]!);
  return { Wxh, Whh, b, Wha: uniformMatrix(hidden[hidden.length - 1]!, a, k, rng), ba: uniformMatrix(1, a, k, rng) };
}

/** Zero initial states H_0^(l) ∈ R^{n×h_l}, the default. */
export function zeroStates(n: number, sizes: StackedSizes): Matrix[] {
  return sizes.hidden.map((h) => zeros(n, h));
}

// ————————————————————————————————————————— loss —————————————————————————————————————————

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

// ————————————————————————————————————————— forward —————————————————————————————————————————

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

/** Replace one intermediate inside the forward pass (for finite differences through the recursion). */
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

function tanhM(z: Matrix): Matrix {
  return { rows: z.rows, cols: z.cols, data: z.data.map(tanh) };
}

/** x W + b with b [1, cols] added to every row. */
function affine(terms: readonly [Matrix, Matrix][], b: Matrix): Matrix {
  let out: Matrix | undefined;
  for (const [x, W] of terms) {
    const m = matmul(x, W);
    if (out) for (let i = 0; i < m.data.length; i++) out.data[i]! += m.data[i]!;
    else out = m;
  }
  const o = out!;
  for (let r = 0; r < o.rows; r++) for (let j = 0; j < o.cols; j++) o.data[r * o.cols + j]! += b.data[j]!;
  return o;
}

/** Row-wise softmax and the batch-summed cross-entropy Σ_r −log A[r, y_r] (stable: shifted by each row's max). */
function softmaxCE(z: Matrix, y: readonly number[]): { A: Matrix; ce: number } {
  const A = zeros(z.rows, z.cols);
  let ce = 0;
  for (let r = 0; r < z.rows; r++) {
    let m = -Infinity;
    for (let j = 0; j < z.cols; j++) m = Math.max(m, z.data[r * z.cols + j]!);
    let s = 0;
    for (let j = 0; j < z.cols; j++) s += exp(z.data[r * z.cols + j]! - m);
    for (let j = 0; j < z.cols; j++) A.data[r * z.cols + j] = exp(z.data[r * z.cols + j]! - m) / s;
    ce += -(z.data[r * z.cols + y[r]!]! - m - log(s));
  }
  return { A, ce };
}

function sameShapeOrThrow(what: string, got: Matrix, want: Matrix): void {
  if (got.rows !== want.rows || got.cols !== want.cols) throw new ShapeError(`stackedForward: override ${what} ${fmt(got)} must have the shape of ${fmt(want)}`);
}

function run(
  p: StackedParams, X: readonly Matrix[], targets: readonly (readonly number[])[], options: StackedOptions, override?: StackedOverride,
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

/**
 * stacked 1.2 (1)–(3) (= the display at the top of §2) for any L ≥ 1 and T ≥ 1, keeping every intermediate, and
 * the loss L = Σ_t w_t Σ_r −log A_t[r, y_{t,r}] — by default the mean (1/(T·n)) Σ_t Σ_r −log A_t[r, y_{t,r}];
 * `reduction: "source"` gives the source's (1/T) Σ_t Σ_r (stacked 2.1 (1) with 2.1.1 (1)). Throws ShapeError
 * (naming the operation and both shapes) on any inconsistent shape, RangeError on a target outside [0, a).
 */
export function stackedForward(
  p: StackedParams, X: readonly Matrix[], targets: readonly (readonly number[])[], options: StackedOptions = {},
): StackedForward {
  return run(p, X, targets, options);
}

/** The loss L of `stackedForward`, optionally with one intermediate replaced (everything after it recomputed). */
export function stackedLoss(
  p: StackedParams, X: readonly Matrix[], targets: readonly (readonly number[])[], options: StackedOptions = {}, override?: StackedOverride,
): number {
  return run(p, X, targets, options, override).loss;
}

// ————————————————————————————————————————— backward —————————————————————————————————————————

export interface StackedGrads {
  /** ∂L/∂W_xh^(l) at index l − 1 (the general form of stacked 2.1 (4), (7)). */
  Wxh: Matrix[];
  /** ∂L/∂W_hh^(l) at index l − 1 (stacked 2.1 (5), (8)). */
  Whh: Matrix[];
  /** ∂L/∂b^(l) at index l − 1, [1, h_l]: the column sums of Σ_t ∂L/∂Z_t^(l) (the source gives none). */
  b: Matrix[];
  /** ∂L/∂W_ha (stacked 2.1 (2)). */
  Wha: Matrix;
  /** ∂L/∂b_a, [1, a]. */
  ba: Matrix;
  /** ∂L/∂Z_t^(L+1) = w_t (A_t − Y_t) at index t − 1 (stacked 2.1 (1)). */
  dZout: Matrix[];
  /** ∂L/∂H_t^(l) at [t − 1][l − 1]: the total derivative, through the layer above and every later step. */
  dH: Matrix[][];
  /** ∂L/∂Z_t^(l) = ∂L/∂H_t^(l) ⊙ (1 − (H_t^(l))²) at [t − 1][l − 1] (stacked 2.1 (3), (6) in general). */
  dZ: Matrix[][];
  /** ∂L/∂H_0^(l) at index l − 1. */
  dH0: Matrix[];
}

function hadamardInPlace(a: Matrix, b: Matrix): Matrix {
  for (let i = 0; i < a.data.length; i++) a.data[i]! *= b.data[i]!;
  return a;
}
function addInto(a: Matrix, b: Matrix): Matrix {
  for (let i = 0; i < a.data.length; i++) a.data[i]! += b.data[i]!;
  return a;
}
/** φ'(Z) = 1 − tanh²(Z), from H = tanh(Z). */
function dtanh(h: Matrix): Matrix {
  return { rows: h.rows, cols: h.cols, data: h.data.map((v) => 1 - v * v) };
}
/** 1ᵀ M: the column sums, [1, cols]. */
function colSums(m: Matrix): Matrix {
  const out = zeros(1, m.cols);
  for (let r = 0; r < m.rows; r++) for (let j = 0; j < m.cols; j++) out.data[j]! += m.data[r * m.cols + j]!;
  return out;
}
/** Y_t: one-hot rows, [n, a]. */
export function oneHot(y: readonly number[], a: number): Matrix {
  const out = zeros(y.length, a);
  y.forEach((c, r) => { out.data[r * a + c] = 1; });
  return out;
}
/** A Bᵀ via matmul(A, transpose(B)). */
const mmT = (a: Matrix, b: Matrix) => matmul(a, transpose(b));
/** Aᵀ B. */
const mTm = (a: Matrix, b: Matrix) => matmul(transpose(a), b);

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
  const sizes = stackedSizesOf(p);
  if (sizes.d !== f.sizes.d || sizes.a !== f.sizes.a || sizes.hidden.join() !== f.sizes.hidden.join()) {
    throw new ShapeError(
      `stackedBackward: params (d ${sizes.d}, h [${sizes.hidden}], a ${sizes.a}) and forward pass (d ${f.sizes.d}, h [${f.sizes.hidden}], a ${f.sizes.a}) must have the same sizes`,
    );
  }
  const { T, L } = f;
  const g: StackedGrads = {
    Wxh: p.Wxh.map((W) => zeros(W.rows, W.cols)), Whh: p.Whh.map((W) => zeros(W.rows, W.cols)),
    b: p.b.map((b) => zeros(1, b.cols)), Wha: zeros(p.Wha.rows, p.Wha.cols), ba: zeros(1, p.ba.cols),
    dZout: new Array<Matrix>(T), dH: Array.from({ length: T }, () => new Array<Matrix>(L)),
    dZ: Array.from({ length: T }, () => new Array<Matrix>(L)), dH0: new Array<Matrix>(L),
  };
  for (let t = 1; t <= T; t++) {
    const Y = oneHot(f.targets[t - 1]!, sizes.a);
    const A = f.A[t - 1]!, w = f.weights[t - 1]!;
    g.dZout[t - 1] = { rows: A.rows, cols: A.cols, data: A.data.map((v, i) => w * (v - Y.data[i]!)) };
  }
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

/** The same forward pass with other step weights (nothing recomputed): e.g. §2.1's single-step loss CE_t. */
export function withWeights(f: StackedForward, weights: readonly number[]): StackedForward {
  if (weights.length !== f.T) throw new ShapeError(`withWeights: ${weights.length} step weights for ${f.T} steps`);
  return { ...f, weights: [...weights], loss: f.stepLoss.reduce((s, ce, i) => s + weights[i]! * ce, 0) };
}

// ————————————————————————————————————————— finite differences —————————————————————————————————————————

export type StackedParamGrads = Pick<StackedGrads, "Wxh" | "Whh" | "b" | "Wha" | "ba">;

function cloneParams(p: StackedParams): { Wxh: Matrix[]; Whh: Matrix[]; b: Matrix[]; Wha: Matrix; ba: Matrix } {
  return { Wxh: p.Wxh.map(clone), Whh: p.Whh.map(clone), b: p.b.map(clone), Wha: clone(p.Wha), ba: clone(p.ba) };
}

/** Central differences of `loss()` w.r.t. every entry of `m` (perturbed in place and restored). */
function fdMatrix(m: Matrix, loss: () => number, eps: number): Matrix {
  const g = zeros(m.rows, m.cols);
  for (let k = 0; k < m.data.length; k++) {
    const keep = m.data[k]!;
    m.data[k] = keep + eps;
    const up = loss();
    m.data[k] = keep - eps;
    const down = loss();
    m.data[k] = keep;
    g.data[k] = (up - down) / (2 * eps);
  }
  return g;
}

/** Every parameter gradient by central differences in float64 (2 forward passes per entry), ε = FD_EPSILON. */
export function numericalStackedParamGrads(
  p: StackedParams, X: readonly Matrix[], targets: readonly (readonly number[])[], options: StackedOptions = {}, eps = FD_EPSILON,
): StackedParamGrads {
  const q = cloneParams(p);
  const loss = () => stackedLoss(q, X, targets, options);
  return {
    Wxh: q.Wxh.map((W) => fdMatrix(W, loss, eps)), Whh: q.Whh.map((W) => fdMatrix(W, loss, eps)),
    b: q.b.map((b) => fdMatrix(b, loss, eps)), Wha: fdMatrix(q.Wha, loss, eps), ba: fdMatrix(q.ba, loss, eps),
  };
}

/**
 * ∂L/∂Z_t^(l), ∂L/∂H_t^(l) (total: the intermediate is replaced and everything after it recomputed), ∂L/∂Z_t^(L+1)
 * and ∂L/∂H_0^(l), by central differences.
 */
export function numericalStackedStateGrads(
  p: StackedParams, X: readonly Matrix[], targets: readonly (readonly number[])[], options: StackedOptions = {}, eps = FD_EPSILON,
): Pick<StackedGrads, "dZ" | "dH" | "dZout" | "dH0"> {
  const f = run(p, X, targets, options);
  const at = (kind: StackedOverride["kind"], step: number, layer: number, base: Matrix) => {
    const value = clone(base);
    return fdMatrix(value, () => stackedLoss(p, X, targets, options, { kind, step, layer, value }), eps);
  };
  const H0 = f.H0.map(clone);
  return {
    dZ: f.Z.map((Zt, i) => Zt.map((z, l) => at("Z", i + 1, l + 1, z))),
    dH: f.H.map((Ht, i) => Ht.map((h, l) => at("H", i + 1, l + 1, h))),
    dZout: f.Zout.map((z, i) => at("Zout", i + 1, 0, z)),
    dH0: H0.map((h) => fdMatrix(h, () => stackedLoss(p, X, targets, { ...options, H0 }), eps)),
  };
}

// ————————————————————————————————— the source's equations, as written and corrected —————————————————————————————————

/** The value of a formula, or why it has none: the first product whose shapes do not fit. */
export type Evaluation = { ok: true; value: Matrix } | { ok: false; reason: string };

class Inconsistent extends Error {}
interface Term { name: string; m: Matrix }
const term = (name: string, m: Matrix): Term => ({ name, m });
const tT = (x: Term): Term => term(`(${x.name})ᵀ`, transpose(x.m));
function tMul(eq: string, a: Term, b: Term): Term {
  if (a.m.cols !== b.m.rows) {
    throw new Inconsistent(`${eq}: inner shapes ${a.m.cols} and ${b.m.rows} of ${a.name} ${fmt(a.m)} and ${b.name} ${fmt(b.m)} must match`);
  }
  return term(`${a.name} · ${b.name}`, matmul(a.m, b.m));
}
function tHad(eq: string, a: Term, b: Term): Term {
  if (a.m.rows !== b.m.rows || a.m.cols !== b.m.cols) {
    throw new Inconsistent(`${eq}: shapes of ${a.name} ${fmt(a.m)} and ${b.name} ${fmt(b.m)} must match for ⊙`);
  }
  return term(`(${a.name}) ⊙ ${b.name}`, hadamardInPlace(clone(a.m), b.m));
}
function tAdd(eq: string, a: Term, b: Term): Term {
  if (a.m.rows !== b.m.rows || a.m.cols !== b.m.cols) throw new Inconsistent(`${eq}: shapes of ${a.name} ${fmt(a.m)} and ${b.name} ${fmt(b.m)} must match for +`);
  return term(`${a.name} + ${b.name}`, addInto(clone(a.m), b.m));
}
function evaluate(build: () => Term): Evaluation {
  try {
    return { ok: true, value: build().m };
  } catch (e) {
    if (e instanceof Inconsistent) return { ok: false, reason: e.message };
    throw e;
  }
}

function checkTwoLayers(where: string, p: StackedParams, f: StackedForward): void {
  stackedSizesOf(p);
  if (f.L !== 2 || p.Wxh.length !== 2) throw new RangeError(`${where}: the source's equations are for its 2-layer stacked RNN, got L = ${f.L}`);
}
function checkStep(where: string, f: StackedForward, t: number, max = f.T): void {
  if (!Number.isInteger(t) || t < 1 || t > Math.min(max, f.T)) {
    throw new RangeError(`${where}: step t = ${t} must be in 1…${Math.min(max, f.T)} (T = ${f.T})`);
  }
}

/** The per-step quantities §2.1 builds on at step t (1-based), for the step loss CE_t: Y_t, A_t, H, Z, φ'. */
function stepTerms(p: StackedParams, f: StackedForward, t: number) {
  const Hn = (s: number, l: number) => term(`H_${s}^(${l})`, s === 0 ? f.H0[l - 1]! : f.H[s - 1]![l - 1]!);
  const dphi = (s: number, l: number) => term(`φ'(Z_${s}^(${l}))`, dtanh(f.H[s - 1]![l - 1]!));
  const X = (s: number) => term(`X_${s}^(1)`, f.X[s - 1]!);
  const W = {
    xh1: term("W_xh1^(1)", p.Wxh[0]!), h1h1: term("W_h1h1^(1)", p.Whh[0]!), h1h2: term("W_h1h2^(2)", p.Wxh[1]!),
    h2h2: term("W_h2h2^(2)", p.Whh[1]!), h2a: term("W_h2a^(3)", p.Wha),
  };
  const Y = oneHot(f.targets[t - 1]!, f.sizes.a);
  const A = f.A[t - 1]!;
  const dZ3 = term(`∂L/∂Z_${t}^(3)`, { rows: A.rows, cols: A.cols, data: A.data.map((v, i) => v - Y.data[i]!) });
  return { Hn, dphi, X, W, dZ3 };
}

/**
 * The source's stacked 2.1 (k) EXACTLY AS WRITTEN, evaluated at step t (default t = T = 2, the source's case) for
 * its L = CE_t (see the header), with ∂L/∂Z_t^{(2)} and ∂L/∂Z_t^{(1)} inside (4)–(8) taken from (3) and (6). "·"
 * and juxtaposition are both the matrix product. At t = 1 the terms that step back to t − 1 are dropped (they
 * would name X_0, Z_0, H_{−1}; H_0 is a constant). Returns `{ ok: false, reason }` when the formula's shapes do
 * not fit (stacked 2.1 (5) and (8) unless n equals the hidden width), naming the product and both shapes.
 *
 *   (1) A_t − one-hot(y)                        (2) (H_t^(2))ᵀ · ∂L/∂Z_t^(3)
 *   (3) (∂L/∂Z_t^(3) · (W_h2a^(3))ᵀ) ⊙ φ'(Z_t^(2))
 *   (4) (H_t^(1))ᵀ · ∂L/∂Z_t^(2) + (H_{t−1}^(1))ᵀ · ((∂L/∂Z_t^(2) · W_h2h2^(2)) ⊙ φ'(Z_{t−1}^(2)))
 *   (5) (H_{t−1}^(2))ᵀ ((H_{t−1}^(2))ᵀ · ∂L/∂Z_t^(2)) + (W_h2h2^(2))ᵀ · ((H_{t−2}^(2))ᵀ · ((∂L/∂Z_t^(2) · W_h2h2^(2)) ⊙ φ'(Z_{t−1}^(2))))
 *   (6) (∂L/∂Z_t^(2) · (W_h1h2^(2))ᵀ) ⊙ φ'(Z_t^(1))
 *   (7) (X_t^(1))ᵀ · ∂L/∂Z_t^(1) + (X_{t−1}^(1))ᵀ · ((∂L/∂Z_t^(1) · W_h1h1^(1)) ⊙ φ'(Z_{t−1}^(1)))
 *   (8) (H_{t−1}^(1))ᵀ ((H_{t−1}^(1))ᵀ · ∂L/∂Z_t^(1)) + (W_h1h1^(1))ᵀ · ((H_{t−2}^(1))ᵀ ((∂L/∂Z_t^(1) · W_h1h1^(1)) ⊙ φ'(Z_{t−1}^(1))))
 *
 * The slips, and their corrections (`stacked21Corrected`; verdicts in `STACKED_EQUATIONS`):
 *   (1)–(3), (6): right. (The annotation "∈ R^{n×h}" of (6) and "∈ R^{h×h₂}" of (4) mean h₁.)
 *   (4) wrong in value: the step back through the recurrence multiplies by W_h2h2 instead of (W_h2h2)ᵀ — the
 *       derivative of Z_t = … + H_{t−1} W_hh w.r.t. H_{t−1}, pulled back, is G ↦ G W_hhᵀ. Right only when
 *       W_h2h2^(2) is symmetric (e.g. h₂ = 1).
 *   (5) wrong in shape: (H_{t−1})ᵀ [h₂×n] times (H_{t−1})ᵀ·∂L/∂Z_t [h₂×h₂] needs n = h₂; and wrong in value even
 *       then. The prefixes (H_{t−1})ᵀ and (W_hh)ᵀ duplicate factors the chain already contains (∂Z_t/∂W_hh IS the
 *       (H_{t−1})ᵀ, ∂Z_t/∂H_{t−1} IS the W_hhᵀ), and W_hh lacks its transpose, as in (4). Corrected:
 *       (H_{t−1})ᵀ ∂L/∂Z_t + (H_{t−2})ᵀ ((∂L/∂Z_t (W_hh)ᵀ) ⊙ φ'(Z_{t−1})).
 *   (6) right at t = T.
 *   (7) wrong in value, twice: W_h1h1 lacks its transpose, and ∂L/∂Z_{t−1}^(1) misses the path up through layer 2
 *       and across its recurrence, H_{t−1}^(1) → Z_{t−1}^(2) → H_{t−1}^(2) → Z_t^(2), i.e. the term
 *       (∂L/∂Z_{t−1}^(2) (W_h1h2)ᵀ) ⊙ φ'(Z_{t−1}^(1)). Right only if W_h1h1 is symmetric and that path is zero.
 *   (8) wrong in shape (needs n = h₁) and in value: the slips of (5) plus the missing path of (7).
 */
export function stacked21AsPrinted(k: SourceEq, p: StackedParams, f: StackedForward, t = 2): Evaluation {
  const eq = stackedEqName("2.1", k);
  checkTwoLayers(eq, p, f);
  checkStep(eq, f, t);
  const { Hn, dphi, X, W, dZ3 } = stepTerms(p, f, t);
  const back = t >= 2;
  const dZ2 = () => term(`∂L/∂Z_${t}^(2)`, tHad(eq, tMul(eq, dZ3, tT(W.h2a)), dphi(t, 2)).m);
  const dZ1 = () => term(`∂L/∂Z_${t}^(1)`, tHad(eq, tMul(eq, dZ2(), tT(W.h1h2)), dphi(t, 1)).m);
  return evaluate(() => {
    switch (k) {
      case 1: return dZ3;
      case 2: return tMul(eq, tT(Hn(t, 2)), dZ3);
      case 3: return dZ2();
      case 4: {
        const first = tMul(eq, tT(Hn(t, 1)), dZ2());
        if (!back) return first;
        return tAdd(eq, first, tMul(eq, tT(Hn(t - 1, 1)), tHad(eq, tMul(eq, dZ2(), W.h2h2), dphi(t - 1, 2))));
      }
      case 5: {
        const first = tMul(eq, tT(Hn(t - 1, 2)), tMul(eq, tT(Hn(t - 1, 2)), dZ2()));
        if (!back) return first;
        const inner = tMul(eq, tT(Hn(t - 2, 2)), tHad(eq, tMul(eq, dZ2(), W.h2h2), dphi(t - 1, 2)));
        return tAdd(eq, first, tMul(eq, tT(W.h2h2), inner));
      }
      case 6: return dZ1();
      case 7: {
        const first = tMul(eq, tT(X(t)), dZ1());
        if (!back) return first;
        return tAdd(eq, first, tMul(eq, tT(X(t - 1)), tHad(eq, tMul(eq, dZ1(), W.h1h1), dphi(t - 1, 1))));
      }
      case 8: {
        const first = tMul(eq, tT(Hn(t - 1, 1)), tMul(eq, tT(Hn(t - 1, 1)), dZ1()));
        if (!back) return first;
        const inner = tMul(eq, tT(Hn(t - 2, 1)), tHad(eq, tMul(eq, dZ1(), W.h1h1), dphi(t - 1, 1)));
        return tAdd(eq, first, tMul(eq, tT(W.h1h1), inner));
      }
    }
  });
}

/**
 * stacked 2.1 (k) CORRECTED: the exact gradient of the step loss CE_t (batch-summed, §2.1's L) w.r.t. the
 * equation's left-hand side, in the source's two-term form, for t ∈ {1, 2} (for t = 2 every path back reaches
 * t − 1 = 1 at most, so two terms are all there are; t ≥ 3 needs more — use `stackedBackward` with
 * `singleStepWeights`). Written out independently of `stackedBackward`, with δ^(l)_s = ∂CE_t/∂Z_s^(l):
 *   δ^(3)_t = A_t − Y_t                                                  (1)
 *   ∂/∂W_h2a = (H_t^(2))ᵀ δ^(3)_t                                        (2)
 *   δ^(2)_t = (δ^(3)_t W_h2aᵀ) ⊙ φ'(Z_t^(2))                            (3)
 *   ∂/∂W_h1h2 = (H_t^(1))ᵀ δ^(2)_t + (H_{t−1}^(1))ᵀ δ^(2)_{t−1},  δ^(2)_{t−1} = (δ^(2)_t W_h2h2ᵀ) ⊙ φ'(Z_{t−1}^(2))   (4)
 *   ∂/∂W_h2h2 = (H_{t−1}^(2))ᵀ δ^(2)_t + (H_{t−2}^(2))ᵀ δ^(2)_{t−1}     (5)
 *   δ^(1)_t = (δ^(2)_t W_h1h2ᵀ) ⊙ φ'(Z_t^(1))                           (6)
 *   ∂/∂W_xh1 = X_tᵀ δ^(1)_t + X_{t−1}ᵀ δ^(1)_{t−1},  δ^(1)_{t−1} = (δ^(1)_t W_h1h1ᵀ + δ^(2)_{t−1} W_h1h2ᵀ) ⊙ φ'(Z_{t−1}^(1))   (7)
 *   ∂/∂W_h1h1 = (H_{t−1}^(1))ᵀ δ^(1)_t + (H_{t−2}^(1))ᵀ δ^(1)_{t−1}     (8)
 * (at t = 1 the δ_{t−1} terms are absent.)
 */
export function stacked21Corrected(k: SourceEq, p: StackedParams, f: StackedForward, t = 2): Matrix {
  const eq = stackedEqName("2.1", k);
  checkTwoLayers(eq, p, f);
  checkStep(`${eq} corrected`, f, t, 2);
  const H = (s: number, l: number) => (s === 0 ? f.H0[l - 1]! : f.H[s - 1]![l - 1]!);
  const dphi = (s: number, l: number) => dtanh(f.H[s - 1]![l - 1]!);
  const Y = oneHot(f.targets[t - 1]!, f.sizes.a);
  const A = f.A[t - 1]!;
  const d3 = { rows: A.rows, cols: A.cols, data: A.data.map((v, i) => v - Y.data[i]!) };
  const d2 = hadamardInPlace(mmT(d3, p.Wha), dphi(t, 2));
  const d1 = hadamardInPlace(mmT(d2, p.Wxh[1]!), dphi(t, 1));
  const back = t >= 2;
  const d2p = back ? hadamardInPlace(mmT(d2, p.Whh[1]!), dphi(t - 1, 2)) : undefined;
  const d1p = back ? hadamardInPlace(addInto(mmT(d1, p.Whh[0]!), mmT(d2p!, p.Wxh[1]!)), dphi(t - 1, 1)) : undefined;
  const two = (a: Matrix, b: () => Matrix) => (back ? addInto(a, b()) : a);
  switch (k) {
    case 1: return d3;
    case 2: return mTm(H(t, 2), d3);
    case 3: return d2;
    case 4: return two(mTm(H(t, 1), d2), () => mTm(H(t - 1, 1), d2p!));
    case 5: return two(mTm(H(t - 1, 2), d2), () => mTm(H(t - 2, 2), d2p!));
    case 6: return d1;
    case 7: return two(mTm(f.X[t - 1]!, d1), () => mTm(f.X[t - 2]!, d1p!));
    case 8: return two(mTm(H(t - 1, 1), d1), () => mTm(H(t - 2, 1), d1p!));
  }
}

/**
 * What the left-hand side of stacked 2.1 (k) denotes, read off a backward pass `g` (run with the weights of the
 * loss in question; for §2.1 that is `singleStepWeights(t, T)`) at 1-based step t.
 */
export function stacked21Target(k: SourceEq, g: StackedGrads, t = 2): Matrix {
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

/**
 * What the left-hand side of stacked 2.1.1 (k) denotes, from a backward pass `g` of the total loss: for the
 * weights (2), (4), (5), (7), (8) the gradient itself; for the pre-activations (1), (3), (6), whose "Z^(l)" carries
 * no t, the only reading under which ∂L/∂Z^(l) is a derivative of L: the gradient w.r.t. an offset Δ ∈ R^{n×h_l}
 * added to EVERY Z_t^(l), i.e. Σ_t ∂L/∂Z_t^(l) (total derivatives). Its column sums are ∂L/∂b^(l) (∂L/∂b_a for (1)).
 */
export function stacked211Target(k: SourceEq, g: StackedGrads): Matrix {
  const sumOver = (ms: Matrix[]) => ms.slice(1).reduce((acc, m) => addInto(acc, m), clone(ms[0]!));
  switch (k) {
    case 1: return sumOver(g.dZout);
    case 3: return sumOver(g.dZ.map((Zt) => Zt[1]!));
    case 6: return sumOver(g.dZ.map((Zt) => Zt[0]!));
    default: return stacked21Target(k, g);
  }
}

/** Where stacked 2.1.1's summands (∂L/∂·)_(t) come from. */
export type Summands = "exact" | "2.1 as written";

/**
 * stacked 2.1.1 (k) AS WRITTEN: (1/T) Σ_{t=1}^T (summand at t), for any T ≥ 1 (the source: T = 2). The summand
 * (∂L/∂W)_(t) is "the gradient at step t", i.e. that of the step loss CE_t through every earlier step — what §2.1
 * computes for t = 2:
 *   - "exact" (default): that gradient itself (`stackedBackward` with `singleStepWeights(t, T)`); for (1), (3), (6)
 *     the summand ∂L/∂Z_t^(l) is ∂CE_t/∂Z_t^(l), which is what stacked 2.1 (1), (3), (6) give (they are right).
 *   - "2.1 as written": `stacked21AsPrinted(k, …, t)`, so the slips of §2.1 carry over (and (5), (8) fail on shape).
 *
 * Verdicts (against the source's own loss (1/T) Σ_t Σ_r CE, see `stacked211Target` for what "∂L/∂Z^(l)" means):
 *   (1) right: the gradient w.r.t. an offset shared by all Z_t^(3) (Z_s^(3) reaches only CE_s); its column sums
 *       are ∂L/∂b_a.
 *   (2), (4), (5), (7), (8) right, with exact summands: by linearity ∂/∂W (1/T) Σ_t CE_t = (1/T) Σ_t ∂CE_t/∂W.
 *       For the batch MEAN the factor is 1/(T·n): as written they are n times too large. Composed with §2.1 as
 *       written, (4) and (7) are wrong in value and (5), (8) wrong in shape.
 *   (3), (6) wrong in value (for T ≥ 2): the summand ∂CE_t/∂Z_t^(l) is only the local part; CE_t also depends on
 *       Z_s^(l) for s < t through the recurrence. Corrected: Σ_s ∂L/∂Z_s^(l) = (1/T) Σ_t Σ_{s ≤ t} ∂CE_t/∂Z_s^(l),
 *       and the per-step total derivative is ∂L/∂Z_s^(l) = (1/T) Σ_{t ≥ s} ∂CE_t/∂Z_s^(l) — no single matrix
 *       "∂L/∂Z^(l)" equals the per-step gradients.
 */
export function stacked211AsPrinted(k: SourceEq, p: StackedParams, f: StackedForward, summands: Summands = "exact"): Evaluation {
  const eq = stackedEqName("2.1.1", k);
  checkTwoLayers(eq, p, f);
  let acc: Matrix | undefined;
  for (let t = 1; t <= f.T; t++) {
    let s: Matrix;
    if (summands === "exact") {
      const g = stackedBackward(p, withWeights(f, singleStepWeights(t, f.T)));
      s = k === 1 || k === 3 || k === 6 ? stacked21Target(k, g, t) : stacked21Target(k, g);
    } else if (summands === "2.1 as written") {
      const e = stacked21AsPrinted(k, p, f, t);
      if (!e.ok) return { ok: false, reason: `${eq} (summand t = ${t}) ← ${e.reason}` };
      s = e.value;
    } else throw new RangeError(`${eq}: unknown summands ${String(summands)}`);
    acc = acc ? addInto(acc, s) : clone(s);
  }
  const out = acc!;
  for (let i = 0; i < out.data.length; i++) out.data[i]! /= f.T;
  return { ok: true, value: out };
}

/**
 * stacked 2.1.1 (k) CORRECTED, for the loss of `f` (its step weights w_t; "source": w_t = 1/T, "mean":
 * 1/(T·n)): for the weights (2), (4), (5), (7), (8), Σ_t w_t ∂CE_t/∂W — with w_t = 1/T that is the source's own
 * equation; for (1), (3), (6), Σ_s ∂L/∂Z_s^(l) = Σ_t w_t Σ_{s ≤ t} ∂CE_t/∂Z_s^(l) (each step loss differentiated
 * w.r.t. every pre-activation it depends on, not only its own step's).
 */
export function stacked211Corrected(k: SourceEq, p: StackedParams, f: StackedForward): Matrix {
  const eq = stackedEqName("2.1.1", k);
  checkTwoLayers(eq, p, f);
  let acc: Matrix | undefined;
  for (let t = 1; t <= f.T; t++) {
    const g = stackedBackward(p, withWeights(f, singleStepWeights(t, f.T)));
    const s = stacked211Target(k, g); // for (1), (3), (6): Σ_{s ≤ t} ∂CE_t/∂Z_s (later steps give 0)
    const w = f.weights[t - 1]!;
    const term = { rows: s.rows, cols: s.cols, data: s.data.map((v) => w * v) };
    acc = acc ? addInto(acc, term) : term;
  }
  return acc!;
}

// ————————————————————————————————————————— verdicts —————————————————————————————————————————

export type Verdict = "right" | "wrong shape" | "wrong value";

export interface StackedEquation {
  section: "2.1" | "2.1.1";
  number: SourceEq;
  /** `stacked 2.1 (5)`. */
  name: string;
  /** `stacked-2-1-5`. */
  anchor: string;
  /** The formula as written, against the true gradient of the source's loss (§2.1: CE_t; §2.1.1: (1/T) Σ_t CE_t). */
  verdict: Verdict;
  /** §2.1.1 only: the verdict when its summands are §2.1's formulas as written. */
  composedVerdict?: Verdict;
  /** What is wrong and why (or why it is right), one or two sentences. */
  slip: string;
  /** The corrected equation, KaTeX. */
  correctedTex: string;
}

const dLd = (x: string, top = "L") => `\\frac{\\partial ${top}}{\\partial ${x}}`;
const Lt = "\\mathrm{CE}_t";

const SLIPS_21: Record<SourceEq, { verdict: Verdict; slip: string; correctedTex: string }> = {
  1: {
    verdict: "right",
    slip: "Right for §2.1's L, the batch-summed cross-entropy CE_t of step t alone (no 1/n, no 1/T).",
    correctedTex: `${dLd("Z_t^{(3)}", Lt)} = A_t^{(3)} - Y_t`,
  },
  2: {
    verdict: "right",
    slip: "Right: W_h2a enters CE_t only through Z_t^(3).",
    correctedTex: `${dLd("W_{h_2a}^{(3)}", Lt)} = (H_t^{(2)})^\\top ${dLd("Z_t^{(3)}", Lt)}`,
  },
  3: {
    verdict: "right",
    slip: "Right at t = T: Z_t^(2) reaches CE_t only through H_t^(2) → Z_t^(3).",
    correctedTex: `${dLd("Z_t^{(2)}", Lt)} = \\Big(${dLd("Z_t^{(3)}", Lt)} (W_{h_2a}^{(3)})^\\top\\Big) \\odot \\phi'(Z_t^{(2)})`,
  },
  4: {
    verdict: "wrong value",
    slip:
      "The step back through the recurrence multiplies by W_h2h2 where the chain rule gives (W_h2h2)ᵀ (Z_t = … + H_{t−1} W_hh pulls a gradient G back to G W_hhᵀ); shapes still fit because W_h2h2 is square, so the error is in value, and vanishes only when W_h2h2 is symmetric. (Its annotation ℝ^{h×h₂} means h₁×h₂.)",
    correctedTex:
      `${dLd("W_{h_1h_2}^{(2)}", Lt)} = (H_t^{(1)})^\\top ${dLd("Z_t^{(2)}", Lt)} + (H_{t-1}^{(1)})^\\top \\Big(\\Big(${dLd("Z_t^{(2)}", Lt)} (W_{h_2h_2}^{(2)})^\\top\\Big) \\odot \\phi'(Z_{t-1}^{(2)})\\Big)`,
  },
  5: {
    verdict: "wrong shape",
    slip:
      "(H_{t−1}^(2))ᵀ [h₂×n] times (H_{t−1}^(2))ᵀ·∂L/∂Z_t^(2) [h₂×h₂] needs n = h₂, and even then the value is wrong: the prefixes (H_{t−1})ᵀ and (W_h2h2)ᵀ repeat factors the chain already holds (∂Z_t/∂W_hh is the (H_{t−1})ᵀ, ∂Z_t/∂H_{t−1} the W_hhᵀ), and W_h2h2 lacks its transpose as in (4).",
    correctedTex:
      `${dLd("W_{h_2h_2}^{(2)}", Lt)} = (H_{t-1}^{(2)})^\\top ${dLd("Z_t^{(2)}", Lt)} + (H_{t-2}^{(2)})^\\top \\Big(\\Big(${dLd("Z_t^{(2)}", Lt)} (W_{h_2h_2}^{(2)})^\\top\\Big) \\odot \\phi'(Z_{t-1}^{(2)})\\Big)`,
  },
  6: {
    verdict: "right",
    slip: "Right at t = T: Z_t^(1) reaches CE_t only through H_t^(1) → Z_t^(2). (Its annotation ℝ^{n×h} means n×h₁.)",
    correctedTex: `${dLd("Z_t^{(1)}", Lt)} = \\Big(${dLd("Z_t^{(2)}", Lt)} (W_{h_1h_2}^{(2)})^\\top\\Big) \\odot \\phi'(Z_t^{(1)})`,
  },
  7: {
    verdict: "wrong value",
    slip:
      "Two slips: W_h1h1 lacks its transpose (as in (4)), and ∂L/∂Z_{t−1}^(1) misses the second path out of H_{t−1}^(1) — up into layer 2 at t − 1 and across layer 2's recurrence to Z_t^(2) — which contributes (∂L/∂Z_{t−1}^(2) (W_h1h2)ᵀ) ⊙ φ'(Z_{t−1}^(1)).",
    correctedTex:
      `${dLd("W_{xh_1}^{(1)}", Lt)} = (X_t^{(1)})^\\top ${dLd("Z_t^{(1)}", Lt)} + (X_{t-1}^{(1)})^\\top ${dLd("Z_{t-1}^{(1)}", Lt)},\\quad ${dLd("Z_{t-1}^{(1)}", Lt)} = \\Big(${dLd("Z_t^{(1)}", Lt)} (W_{h_1h_1}^{(1)})^\\top + ${dLd("Z_{t-1}^{(2)}", Lt)} (W_{h_1h_2}^{(2)})^\\top\\Big) \\odot \\phi'(Z_{t-1}^{(1)}),\\quad ${dLd("Z_{t-1}^{(2)}", Lt)} = \\Big(${dLd("Z_t^{(2)}", Lt)} (W_{h_2h_2}^{(2)})^\\top\\Big) \\odot \\phi'(Z_{t-1}^{(2)})`,
  },
  8: {
    verdict: "wrong shape",
    slip:
      "The slips of (5) in layer 1 — (H_{t−1}^(1))ᵀ [h₁×n] times an [h₁×h₁] needs n = h₁, duplicated prefixes, missing transpose — plus the missing path through layer 2 of (7).",
    correctedTex:
      `${dLd("W_{h_1h_1}^{(1)}", Lt)} = (H_{t-1}^{(1)})^\\top ${dLd("Z_t^{(1)}", Lt)} + (H_{t-2}^{(1)})^\\top ${dLd("Z_{t-1}^{(1)}", Lt)}\\quad\\text{with } ${dLd("Z_{t-1}^{(1)}", Lt)} \\text{ as in (7)}`,
  },
};

const avg = (x: string) => `\\frac{1}{T}\\sum_{t=1}^{T} ${dLd(x, Lt)}`;
const SLIPS_211: Record<SourceEq, { verdict: Verdict; composedVerdict: Verdict; slip: string; correctedTex: string }> = {
  1: {
    verdict: "right", composedVerdict: "right",
    slip:
      "Right once “∂L/∂Z^(3)” is read as the gradient w.r.t. an offset added to every Z_t^(3) (the only reading in which a t-free Z is a variable): Z_t^(3) reaches only CE_t. Its column sums are ∂L/∂b_a. The per-step gradient is (1/T)(A_t − Y_t).",
    correctedTex: `${dLd("Z^{(3)}")} = \\sum_{t=1}^{T} ${dLd("Z_t^{(3)}")} = \\frac{1}{T}\\sum_{t=1}^{T} (A_t^{(3)} - Y_t)`,
  },
  2: {
    verdict: "right", composedVerdict: "right",
    slip: "Right for the source's L = (1/T) Σ_t CE_t, by linearity; for the batch mean (1/(T·n)) Σ_t CE_t it is n times too large.",
    correctedTex: `${dLd("W_{h_2a}^{(3)}")} = ${avg("W_{h_2a}^{(3)}")}`,
  },
  3: {
    verdict: "wrong value", composedVerdict: "wrong value",
    slip:
      "The summand ∂CE_t/∂Z_t^(2) is only the local part: CE_t also depends on Z_s^(2), s < t, through W_h2h2, so the sum misses Σ_{s<t} ∂CE_t/∂Z_s^(2) (right only at T = 1). Per step, ∂L/∂Z_s^(2) = (1/T) Σ_{t≥s} ∂CE_t/∂Z_s^(2).",
    correctedTex: `${dLd("Z^{(2)}")} = \\sum_{s=1}^{T} ${dLd("Z_s^{(2)}")} = \\frac{1}{T}\\sum_{t=1}^{T}\\sum_{s=1}^{t} ${dLd("Z_s^{(2)}", Lt)}`,
  },
  4: {
    verdict: "right", composedVerdict: "wrong value",
    slip: "Right with exact per-step gradients (n times too large for the batch mean); with §2.1 (4) as written as its summand it inherits the missing transpose. (W_{hh₂}^(2) means W_{h₁h₂}^(2).)",
    correctedTex: `${dLd("W_{h_1h_2}^{(2)}")} = ${avg("W_{h_1h_2}^{(2)}")}`,
  },
  5: {
    verdict: "right", composedVerdict: "wrong shape",
    slip: "Right with exact per-step gradients (n times too large for the batch mean); with §2.1 (5) as written as its summand it inherits the shape error.",
    correctedTex: `${dLd("W_{h_2h_2}^{(2)}")} = ${avg("W_{h_2h_2}^{(2)}")}`,
  },
  6: {
    verdict: "wrong value", composedVerdict: "wrong value",
    slip:
      "As (3), one layer down: the sum misses Σ_{s<t} ∂CE_t/∂Z_s^(1), which flows through both W_h1h1 and layer 2's recurrence (right only at T = 1).",
    correctedTex: `${dLd("Z^{(1)}")} = \\sum_{s=1}^{T} ${dLd("Z_s^{(1)}")} = \\frac{1}{T}\\sum_{t=1}^{T}\\sum_{s=1}^{t} ${dLd("Z_s^{(1)}", Lt)}`,
  },
  7: {
    verdict: "right", composedVerdict: "wrong value",
    slip: "Right with exact per-step gradients (n times too large for the batch mean); with §2.1 (7) as written as its summand it inherits both slips. (W_xh^(1) means W_{xh₁}^(1).)",
    correctedTex: `${dLd("W_{xh_1}^{(1)}")} = ${avg("W_{xh_1}^{(1)}")}`,
  },
  8: {
    verdict: "right", composedVerdict: "wrong shape",
    slip: "Right with exact per-step gradients (n times too large for the batch mean); with §2.1 (8) as written as its summand it inherits the shape error.",
    correctedTex: `${dLd("W_{h_1h_1}^{(1)}")} = ${avg("W_{h_1h_1}^{(1)}")}`,
  },
};

/** The 16 equations of §2.1 and §2.1.1 with their verdicts (pinned by test/stacked/stacked-source.test.ts). */
export const STACKED_EQUATIONS: readonly StackedEquation[] = [
  ...SOURCE_EQS.map((k) => ({ section: "2.1" as const, number: k, name: stackedEqName("2.1", k), anchor: stackedEqAnchor("2.1", k), ...SLIPS_21[k] })),
  ...SOURCE_EQS.map((k) => ({ section: "2.1.1" as const, number: k, name: stackedEqName("2.1.1", k), anchor: stackedEqAnchor("2.1.1", k), ...SLIPS_211[k] })),
];

// ————————————————————————————————— §1.1 and §1.2: the forward passes, equation by equation —————————————————————————————————

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

function checkFfnnInput(op: string, p: StackedParams, X: Matrix): void {
  stackedSizesOf(p);
  if (p.Wxh.length !== 2) throw new RangeError(`${op}: the 3-layer FFNN of §1.1 has two hidden layers, got ${p.Wxh.length}`);
  if (X.cols !== p.Wxh[0]!.rows) throw new ShapeError(`${op}: inner shapes ${X.cols} and ${p.Wxh[0]!.rows} of X ${fmt(X)} and W_xh^(1) ${fmt(p.Wxh[0]!)} must match`);
  if (X.rows < 1) throw new ShapeError(`${op}: X ${fmt(X)} has no batch rows`);
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
  for (let r = 0; r < Z3.rows; r++) A.data.set(softmaxRow(Array.from(Z3.data.subarray(r * Z3.cols, (r + 1) * Z3.cols))), r * Z3.cols);
  return { Z1, H1, Z2, H2, Z3, A };
}

/** Plain-loop x W + b for one example x (a row), with no lib/matrix product: the per-example path. */
function rowAffine(terms: readonly [ArrayLike<number>, Matrix][], b: Matrix): number[] {
  const out = Array.from(b.data);
  for (const [x, W] of terms) {
    for (let j = 0; j < W.cols; j++) {
      let s = 0;
      for (let i = 0; i < W.rows; i++) s += x[i]! * W.data[i * W.cols + j]!;
      out[j]! += s;
    }
  }
  return out;
}

/** softmax of one row, shifted by its maximum. */
function softmaxRow(z: readonly number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => exp(v - m));
  const s = e.reduce((x, y) => x + y, 0);
  return e.map((v) => v / s);
}

const rowOf = (m: Matrix, r: number) => Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols));
const fromRowArrays = (rows: number[][], cols: number): Matrix => ({ rows: rows.length, cols, data: Float64Array.from(rows.flat()) });

/**
 * Vera §1.1 (1)–(3) one example at a time: each row x_r of X is pushed through the network as a vector with plain
 * loops, and the results are stacked. An independent check of `ffnnForward`'s batch form (rows of a batch are
 * independent, and the bias row is broadcast to each).
 */
export function ffnnForwardPerExample(p: StackedParams, X: Matrix): { H1: Matrix; H2: Matrix; A: Matrix } {
  checkFfnnInput("ffnnForwardPerExample", p, X);
  const H1: number[][] = [], H2: number[][] = [], A: number[][] = [];
  for (let r = 0; r < X.rows; r++) {
    const h1 = rowAffine([[rowOf(X, r), p.Wxh[0]!]], p.b[0]!).map(tanh);
    const h2 = rowAffine([[h1, p.Wxh[1]!]], p.b[1]!).map(tanh);
    H1.push(h1); H2.push(h2); A.push(softmaxRow(rowAffine([[h2, p.Wha]], p.ba)));
  }
  return { H1: fromRowArrays(H1, p.Wxh[0]!.cols), H2: fromRowArrays(H2, p.Wxh[1]!.cols), A: fromRowArrays(A, p.Wha.cols) };
}

/**
 * Vera §1.2 (1)–(3), the 2-layer stacked RNN, one example (batch row) at a time with plain loops: for each row r,
 * h_t^(1) = φ(x_t W_{xh₁} + h_{t−1}^(1) W_{h₁h₁} + b), h_t^(2) = φ(h_t^(1) W_{h₁h₂} + h_{t−1}^(2) W_{h₂h₂} + b),
 * a_t = softmax(h_t^(2) W_{h₂a} + b_a). An independent check of the forward cache of `stackedForward` (which the
 * gradients use): H at [t − 1][l − 1], A at t − 1, as there.
 */
export function stackedForwardPerExample(p: StackedParams, X: readonly Matrix[], H0?: readonly Matrix[]): { H: Matrix[][]; A: Matrix[] } {
  const sizes = stackedSizesOf(p);
  if (p.Wxh.length !== 2) throw new RangeError(`stackedForwardPerExample: §1.2 is a 2-layer stacked RNN, got ${p.Wxh.length} layers`);
  const n = X[0]!.rows, T = X.length;
  X.forEach((x, t) => {
    if (x.cols !== sizes.d || x.rows !== n) throw new ShapeError(`stackedForwardPerExample: X_${t + 1} ${fmt(x)} must be [${n},${sizes.d}]`);
  });
  const H: number[][][][] = Array.from({ length: T }, () => [[], []]);
  const A: number[][][] = Array.from({ length: T }, () => []);
  for (let r = 0; r < n; r++) {
    let prev = [0, 1].map((l) => (H0 ? rowOf(H0[l]!, r) : new Array<number>(sizes.hidden[l]!).fill(0)));
    for (let t = 0; t < T; t++) {
      const h1 = rowAffine([[rowOf(X[t]!, r), p.Wxh[0]!], [prev[0]!, p.Whh[0]!]], p.b[0]!).map(tanh);
      const h2 = rowAffine([[h1, p.Wxh[1]!], [prev[1]!, p.Whh[1]!]], p.b[1]!).map(tanh);
      H[t]![0]!.push(h1); H[t]![1]!.push(h2); A[t]!.push(softmaxRow(rowAffine([[h2, p.Wha]], p.ba)));
      prev = [h1, h2];
    }
  }
  return {
    H: H.map((Ht) => Ht.map((rows, l) => fromRowArrays(rows, sizes.hidden[l]!))),
    A: A.map((rows) => fromRowArrays(rows, sizes.a)),
  };
}

/** max_r |Σ_j A[r, j] − 1|: how far the rows of a softmax output are from being distributions. */
export function softmaxRowSumError(A: Matrix): number {
  let worst = 0;
  for (let r = 0; r < A.rows; r++) {
    let s = 0;
    for (let j = 0; j < A.cols; j++) s += A.data[r * A.cols + j]!;
    worst = Math.max(worst, Math.abs(s - 1));
  }
  return worst;
}

/** Matrices over steps stacked vertically (step t's n rows at rows (t − 1)·n …), for one heatmap "t·r × unit". */
export function stackSteps(ms: readonly Matrix[]): Matrix {
  const cols = ms[0]!.cols;
  return { rows: ms.reduce((s, m) => s + m.rows, 0), cols, data: Float64Array.from(ms.flatMap((m) => Array.from(m.data))) };
}

// ————————————————————————————————— §2.2: ∂L/∂W_hh^(1) for any T —————————————————————————————————

/**
 * Vera §2.2, one factor of its product: for batch row r (1-based) at step k (1-based),
 *   ∂Z_k^(3)/∂H_k^(2) · ∂H_k^(2)/∂Z_k^(2) · ∂Z_k^(2)/∂H_k^(1) · ∂H_k^(1)/∂Z_k^(1)
 *     = (W_h2a)ᵀ diag(φ'(Z_k^(2)[r])) (W_h1h2)ᵀ diag(φ'(Z_k^(1)[r])),   [a, h₁]
 * the Jacobian of the output pre-activation z_k^(3) of that row w.r.t. its z_k^(1) (numerator layout: rows are
 * outputs) — a path up through the layers WITHIN step k, with no recurrent weight in it.
 */
export function stacked22Factor(p: StackedParams, f: StackedForward, k: number, r = 1): Matrix {
  checkTwoLayers("stacked 2.2 factor", p, f);
  checkStep("stacked 2.2 factor", f, k);
  if (!Number.isInteger(r) || r < 1 || r > f.n) throw new RangeError(`stacked 2.2 factor: batch row ${r} is not in 1…${f.n}`);
  const d1 = rowOf(dtanh(f.H[k - 1]![0]!), r - 1), d2 = rowOf(dtanh(f.H[k - 1]![1]!), r - 1);
  const W12T = transpose(p.Wxh[1]!); // [h2, h1]
  for (let i = 0; i < W12T.rows; i++) for (let j = 0; j < W12T.cols; j++) W12T.data[i * W12T.cols + j]! *= d2[i]! * d1[j]!;
  return matmul(transpose(p.Wha), W12T);
}

/**
 * ∂Z_k^(3)[r]/∂Z_k^(1)[r] by central differences: Z_k^(1) of row r is replaced inside the forward pass and Z_k^(3)
 * read off (rows: the a outputs, columns: the h₁ inputs). The check of `stacked22Factor`.
 */
export function numericalStacked22Factor(
  p: StackedParams, X: readonly Matrix[], targets: readonly (readonly number[])[], options: StackedOptions, k: number, r = 1, eps = FD_EPSILON,
): Matrix {
  const f = run(p, X, targets, options);
  const z = clone(f.Z[k - 1]![0]!);
  const a = f.sizes.a, h1 = z.cols;
  const J = zeros(a, h1);
  const outAt = () => rowOf(run(p, X, targets, options, { kind: "Z", step: k, layer: 1, value: z }).Zout[k - 1]!, r - 1);
  for (let j = 0; j < h1; j++) {
    const idx = (r - 1) * h1 + j, keep = z.data[idx]!;
    z.data[idx] = keep + eps;
    const up = outAt();
    z.data[idx] = keep - eps;
    const down = outAt();
    z.data[idx] = keep;
    for (let i = 0; i < a; i++) J.data[i * h1 + j] = (up[i]! - down[i]!) / (2 * eps);
  }
  return J;
}

/**
 * Vera §2.2 EXACTLY AS WRITTEN, for one batch row r (a product of Jacobians is per sequence):
 *   Σ_{t=1}^{T} (H_{t−1}^(1))ᵀ · ( Π_{k=t}^{T} J_k ) · ∂Z_t^(1)/∂W_hh^(1)
 * with J_k = `stacked22Factor` ([a, h₁]), the product taken left to right in k, (H_{t−1}^(1))ᵀ the row's state as
 * an [h₁, 1] column, and ∂Z_t^(1)/∂W_hh^(1) as the [h₁, h₁·h₁] Jacobian of z_t^(1) w.r.t. W_hh^(1) flattened row by
 * row (entry [j, i·h₁ + j] = H_{t−1}^(1)[r, i]). Returns the first product whose shapes do not fit: J_t J_{t+1}
 * needs a = h₁, and (H_{t−1}^(1))ᵀ [h₁, 1] times the [a, h₁] product needs a = 1 — so for any a ≥ 2 it has no value.
 */
export function stacked22AsPrinted(p: StackedParams, f: StackedForward, r = 1): Evaluation {
  const eq = "stacked 2.2";
  checkTwoLayers(eq, p, f);
  const h1 = p.Whh[0]!.rows;
  return evaluate(() => {
    let total: Term | undefined;
    for (let t = 1; t <= f.T; t++) {
      let prod = term(`J_${t}`, stacked22Factor(p, f, t, r));
      for (let k = t + 1; k <= f.T; k++) prod = tMul(eq, prod, term(`J_${k}`, stacked22Factor(p, f, k, r)));
      const hp = hPrevAt(f, t, 1);
      const col = term(`(H_${t - 1}^(1)[${r}])ᵀ`, { rows: h1, cols: 1, data: Float64Array.from(rowOf(hp, r - 1)) });
      const dZdW = zeros(h1, h1 * h1);
      for (let j = 0; j < h1; j++) for (let i = 0; i < h1; i++) dZdW.data[j * h1 * h1 + i * h1 + j] = hp.data[(r - 1) * h1 + i]!;
      const summand = tMul(eq, tMul(eq, col, prod), term(`∂Z_${t}^(1)/∂W_hh^(1)`, dZdW));
      total = total ? tAdd(eq, total, summand) : summand;
    }
    return total!;
  });
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
    const d1 = rowOf(dtanh(f.H[k - 1]![0]!), r - 1), d2 = rowOf(dtanh(f.H[k - 1]![1]!), r - 1);
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

/**
 * The /vanishing page: why the gradients of D2L's RNN vanish or explode. The powers of W_hhᵀ in d2l eq 2.4b and
 * D2L's exercise 4.1 (eigenvalues of M^k, power iteration), ‖∂L/∂h_t‖ against t for linear, tanh and ReLU RNNs, the
 * intuition page's product of Jacobians Π W_hhᵀ diag(φ′(a_k)) with its norms, and gradient clipping by value and by
 * global norm, which bounds a step but cannot restore a vanished signal. The matrix machinery (spectra, Jacobi,
 * singular values) is lib/d2l/spectrum.ts; the intuition page's Step 3, display by display, is lib/d2l/intuition.ts.
 *
 * Equations are named as in lib/d2l/model.ts (D2L: "d2l eq 2.4b", "d2l ex 4.1a" …) and, for the intuition page
 * "Derive BPTT Mathematically", by quoting its step: "intuition: Step 2, ∂h_t/∂h_{t−1} = W_hhᵀ · f′(a_{t−1})",
 * "intuition: Step 3, Π_k W_hhᵀ · f′(a_k)". Column-vector convention: h_t = φ(W_hx x_t + W_hh h_{t−1}).
 *
 * The Jacobian of one step is ∂h_j/∂h_{j−1} = diag(φ′(a_j)) W_hh, so the backward factor is its transpose
 * W_hhᵀ diag(φ′(a_j)) and ∂L/∂h_t collects (∂h_s/∂h_t)ᵀ = W_hhᵀ diag(φ′(a_{t+1})) ⋯ W_hhᵀ diag(φ′(a_s)), earlier
 * steps on the left. The intuition page writes the factor as W_hhᵀ · f′(a_{t−1}) for ∂h_t/∂h_{t−1}: that is the
 * transpose of the Jacobian, with the pre-activation one step too early (it is a_t, the step that produces h_t).
 *
 * Powers are repeated multiplications, never `**` (lib/core/libm.test.ts): Math.pow differs in the last bit between
 * engines.
 */
import {
  type Activation, type D2LOptions, type D2LParams, type D2LSequence, type Targets, activationDerivative, d2lForward,
  initD2L, randomSequence,
} from "./model.js";
import { d2lBackward } from "./d2l.js";
import {
  dot, identity, jacobiEigen, matrixPower, maxAsymmetry, mulVec, singularValues, spectralNorm, square, symmetricWithSpectrum,
  vnorm,
  withSpectralRadius,
} from "./spectrum.js";
import { type Matrix, type Vector, ShapeError, clone, matmul, transpose } from "../core/matrix.js";
import { makeRng } from "../core/rng.js";
import { checkSquareAndSpan } from "./validate.js";
import { experiments } from "../core/experiment.js";

const shp = (m: Matrix) => `[${m.rows},${m.cols}]`;

/**
 * d2l ex 4.1a: for symmetric M = Q Λ Qᵀ, M^k = Q Λ^k Qᵀ, so the eigenvalues of M^k are λ_i^k. Returns the eigenvalues
 * of the computed M^k and the k-th powers of M's eigenvalues, both sorted largest first, to compare.
 */
export function eigenvaluesOfPower(M: Matrix, k: number): { ofPower: Float64Array; powersOfEigenvalues: Float64Array } {
  const ofPower = jacobiEigen(matrixPower(M, k)).values;
  // λ^k by k multiplications (`power`), as matrixPower does: `l ** k` differs in the last bit between Node 20 and Chromium.
  const powersOfEigenvalues = jacobiEigen(M).values.map((l) => power(l, k)).sort((x, y) => y - x);
  return { ofPower, powersOfEigenvalues };
}

experiments(eigenvaluesOfPower, [{
  label: "The entrywise power (numpy's M ** k) for the matrix power",
  find: "const ofPower = jacobiEigen(matrixPower(M, k)).values;",
  replace: "const ofPower = jacobiEigen({ ...M, data: M.data.map((v) => { let x = 1; for (let i = 0; i < k; i++) x *= v; return x; }) }).values; // M ** k",
  why: "M^k in the exercise is the product M M ⋯ M, whose eigenvectors are M's and whose eigenvalues are λ_i^k. Raising " +
    "each entry to the k-th power (numpy's M ** k on an array, or Math.pow entry by entry) gives another symmetric matrix " +
    "with nothing to do with λ_i^k — only a 1 × 1 M cannot tell the two apart — so its eigenvalues disagree.",
}]);

export interface PowerIteration {
  /** x_0, x_1, …: x_{k+1} = M x_k / ‖M x_k‖, x_0 normalised. */
  iterates: Vector[];
  /** Rayleigh quotients x_kᵀ M x_k → λ_1 (with its sign). */
  rayleigh: Float64Array;
  /** |cos ∠(x_k, v_1)| → 1 (d2l ex 4.1b), v_1 the eigenvector of the eigenvalue of largest |λ|. */
  alignment: Float64Array;
  /** tan ∠(x_k, v_1) ≤ tan ∠(x_0, v_1) · (|λ_2|/|λ_1|)^k. */
  tanAngle: Float64Array;
  /** The dominant eigenpair, by Jacobi. */
  dominant: { value: number; vector: Vector };
  /** |λ_2|/|λ_1|: the rate; 1 means no single dominant direction and no convergence. */
  ratio: number;
}

/** d2l ex 4.1b: power iteration on a symmetric M from x0, `steps` times, with each iterate's alignment to v_1. */
export function powerIteration(M: Matrix, x0: Vector, steps: number): PowerIteration {
  const n = square("powerIteration", M);
  if (x0.length !== n) throw new ShapeError(`powerIteration: x0 has length ${x0.length}, expected ${n} (M ${shp(M)})`);
  const eig = jacobiEigen(M);
  const byMag = Array.from(eig.values.keys()).sort((i, j) => Math.abs(eig.values[j]!) - Math.abs(eig.values[i]!));
  const i1 = byMag[0]!, v1 = Float64Array.from({ length: n }, (_, k) => eig.vectors.data[k * n + i1]!);
  const ratio = n > 1 ? Math.abs(eig.values[byMag[1]!]!) / Math.abs(eig.values[i1]!) : 0;
  const iterates: Vector[] = [], rayleigh = new Float64Array(steps + 1), alignment = new Float64Array(steps + 1), tanAngle = new Float64Array(steps + 1);
  let x: Vector = x0.map((v) => v / vnorm(x0));
  for (let k = 0; k <= steps; k++) {
    iterates.push(x);
    const Mx = mulVec(M, x);
    rayleigh[k] = dot(x, Mx);
    const c = Math.min(1, Math.abs(dot(x, v1)));
    alignment[k] = c;
    tanAngle[k] = Math.sqrt(Math.max(0, 1 - c * c)) / c;
    const nm = vnorm(Mx);
    x = Mx.map((v) => v / nm);
  }
  return { iterates, rayleigh, alignment, tanAngle, dominant: { value: eig.values[i1]!, vector: v1 }, ratio };
}


export interface JacobianProducts {
  /** products[k − 1] = Π_{j=t+1}^{t+k} W_hhᵀ diag(φ′(a_j)) = (∂h_{t+k}/∂h_t)ᵀ, k = 1 … upTo − t. */
  products: Matrix[];
  /** ‖products[k − 1]‖₂. */
  norms: Float64Array;
  /** Singular values of each product, largest first. */
  singularValues: Float64Array[];
}

/**
 * intuition: Step 3, the time-propagated multiplier Π_k W_hhᵀ · f′(a_k), made precise: starting from step t (1-based),
 * P_k = P_{k−1} W_hhᵀ diag(φ′(a_{t+k})), so that ∂L/∂h_t = P_{T−t} ∂L/∂h_T when only l_T enters L.
 */
export function jacobianProducts(W_hh: Matrix, preacts: readonly Vector[], activation: Activation, from: number, upTo = preacts.length): JacobianProducts {
  const n = checkSquareAndSpan("jacobianProducts", W_hh, preacts, from, upTo);
  const WT = transpose(W_hh), products: Matrix[] = [];
  let P = identity(n);
  for (let j = from + 1; j <= upTo; j++) {
    const d = activationDerivative(activation, preacts[j - 1]!);
    const factor = clone(WT);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) factor.data[i * n + k]! *= d[k]!; // W_hhᵀ diag(d): scale column k
    P = matmul(P, factor);
    products.push(P);
  }
  const singular = products.map(singularValues);
  return { products, norms: Float64Array.from(singular, (s) => s[0] ?? 0), singularValues: singular };
}

experiments(jacobianProducts, [{
  label: "Multiply each new factor on the left",
  find: "P = matmul(P, factor);",
  replace: "P = matmul(factor, P);",
  why: "Backpropagation meets step t + 1 first: ∂L/∂h_t = W_hhᵀ diag(φ′(a_{t+1})) ⋯ W_hhᵀ diag(φ′(a_{t+k})) ∂L/∂h_{t+k}, " +
    "so each later step's factor goes on the right. Putting it on the left reverses the product, which for matrices that " +
    "do not commute is another matrix. With the linear model every factor is W_hhᵀ and the order cannot matter; with " +
    "tanh or ReLU each factor carries its own slopes, and finite differences disagree.",
}, {
  label: "The slope of the step before, φ′(a_{j−1}) (Step 2 as printed)",
  find: "activationDerivative(activation, preacts[j - 1]!)",
  replace: "activationDerivative(activation, preacts[j - 2]!)",
  why: "The factor of step j differentiates h_j = φ(a_j), so its slope is φ′(a_j), taken at the pre-activation of the step " +
    "that produces h_j. The intuition page writes f′(a_{t−1}) for ∂h_t/∂h_{t−1}: one step too early. Every factor then " +
    "carries its neighbour's slopes, which differ with tanh or ReLU, and finite differences disagree.",
}]);

/** ‖∂L/∂h_t‖₂ for t = 1 … T (d2l eqs 2.3–2.4a, with the activation). */
export function hiddenGradNorms(p: D2LParams, s: D2LSequence, opts?: D2LOptions): Float64Array {
  return Float64Array.from(d2lBackward(p, s, opts).dL_dh, vnorm);
}

export interface GradientNormDemoConfig {
  /** Hidden size n. */
  hidden: number;
  /** Input size d (default 2) and output size q (default 3). */
  d?: number;
  q?: number;
  T: number;
  seed: number;
  activation: Activation;
  /** Either a spectral radius (withSpectralRadius) or a full spectrum (symmetricWithSpectrum) or W_hh itself. */
  rho?: number;
  eigenvalues?: readonly number[];
  W_hh?: Matrix;
  /** Default "last": only l_T, so ∂L/∂h_t is exactly the Jacobian product applied to ∂L/∂h_T. */
  lossAt?: D2LOptions["lossAt"];
  /** x_t ~ U(−xScale, xScale)^d (default 1): large inputs saturate tanh. */
  xScale?: number;
  /** W_hx, W_qh ~ U(−k, k), k = weightScale/√n (default 1). */
  weightScale?: number;
  kind?: Targets["kind"];
}

export interface GradientNormDemo {
  p: D2LParams;
  s: D2LSequence;
  opts: D2LOptions;
  /** Eigenvalues of W_hh (Jacobi), largest first; empty for a non-symmetric W_hh. */
  eigenvalues: Float64Array;
  /** ‖∂L/∂h_t‖ for t = 1 … T. */
  norms: Float64Array;
  /** Pre-activations a_t (to build Jacobian products). */
  preacts: Vector[];
}

/**
 * W_hh's eigenvalues, remembered for the last W_hh: /vanishing builds its models from one seed and ρ with several
 * activations, and each of them asked Jacobi for the same matrix's values (the same bits, a copy each time).
 */
let lastEigen: { W: Float64Array; values: Float64Array } | null = null;
function eigenvaluesOf(W_hh: Matrix): Float64Array {
  const same = lastEigen?.W.length === W_hh.data.length && lastEigen.W.every((v, k) => Object.is(v, W_hh.data[k]));
  if (!same) lastEigen = { W: W_hh.data.slice(), values: jacobiEigen(W_hh, { vectors: false }).values };
  return lastEigen!.values.slice();
}

/** A seeded RNN with a W_hh of chosen spectrum and its ‖∂L/∂h_t‖ profile. */
export function gradientNormDemo(cfg: GradientNormDemoConfig): GradientNormDemo {
  const rng = makeRng(cfg.seed);
  const sizes = { d: cfg.d ?? 2, hidden: cfg.hidden, q: cfg.q ?? 3, T: cfg.T };
  const base = initD2L(sizes, rng, cfg.weightScale ?? 1);
  let W_hh: Matrix;
  if (cfg.W_hh) W_hh = clone(cfg.W_hh);
  else if (cfg.eigenvalues) W_hh = symmetricWithSpectrum(cfg.eigenvalues, rng).W;
  else if (cfg.rho !== undefined) W_hh = withSpectralRadius(cfg.hidden, cfg.rho, rng).W;
  else throw new RangeError("gradientNormDemo: give rho, eigenvalues or W_hh");
  if (W_hh.rows !== cfg.hidden || W_hh.cols !== cfg.hidden) throw new ShapeError(`gradientNormDemo: W_hh ${shp(W_hh)} must be [${cfg.hidden},${cfg.hidden}]`);
  const p: D2LParams = { ...base, W_hh };
  const s = randomSequence(sizes, rng, cfg.kind ?? "cross-entropy", { xScale: cfg.xScale ?? 1 });
  const opts: D2LOptions = { activation: cfg.activation, lossAt: cfg.lossAt ?? "last" };
  const f = d2lForward(p, s, opts);
  const symmetric = maxAsymmetry(W_hh) === 0;
  return {
    p, s, opts, eigenvalues: symmetric ? eigenvaluesOf(W_hh) : new Float64Array(0),
    norms: Float64Array.from(d2lBackward(p, s, opts, f).dL_dh, vnorm), preacts: f.a,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Gradient clipping

/** min-char-rnn's np.clip(dparam, −c, c): every entry into [−c, c]. Never increases any |g_i|; changes direction. */
export function clipByValue(g: ArrayLike<number>, c: number): Float64Array {
  if (!(c >= 0)) throw new RangeError(`clipByValue: c must be ≥ 0, got ${c}`);
  return Float64Array.from(g, (v) => Math.min(c, Math.max(-c, v)));
}

/**
 * D2L's g ← min(1, θ/‖g‖) g over ALL gradients together (‖g‖ the norm of their concatenation): keeps the direction,
 * makes the norm min(‖g‖, θ).
 */
export function clipByGlobalNorm(gs: readonly ArrayLike<number>[], theta: number): { clipped: Float64Array[]; norm: number; factor: number } {
  if (!(theta > 0)) throw new RangeError(`clipByGlobalNorm: θ must be > 0, got ${theta}`);
  let s = 0;
  for (const g of gs) for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
  const norm = Math.sqrt(s), factor = norm > theta ? theta / norm : 1;
  return { clipped: gs.map((g) => Float64Array.from(g, (v) => v * factor)), norm, factor };
}

export interface ClippingReport {
  /** ‖(∂L/∂W_hx, ∂L/∂W_hh, ∂L/∂W_qh)‖ before clipping. */
  gradNorm: number;
  /** min(1, θ/‖g‖). */
  factor: number;
  /** ‖g‖ after global-norm clipping: min(‖g‖, θ). */
  clippedNorm: number;
  /** ‖g‖ and max |g_i| after value clipping. */
  valueClippedNorm: number;
  valueClippedMaxAbs: number;
  /** cos ∠(clip_value(g), g): value clipping turns the step; norm clipping does not (cos = 1). */
  valueClippedCosine: number;
  /**
   * ‖C_t‖ for the terms C_t = ∂L/∂a_t x_tᵀ of ∂L/∂W_hx = Σ_t C_t (d2l eq 2.5a), t = 1 … T: with only l_T in L, C_t is
   * the signal that has travelled T − t steps back. (The terms of ∂L/∂W_hh, eq 2.5b, carry h_{t−1}, which is 0 at
   * t = 1 when h_0 = 0; the W_hx terms show the same decay without that artefact.)
   */
  contributions: Float64Array;
  /** The same after global-norm clipping (each scaled by `factor`) and after clipping each C_t by value. */
  contributionsNormClipped: Float64Array;
  contributionsValueClipped: Float64Array;
  /** ‖C_1‖/‖C_T‖ (farthest over nearest when only l_T enters L) before and after global-norm clipping: equal. */
  farToNear: { before: number; afterNormClip: number };
}

/**
 * What clipping does to a gradient of the model: by global norm (θ) it bounds the step and keeps every term's
 * share; by value (c) it bounds each entry. Neither increases any magnitude, so a contribution that has vanished
 * (‖C_1‖ ≪ ‖C_T‖) stays vanished: clipping acts after backpropagation and only ever shrinks.
 */
export function clippingReport(p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, theta: number, c: number): ClippingReport {
  const f = d2lForward(p, s, opts), g = d2lBackward(p, s, opts, f);
  const flat = [g.W_hx.data, g.W_hh.data, g.W_qh.data];
  const { clipped, norm, factor } = clipByGlobalNorm(flat, theta);
  const byValue = flat.map((x) => clipByValue(x, c));
  const all = (xs: ArrayLike<number>[]) => Float64Array.from(xs.flatMap((x) => Array.from(x)));
  const gv = all(byValue), g0 = all(flat);
  const T = s.xs.length, n = p.W_hh.rows, d = p.W_hx.cols;
  const terms = Array.from({ length: T }, (_, t) => {
    const x = s.xs[t]!, da = g.dL_da[t]!;
    return Float64Array.from({ length: n * d }, (_, k) => da[Math.floor(k / d)]! * x[k % d]!);
  });
  const contributions = Float64Array.from(terms, vnorm);
  const contributionsNormClipped = contributions.map((v) => v * factor);
  return {
    gradNorm: norm, factor, clippedNorm: vnorm(all(clipped)),
    valueClippedNorm: vnorm(gv), valueClippedMaxAbs: gv.reduce((m, v) => Math.max(m, Math.abs(v)), 0),
    valueClippedCosine: norm === 0 ? 1 : dot(gv, g0) / (vnorm(gv) * norm),
    contributions, contributionsNormClipped,
    contributionsValueClipped: Float64Array.from(terms, (x) => vnorm(clipByValue(x, c))),
    farToNear: { before: contributions[0]! / contributions[T - 1]!, afterNormClip: contributionsNormClipped[0]! / contributionsNormClipped[T - 1]! },
  };
}

experiments(clippingReport, [{
  label: "Clip each weight's gradient by its own norm, not the global one",
  find: "const { clipped, norm, factor } = clipByGlobalNorm(flat, theta);",
  replace: "const { norm, factor } = clipByGlobalNorm(flat, theta), clipped = flat.map((x) => clipByGlobalNorm([x], theta).clipped[0]!); // per weight",
  why: "D2L's rule scales ALL gradients by one factor min(1, θ/‖g‖), ‖g‖ the norm of their concatenation: the step keeps " +
    "its direction and its norm becomes θ. Clipping ∂L/∂W_hx, ∂L/∂W_hh and ∂L/∂W_qh each to norm θ shrinks them by " +
    "different factors, turns the step, and leaves a norm up to √3 θ, so the norm after clipping is no longer θ.",
}]);

// ---------------------------------------------------------------------------------------------------------------
// The page's measurements

/** x^k by k multiplications: `x ** k` differs in the last bit between Node 20 and Chromium. */
export function power(x: number, k: number): number {
  let v = 1;
  for (let i = 0; i < k; i++) v *= x;
  return v;
}

/** ρ^k for each k, the first-order rate at which a linear RNN's gradient shrinks or grows over k steps. */
export function powers(rho: number, ks: readonly number[]): Float64Array {
  return Float64Array.from(ks, (k) => power(rho, k));
}

/** ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖: how much of the signal at the last step is left after travelling T − 1 steps back. */
export function firstOverLast(norms: ArrayLike<number>): number {
  return norms[0]! / norms[norms.length - 1]!;
}

/**
 * Eigenvalues that are all "< 1", the condition as D2L §2.4 and the intuition page state it, yet explode: −1.25 and
 * n − 1 others in [0, 0.5). The spectral radius, 1.25, is what counts.
 */
export function eigenvaluesAllBelowOne(n: number): number[] {
  return Array.from({ length: n }, (_, i) => (i === 0 ? -1.25 : (0.5 * i) / n));
}

/** max_i λ_i (algebraically): the "largest eigenvalue" of the sources' statement. */
export function largestEigenvalue(eigenvalues: ArrayLike<number>): number {
  return Array.from(eigenvalues).reduce((m, l) => Math.max(m, l), -Infinity);
}

/** ρ = max_i |λ_i|, the spectral radius. */
export function spectralRadius(eigenvalues: ArrayLike<number>): number {
  return Array.from(eigenvalues).reduce((m, l) => Math.max(m, Math.abs(l)), 0);
}

experiments(spectralRadius, [{
  label: "The largest eigenvalue, not the largest |λ| (the sources' wording)",
  find: "Math.max(m, Math.abs(l))",
  replace: "Math.max(m, l)",
  why: "Powers multiply magnitudes: an eigenvalue λ contributes λ^k, whose size is |λ|^k whatever its sign. The rate at " +
    "which ‖(W_hhᵀ)^k‖ grows or shrinks is therefore max |λ_i|, the spectral radius. The algebraically largest eigenvalue " +
    "ignores the −1.25 of this W_hh: it says the powers shrink, while ‖(W_hhᵀ)^{T−1}‖₂ grows like 1.25^{T−1}.",
}]);

/** Rows [k, ‖(W_hhᵀ)^k‖₂, ρ^k] for the k below T: the powers of a symmetric W_hh against those of its spectral radius. */
export function powerNormsAgainstRho(W_hh: Matrix, preacts: readonly Vector[], rho: number, ks: readonly number[]): [number, number, number][] {
  return ks.filter((k) => k < preacts.length).map((k) => {
    const P = jacobianProducts(W_hh, preacts, "identity", 1, k + 1).products[k - 1]!;
    return [k, spectralNorm(P), power(rho, k)];
  });
}

/**
 * intuition: Step 2 as printed, ∂h_t/∂h_{t−1} = W_hhᵀ · f′(a_{t−1}), read as W_hhᵀ diag(φ′(a_{t−1})) at a 1-based t ≥ 2:
 * the transpose of a backward factor, with the slope of the step before.
 */
export function stepJacobianAsPrinted(W_hh: Matrix, preacts: readonly Vector[], activation: Activation, t: number): Matrix {
  return jacobianProducts(W_hh, preacts, activation, t - 2, t - 1).products[0]!;
}

/**
 * The span of intuition: Step 3's product that /vanishing shows: the last k = min(maxFactors, T − 1) steps, ending at
 * T, so that (∂h_T/∂h_{T−k})ᵀ is `jacobianProducts(W_hh, preacts, activation, start).products[factors − 1]`.
 */
export function lastSteps(T: number, maxFactors = 5): { start: number; factors: number } {
  const factors = Math.min(maxFactors, T - 1);
  return { start: T - factors, factors };
}

/** The mean of φ′(a_t) over all units and steps: near 1 for mild inputs, far below for saturated ones. */
export function meanSlope(preacts: readonly Vector[], activation: Activation): number {
  return preacts.reduce((acc, at) => acc + activationDerivative(activation, at).reduce((x, y) => x + y, 0) / at.length, 0) / preacts.length;
}

/**
 * The page's clipping thresholds, scaled to the gradient so that clipping bites whatever ρ is: θ a tenth of ‖g‖ (1
 * when g = 0, as when every ReLU is off) and c a hundredth of it (the page's report is `clippingReport` at these);
 * and min(‖g‖, θ), the norm that global-norm clipping must leave.
 */
export function clippingThresholds(p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined): { theta: number; c: number; clippedNorm: number } {
  const gNorm = clippingReport(p, s, opts, 1, 1).gradNorm, theta = gNorm / 10 || 1;
  return { theta, c: gNorm / 100, clippedNorm: Math.min(gNorm, theta) };
}

/** Rows [i, i-th eigenvalue of M^k, λ_i^k, their difference] of `eigenvaluesOfPower`. */
export function eigenvaluesOfPowerRows(pow: ReturnType<typeof eigenvaluesOfPower>): [number, number, number, number][] {
  return Array.from(pow.ofPower, (v, i) => [i + 1, v, pow.powersOfEigenvalues[i]!, v - pow.powersOfEigenvalues[i]!]);
}

/** A seeded start x_0 ~ U(−1, 1)^n for power iteration, from its own stream (seed + 1), apart from the model's. */
export function randomStart(n: number, seed: number): Vector {
  const r = makeRng((seed + 1) >>> 0); // wrapped, so that the largest seed has a stream too
  return Float64Array.from({ length: n }, () => r.uniform(-1, 1));
}

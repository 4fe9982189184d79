/**
 * Why the gradients of an RNN vanish or explode, as matrix facts: W_hh built with a chosen spectrum, its eigenvalues
 * (Jacobi) and power iteration (D2L's exercise 4.1), ‖∂L/∂h_t‖ against t for linear, tanh and ReLU RNNs, the
 * product of Jacobians Π W_hhᵀ diag(φ′(a_k)) with its norms and singular values, and gradient clipping by value
 * and by global norm, which bounds a step but cannot restore a vanished signal.
 *
 * Equations are named as in lib/d2l/d2l.ts (D2L: "d2l eq 2.4b", "d2l ex 4.1a" …) and, for the intuition page
 * "Derive BPTT Mathematically"), by quoting its step: "intuition: Step 2, ∂h_t/∂h_{t−1} = W_hhᵀ · f′(a_{t−1})", "intuition: Step 3,
 * Π_k W_hhᵀ · f′(a_k)". Column-vector convention (lib/d2l/d2l.ts): h_t = φ(W_hx x_t + W_hh h_{t−1}).
 *
 * The Jacobian of one step is ∂h_j/∂h_{j−1} = diag(φ′(a_j)) W_hh, so the backward factor is its transpose
 * W_hhᵀ diag(φ′(a_j)) and ∂L/∂h_t collects (∂h_s/∂h_t)ᵀ = W_hhᵀ diag(φ′(a_{t+1})) ⋯ W_hhᵀ diag(φ′(a_s)), earlier
 * steps on the left. The intuition page writes the factor as W_hhᵀ · f′(a_{t−1}) for ∂h_t/∂h_{t−1}: that is the
 * transpose of the Jacobian, with the pre-activation one step too early (it is a_t, the step that produces h_t).
 *
 * Randomness only from lib/core/rng.ts (uniforms); every routine uses + − × ÷ and √ only, which IEEE 754 rounds
 * correctly, so a seed gives the same bits in every engine.
 */
import {
  type Activation, type D2LOptions, type D2LParams, type D2LSequence, type Targets, activationDerivative, d2lBackward,
  d2lForward, initD2L, randomSequence,
} from "./d2l.js";
import { type Matrix, type Vector, ShapeError, clone, matmul, transpose, zeros } from "../core/matrix.js";
import { type Rng, makeRng } from "../core/rng.js";

const shp = (m: Matrix) => `[${m.rows},${m.cols}]`;

function square(op: string, M: Matrix): number {
  if (M.rows !== M.cols) throw new ShapeError(`${op}: M ${shp(M)} must be square`);
  return M.rows;
}

export function identity(n: number): Matrix {
  const I = zeros(n, n);
  for (let i = 0; i < n; i++) I.data[i * n + i] = 1;
  return I;
}

export function vnorm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

/** ‖A‖_F. */
export function frobenius(A: Matrix): number {
  return vnorm(A.data);
}

/**
 * Householder QR of a square A: A = Q R with Q orthogonal and R upper triangular with R_ii ≥ 0 (the signs fixed, so
 * the factorisation is unique for invertible A).
 */
export function householderQR(A: Matrix): { Q: Matrix; R: Matrix } {
  const n = square("householderQR", A);
  const R = clone(A), Q = identity(n);
  for (let k = 0; k < n - 1; k++) {
    const x = Float64Array.from({ length: n - k }, (_, i) => R.data[(k + i) * n + k]!);
    const nx = vnorm(x);
    if (nx === 0) continue;
    const alpha = x[0]! > 0 ? -nx : nx; // reflect onto ∓‖x‖ e_1, away from x, to avoid cancellation
    const v = x.slice();
    v[0]! -= alpha;
    const nv2 = v.reduce((s, a) => s + a * a, 0);
    if (nv2 === 0) continue;
    // R ← (I − 2vvᵀ/vᵀv) R on rows k…n−1; Q ← Q (I − 2vvᵀ/vᵀv) on columns k…n−1
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n - k; i++) s += v[i]! * R.data[(k + i) * n + j]!;
      const f = (2 * s) / nv2;
      for (let i = 0; i < n - k; i++) R.data[(k + i) * n + j]! -= f * v[i]!;
    }
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n - k; j++) s += Q.data[i * n + k + j]! * v[j]!;
      const f = (2 * s) / nv2;
      for (let j = 0; j < n - k; j++) Q.data[i * n + k + j]! -= f * v[j]!;
    }
    for (let i = k + 1; i < n; i++) R.data[i * n + k] = 0;
  }
  for (let k = 0; k < n; k++) {
    if (R.data[k * n + k]! < 0) {
      for (let j = k; j < n; j++) R.data[k * n + j] = -R.data[k * n + j]!; // the zeros left of the diagonal stay +0
      for (let i = 0; i < n; i++) Q.data[i * n + k] = -Q.data[i * n + k]!;
    }
  }
  return { Q, R };
}

/**
 * A seeded random orthogonal n × n matrix: the Q of a Householder QR of a matrix of U(−1, 1) entries. (Exactly
 * Haar-distributed Q would need Gaussian entries, which lib/core/rng.ts deliberately does not draw.)
 */
export function randomOrthogonal(n: number, rng: Rng): Matrix {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`randomOrthogonal: n must be a positive integer, got ${n}`);
  const A = zeros(n, n);
  for (let k = 0; k < A.data.length; k++) A.data[k] = rng.uniform(-1, 1);
  return householderQR(A).Q;
}

/** (M + Mᵀ)/2: exactly symmetric. */
export function symmetrize(M: Matrix): Matrix {
  const n = square("symmetrize", M), S = zeros(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) S.data[i * n + j] = (M.data[i * n + j]! + M.data[j * n + i]!) / 2;
  return S;
}

/**
 * W = Q diag(λ) Qᵀ for a random orthogonal Q: symmetric, with exactly the chosen eigenvalues λ (up to rounding) and
 * eigenvectors the columns of Q. With |λ_i| = 1 for all i this is an orthogonal initialisation (d2l ex 4.2).
 */
export function symmetricWithSpectrum(eigenvalues: ArrayLike<number>, rng: Rng): { W: Matrix; Q: Matrix; eigenvalues: Float64Array } {
  const n = eigenvalues.length, Q = randomOrthogonal(n, rng), W = zeros(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += Q.data[i * n + k]! * eigenvalues[k]! * Q.data[j * n + k]!;
    W.data[i * n + j] = s;
  }
  return { W: symmetrize(W), Q, eigenvalues: Float64Array.from(eigenvalues) };
}

/**
 * A symmetric n × n W_hh with spectral radius exactly ρ: eigenvalues ρ and n − 1 others drawn uniformly from
 * (−ratio·ρ, ratio·ρ), so |λ_2|/|λ_1| < ratio (the power-iteration rate).
 */
export function withSpectralRadius(n: number, rho: number, rng: Rng, ratio = 0.8): { W: Matrix; Q: Matrix; eigenvalues: Float64Array } {
  if (!(rho >= 0) || !(ratio >= 0 && ratio < 1)) throw new RangeError(`withSpectralRadius: need ρ ≥ 0 and 0 ≤ ratio < 1, got ${rho}, ${ratio}`);
  const eigs = Float64Array.from({ length: n }, (_, i) => (i === 0 ? rho : rng.uniform(-ratio * rho, ratio * rho)));
  return symmetricWithSpectrum(eigs, rng);
}

export function maxAsymmetry(M: Matrix): number {
  const n = square("maxAsymmetry", M);
  let m = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) m = Math.max(m, Math.abs(M.data[i * n + j]! - M.data[j * n + i]!));
  return m;
}

export interface Eigen {
  /** Eigenvalues, largest first (algebraically). */
  values: Float64Array;
  /** Column i is the unit eigenvector of values[i]. */
  vectors: Matrix;
  /** Jacobi sweeps used. */
  sweeps: number;
}

/**
 * The cyclic Jacobi eigenvalue algorithm for a symmetric matrix: rotate away each off-diagonal entry in turn until
 * the off-diagonal mass is below tol·‖S‖_F. Accepts matrices symmetric up to 1e-10 relative (e.g. computed powers)
 * and symmetrises them first.
 */
export function jacobiEigen(S: Matrix, o?: { tol?: number; maxSweeps?: number }): Eigen {
  const n = square("jacobiEigen", S);
  const tol = o?.tol ?? 1e-15, maxSweeps = o?.maxSweeps ?? 100;
  const scale = S.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  if (maxAsymmetry(S) > 1e-10 * scale) throw new RangeError(`jacobiEigen: S ${shp(S)} is not symmetric (max |s_ij − s_ji| = ${maxAsymmetry(S)})`);
  const A = symmetrize(S), V = identity(n), a = A.data, v = V.data;
  const fro = frobenius(A);
  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) off += a[i * n + j]! * a[i * n + j]!;
    if (Math.sqrt(off) <= tol * fro || fro === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) { // A ← A J
          const akp = a[k * n + p]!, akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) { // A ← Jᵀ A
          const apk = a[p * n + k]!, aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = 0; a[q * n + p] = 0;
        for (let k = 0; k < n; k++) { // V ← V J
          const vkp = v[k * n + p]!, vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j]! - a[i * n + i]!);
  const values = Float64Array.from(order, (i) => a[i * n + i]!);
  const vectors = zeros(n, n);
  order.forEach((src, dst) => { for (let k = 0; k < n; k++) vectors.data[k * n + dst] = v[k * n + src]!; });
  return { values, vectors, sweeps };
}

/** max_i |λ_i| of a symmetric matrix, by Jacobi. */
export function spectralRadiusSymmetric(S: Matrix): number {
  return jacobiEigen(S).values.reduce((m, l) => Math.max(m, Math.abs(l)), 0);
}

/** M^k by repeated multiplication (M⁰ = I). */
export function matrixPower(M: Matrix, k: number): Matrix {
  const n = square("matrixPower", M);
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`matrixPower: k must be a non-negative integer, got ${k}`);
  let P = identity(n);
  for (let i = 0; i < k; i++) P = matmul(P, M);
  return P;
}

/**
 * d2l ex 4.1a: for symmetric M = Q Λ Qᵀ, M^k = Q Λ^k Qᵀ, so the eigenvalues of M^k are λ_i^k. Returns the eigenvalues
 * of the computed M^k and the k-th powers of M's eigenvalues, both sorted largest first, to compare.
 */
export function eigenvaluesOfPower(M: Matrix, k: number): { ofPower: Float64Array; powersOfEigenvalues: Float64Array } {
  const ofPower = jacobiEigen(matrixPower(M, k)).values;
  // λ^k by k multiplications, as matrixPower does: `l ** k` differs in the last bit between Node 20 and Chromium.
  const power = (l: number) => { let v = 1; for (let i = 0; i < k; i++) v *= l; return v; };
  const powersOfEigenvalues = jacobiEigen(M).values.map(power).sort((x, y) => y - x);
  return { ofPower, powersOfEigenvalues };
}

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

const dot = (u: ArrayLike<number>, v: ArrayLike<number>) => { let s = 0; for (let i = 0; i < u.length; i++) s += u[i]! * v[i]!; return s; };
function mulVec(A: Matrix, x: Vector): Vector {
  const out = new Float64Array(A.rows);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) out[i]! += A.data[i * A.cols + j]! * x[j]!;
  return out;
}

/** Singular values of A, largest first: √ of the eigenvalues of AᵀA (Jacobi). Small ones lose relative accuracy. */
export function singularValues(A: Matrix): Float64Array {
  return jacobiEigen(matmul(transpose(A), A)).values.map((l) => Math.sqrt(Math.max(0, l)));
}

/** ‖A‖₂ = σ_max(A). */
export function spectralNorm(A: Matrix): number {
  return singularValues(A)[0] ?? 0;
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
  const n = square("jacobianProducts", W_hh);
  if (!(Number.isInteger(from) && from >= 1 && upTo >= from && upTo <= preacts.length)) {
    throw new RangeError(`jacobianProducts: need 1 ≤ from ≤ upTo ≤ T = ${preacts.length}, got ${from}, ${upTo}`);
  }
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
    p, s, opts, eigenvalues: symmetric ? jacobiEigen(W_hh).values : new Float64Array(0),
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

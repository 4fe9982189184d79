/**
 * The matrix facts behind vanishing and exploding gradients, as the /vanishing page uses them: a symmetric W_hh
 * built with a chosen spectrum (a seeded Householder Q, W = Q diag(λ) Qᵀ; with every |λ| = 1 the orthogonal
 * initialisation of d2l ex 4.2), its eigenvalues by the cyclic Jacobi algorithm, powers, and singular values.
 *
 * Randomness only from lib/core/rng.ts (uniforms); every routine uses + − × ÷ and √ only, which IEEE 754 rounds
 * correctly, so a seed gives the same bits in every engine.
 */
import { type Matrix, type Vector, ShapeError, clone, matmul, transpose, zeros } from "../core/matrix.js";
import type { Rng } from "../core/rng.js";

const shp = (m: Matrix) => `[${m.rows},${m.cols}]`;

/** n for an n × n M; a ShapeError naming `op` otherwise. */
export function square(op: string, M: Matrix): number {
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
  /** Column i is the unit eigenvector of values[i]; 0 × 0 when asked for the values only (`vectors: false`). */
  vectors: Matrix;
  /** Jacobi sweeps used. */
  sweeps: number;
}

/**
 * The cyclic Jacobi eigenvalue algorithm for a symmetric matrix: rotate away each off-diagonal entry in turn until
 * the off-diagonal mass is below tol·‖S‖_F. Accepts matrices symmetric up to 1e-10 relative (e.g. computed powers)
 * and symmetrises them first.
 */
export function jacobiEigen(S: Matrix, o?: { tol?: number; maxSweeps?: number; vectors?: boolean }): Eigen {
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
        if (o?.vectors !== false) for (let k = 0; k < n; k++) { // V ← V J (the values never read V)
          const vkp = v[k * n + p]!, vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j]! - a[i * n + i]!);
  const values = Float64Array.from(order, (i) => a[i * n + i]!);
  const vectors = o?.vectors === false ? zeros(0, 0) : zeros(n, n);
  if (o?.vectors !== false) order.forEach((src, dst) => { for (let k = 0; k < n; k++) vectors.data[k * n + dst] = v[k * n + src]!; });
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

/** uᵀv. */
export const dot = (u: ArrayLike<number>, v: ArrayLike<number>): number => { let s = 0; for (let i = 0; i < u.length; i++) s += u[i]! * v[i]!; return s; };

/** A x. */
export function mulVec(A: Matrix, x: Vector): Vector {
  const out = new Float64Array(A.rows);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) out[i]! += A.data[i * A.cols + j]! * x[j]!;
  return out;
}

/** Singular values of A, largest first: √ of the eigenvalues of AᵀA (Jacobi). Small ones lose relative accuracy. */
export function singularValues(A: Matrix): Float64Array {
  return jacobiEigen(matmul(transpose(A), A), { vectors: false }).values.map((l) => Math.sqrt(Math.max(0, l)));
}

/** ‖A‖₂ = σ_max(A). */
export function spectralNorm(A: Matrix): number {
  return singularValues(A)[0] ?? 0;
}

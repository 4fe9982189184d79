/**
 * The /truncation page: gradient estimators for the weights of the D2L model (lib/d2l/model.ts, column vectors): full BPTT, truncation after k
 * steps (d2l eq 1.2, §1.2) and randomized truncation (d2l eqs 1.3a, 1.3b, §1.3, after Tallec & Ollivier 2017), with
 * Monte-Carlo and exact (enumerated) moments of the randomized estimator.
 *
 * All three are instances of D2L's forward-mode view (d2l eqs 1c–1e): ∂L/∂w_h = Σ_t c_tᵀ ∂h_t/∂w_h with
 * c_t = W_qhᵀ ∂L/∂o_t, and ∂h_t/∂w_h = Σ_{i=1}^{t} (J_t ⋯ J_{i+1}) A_i, where A_i = ∂f_i/∂w_h and J_j = ∂f_j/∂h_{j−1}
 * (lib/d2l/d2l.ts `forwardModePieces`). Here w_h = W_hx ⊕ W_hh flattened. W_qh has no recurrence: every estimator
 * returns the exact ∂L/∂W_qh of d2l eq 2.2.
 *
 * TRUNCATION AFTER k STEPS, precisely (D2L: "truncating the sum after τ steps, ignoring contributions beyond
 * ∂h_{t−τ}/∂w_h"): in eq 1e keep the terms i ≥ t − k, i.e. those whose Jacobian product has at most k factors:
 *     ∂h_t/∂w_h ≈ Σ_{i=max(1, t−k)}^{t} (J_t ⋯ J_{i+1}) A_i.
 * Equivalently, for the loss term at step t, h_{t−k−1} is treated as a constant (detached). k = 0 keeps only the
 * direct term A_t. The longest product in a sequence of T steps has T − 1 factors (l_T back to step 1), so the
 * estimator is exact for k ≥ T − 1 and biased, in general, for k ≤ T − 2.
 *
 * RANDOMIZED TRUNCATION: z_t = A_t + ξ_t J_t z_{t−1}, z_0 = 0, with independent ξ_t, P(ξ_t = 0) = 1 − π_t and
 * P(ξ_t = 1/π_t) = π_t, so E[ξ_t] = 1. The source writes ∂h_{t−1}/∂w_h (the exact derivative) where the recursion
 * needs z_{t−1}; only with z_{t−1} does ξ_t = 0 "stop the recurrence". E[z_t] = A_t + J_t E[z_{t−1}] by independence,
 * so E[z_t] = ∂h_t/∂w_h and the estimator Σ_t c_tᵀ z_t is unbiased; ξ_1 multiplies z_0 = 0 and never matters.
 */
import {
  type D2LOptions, type D2LParams, type D2LSequence, type Gate, type WeightGrads, activationDerivative, d2lForward,
  hPrevAt, mtv,
} from "./model.js";
import { type ForwardModePieces, forwardModePieces, gradW_qh, outputGrads } from "./d2l.js";
import { type Matrix, type Vector, addOuterInPlace, zeros } from "../core/matrix.js";
import { type Rng, makeRng } from "../core/rng.js";
import { experiments } from "../core/experiment.js";

/** W_hx, W_hh, W_qh concatenated, each row-major. */
export function flattenWeights(g: WeightGrads): Vector {
  const out = new Float64Array(g.W_hx.data.length + g.W_hh.data.length + g.W_qh.data.length);
  out.set(g.W_hx.data, 0);
  out.set(g.W_hh.data, g.W_hx.data.length);
  out.set(g.W_qh.data, g.W_hx.data.length + g.W_hh.data.length);
  return out;
}

/** The inverse of `flattenWeights`, with the shapes of p. */
export function unflattenWeights(v: ArrayLike<number>, p: D2LParams): WeightGrads {
  const nx = p.W_hx.data.length, nh = p.W_hh.data.length, nq = p.W_qh.data.length;
  if (v.length !== nx + nh + nq) throw new RangeError(`unflattenWeights: ${v.length} numbers for ${nx} + ${nh} + ${nq} weights`);
  const m = (src: Matrix, off: number): Matrix => ({ rows: src.rows, cols: src.cols, data: Float64Array.from({ length: src.data.length }, (_, k) => v[off + k]!) });
  return { W_hx: m(p.W_hx, 0), W_hh: m(p.W_hh, nx), W_qh: m(p.W_qh, nx + nh) };
}

/** Split eq 1c's flattened w_h = W_hx ⊕ W_hh back into matrices, and add the exact W_qh. */
function assemble(pc: ForwardModePieces, flat: Vector, W_qh: Matrix, p: D2LParams): WeightGrads {
  const nx = p.W_hx.data.length;
  return {
    W_hx: { rows: p.W_hx.rows, cols: p.W_hx.cols, data: flat.slice(0, nx) },
    W_hh: { rows: p.W_hh.rows, cols: p.W_hh.cols, data: flat.slice(nx, pc.layout.P) },
    W_qh,
  };
}

/** Computed once per set of pieces: the Monte-Carlo and exact moments ask for it once per draw or pattern. */
const wqhOf = new WeakMap<ForwardModePieces, { s: D2LSequence; W_qh: Matrix }>();

function exactWqh(pc: ForwardModePieces, s: D2LSequence): Matrix {
  let known = wqhOf.get(pc);
  if (known?.s !== s) wqhOf.set(pc, (known = { s, W_qh: gradW_qh(outputGrads(pc.f, s.targets), pc.f.h) }));
  return { rows: known.W_qh.rows, cols: known.W_qh.cols, data: known.W_qh.data.slice() };
}

/** out += cᵀ D (D is h × P). */
function addCtD(out: Float64Array, c: Vector, D: Float64Array, P: number): void {
  for (let i = 0; i < c.length; i++) {
    const ci = c[i]!;
    if (ci === 0) continue;
    for (let k = 0; k < P; k++) out[k]! += ci * D[i * P + k]!;
  }
}

/** D ← A + g · J D, in place into `next` (h × P). */
function stepInto(next: Float64Array, A: Matrix, J: Matrix, g: number, D: Float64Array, P: number): void {
  const n = J.rows;
  next.set(A.data);
  if (g === 0) return;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const gij = g * J.data[i * n + j]!;
    if (gij === 0) continue;
    for (let k = 0; k < P; k++) next[i * P + k]! += gij * D[j * P + k]!;
  }
}

/** Full BPTT in D2L's forward-mode form: eq 1c with ∂h_t/∂w_h from the recursion 1d. Equals d2l eqs 2.5. */
export function fullGradient(p: D2LParams, s: D2LSequence, opts?: D2LOptions): WeightGrads {
  return randomizedGradient(p, s, new Float64Array(s.xs.length).fill(1), opts);
}

/** The gate of truncation after k steps: the change of h_{j−1} passes into h_j for the loss at t iff j − 1 ≥ t − k. */
export function truncationGate(k: number): Gate {
  checkK(k);
  return (t, j) => (j - 1 >= t - k ? 1 : 0);
}

/** The gate of randomized truncation: ξ_j, whatever the loss step. */
export function randomizedGate(xi: ArrayLike<number>): Gate {
  return (_t, j) => xi[j - 1]!;
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`truncation: k must be a non-negative integer, got ${k}`);
}

/**
 * d2l eq 1.2, forward mode: ∂L/∂w_h ≈ Σ_t c_tᵀ Σ_{i=max(1,t−k)}^{t} (J_t ⋯ J_{i+1}) A_i, each window run afresh
 * from its first step i = max(1, t − k) (D = A_i, then D ← A_j + J_j D).
 */
export function truncatedGradient(p: D2LParams, s: D2LSequence, k: number, opts?: D2LOptions, pieces?: ForwardModePieces): WeightGrads {
  checkK(k);
  const pc = pieces ?? forwardModePieces(p, s, opts);
  const T = pc.A.length, P = pc.layout.P, n = p.W_hh.rows;
  const flat = new Float64Array(P);
  let D = new Float64Array(n * P), next = new Float64Array(n * P);
  for (let t = 1; t <= T; t++) {
    const start = Math.max(1, t - k);
    D.set(pc.A[start - 1]!.data);
    for (let j = start + 1; j <= t; j++) {
      stepInto(next, pc.A[j - 1]!, pc.J[j - 1]!, 1, D, P);
      [D, next] = [next, D];
    }
    addCtD(flat, pc.c[t - 1]!, D, P);
  }
  return assemble(pc, flat, exactWqh(pc, s), p);
}

experiments(truncatedGradient, [{
  label: "Cut one step late: windows of k + 1 factors",
  find: "const start = Math.max(1, t - k);",
  replace: "const start = Math.max(1, t - k - 1);",
  why: "Truncation after k steps keeps, for the loss at step t, the Jacobian products of at most k factors: the window " +
    "starts at step t − k, and h_{t−k−1} is treated as a constant. Starting it one step earlier keeps products of k + 1 " +
    "factors, i.e. truncation after k + 1 steps: a different estimator, so finite differences of the loss with exactly " +
    "the edges older than k cut disagree (unless k ≥ T − 1, where nothing is cut either way).",
}]);

/**
 * The same estimator in reverse mode, as truncated BPTT is implemented: for each loss term l_t, backpropagate
 * δ = W_qhᵀ ∂L/∂o_t through steps t, t − 1, …, max(1, t − k) only, accumulating φ′(a_i) ⊙ δ times x_iᵀ and h_{i−1}ᵀ.
 */
export function truncatedGradientReverse(p: D2LParams, s: D2LSequence, k: number, opts?: D2LOptions): WeightGrads {
  checkK(k);
  const act = opts?.activation ?? "identity";
  const f = d2lForward(p, s, opts), dL_do = outputGrads(f, s.targets), T = s.xs.length, n = p.W_hh.rows;
  const W_hx = zeros(n, p.W_hx.cols), W_hh = zeros(n, n);
  for (let t = 1; t <= T; t++) {
    if (f.weights[t - 1] === 0) continue;
    let delta = mtv(p.W_qh, dL_do[t - 1]!);
    for (let i = t; i >= Math.max(1, t - k); i--) {
      const da = activationDerivative(act, f.a[i - 1]!).map((v, r) => v * delta[r]!);
      addOuterInPlace(W_hx, da, s.xs[i - 1]!);
      addOuterInPlace(W_hh, da, hPrevAt(f, i - 1));
      delta = mtv(p.W_hh, da);
    }
  }
  return { W_hx, W_hh, W_qh: gradW_qh(dL_do, f.h) };
}

/**
 * d2l eq 1.3a: ξ_1 … ξ_T, independent, ξ_t = 1/π_t with probability π_t and 0 otherwise (E[ξ_t] = 1). With
 * `scaled: false`, ξ_t ∈ {0, 1} instead: a randomly truncated but BIASED estimator (E[ξ_t] = π_t), kept to show that
 * the unbiasedness checks can fail. `rng` is a stream, or a seed: then ξ is drawn from `xiRng(seed)`, the stream of the
 * one ξ /truncation shows (a seed, unlike a stream, can be sent to the sandbox that runs a reader's version).
 */
export function sampleXi(pi: number | ArrayLike<number>, T: number, rng: Rng | number, scaled = true): Float64Array {
  const pis = piArray(pi, T), r = typeof rng === "number" ? xiRng(rng) : rng;
  return pis.map((q) => (r.next() < q ? (scaled ? 1 / q : 1) : 0));
}

function piArray(pi: number | ArrayLike<number>, T: number): Float64Array {
  const pis = typeof pi === "number" ? new Float64Array(T).fill(pi) : Float64Array.from(pi);
  if (pis.length !== T) throw new RangeError(`randomized truncation: ${pis.length} probabilities π_t for T = ${T} steps`);
  pis.forEach((q, t) => {
    if (!(q > 0 && q <= 1)) throw new RangeError(`randomized truncation: π_${t + 1} = ${q} must lie in (0, 1]`);
  });
  return pis;
}

/**
 * d2l eq 1.3b (corrected) for a given ξ: z_t = A_t + ξ_t J_t z_{t−1}, z_0 = 0, and the estimator Σ_t c_tᵀ z_t of the
 * w_h part (ξ ≡ 1: full BPTT, eq 1d); ∂L/∂W_qh is exact.
 */
export function randomizedGradient(p: D2LParams, s: D2LSequence, xi: ArrayLike<number>, opts?: D2LOptions, pieces?: ForwardModePieces): WeightGrads {
  const pc = pieces ?? forwardModePieces(p, s, opts);
  const T = pc.A.length, P = pc.layout.P, n = pc.J[0]!.rows;
  if (xi.length !== T) throw new RangeError(`randomizedGradient: ${xi.length} values ξ_t for T = ${T} steps`);
  const flat = new Float64Array(P);
  let z = new Float64Array(n * P), next = new Float64Array(n * P);
  for (let t = 1; t <= T; t++) {
    if (t === 1) z.set(pc.A[0]!.data); // z_1 = A_1 + ξ_1 J_1 z_0 with z_0 = 0
    else {
      stepInto(next, pc.A[t - 1]!, pc.J[t - 1]!, xi[t - 1]!, z, P); // z_t = A_t + ξ_t J_t z_{t−1}
      [z, next] = [next, z];
    }
    addCtD(flat, pc.c[t - 1]!, z, P);
  }
  return assemble(pc, flat, exactWqh(pc, s), p);
}

experiments(randomizedGradient, [{
  label: "Feed back the exact ∂h_{t−1}/∂w_h, as eq 1.3b is printed, not z_{t−1}",
  find: "stepInto(next, pc.A[t - 1]!, pc.J[t - 1]!, xi[t - 1]!, z, P); // z_t = A_t + ξ_t J_t z_{t−1}",
  replace: "let exact = pc.A[0]!.data.slice(); // ∂h_{t−1}/∂w_h by eq 1d, every ξ = 1\n" +
    "      for (let j = 2; j <= t - 1; j++) { const e = new Float64Array(n * P); stepInto(e, pc.A[j - 1]!, pc.J[j - 1]!, 1, exact, P); exact = e; }\n" +
    "      stepInto(next, pc.A[t - 1]!, pc.J[t - 1]!, xi[t - 1]!, exact, P); // z_t = A_t + ξ_t J_t ∂h_{t−1}/∂w_h",
  why: "The source multiplies ξ_t J_t by the exact derivative ∂h_{t−1}/∂w_h. Then ξ_t = 0 only drops the one edge into step " +
    "t for the loss at t; every other loss term still sees the full history, so nothing is truncated and the full " +
    "recursion still has to run. It is another estimator (the \"as written\" line of the table above): finite " +
    "differences of the loss with each edge j scaled by ξ_j disagree unless every ξ_t is 1.",
}]);

/**
 * The w_h part of eq 1.3b's estimator (W_hx then W_hh, row-major: the first P entries of `flattenWeights`) for many ξ
 * at once, to the bits of `randomizedGradient`'s: `xis` holds T numbers per ξ, the result P numbers per ξ, in the
 * same order. z_t and the partial sum Σ_{u≤t} c_uᵀ z_u depend on ξ_2 … ξ_t only, so the ξ are taken in the order of
 * their patterns (which ξ_t are nonzero, read as a binary number with ξ_2 first: neighbours share the longest
 * prefixes), and each re-runs the recursion from the first step where it differs from the one before. A prefix shared
 * by many patterns (the exact moments ask for up to 2^{T−1}) is run once, and a pattern drawn again costs a copy. Past
 * T = 54 the number loses the last steps: the order shares less, the bits are the same.
 */
function randomizedFlats(pc: ForwardModePieces, xis: ArrayLike<number>): Float64Array {
  const T = pc.A.length, P = pc.layout.P, n = pc.J[0]!.rows, count = xis.length / T;
  if (!Number.isInteger(count)) throw new RangeError(`randomizedFlats: ${xis.length} values ξ_t are not T = ${T} per pattern`);
  const byPattern = new Map<number, number[]>();
  for (let r = 0; r < count; r++) {
    let pattern = 0;
    for (let t = 2; t <= T; t++) pattern = 2 * pattern + (xis[r * T + t - 1] !== 0 ? 1 : 0);
    byPattern.get(pattern)?.push(r) ?? byPattern.set(pattern, [r]);
  }
  const z = Array.from({ length: T + 1 }, () => new Float64Array(n * P)), sum = Array.from({ length: T + 1 }, () => new Float64Array(P));
  z[1]!.set(pc.A[0]!.data); // z_1 = A_1 + ξ_1 J_1 z_0 with z_0 = 0
  addCtD(sum[1]!, pc.c[0]!, z[1]!, P);
  const out = new Float64Array(count * P);
  let before = -1;
  for (const pattern of Float64Array.from(byPattern.keys()).sort()) for (const r of byPattern.get(pattern)!) {
    let t = 2;
    if (before >= 0) while (t <= T && xis[r * T + t - 1] === xis[before * T + t - 1]) t++;
    for (; t <= T; t++) {
      stepInto(z[t]!, pc.A[t - 1]!, pc.J[t - 1]!, xis[r * T + t - 1]!, z[t - 1]!, P); // z_t = A_t + ξ_t J_t z_{t−1}
      sum[t]!.set(sum[t - 1]!);
      addCtD(sum[t]!, pc.c[t - 1]!, z[t]!, P);
    }
    out.set(sum[T]!, r * P);
    before = r;
  }
  return out;
}

export interface Moments {
  /** Entrywise mean and variance, flattened as `flattenWeights` (W_hx, W_hh, W_qh). */
  mean: Vector;
  variance: Vector;
  /** Σ of the entrywise variances: E‖ĝ − E ĝ‖². */
  totalVariance: number;
  meanGrads: WeightGrads;
}

export interface MonteCarlo extends Moments {
  N: number;
  /** √(sample variance / N) per entry. */
  stdErr: Vector;
}

/**
 * The random streams of /truncation besides the model's own (drawn from `seed`): the one ξ shown and the Monte-Carlo
 * draws each have a stream of their own, so that changing π or N never changes the model or the other stream. The
 * offset wraps at 2³², so that the largest seeds (up to 4294967295) have streams too.
 */
export const xiRng = (seed: number): Rng => makeRng((seed + 7) >>> 0);
export const monteCarloRng = (seed: number): Rng => makeRng((seed + 11) >>> 0);

/**
 * Monte-Carlo moments of the randomized estimator over N independent draws of ξ (sampleXi with the given rng):
 * mean, unbiased sample variance, standard error of the mean. The draws repeat and share prefixes (T = 8 has 128
 * patterns of ξ_2 … ξ_T, N is 500 on /truncation): `randomizedFlats` runs each prefix drawn once.
 */
export function monteCarloRandomized(
  p: D2LParams, s: D2LSequence, pi: number | ArrayLike<number>, N: number, rng: Rng, opts?: D2LOptions, o?: { scaled?: boolean },
): MonteCarlo {
  if (!Number.isInteger(N) || N < 2) throw new RangeError(`monteCarloRandomized: N must be an integer ≥ 2, got ${N}`);
  const pc = forwardModePieces(p, s, opts), T = s.xs.length, P = pc.layout.P;
  const wqh = exactWqh(pc, s).data, nAll = P + wqh.length;
  const sum = new Float64Array(P), sumSq = new Float64Array(P);
  const first = randomizedFlats(pc, new Float64Array(T).fill(1)); // shift for a stable variance
  const draws: number[] = [];
  for (let r = 0; r < N; r++) draws.push(...sampleXi(pi, T, rng, o?.scaled ?? true));
  const values = randomizedFlats(pc, draws);
  for (let r = 0; r < N; r++) {
    for (let k = 0; k < P; k++) { const d = values[r * P + k]! - first[k]!; sum[k]! += d; sumSq[k]! += d * d; }
  }
  const mean = new Float64Array(nAll), variance = new Float64Array(nAll), stdErr = new Float64Array(nAll);
  for (let k = 0; k < P; k++) {
    const m = sum[k]! / N;
    mean[k] = first[k]! + m;
    variance[k] = Math.max(0, (sumSq[k]! - N * m * m) / (N - 1));
    stdErr[k] = Math.sqrt(variance[k]! / N);
  }
  mean.set(wqh, P);
  return { N, mean, variance, stdErr, totalVariance: variance.reduce((a, b) => a + b, 0), meanGrads: unflattenWeights(mean, p) };
}

/**
 * The exact mean and variance of the randomized estimator, by enumerating every ξ_2 … ξ_T ∈ {0, 1/π_t} with its
 * probability (2^{T−1} patterns; ξ_1 never matters). For T ≤ 16. The patterns are summed in mask order (bit t − 2 is
 * ξ_t), whatever order `randomizedFlats` runs them in.
 */
export function exactRandomizedMoments(p: D2LParams, s: D2LSequence, pi: number | ArrayLike<number>, opts?: D2LOptions): Moments & { patterns: number } {
  const T = s.xs.length;
  if (T > 16) throw new RangeError(`exactRandomizedMoments: 2^${T - 1} patterns is too many (T ≤ 16)`);
  const pis = piArray(pi, T), pc = forwardModePieces(p, s, opts), P = pc.layout.P;
  const wqh = exactWqh(pc, s).data;
  const xis: number[] = [], probs: number[] = [];
  const xi = new Float64Array(T).fill(1);
  for (let mask = 0; mask < 1 << (T - 1); mask++) {
    let prob = 1;
    for (let t = 2; t <= T; t++) {
      const on = (mask >> (t - 2)) & 1, q = pis[t - 1]!;
      xi[t - 1] = on ? 1 / q : 0;
      prob *= on ? q : 1 - q;
    }
    if (prob === 0) continue;
    xis.push(...xi);
    probs.push(prob);
  }
  const values = randomizedFlats(pc, xis); // P numbers per pattern kept
  const mean = new Float64Array(P + wqh.length), variance = new Float64Array(P + wqh.length);
  probs.forEach((pr, r) => { for (let k = 0; k < P; k++) mean[k]! += pr * values[r * P + k]!; });
  probs.forEach((pr, r) => {
    for (let k = 0; k < P; k++) { const v = values[r * P + k]!; variance[k]! += pr * (v - mean[k]!) * (v - mean[k]!); }
  });
  mean.set(wqh, P);
  return { mean, variance, totalVariance: variance.reduce((a, b) => a + b, 0), meanGrads: unflattenWeights(mean, p), patterns: probs.length };
}

experiments(exactRandomizedMoments, [{
  label: "Forget the importance weight 1/π: ξ ∈ {0, 1}",
  find: "xi[t - 1] = on ? 1 / q : 0;",
  replace: "xi[t - 1] = on ? 1 : 0;",
  why: "A chain that survives m coins has probability π^m; the weight 1/π per surviving step (1.3a) makes E[ξ_t] = 1 and " +
    "so E[z_t] = ∂h_t/∂w_h. Without it E[ξ_t] = π: every term that crosses m edges is shrunk by π^m on average, the " +
    "mean over all patterns is no longer full BPTT, and the estimator is biased (towards truncation).",
}]);

export interface Bias {
  /** estimate − full, per weight. */
  diff: WeightGrads;
  /** ‖estimate − full‖ over all three weights. */
  norm: number;
  /** norm / ‖full‖. */
  relative: number;
}

/** How far an estimator (or a Monte-Carlo mean) is from the full gradient. */
export function biasOf(estimate: WeightGrads, full: WeightGrads): Bias {
  const d = (a: Matrix, b: Matrix): Matrix => ({ rows: a.rows, cols: a.cols, data: a.data.map((v, k) => v - b.data[k]!) });
  const diff = { W_hx: d(estimate.W_hx, full.W_hx), W_hh: d(estimate.W_hh, full.W_hh), W_qh: d(estimate.W_qh, full.W_qh) };
  const nrm = (g: WeightGrads) => Math.sqrt(flattenWeights(g).reduce((a, v) => a + v * v, 0));
  const norm = nrm(diff), fn = nrm(full);
  return { diff, norm, relative: fn === 0 ? norm : norm / fn };
}

/** Relative bias of truncation after k = 0 … kMax steps (d2l eq 1.2), against full BPTT. */
export function truncationBiasProfile(p: D2LParams, s: D2LSequence, kMax: number, opts?: D2LOptions): Float64Array {
  const pc = forwardModePieces(p, s, opts), full = fullGradient(p, s, opts);
  return Float64Array.from({ length: kMax + 1 }, (_, k) => biasOf(truncatedGradient(p, s, k, opts, pc), full).relative);
}

/**
 * The randomized estimator as d2l eq 1.3b is printed, for a drawn ξ: the recursion's last factor is the exact
 * ∂h_{t−1}/∂w_h, so each loss term l_t is gated on its last edge only (g(t, j) = ξ_j for j = t, 1 otherwise) and
 * nothing is truncated. Its gradient is measured by `numericalGatedGrads` (lib/d2l/checks.ts).
 */
export function randomizedGateAsPrinted(xi: ArrayLike<number>): Gate {
  return (t, j) => (j === t ? xi[j - 1]! : 1);
}

/** ‖g‖² over all three weights: the scale of the page's relative variances. */
export function squaredNorm(g: WeightGrads): number {
  return flattenWeights(g).reduce((a, v) => a + v * v, 0);
}

/**
 * The exact bias and variance of randomized truncation at one π (its `exactRandomizedMoments`), both relative to the
 * full gradient: a row of /truncation's §4.
 */
export function momentsRow(pi: number, m: Moments, full: WeightGrads): { pi: number; bias: number; variance: number } {
  return { pi, bias: biasOf(m.meanGrads, full).relative, variance: m.totalVariance / squaredNorm(full) };
}

/** E‖ĝ − E ĝ‖² / ‖g‖²: an estimator's total variance relative to the full gradient's squared norm. */
export function relativeVariance(m: Pick<Moments, "totalVariance">, full: WeightGrads): number {
  return m.totalVariance / squaredNorm(full);
}

/**
 * The largest |z-score| max |ḡ − g| / (standard error) of a Monte-Carlo mean over the entries of ∂L/∂W_hh (entries
 * with a zero standard error are left out): a few for an unbiased estimator, far more for a biased one.
 */
export function maxZScoreWhh(mc: MonteCarlo, full: WeightGrads): number {
  const off = full.W_hx.data.length, fl = flattenWeights(full);
  let z = 0;
  for (let i = off; i < off + full.W_hh.data.length; i++) if (mc.stdErr[i]! > 0) z = Math.max(z, Math.abs(mc.mean[i]! - fl[i]!) / mc.stdErr[i]!);
  return z;
}

/**
 * The model of the D2L chapter "Backpropagation Through Time", shared by its three pages (/d2l, /vanishing,
 * /truncation) and by the checks of them: the simplified RNN in COLUMN-vector convention, its parameters, its forward
 * pass (d2l eqs 2a, 2b) and loss, and seeded random models. The backward pass (eqs 2.1–2.5) and the §1 recursion
 * (eqs 1c–1e) are the /d2l page's, in lib/d2l/d2l.ts; the checks (finite differences, TF.js) import this module and
 * never that one.
 *
 * EQUATION NUMBERING. The source numbers no equation, so each is named after the section it appears in, with a
 * letter when a section holds more than one:
 *   d2l eq 1a   h_t = f(x_t, h_{t−1}, w_h),  o_t = g(h_t, w_o)                                  (§1)
 *   d2l eq 1b   L = (1/T) Σ_t l(y_t, o_t)                                                         (§1)
 *   d2l eq 1c   ∂L/∂w_h = (1/T) Σ_t ∂l(y_t,o_t)/∂o_t · ∂g(h_t,w_o)/∂h_t · ∂h_t/∂w_h              (§1)
 *   d2l eq 1d   ∂h_t/∂w_h = ∂f(x_t,h_{t−1},w_h)/∂w_h + ∂f(x_t,h_{t−1},w_h)/∂h_{t−1} · ∂h_{t−1}/∂w_h   (§1)
 *   d2l eq 1e   ∂h_t/∂w_h = ∂f_t/∂w_h + Σ_{i=1}^{t−1} (Π_{j=i+1}^{t} ∂f_j/∂h_{j−1}) ∂f_i/∂w_h     (§1)
 *   d2l eq 1.2  1e with its sum truncated after τ steps (stated in words in §1.2; see lib/d2l/truncation.ts)
 *   d2l eq 1.3a P(ξ_t = 0) = 1 − π_t, P(ξ_t = π_t⁻¹) = π_t, E[ξ_t] = 1                             (§1.3)
 *   d2l eq 1.3b z_t = ∂f_t/∂w_h + ξ_t ∂f_t/∂h_{t−1} ∂h_{t−1}/∂w_h                                  (§1.3)
 *   d2l eq 2a   h_t = W_hx x_t + W_hh h_{t−1},  o_t = W_qh h_t                                    (§2)
 *   d2l eq 2b   L = (1/T) Σ_t l(o_t, y_t)                                                         (§2)
 *   d2l eq 2.1  ∂L/∂o_t = ∂l(o_t, y_t) / (T ∂o_t)                                                  (§2.1)
 *   d2l eq 2.2  ∂L/∂W_qh = Σ_t ∂L/∂o_t h_tᵀ                                                        (§2.2)
 *   d2l eq 2.3  ∂L/∂h_T = W_qhᵀ ∂L/∂o_T                                                            (§2.3)
 *   d2l eq 2.4a ∂L/∂h_t = W_hhᵀ ∂L/∂h_{t+1} + W_qhᵀ ∂L/∂o_t                                         (§2.4)
 *   d2l eq 2.4b ∂L/∂h_t = Σ_{i=t}^{T} (W_hhᵀ)^{T−i} W_qhᵀ ∂L/∂o_{T+t−i}                              (§2.4)
 *   d2l eq 2.5a ∂L/∂W_hx = Σ_t ∂L/∂h_t x_tᵀ                                                        (§2.5)
 *   d2l eq 2.5b ∂L/∂W_hh = Σ_t ∂L/∂h_t h_{t−1}ᵀ                                                     (§2.5)
 *   d2l ex 4.1a eigenvalues of M^k are λ_i^k; ex 4.1b M^k x aligns with v_1; ex 4.2 orthogonal init (lib/d2l/vanishing.ts)
 *
 * THE LOSS. §2 gives a scalar target y_t beside an output o_t ∈ ℝ^q, i.e. a class label scored by q logits: the
 * loss the source implies is cross-entropy, l(o, y) = logsumexp(o) − o_y (what D2L's language models use), and it
 * is the default here. Squared error l(o, y) = ½‖o − y‖² with a vector target is offered for regression.
 *
 * GENERALISATIONS (clearly off the source's §2, used by /vanishing and /truncation): an activation φ
 * (h_t = φ(a_t), a_t = W_hx x_t + W_hh h_{t−1}; §2 is φ = identity), and `lossAt: "last"` (L = l(o_T, y_T) only;
 * §2 is "all", the mean over t). With φ ≠ identity eq 2.4a becomes ∂L/∂h_t = W_hhᵀ(φ′(a_{t+1}) ⊙ ∂L/∂h_{t+1}) +
 * W_qhᵀ ∂L/∂o_t and eqs 2.5 read ∂L/∂a_t in place of ∂L/∂h_t; eq 2.4b holds for φ = identity only.
 *
 * INDEXING. Arrays are 0-based: entry t − 1 holds the quantity at step t (the source counts t = 1 … T). Vectors are
 * `Float64Array`s read as COLUMNS here (lib/core/matrix.ts reads them as rows; the numbers are the same). Weights keep
 * the source's shapes: W_hx ∈ ℝ^{h×d}, W_hh ∈ ℝ^{h×h}, W_qh ∈ ℝ^{q×h}.
 */
import { softmax, stepLoss } from "../derivation/forward.js";
import { type Matrix, type Vector, ShapeError, zeros } from "../core/matrix.js";
import type { Rng } from "../core/rng.js";
import { tanh } from "../core/libm.js";
import { experiments } from "../core/experiment.js";
export type Activation = "identity" | "tanh" | "relu";
export type LossAt = "all" | "last";
export interface D2LOptions {
  /** φ in h_t = φ(a_t); "identity" is the source's §2 model. */
  activation?: Activation;
  /** "all": L = (1/T) Σ_t l_t (eqs 1b/2b); "last": L = l_T only. */
  lossAt?: LossAt;
}

/** The three weights of eq 2a, in the source's shapes. Also the type of their gradients. */
export interface D2LParams {
  /** h × d. */
  W_hx: Matrix;
  /** h × h. */
  W_hh: Matrix;
  /** q × h. */
  W_qh: Matrix;
}
export type WeightGrads = D2LParams;

export type Targets =
  | { kind: "cross-entropy"; labels: readonly number[] }
  | { kind: "squared"; values: readonly Vector[] };

export interface D2LSequence {
  /** x_1 … x_T, each of length d. */
  xs: readonly Vector[];
  /** h_0, length h. */
  h0: Vector;
  targets: Targets;
}

export interface D2LSizes { d: number; hidden: number; q: number; T: number }

const shp = (m: Matrix) => `[${m.rows},${m.cols}]`;

/** Read the sizes off a model and a sequence, checking every shape. */
export function sizesOfD2L(p: D2LParams, s: D2LSequence): D2LSizes {
  const hidden = p.W_hh.rows, d = p.W_hx.cols, q = p.W_qh.rows, T = s.xs.length;
  if (p.W_hh.cols !== hidden) throw new ShapeError(`d2l: W_hh ${shp(p.W_hh)} must be square`);
  if (p.W_hx.rows !== hidden) throw new ShapeError(`d2l: W_hx ${shp(p.W_hx)} must have h = ${hidden} rows (W_hh ${shp(p.W_hh)})`);
  if (p.W_qh.cols !== hidden) throw new ShapeError(`d2l: W_qh ${shp(p.W_qh)} must have h = ${hidden} columns (W_hh ${shp(p.W_hh)})`);
  if (T < 1) throw new ShapeError("d2l: the sequence has no time steps");
  s.xs.forEach((x, t) => {
    if (x.length !== d) throw new ShapeError(`d2l: x_${t + 1} has length ${x.length}, expected d = ${d} (W_hx ${shp(p.W_hx)})`);
  });
  if (s.h0.length !== hidden) throw new ShapeError(`d2l: h_0 has length ${s.h0.length}, expected h = ${hidden}`);
  if (s.targets.kind === "cross-entropy") {
    if (s.targets.labels.length !== T) throw new ShapeError(`d2l: ${s.targets.labels.length} labels for T = ${T} steps`);
    s.targets.labels.forEach((y, t) => {
      if (!Number.isInteger(y) || y < 0 || y >= q) throw new RangeError(`d2l: y_${t + 1} = ${y} is not a class in [0, ${q})`);
    });
  } else {
    if (s.targets.values.length !== T) throw new ShapeError(`d2l: ${s.targets.values.length} targets for T = ${T} steps`);
    s.targets.values.forEach((y, t) => {
      if (y.length !== q) throw new ShapeError(`d2l: y_${t + 1} has length ${y.length}, expected q = ${q}`);
    });
  }
  return { d, hidden, q, T };
}


// ---------------------------------------------------------------------------------------------------------------
// Column-vector arithmetic, written out here so that the three conventions of the notation bridge
// (lib/d2l/bridge.ts) run through different code.

/** A x for a column x. */
export function mv(A: Matrix, x: Vector): Vector {
  if (x.length !== A.cols) throw new ShapeError(`mv: inner shapes ${A.cols} and ${x.length} of A ${shp(A)} and x [${x.length},1] must match`);
  const out = new Float64Array(A.rows);
  for (let i = 0; i < A.rows; i++) {
    let s = 0;
    for (let j = 0; j < A.cols; j++) s += A.data[i * A.cols + j]! * x[j]!;
    out[i] = s;
  }
  return out;
}

/** Aᵀ v for a column v. */
export function mtv(A: Matrix, v: Vector): Vector {
  if (v.length !== A.rows) throw new ShapeError(`mtv: inner shapes ${A.rows} and ${v.length} of Aᵀ (A ${shp(A)}) and v [${v.length},1] must match`);
  const out = new Float64Array(A.cols);
  for (let i = 0; i < A.rows; i++) {
    const vi = v[i]!;
    for (let j = 0; j < A.cols; j++) out[j]! += A.data[i * A.cols + j]! * vi;
  }
  return out;
}

export function activate(act: Activation, a: Vector): Vector {
  if (act === "identity") return a.slice();
  if (act === "tanh") return a.map(tanh);
  return a.map((v) => (v > 0 ? v : 0));
}

/** φ′(a) elementwise. ReLU′(0) is taken as 0, as TF.js does. */
export function activationDerivative(act: Activation, a: Vector): Vector {
  if (act === "identity") return new Float64Array(a.length).fill(1);
  if (act === "tanh") return a.map((v) => { const h = tanh(v); return 1 - h * h; });
  return a.map((v) => (v > 0 ? 1 : 0));
}

/** The options with their defaults: the source's §2 model (identity, the mean over all steps). */
export const optionsOf = (o?: D2LOptions): Required<D2LOptions> => ({ activation: o?.activation ?? "identity", lossAt: o?.lossAt ?? "all" });

/** The weight of l_t in L: 1/T for every t (eq 2b), or 1 at t = T only. */
export function lossWeights(T: number, lossAt: LossAt): Float64Array {
  const w = new Float64Array(T);
  if (lossAt === "all") w.fill(1 / T); else w[T - 1] = 1;
  return w;
}

/** l(o_t, y_t) for step t (0-based). */
export function stepLossD2L(o: Vector, targets: Targets, t: number): number {
  if (targets.kind === "cross-entropy") return stepLoss(o, targets.labels[t]!);
  const y = targets.values[t]!;
  let s = 0;
  for (let k = 0; k < o.length; k++) s += (o[k]! - y[k]!) * (o[k]! - y[k]!);
  return s / 2;
}

/** ∂l(o_t, y_t)/∂o_t: softmax(o) − e_y, or o − y. */
export function stepLossGrad(o: Vector, targets: Targets, t: number): Vector {
  if (targets.kind === "cross-entropy") {
    const g = softmax(o);
    g[targets.labels[t]!]! -= 1;
    return g;
  }
  const y = targets.values[t]!;
  return o.map((v, k) => v - y[k]!);
}

// ---------------------------------------------------------------------------------------------------------------
// Forward (eqs 2a, 2b)


export interface D2LForward {
  h0: Vector;
  /** a_t = W_hx x_t + W_hh h_{t−1} (equal to h_t for the identity). */
  a: Vector[];
  /** h_t = φ(a_t) (eq 2a). */
  h: Vector[];
  /** o_t = W_qh h_t (eq 2a). */
  o: Vector[];
  /** l(o_t, y_t). */
  l: Float64Array;
  /** The weight of each l_t in L. */
  weights: Float64Array;
  /** L (eq 2b). */
  loss: number;
}

/** eq 2a (with φ) and eq 2b. */
export function d2lForward(p: D2LParams, s: D2LSequence, opts?: D2LOptions): D2LForward {
  const { T } = sizesOfD2L(p, s);
  const { activation, lossAt } = optionsOf(opts);
  const a: Vector[] = [], h: Vector[] = [], o: Vector[] = [];
  const l = new Float64Array(T);
  const weights = lossWeights(T, lossAt);
  let hPrev = s.h0, loss = 0;
  for (let t = 0; t < T; t++) {
    const Wx = mv(p.W_hx, s.xs[t]!), Wh = mv(p.W_hh, hPrev);
    const at = Wx.map((v, i) => v + Wh[i]!);
    const ht = activate(activation, at);
    const ot = mv(p.W_qh, ht);
    a.push(at); h.push(ht); o.push(ot);
    l[t] = stepLossD2L(ot, s.targets, t);
    loss += weights[t]! * l[t]!;
    hPrev = ht;
  }
  return { h0: s.h0.slice(), a, h, o, l, weights, loss };
}

experiments(d2lForward, [{
  label: "W_hhᵀ h_{t−1} instead of W_hh h_{t−1}",
  find: "mv(p.W_hh, hPrev)",
  replace: "mtv(p.W_hh, hPrev)",
  why: "The transpose belongs to the backward pass (2.4a), where the gradient goes back through W_hh; the forward pass " +
    "(2a) multiplies h_{t−1} by W_hh itself, row i of W_hh making unit i. The two agree only for a symmetric W_hh, which a " +
    "random one is not: every h_t after the first that sees a non-zero h_{t−1} changes, and the other code paths disagree.",
}, {
  label: "Never carry the state: h_0 in place of h_{t−1} at every step",
  find: "hPrev = ht;",
  replace: "// hPrev stays h_0",
  why: "The recurrence of (2a) feeds each new state the previous one. Leaving h_{t−1} at h_0 turns the RNN into T separate " +
    "one-step models: h_1 is still right, but from t = 2 on W_hh h_{t−1} becomes W_hh h_0 (zero when h_0 = 0), so every " +
    "later h_t, o_t and L change and the other code paths disagree.",
}]);

/** L alone. */
export function d2lLoss(p: D2LParams, s: D2LSequence, opts?: D2LOptions): number {
  return d2lForward(p, s, opts).loss;
}

/** h_{t−1} for the 0-based step index t. */
export const hPrevAt = (f: Pick<D2LForward, "h0" | "h">, t: number): Vector => (t === 0 ? f.h0 : f.h[t - 1]!);

// ---------------------------------------------------------------------------------------------------------------
// w_h of §1: the flattened W_hx and/or W_hh

export type WhName = "W_hx" | "W_hh";
export interface WhLayout {
  names: readonly WhName[];
  /** The number of scalars in w_h. */
  P: number;
  /** Where each matrix starts in the flattened w_h (row-major within it). */
  offset: Partial<Record<WhName, number>>;
}

/** w_h as the concatenation of the named matrices, row-major: e.g. ["W_hh"] with h = 1 is a scalar w_h. */
export function whLayout(p: D2LParams, names: readonly WhName[] = ["W_hx", "W_hh"]): WhLayout {
  if (names.length === 0 || new Set(names).size !== names.length) throw new RangeError(`whLayout: names must be distinct and non-empty, got [${names}]`);
  const offset: Partial<Record<WhName, number>> = {};
  let P = 0;
  for (const n of names) { offset[n] = P; P += p[n].data.length; }
  return { names, P, offset };
}

/** The named gradients flattened in the layout's order. */
export function flattenWh(g: WeightGrads, layout: WhLayout): Vector {
  const out = new Float64Array(layout.P);
  for (const n of layout.names) out.set(g[n].data, layout.offset[n]!);
  return out;
}

/**
 * A gate g(t, j) ∈ ℝ for 1-based steps j ≤ t: the factor by which a change in h_{j−1} is passed into h_j when the
 * loss term l_t is differentiated. g ≡ 1 is full BPTT; g(t, j) = [j − 1 ≥ t − k] is truncation after k steps
 * (d2l eq 1.2); g(t, j) = ξ_j is randomized truncation (d2l eq 1.3b).
 */
export type Gate = (lossStep: number, step: number) => number;

// ---------------------------------------------------------------------------------------------------------------
// Random models and sequences (seeded; lib/core/rng.ts only)

/** Weights U(−k, k) with k = scale/√h, drawn in the order W_hx, W_hh, W_qh. */
export function initD2L(sizes: Omit<D2LSizes, "T">, rng: Rng, scale = 1): D2LParams {
  const k = scale / Math.sqrt(sizes.hidden);
  const u = (r: number, c: number) => {
    const m = zeros(r, c);
    for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform(-k, k);
    return m;
  };
  return { W_hx: u(sizes.hidden, sizes.d), W_hh: u(sizes.hidden, sizes.hidden), W_qh: u(sizes.q, sizes.hidden) };
}

/** x_t ~ U(−xScale, xScale)^d, h_0 = 0 (or U(−1,1)^h with randomH0), labels uniform in [0, q) or values U(−1, 1)^q. */
export function randomSequence(
  sizes: D2LSizes, rng: Rng, kind: Targets["kind"] = "cross-entropy", o?: { xScale?: number; randomH0?: boolean },
): D2LSequence {
  const xScale = o?.xScale ?? 1;
  const vec = (n: number, k: number) => Float64Array.from({ length: n }, () => rng.uniform(-k, k));
  const xs = Array.from({ length: sizes.T }, () => vec(sizes.d, xScale));
  const h0 = o?.randomH0 ? vec(sizes.hidden, 1) : new Float64Array(sizes.hidden);
  const targets: Targets = kind === "cross-entropy"
    ? { kind, labels: Array.from({ length: sizes.T }, () => rng.int(sizes.q)) }
    : { kind, values: Array.from({ length: sizes.T }, () => vec(sizes.q, 1)) };
  return { xs, h0, targets };
}

/** Every number rounded to float32, so a float64 run and a float32 TF.js run start from identical values. */
export function roundToFloat32(p: D2LParams, s: D2LSequence): { p: D2LParams; s: D2LSequence } {
  const m = (x: Matrix): Matrix => ({ rows: x.rows, cols: x.cols, data: x.data.map(Math.fround) });
  const v = (x: Vector): Vector => x.map(Math.fround);
  const targets: Targets = s.targets.kind === "cross-entropy" ? s.targets : { kind: "squared", values: s.targets.values.map(v) };
  return { p: { W_hx: m(p.W_hx), W_hh: m(p.W_hh), W_qh: m(p.W_qh) }, s: { xs: s.xs.map(v), h0: v(s.h0), targets } };
}

/** Vectors stacked as the rows of a matrix (row t − 1 = the quantity at step t). */
export function asRows(vs: readonly Vector[]): Matrix {
  const m = vs[0]!.length, out = zeros(vs.length, m);
  vs.forEach((v, i) => {
    if (v.length !== m) throw new ShapeError(`asRows: row ${i} has length ${v.length}, expected ${m}`);
    out.data.set(v, i * m);
  });
  return out;
}

/** Matrices stacked one under the other (T blocks of h rows: row (t − 1)·h + i − 1 is row i of block t). */
export function stackBlocks(ms: readonly Matrix[]): Matrix {
  const cols = ms[0]!.cols, out = zeros(ms.reduce((n, m) => n + m.rows, 0), cols);
  let at = 0;
  for (const m of ms) {
    if (m.cols !== cols) throw new ShapeError(`stackBlocks: a block has ${m.cols} columns, expected ${cols}`);
    out.data.set(m.data, at);
    at += m.data.length;
  }
  return out;
}

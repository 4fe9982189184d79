/**
 * The D2L chapter "Backpropagation Through Time": its simplified RNN in COLUMN-vector convention, every
 * gradient of its §2 computed live, its general §1 recursion for ∂h_t/∂w_h (the product-of-Jacobians form), and
 * a notation bridge to the main derivation's row convention and to the batch-major X·W convention of the stacked RNN with batches (Vera).
 *
 * EQUATION NUMBERING. The seed numbers no equation, so each is named after the section it appears in, with a
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
 *   d2l ex 4.1a eigenvalues of M^k are λ_i^k; ex 4.1b M^k x aligns with v_1; ex 4.2 orthogonal init (lib/d2l/spectral.ts)
 *
 * THE LOSS. §2 gives a scalar target y_t beside an output o_t ∈ ℝ^q, i.e. a class label scored by q logits: the
 * loss the source implies is cross-entropy, l(o, y) = logsumexp(o) − o_y (what D2L's language models use), and it
 * is the default here. Squared error l(o, y) = ½‖o − y‖² with a vector target is offered for regression.
 *
 * GENERALISATIONS (clearly off the source's §2, used by lib/d2l/spectral.ts and lib/d2l/truncation.ts): an activation φ
 * (h_t = φ(a_t), a_t = W_hx x_t + W_hh h_{t−1}; §2 is φ = identity), and `lossAt: "last"` (L = l(o_T, y_T) only;
 * §2 is "all", the mean over t). With φ ≠ identity eq 2.4a becomes ∂L/∂h_t = W_hhᵀ(φ′(a_{t+1}) ⊙ ∂L/∂h_{t+1}) +
 * W_qhᵀ ∂L/∂o_t and eqs 2.5 read ∂L/∂a_t in place of ∂L/∂h_t; eq 2.4b holds for φ = identity only.
 *
 * INDEXING. Arrays are 0-based: entry t − 1 holds the quantity at step t (the source counts t = 1 … T). Vectors are
 * `Float64Array`s read as COLUMNS here (lib/core/matrix.ts reads them as rows; the numbers are the same). Weights keep
 * the source's shapes: W_hx ∈ ℝ^{h×d}, W_hh ∈ ℝ^{h×h}, W_qh ∈ ℝ^{q×h}.
 *
 * The TF.js oracles at the end take the `tf` namespace as an argument; this file imports TF.js types only, so the
 * site never bundles TF.js.
 */
import type * as TFNS from "@tensorflow/tfjs";
import { softmax, stepLoss } from "../derivation/forward.js";
import {
  type Matrix, type Vector, ShapeError, addOuterInPlace, clone, matmul, maxAbsDiff, row, transpose, vecmat, vecmatT, zeros,
} from "../core/matrix.js";
import type { Params } from "../derivation/model.js";
import type { Rng } from "../core/rng.js";
import { tanh } from "../core/libm.js";
import { FD_EPSILON } from "../core/tolerances.js";

type TF = typeof TFNS;

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
// Column-vector arithmetic, written out here so that the three conventions of the bridge run through different code.

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

const optsOf = (o?: D2LOptions): Required<D2LOptions> => ({ activation: o?.activation ?? "identity", lossAt: o?.lossAt ?? "all" });

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
// Forward and backward (eqs 2a, 2b, 2.1–2.5)

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
  const { activation, lossAt } = optsOf(opts);
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

/** L alone. */
export function d2lLoss(p: D2LParams, s: D2LSequence, opts?: D2LOptions): number {
  return d2lForward(p, s, opts).loss;
}

/** h_{t−1} for the 0-based step index t. */
export const hPrevAt = (f: Pick<D2LForward, "h0" | "h">, t: number): Vector => (t === 0 ? f.h0 : f.h[t - 1]!);

/** eq 2.1: ∂L/∂o_t = (1/T) ∂l(o_t, y_t)/∂o_t (weight 1/T; with lossAt "last", 1 at t = T and 0 elsewhere). */
export function outputGrads(f: D2LForward, targets: Targets): Vector[] {
  return f.o.map((o, t) => stepLossGrad(o, targets, t).map((v) => v * f.weights[t]!));
}

/**
 * eq 2.3 then eq 2.4a, for t = T − 1 … 1: ∂L/∂h_T = W_qhᵀ ∂L/∂o_T, ∂L/∂h_t = W_hhᵀ ∂L/∂h_{t+1} + W_qhᵀ ∂L/∂o_t.
 * With an activation the first term reads W_hhᵀ(φ′(a_{t+1}) ⊙ ∂L/∂h_{t+1}).
 */
export function hiddenGradsRecursion(p: D2LParams, f: D2LForward, dL_do: readonly Vector[], opts?: D2LOptions): Vector[] {
  const { activation } = optsOf(opts);
  const T = f.h.length;
  const out: Vector[] = new Array<Vector>(T);
  out[T - 1] = mtv(p.W_qh, dL_do[T - 1]!); // eq 2.3
  for (let t = T - 2; t >= 0; t--) {
    const da = activationDerivative(activation, f.a[t + 1]!).map((v, i) => v * out[t + 1]![i]!);
    const fromNext = mtv(p.W_hh, da), fromOut = mtv(p.W_qh, dL_do[t]!);
    out[t] = fromNext.map((v, i) => v + fromOut[i]!); // eq 2.4a
  }
  return out;
}

/**
 * eq 2.4b, literally: ∂L/∂h_t = Σ_{i=t}^{T} (W_hhᵀ)^{T−i} W_qhᵀ ∂L/∂o_{T+t−i}. The term i has power T − i and
 * output index T + t − i, whose difference from t is the same T − i: the output at step s reaches h_t through
 * s − t powers. Valid for the identity activation (the source's model) only.
 */
export function hiddenGradsClosedForm(p: D2LParams, dL_do: readonly Vector[]): Vector[] {
  const T = dL_do.length, hidden = p.W_hh.rows;
  const out: Vector[] = [];
  for (let t = 1; t <= T; t++) {
    const sum = new Float64Array(hidden);
    for (let i = t; i <= T; i++) {
      let v = mtv(p.W_qh, dL_do[T + t - i - 1]!);
      for (let k = 0; k < T - i; k++) v = mtv(p.W_hh, v); // (W_hhᵀ)^{T−i}
      for (let j = 0; j < hidden; j++) sum[j]! += v[j]!;
    }
    out.push(sum);
  }
  return out;
}

/** ∂L/∂a_t = φ′(a_t) ⊙ ∂L/∂h_t (equal to ∂L/∂h_t for the identity). */
export function preactGrads(f: D2LForward, dL_dh: readonly Vector[], opts?: D2LOptions): Vector[] {
  const { activation } = optsOf(opts);
  return dL_dh.map((g, t) => activationDerivative(activation, f.a[t]!).map((v, i) => v * g[i]!));
}

/** eq 2.2: ∂L/∂W_qh = Σ_t ∂L/∂o_t h_tᵀ. */
export function gradW_qh(dL_do: readonly Vector[], h: readonly Vector[]): Matrix {
  const out = zeros(dL_do[0]!.length, h[0]!.length);
  dL_do.forEach((g, t) => addOuterInPlace(out, g, h[t]!));
  return out;
}

/** eq 2.5a: ∂L/∂W_hx = Σ_t ∂L/∂h_t x_tᵀ (∂L/∂a_t with an activation). */
export function gradW_hx(dL_da: readonly Vector[], xs: readonly Vector[]): Matrix {
  const out = zeros(dL_da[0]!.length, xs[0]!.length);
  dL_da.forEach((g, t) => addOuterInPlace(out, g, xs[t]!));
  return out;
}

/** eq 2.5b: ∂L/∂W_hh = Σ_t ∂L/∂h_t h_{t−1}ᵀ, from t = 1, so h_0 contributes. */
export function gradW_hh(dL_da: readonly Vector[], f: Pick<D2LForward, "h0" | "h">): Matrix {
  const out = zeros(dL_da[0]!.length, f.h0.length);
  dL_da.forEach((g, t) => addOuterInPlace(out, g, hPrevAt(f, t)));
  return out;
}

export interface D2LGradients extends WeightGrads {
  /** eq 2.1. */
  dL_do: Vector[];
  /** eqs 2.3–2.4a. */
  dL_dh: Vector[];
  /** φ′(a_t) ⊙ ∂L/∂h_t (= dL_dh for the identity). */
  dL_da: Vector[];
}

/** eqs 2.1–2.5 in order. */
export function d2lBackward(p: D2LParams, s: D2LSequence, opts?: D2LOptions, fwd?: D2LForward): D2LGradients {
  const f = fwd ?? d2lForward(p, s, opts);
  const dL_do = outputGrads(f, s.targets);
  const dL_dh = hiddenGradsRecursion(p, f, dL_do, opts);
  const dL_da = preactGrads(f, dL_dh, opts);
  return { dL_do, dL_dh, dL_da, W_qh: gradW_qh(dL_do, f.h), W_hx: gradW_hx(dL_da, s.xs), W_hh: gradW_hh(dL_da, f) };
}

// ---------------------------------------------------------------------------------------------------------------
// §1: the general recursion for ∂h_t/∂w_h (eqs 1c–1e), with w_h the flattened W_hx and/or W_hh

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

/** ∂f(x_t, h_{t−1}, w_h)/∂h_{t−1} = diag(φ′(a_t)) W_hh, h × h. */
export function stepJacobianH(p: D2LParams, at: Vector, activation: Activation = "identity"): Matrix {
  const d = activationDerivative(activation, at), J = clone(p.W_hh);
  for (let i = 0; i < J.rows; i++) for (let j = 0; j < J.cols; j++) J.data[i * J.cols + j]! *= d[i]!;
  return J;
}

/**
 * ∂f(x_t, h_{t−1}, w_h)/∂w_h with h_{t−1} held fixed, h × P: ∂h_t[i]/∂W_hx[i, b] = φ′(a_t)_i x_t[b] and
 * ∂h_t[i]/∂W_hh[i, b] = φ′(a_t)_i h_{t−1}[b]; every other entry is 0.
 */
export function stepJacobianW(
  p: D2LParams, xt: Vector, hPrev: Vector, at: Vector, layout: WhLayout, activation: Activation = "identity",
): Matrix {
  const hidden = p.W_hh.rows, dphi = activationDerivative(activation, at);
  const A = zeros(hidden, layout.P);
  for (const n of layout.names) {
    const src = n === "W_hx" ? xt : hPrev, cols = p[n].cols, off = layout.offset[n]!;
    for (let i = 0; i < hidden; i++) for (let b = 0; b < cols; b++) A.data[i * layout.P + off + i * cols + b] = dphi[i]! * src[b]!;
  }
  return A;
}

/** The per-step pieces of eqs 1c–1e: A_t = ∂f_t/∂w_h, J_t = ∂f_t/∂h_{t−1}, c_t = (∂l/∂o_t ∂g/∂h_t)ᵀ = W_qhᵀ ∂L/∂o_t. */
export interface ForwardModePieces {
  layout: WhLayout;
  f: D2LForward;
  A: Matrix[];
  J: Matrix[];
  c: Vector[];
}

export function forwardModePieces(p: D2LParams, s: D2LSequence, opts?: D2LOptions, names?: readonly WhName[]): ForwardModePieces {
  const { activation } = optsOf(opts);
  const f = d2lForward(p, s, opts), layout = whLayout(p, names);
  const A = f.a.map((at, t) => stepJacobianW(p, s.xs[t]!, hPrevAt(f, t), at, layout, activation));
  const J = f.a.map((at) => stepJacobianH(p, at, activation));
  const c = outputGrads(f, s.targets).map((g) => mtv(p.W_qh, g));
  return { layout, f, A, J, c };
}

function addInto(a: Matrix, b: Matrix): Matrix {
  for (let k = 0; k < a.data.length; k++) a.data[k]! += b.data[k]!;
  return a;
}

/** eq 1d: D_t = A_t + J_t D_{t−1}, D_0 = 0 (h_0 does not depend on w_h). Returns D_1 … D_T. */
export function dhdwRecursion(pc: ForwardModePieces): Matrix[] {
  const out: Matrix[] = [];
  let D: Matrix | null = null;
  pc.A.forEach((At, t) => {
    D = D === null ? clone(At) : addInto(matmul(pc.J[t]!, D), At);
    out.push(D);
  });
  return out;
}

/** eq 1e: D_t = A_t + Σ_{i=1}^{t−1} (J_t J_{t−1} ⋯ J_{i+1}) A_i, each product built afresh (later steps on the left). */
export function dhdwExpansion(pc: ForwardModePieces): Matrix[] {
  const T = pc.A.length, out: Matrix[] = [];
  for (let t = 1; t <= T; t++) {
    const D = clone(pc.A[t - 1]!);
    for (let i = 1; i <= t - 1; i++) {
      let prod = pc.A[i - 1]!;
      for (let j = i + 1; j <= t; j++) prod = matmul(pc.J[j - 1]!, prod);
      addInto(D, prod);
    }
    out.push(D);
  }
  return out;
}

/** eq 1c: ∂L/∂w_h = Σ_t c_tᵀ D_t, the 1/T inside c_t (eq 2.1). */
export function dLdwFromDhdw(pc: ForwardModePieces, D: readonly Matrix[]): Vector {
  const out = new Float64Array(pc.layout.P);
  D.forEach((Dt, t) => {
    const ct = pc.c[t]!;
    for (let i = 0; i < Dt.rows; i++) for (let k = 0; k < Dt.cols; k++) out[k]! += ct[i]! * Dt.data[i * Dt.cols + k]!;
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The notation bridge

/** The main derivation's names and shapes (lib/derivation/model.ts): weights [out, in], a = h Wᵀ + x Uᵀ, o = h Vᵀ. */
export interface RowParams {
  /** = W_hx, hidden × d (the main derivation's U). */
  U: Matrix;
  /** = W_hh, hidden × hidden. */
  W: Matrix;
  /** = W_qh, q × hidden. */
  V: Matrix;
}

/** Seed 001's names and shapes: weights [in, out], H_t = φ(X_t W_xh + H_{t−1} W_hh), O_t = H_t W_ha, batch rows. */
export interface BatchParams {
  /** = W_hxᵀ, d × hidden. */
  W_xh: Matrix;
  /** = W_hhᵀ, hidden × hidden. */
  W_hh: Matrix;
  /** = W_qhᵀ, hidden × q. */
  W_ha: Matrix;
}

/**
 * Column → row convention. Storing weights [out, in] makes the matrices identical: the column equation
 * h_t = W_hx x_t + W_hh h_{t−1} transposed is h_tᵀ = x_tᵀ W_hxᵀ + h_{t−1}ᵀ W_hhᵀ, i.e. a = x Uᵀ + h Wᵀ with U = W_hx.
 * Copies, so the two never alias.
 */
export function toRowConvention(p: D2LParams): RowParams {
  return { U: clone(p.W_hx), W: clone(p.W_hh), V: clone(p.W_qh) };
}
export function fromRowConvention(r: RowParams): D2LParams {
  return { W_hx: clone(r.U), W_hh: clone(r.W), W_qh: clone(r.V) };
}

/** Column → batch-major convention: every weight transposed ([in, out]), so that a batch of rows multiplies from the left. */
export function toBatchConvention(p: D2LParams): BatchParams {
  return { W_xh: transpose(p.W_hx), W_hh: transpose(p.W_hh), W_ha: transpose(p.W_qh) };
}
export function fromBatchConvention(b: BatchParams): D2LParams {
  return { W_hx: transpose(b.W_xh), W_hh: transpose(b.W_hh), W_qh: transpose(b.W_ha) };
}

/**
 * The main derivation's model with its biases set to zero, for the D2L model with φ = tanh and inputs
 * x_t = E[input_t] (rows of an embedding table E, vocab × d with vocab = q): then lib/derivation/forward.ts and lib/derivation/backward.ts
 * compute the same h_t, ∂L/∂h_t, ∂L/∂W_hh (their W), ∂L/∂W_hx (their U) and ∂L/∂W_qh (their V).
 */
export function toMainModelParams(p: D2LParams, E: Matrix): Params {
  if (E.rows !== p.W_qh.rows || E.cols !== p.W_hx.cols) {
    throw new ShapeError(`toMainModelParams: E ${shp(E)} must be [q, d] = [${p.W_qh.rows},${p.W_hx.cols}]`);
  }
  const r = toRowConvention(p);
  return { E: clone(E), U: r.U, W: r.W, b: new Float64Array(p.W_hh.rows), V: r.V, c: new Float64Array(p.W_qh.rows) };
}

export interface RowRun {
  /** Row t − 1: h_tᵀ. T × hidden. */
  h: Matrix;
  /** Row t − 1: (∂L/∂h_t)ᵀ. */
  dL_dh: Matrix;
  grads: RowParams;
  loss: number;
}

/** The same model in the row convention, with lib/core/matrix.ts's row operations (vecmatT: v Wᵀ; vecmat: v W). */
export function rowForwardBackward(r: RowParams, X: Matrix, h0: Vector, targets: Targets, opts?: D2LOptions): RowRun {
  const { activation, lossAt } = optsOf(opts);
  const T = X.rows, hidden = r.W.rows;
  const weights = lossWeights(T, lossAt);
  const h = zeros(T, hidden), a = zeros(T, hidden), o: Vector[] = [];
  let loss = 0;
  for (let t = 0; t < T; t++) {
    const hPrev = t === 0 ? h0 : row(h, t - 1);
    const xU = vecmatT(row(X, t), r.U), hW = vecmatT(hPrev, r.W);
    row(a, t).set(xU.map((v, j) => v + hW[j]!));
    row(h, t).set(activate(activation, row(a, t)));
    const ot = vecmatT(row(h, t), r.V);
    o.push(ot);
    loss += weights[t]! * stepLossD2L(ot, targets, t);
  }
  const dL_do = o.map((ot, t) => stepLossGrad(ot, targets, t).map((v) => v * weights[t]!));
  const dL_dh = zeros(T, hidden), dL_da = zeros(T, hidden);
  for (let t = T - 1; t >= 0; t--) {
    const g = vecmat(dL_do[t]!, r.V);
    if (t < T - 1) {
      const next = vecmat(row(dL_da, t + 1), r.W);
      for (let j = 0; j < hidden; j++) g[j]! += next[j]!;
    }
    row(dL_dh, t).set(g);
    const dphi = activationDerivative(activation, row(a, t));
    row(dL_da, t).set(g.map((v, j) => v * dphi[j]!));
  }
  const grads: RowParams = { U: zeros(hidden, X.cols), W: zeros(hidden, hidden), V: zeros(r.V.rows, hidden) };
  for (let t = 0; t < T; t++) {
    addOuterInPlace(grads.U, row(dL_da, t), row(X, t));
    addOuterInPlace(grads.W, row(dL_da, t), t === 0 ? h0 : row(h, t - 1));
    addOuterInPlace(grads.V, dL_do[t]!, row(h, t));
  }
  return { h, dL_dh, grads, loss };
}

/** Targets for a batch: labels[t][n] or values[t] = the n × q matrix of step t. */
export type BatchTargets =
  | { kind: "cross-entropy"; labels: readonly (readonly number[])[] }
  | { kind: "squared"; values: readonly Matrix[] };

export interface BatchSequence {
  /** X_t, n × d, for t = 1 … T. */
  Xs: Matrix[];
  /** H_0, n × hidden. */
  H0: Matrix;
  targets: BatchTargets;
}

/** Stack n sequences of the same length into the stacked-RNN source's batch-major layout (row i of X_t is x_t of sequence i). */
export function toBatchSequence(seqs: readonly D2LSequence[]): BatchSequence {
  if (seqs.length === 0) throw new ShapeError("toBatchSequence: no sequences");
  const T = seqs[0]!.xs.length, kind = seqs[0]!.targets.kind;
  seqs.forEach((s, i) => {
    if (s.xs.length !== T) throw new ShapeError(`toBatchSequence: sequence ${i} has ${s.xs.length} steps, expected ${T}`);
    if (s.targets.kind !== kind) throw new ShapeError(`toBatchSequence: sequence ${i} has ${s.targets.kind} targets, expected ${kind}`);
  });
  const Xs = Array.from({ length: T }, (_, t) => stackRows(seqs.map((s) => s.xs[t]!)));
  const H0 = stackRows(seqs.map((s) => s.h0));
  const targets: BatchTargets = kind === "cross-entropy"
    ? { kind, labels: Array.from({ length: T }, (_, t) => seqs.map((s) => (s.targets as { labels: readonly number[] }).labels[t]!)) }
    : { kind, values: Array.from({ length: T }, (_, t) => stackRows(seqs.map((s) => (s.targets as { values: readonly Vector[] }).values[t]!))) };
  return { Xs, H0, targets };
}

function stackRows(vs: readonly Vector[]): Matrix {
  const m = vs[0]!.length, out = zeros(vs.length, m);
  vs.forEach((v, i) => {
    if (v.length !== m) throw new ShapeError(`stackRows: row ${i} has length ${v.length}, expected ${m}`);
    out.data.set(v, i * m);
  });
  return out;
}

export interface BatchRun {
  /** H_t, n × hidden. */
  H: Matrix[];
  /** ∂L/∂H_t, n × hidden. */
  dL_dH: Matrix[];
  grads: BatchParams;
  /** Σ over the batch of each sequence's L (eq 2b), so the gradient is the sum of the per-sequence gradients. */
  loss: number;
}

/**
 * The same model in the stacked-RNN source's convention with matrix products only: Z_t = X_t W_xh + H_{t−1} W_hh, H_t = φ(Z_t),
 * O_t = H_t W_ha; backward ∂L/∂Z_t = ∂L/∂H_t ⊙ φ′(Z_t), ∂L/∂H_t = ∂L/∂Z_{t+1} W_hhᵀ + ∂L/∂O_t W_haᵀ,
 * ∂L/∂W_xh = Σ_t X_tᵀ ∂L/∂Z_t, ∂L/∂W_hh = Σ_t H_{t−1}ᵀ ∂L/∂Z_t, ∂L/∂W_ha = Σ_t H_tᵀ ∂L/∂O_t (its eqs 2.1 (2), (4), (5)
 * with one layer).
 */
export function batchForwardBackward(b: BatchParams, seq: BatchSequence, opts?: D2LOptions): BatchRun {
  const { activation, lossAt } = optsOf(opts);
  const T = seq.Xs.length, n = seq.H0.rows, hidden = b.W_hh.rows, q = b.W_ha.cols;
  const weights = lossWeights(T, lossAt);
  const Z: Matrix[] = [], H: Matrix[] = [], dL_dO: Matrix[] = [];
  let loss = 0, Hprev = seq.H0;
  for (let t = 0; t < T; t++) {
    const Zt = matmul(seq.Xs[t]!, b.W_xh);
    addInto(Zt, matmul(Hprev, b.W_hh));
    const Ht: Matrix = { rows: n, cols: hidden, data: activate(activation, Zt.data) };
    const Ot = matmul(Ht, b.W_ha);
    const dOt = zeros(n, q);
    for (let i = 0; i < n; i++) {
      const tg: Targets = seq.targets.kind === "cross-entropy"
        ? { kind: "cross-entropy", labels: [seq.targets.labels[t]![i]!] }
        : { kind: "squared", values: [row(seq.targets.values[t]!, i)] };
      loss += weights[t]! * stepLossD2L(row(Ot, i), tg, 0);
      row(dOt, i).set(stepLossGrad(row(Ot, i), tg, 0).map((v) => v * weights[t]!));
    }
    Z.push(Zt); H.push(Ht); dL_dO.push(dOt);
    Hprev = Ht;
  }
  const dL_dH: Matrix[] = new Array<Matrix>(T), dL_dZ: Matrix[] = new Array<Matrix>(T);
  const WhhT = transpose(b.W_hh), WhaT = transpose(b.W_ha);
  for (let t = T - 1; t >= 0; t--) {
    const g = matmul(dL_dO[t]!, WhaT);
    if (t < T - 1) addInto(g, matmul(dL_dZ[t + 1]!, WhhT));
    dL_dH[t] = g;
    const dphi = activationDerivative(activation, Z[t]!.data);
    dL_dZ[t] = { rows: n, cols: hidden, data: g.data.map((v, k) => v * dphi[k]!) };
  }
  const grads: BatchParams = { W_xh: zeros(b.W_xh.rows, hidden), W_hh: zeros(hidden, hidden), W_ha: zeros(hidden, q) };
  for (let t = 0; t < T; t++) {
    addInto(grads.W_xh, matmul(transpose(seq.Xs[t]!), dL_dZ[t]!));
    addInto(grads.W_hh, matmul(transpose(t === 0 ? seq.H0 : H[t - 1]!), dL_dZ[t]!));
    addInto(grads.W_ha, matmul(transpose(H[t]!), dL_dO[t]!));
  }
  return { H, dL_dH, grads, loss };
}

export interface ConventionRun {
  /** h_1 … h_T as a T × hidden matrix (row t − 1 = h_t, whatever the convention's orientation). */
  h: Matrix;
  /** ∂L/∂h_t likewise. */
  dL_dh: Matrix;
  /** The gradients in that convention's own names and shapes. */
  grads: WeightGrads | RowParams | BatchParams;
  /** The same gradients mapped back to the source's W_hx, W_hh, W_qh (the transposes undone). */
  asColumn: WeightGrads;
  loss: number;
}

export interface ThreeConventions {
  column: ConventionRun;
  row: ConventionRun;
  batch: ConventionRun;
  /** The largest difference between any two conventions after mapping back, per quantity. */
  maxDiff: { loss: number; h: number; dL_dh: number; W_hx: number; W_hh: number; W_qh: number };
}

/**
 * Run one sequence through all three conventions — D2L's columns (eqs 2a–2.5), the main derivation's rows
 * (weights [out, in]) and the stacked-RNN source's batch rows (weights [in, out], batch of one) — and compare them.
 */
export function threeConventions(p: D2LParams, s: D2LSequence, opts?: D2LOptions): ThreeConventions {
  sizesOfD2L(p, s);
  const f = d2lForward(p, s, opts), g = d2lBackward(p, s, opts, f);
  const column: ConventionRun = {
    h: stackRows(f.h), dL_dh: stackRows(g.dL_dh), loss: f.loss,
    grads: { W_hx: g.W_hx, W_hh: g.W_hh, W_qh: g.W_qh }, asColumn: { W_hx: g.W_hx, W_hh: g.W_hh, W_qh: g.W_qh },
  };
  const rr = rowForwardBackward(toRowConvention(p), stackRows(s.xs), s.h0, s.targets, opts);
  const rowRun: ConventionRun = { h: rr.h, dL_dh: rr.dL_dh, loss: rr.loss, grads: rr.grads, asColumn: fromRowConvention(rr.grads) };
  const br = batchForwardBackward(toBatchConvention(p), toBatchSequence([s]), opts);
  const batchRun: ConventionRun = {
    h: stackRows(br.H.map((m) => row(m, 0))), dL_dh: stackRows(br.dL_dH.map((m) => row(m, 0))), loss: br.loss,
    grads: br.grads, asColumn: fromBatchConvention(br.grads),
  };
  const runs = [column, rowRun, batchRun];
  const worst = (pick: (r: ConventionRun) => Matrix) => {
    let m = 0;
    for (let i = 0; i < runs.length; i++) for (let j = i + 1; j < runs.length; j++) m = Math.max(m, maxAbsDiff(pick(runs[i]!), pick(runs[j]!)));
    return m;
  };
  return {
    column, row: rowRun, batch: batchRun,
    maxDiff: {
      loss: Math.max(Math.abs(column.loss - rowRun.loss), Math.abs(column.loss - batchRun.loss), Math.abs(rowRun.loss - batchRun.loss)),
      h: worst((r) => r.h), dL_dh: worst((r) => r.dL_dh),
      W_hx: worst((r) => r.asColumn.W_hx), W_hh: worst((r) => r.asColumn.W_hh), W_qh: worst((r) => r.asColumn.W_qh),
    },
  };
}

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

// ---------------------------------------------------------------------------------------------------------------
// Finite-difference oracles (float64, central differences)

function centralDiff(theta: Float64Array, k: number, eps: number, f: () => number): number {
  const keep = theta[k]!;
  theta[k] = keep + eps;
  const up = f();
  theta[k] = keep - eps;
  const down = f();
  theta[k] = keep;
  return (up - down) / (2 * eps);
}

const cloneParams = (p: D2LParams): D2LParams => ({ W_hx: clone(p.W_hx), W_hh: clone(p.W_hh), W_qh: clone(p.W_qh) });
const WEIGHT_NAMES = ["W_hx", "W_hh", "W_qh"] as const;

/** ∂L/∂W for the three weights by central differences of `loss` (default: L of eq 2b). */
export function numericalWeightGrads(
  p: D2LParams, s: D2LSequence, opts?: D2LOptions, eps = FD_EPSILON,
  loss: (q: D2LParams) => number = (q) => d2lLoss(q, s, opts),
): WeightGrads {
  const q = cloneParams(p);
  const out = {} as WeightGrads;
  for (const n of WEIGHT_NAMES) {
    const g = zeros(q[n].rows, q[n].cols);
    for (let k = 0; k < g.data.length; k++) g.data[k] = centralDiff(q[n].data, k, eps, () => loss(q));
    out[n] = g;
  }
  return out;
}

/** ∂L/∂o_t by central differences: o_t enters L only through weight_t · l(o_t, y_t). */
export function numericalOutputGrads(p: D2LParams, s: D2LSequence, opts?: D2LOptions, eps = FD_EPSILON): Vector[] {
  const f = d2lForward(p, s, opts);
  return f.o.map((ot, t) => {
    const o = ot.slice(), g = new Float64Array(o.length);
    for (let k = 0; k < o.length; k++) g[k] = f.weights[t]! * centralDiff(o, k, eps, () => stepLossD2L(o, s.targets, t));
    return g;
  });
}

/** The hidden states from step `step` (0-based) on when h at that step is replaced by hAlt and the recursion re-run. */
export function statesFrom(p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, step: number, hAlt: Vector): Vector[] {
  const { activation } = optsOf(opts);
  const out: Vector[] = [hAlt];
  let h = hAlt;
  for (let t = step + 1; t < s.xs.length; t++) {
    const Wx = mv(p.W_hx, s.xs[t]!), Wh = mv(p.W_hh, h);
    h = activate(activation, Wx.map((v, i) => v + Wh[i]!));
    out.push(h);
  }
  return out;
}

/** L with h at 0-based step `step` replaced by hAlt: the total derivative of eqs 2.3–2.4 counts every later step. */
export function lossFromHidden(p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, step: number, hAlt: Vector): number {
  const f = d2lForward(p, s, opts);
  let L = 0;
  for (let t = 0; t < step; t++) L += f.weights[t]! * f.l[t]!;
  statesFrom(p, s, opts, step, hAlt).forEach((h, k) => {
    const t = step + k;
    L += f.weights[t]! * stepLossD2L(mv(p.W_qh, h), s.targets, t);
  });
  return L;
}

/** ∂L/∂h_t (total derivative) by central differences. */
export function numericalHiddenGradsD2L(p: D2LParams, s: D2LSequence, opts?: D2LOptions, eps = FD_EPSILON): Vector[] {
  const f = d2lForward(p, s, opts);
  return f.h.map((ht, t) => {
    const h = ht.slice(), g = new Float64Array(h.length);
    for (let k = 0; k < h.length; k++) g[k] = centralDiff(h, k, eps, () => lossFromHidden(p, s, opts, t, h));
    return g;
  });
}

/** ∂h_to/∂h_from (1-based steps, to ≥ from) by central differences, hidden × hidden. */
export function numericalStateJacobian(p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, from: number, to: number, eps = FD_EPSILON): Matrix {
  if (!(from >= 1 && to >= from && to <= s.xs.length)) throw new RangeError(`numericalStateJacobian: need 1 ≤ from ≤ to ≤ T, got ${from}, ${to}`);
  const f = d2lForward(p, s, opts), hidden = p.W_hh.rows;
  const J = zeros(hidden, hidden), h = f.h[from - 1]!.slice();
  for (let k = 0; k < hidden; k++) {
    const keep = h[k]!;
    h[k] = keep + eps;
    const up = statesFrom(p, s, opts, from - 1, h)[to - from]!;
    h[k] = keep - eps;
    const down = statesFrom(p, s, opts, from - 1, h)[to - from]!;
    h[k] = keep;
    for (let i = 0; i < hidden; i++) J.data[i * hidden + k] = (up[i]! - down[i]!) / (2 * eps);
  }
  return J;
}

/** ∂h_t/∂w_h for t = 1 … T (h × P each) by central differences on the flattened w_h. */
export function numericalDhdw(p: D2LParams, s: D2LSequence, opts?: D2LOptions, names?: readonly WhName[], eps = FD_EPSILON): Matrix[] {
  const q = cloneParams(p), layout = whLayout(p, names), T = s.xs.length, hidden = p.W_hh.rows;
  const out = Array.from({ length: T }, () => zeros(hidden, layout.P));
  for (const n of layout.names) {
    const theta = q[n].data;
    for (let k = 0; k < theta.length; k++) {
      const keep = theta[k]!;
      theta[k] = keep + eps;
      const up = d2lForward(q, s, opts).h;
      theta[k] = keep - eps;
      const down = d2lForward(q, s, opts).h;
      theta[k] = keep;
      const col = layout.offset[n]! + k;
      for (let t = 0; t < T; t++) for (let i = 0; i < hidden; i++) out[t]!.data[i * layout.P + col] = (up[t]![i]! - down[t]![i]!) / (2 * eps);
    }
  }
  return out;
}

/**
 * A gate g(t, j) ∈ ℝ for 1-based steps j ≤ t: the factor by which a change in h_{j−1} is passed into h_j when the
 * loss term l_t is differentiated. g ≡ 1 is full BPTT; g(t, j) = [j − 1 ≥ t − k] is truncation after k steps
 * (d2l eq 1.2); g(t, j) = ξ_j is randomized truncation (d2l eq 1.3b).
 */
export type Gate = (lossStep: number, step: number) => number;

/**
 * The surrogate loss whose ordinary gradient at q = p is the gated estimator: for each loss term l_t, the states
 * are re-run with weights q, but the change of h_{j−1} (relative to the unperturbed run with p) enters step j
 * multiplied by g(t, j): h̃_j = φ(W_hx' x_j + W_hh' (h_{j−1} + g(t,j)(h̃_{j−1} − h_{j−1}))). At q = p every
 * h̃ equals h, and d h̃_t/dq = Σ_i (Π_{j=i+1}^t g(t,j) J_j) A_i by the chain rule. Finite differences of this
 * function in q give an oracle for every estimator of lib/d2l/truncation.ts.
 */
export function gatedLoss(p: D2LParams, q: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, gate: Gate): number {
  const { activation } = optsOf(opts);
  const f = d2lForward(p, s, opts), T = s.xs.length;
  let L = 0;
  for (let t = 1; t <= T; t++) {
    if (f.weights[t - 1] === 0) continue;
    let hTilde = s.h0;
    for (let j = 1; j <= t; j++) {
      const hPrev = hPrevAt(f, j - 1), g = gate(t, j);
      const hIn = hPrev.map((v, i) => v + g * (hTilde[i]! - v));
      const Wx = mv(q.W_hx, s.xs[j - 1]!), Wh = mv(q.W_hh, hIn);
      hTilde = activate(activation, Wx.map((v, i) => v + Wh[i]!));
    }
    L += f.weights[t - 1]! * stepLossD2L(mv(q.W_qh, hTilde), s.targets, t - 1);
  }
  return L;
}

/** The gated estimator by central differences of `gatedLoss`. */
export function numericalGatedGrads(p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, gate: Gate, eps = FD_EPSILON): WeightGrads {
  return numericalWeightGrads(p, s, opts, eps, (q) => gatedLoss(p, q, s, opts, gate));
}

// ---------------------------------------------------------------------------------------------------------------
// TF.js oracles (float32, reverse-mode autodiff). Pass the `tf` namespace; call on float32-rounded inputs.

type T2 = TFNS.Tensor2D;

function tfStep(tf: TF, act: Activation, a: T2): T2 {
  return act === "identity" ? a : act === "tanh" ? tf.tanh(a) : tf.relu(a);
}

function tfStepLoss(tf: TF, o: T2, targets: Targets, t: number): TFNS.Scalar {
  const q = o.shape[0];
  if (targets.kind === "cross-entropy") {
    const onehot = tf.tensor2d(Array.from({ length: q }, (_, i) => [i === targets.labels[t] ? 1 : 0]), [q, 1], "float32");
    return tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(tf.reshape(o, [1, q])).reshape([q, 1])))) as TFNS.Scalar;
  }
  const y = tf.tensor2d(Float32Array.from(targets.values[t]!), [q, 1], "float32");
  return tf.mul(0.5, tf.sum(tf.square(tf.sub(o, y)))) as TFNS.Scalar;
}

const col = (tf: TF, v: Vector): T2 => tf.tensor2d(Float32Array.from(v), [v.length, 1], "float32");
const mat = (tf: TF, m: Matrix): T2 => tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols], "float32");
const fromTf = (rows: number, cols: number, a: ArrayLike<number>): Matrix => ({ rows, cols, data: Float64Array.from(a) });

export interface TfjsD2L extends WeightGrads {
  loss: number;
  /** ∂L/∂o_t through zero probes added to o_t. */
  dL_do: Vector[];
  /** ∂L/∂h_t (total) through zero probes added to h_t. */
  dL_dh: Vector[];
}

/** eqs 2a/2b in TF.js; tf.valueAndGrads w.r.t. the three weights and zero probes on every h_t and o_t. */
export function tfjsD2L(tf: TF, p: D2LParams, s: D2LSequence, opts?: D2LOptions): TfjsD2L {
  const { activation, lossAt } = optsOf(opts);
  const { T, hidden, q } = sizesOfD2L(p, s);
  const w = lossWeights(T, lossAt);
  let out: TfjsD2L | undefined;
  tf.tidy(() => {
    const args = [mat(tf, p.W_hx), mat(tf, p.W_hh), mat(tf, p.W_qh), tf.zeros([hidden, T]), tf.zeros([q, T])];
    const lossFn = (...ts: TFNS.Tensor[]): TFNS.Scalar => {
      const [Whx, Whh, Wqh, dH, dO] = ts as [T2, T2, T2, T2, T2];
      let h = col(tf, s.h0);
      const terms: TFNS.Scalar[] = [];
      for (let t = 0; t < T; t++) {
        h = tf.add(tfStep(tf, activation, tf.add(tf.matMul(Whx, col(tf, s.xs[t]!)), tf.matMul(Whh, h))), tf.slice(dH, [0, t], [hidden, 1]));
        const o = tf.add(tf.matMul(Wqh, h), tf.slice(dO, [0, t], [q, 1])) as T2;
        terms.push(tf.mul(w[t]!, tfStepLoss(tf, o, s.targets, t)) as TFNS.Scalar);
      }
      return tf.addN(terms) as TFNS.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(lossFn)(args);
    const [gx, gh, gq, gH, gO] = grads.map((g) => g.dataSync() as Float32Array) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
    const colsOf = (a: Float32Array, n: number) => Array.from({ length: T }, (_, t) => Float64Array.from({ length: n }, (_, i) => a[i * T + t]!));
    out = {
      loss: value.dataSync()[0]!,
      W_hx: fromTf(hidden, p.W_hx.cols, gx), W_hh: fromTf(hidden, hidden, gh), W_qh: fromTf(q, hidden, gq),
      dL_do: colsOf(gO, q), dL_dh: colsOf(gH, hidden),
    };
  });
  return out!;
}

/**
 * The gated estimator (see `Gate`) by TF.js autodiff: for each loss term l_t the states are rebuilt inside the graph
 * with the input to step j equal to H_{j−1} + g(t, j)(h_{j−1} − H_{j−1}), where H_{j−1} is a constant holding the
 * forward value (TF.js has no stopGradient; a constant plays its part). The value is unchanged and the gradient
 * through that edge is multiplied by g(t, j); g = 0 cuts it, g = 1 keeps it.
 */
export function tfjsGatedGrads(tf: TF, p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, gate: Gate): WeightGrads {
  const { activation, lossAt } = optsOf(opts);
  const { T, hidden, q } = sizesOfD2L(p, s);
  const w = lossWeights(T, lossAt);
  let out: WeightGrads | undefined;
  tf.tidy(() => {
    // forward values in float32, as constants
    const H: T2[] = [col(tf, s.h0)];
    {
      const Whx = mat(tf, p.W_hx), Whh = mat(tf, p.W_hh);
      for (let t = 0; t < T; t++) H.push(tfStep(tf, activation, tf.add(tf.matMul(Whx, col(tf, s.xs[t]!)), tf.matMul(Whh, H[t]!))));
    }
    const lossFn = (...ts: TFNS.Tensor[]): TFNS.Scalar => {
      const [Whx, Whh, Wqh] = ts as [T2, T2, T2];
      const terms: TFNS.Scalar[] = [];
      for (let t = 1; t <= T; t++) {
        if (w[t - 1] === 0) continue;
        let h: T2 = H[0]!;
        for (let j = 1; j <= t; j++) {
          const g = gate(t, j), Hc = H[j - 1]!;
          const hIn = j === 1 || g === 0 ? Hc : g === 1 ? h : (tf.add(Hc, tf.mul(g, tf.sub(h, Hc))) as T2);
          h = tfStep(tf, activation, tf.add(tf.matMul(Whx, col(tf, s.xs[j - 1]!)), tf.matMul(Whh, hIn)));
        }
        terms.push(tf.mul(w[t - 1]!, tfStepLoss(tf, tf.matMul(Wqh, h), s.targets, t - 1)) as TFNS.Scalar);
      }
      return tf.addN(terms) as TFNS.Scalar;
    };
    const grads = tf.grads(lossFn)([mat(tf, p.W_hx), mat(tf, p.W_hh), mat(tf, p.W_qh)]);
    const [gx, gh, gq] = grads.map((g) => g.dataSync() as Float32Array) as [Float32Array, Float32Array, Float32Array];
    out = { W_hx: fromTf(hidden, p.W_hx.cols, gx), W_hh: fromTf(hidden, hidden, gh), W_qh: fromTf(q, hidden, gq) };
  });
  return out!;
}

/** ∂h_t/∂w_h for t = 1 … T by TF.js, one tf.grads call per entry of h_t. */
export function tfjsDhdw(tf: TF, p: D2LParams, s: D2LSequence, opts?: D2LOptions, names?: readonly WhName[]): Matrix[] {
  const { activation } = optsOf(opts);
  const { T, hidden } = sizesOfD2L(p, s);
  const layout = whLayout(p, names);
  const out = Array.from({ length: T }, () => zeros(hidden, layout.P));
  tf.tidy(() => {
    for (let t = 1; t <= T; t++) {
      for (let i = 0; i < hidden; i++) {
        const fn = (...ts: TFNS.Tensor[]): TFNS.Scalar => {
          const [Whx, Whh] = ts as [T2, T2];
          let h = col(tf, s.h0);
          for (let j = 0; j < t; j++) h = tfStep(tf, activation, tf.add(tf.matMul(Whx, col(tf, s.xs[j]!)), tf.matMul(Whh, h)));
          return tf.sum(tf.slice(h, [i, 0], [1, 1])) as TFNS.Scalar;
        };
        const [gx, gh] = tf.grads(fn)([mat(tf, p.W_hx), mat(tf, p.W_hh)]).map((g) => g.dataSync()) as [Float32Array, Float32Array];
        for (const n of layout.names) {
          const src = n === "W_hx" ? gx : gh;
          out[t - 1]!.data.set(Float64Array.from(src), i * layout.P + layout.offset[n]!);
        }
      }
    }
  });
  return out;
}

/** ∂h_to/∂h_from (1-based, to ≥ from) by TF.js, through a zero probe added to h_from. */
export function tfjsStateJacobian(tf: TF, p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, from: number, to: number): Matrix {
  const { activation } = optsOf(opts);
  const { T, hidden } = sizesOfD2L(p, s);
  if (!(from >= 1 && to >= from && to <= T)) throw new RangeError(`tfjsStateJacobian: need 1 ≤ from ≤ to ≤ T, got ${from}, ${to}`);
  const J = zeros(hidden, hidden);
  tf.tidy(() => {
    const Whx = mat(tf, p.W_hx), Whh = mat(tf, p.W_hh);
    for (let i = 0; i < hidden; i++) {
      const fn = (probe: TFNS.Tensor): TFNS.Scalar => {
        let h = col(tf, s.h0);
        for (let j = 1; j <= to; j++) {
          h = tfStep(tf, activation, tf.add(tf.matMul(Whx, col(tf, s.xs[j - 1]!)), tf.matMul(Whh, h)));
          if (j === from) h = tf.add(h, probe) as T2;
        }
        return tf.sum(tf.slice(h, [i, 0], [1, 1])) as TFNS.Scalar;
      };
      const g = tf.grad(fn)(tf.zeros([hidden, 1])).dataSync();
      for (let k = 0; k < hidden; k++) J.data[i * hidden + k] = g[k]!;
    }
  });
  return J;
}

/** Vectors stacked as the rows of a matrix (row t − 1 = the quantity at step t). */
export function asRows(vs: readonly Vector[]): Matrix {
  return stackRows(vs);
}

/**
 * The notation bridge of the /d2l page: one simplified RNN written three ways — D2L's columns (weights [out, in],
 * h_t = W_hx x_t + W_hh h_{t−1}), the main derivation's rows (weights [out, in], a = x Uᵀ + h Wᵀ) and Vera's stacked
 * RNN's batch rows (weights [in, out], H_t = X_t W_xh + H_{t−1} W_hh) — each run through its own code and mapped
 * back to D2L's shapes, so that the three can be compared once the transposes are undone.
 */
import {
  type D2LOptions, type D2LParams, type D2LSequence, type Targets, type WeightGrads, activate, activationDerivative,
  asRows, d2lForward, lossWeights, optionsOf, sizesOfD2L, stepLossD2L, stepLossGrad,
} from "./model.js";
import { d2lBackward } from "./d2l.js";
import {
  type Matrix, type Vector, ShapeError, addInPlace, addOuterInPlace, clone, matmul, matmulT, maxAbsDiff, row, transpose,
  vecmat, vecmatT, zeros,
} from "../core/matrix.js";
import type { Params } from "../derivation/model.js";
import { experiments } from "../core/experiment.js";

const shp = (m: Matrix) => `[${m.rows},${m.cols}]`;
/** The main derivation's names and shapes (lib/derivation/model.ts): weights [out, in], a = h Wᵀ + x Uᵀ, o = h Vᵀ. */
export interface RowParams {
  /** = W_hx, hidden × d (the main derivation's U). */
  U: Matrix;
  /** = W_hh, hidden × hidden. */
  W: Matrix;
  /** = W_qh, q × hidden. */
  V: Matrix;
}

/** Vera's names and shapes (the stacked RNN): weights [in, out], H_t = φ(X_t W_xh + H_{t−1} W_hh), O_t = H_t W_ha, batch rows. */
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
  const { activation, lossAt } = optionsOf(opts);
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

/** Stack n sequences of the same length into Vera's batch-major layout (row i of X_t is x_t of sequence i). */
export function toBatchSequence(seqs: readonly D2LSequence[]): BatchSequence {
  if (seqs.length === 0) throw new ShapeError("toBatchSequence: no sequences");
  const T = seqs[0]!.xs.length, kind = seqs[0]!.targets.kind;
  seqs.forEach((s, i) => {
    if (s.xs.length !== T) throw new ShapeError(`toBatchSequence: sequence ${i} has ${s.xs.length} steps, expected ${T}`);
    if (s.targets.kind !== kind) throw new ShapeError(`toBatchSequence: sequence ${i} has ${s.targets.kind} targets, expected ${kind}`);
  });
  const Xs = Array.from({ length: T }, (_, t) => asRows(seqs.map((s) => s.xs[t]!)));
  const H0 = asRows(seqs.map((s) => s.h0));
  const targets: BatchTargets = kind === "cross-entropy"
    ? { kind, labels: Array.from({ length: T }, (_, t) => seqs.map((s) => (s.targets as { labels: readonly number[] }).labels[t]!)) }
    : { kind, values: Array.from({ length: T }, (_, t) => asRows(seqs.map((s) => (s.targets as { values: readonly Vector[] }).values[t]!))) };
  return { Xs, H0, targets };
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
 * The same model in Vera's convention with matrix products only: Z_t = X_t W_xh + H_{t−1} W_hh, H_t = φ(Z_t),
 * O_t = H_t W_ha; backward ∂L/∂Z_t = ∂L/∂H_t ⊙ φ′(Z_t), ∂L/∂H_t = ∂L/∂Z_{t+1} W_hhᵀ + ∂L/∂O_t W_haᵀ,
 * ∂L/∂W_xh = Σ_t X_tᵀ ∂L/∂Z_t, ∂L/∂W_hh = Σ_t H_{t−1}ᵀ ∂L/∂Z_t, ∂L/∂W_ha = Σ_t H_tᵀ ∂L/∂O_t (its eqs 2.1 (2), (4), (5)
 * with one layer).
 */
export function batchForwardBackward(b: BatchParams, seq: BatchSequence, opts?: D2LOptions): BatchRun {
  const { activation, lossAt } = optionsOf(opts);
  const T = seq.Xs.length, n = seq.H0.rows, hidden = b.W_hh.rows, q = b.W_ha.cols;
  const weights = lossWeights(T, lossAt);
  const Z: Matrix[] = [], H: Matrix[] = [], dL_dO: Matrix[] = [];
  let loss = 0, Hprev = seq.H0;
  for (let t = 0; t < T; t++) {
    const Zt = matmul(seq.Xs[t]!, b.W_xh);
    addInPlace(Zt, matmul(Hprev, b.W_hh));
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
    if (t < T - 1) addInPlace(g, matmul(dL_dZ[t + 1]!, WhhT));
    dL_dH[t] = g;
    const dphi = activationDerivative(activation, Z[t]!.data);
    dL_dZ[t] = { rows: n, cols: hidden, data: g.data.map((v, k) => v * dphi[k]!) };
  }
  const grads: BatchParams = { W_xh: zeros(b.W_xh.rows, hidden), W_hh: zeros(hidden, hidden), W_ha: zeros(hidden, q) };
  for (let t = 0; t < T; t++) {
    addInPlace(grads.W_xh, matmul(transpose(seq.Xs[t]!), dL_dZ[t]!));
    addInPlace(grads.W_hh, matmul(transpose(t === 0 ? seq.H0 : H[t - 1]!), dL_dZ[t]!));
    addInPlace(grads.W_ha, matmul(transpose(H[t]!), dL_dO[t]!));
  }
  return { H, dL_dH, grads, loss };
}

export interface ConventionRun<G = WeightGrads | RowParams | BatchParams> {
  /** h_1 … h_T as a T × hidden matrix (row t − 1 = h_t, whatever the convention's orientation). */
  h: Matrix;
  /** ∂L/∂h_t likewise. */
  dL_dh: Matrix;
  /** The gradients in that convention's own names and shapes. */
  grads: G;
  /** The same gradients mapped back to the source's W_hx, W_hh, W_qh (the transposes undone). */
  asColumn: WeightGrads;
  loss: number;
}

export interface ThreeConventions {
  column: ConventionRun<WeightGrads>;
  row: ConventionRun<RowParams>;
  batch: ConventionRun<BatchParams>;
  /** The largest difference between any two conventions after mapping back, per quantity. */
  maxDiff: { loss: number; h: number; dL_dh: number; W_hx: number; W_hh: number; W_qh: number };
}

/**
 * Run one sequence through all three conventions — D2L's columns (eqs 2a–2.5), the main derivation's rows
 * (weights [out, in]) and Vera's batch rows (weights [in, out], batch of one) — and compare them.
 */
export function threeConventions(p: D2LParams, s: D2LSequence, opts?: D2LOptions): ThreeConventions {
  sizesOfD2L(p, s);
  const f = d2lForward(p, s, opts), g = d2lBackward(p, s, opts, f);
  const column: ConventionRun<WeightGrads> = {
    h: asRows(f.h), dL_dh: asRows(g.dL_dh), loss: f.loss,
    grads: { W_hx: g.W_hx, W_hh: g.W_hh, W_qh: g.W_qh }, asColumn: { W_hx: g.W_hx, W_hh: g.W_hh, W_qh: g.W_qh },
  };
  const rr = rowForwardBackward(toRowConvention(p), asRows(s.xs), s.h0, s.targets, opts);
  const rowRun: ConventionRun<RowParams> = { h: rr.h, dL_dh: rr.dL_dh, loss: rr.loss, grads: rr.grads, asColumn: fromRowConvention(rr.grads) };
  const br = batchForwardBackward(toBatchConvention(p), toBatchSequence([s]), opts);
  const batchRun: ConventionRun<BatchParams> = {
    h: asRows(br.H.map((m) => row(m, 0))), dL_dh: asRows(br.dL_dH.map((m) => row(m, 0))), loss: br.loss,
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

experiments(threeConventions, [{
  label: "Give Vera's code D2L's W_hh without the transpose",
  find: "batchForwardBackward(toBatchConvention(p),",
  replace: "batchForwardBackward({ ...toBatchConvention(p), W_hh: p.W_hh },",
  why: "Vera's W_hh has the same name as D2L's but is its transpose: H_t = X_t W_xh + H_{t−1} W_hh with [in, out] storage. " +
    "Copying D2L's matrix across by name runs the batch code with the transposed recurrence, so its states and every " +
    "gradient differ from the other two conventions — and from finite differences — unless W_hh is symmetric.",
}]);
/** o_tᵀ = h_tᵀ W_qhᵀ for every t at once, from the states stacked as rows: the row convention's outputs. */
export function outputsAsRows(hRows: Matrix, W_qh: Matrix): Matrix {
  return matmulT(hRows, W_qh);
}

/** The largest of the per-quantity disagreements of `threeConventions`. */
export function largestDisagreement(maxDiff: ThreeConventions["maxDiff"]): number {
  return Math.max(maxDiff.loss, maxDiff.h, maxDiff.dL_dh, maxDiff.W_hx, maxDiff.W_hh, maxDiff.W_qh);
}

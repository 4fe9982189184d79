/**
 * What the D2L pages check their numbers against: every gradient of lib/d2l/d2l.ts, lib/d2l/vanishing.ts,
 * lib/d2l/intuition.ts and lib/d2l/truncation.ts by central differences (lib/core/fd.ts) of the model's forward pass
 * alone (lib/d2l/model.ts), and the other independent forms. This module never imports the code it checks
 * (test/layers.test.ts).
 */
import {
  type D2LForward, type D2LOptions, type D2LParams, type D2LSequence, type Gate, type WeightGrads, type WhName, activate,
  d2lForward, d2lLoss, hPrevAt, mv, optionsOf, stepLossD2L, whLayout,
} from "./model.js";
import { centralDifference } from "../core/fd.js";
import { type Matrix, type Vector, clone, zeros } from "../core/matrix.js";
import { FD_EPSILON, ROUNDING_TOL } from "../core/tolerances.js";
import { tanh } from "../core/libm.js";

const cloneParams = (p: D2LParams): D2LParams => ({ W_hx: clone(p.W_hx), W_hh: clone(p.W_hh), W_qh: clone(p.W_qh) });
const WEIGHT_NAMES = ["W_hx", "W_hh", "W_qh"] as const;

/**
 * ∂y_i/∂θ_k for the n entries of a vector-valued y from entry `from` on, each by `centralDifference`. y is evaluated
 * once per position of θ_k (twice in all) and its entries read from that one run, not re-run per entry.
 */
function differenceColumn(theta: Float64Array, k: number, n: number, y: () => ArrayLike<number>, eps: number, from = 0): Float64Array {
  const runs = new Map<number, ArrayLike<number>>();
  const yNow = (): ArrayLike<number> => {
    let v = runs.get(theta[k]!);
    if (v === undefined) runs.set(theta[k]!, (v = y()));
    return v;
  };
  const column = new Float64Array(n);
  for (let i = 0; i < n; i++) column[i] = centralDifference(theta, k, () => yNow()[from + i]!, eps);
  return column;
}
/** ∂L/∂W for the three weights by central differences of `loss` (default: L of eq 2b). */
export function numericalWeightGrads(
  p: D2LParams, s: D2LSequence, opts?: D2LOptions, eps = FD_EPSILON,
  loss: (q: D2LParams) => number = (q) => d2lLoss(q, s, opts),
): WeightGrads {
  return numericalWeightGradsOf(WEIGHT_NAMES, p, s, opts, eps, loss) as WeightGrads;
}

/** The same for some of the weights only: each entry's difference is the same, whichever others are computed. */
function numericalWeightGradsOf<N extends keyof D2LParams>(
  names: readonly N[], p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, eps: number,
  loss: (q: D2LParams) => number,
): Pick<WeightGrads, N> {
  const q = cloneParams(p);
  const out = {} as Pick<WeightGrads, N>;
  for (const n of names) {
    const g = zeros(q[n].rows, q[n].cols);
    for (let k = 0; k < g.data.length; k++) g.data[k] = centralDifference(q[n].data, k, () => loss(q), eps);
    out[n] = g;
  }
  return out;
}

/** ∂L/∂o_t by central differences: o_t enters L only through weight_t · l(o_t, y_t). */
export function numericalOutputGrads(p: D2LParams, s: D2LSequence, opts?: D2LOptions, eps = FD_EPSILON): Vector[] {
  const f = d2lForward(p, s, opts);
  return f.o.map((ot, t) => {
    const o = ot.slice(), g = new Float64Array(o.length);
    for (let k = 0; k < o.length; k++) g[k] = f.weights[t]! * centralDifference(o, k, () => stepLossD2L(o, s.targets, t), eps);
    return g;
  });
}

/**
 * out ← A x with the sums of `mv` in the same order (so the same bits), into a buffer: finite differences run eq 2a
 * thousands of times per edit, and allocating every intermediate was most of their cost.
 */
function mvInto(out: Float64Array, A: Matrix, x: ArrayLike<number>): Float64Array {
  for (let i = 0; i < A.rows; i++) {
    let sum = 0;
    for (let j = 0; j < A.cols; j++) sum += A.data[i * A.cols + j]! * x[j]!;
    out[i] = sum;
  }
  return out;
}

/** Buffers for `stepInto`, allocated once per check. */
interface StepBuffers { Wx: Float64Array; Wh: Float64Array }
const stepBuffers = (p: D2LParams): StepBuffers => ({ Wx: new Float64Array(p.W_hh.rows), Wh: new Float64Array(p.W_hh.rows) });

/**
 * h ← φ(W_hx x_t + W_hh h_{t−1}) for the 0-based step t, into `h`: eq 2a as d2lForward computes it (the same sums,
 * then the same activation of each entry). `Wx`, when given, is W_hx x_t already computed (the weights are unchanged).
 */
function stepInto(
  h: Float64Array, p: D2LParams, s: D2LSequence, act: D2LOptions["activation"], t: number, hPrev: ArrayLike<number>,
  b: StepBuffers, Wx?: Float64Array,
): Float64Array {
  const wx = Wx ?? mvInto(b.Wx, p.W_hx, s.xs[t]!), Wh = mvInto(b.Wh, p.W_hh, hPrev);
  for (let i = 0; i < h.length; i++) {
    const a = wx[i]! + Wh[i]!;
    h[i] = act === "tanh" ? tanh(a) : act === "relu" ? (a > 0 ? a : 0) : a;
  }
  return h;
}

/** The hidden states from step `step` (0-based) on when h at that step is replaced by hAlt and the recursion re-run. */
export function statesFrom(p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, step: number, hAlt: Vector): Vector[] {
  const { activation } = optionsOf(opts), b = stepBuffers(p);
  const out: Vector[] = [hAlt];
  for (let t = step + 1; t < s.xs.length; t++) out.push(stepInto(new Float64Array(hAlt.length), p, s, activation, t, out[out.length - 1]!, b));
  return out;
}

/**
 * L as a function of h at one step, the others re-run from it: what `lossFromHidden` computes, for many hAlt. The
 * unperturbed pass `f` gives the losses before the step (summed once per step, in the same order) and W_hx x_t.
 */
function lossFromHiddenOf(p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, f: D2LForward): (step: number, hAlt: Vector) => number {
  const { activation } = optionsOf(opts), T = s.xs.length, b = stepBuffers(p);
  const before = new Float64Array(T);
  for (let t = 0, L = 0; t < T; t++) { before[t] = L; L += f.weights[t]! * f.l[t]!; }
  const Wx = s.xs.map((x) => mv(p.W_hx, x));
  const h = [new Float64Array(p.W_hh.rows), new Float64Array(p.W_hh.rows)], o = new Float64Array(p.W_qh.rows);
  return (step, hAlt) => {
    let L = before[step]!, hNow: Float64Array = hAlt;
    for (let t = step; t < T; t++) {
      if (t > step) hNow = stepInto(h[t % 2]!, p, s, activation, t, hNow, b, Wx[t]);
      L += f.weights[t]! * stepLossD2L(mvInto(o, p.W_qh, hNow), s.targets, t);
    }
    return L;
  };
}

/**
 * L with h at 0-based step `step` replaced by hAlt: the total derivative of eqs 2.3–2.4 counts every later step.
 * `f` is the unperturbed forward pass (the steps before `step`), computed here unless the caller already has it.
 */
export function lossFromHidden(
  p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, step: number, hAlt: Vector, f = d2lForward(p, s, opts),
): number {
  return lossFromHiddenOf(p, s, opts, f)(step, hAlt);
}

/** ∂L/∂h_t (total derivative) by central differences. */
export function numericalHiddenGradsD2L(p: D2LParams, s: D2LSequence, opts?: D2LOptions, eps = FD_EPSILON): Vector[] {
  // The unperturbed pass is shared by every difference: one per entry made /vanishing's check its slowest cell.
  const f = d2lForward(p, s, opts), loss = lossFromHiddenOf(p, s, opts, f);
  return f.h.map((ht, t) => {
    const h = ht.slice(), g = new Float64Array(h.length);
    for (let k = 0; k < h.length; k++) g[k] = centralDifference(h, k, () => loss(t, h), eps);
    return g;
  });
}

/** ∂h_to/∂h_from (1-based steps, to ≥ from) by central differences, hidden × hidden. */
export function numericalStateJacobian(p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, from: number, to: number, eps = FD_EPSILON): Matrix {
  if (!(from >= 1 && to >= from && to <= s.xs.length)) throw new RangeError(`numericalStateJacobian: need 1 ≤ from ≤ to ≤ T, got ${from}, ${to}`);
  const f = d2lForward(p, s, opts), hidden = p.W_hh.rows;
  const J = zeros(hidden, hidden), h = f.h[from - 1]!.slice();
  for (let k = 0; k < hidden; k++) {
    const column = differenceColumn(h, k, hidden, () => statesFrom(p, s, opts, from - 1, h)[to - from]!, eps);
    for (let i = 0; i < hidden; i++) J.data[i * hidden + k] = column[i]!;
  }
  return J;
}

/** ∂h_t/∂w_h for t = 1 … T (h × P each) by central differences on the flattened w_h. */
export function numericalDhdw(p: D2LParams, s: D2LSequence, opts?: D2LOptions, names?: readonly WhName[], eps = FD_EPSILON): Matrix[] {
  return dhdwFrom(p, s, opts, names, eps, 1);
}

/**
 * ∂h_t/∂w_h at the one 1-based step t: `numericalDhdw(…)[t − 1]`, bit for bit, differencing h_t's entries only (a page
 * that checks h_T alone was differencing all T steps' entries and keeping one in T).
 */
export function numericalDhdwAt(p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, t: number, names?: readonly WhName[], eps = FD_EPSILON): Matrix {
  if (!(Number.isInteger(t) && t >= 1 && t <= s.xs.length)) throw new RangeError(`numericalDhdwAt: need 1 ≤ t ≤ T = ${s.xs.length}, got ${t}`);
  return dhdwFrom(p, s, opts, names, eps, t, t)[0]!;
}

/** ∂h_t/∂w_h for t = first … last (1-based). */
function dhdwFrom(p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, names: readonly WhName[] | undefined, eps: number, first: number, last = s.xs.length): Matrix[] {
  const q = cloneParams(p), layout = whLayout(p, names), hidden = p.W_hh.rows, b = stepBuffers(p), steps = last - first + 1;
  const out = Array.from({ length: steps }, () => zeros(hidden, layout.P));
  for (const n of layout.names) {
    const theta = q[n].data;
    for (let k = 0; k < theta.length; k++) {
      const column = differenceColumn(theta, k, steps * hidden, () => hiddenStatesFlat(q, s, opts, b), eps, (first - 1) * hidden);
      const col = layout.offset[n]! + k;
      for (let t = 0; t < steps; t++) for (let i = 0; i < hidden; i++) out[t]!.data[i * layout.P + col] = column[t * hidden + i]!;
    }
  }
  return out;
}

/**
 * h_1 … h_T alone, flattened: eq 2a's recursion with the same operations as d2lForward (so the same bits), without
 * the outputs and losses that ∂h/∂w does not need — /vanishing runs it twice per entry of W_hh on every edit.
 */
function hiddenStatesFlat(p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, b: StepBuffers): Float64Array {
  const { activation } = optionsOf(opts), n = p.W_hh.rows, out = new Float64Array(s.xs.length * n);
  let hPrev: ArrayLike<number> = s.h0;
  for (let t = 0; t < s.xs.length; t++) hPrev = stepInto(out.subarray(t * n, (t + 1) * n), p, s, activation, t, hPrev, b);
  return out;
}

/**
 * The surrogate loss whose ordinary gradient at q = p is the gated estimator: for each loss term l_t, the states
 * are re-run with weights q, but the change of h_{j−1} (relative to the unperturbed run with p) enters step j
 * multiplied by g(t, j): h̃_j = φ(W_hx' x_j + W_hh' (h_{j−1} + g(t,j)(h̃_{j−1} − h_{j−1}))). At q = p every
 * h̃ equals h, and d h̃_t/dq = Σ_i (Π_{j=i+1}^t g(t,j) J_j) A_i by the chain rule. Finite differences of this
 * function in q give an oracle for every estimator of lib/d2l/truncation.ts. `f` is the unperturbed forward pass
 * (with p), computed here unless the caller already has it.
 */
export function gatedLoss(
  p: D2LParams, q: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, gate: Gate, f = d2lForward(p, s, opts),
): number {
  const { activation } = optionsOf(opts);
  const T = s.xs.length;
  // h̃_j depends on the gates g(t, 1 … j) alone: the first steps of a loss term whose gates are those of the loss term
  // before (for ξ-gates every step, for truncation after k all but the last k + 1) are taken from its run, the same
  // bits as running them again.
  const run: { g: number; h: Vector }[] = [];
  const n = q.W_hh.rows, d = q.W_hx.cols, hIn = new Float64Array(n), a = new Float64Array(n);
  let L = 0;
  for (let t = 1; t <= T; t++) {
    if (f.weights[t - 1] === 0) continue;
    let hTilde = s.h0, j = 1;
    for (; j <= run.length && Object.is(gate(t, j), run[j - 1]!.g); j++) hTilde = run[j - 1]!.h;
    run.length = j - 1;
    for (; j <= t; j++) {
      const hPrev = hPrevAt(f, j - 1), g = gate(t, j), x = s.xs[j - 1]!;
      for (let i = 0; i < n; i++) hIn[i] = hPrev[i]! + g * (hTilde[i]! - hPrev[i]!);
      for (let i = 0; i < n; i++) { // W_hx' x_j + W_hh' hIn, each product summed as `mv` sums it (its bits, no arrays)
        let wx = 0, wh = 0;
        for (let k = 0; k < d; k++) wx += q.W_hx.data[i * d + k]! * x[k]!;
        for (let k = 0; k < n; k++) wh += q.W_hh.data[i * n + k]! * hIn[k]!;
        a[i] = wx + wh;
      }
      hTilde = activate(activation, a);
      run.push({ g, h: hTilde });
    }
    L += f.weights[t - 1]! * stepLossD2L(mv(q.W_qh, hTilde), s.targets, t - 1);
  }
  return L;
}

/** The gated estimator by central differences of `gatedLoss`. */
export function numericalGatedGrads(p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, gate: Gate, eps = FD_EPSILON): WeightGrads {
  // The unperturbed run (p, not q) is the same for every difference: computed once, not twice per entry.
  const f = d2lForward(p, s, opts);
  return numericalWeightGrads(p, s, opts, eps, (q) => gatedLoss(p, q, s, opts, gate, f));
}

/**
 * ∂L/∂W for the intuition page's L = Σ_t l_t (its sum, not D2L's mean) by central differences; `names` limits it to
 * the weights a page checks (its Step 3 is about W_hh alone).
 */
export function numericalSumLossGrads<N extends keyof D2LParams = keyof D2LParams>(
  p: D2LParams, s: D2LSequence, opts?: D2LOptions, names: readonly N[] = WEIGHT_NAMES as unknown as readonly N[],
): Pick<WeightGrads, N> {
  const { activation } = optionsOf(opts), b = stepBuffers(p), o = new Float64Array(p.W_qh.rows);
  const h = [new Float64Array(p.W_hh.rows), new Float64Array(p.W_hh.rows)];
  // Σ_t of d2lForward's l_t, in its order and with its operations (the same bits), into buffers
  return numericalWeightGradsOf(names, p, s, opts, FD_EPSILON, (q) => {
    let sum = 0, hPrev: ArrayLike<number> = s.h0;
    for (let t = 0; t < s.xs.length; t++) {
      hPrev = stepInto(h[t % 2]!, q, s, activation, t, hPrev, b);
      sum += stepLossD2L(mvInto(o, q.W_qh, hPrev), s.targets, t);
    }
    return sum;
  });
}

/** The intuition page's L = Σ_t l_t from D2L's mean (eq 2b): T times it. */
export function sumLossFromMean(p: D2LParams, s: D2LSequence, opts?: D2LOptions): number {
  return s.xs.length * d2lForward(p, s, opts).loss;
}

/** ROUNDING_TOL relative to a value's size (and absolute below 1): two float64 forms of one number agree to it. */
export function roundingTolOf(size: number): number {
  return ROUNDING_TOL * Math.max(1, size);
}

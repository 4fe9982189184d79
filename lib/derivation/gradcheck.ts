/**
 * Central finite differences of the loss in float64: the independent check behind every gradient of eqs 4.1–4.9
 * (lib/core/fd.ts `centralDifference`, ε = FD_EPSILON). It computes the loss from eqs 1.1–1.7 only and never
 * imports the backward pass it checks; the comparison of the two is `gradCheck` in lib/derivation/backward.ts.
 */
import { type Forward, forward, stepLoss } from "./forward.js";
import { type Matrix, type Vector, clone, row, zeros } from "../core/matrix.js";
import { PARAM_NAMES, type ParamName, type Params } from "./model.js";
import { exp, log, tanh } from "../core/libm.js";
import { centralDifference } from "../core/fd.js";
import { FD_EPSILON } from "../core/tolerances.js";

export type ParamGrads = { E: Matrix; U: Matrix; W: Matrix; b: Vector; V: Matrix; c: Vector };

const dataOf = (v: Matrix | Vector): Float64Array => ("data" in v ? v.data : v);

function cloneParams(p: Params): Params {
  return { E: clone(p.E), U: clone(p.U), W: clone(p.W), b: p.b.slice(), V: clone(p.V), c: p.c.slice() };
}

/** The mean loss L of eq 1.2. */
export function lossOf(p: Params, inputs: readonly number[], targets: readonly number[], h0: Vector): number {
  return forward(p, inputs, targets, h0).loss;
}

/**
 * The loss of eqs 1.1–1.7 for finite differences, which evaluate it thousands of times: the arithmetic of
 * lib/derivation/forward.ts into reused buffers, keeping nothing, with one log of the product of the softmax normalisers
 * instead of a log per step (equal to rounding), several times faster.
 *
 * It reads the parameters at call time, so a caller may perturb them in place between calls — and then calls
 * `refresh` for the entry it changed, because two partial results are cached: x⁽ᵗ⁾Uᵀ (eq 1.4's input half, which
 * only U and E reach) and h⁽ᵗ⁾Vᵀ of the unperturbed h⁽ᵗ⁾ (eq 1.6 before c, which only V reaches). A cached entry
 * is recomputed by the same code from the same numbers, so a loss carries the same bits as if this class had
 * recomputed everything. A class, not closures: closures made afresh per check ran 60% slower (V8 inlines calls to
 * the methods of one class, not to a new closure each time).
 */
class TailLoss {
  private readonly H: number; private readonly d: number; private readonly V: number; private readonly tau: number;
  private readonly bufA: Float64Array; private readonly bufB: Float64Array; private readonly o: Float64Array;
  private readonly xU: Float64Array; private readonly hV: Float64Array;
  /** Π z over the steps of the current loss, and the logs of the parts flushed before it could overflow. */
  private zProd = 1; private logs = 0;

  /** `hs`: the unperturbed h⁽¹⁾ … h⁽τ⁾ for `cachedReadout`, or [] when it is not used. */
  constructor(
    private readonly p: Params, private readonly inputs: readonly number[], private readonly targets: readonly number[],
    private readonly hs: readonly Vector[],
  ) {
    this.H = p.W.rows; this.d = p.E.cols; this.V = p.E.rows; this.tau = inputs.length;
    this.bufA = new Float64Array(this.H); this.bufB = new Float64Array(this.H); this.o = new Float64Array(this.V);
    this.xU = new Float64Array(this.tau * this.H); this.hV = new Float64Array(this.tau * this.V);
    for (let t = 0; t < this.tau; t++) {
      for (let j = 0; j < this.H; j++) this.inputPart(t, j);
      if (hs.length > 0) for (let k = 0; k < this.V; k++) this.hiddenPart(t, k);
    }
  }

  /** x⁽ᵗ⁾ · row j of U. */
  private inputPart(t: number, j: number): void {
    const Ed = this.p.E.data, Ud = this.p.U.data, d = this.d, xo = this.inputs[t]! * d;
    let s = 0;
    for (let k = 0; k < d; k++) s += Ed[xo + k]! * Ud[j * d + k]!;
    this.xU[t * this.H + j] = s;
  }

  /** h⁽ᵗ⁾ · row k of V, for the cached (unperturbed) h⁽ᵗ⁾. */
  private hiddenPart(t: number, k: number): void {
    const Vd = this.p.V.data, h = this.hs[t]!, H = this.H;
    let s = 0;
    for (let j = 0; j < H; j++) s += h[j]! * Vd[k * H + j]!;
    this.hV[t * this.V + k] = s;
  }

  /** After entry k of parameter `name` changed: recompute the cached parts that read it. */
  refresh(name: ParamName, k: number): void {
    const { tau, d, H } = this;
    if (name === "U") for (let t = 0; t < tau; t++) this.inputPart(t, Math.floor(k / d));
    else if (name === "E") {
      for (let t = 0; t < tau; t++) if (this.inputs[t] === Math.floor(k / d)) for (let j = 0; j < H; j++) this.inputPart(t, j);
    } else if (name === "V" && this.hs.length > 0) for (let t = 0; t < tau; t++) this.hiddenPart(t, Math.floor(k / H));
  }

  /** L⁽ᵗ⁾ (eqs 1.7, 1.1) from the logits in `o`. */
  private stepLoss(t: number): number {
    const o = this.o, V = this.V;
    let m = -Infinity;
    for (let k = 0; k < V; k++) if (o[k]! > m) m = o[k]!;
    let z = 0;
    for (let k = 0; k < V; k++) z += exp(o[k]! - m);
    // L⁽ᵗ⁾ = m + log z − o_y; log z is added by `total` (1 ≤ z ≤ vocab: flushed long before it could overflow).
    this.zProd *= z;
    if (this.zProd > 1e150) { this.logs += log(this.zProd); this.zProd = 1; }
    return m - o[this.targets[t]!]!;
  }

  /** Starts a loss: no normalisers yet. */
  private begin(): void {
    this.zProd = 1;
    this.logs = 0;
  }

  /** Ends a loss: the step losses' sum plus Σ log z. */
  private total(sum: number): number {
    return sum + this.logs + log(this.zProd);
  }

  /** Σ_t L⁽ᵗ⁾ with V or c perturbed: the recursion's h⁽ᵗ⁾ are the cached ones. */
  readoutsLoss(): number {
    this.begin();
    let sum = 0;
    for (let t = 0; t < this.tau; t++) sum += this.cachedReadout(t);
    return this.total(sum);
  }

  /** Σ L⁽ˢ⁾ over 0-based steps from … τ−1, continuing the recursion (eqs 1.3–1.5) from hStart = h before `from`. */
  tailLoss(from: number, hStart: Vector): number {
    this.begin();
    return this.total(this.tail(from, hStart));
  }

  /** L⁽ˢ⁾ + Σ L⁽ᵗ⁾ over t > s when h⁽ˢ⁾ (0-based row s) is replaced by h and the recursion re-run from there. */
  fromHidden(h: Vector, s: number): number {
    this.begin();
    return this.total(this.readout(h, s) + this.tail(s + 1, h));
  }

  /** L⁽ᵗ⁾ (eqs 1.6, 1.7, 1.1) of hidden state h at 0-based step t, but for log z. */
  private readout(h: Vector, t: number): number {
    const Vd = this.p.V.data, c = this.p.c, o = this.o, H = this.H;
    for (let k = 0; k < this.V; k++) {
      let s = 0;
      for (let j = 0; j < H; j++) s += h[j]! * Vd[k * H + j]!;
      o[k] = s + c[k]!;
    }
    return this.stepLoss(t);
  }

  /** L⁽ᵗ⁾ of the cached h⁽ᵗ⁾ (for V and c, which the recursion does not read), but for log z. */
  private cachedReadout(t: number): number {
    const c = this.p.c, o = this.o, hV = this.hV, V = this.V;
    for (let k = 0; k < V; k++) o[k] = hV[t * V + k]! + c[k]!;
    return this.stepLoss(t);
  }

  /** `tailLoss` but for the log z terms. */
  private tail(from: number, hStart: Vector): number {
    const Wd = this.p.W.data, b = this.p.b, xU = this.xU, H = this.H;
    let prev = this.bufA, next = this.bufB;
    prev.set(hStart);
    let sum = 0;
    for (let t = from; t < this.tau; t++) {
      for (let j = 0; j < H; j++) {
        let hW = 0;
        for (let k = 0; k < H; k++) hW += prev[k]! * Wd[j * H + k]!;
        next[j] = tanh(hW + xU[t * H + j]! + b[j]!);
      }
      sum += this.readout(next, t);
      const swap = prev; prev = next; next = swap;
    }
    return sum;
  }
}

/**
 * ∂L/∂θ for every parameter θ ∈ {E, U, W, b, V, c}, by central differences (2 losses per entry).
 *
 * Each perturbed loss is evaluated in full from the first step that *reads* the perturbed entry, reusing the
 * unperturbed steps before it (they cannot change): V and c are read only by the readouts (eqs 1.6–1.7), so the
 * recursion's h⁽ᵗ⁾ are reused and only the τ readouts recomputed; row k of E is first read at the first step whose
 * input is k (eq 1.3), so the recursion restarts there. A row of E that no input reads is perturbed like U, W and
 * b, with the whole sequence recomputed: the finite difference must *find* its zero gradient, not assume it.
 * Same numbers as re-running everything (up to the order of one sum), several times faster.
 */
export function numericalParamGrads(
  p: Params, inputs: readonly number[], targets: readonly number[], h0: Vector, eps = FD_EPSILON,
): ParamGrads {
  const q = cloneParams(p);
  const tau = inputs.length;
  const h0copy = h0.slice();
  const f = forward(q, inputs, targets, h0copy);
  const hs = Array.from({ length: tau }, (_, t) => row(f.h, t));
  const L = new TailLoss(q, inputs, targets, hs);
  const before = new Float64Array(tau + 1); // before[s] = Σ_{t<s} L⁽ᵗ⁾
  for (let t = 0; t < tau; t++) before[t + 1] = before[t]! + f.L_t[t]!;
  const out = {} as Record<ParamName, Matrix | Vector>;
  for (const name of PARAM_NAMES) {
    const theta = dataOf(q[name]);
    const g = "data" in q[name] ? zeros((q[name] as Matrix).rows, (q[name] as Matrix).cols) : new Float64Array(theta.length);
    const gd = dataOf(g);
    const d = q.E.cols;
    const readsOnly = name === "V" || name === "c";
    for (let k = 0; k < theta.length; k++) {
      // The first step that reads entry k: row k/d of E is first read where it is first an input (eq 1.3).
      const from = name === "E" ? Math.max(0, inputs.indexOf(Math.floor(k / d))) : 0;
      const hFrom = from === 0 ? h0copy : hs[from - 1]!;
      gd[k] = centralDifference(theta, k, () => {
        L.refresh(name, k);
        return (readsOnly ? L.readoutsLoss() : before[from]! + L.tailLoss(from, hFrom)) / tau;
      }, eps);
      L.refresh(name, k); // θ_k is back to its exact bits: so must the cached parts be
    }
    out[name] = g;
  }
  return out as ParamGrads;
}

/** ∂L/∂o⁽ᵗ⁾ by central differences: o⁽ᵗ⁾ enters L only through L⁽ᵗ⁾/τ (eqs 1.1, 1.2). */
export function numericalLogitGrads(f: Forward, targets: readonly number[], eps = FD_EPSILON): Matrix {
  const tau = f.o.rows;
  const g = zeros(tau, f.o.cols);
  for (let t = 0; t < tau; t++) {
    const o = row(f.o, t).slice();
    for (let i = 0; i < o.length; i++) g.data[t * o.length + i] = centralDifference(o, i, () => stepLoss(o, targets[t]!), eps) / tau;
  }
  return g;
}

/**
 * The loss when h⁽ᵗ⁾ (0-based row `step`) is replaced by `hAlt` and the recursion re-run from there on:
 * the total derivative (DL)_{h⁽ᵗ⁾} of eqs 4.2–4.3 includes every later step that h⁽ᵗ⁾ reaches.
 */
export function lossWithHiddenAt(
  p: Params, f: Forward, inputs: readonly number[], targets: readonly number[], step: number, hAlt: Vector,
): number {
  const L = new TailLoss(p, inputs, targets, []);
  let sum = 0;
  for (let s = 0; s < step; s++) sum += f.L_t[s]!;
  return (sum + L.fromHidden(hAlt, step)) / f.h.rows;
}

/** ∂L/∂h⁽ᵗ⁾ (total derivative, through every later step) by central differences. */
export function numericalHiddenGrads(
  p: Params, f: Forward, inputs: readonly number[], targets: readonly number[], eps = FD_EPSILON,
): Matrix {
  const g = zeros(f.h.rows, f.h.cols);
  for (let t = 0; t < f.h.rows; t++) {
    const h = row(f.h, t).slice();
    for (let j = 0; j < h.length; j++) g.data[t * h.length + j] = centralDifference(h, j, () => lossWithHiddenAt(p, f, inputs, targets, t, h), eps);
  }
  return g;
}

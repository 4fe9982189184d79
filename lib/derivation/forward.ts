/**
 * The forward pass, eqs 1.1–1.7 of "BPTT Derivations", keeping every intermediate the backward pass needs.
 * Row t − 1 of each τ-row matrix holds the quantity at time step t (the source counts t = 1 … τ).
 */
import { type Matrix, type Vector, row, vecmatT, zeros } from "../core/matrix.js";
import { type Params, sizesOf } from "./model.js";
import { checkSequenceAndH0 } from "./validate.js";
import { exp, log, tanh } from "../core/libm.js";

export interface Forward {
  /** h⁽⁰⁾, [hidden]. */
  h0: Vector;
  /** x⁽ᵗ⁾ = E[input⁽ᵗ⁾], τ × d_model (eq 1.3). */
  x: Matrix;
  /** a⁽ᵗ⁾, τ × hidden (eq 1.4). */
  a: Matrix;
  /** h⁽¹⁾ … h⁽τ⁾, τ × hidden (eq 1.5). */
  h: Matrix;
  /** o⁽ᵗ⁾, τ × vocab (eq 1.6). */
  o: Matrix;
  /** ŷ⁽ᵗ⁾, τ × vocab (eq 1.7). */
  yhat: Matrix;
  /** L⁽ᵗ⁾, [τ] (eq 1.1). */
  L_t: Vector;
  /** L, the mean of L⁽ᵗ⁾ (eq 1.2). */
  loss: number;
}

/** eq 1.7: softmax(o), shifted by max(o) so that logits in the thousands neither overflow nor give NaN. */
export function softmax(o: Vector): Vector {
  let m = -Infinity;
  for (const v of o) m = Math.max(m, v);
  const e = o.map((v) => exp(v - m));
  let s = 0;
  for (const v of e) s += v;
  return e.map((v) => v / s);
}

/**
 * eq 1.1: L⁽ᵗ⁾ = −log ŷ⁽ᵗ⁾_y, as log Σ_k exp(o_k − m) − (o_y − m) with m = max_k o_k. Not −log(softmax(o)_y), which
 * is −log(0) = ∞ once the target's probability underflows; and not logsumexp(o) − o_y, which adds log Σ (between
 * 0 and log vocab) to m first and loses it when m is huge (m = 1e17: m + ln 2 = m).
 */
export function stepLoss(o: Vector, y: number): number {
  let m = -Infinity;
  for (const v of o) m = Math.max(m, v);
  let s = 0;
  for (const v of o) s += exp(v - m);
  return log(s) - (o[y]! - m);
}

/** eq 1.2: L = (1/τ) Σ_t L⁽ᵗ⁾. */
export function meanLoss(L_t: Vector): number {
  let s = 0;
  for (const v of L_t) s += v;
  return s / L_t.length;
}

/** eqs 1.3–1.7, then 1.1 and 1.2, for one sequence. */
export function forward(p: Params, inputs: readonly number[], targets: readonly number[], h0: Vector): Forward {
  const { vocab, dModel, hidden } = sizesOf(p);
  const tau = checkSequenceAndH0("forward", inputs, targets, h0, vocab, hidden);
  const x = zeros(tau, dModel), a = zeros(tau, hidden), h = zeros(tau, hidden);
  const o = zeros(tau, vocab), yhat = zeros(tau, vocab);
  const L_t = new Float64Array(tau);
  let hPrev = h0;
  for (let t = 0; t < tau; t++) {
    const xt = row(p.E, inputs[t]!); // eq 1.3
    x.data.set(xt, t * dModel);
    const hW = vecmatT(hPrev, p.W), xU = vecmatT(xt, p.U);
    const at = row(a, t);
    for (let j = 0; j < hidden; j++) at[j] = hW[j]! + xU[j]! + p.b[j]!; // eq 1.4
    const ht = row(h, t);
    for (let j = 0; j < hidden; j++) ht[j] = tanh(at[j]!); // eq 1.5
    const hV = vecmatT(ht, p.V);
    const ot = row(o, t);
    for (let k = 0; k < vocab; k++) ot[k] = hV[k]! + p.c[k]!; // eq 1.6
    yhat.data.set(softmax(ot), t * vocab); // eq 1.7
    L_t[t] = stepLoss(ot, targets[t]!); // eq 1.1
    hPrev = ht;
  }
  // h0 is copied so that a caller reusing its buffer cannot change what eq 4.7 later reads.
  return { h0: h0.slice(), x, a, h, o, yhat, L_t, loss: meanLoss(L_t) };
}

/** h⁽ᵗ⁻¹⁾ for t = 1 … τ given the 0-based row index t − 1: h⁽⁰⁾ for the first step. */
export function hPrevAt(f: Pick<Forward, "h0" | "h">, step: number): Vector {
  return step === 0 ? f.h0 : row(f.h, step - 1);
}

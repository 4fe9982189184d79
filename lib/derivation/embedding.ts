/**
 * Bookkeeping for §3.8 of "BPTT Derivations" (A. Singh), the gradient of the loss with respect to the embedding
 * table E: which rows of (DL)_E eq 3.21 can write into, which rows really are non-zero, how the per-step terms of
 * eq 3.21 stack up token by token, and two finite-difference checks: the Jacobian (Da⁽ᵗ⁾)_{x⁽ᵗ⁾} of eq 3.20 and a
 * single step's term (DL)_{E⁽ᵗ⁾} of eq 3.21, through the copy E⁽ᵗ⁾ of E used at that step only.
 *
 * The intermediate forms themselves (eqs 3.19–3.21, Remark 3.22) are in lib/derivation/forms.ts and the summary form
 * (eq 4.9) in lib/derivation/backward.ts; nothing here repeats their arithmetic. Token ids are 0-based (row `id` of E);
 * steps are 1-based as in the source (t = 1 … τ).
 */
import type { EmbeddingContribution } from "./forms.js";
import { type Forward, hPrevAt, stepLoss } from "./forward.js";
import { FD_EPSILON } from "../core/tolerances.js";
import { type Matrix, type Vector, ShapeError, clone, row, vecmatT, zeros } from "../core/matrix.js";
import type { Params } from "./model.js";
import { checkSequence, checkTokenIds } from "../core/tokens.js";
import { tanh } from "../core/libm.js";

/** The rows of (DL)_E that eq 3.21 can touch, and those it cannot. All lists ascending by token id. */
export interface EmbeddingRowSupport {
  /** Tokens read at some input position: e_{i_t} of eq 3.21 is one-hot at exactly these rows. */
  seen: number[];
  /** Tokens never read as an input: no term of eq 3.21 reaches their rows, which stay exactly zero. */
  unseen: number[];
  /** The unseen tokens that nevertheless occur as a target y⁽ᵗ⁾: they change the loss, but not through E. */
  targetOnly: number[];
}

/**
 * eq 3.21: (DL)_E = Σ_t e_{i_t}ᵀ(…) adds only into the rows i_t of the input tokens, so the support of (DL)_E
 * is contained in the set of input tokens. Targets play no part: a token that is only ever predicted (the "e"
 * of "cabbage") reaches L through the logits o⁽ᵗ⁾, never through a row of E.
 */
export function embeddingRowSupport(inputs: readonly number[], targets: readonly number[], vocab: number): EmbeddingRowSupport {
  if (!Number.isInteger(vocab) || vocab < 1) throw new ShapeError(`embeddingRowSupport: vocab must be a positive integer, got ${vocab}`);
  checkTokenIds("inputs", inputs, vocab);
  if (targets.length > 0) checkTokenIds("targets", targets, vocab);
  const isInput = new Set(inputs), isTarget = new Set(targets);
  const ids = Array.from({ length: vocab }, (_, k) => k);
  const unseen = ids.filter((k) => !isInput.has(k));
  return { seen: ids.filter((k) => isInput.has(k)), unseen, targetOnly: unseen.filter((k) => isTarget.has(k)) };
}

/**
 * The rows of a matrix with at least one entry different from zero (`!== 0`, no tolerance; a NaN entry counts
 * as non-zero), ascending. For (DL)_E, eq 3.21 says this is a subset of `embeddingRowSupport(...).seen`.
 */
export function nonZeroRows(m: Matrix): number[] {
  const out: number[] = [];
  for (let i = 0; i < m.rows; i++) if (row(m, i).some((v) => v !== 0)) out.push(i);
  return out;
}

/** One token's share of eq 3.21: the steps that read it, the row each adds, and their sum. */
export interface TokenStack {
  token: number;
  /** The steps t (1-based) with input⁽ᵗ⁾ = token, ascending; empty for a token that is never an input. */
  steps: number[];
  /** rows[k] = [(DL)_{h⁽ᵗ⁾} ⊙ (1 − (h⁽ᵗ⁾)²)] U at t = steps[k]. */
  rows: Vector[];
  /** Σ_k rows[k], summed in step order; the zero vector when `steps` is empty. */
  sum: Vector;
}

/**
 * eq 3.21 regrouped by token: the row of (DL)_E for token r is Σ_{t : i_t = r} [(DL)_{h⁽ᵗ⁾} ⊙ (1 − (h⁽ᵗ⁾)²)] U —
 * "the gradient with respect to a repeated parameter is the sum of the gradients with respect to the parameter
 * each time it appears" (§3.3), with E⁽ᵗ⁾ the copy of E used at step t. Takes the per-step terms of
 * lib/derivation/forms.ts `embeddingContributions`; returns one stack per token id 0 … vocab − 1.
 */
export function stackByToken(contributions: readonly EmbeddingContribution[], vocab: number, dModel: number): TokenStack[] {
  const op = "stackByToken";
  if (!Number.isInteger(vocab) || vocab < 1) throw new ShapeError(`${op}: vocab must be a positive integer, got ${vocab}`);
  if (!Number.isInteger(dModel) || dModel < 1) throw new ShapeError(`${op}: dModel must be a positive integer, got ${dModel}`);
  const stacks: TokenStack[] = Array.from({ length: vocab }, (_, token) => ({
    token, steps: [], rows: [], sum: new Float64Array(dModel),
  }));
  for (const c of contributions) {
    if (!Number.isInteger(c.token) || c.token < 0 || c.token >= vocab) {
      throw new ShapeError(`${op}: token ${c.token} of step ${c.t} is out of range: expected an integer from 0 to ${vocab - 1}`);
    }
    if (c.row.length !== dModel) {
      throw new ShapeError(`${op}: length ${c.row.length} of the row of step ${c.t} and dModel ${dModel} must match`);
    }
    const s = stacks[c.token]!;
    s.steps.push(c.t);
    s.rows.push(c.row);
  }
  for (const s of stacks) {
    const order = s.steps.map((_, k) => k).sort((a, b) => s.steps[a]! - s.steps[b]!);
    s.steps = order.map((k) => s.steps[k]!);
    s.rows = order.map((k) => s.rows[k]!);
    for (const r of s.rows) for (let j = 0; j < dModel; j++) s.sum[j]! += r[j]!;
  }
  return stacks;
}

/**
 * (Da⁽ᵗ⁾)_{x⁽ᵗ⁾} of eq 3.20 by central differences of eq 1.4, a⁽ᵗ⁾ = h⁽ᵗ⁻¹⁾Wᵀ + x⁽ᵗ⁾Uᵀ + b, holding h⁽ᵗ⁻¹⁾ fixed:
 * entry (m, i) ≈ ∂a_m/∂x_i, one row per component of a (hidden × d_model). The text writes this factor as U —
 * not Uᵀ, although U enters the forward pass transposed — and this is the independent check of that reading.
 */
export function numericalDaDx(p: Pick<Params, "W" | "U" | "b">, hPrev: Vector, x: Vector, eps = FD_EPSILON): Matrix {
  const op = "numericalDaDx";
  if (hPrev.length !== p.W.cols) throw new ShapeError(`${op}: length ${hPrev.length} of hPrev and columns ${p.W.cols} of W must match`);
  if (x.length !== p.U.cols) throw new ShapeError(`${op}: length ${x.length} of x and columns ${p.U.cols} of U must match`);
  const hidden = p.U.rows, dModel = p.U.cols;
  const hW = vecmatT(hPrev, p.W);
  const a = (xs: Vector): Vector => {
    const xU = vecmatT(xs, p.U);
    return xU.map((v, m) => hW[m]! + v + p.b[m]!); // eq 1.4
  };
  const J = zeros(hidden, dModel);
  const xs = x.slice();
  for (let i = 0; i < dModel; i++) {
    const keep = xs[i]!;
    xs[i] = keep + eps;
    const up = a(xs);
    xs[i] = keep - eps;
    const down = a(xs);
    xs[i] = keep;
    for (let m = 0; m < hidden; m++) J.data[m * dModel + i] = (up[m]! - down[m]!) / (2 * eps);
  }
  return J;
}

/**
 * The mean loss L (eqs 1.1–1.7) when the copy E⁽ᵗ⁾ of the embedding table used at one step is replaced by `Et`
 * and every other step still reads E — the dummy variables of eq 3.9 applied to E, as §3.8 uses them.
 * `step` is 0-based (the source's t − 1). Steps before it cannot see E⁽ᵗ⁾, so their losses L⁽ˢ⁾ and the hidden
 * state h⁽ᵗ⁻¹⁾ are taken from the forward pass `f` and only steps t … τ are re-run.
 */
export function lossWithStepEmbedding(
  p: Params, f: Pick<Forward, "h0" | "h" | "L_t">, inputs: readonly number[], targets: readonly number[], step: number, Et: Matrix,
): number {
  const op = "lossWithStepEmbedding";
  const tau = checkSequence(inputs, targets, p.E.rows);
  if (f.h.rows !== tau || f.L_t.length !== tau) {
    throw new ShapeError(`${op}: the forward pass has ${f.h.rows} steps but inputs has ${tau}`);
  }
  if (!Number.isInteger(step) || step < 0 || step >= tau) {
    throw new ShapeError(`${op}: step ${step} is out of range: expected an integer from 0 to ${tau - 1}`);
  }
  if (Et.rows !== p.E.rows || Et.cols !== p.E.cols) {
    throw new ShapeError(`${op}: shape [${Et.rows},${Et.cols}] of Et and [${p.E.rows},${p.E.cols}] of E must match`);
  }
  let sum = 0;
  for (let s = 0; s < step; s++) sum += f.L_t[s]!;
  let h = hPrevAt(f, step);
  for (let s = step; s < tau; s++) {
    const x = row(s === step ? Et : p.E, inputs[s]!); // eq 1.3, with E⁽ᵗ⁾ at the chosen step
    const hW = vecmatT(h, p.W), xU = vecmatT(x, p.U);
    h = hW.map((v, j) => tanh(v + xU[j]! + p.b[j]!)); // eqs 1.4–1.5
    const o = vecmatT(h, p.V).map((v, k) => v + p.c[k]!); // eq 1.6
    sum += stepLoss(o, targets[s]!); // eqs 1.7, 1.1
  }
  return sum / tau; // eq 1.2
}

/**
 * One term of eq 3.21 on its own, (DL)_{E⁽ᵗ⁾} = e_{i_t}ᵀ([(DL)_{h⁽ᵗ⁾} ⊙ (1 − (h⁽ᵗ⁾)²)] U), by central differences
 * over every entry of the step's copy E⁽ᵗ⁾ (vocab × d_model; `step` 0-based). Rows the step does not read come
 * out exactly zero, since nudging them leaves every float of the forward pass unchanged.
 */
export function numericalStepEmbeddingGrad(
  p: Params, f: Pick<Forward, "h0" | "h" | "L_t">, inputs: readonly number[], targets: readonly number[], step: number,
  eps = FD_EPSILON,
): Matrix {
  const Et = clone(p.E);
  const g = zeros(Et.rows, Et.cols);
  for (let k = 0; k < Et.data.length; k++) {
    const keep = Et.data[k]!;
    Et.data[k] = keep + eps;
    const up = lossWithStepEmbedding(p, f, inputs, targets, step, Et);
    Et.data[k] = keep - eps;
    const down = lossWithStepEmbedding(p, f, inputs, targets, step, Et);
    Et.data[k] = keep;
    g.data[k] = (up - down) / (2 * eps);
  }
  return g;
}

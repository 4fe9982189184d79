/**
 * §3.8 of "BPTT Derivations" (A. Singh) and its Remark 3.22, the page /embedding: the gradient of the loss with
 * respect to the embedding table E in each of the text's forms — the triple sum of eq 3.19, the stacked tensor of
 * eq 3.20, the one-hot outer products of eq 3.21 and Remark 3.22's unfold, project and fold — and the bookkeeping
 * the page shows beside them: which rows of (DL)_E eq 3.21 can write into, which really are non-zero, and how the
 * per-step terms stack up token by token. The summary form (eq 4.9) is `gradE` in lib/derivation/backward.ts, the
 * code these forms are checked against; nothing here reuses its arithmetic. Token ids are 0-based (row `id` of E);
 * steps are 1-based as in the source (t = 1 … τ) where a step is reported.
 */
import { type Matrix, type Vector, ShapeError, addInPlace, get, matmul, maxAbs, row, vaddInPlace, vecmat, vecmatT, zeros } from "../core/matrix.js";
import { checkTokenIds } from "../core/tokens.js";
import { oneMinusHSquared } from "./hidden.js";
import { addScaledInPlace } from "./parameters.js";
import { checkCount, checkFold, checkHiddenPair, checkIndex, checkInputs, checkTokenRows, checkWholeBlocks, mismatch } from "./validate.js";
import { experiments } from "../core/experiment.js";


function checkEmbeddingInputs(op: string, dL_dh: Matrix, h: Matrix, U: Matrix, inputs: readonly number[], vocab: number): number {
  const tau = checkHiddenPair(op, dL_dh, h);
  if (U.rows !== h.cols) throw mismatch(op, "hidden widths", h.cols, "h", h, U.rows, "U", U);
  checkCount(op, "vocab", vocab);
  checkInputs(op, inputs, h, vocab);
  return tau;
}

/**
 * The row vector [(DL)_{h⁽ᵗ⁾} ⊙ (1 − (h⁽ᵗ⁾)²)] U = (DL)_{x⁽ᵗ⁾} shared by eqs 3.20–3.22; the ⊙ is of two row
 * vectors here, so no broadcasting question arises.
 */
function dL_dx(dL_dh: Matrix, h: Matrix, U: Matrix, t: number): Vector {
  const h_t = row(h, t), dL_dh_t = row(dL_dh, t), tanhPrime = oneMinusHSquared(h_t);
  return vecmat(dL_dh_t.map((g, m) => g * tanhPrime[m]!), U);
}

/** (Dx_i⁽ᵗ⁾)_{E⁽ᵗ⁾} of eq 3.19: vocab × d_model with a single 1 at (input⁽ᵗ⁾, i), since x_i⁽ᵗ⁾ = E[input⁽ᵗ⁾, i]. */
export function dXi_dE(i: number, token: number, vocab: number, dModel: number): Matrix {
  checkCount("dXi_dE", "vocab", vocab);
  checkCount("dXi_dE", "dModel", dModel);
  checkIndex("dXi_dE", "component i", i, dModel);
  checkIndex("dXi_dE", "token", token, vocab);
  const out = zeros(vocab, dModel);
  out.data[token * dModel + i] = 1;
  return out;
}

/**
 * eq 3.19, the triple sum: (DL)_E = Σ_t Σ_i Σ_m (DL)_{a_m⁽ᵗ⁾}(Da_m⁽ᵗ⁾)_{x_i⁽ᵗ⁾}(Dx_i⁽ᵗ⁾)_{E⁽ᵗ⁾}, with
 * (DL)_{a_m} = (DL)_{h_m}(1 − h_m²) and (Da_m)_{x_i} = U_mi: each component x_i feeds every a_m, hence the sum
 * over m as well as i. Costs τ·d_model·hidden full vocab × d_model matrices — the "shibboleth" the text escapes.
 */
export function gradETripleSum(dL_dh: Matrix, h: Matrix, U: Matrix, inputs: readonly number[], vocab: number): Matrix {
  const tau = checkEmbeddingInputs("gradETripleSum", dL_dh, h, U, inputs, vocab);
  const hidden = h.cols, dModel = U.cols;
  const dL_dE = zeros(vocab, dModel);
  for (let t = 0; t < tau; t++) {
    const h_t = row(h, t), dL_dh_t = row(dL_dh, t);
    for (let i = 0; i < dModel; i++) {
      const dxi_dE = dXi_dE(i, inputs[t]!, vocab, dModel);
      for (let m = 0; m < hidden; m++) {
        const dL_dam = dL_dh_t[m]! * (1 - h_t[m]! * h_t[m]!);
        const dam_dxi = get(U, m, i);
        addScaledInPlace(dL_dE, dL_dam * dam_dxi, dxi_dE);
      }
    }
  }
  return dL_dE;
}

/**
 * The tensor (Dx⁽ᵗ⁾)_{E⁽ᵗ⁾} of eq 3.20 as the text pictures it: a vertical stack of `vocab` many d_model × d_model
 * blocks, returned as one (vocab·d_model) × d_model matrix. Block r has entry (k, j) = (Dx_k⁽ᵗ⁾)_{E_rj}, so it is
 * the identity for r = input⁽ᵗ⁾ and zero otherwise.
 */
export function dX_dE(token: number, vocab: number, dModel: number): Matrix {
  checkCount("dX_dE", "vocab", vocab);
  checkCount("dX_dE", "dModel", dModel);
  checkIndex("dX_dE", "token", token, vocab);
  const T = zeros(vocab * dModel, dModel);
  for (let k = 0; k < dModel; k++) T.data[(token * dModel + k) * dModel + k] = 1;
  return T;
}

/**
 * Right multiplication of a row vector by a vertically stacked tensor, as §3.8 describes it: v times each
 * stacked block, the r-th product becoming row r of the result. With eq 3.20's (Dx)_E this gives a
 * vocab × d_model matrix, zero except at the input token's row.
 */
export function rowTimesStack(v: Vector, T: Matrix): Matrix {
  checkWholeBlocks("rowTimesStack", v, T);
  const n = v.length;
  const blocks = T.rows / n;
  const out = zeros(blocks, T.cols);
  for (let r = 0; r < blocks; r++) {
    const block: Matrix = { rows: n, cols: T.cols, data: T.data.subarray(r * n * T.cols, (r + 1) * n * T.cols) };
    row(out, r).set(vecmat(v, block));
  }
  return out;
}

/**
 * eq 3.20: (DL)_E = Σ_t [(DL)_{h⁽ᵗ⁾} ⊙ (1 − (h⁽ᵗ⁾)²)] U (Dx⁽ᵗ⁾)_{E⁽ᵗ⁾}, differentiating through the vector x⁽ᵗ⁾
 * as a whole, with the tensor built explicitly (dX_dE) and contracted block by block (rowTimesStack).
 */
export function gradETensorForm(dL_dh: Matrix, h: Matrix, U: Matrix, inputs: readonly number[], vocab: number): Matrix {
  const tau = checkEmbeddingInputs("gradETensorForm", dL_dh, h, U, inputs, vocab);
  const dModel = U.cols;
  const dL_dE = zeros(vocab, dModel);
  for (let t = 0; t < tau; t++) addInPlace(dL_dE, rowTimesStack(dL_dx(dL_dh, h, U, t), dX_dE(inputs[t]!, vocab, dModel)));
  return dL_dE;
}

/** e_{i_t}ᵀ of eq 3.21 as an explicit n × 1 column: the one-hot vector, transposed because vectors are rows. */
export function oneHotColumn(index: number, n: number): Matrix {
  checkCount("oneHotColumn", "n", n);
  checkIndex("oneHotColumn", "index", index, n);
  const col = zeros(n, 1);
  col.data[index] = 1;
  return col;
}

/**
 * eq 3.21: (DL)_E = Σ_t e_{i_t}ᵀ([(DL)_{h⁽ᵗ⁾} ⊙ (1 − (h⁽ᵗ⁾)²)] U), each term a (vocab × 1)(1 × d_model) matrix
 * product — an outer product that places the row vector at the input token's row.
 */
export function gradEOneHotForm(dL_dh: Matrix, h: Matrix, U: Matrix, inputs: readonly number[], vocab: number): Matrix {
  const tau = checkEmbeddingInputs("gradEOneHotForm", dL_dh, h, U, inputs, vocab);
  const dModel = U.cols;
  const dL_dE = zeros(vocab, dModel);
  for (let t = 0; t < tau; t++) {
    const g: Matrix = { rows: 1, cols: dModel, data: dL_dx(dL_dh, h, U, t) };
    addInPlace(dL_dE, matmul(oneHotColumn(inputs[t]!, vocab), g));
  }
  return dL_dE;
}

/** Remark 3.22's unfolding: the rows of a matrix placed side by side, E ↦ e with e_{r·cols + j} = E_rj. */
export function flattenRows(m: Matrix): Vector {
  const e = new Float64Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) e.set(row(m, r), r * m.cols);
  return e;
}

/** Remark 3.22's folding back: the inverse of flattenRows, stacking `rows` consecutive slices of length `cols`. */
export function foldRows(e: Vector, rows: number, cols: number): Matrix {
  checkFold("foldRows", e, rows, cols);
  const m = zeros(rows, cols);
  for (let r = 0; r < rows; r++) row(m, r).set(e.subarray(r * cols, (r + 1) * cols));
  return m;
}

/**
 * Remark 3.22's Jacobian of the projection e⁽ᵗ⁾ ↦ x⁽ᵗ⁾ on the row-by-row unfolding of E: d_model × (d_model·vocab),
 * entry (k, r·d_model + j) = 1{r = input⁽ᵗ⁾ and j = k}. The map is linear, so this matrix times e is x⁽ᵗ⁾.
 */
export function projectionJacobian(token: number, vocab: number, dModel: number): Matrix {
  checkCount("projectionJacobian", "vocab", vocab);
  checkCount("projectionJacobian", "dModel", dModel);
  checkIndex("projectionJacobian", "token", token, vocab);
  const n = dModel * vocab;
  const J = zeros(dModel, n);
  for (let k = 0; k < dModel; k++) J.data[k * n + token * dModel + k] = 1;
  return J;
}

/**
 * Remark 3.22: the same gradient with no tensors — multiply [(DL)_{h⁽ᵗ⁾} ⊙ (1 − (h⁽ᵗ⁾)²)] U by the ordinary
 * d_model × (d_model·vocab) projection Jacobian to get a 1 × (d_model·vocab) row, sum over t, then fold the row
 * back into vocab × d_model the way E was unfolded.
 */
export function remark322(dL_dh: Matrix, h: Matrix, U: Matrix, inputs: readonly number[], vocab: number): Matrix {
  const tau = checkEmbeddingInputs("remark322", dL_dh, h, U, inputs, vocab);
  const dModel = U.cols;
  const dL_de = new Float64Array(dModel * vocab);
  for (let t = 0; t < tau; t++) vaddInPlace(dL_de, vecmat(dL_dx(dL_dh, h, U, t), projectionJacobian(inputs[t]!, vocab, dModel)));
  return foldRows(dL_de, vocab, dModel);
}

/** One step's term of eq 3.20 / eq 3.21: step t (1-based, as in the source), its input token, and the row it adds. */
export interface EmbeddingContribution {
  t: number;
  token: number;
  row: Vector;
}

/**
 * The terms of eq 3.21 one by one, so a page can show that a token's row of (DL)_E is the sum of the rows its
 * occurrences contribute ("the gradient with respect to a repeated parameter is the sum …", §3.3) and that a
 * token that is never an input gets none.
 */
export function embeddingContributions(dL_dh: Matrix, h: Matrix, U: Matrix, inputs: readonly number[]): EmbeddingContribution[] {
  const op = "embeddingContributions";
  const tau = checkHiddenPair(op, dL_dh, h);
  if (U.rows !== h.cols) throw mismatch(op, "hidden widths", h.cols, "h", h, U.rows, "U", U);
  if (inputs.length !== tau) throw mismatch(op, "step counts", inputs.length, "inputs", inputs, tau, "h", h);
  return Array.from({ length: tau }, (_, t) => ({ t: t + 1, token: inputs[t]!, row: dL_dx(dL_dh, h, U, t) }));
}

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
 * `embeddingContributions` above; returns one stack per token id 0 … vocab − 1.
 */
export function stackByToken(contributions: readonly EmbeddingContribution[], vocab: number, dModel: number): TokenStack[] {
  checkTokenRows("stackByToken", contributions, vocab, dModel);
  const stacks: TokenStack[] = Array.from({ length: vocab }, (_, token) => ({
    token, steps: [], rows: [], sum: new Float64Array(dModel),
  }));
  for (const c of contributions) {
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

/** The number of terms of eq 3.19's triple sum, τ · d_model · hidden: one per step, component of x and of a. */
export function tripleSumTermCount(tau: number, dModel: number, hidden: number): number {
  return tau * dModel * hidden;
}

/** The length of Remark 3.22's unfolded e⁽ᵗ⁾, d_model · vocab: the rows of E side by side. */
export function unfoldedLength(vocab: number, dModel: number): number {
  return dModel * vocab;
}

/**
 * Remark 3.22's lookup as a linear map: for each step, (projection Jacobian) · e with e = E unfolded, which must be
 * x⁽ᵗ⁾ = E[input⁽ᵗ⁾] (eq 1.3) entry for entry. One vector per step.
 */
export function lookupsByProjection(E: Matrix, inputs: readonly number[]): Vector[] {
  const e = flattenRows(E);
  return inputs.map((k) => vecmatT(e, projectionJacobian(k, E.rows, E.cols)));
}

/** The largest |entry| in the given rows of m, 0 when there are none: for (DL)_E's unseen tokens eq 3.21 says exactly 0. */
export function largestInRows(m: Matrix, rows: readonly number[]): number {
  let out = 0;
  for (const k of rows) out = Math.max(out, maxAbs(row(m, k)));
  return out;
}

// ——— guided experiments (lib/core/experiment.ts): each a classic mistake /embedding's checks catch ———

experiments(gradETripleSum, [{
  label: "Keep only the last step's term",
  find: "addScaledInPlace(dL_dE, dL_dam * dam_dxi, dxi_dE);",
  replace: "if (t === tau - 1) addScaledInPlace(dL_dE, dL_dam * dam_dxi, dxi_dE);",
  why: "The Σ_t adds the contribution of every step that reads E. Keeping only step τ leaves just the row of the last input " +
    "token, and even that row is missing the earlier steps that read the same token.",
}]);

experiments(gradETensorForm, [{
  label: "Assign instead of accumulate",
  find: "addInPlace(dL_dE, rowTimesStack(dL_dx(dL_dh, h, U, t), dX_dE(inputs[t]!, vocab, dModel)));",
  replace: "dL_dE.data.set(rowTimesStack(dL_dx(dL_dh, h, U, t), dX_dE(inputs[t]!, vocab, dModel)).data);",
  why: "Each term of (3.20) is a whole vocab × d_model matrix, zero outside the row of step t's token. Overwriting instead of " +
    "adding throws away every earlier step: only the row of the last input token survives, and only with its last term.",
}]);

experiments(gradEOneHotForm, [{
  label: "One-hot at the position t instead of the token i_t",
  find: "oneHotColumn(inputs[t]!, vocab)",
  replace: "oneHotColumn(t, vocab)",
  why: "e_{i_t} is one-hot at the token read at step t (i_t = inputs[t]), not at the step's position: a row of E belongs to a " +
    "token wherever it occurs. Indexing by position puts each step's term in the row of an unrelated token (and fails " +
    "outright once t reaches the vocabulary's size).",
}]);

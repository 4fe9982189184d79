/**
 * Argument checks of the derivation's page modules (forward.ts, graph.ts, logits.ts, hidden.ts, parameters.ts,
 * embedding.ts and their check modules). A wrong shape is a ShapeError whose message follows lib/core/matrix.ts: the
 * operation, what disagrees, both operands and both shapes, so a reader who passes a transposed matrix learns which one.
 * A function a page shows opens with one call of a check here, named for what it checks, so that what follows reads
 * as its equation.
 */
import { type Matrix, type Vector, ShapeError, shapeText } from "../core/matrix.js";
import { checkSequence, checkTokenIds } from "../core/tokens.js";

export type Shaped = Matrix | Vector | readonly number[];

/** "[3,4]" for a matrix, "[4]" for a vector or a list of token ids. */
export const shp = (x: Shaped): string => (Array.isArray(x) ? `[${x.length}]` : shapeText(x as Matrix | Vector));

export function mismatch(op: string, what: string, n: number, aName: string, a: Shaped, m: number, bName: string, b: Shaped): ShapeError {
  return new ShapeError(`${op}: ${what} ${n} and ${m} of ${aName} ${shp(a)} and ${bName} ${shp(b)} must match`);
}

/** τ from a τ-row matrix; the recursions of §3.2 start at t = τ, so there must be one. */
export function stepsOf(op: string, name: string, m: Matrix): number {
  if (m.rows < 1) throw new ShapeError(`${op}: ${name} ${shp(m)} has no time steps: expected at least one row`);
  return m.rows;
}

/** (DL)_{h⁽ᵗ⁾} and h⁽ᵗ⁾ must be the same τ × hidden shape: every parameter form pairs them row by row. */
export function checkHiddenPair(op: string, dL_dh: Matrix, h: Matrix): number {
  const tau = stepsOf(op, "h", h);
  if (dL_dh.rows !== h.rows) throw mismatch(op, "step counts", dL_dh.rows, "dL_dh", dL_dh, h.rows, "h", h);
  if (dL_dh.cols !== h.cols) throw mismatch(op, "hidden widths", dL_dh.cols, "dL_dh", dL_dh, h.cols, "h", h);
  return tau;
}

/** h⁽⁰⁾ has the hidden width of h. */
export function checkH0(op: string, h0: Vector, h: Matrix): void {
  if (h0.length !== h.cols) throw mismatch(op, "hidden widths", h0.length, "h0", h0, h.cols, "h", h);
}

/** One input token per step, each a token id. */
export function checkInputs(op: string, inputs: readonly number[], h: Matrix, vocab: number): void {
  if (inputs.length !== h.rows) throw mismatch(op, "step counts", inputs.length, "inputs", inputs, h.rows, "h", h);
  checkTokenIds("inputs", inputs, vocab);
}

/** One target per row of ŷ, each a token id; returns τ. */
export function checkTargets(op: string, yhat: Matrix, targets: readonly number[]): number {
  const tau = stepsOf(op, "yhat", yhat);
  if (targets.length !== tau) throw mismatch(op, "step counts", targets.length, "targets", targets, tau, "yhat", yhat);
  checkTokenIds("targets", targets, yhat.cols);
  return tau;
}

export function checkSquare(op: string, W: Matrix): void {
  if (W.rows !== W.cols) throw mismatch(op, "rows and columns", W.rows, "W", W, W.cols, "W", W);
}

export function checkCount(op: string, what: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ShapeError(`${op}: ${what} must be a positive integer, got ${n}`);
}

export function checkIndex(op: string, what: string, i: number, n: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= n) {
    throw new ShapeError(`${op}: ${what} ${i} is out of range: expected an integer from 0 to ${n - 1}`);
  }
}

/** forward's sequence (eqs 1.3–1.7): one target per input, each a token id, and an h⁽⁰⁾ of the hidden width; returns τ. */
export function checkSequenceAndH0(op: string, inputs: readonly number[], targets: readonly number[], h0: Vector, vocab: number, hidden: number): number {
  const tau = checkSequence(inputs, targets, vocab);
  if (h0.length !== hidden) throw new ShapeError(`${op}: h0 has length ${h0.length}, expected hidden = ${hidden}`);
  return tau;
}

/**
 * The first `steps` steps of eq 3.8's recursion: an integer 0 ≤ steps ≤ τ, and (DL)_o, h, V and W of shapes
 * τ × vocab, τ × hidden, vocab × hidden and hidden × hidden; returns τ.
 */
export function checkStepsAndShapes(op: string, dL_do: Matrix, h: Matrix, V: Matrix, W: Matrix, steps: number): number {
  const tau = h.rows;
  if (!Number.isInteger(steps) || steps < 0 || steps > tau) {
    throw new RangeError(`${op}: steps must be an integer from 0 to τ = ${tau}, got ${steps}`);
  }
  if (dL_do.rows !== tau || dL_do.cols !== V.rows || V.cols !== h.cols || W.rows !== h.cols || W.cols !== h.cols) {
    throw new ShapeError(
      `${op}: (DL)_o [${dL_do.rows},${dL_do.cols}], h [${h.rows},${h.cols}], V [${V.rows},${V.cols}] and W [${W.rows},${W.cols}] do not fit τ × vocab, τ × hidden, vocab × hidden, hidden × hidden`,
    );
  }
  return tau;
}

/**
 * eq 3.6's operands: h with at least one step, the totals (DL)_h of h's shape, (DL)_o with τ rows, V vocab × hidden
 * and W hidden × hidden; returns τ.
 */
export function checkHiddenGradsAndInputs(op: string, dL_dh: Matrix, dL_do: Matrix, h: Matrix, V: Matrix, W: Matrix): number {
  const tau = stepsOf(op, "h", h), hidden = h.cols;
  if (dL_dh.rows !== tau || dL_dh.cols !== hidden) throw new ShapeError(`${op}: dL_dh ${shp(dL_dh)} and h ${shp(h)} must have the same shape`);
  if (dL_do.rows !== tau) throw new ShapeError(`${op}: step counts ${dL_do.rows} and ${tau} of dL_do ${shp(dL_do)} and h ${shp(h)} must match`);
  if (V.rows !== dL_do.cols || V.cols !== hidden) throw new ShapeError(`${op}: V ${shp(V)} must be [${dL_do.cols},${hidden}] (vocab of dL_do, hidden of h)`);
  if (W.rows !== hidden || W.cols !== hidden) throw new ShapeError(`${op}: W ${shp(W)} must be [${hidden},${hidden}] (hidden of h)`);
  return tau;
}

/** eq 3.7's factors: W square, and h⁽ᵗ⁺¹⁾ as long as W has rows. */
export function checkHNextAndSquareW(op: string, hNext: Vector, W: Matrix): void {
  checkSquare(op, W);
  if (hNext.length !== W.rows) throw mismatch(op, "lengths", hNext.length, "hNext", hNext, W.rows, "W", W);
}

/** A vector `name` of the hidden width. */
export function checkHiddenLength(op: string, name: string, v: Vector, hidden: number): void {
  if (v.length !== hidden) {
    throw new ShapeError(`${op}: length ${v.length} of ${name} [${v.length}] and hidden ${hidden} must match`);
  }
}

/** (DL)_{h⁽ᵗ⁾} and h⁽ᵗ⁾ as in checkHiddenPair, and one row x⁽ᵗ⁾ per step; returns τ. */
export function checkHiddenPairAndX(op: string, dL_dh: Matrix, h: Matrix, x: Matrix): number {
  const tau = checkHiddenPair(op, dL_dh, h);
  if (x.rows !== tau) throw mismatch(op, "step counts", x.rows, "x", x, tau, "h", h);
  return tau;
}

/** (DL)_{o⁽ᵗ⁾} and h⁽ᵗ⁾ have the same number τ ≥ 1 of steps: the forms of (DL)_V pair them row by row; returns τ. */
export function checkOutputPair(op: string, dL_do: Matrix, h: Matrix): number {
  const tau = stepsOf(op, "h", h);
  if (dL_do.rows !== tau) throw mismatch(op, "step counts", dL_do.rows, "dL_do", dL_do, tau, "h", h);
  return tau;
}

/** eq 1.4's operands: h⁽ᵗ⁻¹⁾ as long as W is wide, x⁽ᵗ⁾ as long as U is wide. */
export function checkHPrevAndX(op: string, p: { W: Matrix; U: Matrix }, hPrev: Vector, x: Vector): void {
  if (hPrev.length !== p.W.cols) throw new ShapeError(`${op}: length ${hPrev.length} of hPrev and columns ${p.W.cols} of W must match`);
  if (x.length !== p.U.cols) throw new ShapeError(`${op}: length ${x.length} of x and columns ${p.U.cols} of U must match`);
}

/** Remark 3.22's folding: e holds exactly rows × cols entries. */
export function checkFold(op: string, e: Vector, rows: number, cols: number): void {
  if (e.length !== rows * cols) {
    throw new ShapeError(`${op}: length ${e.length} of e ${shp(e)} and size ${rows * cols} of the fold [${rows},${cols}] must match`);
  }
}

/** §3.8's stacked tensor: T's rows are a whole number of blocks as high as v is long (and v is not empty). */
export function checkWholeBlocks(op: string, v: Vector, T: Matrix): void {
  const n = v.length;
  if (n < 1 || T.rows % n !== 0) {
    throw new ShapeError(`${op}: rows ${T.rows} of T ${shp(T)} are not a whole number of blocks of height ${n} = length of v ${shp(v)}`);
  }
}

/**
 * eq 3.21 regrouped by token: vocab and dModel positive integers, and each step's token an id below vocab with a
 * row of length dModel (the steps in their order, so the first bad one is named).
 */
export function checkTokenRows(
  op: string, contributions: readonly { t: number; token: number; row: Vector }[], vocab: number, dModel: number,
): void {
  checkCount(op, "vocab", vocab);
  checkCount(op, "dModel", dModel);
  for (const c of contributions) {
    if (!Number.isInteger(c.token) || c.token < 0 || c.token >= vocab) {
      throw new ShapeError(`${op}: token ${c.token} of step ${c.t} is out of range: expected an integer from 0 to ${vocab - 1}`);
    }
    if (c.row.length !== dModel) {
      throw new ShapeError(`${op}: length ${c.row.length} of the row of step ${c.t} and dModel ${dModel} must match`);
    }
  }
}

/**
 * Argument checks shared by the modules of §3's pages (logits.ts, hidden.ts, parameters.ts, embedding.ts and their
 * check modules). A wrong shape is a ShapeError whose message follows lib/core/matrix.ts: the operation, what
 * disagrees, both operands and both shapes, so a reader who passes a transposed matrix learns which one.
 */
import { type Matrix, type Vector, ShapeError, shapeText } from "../core/matrix.js";
import { checkTokenIds } from "../core/tokens.js";

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

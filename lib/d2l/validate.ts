/**
 * Argument checks of D2L's pages, so that a function a page shows opens with one check, named for what it checks,
 * and then reads as its equation. Reaches only lib/core/ and spectrum.ts, none of the code D2L's checks check
 * (test/layers.test.ts).
 */
import type { Matrix, Vector } from "../core/matrix.js";
import { square } from "./spectrum.js";

/**
 * A product of Jacobians from step `from` to `upTo` (1-based) of a run of T = preacts.length steps: W_hh square and
 * 1 ≤ from ≤ upTo ≤ T; returns W_hh's size.
 */
export function checkSquareAndSpan(op: string, W_hh: Matrix, preacts: readonly Vector[], from: number, upTo: number): number {
  const n = square(op, W_hh);
  if (!(Number.isInteger(from) && from >= 1 && upTo >= from && upTo <= preacts.length)) {
    throw new RangeError(`${op}: need 1 ≤ from ≤ upTo ≤ T = ${preacts.length}, got ${from}, ${upTo}`);
  }
  return n;
}

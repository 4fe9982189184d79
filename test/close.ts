/**
 * The acceptance rules of the unit suite, written once: against finite differences (relative), against TF.js
 * (relative, or absolute where the value is ~0 and float32 noise dominates), against PyTorch (float64, likewise),
 * and two float64 evaluations of one quantity (ROUNDING_TOL relative to its size). The failure message carries the
 * whole discrepancy.
 */
import { expect } from "vitest";
import { type Discrepancy, discrepancy } from "../lib/core/fd.js";
import type { Matrix, Vector } from "../lib/core/matrix.js";
import { FD_REL_TOL, ROUNDING_TOL, TFJS_ABS_TOL, TFJS_REL_TOL, TORCH_ABS_TOL, TORCH_REL_TOL } from "../lib/core/tolerances.js";

/** A matrix, a vector, or a list of vectors (one per step), compared entry by entry in row-major order. */
export type Values = Matrix | Vector | readonly Vector[] | readonly number[];

export function flat(x: Values): Float64Array {
  if ("data" in x) return x.data;
  if (x instanceof Float64Array) return x;
  const list = x as readonly (Vector | number)[];
  if (list.every((v) => typeof v === "number")) return Float64Array.from(list as readonly number[]);
  return Float64Array.from((list as readonly Vector[]).flatMap((v) => Array.from(v)));
}

/** The rule of expectWithin, shared with torchAgrees. */
const accepts = (d: Discrepancy, rel: number, abs?: number): boolean => d.relError < rel || (abs !== undefined && d.maxAbsError < abs);

/** Passes when the relative error is under `rel`, or (when `abs` is given) the largest absolute error is under `abs`. */
export function expectWithin(what: string, a: Values, b: Values, rel: number, abs?: number): Discrepancy {
  const x = flat(a), y = flat(b);
  expect(x.length, `${what}: sizes`).toBe(y.length);
  const d = discrepancy(x, y);
  expect(accepts(d, rel, abs), `${what}: ${JSON.stringify(d)}`).toBe(true);
  return d;
}

/** An analytic gradient against central finite differences: relative error under FD_REL_TOL. */
export const expectFd = (what: string, analytic: Values, numeric: Values): Discrepancy =>
  expectWithin(`${what} vs finite differences`, analytic, numeric, FD_REL_TOL);

/** Ours (float64) against TF.js (float32 there): TFJS_REL_TOL relative, or TFJS_ABS_TOL absolute. */
export const expectTfjs = (what: string, ours: Values, theirs: Values): Discrepancy =>
  expectWithin(`${what} vs TF.js`, ours, theirs, TFJS_REL_TOL, TFJS_ABS_TOL);

/** Ours against PyTorch autograd, both float64 (test/pytorch/): TORCH_REL_TOL relative, or TORCH_ABS_TOL absolute. */
export const expectTorch = (what: string, ours: Values, theirs: Values): Discrepancy =>
  expectWithin(`${what} vs PyTorch`, ours, theirs, TORCH_REL_TOL, TORCH_ABS_TOL);

/** Whether `expectTorch` would pass: for the tests that show the PyTorch oracle rejects a wrong answer. */
export const torchAgrees = (ours: Values, theirs: Values): boolean =>
  accepts(discrepancy(flat(ours), flat(theirs)), TORCH_REL_TOL, TORCH_ABS_TOL);

/** Two float64 evaluations of the same quantity: every entry within ROUNDING_TOL × max(1, largest |entry|). */
export function expectSame(what: string, a: Values, b: Values): void {
  const x = flat(a), y = flat(b);
  expect(x.length, `${what}: sizes`).toBe(y.length);
  let worst = 0, size = 1;
  for (let k = 0; k < x.length; k++) {
    worst = Math.max(worst, Math.abs(x[k]! - y[k]!));
    size = Math.max(size, Math.abs(x[k]!));
  }
  expect(worst, what).toBeLessThanOrEqual(ROUNDING_TOL * size);
}

/**
 * A shortcut and the plain form it replaces, the same operations in the same order: every entry the same double
 * (Object.is, so 0 and −0 differ and NaN equals NaN). The message names the first entry that differs.
 */
export function expectSameBits(what: string, a: Values, b: Values): void {
  const x = flat(a), y = flat(b);
  expect(x.length, `${what}: sizes`).toBe(y.length);
  for (let k = 0; k < x.length; k++) if (!Object.is(x[k], y[k])) expect.fail(`${what}[${k}]: ${x[k]} ≠ ${y[k]}`);
}

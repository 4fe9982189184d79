/**
 * The ✓/✗ badge after a live cell: an independent computation against the page's value, with the largest
 * absolute difference. A NaN error never passes.
 */
import { relMaxError } from "../lib/core/fd.js";
import { type Matrix, type Vector, maxAbsDiff } from "../lib/core/matrix.js";
import { FD_TOL, ROUNDING_TOL } from "../lib/core/tolerances.js";
import { fmt } from "./format.js";

export interface CheckResult {
  /** What the value was checked against, e.g. "finite differences". */
  against: string;
  maxAbsError: number;
  tolerance: number;
}

export function passes({ maxAbsError, tolerance }: CheckResult): boolean {
  return maxAbsError <= tolerance; // false for NaN
}

export function checkBadge(r: CheckResult): HTMLElement {
  const ok = passes(r);
  const el = document.createElement("span");
  el.className = `check ${ok ? "check-pass" : "check-fail"}`;
  el.setAttribute("role", "status");
  el.textContent = `${ok ? "✓" : "✗"} matches ${r.against}: max |error| = ${fmt(r.maxAbsError, 2)}` +
    (ok ? "" : ` (tolerance ${fmt(r.tolerance, 2)})`);
  return el;
}

/** What a check compares: a scalar, a vector, a matrix, or one vector per step. */
export type Checked = number | Matrix | Vector | readonly Vector[];

const asVector = (x: Exclude<Checked, Matrix>): Vector =>
  typeof x === "number" ? Float64Array.of(x) : x instanceof Float64Array ? x : Float64Array.from(x.flatMap((v) => Array.from(v)));

/** The largest absolute difference between a page's value and its independent reference, of the same shape. */
export function within(against: string, tolerance: number, value: Checked, reference: Checked): CheckResult {
  const isMatrix = (x: Checked): x is Matrix => typeof x === "object" && "data" in x;
  const maxAbsError = isMatrix(value) && isMatrix(reference)
    ? maxAbsDiff(value, reference)
    : maxAbsDiff(isMatrix(value) ? value.data : asVector(value), isMatrix(reference) ? reference.data : asVector(reference));
  return { against, tolerance, maxAbsError };
}

/** Against central finite differences (FD_TOL absolute: the step's truncation error, far above rounding). */
export const fdCheck = (value: Checked, numeric: Checked, against = "finite differences of L"): CheckResult =>
  within(against, FD_TOL, value, numeric);

/** Against another float64 evaluation of the same quantity: equal up to rounding (ROUNDING_TOL). */
export const sameCheck = (against: string, value: Checked, reference: Checked): CheckResult =>
  within(against, ROUNDING_TOL, value, reference);

/** Against a computation that must give the very same bits (a copy, a selection): tolerance 0. */
export const exactCheck = (against: string, value: Checked, reference: Checked): CheckResult =>
  within(against, 0, value, reference);

/**
 * For gradients that span many orders of magnitude (/vanishing, /truncation): the error shown is lib's scale-free
 * relMaxError (the largest error over the reference's largest entry), passing at `tolerance`.
 */
export const relativeCheck = (
  against: string, tolerance: number, value: Matrix | Vector | readonly (Matrix | Vector)[], reference: Matrix | Vector | readonly (Matrix | Vector)[],
): CheckResult => ({ against, tolerance, maxAbsError: relMaxError(value, reference) });

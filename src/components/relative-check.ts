/**
 * The check of /vanishing and /truncation, whose gradients span many orders of magnitude: the error is lib's
 * scale-free relMaxError (the largest error over the reference's largest entry), not an absolute difference.
 */
import type { Matrix, Vector } from "../lib/core/matrix.js";
import { relMaxError } from "../lib/state/spectral-config.js";
import { type CheckResult, within } from "./check.js";

type Compared = Matrix | Vector | readonly (Matrix | Vector)[];

/** A badge whose max |error| is relMaxError(value, reference), passing at `tolerance`. */
export function relativeCheck(against: string, tolerance: number, value: Compared, reference: Compared): CheckResult {
  return within(against, tolerance, relMaxError(value, reference), 0);
}

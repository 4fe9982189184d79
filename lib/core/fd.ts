/**
 * Finite differences, the one primitive every source's gradient checks share, and the measure by which an analytic
 * gradient is compared with them. A central difference has error O(ε²) (about 1e-10 at ε = 1e-5 for the smooth
 * losses here) where a forward difference has O(ε); the checks' tolerances (lib/core/tolerances.ts) assume it.
 */
import { type Matrix, ShapeError, type Vector, maxAbs, maxAbsDiff, shapeText } from "./matrix.js";
import { FD_EPSILON } from "./tolerances.js";

/**
 * ∂f/∂θ_k by central differences: θ_k is moved to θ_k + ε and θ_k − ε in place, f re-evaluated each time, and
 * θ_k restored to its exact bits before returning, so a caller can sweep k over θ without copying it.
 */
export function centralDifference(theta: Float64Array, k: number, f: () => number, eps = FD_EPSILON): number {
  return centralDifferences(theta, k, () => [f()], eps)[0]!;
}

/**
 * `centralDifference` of several functions at once, for when one evaluation gives them all (e.g. the losses of one
 * forward pass under different weightings): the same two moves of θ_k, and for each value (up − down) / 2ε.
 */
export function centralDifferences(theta: Float64Array, k: number, f: () => readonly number[], eps = FD_EPSILON): number[] {
  const keep = theta[k]!;
  theta[k] = keep + eps;
  const up = f();
  theta[k] = keep - eps;
  const down = f();
  theta[k] = keep;
  return up.map((u, i) => (u - down[i]!) / (2 * eps));
}

export interface Discrepancy {
  /** max_k |analytic_k − numeric_k|. */
  maxAbsError: number;
  /** ‖analytic − numeric‖₂ / max(‖analytic‖₂ + ‖numeric‖₂, 1e-300): scale-free, and 0 when both are 0. */
  relError: number;
}

/** How far two same-shaped arrays are apart. NaN in either gives NaN, which fails every `<` check. */
export function discrepancy(analytic: Matrix | Vector, numeric: Matrix | Vector): Discrepancy {
  const a = "data" in analytic ? analytic.data : analytic, n = "data" in numeric ? numeric.data : numeric;
  if (shapeText(analytic) !== shapeText(numeric)) {
    throw new ShapeError(`discrepancy: shapes of analytic ${shapeText(analytic)} and numeric ${shapeText(numeric)} must match`);
  }
  let maxAbsError = 0, diff2 = 0, a2 = 0, n2 = 0;
  for (let k = 0; k < a.length; k++) {
    const d = a[k]! - n[k]!;
    if (Number.isNaN(d)) return { maxAbsError: NaN, relError: NaN };
    maxAbsError = Math.max(maxAbsError, Math.abs(d));
    diff2 += d * d; a2 += a[k]! * a[k]!; n2 += n[k]! * n[k]!;
  }
  const denom = Math.sqrt(a2) + Math.sqrt(n2);
  return { maxAbsError, relError: denom === 0 ? 0 : Math.sqrt(diff2) / denom };
}

/**
 * max |a − b| / max |b|: the largest error relative to the largest entry of the reference (the absolute error when
 * b is all zeros). Scale-free, so one tolerance (FD_REL_TOL against finite differences, ROUNDING_TOL between forms)
 * fits a gradient of 1e-15 and one of 1e+12. Lists of vectors or matrices are compared entry by entry.
 */
export function relMaxError(a: Matrix | Vector | readonly (Matrix | Vector)[], b: Matrix | Vector | readonly (Matrix | Vector)[]): number {
  const as = Array.isArray(a) ? a : [a], bs = Array.isArray(b) ? b : [b];
  if (as.length !== bs.length) throw new RangeError(`relMaxError: ${as.length} against ${bs.length} items`);
  let err = 0, scale = 0;
  as.forEach((x, i) => {
    err = Math.max(err, maxAbsDiff(x, bs[i]!));
    scale = Math.max(scale, maxAbs(bs[i]!));
  });
  return scale === 0 ? err : err / scale;
}

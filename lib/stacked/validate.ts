/**
 * Argument checks of the stacked RNN's equations (stacked.ts, as-printed.ts) and backward pass, so that a function
 * the page shows opens with one check, named for what it checks, and then reads as its equation. The forward pass
 * is taken by the sizes and counts it carries, not by its type, so that this module reaches no pass it might one
 * day be asked to check (test/layers.test.ts).
 */
import { ShapeError } from "../core/matrix.js";
import { type StackedParams, type StackedSizes, stackedSizesOf } from "./params.js";

/** The source's equations are written for its 2-layer stacked RNN; throws RangeError for any other L. */
export function checkTwoLayers(where: string, p: StackedParams, f: { L: number }): void {
  stackedSizesOf(p);
  if (f.L !== 2 || p.Wxh.length !== 2) throw new RangeError(`${where}: the source's equations are for its 2-layer stacked RNN, got L = ${f.L}`);
}

/** A 1-based step t of the forward pass, at most `max`; throws RangeError naming both bounds. */
export function checkStep(where: string, f: { T: number }, t: number, max = f.T): void {
  if (!Number.isInteger(t) || t < 1 || t > Math.min(max, f.T)) {
    throw new RangeError(`${where}: step t = ${t} must be in 1…${Math.min(max, f.T)} (T = ${f.T})`);
  }
}

/** One factor of §2.2's product: the 2-layer network, a step k of the forward pass and a 1-based batch row r. */
export function checkTwoLayersStepRow(where: string, p: StackedParams, f: { L: number; T: number; n: number }, k: number, r: number): void {
  checkTwoLayers(where, p, f);
  checkStep(where, f, k);
  if (!Number.isInteger(r) || r < 1 || r > f.n) throw new RangeError(`${where}: batch row ${r} is not in 1…${f.n}`);
}

/** A backward pass needs the forward pass of parameters of the same sizes (d, h^(1) … h^(L), a). */
export function checkSameSizes(op: string, p: StackedParams, f: { sizes: StackedSizes }): void {
  const sizes = stackedSizesOf(p);
  if (sizes.d !== f.sizes.d || sizes.a !== f.sizes.a || sizes.hidden.join() !== f.sizes.hidden.join()) {
    throw new ShapeError(
      `${op}: params (d ${sizes.d}, h [${sizes.hidden}], a ${sizes.a}) and forward pass (d ${f.sizes.d}, h [${f.sizes.hidden}], a ${f.sizes.a}) must have the same sizes`,
    );
  }
}

/**
 * The independent check of every gradient on the stacked-RNN page: central finite differences of the loss of the
 * forward pass (lib/stacked/forward.ts), in float64, with lib/core/fd.ts's one primitive. It never imports the
 * backward pass or the source's equations it checks (lib/stacked/backward.ts, lib/stacked/stacked.ts;
 * test/layers.test.ts holds it to that), so a slip there cannot hide in its own check.
 */
import { centralDifference } from "../core/fd.js";
import { type Matrix, clone, zeros } from "../core/matrix.js";
import { FD_EPSILON } from "../core/tolerances.js";
import { type StackedOptions, type StackedOverride, type StackedStateGrads, stackedForward, stackedLoss } from "./forward.js";
import { rowOf } from "./ops.js";
import type { StackedParamGrads, StackedParams } from "./params.js";

type Targets = readonly (readonly number[])[];

function cloneParams(p: StackedParams): { Wxh: Matrix[]; Whh: Matrix[]; b: Matrix[]; Wha: Matrix; ba: Matrix } {
  return { Wxh: p.Wxh.map(clone), Whh: p.Whh.map(clone), b: p.b.map(clone), Wha: clone(p.Wha), ba: clone(p.ba) };
}

/** ∂loss/∂m for every entry of `m`, each entry moved in place and restored. */
function fdMatrix(m: Matrix, loss: () => number, eps: number): Matrix {
  const g = zeros(m.rows, m.cols);
  for (let k = 0; k < m.data.length; k++) g.data[k] = centralDifference(m.data, k, loss, eps);
  return g;
}

/** Every parameter gradient by central differences in float64 (2 forward passes per entry), ε = FD_EPSILON. */
export function numericalStackedParamGrads(
  p: StackedParams, X: readonly Matrix[], targets: Targets, options: StackedOptions = {}, eps = FD_EPSILON,
): StackedParamGrads {
  const q = cloneParams(p);
  const loss = () => stackedLoss(q, X, targets, options);
  return {
    Wxh: q.Wxh.map((W) => fdMatrix(W, loss, eps)), Whh: q.Whh.map((W) => fdMatrix(W, loss, eps)),
    b: q.b.map((b) => fdMatrix(b, loss, eps)), Wha: fdMatrix(q.Wha, loss, eps), ba: fdMatrix(q.ba, loss, eps),
  };
}

/**
 * ∂L/∂Z_t^(l), ∂L/∂H_t^(l) (total: the intermediate is replaced and everything after it recomputed), ∂L/∂Z_t^(L+1)
 * and ∂L/∂H_0^(l), by central differences.
 */
export function numericalStackedStateGrads(
  p: StackedParams, X: readonly Matrix[], targets: Targets, options: StackedOptions = {}, eps = FD_EPSILON,
): StackedStateGrads {
  const f = stackedForward(p, X, targets, options);
  const at = (kind: StackedOverride["kind"], step: number, layer: number, base: Matrix) => {
    const value = clone(base);
    return fdMatrix(value, () => stackedLoss(p, X, targets, options, { kind, step, layer, value }), eps);
  };
  const H0 = f.H0.map(clone);
  return {
    dZ: f.Z.map((Zt, i) => Zt.map((z, l) => at("Z", i + 1, l + 1, z))),
    dH: f.H.map((Ht, i) => Ht.map((h, l) => at("H", i + 1, l + 1, h))),
    dZout: f.Zout.map((z, i) => at("Zout", i + 1, 0, z)),
    dH0: H0.map((h) => fdMatrix(h, () => stackedLoss(p, X, targets, { ...options, H0 }), eps)),
  };
}

/**
 * ∂Z_k^(3)[r]/∂Z_k^(1)[r] by central differences: Z_k^(1) of row r is replaced inside the forward pass and Z_k^(3)
 * read off (rows: the a outputs, columns: the h₁ inputs). The check of `stacked22Factor`.
 */
export function numericalStacked22Factor(
  p: StackedParams, X: readonly Matrix[], targets: Targets, options: StackedOptions, k: number, r = 1, eps = FD_EPSILON,
): Matrix {
  const z = clone(stackedForward(p, X, targets, options).Z[k - 1]![0]!);
  const a = p.Wha.cols, h1 = z.cols;
  const J = zeros(a, h1);
  const out = (i: number) => () => rowOf(stackedForward(p, X, targets, options, { kind: "Z", step: k, layer: 1, value: z }).Zout[k - 1]!, r - 1)[i]!;
  for (let j = 0; j < h1; j++) for (let i = 0; i < a; i++) J.data[i * h1 + j] = centralDifference(z.data, (r - 1) * h1 + j, out(i), eps);
  return J;
}

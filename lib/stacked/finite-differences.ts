/**
 * The independent check of every gradient on the stacked-RNN page: central finite differences of the loss of the
 * forward pass (lib/stacked/forward.ts), in float64, with lib/core/fd.ts's one primitive. It never imports the
 * backward pass or the source's equations it checks (lib/stacked/backward.ts, lib/stacked/stacked.ts;
 * test/layers.test.ts holds it to that), so a slip there cannot hide in its own check.
 *
 * Each moved entry costs two forward passes, and the page needs hundreds per edit, so they are not run whole: a
 * change at layer l of step t reaches only layers ≥ l at steps ≥ t (and the outputs above them), and what it cannot
 * reach is read from the unmoved pass. The rest is recomputed with the forward pass's own operations (`affine`,
 * `tanhM`, `softmaxCE`) in its order, so every loss has the bits a whole `stackedLoss` gives
 * (test/stacked/finite-differences.test.ts compares them with whole passes, entry by entry).
 */
import { centralDifferences } from "../core/fd.js";
import { type Matrix, clone, zeros } from "../core/matrix.js";
import { FD_EPSILON } from "../core/tolerances.js";
import { type StackedForward, type StackedOptions, type StackedOverride, type StackedStateGrads, stackedForward } from "./forward.js";
import { affine, rowOf, softmaxCE, tanhM } from "./ops.js";
import type { StackedParamGrads, StackedParams } from "./params.js";

type Targets = readonly (readonly number[])[];
type MutableParams = { Wxh: Matrix[]; Whh: Matrix[]; b: Matrix[]; Wha: Matrix; ba: Matrix };

/** A loss of the forward pass without its initial states: `{ reduction }` or `{ weights }` (lib/stacked/forward.ts). */
export type StackedLossSpec = Omit<StackedOptions, "H0">;

/** One parameter matrix: W_xh^(l), W_hh^(l) or b^(l) of a 1-based layer, or the output's W_ha, b_a. */
export type StackedParamRef = { name: "Wxh" | "Whh" | "b"; layer: number } | { name: "Wha" | "ba" };

/** L = Σ_t w_t CE_t, summed in step order from 0 as `stackedForward` sums it. */
function weightedLoss(w: readonly number[], ce: readonly number[]): number {
  let loss = 0;
  for (let t = 0; t < ce.length; t++) loss += w[t]! * ce[t]!;
  return loss;
}

/**
 * Finite differences of one model under several losses L = Σ_t w_t CE_t at once: the losses differ only in their
 * step weights w_t, so each perturbed forward pass gives the step losses CE_t of all of them. The methods return one
 * matrix per loss of `losses`, in its order.
 */
export function stackedFiniteDifferences(
  p: StackedParams, X: readonly Matrix[], targets: Targets, H0: readonly Matrix[] | undefined, losses: readonly StackedLossSpec[],
  eps = FD_EPSILON,
) {
  // One whole pass per loss validates it (shapes, targets, reduction or weights) and gives its weights; their states agree.
  const bases: StackedForward[] = losses.map((loss) => stackedForward(p, X, targets, { ...loss, H0 }));
  const base = bases[0]!;
  const { T, L } = base;
  const q: MutableParams = { Wxh: p.Wxh.map(clone), Whh: p.Whh.map(clone), b: p.b.map(clone), Wha: clone(p.Wha), ba: clone(p.ba) };
  const h0 = base.H0.map(clone);

  /**
   * The forward pass of `q`, `h0` and `o` (an intermediate replaced; "Zout" has layer 0) from layer `layer` (L + 1:
   * the output alone) of step `step` to step `last`: layers below `layer`, steps before `step` and the step losses
   * after `last` are the unmoved pass's. Returns CE_t of every step and Z_last^(L+1).
   */
  const rerun = (step: number, layer: number, last: number, o?: StackedOverride) => {
    const ce = base.stepLoss.slice();
    const at = (kind: StackedOverride["kind"], t: number, l: number) => o?.kind === kind && o.step === t && o.layer === l;
    let prev = step === 1 ? h0 : base.H[step - 2]!, zo = base.Zout[last - 1]!;
    for (let t = step; t <= last; t++) {
      const Ht = base.H[t - 1]!.slice(0, layer - 1);
      for (let l = layer; l <= L; l++) {
        // stacked 1.2 (1) for l = 1, (2) for l ≥ 2, as stackedForward computes them
        const z = at("Z", t, l) ? o!.value : affine([[l === 1 ? X[t - 1]! : Ht[l - 2]!, q.Wxh[l - 1]!], [prev[l - 1]!, q.Whh[l - 1]!]], q.b[l - 1]!);
        Ht.push(at("H", t, l) ? o!.value : tanhM(z));
      }
      // stacked 1.2 (3)
      zo = at("Zout", t, 0) ? o!.value : affine([[Ht[L - 1]!, q.Wha]], q.ba);
      ce[t - 1] = softmaxCE(zo, targets[t - 1]!).ce;
      prev = Ht;
    }
    return { ce, zo };
  };

  /** ∂/∂m of the `count` values `read` gives, for every entry of `m` (moved in place and restored): a matrix each. */
  const sweep = (m: Matrix, read: () => readonly number[], count = bases.length): Matrix[] => {
    const gs = Array.from({ length: count }, () => zeros(m.rows, m.cols));
    for (let k = 0; k < m.data.length; k++) centralDifferences(m.data, k, read, eps).forEach((d, i) => { gs[i]!.data[k] = d; });
    return gs;
  };
  /** ∂L/∂m of every loss, the pass rerun from (`step`, `layer`) to `last`. */
  const fdOf = (m: Matrix, step: number, layer: number, last = T, o?: StackedOverride) =>
    sweep(m, () => { const { ce } = rerun(step, layer, last, o); return bases.map((f) => weightedLoss(f.weights, ce)); });

  return {
    /** The unmoved forward pass under each loss (their states agree), and under the first. */
    bases, base,
    /** ∂L/∂θ for every entry of one parameter matrix; the output's parameters move the output alone. */
    param: (ref: StackedParamRef): Matrix[] => ("layer" in ref ? fdOf(q[ref.name][ref.layer - 1]!, 1, ref.layer) : fdOf(q[ref.name], 1, L + 1)),
    /** ∂L/∂Z_t^(l), ∂L/∂H_t^(l) (total: everything after it recomputed) or ∂L/∂Z_t^(L+1) (layer 0), for 1-based step and layer. */
    state(kind: StackedOverride["kind"], step: number, layer: number): Matrix[] {
      const o = { kind, step, layer, value: clone(kind === "Zout" ? base.Zout[step - 1]! : base[kind][step - 1]![layer - 1]!) };
      // Z_t^(L+1) feeds no later step: only CE_t moves
      return kind === "Zout" ? fdOf(o.value, step, L + 1, step, o) : fdOf(o.value, step, layer, T, o);
    },
    /** ∂L/∂H_0^(l) for a 1-based layer. */
    initialState: (layer: number): Matrix[] => fdOf(h0[layer - 1]!, 1, layer),
    /** ∂Z_k^(L+1)[r]/∂Z_k^(1)[r] (rows: the a outputs, columns: the h₁ inputs), for 1-based k and r. */
    outputByFirstLayer(k: number, r: number): Matrix {
      const o: StackedOverride = { kind: "Z", step: k, layer: 1, value: clone(base.Z[k - 1]![0]!) };
      const h1 = o.value.cols, a = q.Wha.cols, J = zeros(a, h1);
      // Row r of Z_k^(1) as a view: moving its entry j gives column j, all a outputs from the same two passes
      const row = { rows: 1, cols: h1, data: o.value.data.subarray((r - 1) * h1, r * h1) };
      sweep(row, () => rowOf(rerun(k, 1, k, o).zo, r - 1), a).forEach((g, i) => J.data.set(g.data, i * h1));
      return J;
    },
  };
}

type StackedFd = ReturnType<typeof stackedFiniteDifferences>;
/** [loss] at the bottom of a nested list → the same nesting for loss i. */
const ofLoss = (x: unknown[], i: number): unknown => (Array.isArray(x[0]) ? x.map((y) => ofLoss(y as unknown[], i)) : x[i]);

/** The parameter gradients of every loss of `fd`, one `StackedParamGrads` per loss. */
function paramGrads(fd: StackedFd): StackedParamGrads[] {
  const layers = (name: "Wxh" | "Whh" | "b") => Array.from({ length: fd.base.L }, (_, l) => fd.param({ name, layer: l + 1 }));
  const all = { Wxh: layers("Wxh"), Whh: layers("Whh"), b: layers("b"), Wha: fd.param({ name: "Wha" }), ba: fd.param({ name: "ba" }) };
  return fd.bases.map((_, i) => Object.fromEntries(Object.entries(all).map(([k, g]) => [k, ofLoss(g, i)])) as unknown as StackedParamGrads);
}

/** The gradients of the intermediates named by `kinds`, of every loss of `fd`, one object per loss. */
function stateGrads<K extends keyof StackedStateGrads>(fd: StackedFd, kinds: readonly K[]): Pick<StackedStateGrads, K>[] {
  const { T, L } = fd.base;
  const steps = <M>(f: (t: number) => M) => Array.from({ length: T }, (_, i) => f(i + 1));
  const layers = <M>(f: (l: number) => M) => Array.from({ length: L }, (_, i) => f(i + 1));
  const make: Record<keyof StackedStateGrads, () => unknown[]> = {
    dZ: () => steps((t) => layers((l) => fd.state("Z", t, l))),
    dH: () => steps((t) => layers((l) => fd.state("H", t, l))),
    dZout: () => steps((t) => fd.state("Zout", t, 0)),
    dH0: () => layers((l) => fd.initialState(l)),
  };
  const all = kinds.map((kind) => [kind, make[kind]()] as const);
  return fd.bases.map((_, i) => Object.fromEntries(all.map(([kind, g]) => [kind, ofLoss(g, i)])) as Pick<StackedStateGrads, K>);
}

/** Every parameter gradient by central differences in float64 (2 forward passes per entry), ε = FD_EPSILON. */
export function numericalStackedParamGrads(
  p: StackedParams, X: readonly Matrix[], targets: Targets, options: StackedOptions = {}, eps = FD_EPSILON,
): StackedParamGrads {
  const { H0, ...loss } = options;
  return paramGrads(stackedFiniteDifferences(p, X, targets, H0, [loss], eps))[0]!;
}

/**
 * ∂L/∂Z_t^(l), ∂L/∂H_t^(l) (total: the intermediate is replaced and everything after it recomputed), ∂L/∂Z_t^(L+1)
 * and ∂L/∂H_0^(l), by central differences.
 */
export function numericalStackedStateGrads(
  p: StackedParams, X: readonly Matrix[], targets: Targets, options: StackedOptions = {}, eps = FD_EPSILON,
): StackedStateGrads {
  const { H0, ...loss } = options;
  return stateGrads(stackedFiniteDifferences(p, X, targets, H0, [loss], eps), ["dZ", "dH", "dZout", "dH0"])[0]!;
}

/**
 * The parameter gradients and those of the intermediates named by `states`, for several losses of one model, one
 * object per loss: what `numericalStackedParamGrads` and `numericalStackedStateGrads` give for each, from one set of
 * perturbed passes.
 */
export function numericalStackedGradsOf<K extends keyof StackedStateGrads>(
  p: StackedParams, X: readonly Matrix[], targets: Targets, H0: readonly Matrix[] | undefined, losses: readonly StackedLossSpec[],
  states: readonly K[], eps = FD_EPSILON,
): (StackedParamGrads & Pick<StackedStateGrads, K>)[] {
  const fd = stackedFiniteDifferences(p, X, targets, H0, losses, eps);
  const s = stateGrads(fd, states);
  return paramGrads(fd).map((g, i) => ({ ...g, ...s[i]! }));
}

/**
 * ∂Z_k^(3)[r]/∂Z_k^(1)[r] by central differences: Z_k^(1) of row r is replaced inside the forward pass and Z_k^(3)
 * read off (rows: the a outputs, columns: the h₁ inputs). The check of `stacked22Factor`.
 */
export function numericalStacked22Factor(
  p: StackedParams, X: readonly Matrix[], targets: Targets, options: StackedOptions, k: number, r = 1, eps = FD_EPSILON,
): Matrix {
  const { H0, ...loss } = options;
  return stackedFiniteDifferences(p, X, targets, H0, [loss], eps).outputByFirstLayer(k, r);
}

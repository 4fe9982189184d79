/**
 * What the stacked-RNN page (/stacked) computes for one configuration, so that its cells only arrange: the forward
 * pass under each loss the page discusses, the finite-difference truths every gradient is checked against, and the
 * few derived numbers its text quotes. The equations themselves are lib/stacked/stacked.ts.
 */
import { type Matrix, maxAbsDiff, scale } from "../core/matrix.js";
import { ROUNDING_TOL } from "../core/tolerances.js";
import { stacked211AsPrinted, stacked21AsPrinted } from "./as-printed.js";
import { stackedBackward } from "./backward.js";
import { numericalStackedGradsOf, stackedFiniteDifferences } from "./finite-differences.js";
import { type StackedForward, singleStepWeights, stackedForward, withWeights } from "./forward.js";
import { ffnnForwardPerExample, softmaxRowSumError, stackedForwardPerExample } from "./per-example.js";
import type { StackedParams } from "./params.js";
import {
  type FfnnForward, type SourceEq, type StackedGradsLike, dLdZ3, ffnnForward, stacked211Target, stacked21Target,
  stacked22Corrected, stacked22Truncated,
} from "./stacked.js";

/** The seeded example of one configuration (lib/state/stacked-config.ts builds it). */
export interface StackedPageExample {
  params: StackedParams;
  /** X_t at index t − 1, [n, d]. */
  X: readonly Matrix[];
  targets: readonly (readonly number[])[];
  H0: readonly Matrix[];
}

/** A value the page shows and how far its independent check is from it (max |error|, one number per cell). */
export interface Checked<V> {
  value: V;
  error: number;
}

/** §2.1 is derived "at t = 2 = T"; with T = 1 there is no step 2, and the page evaluates it at t = 1. */
export const section21Step = (T: number): number => Math.min(2, T);

/** Matrices over steps stacked vertically (step t's n rows at rows (t − 1)·n …), for one heatmap "t·r × unit". */
export function stackSteps(ms: readonly Matrix[]): Matrix {
  const cols = ms[0]!.cols;
  return { rows: ms.reduce((s, m) => s + m.rows, 0), cols, data: Float64Array.from(ms.flatMap((m) => Array.from(m.data))) };
}

/** The row labels of `stackSteps`: "t·r" for step t and batch row r, both 1-based. */
export const stepRowLabels = (T: number, n: number): string[] =>
  Array.from({ length: T }, (_, s) => Array.from({ length: n }, (_, r) => `${s + 1}·${r + 1}`)).flat();

/** The examples one at a time (`ffnnForwardPerExample`): what §1.1's batch form is checked against. */
export type FfnnRows = ReturnType<typeof ffnnForwardPerExample>;

/**
 * §1.1 (1)–(3): a batch forward pass `ff` (lib's, or a reader's version of `ffnnForward`) against the examples one
 * at a time, and, for A, every row summing to 1: the largest error of each output.
 */
export function ffnnChecked(ff: FfnnForward, rows: FfnnRows): Record<"H1" | "H2" | "A", Checked<Matrix>> {
  return {
    H1: { value: ff.H1, error: Math.max(maxAbsDiff(ff.H1, rows.H1), 0) },
    H2: { value: ff.H2, error: Math.max(maxAbsDiff(ff.H2, rows.H2), 0) },
    A: { value: ff.A, error: Math.max(maxAbsDiff(ff.A, rows.A), softmaxRowSumError(ff.A)) },
  };
}

/** The batch rows and steps one at a time (`stackedForwardPerExample`): what §1.2's forward pass is checked against. */
export type StackedRows = ReturnType<typeof stackedForwardPerExample>;

/**
 * §1.2 (1), (2), (3): H_t^(1), H_t^(2), A_t of a forward pass `f` (lib's, or a reader's version of `stackedForward`)
 * over all steps, stacked, against a loop over batch rows and steps (and, for A, rows summing to 1).
 */
export function rnnChecked(f: Pick<StackedForward, "H" | "A">, perEx: StackedRows): Checked<Matrix>[] {
  return [0, 1, 2].map((k): Checked<Matrix> => {
    const ours = k < 2 ? stackSteps(f.H.map((Ht) => Ht[k]!)) : stackSteps(f.A);
    const theirs = k < 2 ? stackSteps(perEx.H.map((Ht) => Ht[k]!)) : stackSteps(perEx.A);
    return { value: ours, error: Math.max(maxAbsDiff(ours, theirs), k < 2 ? 0 : Math.max(...f.A.map(softmaxRowSumError))) };
  });
}

/** The source's loss against the batch mean: their ratio, n × the mean, and the rounding allowed between them. */
export function sourceVsMeanLoss(fSource: Pick<StackedForward, "loss">, fMean: Pick<StackedForward, "loss" | "n">) {
  return { ratio: fSource.loss / fMean.loss, nTimesMean: fMean.n * fMean.loss, tolerance: ROUNDING_TOL * Math.max(1, fSource.loss) };
}

/** `f(k)` computed once per k: several cells and the text ask for the same §2.1 or §2.1.1 equation. */
function onePerEq<V>(f: (k: SourceEq) => V): (k: SourceEq) => V {
  const done = new Map<SourceEq, V>();
  return (k) => {
    if (!done.has(k)) done.set(k, f(k));
    return done.get(k)!;
  };
}

/**
 * What the page's cells check against, and the numbers its text quotes, for one configuration (see the fields). The
 * cells' own values are the page's: it computes each through `run(f, …)` (src/components/notebook.ts), so that a
 * reader's version of f shows in its place; the values below are lib's, the ones the checks and the text need.
 */
export function stackedPage(ex: StackedPageExample) {
  const { params: p, X, targets: Y, H0 } = ex;
  const T = X.length, n = X[0]!.rows;
  const t = section21Step(T);
  /** The source's loss (1/T) Σ_t CE_t, and this site's batch mean (1/(T·n)) Σ_t CE_t. */
  const fSource = stackedForward(p, X, Y, { H0, reduction: "source" });
  const fMean = stackedForward(p, X, Y, { H0 });
  /** §2.1's loss: CE_t alone. */
  const w21 = singleStepWeights(t, T);
  const f21 = withWeights(fSource, w21);
  // The three losses' finite differences differ only in their step weights: one set of perturbed passes gives all three
  const fds: StackedGradsLike[] = numericalStackedGradsOf(p, X, Y, H0, [{ weights: w21 }, { reduction: "source" }, {}], ["dZ", "dZout"]);
  const fd21 = fds[0]!, fdSrc = fds[1]!, fdMean = fds[2]!;
  const gSrc = stackedBackward(p, fSource);
  const ff = ffnnForward(p, X[0]!), ffRows = ffnnForwardPerExample(p, X[0]!);
  const perEx = stackedForwardPerExample(p, X, H0);
  const perStep = dLdZ3(fSource, t);
  return {
    T, n, t, w21, fSource, fMean, f21, fd21, fdSrc, fdMean, gSrc,
    /** The independent checks of §1.1 and §1.2: the examples one at a time, the batch rows and steps one at a time. */
    ffRows, perEx,
    /** With H_0 = 0, step 1 of the stacked RNN is the network of §1.1 on X_1: how far apart their outputs are. */
    ffnnVsStep1: maxAbsDiff(ff.A, fSource.A[0]!),
    /** The source's loss is n times the batch mean: the ratio, n × the mean, and the rounding allowed between them. */
    loss: sourceVsMeanLoss(fSource, fMean),
    /** §2.1's A_t − Y_t at t, against the total loss without and with the 1/T it needs there. */
    perStep, perStepOverT: scale(perStep, 1 / T),
    /** (1/T) × the total ∂L/∂W_h₂h₂⁽²⁾ of one backward pass: the 1/T applied a second time. */
    Whh2TwiceAveraged: scale(gSrc.Whh[1]!, 1 / T),
    /** stacked 2.1 (k): as printed (lib's, for the text of an erratum), and the truth (finite differences of CE_t). */
    asPrinted21: onePerEq((k) => stacked21AsPrinted(k, p, f21, t)), truth21: onePerEq((k) => stacked21Target(k, fd21, t)),
    /** stacked 2.1.1 (k): as printed (exact summands, and §2.1's formulas as summands), and the truth. */
    asPrinted211: onePerEq((k) => stacked211AsPrinted(k, p, fSource)),
    composed211: onePerEq((k) => stacked211AsPrinted(k, p, fSource, "2.1 as written")),
    truth211: onePerEq((k) => stacked211Target(k, fdSrc)),
  };
}

export type StackedPage = ReturnType<typeof stackedPage>;

/** What the truncation table of §2.2 is computed on: a T = 4 example's forward pass, its full (2.2′), and finite differences. */
export interface TruncationInputs {
  params: StackedParams;
  /** The forward pass of the source's loss on the T = 4 example. */
  f: StackedForward;
  /** The full gradient ∂L/∂W_h₁h₁⁽¹⁾ by (2.2′), lib's: what each truncation is compared with. */
  full: Matrix;
  /** The same by finite differences: the check of the k = T − 1 = 3 row. */
  numeric: Matrix;
}

export function truncationInputs(ex: StackedPageExample): TruncationInputs {
  const f: StackedForward = stackedForward(ex.params, ex.X, ex.targets, { H0: ex.H0, reduction: "source" });
  const numeric = stackedFiniteDifferences(ex.params, ex.X, ex.targets, ex.H0, [{ reduction: "source" }]).param({ name: "Whh", layer: 1 })[0]!;
  return { params: ex.params, f, full: stacked22Corrected(ex.params, f), numeric };
}

/**
 * The rows of the truncation table: for the truncated (2.2′) at k = 0, 1, … Jacobian factors (`Gk[k]`), k, max |error|
 * against the full gradient, and that relative to max |∂L/∂W|.
 */
export function truncationRows(Gk: readonly Matrix[], full: Matrix): number[][] {
  const scaleFull = Math.max(...Array.from(full.data, Math.abs));
  return Gk.map((G, k) => [k, maxAbsDiff(G, full), maxAbsDiff(G, full) / scaleFull]);
}

/**
 * The truncated (2.2′) for k = 0 … 3 Jacobian factors on a T = 4 example: each row k, max |error| against the full
 * gradient, and that relative to max |∂L/∂W|; and the k = T − 1 = 3 value with finite differences to check it.
 */
export function truncationTable(ex: StackedPageExample): { rows: number[][]; last: Matrix; numeric: Matrix } {
  const { params, f, full, numeric } = truncationInputs(ex);
  const Gk = [0, 1, 2, 3].map((k) => stacked22Truncated(params, f, k));
  return { rows: truncationRows(Gk, full), last: Gk[3]!, numeric };
}

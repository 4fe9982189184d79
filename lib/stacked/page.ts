/**
 * What the stacked-RNN page (/stacked) computes for one configuration, so that its cells only arrange: the forward
 * pass under each loss the page discusses, the finite-difference truths every gradient is checked against, and the
 * few derived numbers its text quotes. The equations themselves are lib/stacked/stacked.ts.
 */
import { type Matrix, maxAbsDiff, scale } from "../core/matrix.js";
import { ROUNDING_TOL } from "../core/tolerances.js";
import { stacked211AsPrinted, stacked21AsPrinted } from "./as-printed.js";
import { type StackedGrads, stackedBackward } from "./backward.js";
import { numericalStackedParamGrads, numericalStackedStateGrads } from "./finite-differences.js";
import { type StackedForward, type StackedOptions, singleStepWeights, stackedForward, withWeights } from "./forward.js";
import { ffnnForwardPerExample, softmaxRowSumError, stackedForwardPerExample } from "./per-example.js";
import type { StackedParamGrads, StackedParams } from "./params.js";
import {
  type SourceEq, type StackedGradsLike, dLdZ3, ffnnForward, stacked211Corrected, stacked211Target, stacked21Corrected,
  stacked21Target, stacked22Corrected, stacked22Truncated,
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

/** Every gradient of a loss by finite differences: the parameters' and the intermediates'. */
function fdAll(ex: StackedPageExample, options: StackedOptions): StackedGradsLike & Pick<StackedGrads, "dH" | "dH0"> {
  return {
    ...numericalStackedParamGrads(ex.params, ex.X, ex.targets, { H0: ex.H0, ...options }),
    ...numericalStackedStateGrads(ex.params, ex.X, ex.targets, { H0: ex.H0, ...options }),
  };
}

/** The page's numbers for one configuration (see the fields). */
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
  const fd21 = fdAll(ex, { weights: w21 });
  const fdSrc = fdAll(ex, { reduction: "source" });
  const fdMean: StackedParamGrads = numericalStackedParamGrads(p, X, Y, { H0 });
  const gSrc = stackedBackward(p, fSource);
  const ff = ffnnForward(p, X[0]!), ffRows = ffnnForwardPerExample(p, X[0]!);
  const perEx = stackedForwardPerExample(p, X, H0);
  const perStep = dLdZ3(fSource, t);
  return {
    t, fSource, fMean, f21, fd21, fdSrc, fdMean, gSrc,
    /** §1.1 (1)–(3): the batch form against the examples one at a time (and, for A, rows summing to 1). */
    ffnn: {
      H1: { value: ff.H1, error: Math.max(maxAbsDiff(ff.H1, ffRows.H1), 0) },
      H2: { value: ff.H2, error: Math.max(maxAbsDiff(ff.H2, ffRows.H2), 0) },
      A: { value: ff.A, error: Math.max(maxAbsDiff(ff.A, ffRows.A), softmaxRowSumError(ff.A)) },
    } satisfies Record<string, Checked<Matrix>>,
    /** With H_0 = 0, step 1 of the stacked RNN is the network of §1.1 on X_1: how far apart their outputs are. */
    ffnnVsStep1: maxAbsDiff(ff.A, fSource.A[0]!),
    /** §1.2 (1), (2), (3): H_t^(1), H_t^(2), A_t over all steps, against a loop over batch rows and steps. */
    rnn: [0, 1, 2].map((k): Checked<Matrix> => {
      const ours = k < 2 ? stackSteps(fSource.H.map((Ht) => Ht[k]!)) : stackSteps(fSource.A);
      const theirs = k < 2 ? stackSteps(perEx.H.map((Ht) => Ht[k]!)) : stackSteps(perEx.A);
      return { value: ours, error: Math.max(maxAbsDiff(ours, theirs), k < 2 ? 0 : Math.max(...fSource.A.map(softmaxRowSumError))) };
    }),
    /** The source's loss is n times the batch mean: the ratio, n × the mean, and the rounding allowed between them. */
    loss: { ratio: fSource.loss / fMean.loss, nTimesMean: n * fMean.loss, tolerance: ROUNDING_TOL * Math.max(1, fSource.loss) },
    /** §2.1's A_t − Y_t at t, against the total loss without and with the 1/T it needs there. */
    perStep, perStepOverT: scale(perStep, 1 / T),
    /** (1/T) × the total ∂L/∂W_h₂h₂⁽²⁾ of one backward pass: the 1/T applied a second time. */
    Whh2TwiceAveraged: scale(gSrc.Whh[1]!, 1 / T),
    /** stacked 2.1 (k): as printed, the truth (finite differences of CE_t), and corrected. */
    section21: (k: SourceEq) => ({
      asPrinted: stacked21AsPrinted(k, p, f21, t), truth: stacked21Target(k, fd21, t), corrected: stacked21Corrected(k, p, f21, t),
    }),
    /** stacked 2.1.1 (k): as printed (exact summands, and §2.1's formulas as summands), the truth, and corrected. */
    section211: (k: SourceEq) => ({
      asPrinted: stacked211AsPrinted(k, p, fSource), composed: stacked211AsPrinted(k, p, fSource, "2.1 as written"),
      truth: stacked211Target(k, fdSrc), corrected: stacked211Corrected(k, p, fSource),
    }),
    /** (2.2′) by explicit Jacobian products, which the page also compares with the backward pass. */
    G22: stacked22Corrected(p, fSource),
  };
}

export type StackedPage = ReturnType<typeof stackedPage>;

/**
 * The truncated (2.2′) for k = 0 … 3 Jacobian factors on a T = 4 example: each row k, max |error| against the full
 * gradient, and that relative to max |∂L/∂W|; and the k = T − 1 = 3 value with finite differences to check it.
 */
export function truncationTable(ex: StackedPageExample): { rows: number[][]; last: Matrix; numeric: Matrix } {
  const fLong: StackedForward = stackedForward(ex.params, ex.X, ex.targets, { H0: ex.H0, reduction: "source" });
  const fullLong = stacked22Corrected(ex.params, fLong);
  const fdLong = numericalStackedParamGrads(ex.params, ex.X, ex.targets, { H0: ex.H0, reduction: "source" }).Whh[0]!;
  const scaleLong = Math.max(...Array.from(fullLong.data, Math.abs));
  const rows = [0, 1, 2, 3].map((k) => {
    const G = stacked22Truncated(ex.params, fLong, k);
    return [k, maxAbsDiff(G, fullLong), maxAbsDiff(G, fullLong) / scaleLong];
  });
  return { rows, last: stacked22Truncated(ex.params, fLong, 3), numeric: fdLong };
}


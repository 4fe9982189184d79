/**
 * What /stacked computes for one configuration (lib/stacked/page.ts): the step of §2.1, the step-by-row stacking of
 * its heatmaps, and the numbers its cells quote, against the lib functions they come from.
 */
import { describe, expect, it } from "vitest";
import { type Matrix, maxAbsDiff, scale, sub } from "../../lib/core/matrix.js";
import { stackedBackward } from "../../lib/stacked/backward.js";
import { type StackedOptions, stackedForward } from "../../lib/stacked/forward.js";
import { oneHot } from "../../lib/stacked/ops.js";
import { numericalStackedParamGrads, numericalStackedStateGrads } from "../../lib/stacked/finite-differences.js";
import { ffnnChecked, rnnChecked, section21Step, stackSteps, stackedPage, stepRowLabels, truncationInputs, truncationTable } from "../../lib/stacked/page.js";
import { ffnnForward, stacked211Target, stacked21Target, stacked22Truncated } from "../../lib/stacked/stacked.js";
import { STACKED_DEFAULTS, buildStackedExample } from "../../lib/state/stacked-config.js";

describe("the stacked page's values", () => {
  const ex = buildStackedExample(STACKED_DEFAULTS);
  const v = stackedPage(ex);

  it("§2.1 is evaluated at t = 2, or at t = 1 when there is one step", () => {
    expect([1, 2, 3, 4].map(section21Step)).toEqual([1, 2, 2, 2]);
    expect(v.t).toBe(2);
  });

  it("stacks the steps of a forward pass row by row, labelled t·r", () => {
    const M = stackSteps(v.fSource.A);
    expect([M.rows, M.cols]).toEqual([2 * 3, 3]);
    expect(Array.from(M.data.subarray(9, 18))).toEqual(Array.from(v.fSource.A[1]!.data));
    expect(stepRowLabels(2, 3)).toEqual(["1·1", "1·2", "1·3", "2·1", "2·2", "2·3"]);
  });

  it("quotes the numbers the lib functions give, bit for bit", () => {
    const { params: p, X, targets: Y, H0 } = ex;
    const fMean = stackedForward(p, X, Y, { H0 });
    expect(v.loss.ratio).toBe(v.fSource.loss / fMean.loss);
    expect(v.loss.nTimesMean).toBe(3 * fMean.loss);
    const perStep = sub(v.fSource.A[1]!, oneHot(Y[1]!, 3));
    expect(Array.from(v.perStepOverT.data)).toEqual(Array.from(scale(perStep, 1 / 2).data));
    expect(Array.from(v.Whh2TwiceAveraged.data)).toEqual(Array.from(scale(stackedBackward(p, v.fSource).Whh[1]!, 1 / 2).data));
    const checked = [...Object.values(ffnnChecked(ffnnForward(p, X[0]!), v.ffRows)), ...rnnChecked(v.fSource, v.perEx)];
    for (const c of checked) expect(c.error).toBeLessThan(1e-12);
  });

  it("checks against each loss's own finite differences, bit for bit, from the one set of passes they share", () => {
    const { params: p, X, targets: Y, H0 } = ex;
    const alone = (options: StackedOptions) => {
      const { dZ, dZout } = numericalStackedStateGrads(p, X, Y, { H0, ...options });
      return { ...numericalStackedParamGrads(p, X, Y, { H0, ...options }), dZ, dZout };
    };
    const same = (a: Matrix, b: Matrix) => a.data.every((x, k) => Object.is(x, b.data[k]));
    for (const [got, want] of [[v.fd21, alone({ weights: v.w21 })], [v.fdSrc, alone({ reduction: "source" })], [v.fdMean, alone({})]] as const) {
      for (const k of [1, 2, 3, 4, 5, 6, 7, 8] as const) {
        expect(same(stacked21Target(k, got, v.t), stacked21Target(k, want, v.t)), `2.1 (${k})`).toBe(true);
        expect(same(stacked211Target(k, got), stacked211Target(k, want)), `2.1.1 (${k})`).toBe(true);
      }
    }
    const long = buildStackedExample({ ...STACKED_DEFAULTS, T: 4 });
    const numeric = numericalStackedParamGrads(long.params, long.X, long.targets, { H0: long.H0, reduction: "source" }).Whh[0]!;
    expect(same(truncationInputs(long).numeric, numeric)).toBe(true);
  });

  it("the truncation table: exact at k = T − 1, and its last row checked by finite differences", () => {
    const long = buildStackedExample({ ...STACKED_DEFAULTS, T: 4 });
    const table = truncationTable(long);
    expect(table.rows.map((r) => r[0])).toEqual([0, 1, 2, 3]);
    expect(table.rows[3]![1]).toBeLessThan(1e-15);
    const f = stackedForward(long.params, long.X, long.targets, { H0: long.H0, reduction: "source" });
    expect(Array.from(table.last.data)).toEqual(Array.from(stacked22Truncated(long.params, f, 3).data));
    expect(maxAbsDiff(table.last, table.numeric)).toBeLessThan(1e-8);
  });
});

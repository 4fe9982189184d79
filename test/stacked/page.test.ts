/**
 * What /stacked computes for one configuration (lib/stacked/page.ts): the step of §2.1, the step-by-row stacking of
 * its heatmaps, and the numbers its cells quote, against the lib functions they come from.
 */
import { describe, expect, it } from "vitest";
import { maxAbsDiff, scale, sub } from "../../lib/core/matrix.js";
import { stackedBackward } from "../../lib/stacked/backward.js";
import { stackedForward } from "../../lib/stacked/forward.js";
import { oneHot } from "../../lib/stacked/ops.js";
import { section21Step, stackSteps, stackedPage, stepRowLabels, truncationTable } from "../../lib/stacked/page.js";
import { stacked22Corrected, stacked22Truncated } from "../../lib/stacked/stacked.js";
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
    expect(Array.from(v.G22.data)).toEqual(Array.from(stacked22Corrected(p, v.fSource).data));
    for (const c of [...Object.values(v.ffnn), ...v.rnn]) expect(c.error).toBeLessThan(1e-12);
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

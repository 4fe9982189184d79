/**
 * The batch forward passes of Vera §1.1 and §1.2 (`ffnnForward`, `stackedForward`) against lib/stacked/per-example.ts,
 * one example at a time — and that check can fail.
 */
import { describe, expect, it } from "vitest";
import { discrepancy } from "../../lib/core/fd.js";
import { zeros } from "../../lib/core/matrix.js";
import { ROUNDING_TOL } from "../../lib/core/tolerances.js";
import { stackedForward } from "../../lib/stacked/forward.js";
import { zeroStates } from "../../lib/stacked/params.js";
import { ffnnForwardPerExample, softmaxRowSumError, stackedForwardPerExample } from "../../lib/stacked/per-example.js";
import { stackSteps } from "../../lib/stacked/page.js";
import { ffnnForward } from "../../lib/stacked/stacked.js";
import { SPECS, label, makeCase } from "./cases.js";

// ————————————————————————————— Vera §1.1, §1.2: the forward passes, equation by equation —————————————————————————————

const TWO_LAYER = SPECS.filter((s) => s.hidden.length === 2 && s.a > 1);

describe.each(TWO_LAYER.map((s) => [label(s), s] as const))("Vera §1.1 and §1.2 forward passes, %s", (_, spec) => {
  const c = makeCase(spec);
  it("ffnnForward (§1.1 (1)–(3)) batch form equals ffnnForwardPerExample, row by row", () => {
    const b = ffnnForward(c.p, c.X[0]!), e = ffnnForwardPerExample(c.p, c.X[0]!);
    for (const k of ["H1", "H2", "A"] as const) expect(discrepancy(b[k], e[k]).maxAbsError, k).toBeLessThanOrEqual(ROUNDING_TOL);
    expect(softmaxRowSumError(b.A)).toBeLessThanOrEqual(ROUNDING_TOL);
  });
  it("ffnnForward is step 1 of the stacked RNN when H_0 = 0 (adding the recurrence is §1.2's only change)", () => {
    const f = stackedForward(c.p, c.X, c.y, { H0: zeroStates(spec.n, { d: spec.d, hidden: spec.hidden, a: spec.a }) });
    const b = ffnnForward(c.p, c.X[0]!);
    expect(discrepancy(b.A, f.A[0]!).maxAbsError).toBeLessThanOrEqual(ROUNDING_TOL);
    expect(discrepancy(b.H2, f.H[0]![1]!).maxAbsError).toBeLessThanOrEqual(ROUNDING_TOL);
  });
  it("stackedForwardPerExample (§1.2 (1)–(3)) equals the forward cache of stackedForward at every step", () => {
    const f = stackedForward(c.p, c.X, c.y, c.opts);
    const e = stackedForwardPerExample(c.p, c.X, c.opts.H0);
    for (let t = 0; t < spec.T; t++) {
      for (let l = 0; l < 2; l++) expect(discrepancy(e.H[t]![l]!, f.H[t]![l]!).maxAbsError).toBeLessThanOrEqual(ROUNDING_TOL);
      expect(discrepancy(e.A[t]!, f.A[t]!).maxAbsError).toBeLessThanOrEqual(ROUNDING_TOL);
      expect(softmaxRowSumError(e.A[t]!)).toBeLessThanOrEqual(ROUNDING_TOL);
    }
    expect(stackSteps(f.A).rows).toBe(spec.T * spec.n);
  });
});

describe("the forward checks can fail", () => {
  it("a per-example pass that ignores the recurrent weights differs from stackedForward at t = 2", () => {
    const c = makeCase(TWO_LAYER[0]!);
    const f = stackedForward(c.p, c.X, c.y, c.opts);
    const noRec = stackedForwardPerExample({ ...c.p, Whh: c.p.Whh.map((W) => zeros(W.rows, W.cols)) }, c.X, c.opts.H0);
    expect(discrepancy(noRec.H[1]![0]!, f.H[1]![0]!).maxAbsError).toBeGreaterThan(1e-3);
  });
  it("softmaxRowSumError sees rows that are not distributions", () => {
    expect(softmaxRowSumError({ rows: 1, cols: 2, data: Float64Array.from([0.5, 0.6]) })).toBeCloseTo(0.1, 12);
  });
});

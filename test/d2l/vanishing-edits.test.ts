/**
 * /vanishing as a notebook: every function its cells compute through `run(f, …)`, given the inputs the page gives it at
 * the default settings, runs in the sandbox's way to lib/'s bits, and every guided experiment of lib/d2l/vanishing.ts,
 * intuition.ts and spectrum.ts breaks its value far past the page's relative checks (test/workers/editable-cases.ts).
 * The functions of lib/d2l/d2l.ts that §1 runs have their experiments tested on /d2l's inputs (d2l-edits.test.ts):
 * here W_hh is symmetric, and the slip of W_hh for W_hhᵀ cannot show — as their "why" says, and as tested below.
 */
import { describe, expect, it } from "vitest";
import * as vanishing from "../../lib/d2l/vanishing.js";
import * as intuition from "../../lib/d2l/intuition.js";
import * as spectrum from "../../lib/d2l/spectrum.js";
import { d2lForward } from "../../lib/d2l/model.js";
import { hiddenGradsClosedForm, hiddenGradsRecursion, outputGrads, stepJacobianH } from "../../lib/d2l/d2l.js";
import { applyExperiment, experimentsOf } from "../../lib/core/experiment.js";
import { relMaxError } from "../../lib/core/fd.js";
import { maxDiffLike } from "../../lib/tools/run-function.js";
import { libSource } from "../../scripts/lib-code.js";
import { VANISHING_DEFAULT } from "../../lib/state/spectral-config.js";
import { type EditCase, runAs, testEdits } from "../workers/editable-cases.js";

const { hidden, T, seed, rho, activation } = VANISHING_DEFAULT;
const demoOf = (a: typeof activation, extra: Partial<vanishing.GradientNormDemoConfig> = {}) =>
  vanishing.gradientNormDemo({ hidden, T, seed, rho, activation: a, ...extra });
const demo = demoOf(activation);
const bad = demoOf("identity", { eigenvalues: vanishing.eigenvaluesAllBelowOne(hidden), rho: undefined });
const all = demoOf(activation, { lossAt: "all" });
const { start } = vanishing.lastSteps(T);
const allArgs = [all.p, all.s, all.opts];
const { theta, c } = vanishing.clippingThresholds(demo.p, demo.s, demo.opts);

const V = "lib/d2l/vanishing.ts", I = "lib/d2l/intuition.ts";
const CASES: EditCase[] = [
  { file: V, fn: vanishing.spectralRadius, args: [bad.eigenvalues] },
  { file: "lib/d2l/d2l.ts", fn: stepJacobianH, args: [demo.p, demo.preacts[T - 1]!, activation] },
  { file: V, fn: vanishing.jacobianProducts, args: [demo.p.W_hh, demo.preacts, activation, start] },
  { file: I, fn: intuition.intuitionLoss, args: allArgs },
  { file: I, fn: intuition.intuitionStep3b, args: allArgs },
  { file: I, fn: intuition.intuitionStep3cAsPrinted, args: allArgs },
  { file: I, fn: intuition.intuitionStep3cCorrected, args: allArgs },
  { file: I, fn: intuition.intuitionStep3dAsPrinted, args: allArgs },
  { file: I, fn: intuition.intuitionStep3dCorrected, args: allArgs },
  { file: V, fn: vanishing.clippingReport, args: [demo.p, demo.s, demo.opts, theta, c] },
  { file: V, fn: vanishing.eigenvaluesOfPower, args: [demo.p.W_hh, 5] },
];

testEdits("/vanishing", CASES, [vanishing, intuition, spectrum]);

describe("/vanishing §1: D2L's recursion and closed form, on this page's linear model", () => {
  const lin = demoOf("identity", { lossAt: "all" });
  const f = d2lForward(lin.p, lin.s, lin.opts);
  const dL_do = outputGrads(f, lin.s.targets);
  const cases: EditCase[] = [
    { file: "lib/d2l/d2l.ts", fn: hiddenGradsRecursion, args: [lin.p, f, dL_do, lin.opts] },
    { file: "lib/d2l/d2l.ts", fn: hiddenGradsClosedForm, args: [lin.p, dL_do] },
  ];

  it.each(cases.map((c) => [c.fn.name, c] as const))("%s unchanged gives lib/'s value to the bit", async (_, c) => {
    const { lib, like, out } = await runAs(c, libSource(c.file, c.fn.name).text);
    expect("value" in out ? maxDiffLike(out.value, lib, like) : out.error).toBe(0);
  });

  it.each(cases.map((c) => [c.fn.name, c] as const))("%s: W_hh for W_hhᵀ is invisible here (W_hh is symmetric), every other experiment is not", async (_, c) => {
    for (const x of experimentsOf(c.fn)) {
      const { lib, out } = await runAs(c, applyExperiment(libSource(c.file, c.fn.name).text, x)!);
      if (!("value" in out)) throw new Error(out.error);
      const err = relMaxError(out.value as Float64Array[], lib as Float64Array[]);
      if (x.label.includes("W_hhᵀ")) expect(err, x.label).toBeLessThan(1e-12);
      else expect(err, x.label).toBeGreaterThan(1e-3);
    }
  });
});

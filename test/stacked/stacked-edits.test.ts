/**
 * /stacked as a notebook: each function the page runs through `run(f, …)` (src/stacked.md, and the cells it builds in
 * src/components/stacked-view.ts), with the inputs the page gives it at the default configuration, runs unchanged in
 * the sandbox's way to lib/'s bits, and every guided experiment of lib/stacked/ applies once and breaks its value
 * (test/workers/editable-cases.ts).
 */
import * as asPrinted from "../../lib/stacked/as-printed.js";
import * as backward from "../../lib/stacked/backward.js";
import * as forward from "../../lib/stacked/forward.js";
import * as stacked from "../../lib/stacked/stacked.js";
import { truncationInputs } from "../../lib/stacked/page.js";
import { STACKED_DEFAULTS, buildStackedExample } from "../../lib/state/stacked-config.js";
import { describe, expect, it } from "vitest";
import { applyExperiment, experimentsOf } from "../../lib/core/experiment.js";
import { flatten, maxDiffLike } from "../../lib/tools/run-function.js";
import { libSource } from "../../scripts/lib-code.js";
import { type EditCase, broken, runAs, testEdits } from "../workers/editable-cases.js";

const ex = buildStackedExample(STACKED_DEFAULTS);
const { params: p, X, targets: Y, H0 } = ex;
const T = X.length, t = 2;
const fSource = forward.stackedForward(p, X, Y, { H0, reduction: "source" });
const fMean = forward.stackedForward(p, X, Y, { H0 });
const f21 = forward.withWeights(fSource, forward.singleStepWeights(t, T));
const long = truncationInputs(buildStackedExample({ ...STACKED_DEFAULTS, T: 4 }));

const STACKED = "lib/stacked/stacked.ts", AS_PRINTED = "lib/stacked/as-printed.ts", FORWARD = "lib/stacked/forward.ts";

/** Each function /stacked runs through `run`, with the inputs of one of its cells at the default configuration. */
const CASES: EditCase[] = [
  // §1.1, §1.2, the conventions: the forward passes
  { file: STACKED, fn: stacked.ffnnForward, args: [p, X[0]] },
  { file: FORWARD, fn: forward.stackedForward, args: [p, X, Y, { H0, reduction: "source" }] },
  { file: FORWARD, fn: forward.withWeights, args: [fSource, forward.singleStepWeights(t, T)] },
  // §2.1 as printed (its right equation (2)) and corrected
  { file: AS_PRINTED, fn: asPrinted.stacked21AsPrinted, args: [2, p, f21, t] },
  { file: STACKED, fn: stacked.dLdWh1h2, args: [p, f21, t] },
  { file: STACKED, fn: stacked.dLdWh2h2, args: [p, f21, t] },
  { file: STACKED, fn: stacked.dLdWxh1, args: [p, f21, t] },
  { file: STACKED, fn: stacked.dLdWh1h1, args: [p, f21, t] },
  // §2.1.1 as printed (its right equation (2)) and corrected ((3′)), and what the 1/T averages
  { file: AS_PRINTED, fn: asPrinted.stacked211AsPrinted, args: [2, p, fSource] },
  { file: STACKED, fn: stacked.stacked211Corrected, args: [3, p, fSource] },
  { file: "lib/stacked/backward.ts", fn: backward.stackedBackward, args: [p, fSource] },
  // §2.2
  { file: AS_PRINTED, fn: asPrinted.stacked22AsPrinted, args: [p, fSource, 1] },
  { file: STACKED, fn: stacked.stacked22Factor, args: [p, fSource, T, 1] },
  { file: STACKED, fn: stacked.stacked22Corrected, args: [p, fSource] },
  { file: STACKED, fn: stacked.stacked22Truncated, args: [long.params, long.f, 3] },
];

testEdits("/stacked", CASES, [stacked, asPrinted, forward, backward]);

// The other inputs the page gives the same functions (the batch-mean loss of "What the 1/T averages"): unchanged, lib's
// bits; the experiment "Keep only each step's own Z_t" leaves its (2) alone (only (3) and (6) change), the others break it.
describe("/stacked, the batch mean", () => {
  const mean = [
    { file: FORWARD, fn: forward.stackedForward, args: [p, X, Y, { H0 }] },
    { file: STACKED, fn: stacked.stacked211Corrected, args: [2, p, fMean] },
  ] satisfies EditCase[];

  it.each(mean.map((c) => [c.fn.name, c] as const))("%s unchanged gives lib/'s value to the bit", async (_, c) => {
    const { lib, like, out } = await runAs(c, libSource(c.file, c.fn.name).text);
    expect("value" in out ? maxDiffLike(out.value, lib, like) : out.error).toBe(0);
  });

  it.each(mean.flatMap((c) => experimentsOf(c.fn).map((x) => [`${c.fn.name}: ${x.label}`, c, x] as const)))("%s", async (_, c, x) => {
    const { lib, like, out } = await runAs(c, applyExperiment(libSource(c.file, c.fn.name).text, x)!);
    if (!("value" in out)) throw new Error(out.error);
    const diff = maxDiffLike(out.value, lib, like);
    if (x.label.startsWith("Keep only each step's own")) expect(diff).toBe(0);
    else expect(broken(diff, flatten(lib, like))).toBe(true);
  });
});

// The experiments that put the source's slip back into a corrected function give what the source printed, to rounding.
describe("/stacked: experiments that reproduce the source as printed", () => {
  const printed = (e: asPrinted.Evaluation) => (e.ok ? e.value : expect.unreachable(e.reason));
  it.each([
    ["dLdWh1h2", "Multiply by W_h₂h₂", printed(asPrinted.stacked21AsPrinted(4, p, f21, t))],
    ["dLdWxh1", "Exactly as printed", printed(asPrinted.stacked21AsPrinted(7, p, f21, t))],
    ["stacked211Corrected", "Keep only each step's own", printed(asPrinted.stacked211AsPrinted(3, p, fSource))],
  ] as const)("%s: %s… gives the source's formula", async (name, label, want) => {
    const c = CASES.find((x) => x.fn.name === name)!;
    const x = experimentsOf(c.fn).find((e) => e.label.startsWith(label))!;
    const { out, like } = await runAs(c, applyExperiment(libSource(c.file, c.fn.name).text, x)!);
    if (!("value" in out)) throw new Error(out.error);
    expect(maxDiffLike(out.value, want, like)).toBeLessThan(1e-15);
  });
});

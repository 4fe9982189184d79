/**
 * /truncation as a notebook: every function its cells compute through `run(f, …)`, given the inputs the page gives it
 * at the default settings, runs in the sandbox's way to lib/'s bits, and every guided experiment of
 * lib/d2l/truncation.ts (and of d2l.ts's dhdwExpansion, whose order shows with this page's tanh) breaks its value far
 * past the page's relative checks (test/workers/editable-cases.ts). The ξ the page draws comes from a seed, not a
 * stream, so that it can be sent to the sandbox: the same bits as the stream it names.
 */
import { describe, expect, it } from "vitest";
import * as truncation from "../../lib/d2l/truncation.js";
import { dhdwExpansion, forwardModePieces } from "../../lib/d2l/d2l.js";
import { gradientNormDemo } from "../../lib/d2l/vanishing.js";
import { makeRng } from "../../lib/core/rng.js";
import { TRUNCATION_DEFAULT } from "../../lib/state/spectral-config.js";
import { type EditCase, testEdits } from "../workers/editable-cases.js";

const { rho, hidden, T, activation, k, pi, seed } = TRUNCATION_DEFAULT;
const { p, s, opts } = gradientNormDemo({ hidden, T, seed, rho, activation, lossAt: "all" });
const xi = truncation.sampleXi(pi, T, seed);

const F = "lib/d2l/truncation.ts";
const CASES: EditCase[] = [
  { file: "lib/d2l/d2l.ts", fn: dhdwExpansion, args: [forwardModePieces(p, s, opts)] },
  { file: F, fn: truncation.truncatedGradient, args: [p, s, k, opts] },
  { file: F, fn: truncation.sampleXi, args: [pi, T, seed] },
  { file: F, fn: truncation.exactRandomizedMoments, args: [p, s, pi, opts] },
  { file: F, fn: truncation.randomizedGradient, args: [p, s, xi, opts] },
];

testEdits("/truncation", CASES, [truncation]);

describe("/truncation's draw of ξ", () => {
  it("from a seed is the draw from the stream xiRng(seed)", () => {
    for (const sd of [0, 1, 2, 4294967295]) expect(truncation.sampleXi(0.3, 12, sd)).toEqual(truncation.sampleXi(0.3, 12, truncation.xiRng(sd)));
  });
  it("exists for the largest seed too (the offset streams wrap at 2³²)", () => {
    expect(truncation.xiRng(4294967295).next()).toBe(makeRng(6).next());
    expect(truncation.monteCarloRng(4294967295).next()).toBe(makeRng(10).next());
  });
  it("has a 0 and a 1/π at the default settings, so that the experiments on its estimators can show", () => {
    expect(new Set(xi)).toEqual(new Set([0, 1 / pi]));
  });
});

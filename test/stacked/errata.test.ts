/**
 * The table of lib/stacked/errata.ts: all 16 equations of §2.1 and §2.1.1 once, with anchors, slips and corrected TeX
 * that KaTeX renders, and the verdicts pinned.
 */
import katex from "katex";
import { describe, expect, it } from "vitest";
import { STACKED_EQUATIONS } from "../../lib/stacked/errata.js";
import { stackedEqAnchor, stackedEqName } from "../../lib/stacked/stacked.js";

describe("the table of verdicts", () => {
  it("the table lists all 16 equations once, with distinct anchors that are valid HTML ids", () => {
    expect(STACKED_EQUATIONS).toHaveLength(16);
    const anchors = STACKED_EQUATIONS.map((e) => e.anchor);
    expect(new Set(anchors).size).toBe(16);
    for (const e of STACKED_EQUATIONS) {
      expect(e.name).toBe(stackedEqName(e.section, e.number));
      expect(e.anchor).toBe(stackedEqAnchor(e.section, e.number));
      expect(e.anchor).toMatch(/^stacked(-\d+)+$/);
      expect(e.slip.length).toBeGreaterThan(20);
      expect(e.composedVerdict !== undefined).toBe(e.section === "2.1.1");
    }
  });

  it.each(STACKED_EQUATIONS.map((e) => [e.name, e] as const))("%s: the corrected equation renders in KaTeX", (_, e) => {
    expect(() => katex.renderToString(e.correctedTex, { throwOnError: true, displayMode: true })).not.toThrow();
  });
});

it("verdict summary (pinned): §2.1 has 4 right, 2 wrong in value, 2 wrong in shape; §2.1.1 has 6 right, 2 wrong in value", () => {
  const table = Object.fromEntries(STACKED_EQUATIONS.map((e) => [e.name, e.composedVerdict ? `${e.verdict} / ${e.composedVerdict}` : e.verdict]));
  expect(table).toEqual({
    "stacked 2.1 (1)": "right",
    "stacked 2.1 (2)": "right",
    "stacked 2.1 (3)": "right",
    "stacked 2.1 (4)": "wrong value",
    "stacked 2.1 (5)": "wrong shape",
    "stacked 2.1 (6)": "right",
    "stacked 2.1 (7)": "wrong value",
    "stacked 2.1 (8)": "wrong shape",
    "stacked 2.1.1 (1)": "right / right",
    "stacked 2.1.1 (2)": "right / right",
    "stacked 2.1.1 (3)": "wrong value / wrong value",
    "stacked 2.1.1 (4)": "right / wrong value",
    "stacked 2.1.1 (5)": "right / wrong shape",
    "stacked 2.1.1 (6)": "wrong value / wrong value",
    "stacked 2.1.1 (7)": "right / wrong value",
    "stacked 2.1.1 (8)": "right / wrong shape",
  });
});

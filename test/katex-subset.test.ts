/** scripts/katex-subset.ts: which characters each KaTeX face keeps, read off the built HTML. */
import katex from "katex";
import { describe, expect, it } from "vitest";
import { amsText, katexText } from "../scripts/katex-subset.js";

const page = (...tex: string[]) => `<p>ℝ &amp; text</p>${tex.map((t) => katex.renderToString(t, { displayMode: true })).join("<p>between</p>")}`;

describe("the characters KaTeX's faces keep", () => {
  it("reads what KaTeX draws, nested spans included, and nothing outside its HTML", () => {
    const text = katexText(page("x \\in \\mathbb{R}^{n \\times a}", "\\frac{\\partial L}{\\partial W_{h_2 a}} < 1"));
    for (const c of "x∈Rn×a∂LWh2<1") expect(text).toContain(c);
    expect(text).not.toContain("between");
    expect(text).not.toContain("ℝ");
    expect(text).not.toContain("&");
  });

  it("gives the AMS face only what is drawn in it: blackboard letters and AMS symbols, not the other letters", () => {
    expect(amsText(page("x \\in \\mathbb{R}^{n \\times a}", "W \\in \\mathbb{RN}"))).toBe("RRN");
    expect(amsText(page("a \\lesssim b \\quad \\frac{a}{b}"))).toBe("≲");
    expect(amsText(page("h_t = \\tanh(W x_t)"))).toBe("");
  });
});

import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import markdownMath, { equationId, equationTag } from "../scripts/markdown-math.js";

const md = () => new MarkdownIt({ html: true }).use(markdownMath);

describe("build-time KaTeX (scripts/markdown-math.ts)", () => {
  it("renders inline math and leaves Framework's ${…} placeholders alone", () => {
    const html = md().render("the state $h^{(t)}$ has ${hidden} entries and costs $5");
    expect(html).toContain('class="katex"');
    expect(html).toContain("${hidden}");
    expect(html).toContain("costs $5");
  });

  it("wraps a tagged display in an element whose id is the equation number, linking to itself", () => {
    const html = md().render("$$\n(DL)_c = \\sum_t (DL)_{o^{(t)}} \\tag{4.4}\n$$\n");
    expect(html).toMatch(/<div class="equation" id="eq-4-4">/);
    expect(html).toContain('href="#eq-4-4"');
    expect(html).toContain("katex-display");
  });

  it("takes an explicit anchor after the closing $$, for sources with their own numbering", () => {
    const html = md().render("$$\nh_t = W_{hx} x_t + W_{hh} h_{t-1} \\tag{2.1}\n$$ {#d2l-2-1}\n");
    expect(html).toMatch(/<div class="equation" id="d2l-2-1">/);
    expect(html).toContain('href="#d2l-2-1"');
  });

  it("renders untagged multi-line displays without an anchor", () => {
    const html = md().render("$$\n\\begin{pmatrix} 0 & 0 \\\\\nh_1 & h_2 \\end{pmatrix}\n$$\n");
    expect(html).toContain('<div class="equation">');
    expect(html).not.toContain("id=");
  });

  it("fails loudly on a malformed formula instead of shipping an error", () => {
    expect(() => md().render("$$\n\\frac{1}{\\tau \\tag{1.2}\n$$\n")).toThrow(/KaTeX could not render display math/);
    expect(() => md().render("a $\\hatt{y}$ b")).toThrow(/KaTeX could not render inline math/);
  });

  it("reads tags and makes ids as the anchors are cited", () => {
    expect(equationTag("L = 1 \\tag{1.2}")).toBe("1.2");
    expect(equationTag("L = 1")).toBeNull();
    expect(equationId("3.21")).toBe("eq-3-21");
  });
});

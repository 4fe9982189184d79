import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import markdownMath, { equationId, equationTag, markedSymbols, texToText, withoutMarks } from "../scripts/markdown-math.js";

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

  it("draws \\sym{id}{tex} as a span with data-sym in the aria-hidden HTML, and after the display a row naming each symbol once", () => {
    const html = md().render("$$\n\\sym{dL_dh}{(DL)_{h^{(t)}}} = \\sym{h}{h^{(t+1)}} W + \\sym{h}{h^{(t)}} \\tag{3.6}\n$$\n");
    const [katexPart = "", row = ""] = html.split('<p class="eq-symbols"');
    expect(katexPart).toMatch(/<span class="katex-html" aria-hidden="true">.*data-sym="dL_dh".*data-sym="h"/s);
    // Nothing focusable inside KaTeX's aria-hidden half; the row's buttons are drawn in the browser (symbols.ts) from
    // the display's own marks, so the row carries only their names, in order, each symbol once: no second KaTeX.
    expect(katexPart).not.toContain("<button");
    expect(row.trim()).toBe('data-names="(DL)_{h⁽ᵗ⁾} h⁽ᵗ⁺¹⁾"></p>');
    // What a reader copies (the TeX annotation) has no marks; the MathML twin has no data attributes.
    expect(katexPart).toContain("<annotation encoding=\"application/x-tex\">(DL)_{h^{(t)}} = h^{(t+1)} W + h^{(t)} \\tag{3.6}</annotation>");
    expect(katexPart.split('class="katex-html"')[0]).not.toContain("data-sym");
  });

  it("says which drawn mark is each button's face when KaTeX draws the marks in another order than written", () => {
    const row = (tex: string) => md().render(`$$\n${tex}\n$$\n`).split('<p class="eq-symbols" ')[1]?.trim();
    // A fraction's denominator is drawn first: the buttons stay a, b (as written), their faces are drawn marks 1 and 0.
    expect(row("\\frac{\\sym{a}{a}}{\\sym{b}{b}}")).toBe('data-names="a b" data-faces="1 0"></p>');
    // An aligned display is drawn column by column: x's face is its first occurrence written (x_1), drawn third.
    expect(row("\\begin{aligned} \\sym{y}{y} &= \\sym{x}{x_1} \\\\ \\sym{z}{z} &= \\sym{x}{x_2} \\end{aligned}")).toBe('data-names="y x_1 z" data-faces="0 2 1"></p>');
    // Drawn as written: nothing to say.
    expect(row("\\sym{a}{\\frac{a}{b}} + \\sym{b}{b} + \\sym{a}{c}")).toBe('data-names="a/b b"></p>');
  });

  it("keeps trust to \\htmlData alone and fails on a malformed mark", () => {
    expect(() => md().render("$$\n\\href{https://example.org}{x}\n$$\n")).toThrow(/KaTeX could not render/);
    expect(() => md().render("$$\n\\htmlClass{x}{y}\n$$\n")).toThrow(/KaTeX could not render/);
    expect(() => md().render("$$\n\\sym{1h}{h}\n$$\n")).toThrow(/is not a name/);
    expect(() => md().render("$$\n\\sym{h}{h\n$$\n")).toThrow(/unbalanced braces|KaTeX could not render/);
    expect(md().render("a $\\sym{h}{h}$ b")).not.toContain("eq-symbols");
  });

  it("reads marks, removes them, and names symbols in plain text", () => {
    expect(markedSymbols("\\sym{a}{x_{\\sym{b}{y}}} + \\sym{a}{z}")).toEqual([{ id: "a", tex: "x_{\\sym{b}{y}}" }, { id: "b", tex: "y" }]);
    expect(withoutMarks("\\sym{a}{x_{\\sym{b}{y}}} + \\sym{a}{z}")).toBe("x_{y} + z");
    expect(texToText("\\hat{y}^{(t)}")).toBe("y\u0302⁽ᵗ⁾");
    expect(texToText("h^{(\\tau)}")).toBe("h⁽τ⁾");
    expect(texToText("W^{\\top}")).toBe("Wᵀ");
    expect(texToText("(DL)_{o_i^{(t)}}")).toBe("(DL)_{o_i⁽ᵗ⁾}");
    expect(texToText("\\frac{\\partial L}{\\partial \\mathbf{W}_\\textrm{hx}}")).toBe("∂L/∂W_{hx}");
    expect(texToText("\\mathbf{h}_{t-1}")).toBe("h_{t-1}");
    expect(texToText("\\left(\\frac{\\partial h_{t+k}}{\\partial h_t}\\right)^\\top")).toBe("(∂h_{t+k}/∂h_t)ᵀ");
    expect(texToText("\\xi_t")).toBe("ξ_t");
    expect(texToText("\\delta_\\tau")).toBe("δ_τ");
  });
});

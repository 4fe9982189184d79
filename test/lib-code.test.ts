/**
 * scripts/lib-code.ts and scripts/markdown-code.ts: the code shown after a live cell is the declaration of lib/, read
 * from the file at build time, with its doc comment, and every page shows one for every function its cells name.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import { highlightTs, libCodeBlock, libRefsOf, libSource } from "../scripts/lib-code.js";
import markdownCode from "../scripts/markdown-code.js";
import markdownMath from "../scripts/markdown-math.js";
import { cellsOf } from "./page-cells.js";

const ROOT = join(import.meta.dirname, "..");
const unescape = (html: string) => html.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");

describe("libSource", () => {
  it("is the exported declaration with its doc comment, as written, from the line it starts on", () => {
    const { text, line } = libSource("lib/derivation/backward.ts", "gradC");
    const file = readFileSync(join(ROOT, "lib/derivation/backward.ts"), "utf8");
    expect(text.startsWith("/** eq 4.4")).toBe(true);
    expect(text).toContain("export function gradC(dL_do: Matrix): Vector {");
    expect(text.endsWith("}")).toBe(true);
    expect(file.split("\n").slice(line - 1).join("\n").startsWith(text)).toBe(true);
    expect(libSource("lib/core/tolerances.ts", "FD_TOL").text).toMatch(/export const FD_TOL = 1e-8;$/);
  });

  it("refuses a name the file does not export", () => {
    expect(() => libSource("lib/derivation/backward.ts", "gradZ")).toThrow("lib/derivation/backward.ts exports no function or const named gradZ");
  });
});

describe("highlightTs", () => {
  it("only adds markup: the text is the code, every character", () => {
    const { text } = libSource("lib/derivation/hidden.ts", "hiddenGradsDiagForm");
    const html = highlightTs(text);
    expect(unescape(html)).toBe(text);
    expect(html).toContain('<span class="tok-keyword">export</span>');
    expect(highlightTs('const a = "<b>" && 1 > 0;')).toContain("&lt;b&gt;");
  });
});

describe("libRefsOf and libCodeBlock", () => {
  it("reads each file/fn pair of a cell once, several functions in one fn, in either order", () => {
    const cell = `liveCell({ value, shape: [2], file: "lib/a.ts", fn: "f" });\nliveCell({ fn: "g, h()", file: "lib/b.ts" });\nliveCell({ file: "lib/a.ts", fn: "f" });`;
    expect(libRefsOf(cell)).toEqual([{ file: "lib/a.ts", fns: ["f"] }, { file: "lib/b.ts", fns: ["g", "h"] }]);
  });

  it("names the file, its line and the functions, folded", () => {
    const block = libCodeBlock({ file: "lib/derivation/backward.ts", fns: ["gradC", "gradB"] });
    const { line } = libSource("lib/derivation/backward.ts", "gradC");
    const hashes = `${libSource("lib/derivation/backward.ts", "gradC").hash},${libSource("lib/derivation/backward.ts", "gradB").hash}`;
    expect(block.startsWith(`<details class="lib-code" data-file="lib/derivation/backward.ts" data-fn="gradC,gradB" data-hash="${hashes}">`)).toBe(true);
    expect(block).toContain(`<code>lib/derivation/backward.ts:${line}</code> · <code>gradC(), gradB()</code>`);
    expect(unescape(block)).toContain(libSource("lib/derivation/backward.ts", "gradB").text);
  });
});

describe("markdownCode", () => {
  it("names and links the equation displayed last above the cell, and none before the first", () => {
    const md = new MarkdownIt({ html: true }).use(markdownMath).use(markdownCode);
    const cell = '```ts\nliveCell({ file: "lib/derivation/backward.ts", fn: gradC });\n```\n';
    const html = md.render(`${cell}\n$$\nx \\tag{4.4}\n$$\n\n${cell}`, {});
    const [first, second] = html.split('<details class="lib-code"').slice(1);
    expect(first).toContain("<summary>The code: <code>lib/derivation/backward.ts:");
    expect(first).not.toContain("lib-code-eq");
    expect(second).toContain("<summary>The code of (4.4): <code>lib/derivation/backward.ts:");
    expect(second).toContain('<p class="lib-code-eq">The function behind the value under <a href="#eq-4-4">(4.4)</a>, as written in lib/derivation/backward.ts:</p>');
  });

  it("names a numbered equation as it is printed, math in its tag read as text ($4'$ is 4′)", () => {
    const md = new MarkdownIt({ html: true }).use(markdownMath).use(markdownCode);
    const cell = '```ts\nliveCell({ file: "lib/derivation/backward.ts", fn: gradC });\n```\n';
    const html = md.render(`$$\nx \\tag{$4'$}\n$$ {#stacked-4-corrected}\n\n${cell}`, {});
    expect(html).toContain('aria-label="Link to equation (4′)"');
    expect(html).toContain("<summary>The code of (4′): ");
  });

  it("names no equation after a heading: a new section's cell computes something of its own", () => {
    const md = new MarkdownIt({ html: true }).use(markdownMath).use(markdownCode);
    const cell = '```ts\nliveCell({ file: "lib/derivation/backward.ts", fn: gradC });\n```\n';
    const html = md.render(`$$\nx \\tag{4.4}\n$$\n\n${cell}\n## All at once\n\n${cell}`, {});
    const [first, second] = html.split('<details class="lib-code"').slice(1);
    expect(first).toContain("<summary>The code of (4.4): ");
    expect(second).toContain("<summary>The code: ");
  });
});

describe("every page shows the code of every function its cells name", () => {
  const pages = readdirSync(join(ROOT, "src")).filter((f) => f.endsWith(".md"));
  const md = new MarkdownIt({ html: true }).use(markdownMath).use(markdownCode);
  it.each(pages)("%s", (page) => {
    const text = readFileSync(join(ROOT, "src", page), "utf8").replace(/^---\n[\s\S]*?\n---\n/, "");
    const html = md.render(text, { path: `/${page}` });
    const cells = cellsOf(page, text).filter((c) => !c.inline).map((c) => c.code);
    const named = cells.flatMap((c) => libRefsOf(c).map((r) => `${r.file}#${r.fns.join(",")}`));
    const shown = [...html.matchAll(/<details class="lib-code" data-file="([^"]+)" data-fn="([^"]+)" data-hash="[0-9a-f,]*">/g)].map((m) => `${m[1]}#${m[2]}`);
    expect(shown).toEqual(named);
  });
});

import { describe, expect, it } from "vitest";
import config from "../observablehq.config.js";
import { findEntries, type Searchable } from "../lib/tools/search.js";
import { buildIndex, navigationPaths, pageEntries, printedTag } from "../scripts/search-index.js";
import MiniSearch from "minisearch";
import { INDEX_OPTIONS } from "../lib/tools/search.js";

const BODY = `<h1 id="t">3.8 The embedding matrix</h1><p>Opening words.</p>
<h2 id="the-one-hot-form" tabindex="-1"><a class="observablehq-header-anchor" href="#the-one-hot-form">The one-hot form</a></h2>
<p>Summing the rows <code>E</code>.</p><pre><code>not prose</code></pre>
<div class="equation" id="eq-3-21"><a class="eq-link" href="#eq-3-21" aria-label="Link to equation (3.21)">#</a></div>
<div class="equation" id="stacked-2-1-4-corrected"><a class="eq-link" href="#stacked-2-1-4-corrected" aria-label="Link to equation ($4'$)">#</a></div>
<div class="equation"></div>`;

describe("the search index builder (scripts/search-index.ts)", () => {
  it("reads a page into a page entry, a heading entry and an entry per numbered equation, under its heading", () => {
    expect(pageEntries("/embedding", BODY)).toEqual([
      { id: "/embedding", kind: "page", tag: "", title: "3.8 The embedding matrix", section: "", page: "3.8 The embedding matrix", text: "Opening words." },
      { id: "/embedding#the-one-hot-form", kind: "section", tag: "", title: "The one-hot form", section: "", page: "3.8 The embedding matrix", text: "Summing the rows E." },
      { id: "/embedding#eq-3-21", kind: "equation", tag: "3.21", title: "(3.21)", section: "The one-hot form", page: "3.8 The embedding matrix", text: "" },
      { id: "/embedding#stacked-2-1-4-corrected", kind: "equation", tag: "4′", title: "(4′)", section: "The one-hot form", page: "3.8 The embedding matrix", text: "" },
    ]);
    expect(pageEntries("/index", BODY)[0]!.id).toBe("/");
    expect(printedTag("$2.2'$")).toBe("2.2′");
  });

  it("fails with the page's path when a page has no title", () => {
    expect(() => pageEntries("/x", "<p>no heading</p>")).toThrow(/^\/x: the page has no "# title" heading$/);
  });

  it("indexes every page of the site, and its numbers and words lead where a reader expects", () => {
    const { json, entries } = buildIndex("src", navigationPaths(config.pages));
    expect(new Set(entries.filter((e) => e.kind === "page").map((e) => e.id)).size).toBe(navigationPaths(config.pages).length);
    const index = MiniSearch.loadJSON(json, INDEX_OPTIONS) as unknown as Searchable;
    const first = (q: string) => findEntries(index, q)[0]?.id;
    expect(first("3.21")).toBe("/embedding#eq-3-21");
    expect(first("4.9")).toBe("/summary#eq-4-9");
    expect(first("(4.9)")).toBe("/summary#eq-4-9");
    expect(first("2.4b")).toBe("/d2l#d2l-2-4b");
    expect(first("1.3a")).toBe("/truncation#d2l-1-3a");
    expect(first("embedding")).toBe("/embedding");
    expect(first("vanishing gradient")).toMatch(/^\/vanishing/);
    expect(findEntries(index, "qzxjvwk")).toEqual([]);
    // Every equation of every page is findable by its number.
    for (const e of entries.filter((x) => x.kind === "equation" && /^\d/.test(x.tag))) {
      expect(findEntries(index, e.tag).map((h) => h.id), `(${e.tag})`).toContain(e.id);
    }
  }, 60_000);
});

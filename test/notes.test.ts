/**
 * The notes pages (scripts/notes.ts): every docs/ note becomes a page, links between notes become links between
 * pages, links to other files of the repository become repo: links, a ts fence is shown and never run, and the
 * navigation lists every note, so the browser suite visits (and runs axe on) each.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import config from "../observablehq.config.js";
import { NOTES, noteLink, notePage } from "../scripts/notes.js";
import { ROOT } from "../scripts/site-urls.js";

describe("scripts/notes.ts", () => {
  it("makes a page of every note in docs/, each listed in the site's navigation", () => {
    const docs = readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => f.replace(/\.md$/, ""));
    expect([...NOTES].sort()).toEqual(docs.sort());
    const nav = (config.pages as { name: string; pages: { path: string }[] }[]).find((s) => s.name === "Notes");
    expect(nav?.pages.map((p) => p.path)).toEqual(NOTES.map((n) => `/notes/${n}`));
  });

  it("turns links between notes into links between pages, and links to files into repo: links", () => {
    expect(noteLink("pytorch.md")).toBe("./pytorch");
    expect(noteLink("architecture.md#settings-in-the-url")).toBe("./architecture#settings-in-the-url");
    expect(noteLink("../LICENSE")).toBe("repo:LICENSE");
    expect(noteLink("../lib/tools/case.ts")).toBe("repo:lib/tools/case.ts");
    expect(noteLink("https://example.org/x")).toBe("https://example.org/x");
    expect(noteLink("#one-numbering")).toBe("#one-numbering");
    expect(() => noteLink("../../etc/passwd")).toThrow(/leaves the repository/);
  });

  it("writes the page: title, where it comes from, links renamed to titles, ts fences shown and not run", () => {
    const page = notePage("x", "# A note\n\nSee [pytorch.md](pytorch.md) and `[a](b.md)`.\n\n```ts\nconst x = 1;\n```\n", { pytorch: "PyTorch" });
    expect(page).toMatch(/^---\ntitle: "A note"\n---\n\n<div class="note-page">\n\n# A note\n\n\*A note of the repository \(\[`docs\/x.md`\]\(repo:docs\/x.md\)\)/);
    expect(page).toContain("See [PyTorch](./pytorch) and `[a](b.md)`.");
    expect(page).toContain("```typescript\nconst x = 1;\n```");
    // Framework would run an html or js fence too (the embedding note's <script>, its message as a js object).
    const more = notePage("x", "# T\n\n```html\n<script>x()</script>\n```\n\n```js\n{ a: 1 }\n```\n\n```js run=false\ny\n```\n\n```sh\nls\n```\n");
    expect(more).toContain("```html run=false\n<script>x()</script>\n```\n\n```js run=false\n{ a: 1 }\n```\n\n```js run=false\ny\n```\n\n```sh\nls\n```");
    expect(page).toMatch(/\n<\/div>\n$/);
    // A line that starts with a code span holding backticks is a paragraph, not a fence: its links still change.
    expect(notePage("x", "# T\n\n```` ```ts ```` and [pytorch.md](pytorch.md)\n")).toContain("```` ```ts ```` and [pytorch.md](./pytorch)");
    expect(() => notePage("x", "no title")).toThrow(/docs\/x.md: no "# Title" heading/);
  });
});

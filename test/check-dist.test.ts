import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkDist } from "../scripts/check-dist.js";

function fixture(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "dist-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const clean = {
  "index.html": '<link rel="stylesheet" href="./_file/a.css"><script type="module">import "./_npm/x.js";</script><div id="eq-1-1"></div>',
  "_file/a.css": "@font-face{src:url(fonts/KaTeX_Main-Regular.woff2)}",
  "_import/a.js": 'import {x} from "../_node/d3/index.js"; const svg = "http://www.w3.org/2000/svg";',
  "_npm/x.js": "export {};",
  "_node/d3/index.js": "export const x = 1;",
};

describe("scripts/check-dist.ts", () => {
  it("accepts a self-contained dist", () => {
    expect(checkDist(fixture(clean))).toEqual([]);
  });

  it.each([
    ["an external script", { "index.html": '<script src="https://cdn.example/x.js"></script>' }, /index.html: references an external host/],
    ["a protocol-relative stylesheet", { "index.html": '<link rel="stylesheet" href="//cdn.example/k.css">' }, /external host/],
    ["a CSS import from a CDN", { "_file/a.css": '@import "https://fonts.example/css";' }, /_file\/a.css: references an external host/],
    ["a JS import from a CDN", { "_import/a.js": 'import katex from "https://cdn.example/katex.js";' }, /imports from an external host/],
    ["an unresolved bare import", { "_import/a.js": 'const h = await import("htl");' }, /unresolved bare import "htl"/],
    ["a relative import of a missing file", { "_import/b.js": 'import {f} from "./lib/d2l.js";' }, /_import\/b.js: imports ".\/lib\/d2l.js", which is not in dist/],
    ["a missing stylesheet", { "v.html": '<link rel="stylesheet" href="./_import/gone.css">' }, /v.html: loads ".\/_import\/gone.css"/],
    ["a missing preloaded module", { "v.html": '<link rel="modulepreload" href="./_import/gone.js">' }, /v.html: loads ".\/_import\/gone.js"/],
    ["a page importing a missing module", { "v.html": '<script type="module">import "/_import/gone.js";</script>' }, /v.html \(inline module\): imports "\/_import\/gone.js"/],
    ["a Framework error block", { "index.html": '<div class="observablehq--error">SyntaxError</div>' }, /Framework error block/],
    ["a KaTeX error", { "index.html": '<span class="katex-error">\\frac</span>' }, /KaTeX error/],
    ["a repeated anchor", { "index.html": '<div id="eq-1-1"></div><div id="eq-1-1"></div>' }, /id "eq-1-1" is used 2 times/],
  ])("rejects %s", (_, files, message) => {
    const problems = checkDist(fixture({ ...clean, ...files }));
    expect(problems.join("\n")).toMatch(message);
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkDist } from "../scripts/check-dist.js";
import { PAGE_CSP, SANDBOX_CSP, SANDBOX_HTML, cspMeta } from "../scripts/csp.js";

function fixture(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "dist-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** A page as Framework writes it: the policy in <head> after the links, before the first script. */
const page = (head: string, body = "", meta = cspMeta(PAGE_CSP)) =>
  `<!DOCTYPE html>\n<html>\n<head>\n<link rel="modulepreload" href="./_npm/x.js">${meta}${head}</head>\n<body>${body}</body>\n</html>\n`;

const clean = {
  "index.html": page('<link rel="stylesheet" href="./_file/a.css"><script type="module">import "./_npm/x.js";</script>', '<div id="eq-1-1"></div>'),
  "_file/_workers/sandbox.0123abcd.html": SANDBOX_HTML,
  "_file/a.css": "@font-face{src:url(fonts/KaTeX_Main-Regular.woff2)}",
  "_import/a.js": 'import {x} from "../_node/d3/index.js"; const svg = "http://www.w3.org/2000/svg";',
  "_npm/x.js": "export {};",
  "_node/d3/index.js": "export const x = 1;",
};

describe("scripts/check-dist.ts", () => {
  it("accepts a self-contained dist", () => {
    expect(checkDist(fixture(clean))).toEqual([]);
  });

  it("reads the policy however the attribute is quoted or escaped", () => {
    const meta = `<META HTTP-EQUIV='content-security-policy' CONTENT='${PAGE_CSP.replace(/'/g, "&#39;")}'>`;
    expect(checkDist(fixture({ ...clean, "index.html": page("", "", meta) }))).toEqual([]);
  });

  it("accepts links out: an <a> to an https address, which nothing loads", () => {
    const body = '<a class="x" href="https://d2l.ai/chapter_recurrent-neural-networks/bptt.html">D2L</a> <A HREF=\'https://example.org/repo\'>code</A>';
    expect(checkDist(fixture({ ...clean, "index.html": page("", body) }))).toEqual([]);
  });

  it.each([
    ["an http (not https) link out", { "index.html": page("", '<a href="http://example.org/">x</a>') }, /index.html: references an external host: href="http:\/\/example.org/],
    ["an external image inside a link", { "index.html": page("", '<a href="https://example.org/"><img src="https://example.org/i.png"></a>') }, /references an external host: src="https:\/\/example.org\/i.png/],
    ["an external stylesheet link", { "index.html": page('<link rel="stylesheet" href="https://cdn.example/k.css">') }, /references an external host: href="https:\/\/cdn.example/],
  ])("still fails on %s", (_, files, pattern) => {
    expect(checkDist(fixture({ ...clean, ...files })).join("\n")).toMatch(pattern);
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
    ["a page without the policy", { "v.html": page("", "", "") }, /v.html: has 0 Content-Security-Policy <meta> elements, not exactly one/],
    ["a page with the policy twice", { "v.html": page(cspMeta(PAGE_CSP)) }, /v.html: has 2 Content-Security-Policy/],
    ["a page with another policy", { "v.html": page("", "", cspMeta(`${PAGE_CSP}; connect-src *`)) }, /v.html: its Content-Security-Policy is ".*connect-src \*", not scripts\/csp.ts's/],
    ["a page with the sandbox's policy", { "v.html": page("", "", cspMeta(SANDBOX_CSP)) }, /v.html: its Content-Security-Policy is "default-src 'none'/],
    ["a script before the policy", { "v.html": page("", "", `<script>1</script>${cspMeta(PAGE_CSP)}`) }, /v.html: a <script> comes before its Content-Security-Policy <meta>/],
    ["the policy in <body>", { "v.html": page("", cspMeta(PAGE_CSP), "") }, /v.html: its Content-Security-Policy <meta> is not in <head>/],
    ["a sandbox frame with the pages' policy", { "_file/_workers/sandbox.4567cdef.html": SANDBOX_HTML.replace(SANDBOX_CSP, PAGE_CSP) }, /_file\/_workers\/sandbox.4567cdef.html: its Content-Security-Policy is "default-src 'self'/],
    ["a sandbox frame without a policy", { "_file/_workers/sandbox.4567cdef.html": SANDBOX_HTML.replace(cspMeta(SANDBOX_CSP), "") }, /sandbox.4567cdef.html: has 0 Content-Security-Policy/],
  ])("rejects %s", (_, files, message) => {
    const problems = checkDist(fixture({ ...clean, ...files }));
    expect(problems.join("\n")).toMatch(message);
  });
});

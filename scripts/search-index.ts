/**
 * Builds the site search's index (run by `predev` and `prebuild`, like the worker bundles): every page of the
 * navigation is rendered by Framework's own Markdown parser with the site's KaTeX plugin, so heading ids and
 * equation ids are exactly those of the built pages, and read into entries (lib/tools/search.ts): one per page
 * (its title and opening), one per heading (its words, up to the next heading), one per numbered equation (its
 * number, the heading it sits under, the page). The MiniSearch index of them is written to
 * src/_search/index.json (git-ignored), which the search box loads on first use (src/components/search-ui.ts).
 *
 * Framework's own `search: true` indexes whole pages only, and its tokenizer splits "3.21" into "3" and "21".
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { JSDOM } from "jsdom";
import type MarkdownIt from "markdown-it";
import MiniSearch from "minisearch";
import { createMarkdownIt, parseMarkdown } from "@observablehq/framework/dist/markdown.js";
import { INDEX_OPTIONS, type SearchEntry } from "../lib/tools/search.js";
import markdownMath, { tagText } from "./markdown-math.js";

/** Words of a section kept in the index: enough for its subject, not a copy of the site. */
export const SECTION_TEXT_MAX = 1500;

const HEADING = /^H[1-4]$/;
// The code of a cell is not prose, nor an equation's "#" self-link.
const SKIP = "script, style, pre, a.eq-link";
const LABEL = /^Link to equation \((.*)\)$/;

/** A tag as printed: the TeX of "$4'$" (a corrected equation) reads 4′ (the links' names already read so). */
export const printedTag = (tex: string) => tagText(tex).trim();

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

/** A page path as the site links to it: "/index" is "/". */
const sitePath = (path: string) => (path === "/index" ? "/" : path);

/**
 * The entries of one page, from its rendered body HTML: a page entry (its title, anchor-less), then in document
 * order an entry per h2–h4 with an id and per equation whose self-link names its number.
 */
export function pageEntries(path: string, bodyHtml: string): SearchEntry[] {
  const { document, NodeFilter } = new JSDOM(`<body>${bodyHtml}</body>`).window;
  const pageTitle = squash(document.querySelector("h1")?.textContent ?? "");
  if (!pageTitle) throw new Error(`${path}: the page has no "# title" heading`);
  const base = sitePath(path);
  const page: SearchEntry = { id: base, kind: "page", tag: "", title: pageTitle, section: "", page: pageTitle, text: "" };
  const entries: SearchEntry[] = [page];
  let current: SearchEntry = page;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      node.nodeType === node.ELEMENT_NODE && (node as Element).matches(SKIP) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeType === node.TEXT_NODE) {
      if (!node.parentElement?.closest("h1, h2, h3, h4")) current.text += node.textContent ?? "";
      continue;
    }
    const el = node as Element;
    if (HEADING.test(el.tagName) && el.tagName !== "H1" && el.id) {
      current = { id: `${base}#${el.id}`, kind: "section", tag: "", title: squash(el.textContent ?? ""), section: "", page: pageTitle, text: "" };
      entries.push(current);
    } else if (el.classList.contains("equation") && el.id) {
      const tag = printedTag(LABEL.exec(el.querySelector("a.eq-link")?.getAttribute("aria-label") ?? "")?.[1] ?? "");
      if (tag) {
        const section = current.kind === "section" ? current.title : "";
        entries.push({ id: `${base}#${el.id}`, kind: "equation", tag, title: `(${tag})`, section, page: pageTitle, text: "" });
      }
    }
  }
  for (const e of entries) e.text = squash(e.text).slice(0, SECTION_TEXT_MAX);
  return entries;
}

/**
 * The site's KaTeX plugin with the rendered mathematics left out of its output (parsing KaTeX's markup takes
 * seconds a page and none of it is searched): inline math becomes a space, a display equation its wrapper and
 * self-link, which carry its id and number exactly as scripts/markdown-math.ts writes them.
 */
function leanMath(md: MarkdownIt): MarkdownIt {
  const block = md.renderer.rules.math_block!;
  md.renderer.rules.math_inline = () => " ";
  md.renderer.rules.math_block = (...args) => {
    const html = block(...args);
    const open = EQUATION_OPEN.exec(html)?.[0];
    return open ? `${open}${EQUATION_LINK.exec(html)?.[0] ?? "</div>"}\n` : "";
  };
  return md;
}
const EQUATION_OPEN = /^<div class="equation"(?: id="[^"]*")?>/;
// Not anchored at the end: an equation with marked symbols is followed by its row of symbol buttons.
const EQUATION_LINK = /<a class="eq-link"[^>]*>#<\/a><\/div>/;

/** Every page of the navigation, as Framework names it ("/index" for "/"). */
export function navigationPaths(pages: { path: string }[] | { pages: { path: string }[] }[]): string[] {
  const flat = (pages as ({ path: string } | { pages: { path: string }[] })[]).flatMap((p) => ("pages" in p ? p.pages : [p]));
  return flat.map((p) => (p.path.endsWith("/") ? `${p.path}index` : p.path));
}

/** The index of the given pages of a source root, as the JSON the search box loads. */
export function buildIndex(root: string, paths: string[]): { json: string; entries: SearchEntry[] } {
  const md = createMarkdownIt({ markdownIt: (m) => leanMath(m.use(markdownMath)) });
  const entries = paths.flatMap((path) => {
    const source = readFileSync(join(root, `${path}.md`), "utf8");
    return pageEntries(path, parseMarkdown(source, { md, path }).body);
  });
  const index = new MiniSearch<SearchEntry>(INDEX_OPTIONS);
  index.addAll(entries);
  return { json: JSON.stringify(index), entries };
}

const main = async () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const { default: config } = await import("../observablehq.config.js");
  const root = join(here, "..", config.root);
  const { json, entries } = buildIndex(root, navigationPaths(config.pages));
  const out = join(root, "_search", "index.json");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, json);
  const count = (kind: string) => entries.filter((e) => e.kind === kind).length;
  console.log(
    `search index: ${count("page")} pages, ${count("section")} headings, ${count("equation")} equations, ${json.length} bytes`,
  );
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(`search index: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}

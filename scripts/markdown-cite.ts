/**
 * A markdown-it plugin that writes the site's citation into the page at build time, so that the Cite page reads
 * the same with JavaScript off: a fence ```` ```cite NAME ```` becomes static HTML generated from CITATION.cff
 * (lib/tools/citation.ts) and the build's setting of the site's and the repository's addresses
 * (scripts/site-urls.ts). NAME is one of:
 *
 *   facts      title, authors, version and release, the commit built from, licences, addresses
 *   bibtex, biblatex, apa, csl    the entry in that format, in a <pre> (src/components/copy-button.ts adds Copy)
 *   equation   an example citation of one equation
 *   sources    the source derivations, each linked to its public page where one is known
 *
 * Any other NAME fails the build. Framework's own fence rule handles every other fence.
 *
 * It also resolves links written `[text](repo:PATH)` (PATH may be empty) to that file of the repository, from the
 * same setting: a page or a note names a file of the code without knowing where the code is published. And a code
 * block shown as code (a ```sh fence) gets tabindex="0": it scrolls sideways when wider than the column, and a
 * keyboard reader must be able to scroll it too.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type MarkdownIt from "markdown-it";
import { type Citation, citationFromCff } from "../lib/tools/citation.js";
import { ROOT, type SiteUrls, repoFileUrl, siteUrls } from "./site-urls.js";

/** What a page's citation blocks are made from; computed once per page render (citation-js takes ~0.1 s). */
export interface CiteData {
  citation: Citation;
  urls: SiteUrls;
  commit: string;
}

function buildCommit(): string {
  try {
    const out = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return /^[0-9a-f]{4,40}$/.test(out) ? out : "unknown";
  } catch {
    return "unknown";
  }
}

/** The citation as this build makes it: the file, the setting, today's date (UTC) as the day the address was read. */
export function citeData(): CiteData {
  const urls = siteUrls();
  const cff = readFileSync(join(ROOT, "CITATION.cff"), "utf8");
  const accessed = new Date().toISOString().slice(0, 10);
  return { citation: citationFromCff(cff, { url: urls.site, accessed }), urls, commit: buildCommit() };
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const link = (url: string, text = url) => `<a href="${esc(url)}">${esc(text)}</a>`;

/** The formats, their ids (test/browser/permalink.test.ts reads them) and how a screen reader names them. */
export const CITE_FORMATS = {
  bibtex: { id: "cite-bibtex", label: "BibTeX entry", text: (c: Citation) => c.bibtex },
  biblatex: { id: "cite-biblatex", label: "BibLaTeX entry", text: (c: Citation) => c.biblatex },
  apa: { id: "cite-apa", label: "APA-style reference", text: (c: Citation) => c.apa },
  csl: { id: "cite-csl", label: "CSL-JSON", text: (c: Citation) => JSON.stringify([c.csl], null, 2) },
} as const;

/** The HTML of one ```cite NAME``` block. */
export function citeBlock(name: string, d: CiteData): string {
  const c = d.citation;
  if (name in CITE_FORMATS) {
    const f = CITE_FORMATS[name as keyof typeof CITE_FORMATS];
    return `<div class="cite-format"><pre class="cite-block" id="${f.id}" tabindex="0" role="region" aria-label="${f.label}">${esc(f.text(c))}</pre></div>\n`;
  }
  switch (name) {
    case "facts":
      return `<dl class="cite-facts">
<dt>Title</dt><dd>${esc(c.title)}</dd>
<dt>Authors</dt><dd>${esc(c.authors.join(", "))}</dd>
<dt>Version</dt><dd><code class="cite-version">${esc(c.version)}</code>, released ${esc(c.dateReleased)}</dd>
<dt>Built from commit</dt><dd><code class="cite-commit">${esc(d.commit)}</code></dd>
<dt>Licences</dt><dd>${esc(c.licenses.join(" (code) and "))} (prose and figures)</dd>
<dt>Address</dt><dd class="cite-url">${link(d.urls.site)}</dd>
<dt>Repository</dt><dd class="cite-repo">${link(d.urls.repo)}</dd>
</dl>\n`;
    case "equation":
      return `<blockquote class="cite-equation">${esc(c.authors.join(", "))}, <i>${esc(c.title)}</i>, version ${esc(c.version)},
equation (3.21), <code>${esc(d.urls.site)}embedding?text=cabbage&amp;seed=1#eq-3-21</code>.</blockquote>\n`;
    case "sources":
      // The APA text ends with the address where there is one: that part becomes the link.
      return `<ol class="cite-references">${c.sources.map((s, i) => {
        const text = c.references[i]!;
        const at = s.url ? text.lastIndexOf(s.url) : -1;
        return `<li>${at < 0 ? `${esc(text)} ${s.url ? link(s.url) : "(We found no public address of it.)"}`
          : esc(text.slice(0, at)) + link(s.url) + esc(text.slice(at + s.url.length))}</li>`;
      }).join("")}</ol>\n`;
    default:
      throw new Error(`\`\`\`cite ${name}: expected one of ${[...Object.keys(CITE_FORMATS), "facts", "equation", "sources"].join(", ")}`);
  }
}

/** `repo:PATH` → the file's address in the repository; any other href unchanged. */
export function resolveRepoLink(href: string, repo: string): string {
  if (!href.startsWith("repo:")) return href;
  const path = href.slice("repo:".length);
  return path ? repoFileUrl(repo, path) : repo;
}

export default function markdownCite(md: MarkdownIt): void {
  md.core.ruler.push("repo_links", (state) => {
    let repo: string | undefined;
    for (const block of state.tokens) {
      for (const t of block.children ?? []) {
        const href = t.type === "link_open" ? t.attrGet("href") : null;
        if (href?.startsWith("repo:")) t.attrSet("href", resolveRepoLink(href, (repo ??= siteUrls().repo)));
      }
    }
  });
  const next = md.renderer.rules.fence!;
  md.renderer.rules.fence = (tokens, i, options, env, self) => {
    const m = /^cite\s+(\S+)\s*$/.exec(tokens[i]!.info.trim());
    if (!m) return next(tokens, i, options, env, self).replace(/^<pre(?![^>]*\btabindex=)/, '<pre tabindex="0"');
    const store = env as { citeData?: CiteData };
    store.citeData ??= citeData();
    return citeBlock(m[1]!, store.citeData);
  };
}

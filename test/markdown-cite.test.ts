/**
 * The build-time citation (scripts/markdown-cite.ts) and the setting it reads (scripts/site-urls.ts): the Cite page's
 * blocks are static HTML with the site's address, `repo:` links resolve to the repository, a wrong block name or a
 * wrong address fails the build; and every anchor the Cite page gives as an example exists on a page.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import markdownCite, { citeBlock, citeData, resolveRepoLink } from "../scripts/markdown-cite.js";
import { ROOT, repoFileUrl, siteUrls } from "../scripts/site-urls.js";

const CFF = readFileSync(join(ROOT, "CITATION.cff"), "utf8");

describe("the build's addresses (scripts/site-urls.ts)", () => {
  it("default to CITATION.cff's url and repository-code", () => {
    expect(siteUrls({}, CFF)).toEqual({
      site: "https://bptt-companion.github.io/bptt-companion/",
      repo: "https://github.com/bptt-companion/bptt-companion",
    });
  });

  it("are set by BPTT_SITE_URL and BPTT_REPO_URL, with one trailing slash on the site and none on the repository", () => {
    expect(siteUrls({ BPTT_SITE_URL: "https://example.org/bptt", BPTT_REPO_URL: "https://example.org/code/bptt/" }, CFF))
      .toEqual({ site: "https://example.org/bptt/", repo: "https://example.org/code/bptt" });
  });

  it("refuse an address that is not absolute http(s), naming the setting", () => {
    expect(() => siteUrls({ BPTT_SITE_URL: "example.org" }, CFF)).toThrow(/^BPTT_SITE_URL: "example.org" is not an absolute address/);
    expect(() => siteUrls({ BPTT_REPO_URL: "ftp://example.org/x" }, CFF)).toThrow(/^BPTT_REPO_URL: .* not an http\(s\) address/);
    expect(() => siteUrls({}, "cff-version: 1.2.0\n")).toThrow(/^CITATION.cff url:/);
  });

  it("name a file of the repository", () => {
    expect(repoFileUrl("https://example.org/r", "LICENSE")).toBe("https://example.org/r/blob/main/LICENSE");
    expect(resolveRepoLink("repo:docs/teaching.md", "https://example.org/r")).toBe("https://example.org/r/blob/main/docs/teaching.md");
    expect(resolveRepoLink("repo:", "https://example.org/r")).toBe("https://example.org/r");
    expect(resolveRepoLink("./summary#eq-4-9", "https://example.org/r")).toBe("./summary#eq-4-9");
  });
});

describe("```cite NAME``` blocks", () => {
  const data = citeData();
  const md = new MarkdownIt({ html: true }).use(markdownCite);

  it("render the entries as static, escaped HTML with the site's address", () => {
    const html = md.render("```cite bibtex\n```\n\n```cite biblatex\n```\n\n```cite apa\n```\n");
    expect(html).toMatch(/<pre class="cite-block" id="cite-bibtex"[^>]*aria-label="BibTeX entry">@misc\{bpttcompanion,/);
    expect(html).toContain(`url = {${data.urls.site}}`);
    expect(html).toMatch(/id="cite-biblatex"[^>]*>@software\{bpttcompanion,[^<]*urldate = \{\d{4}-\d{2}-\d{2}\}/);
    expect(html).toMatch(/id="cite-apa"[^>]*>[^<]*\(Version \d+\.\d+\.\d+\) \[Computer software\]/);
    expect(citeBlock("facts", data)).toContain(`<a href="${data.urls.repo}">`);
  });

  it("link each source to its public page, and say so where none is known", () => {
    const html = citeBlock("sources", data);
    expect(html).toContain('<a href="https://d2l.ai/chapter_recurrent-neural-networks/bptt.html">');
    expect(html.match(/<li>/g)).toHaveLength(4);
    expect(html).toMatch(/Vera, J\.[^<]*\(We found no public address of it\.\)/);
  });

  it("fail the build on an unknown name, and leave other fences to the next rule", () => {
    expect(() => md.render("```cite bibtext\n```\n")).toThrow(/```cite bibtext: expected one of bibtex, biblatex, apa, csl, facts/);
    expect(md.render("```js\n1\n```\n")).toContain("<code");
    // A code block shown as code scrolls sideways when wide: the keyboard must reach it.
    expect(md.render("```sh\nnpm test\n```\n")).toMatch(/^<pre tabindex="0"><code class="language-sh">/);
  });

  it("resolve [text](repo:PATH) links in any page", () => {
    expect(md.render("[the licence](repo:LICENSE)")).toContain(`href="${data.urls.repo}/blob/main/LICENSE"`);
  });
});

describe("links out from the pages", () => {
  it("go to the sources' public addresses in CITATION.cff, and each source with one is linked from a page", () => {
    const { citation } = citeData();
    const known = citation.sources.map((s) => s.url).filter(Boolean);
    const pages = readdirSync(join(ROOT, "src")).filter((f) => f.endsWith(".md")).map((f) => readFileSync(join(ROOT, "src", f), "utf8"));
    const out = pages.flatMap((text) => Array.from(text.matchAll(/\]\((https?:\/\/[^)\s]+)\)/g), (m) => m[1]!));
    for (const url of out) expect(known, `${url} is not a source's url in CITATION.cff`).toContain(url);
    expect([...new Set(out)].sort()).toEqual([...known].sort());
  });
});

describe("the Cite page's example anchors", () => {
  it("each exist on the page they name", () => {
    const cite = readFileSync(join(ROOT, "src/cite.md"), "utf8");
    const pages = Object.fromEntries(readdirSync(join(ROOT, "src")).filter((f) => f.endsWith(".md"))
      .map((f) => [f.replace(/\.md$/, ""), readFileSync(join(ROOT, "src", f), "utf8")]));
    const anchorsOf = (text: string) => new Set([
      ...Array.from(text.matchAll(/\\tag\{(\d+)\.(\d+)\}/g), (m) => `eq-${m[1]}-${m[2]}`),
      ...Array.from(text.matchAll(/\$\$ \{#([\w-]+)\}/g), (m) => m[1]!),
    ]);
    const examples = Array.from(cite.matchAll(/\]\(\.\/(\w+)#([\w-]+)\)/g), (m) => [m[1]!, m[2]!] as const);
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const [page, anchor] of examples) expect(anchorsOf(pages[page] ?? ""), `${page}#${anchor}`).toContain(anchor);
    // An anchor written as code only (`#d2l-2-4`) would escape the link check: every one is a link.
    const written = Array.from(cite.matchAll(/`#((?:eq|d2l)-[\w-]+)`/g), (m) => m[1]!);
    for (const a of written) expect(examples.map(([, x]) => x), `#${a} is written but not linked`).toContain(a);
  });
});

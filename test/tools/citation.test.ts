/**
 * CITATION.cff (CFF 1.2.0): its structure (required keys and their types, both licences, the four sources under
 * `references`, the version equal to package.json's), and the citation lib/tools/citation.ts generates from it for the
 * Cite page: the BibTeX parses back (citation-js) to the file's title, version, authors and year.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Cite } from "@citation-js/core";
import "@citation-js/plugin-bibtex";
import { citationFromCff, CITATION_KEY } from "../../lib/tools/citation.js";

const text = readFileSync(new URL("../../CITATION.cff", import.meta.url), "utf8");
const cff = parse(text) as Record<string, unknown>;
const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

const isString = (v: unknown): v is string => typeof v === "string" && v.trim() !== "";
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A CFF person (family-names…) or entity (name) with the keys of the right type. */
function checkAuthor(a: unknown, where: string) {
  expect(a, where).toBeTypeOf("object");
  const o = a as Record<string, unknown>;
  expect(isString(o["family-names"]) || isString(o.name), `${where} has family-names or a name`).toBe(true);
  for (const k of ["family-names", "given-names", "name", "alias"]) {
    if (k in o) expect(isString(o[k]), `${where}.${k} is a string`).toBe(true);
  }
}

describe("CITATION.cff", () => {
  it("has the keys CFF 1.2.0 requires, with their types", () => {
    expect(cff["cff-version"]).toBe("1.2.0");
    expect(isString(cff.message)).toBe(true);
    expect(isString(cff.title)).toBe(true);
    expect(Array.isArray(cff.authors) && cff.authors.length > 0).toBe(true);
    (cff.authors as unknown[]).forEach((a, i) => checkAuthor(a, `authors[${i}]`));
    // Unquoted, YAML would read a version like 1.0 as a number and a date as a Date: the file must keep strings.
    expect(typeof cff.version === "string" || typeof cff.version === "number").toBe(true);
    expect(String(cff["date-released"]).slice(0, 10)).toMatch(DATE);
  });

  it("matches this release: title, version = package.json's, release date, both licences, an entity author", () => {
    expect(cff.title).toBe("bptt-companion: a live companion to the BPTT derivations");
    expect(String(cff.version)).toBe(pkg.version);
    expect(String(cff["date-released"])).toBe("2026-11-22");
    expect(cff.license).toEqual(["MIT", "CC-BY-4.0"]);
    expect(cff.authors).toEqual([{ name: "bptt-companion contributors" }]);
  });

  it("gives the site's public address and the repository's (the defaults of scripts/site-urls.ts's setting)", () => {
    expect(String(cff.url)).toMatch(/^https:\/\/[^/]+\/.*\/$/);
    expect(String(cff["repository-code"])).toMatch(/^https:\/\/[^/]+\/[^/]+\/[^/]+$/);
  });

  it("lists the four source derivations under references, each a valid CFF reference", () => {
    const refs = cff.references as Record<string, unknown>[];
    expect(Array.isArray(refs)).toBe(true);
    const types = ["art", "article", "blog", "book", "generic", "report", "webpage", "unpublished", "software"];
    for (const [i, r] of refs.entries()) {
      expect(types, `references[${i}].type`).toContain(r.type);
      expect(isString(r.title), `references[${i}].title`).toBe(true);
      expect(Array.isArray(r.authors) && (r.authors as unknown[]).length > 0, `references[${i}].authors`).toBe(true);
      (r.authors as unknown[]).forEach((a, j) => checkAuthor(a, `references[${i}].authors[${j}]`));
      if ("year" in r) expect(Number.isInteger(r.year)).toBe(true);
    }
    expect(refs.map((r) => r.title)).toEqual([
      "BPTT Derivations",
      "Mathematics of Backpropagation Through Time",
      "Dive into Deep Learning",
      "2.1. Derive BPTT Mathematically",
    ]);
    const families = refs.map((r) => (r.authors as { "family-names"?: string }[]).map((a) => a["family-names"]));
    expect(families[0]).toEqual(["Singh"]);
    expect(families[1]).toEqual(["Vera"]);
    expect(families[2]).toEqual(["Zhang", "Lipton", "Li", "Smola"]);
  });
});

describe("the citation generated from CITATION.cff (the Cite page's data loader)", () => {
  it("gives BibTeX that parses back to the file's title, version, authors, year and address", async () => {
    const c = citationFromCff(text);
    const parsed = (await Cite.async(c.bibtex)).data as Record<string, unknown>[];
    expect(parsed).toHaveLength(1);
    const entry = parsed[0]!;
    expect(entry["citation-key"]).toBe(CITATION_KEY);
    expect(entry.title).toBe(cff.title);
    expect(String(entry.note)).toBe(`Version ${String(cff.version)}`);
    const authors = (entry.author as { family?: string; literal?: string }[]).map((a) => a.literal ?? a.family);
    expect(authors).toEqual((cff.authors as { name: string }[]).map((a) => a.name));
    const year = (entry.issued as { "date-parts": number[][] })["date-parts"][0]![0];
    expect(year).toBe(Number(String(cff["date-released"]).slice(0, 4)));
    expect(entry.URL).toBe(cff.url);
    // LaTeX would choke on a bare address in howpublished (`_`, `#`): url alone carries it.
    expect(c.bibtex).not.toContain("howpublished");
  });

  it("takes the site's address from the build's setting over the file's, with urldate for BibLaTeX", () => {
    const c = citationFromCff(text, { url: "https://example.org/bptt/", accessed: "2026-12-02" });
    expect(c.url).toBe("https://example.org/bptt/");
    expect(c.bibtex).toContain("url = {https://example.org/bptt/}");
    expect(c.biblatex).toContain("url = {https://example.org/bptt/}");
    expect(c.biblatex).toContain("urldate = {2026-12-02}");
    expect(c.biblatex).not.toContain("[Online; accessed");
    expect(c.apa).toMatch(/ https:\/\/example\.org\/bptt\/$/);
    expect(c.csl.URL).toBe("https://example.org/bptt/");
    expect(() => citationFromCff(text, { accessed: "2 December" })).toThrow(/accessed "2 December" is not a date/);
  });

  it("gives each source's public address where the file has one, and none for Vera's note", () => {
    const c = citationFromCff(text);
    expect(c.sources.map((s) => s.title)).toEqual((cff.references as { title: string }[]).map((r) => r.title));
    expect(c.sources.map((s) => s.url)).toEqual((cff.references as { url?: string }[]).map((r) => r.url ?? ""));
    expect(c.sources[1]!.url).toBe("");
    for (const s of c.sources.filter((x) => x.url)) expect(s.url).toMatch(/^https:\/\//);
  });

  it("gives APA-style text, BibLaTeX and CSL-JSON with the version, date and licences", () => {
    const c = citationFromCff(text);
    expect(c.version).toBe(pkg.version);
    expect(c.dateReleased).toBe("2026-11-22");
    expect(c.authors).toEqual(["bptt-companion contributors"]);
    expect(c.licenses).toEqual(["MIT", "CC-BY-4.0"]);
    expect(c.apa).toBe(`bptt-companion contributors. (2026). ${String(cff.title)} (Version ${pkg.version}) [Computer software]. ${String(cff.url)}`);
    expect(c.biblatex).toMatch(/^@software\{bpttcompanion,/);
    expect(c.biblatex).toContain(`version = {${pkg.version}}`);
    expect(c.biblatex).toContain("date = {2026-11-22}");
    expect(c.csl).toMatchObject({ type: "software", title: cff.title, version: pkg.version, issued: { "date-parts": [[2026, 11, 22]] } });
    expect(Object.keys(c.csl).some((k) => k.startsWith("_"))).toBe(false);
    expect(c.references).toHaveLength(4);
    expect(c.references[0]).toContain("Singh");
  });

  it("fails loudly on a file without a title and authors", () => {
    expect(() => citationFromCff("cff-version: 1.2.0\nmessage: x\n")).toThrow();
  });
});

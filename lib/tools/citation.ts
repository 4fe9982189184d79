/**
 * The site's citation, generated from CITATION.cff (CFF 1.2.0) with citation-js: BibTeX, BibLaTeX, an APA-style
 * reference and CSL-JSON. Used at build time by the Cite page (scripts/markdown-cite.ts writes it into the HTML) and by
 * test/tools/citation.test.ts; never shipped to the browser (citation-js is a dev dependency).
 *
 * citation-js's CFF plugin maps the main entry to CSL (`type: software`, `version`, `issued`, entity authors as
 * `literal`, `url` as `URL`) and the `references:` to further CSL items. Two adjustments for classic BibTeX, which
 * has no `version` field and no day: the BibTeX entry carries the version in `note` and the release year and month
 * only. The site's address comes from the build's setting (scripts/site-urls.ts) when given, overriding the file's
 * `url`; BibLaTeX gets it with `urldate`, the day the build read it. No Node APIs here: the caller reads the file,
 * the setting and the commit. Synchronous, so that a markdown-it plugin can call it while it renders a page.
 */
import { Cite } from "@citation-js/core";
import "@citation-js/plugin-cff";
import "@citation-js/plugin-yaml";
import "@citation-js/plugin-bibtex";
import "@citation-js/plugin-csl";
import { parse as parseYaml } from "yaml";

/** The BibTeX key of the site's entry. */
export const CITATION_KEY = "bpttcompanion";

/** One CSL-JSON item as citation-js produces it (only the fields we read are typed). */
export interface CslItem {
  id?: string;
  type?: string;
  title?: string;
  version?: string;
  author?: { literal?: string; family?: string; given?: string }[];
  issued?: { "date-parts"?: (number | string)[][] };
  [key: string]: unknown;
}

/** What the build knows beyond the file: the site's public address and the day it was read (ISO, for `urldate`). */
export interface CitationOptions {
  url?: string;
  accessed?: string;
}

export interface Citation {
  title: string;
  /** The site's public address (the option, else the file's `url`; "" if neither). */
  url: string;
  version: string;
  /** ISO date of the release, from `date-released`. */
  dateReleased: string;
  authors: string[];
  licenses: string[];
  bibtex: string;
  biblatex: string;
  apa: string;
  /** The site's own entry, CSL-JSON. */
  csl: CslItem;
  /** The source derivations (`references:`), APA-style, in the file's order. */
  references: string[];
  /** The same sources: title, authors as the text names them, and public address ("" where none is known). */
  sources: { title: string; authors: string; url: string }[];
}

/** citation-js adds bookkeeping fields (`_graph`, `_cff_mainReference`) that do not belong in CSL-JSON. */
function clean(item: CslItem): CslItem {
  const out: CslItem = {};
  for (const [k, v] of Object.entries(item)) if (!k.startsWith("_")) out[k] = v;
  return out;
}

const authorName = (a: { literal?: string; family?: string; given?: string }) =>
  a.literal ?? [a.given, a.family].filter(Boolean).join(" ");

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses CITATION.cff (its text) and formats the site's citation. Throws if the site's entry lacks a title, authors, version or date. */
export function citationFromCff(cffText: string, options: CitationOptions = {}): Citation {
  const all = new Cite(cffText).data as CslItem[];
  const mainIndex = all.findIndex((d) => d._cff_mainReference === true);
  if (mainIndex < 0) throw new Error("CITATION.cff: citation-js found no main entry");
  const main: CslItem = { ...clean(all[mainIndex]!), id: CITATION_KEY, "citation-key": CITATION_KEY };
  if (options.url) main.URL = options.url;
  const url = typeof main.URL === "string" ? main.URL : "";
  const references = all.filter((_, i) => i !== mainIndex).map(clean);

  const version = String(main.version ?? "");
  for (const [key, ok] of [["title", !!main.title], ["authors", !!main.author?.length], ["version", !!version],
    ["date-released", !!main.issued?.["date-parts"]?.[0]?.length]] as const) {
    if (!ok) throw new Error(`CITATION.cff: the site's entry has no ${key}`);
  }
  const parts = main.issued?.["date-parts"]?.[0] ?? [];
  const [year, month, day] = parts.map(Number);
  const dateReleased = [year, month, day].filter((n) => n !== undefined && !Number.isNaN(n))
    .map((n, i) => (i === 0 ? String(n) : String(n).padStart(2, "0"))).join("-");

  const forBibtex: CslItem = {
    ...main,
    issued: { "date-parts": [[year ?? "", ...(month ? [month] : [])]] },
    note: `Version ${version}`,
  };
  // citation-js repeats the address in `howpublished`, as bare text that LaTeX would choke on (`_`, `%`, `#`):
  // `url` alone is what the url-aware styles (plainnat, apalike…) print.
  const bibtex = (new Cite(forBibtex).format("bibtex") as string).trim().replace(/^\s*howpublished = \{[^\n]*\},\n/m, "");
  const accessed = options.accessed ? ISO_DATE.exec(options.accessed) : null;
  if (options.accessed && !accessed) throw new Error(`citation: accessed "${options.accessed}" is not a date YYYY-MM-DD`);
  const forBiblatex: CslItem = accessed && url
    ? { ...main, accessed: { "date-parts": [[Number(accessed[1]), Number(accessed[2]), Number(accessed[3])]] } }
    : main;
  // citation-js also writes the access date as a BibTeX-style note; biblatex has `urldate` for it.
  const biblatex = (new Cite(forBiblatex).format("biblatex") as string).trim().replace(/^\s*note = \{\[Online; accessed [^\]]*\]\},\n/m, "");
  const apa = (new Cite(main).format("bibliography", { format: "text", template: "apa" }) as string).trim();
  const refs = references.map((r) =>
    (new Cite(r).format("bibliography", { format: "text", template: "apa" }) as string).trim());

  // citation-js does not carry the licences into CSL.
  const licenses = licensesFromCff(cffText);
  return {
    title: String(main.title ?? ""),
    version,
    dateReleased,
    authors: (main.author ?? []).map(authorName),
    licenses,
    bibtex,
    biblatex,
    apa,
    csl: main,
    references: refs,
    sources: references.map((r) => ({
      title: String(r.title ?? ""),
      authors: (r.author ?? []).map(authorName).join(", "),
      url: typeof r.URL === "string" ? r.URL : "",
    })),
    url,
  };
}

/** The `license:` of a CFF file as a list (CFF allows one SPDX id or a list). */
export function licensesFromCff(cffText: string): string[] {
  const license = (parseYaml(cffText) as { license?: unknown } | null)?.license;
  if (typeof license === "string") return [license];
  return Array.isArray(license) ? license.map(String) : [];
}

/**
 * The site's citation, generated from CITATION.cff (CFF 1.2.0) with citation-js: BibTeX, BibLaTeX, an APA-style
 * reference and CSL-JSON. Used at build time by the Cite page's data loader (src/data/citation.json.ts) and by
 * test/tools/citation.test.ts; never shipped to the browser (citation-js is a dev dependency).
 *
 * citation-js's CFF plugin maps the main entry to CSL (`type: software`, `version`, `issued`, entity authors as
 * `literal`) and the `references:` to further CSL items. Two adjustments for classic BibTeX, which has no
 * `version` field and no day: the BibTeX entry carries the version in `note` and the release year and month only.
 * No Node APIs here: the caller reads the file and the commit.
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

export interface Citation {
  title: string;
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
}

/** citation-js adds bookkeeping fields (`_graph`, `_cff_mainReference`) that do not belong in CSL-JSON. */
function clean(item: CslItem): CslItem {
  const out: CslItem = {};
  for (const [k, v] of Object.entries(item)) if (!k.startsWith("_")) out[k] = v;
  return out;
}

const authorName = (a: { literal?: string; family?: string; given?: string }) =>
  a.literal ?? [a.given, a.family].filter(Boolean).join(" ");

/** Parses CITATION.cff (its text) and formats the site's citation. Throws if the site's entry lacks a title, authors, version or date. */
export async function citationFromCff(cffText: string): Promise<Citation> {
  const all = (await Cite.async(cffText)).data as CslItem[];
  const mainIndex = all.findIndex((d) => d._cff_mainReference === true);
  if (mainIndex < 0) throw new Error("CITATION.cff: citation-js found no main entry");
  const main: CslItem = { ...clean(all[mainIndex]!), id: CITATION_KEY, "citation-key": CITATION_KEY };
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
  const bibtex = (new Cite(forBibtex).format("bibtex") as string).trim();
  const biblatex = (new Cite(main).format("biblatex") as string).trim();
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
  };
}

/** The `license:` of a CFF file as a list (CFF allows one SPDX id or a list). */
export function licensesFromCff(cffText: string): string[] {
  const license = (parseYaml(cffText) as { license?: unknown } | null)?.license;
  if (typeof license === "string") return [license];
  return Array.isArray(license) ? license.map(String) : [];
}

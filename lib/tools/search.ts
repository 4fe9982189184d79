/**
 * The site search's vocabulary, shared by the index builder (scripts/search-index.ts, at build time) and the
 * search box (src/components/search-ui.ts, in the browser): what an entry is, how text becomes terms, how a query
 * is scored. Both sides must tokenize alike or a query never meets the index, hence one module.
 *
 * An equation number is one term: "3.21", "(4.9)" and "2.4b" stay whole (a word tokenizer would split "3.21"
 * into "3" and "21" and find every page). Text is folded to NFKD without marks, so "h⁽ᵗ⁾" is "h(t)" and
 * "Vera" matches "véra".
 */

/** What a result points at: an equation's anchor, a heading's anchor, or a page's top. */
export type SearchKind = "equation" | "section" | "page";

export interface SearchEntry {
  /** The site path with its anchor, "/embedding#eq-3-21"; "/" is the first page. */
  id: string;
  kind: SearchKind;
  /** The equation's printed number without parentheses ("3.21", "2.4b"); "" for a heading or a page. */
  tag: string;
  /** The heading's text, or the page's title for a page. */
  title: string;
  /** The heading an equation sits under ("" at the top of a page). */
  section: string;
  /** The page's title. */
  page: string;
  /** The words of a section or of a page's opening, for word queries; "" for an equation. */
  text: string;
}

/**
 * The fields a query is matched against, and those a result carries back for display. The page's title is shown,
 * not searched: every entry of /embedding would otherwise match "embedding", and its page entry already does.
 */
export const SEARCH_FIELDS = ["tag", "title", "section", "text"] as const;
export const STORED_FIELDS = ["kind", "tag", "title", "section", "page"] as const;

/**
 * How much a match in each field counts: a number query must put the equation with that number first, above a
 * section whose prose cites it; a heading's words count above the same words in running text, and below them the
 * words of the heading an equation sits under (the heading's own entry should come first).
 */
export const FIELD_BOOST: Record<(typeof SEARCH_FIELDS)[number], number> = { tag: 10, title: 3, section: 0.5, text: 1 };

/** Edits allowed per character of a word for a fuzzy match (MiniSearch's fraction); never for numbers. */
export const FUZZY_FRACTION = 0.2;
/** Words shorter than this match exactly: a fuzzy or prefix match of a short word finds noise. */
export const MIN_FUZZY_LENGTH = 5;
export const MIN_PREFIX_LENGTH = 3;
/** How many results the box lists; the rest are worse matches a reader refines the query to reach. */
export const MAX_RESULTS = 12;

// A number with dotted parts and an optional letter ("3.21", "2.4b", "1"), else a run of letters and digits.
const TERM = /\p{N}+(?:\.\p{N}+)*\p{L}?(?![\p{L}\p{N}])|[\p{L}\p{N}]+/gu;
const NUMBER = /^\p{N}/u;

// Words too common to tell entries apart; dropping them keeps "the embedding" ranked by "embedding".
const STOP_WORDS = new Set(
  "a an and are as at be by for from in is it its of on or that the this to we with".split(" "),
);

/** The terms of a text or of a query, in order. */
export function tokenize(text: string): string[] {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().match(TERM) ?? [];
}

/** A term as indexed and queried, or null to drop it (stop words, single letters). */
export function processTerm(term: string): string | null {
  if (STOP_WORDS.has(term)) return null;
  if (term.length < 2 && !NUMBER.test(term)) return null;
  return term;
}

export const isNumberTerm = (term: string) => NUMBER.test(term);

/** MiniSearch's options, identical when the index is built and when it is loaded. */
export const INDEX_OPTIONS = {
  idField: "id",
  fields: [...SEARCH_FIELDS],
  storeFields: [...STORED_FIELDS],
  tokenize,
  processTerm,
};

/** MiniSearch's per-query options: numbers match exactly, words also by prefix and with a typo or two. */
export const QUERY_OPTIONS = {
  boost: FIELD_BOOST,
  prefix: (term: string) => !isNumberTerm(term) && term.length >= MIN_PREFIX_LENGTH,
  fuzzy: (term: string) => (!isNumberTerm(term) && term.length >= MIN_FUZZY_LENGTH ? FUZZY_FRACTION : false),
};

/** What a result shows: the equation's number or the heading, then where it is. */
export function resultLabel(entry: Pick<SearchEntry, "kind" | "tag" | "title" | "section" | "page">): {
  main: string;
  where: string;
} {
  if (entry.kind === "equation") {
    return { main: `(${entry.tag})`, where: entry.section ? `${entry.section} · ${entry.page}` : entry.page };
  }
  if (entry.kind === "section") return { main: entry.title, where: entry.page };
  return { main: entry.title, where: "the whole page" };
}

/** The part of a MiniSearch index a query needs (the box and the tests share `findEntries`). */
export interface Searchable {
  search(query: string, options: Record<string, unknown>): (Record<string, unknown> & { id: unknown; score: number })[];
}

export type SearchHit = Pick<SearchEntry, "id" | "kind" | "tag" | "title" | "section" | "page">;

/**
 * The best entries for a query: entries matching all its terms ("vanishing gradient" is about both), else, when
 * none does, those matching any; at most MAX_RESULTS, best first.
 */
export function findEntries(index: Searchable, query: string): SearchHit[] {
  const all = index.search(query, { ...QUERY_OPTIONS, combineWith: "AND" });
  const found = all.length ? all : index.search(query, { ...QUERY_OPTIONS, combineWith: "OR" });
  // An equation whose number is asked for comes first, whatever the prose around other numbers scores (a note's
  // table of equations mentions "3.21" as often as the equation's own page does).
  const numbers = tokenize(query).filter(isNumberTerm);
  const asked = (h: Record<string, unknown>) => numbers.length > 0 && tokenize(String(h.tag ?? "")).some((t) => numbers.includes(t));
  const hits = numbers.length ? [...found.filter(asked), ...found.filter((h) => !asked(h))] : found;
  return hits.slice(0, MAX_RESULTS).map((h) => ({
    id: String(h.id), kind: h.kind as SearchKind, tag: String(h.tag), title: String(h.title),
    section: String(h.section), page: String(h.page),
  }));
}

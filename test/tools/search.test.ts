import MiniSearch from "minisearch";
import { describe, expect, it } from "vitest";
import { INDEX_OPTIONS, MAX_RESULTS, type SearchEntry, findEntries, processTerm, resultLabel, tokenize } from "../../lib/tools/search.js";

const terms = (text: string) => tokenize(text).map(processTerm).filter((t) => t !== null);

const entry = (e: Partial<SearchEntry> & Pick<SearchEntry, "id" | "kind">): SearchEntry =>
  ({ tag: "", title: "", section: "", page: "", text: "", ...e });

describe("the search's terms (lib/tools/search.ts)", () => {
  it("keeps an equation number whole: 3.21, (4.9), 2.4b, and a sentence's full stop is not part of it", () => {
    expect(terms("see (3.21) and (4.9).")).toEqual(["see", "3.21", "4.9"]);
    expect(terms("D2L's (2.4b) and 1.3b′")).toEqual(["d2l", "2.4b", "1.3b"]);
    expect(terms("eq 4.9")).toEqual(["eq", "4.9"]);
  });

  it("folds accents, superscripts and case, and drops stop words and single letters", () => {
    expect(terms("The Véra h⁽ᵗ⁾ of a tanh")).toEqual(["vera", "tanh"]);
    expect(terms("Vanishing GRADIENTS")).toEqual(["vanishing", "gradients"]);
  });

  it("labels an equation by its number and where it is, a heading by its page", () => {
    expect(resultLabel({ kind: "equation", tag: "3.21", title: "(3.21)", section: "The one-hot form", page: "3.8 The embedding matrix" }))
      .toEqual({ main: "(3.21)", where: "The one-hot form · 3.8 The embedding matrix" });
    expect(resultLabel({ kind: "section", tag: "", title: "The loss", section: "", page: "Training" })).toEqual({ main: "The loss", where: "Training" });
  });
});

describe("findEntries", () => {
  const index = new MiniSearch<SearchEntry>(INDEX_OPTIONS);
  index.addAll([
    entry({ id: "/summary", kind: "page", title: "4 Summary", page: "4 Summary", text: "Equation (4.9) and (3.21) again" }),
    entry({ id: "/summary#eq-4-9", kind: "equation", tag: "4.9", title: "(4.9)", section: "The parameters", page: "4 Summary" }),
    entry({ id: "/embedding#eq-3-21", kind: "equation", tag: "3.21", title: "(3.21)", section: "The one-hot form", page: "3.8 The embedding matrix" }),
    entry({ id: "/vanishing#x", kind: "section", title: "Vanishing gradients", page: "Vanishing", text: "the gradient vanishes" }),
    entry({ id: "/other#y", kind: "section", title: "Other", page: "Other", text: "exploding gradient" }),
  ]);

  it("puts the equation with the number first, above prose citing it", () => {
    expect(findEntries(index, "3.21")[0]?.id).toBe("/embedding#eq-3-21");
    expect(findEntries(index, "(4.9)")[0]?.id).toBe("/summary#eq-4-9");
    expect(findEntries(index, "3.2").map((h) => h.id)).not.toContain("/embedding#eq-3-21");
  });

  it("prefers entries with every word, falls back to any word, finds nothing for nonsense", () => {
    expect(findEntries(index, "vanishing gradient").map((h) => h.id)).toEqual(["/vanishing#x"]);
    expect(findEntries(index, "vanishing qzxjvwk").map((h) => h.id)).toEqual(["/vanishing#x"]);
    expect(findEntries(index, "qzxjvwk")).toEqual([]);
    expect(findEntries(index, "gradeint").length, "a typo").toBeGreaterThan(0);
    expect(findEntries(index, "grad").length).toBeLessThanOrEqual(MAX_RESULTS);
  });
});

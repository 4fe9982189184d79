/** lib/state/edits.ts: a reader's edits in the link and in storage; malformed input gives one line, never a throw. */
import { describe, expect, it } from "vitest";
import { EMBEDDING_IDS } from "../../lib/derivation/editable.js";
import { decodeEdits, editsFromHash, encodeEdits, parseStored } from "../../lib/state/edits.js";

describe("links and storage", () => {
  it("round-trips through the URL fragment, unicode included", () => {
    const edits = { "eq-4-9": "// ⊙ τ\nreturn zeros(vocab, dModel);" };
    const h = `#edit=${encodeEdits(edits)}`;
    expect(editsFromHash(h)).toEqual({ edits });
    expect(editsFromHash("#eq-4-9")).toBeNull();
  });
  it("rejects malformed input with one line, never a throw", () => {
    for (const bad of ["%%%", "e30x", encodeEdits({ "eq-9-9": "x" } as never), btoa("[1,2]"), btoa('{"eq-4-1": 3}')]) {
      const r = decodeEdits(bad);
      expect("error" in r, bad).toBe(true);
      expect((r as { error: string }).error).not.toMatch(/\n/);
    }
    expect(decodeEdits("e30")).toEqual({ edits: {} }); // "{}": no edits, not an error
  });
  it("restricts ids to the page's own", () => {
    expect(decodeEdits(encodeEdits({ "eq-4-1": "x" }), EMBEDDING_IDS)).toEqual({ error: expect.stringMatching(/not an editable equation of this page/) });
  });
  it("parses the store leniently", () => {
    expect(parseStored(null)).toEqual({});
    expect(parseStored("{not json")).toEqual({});
    expect(parseStored(JSON.stringify({ "eq-4-1": { code: "return 1;", active: true } }))).toEqual({ "eq-4-1": { code: "return 1;", active: true } });
  });
});

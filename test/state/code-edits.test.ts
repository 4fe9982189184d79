/** lib/state/code-edits.ts: a reader's versions of lib/ functions in a link and in storage; malformed input gives one line or nothing, never a throw. */
import { describe, expect, it } from "vitest";
import { MAX_CODE_LENGTH, MAX_FUNCTIONS, codeFromHash, encodeCode, isLegacyEditLink, parseStoredCode } from "../../lib/state/code-edits.js";

const KEY = "lib/derivation/backward.ts#gradE";

describe("links and storage of edited functions", () => {
  it("round-trips through the URL fragment, unicode included", () => {
    const edits = { [KEY]: "// ⊙ τ\nexport function gradE() { return 1; }" };
    expect(codeFromHash(`#code=${encodeCode(edits)}`)).toEqual({ edits });
    expect(codeFromHash(`#eq-4-9&code=${encodeCode(edits)}`)).toEqual({ edits });
    expect(codeFromHash("#eq-4-9")).toBeNull();
  });

  it("rejects malformed links with one line naming what is wrong, never a throw", () => {
    const cases: [string, RegExp][] = [
      ["%%%", /characters that base64url does not use/],
      [encodeCode({ "../../etc#x": "1" }), /does not name a function of lib\/ \(file#name\)/],
      [encodeCode({ [KEY]: 3 } as never), /the code for lib\/derivation\/backward.ts#gradE is not text/],
      [encodeCode({ [KEY]: "x".repeat(MAX_CODE_LENGTH + 1) }), /longer than/],
      [encodeCode(Object.fromEntries(Array.from({ length: MAX_FUNCTIONS + 1 }, (_, i) => [`lib/a.ts#f${i}`, ""]))), /more than 64 functions/],
      [encodeCode([1, 2] as never), /expected an object of function → code/],
    ];
    for (const [bad, why] of cases) {
      const r = codeFromHash(`#code=${bad}`);
      expect(r && "error" in r ? r.error : "", bad.slice(0, 20)).toMatch(why);
      expect((r as { error: string }).error).toMatch(/^the code in this link cannot be used: [^\n]+$/);
    }
  });

  it("drops a malformed store whole, and reads a good one", () => {
    expect(parseStoredCode(null)).toEqual({});
    expect(parseStoredCode("{not json")).toEqual({});
    expect(parseStoredCode(JSON.stringify({ [KEY]: { code: "x", base: "0", active: true } }))).toEqual({}); // no baseCode
    const good = { [KEY]: { code: "x", base: "0badc0de", baseCode: "y", active: true } };
    expect(parseStoredCode(JSON.stringify(good))).toEqual(good);
  });

  it("knows the links of the earlier editors, so a page can say it no longer reads them", () => {
    expect(isLegacyEditLink("#edit=e30")).toBe(true);
    expect(isLegacyEditLink("#eq-4-9&edit=e30")).toBe(true);
    expect(isLegacyEditLink(`#code=${encodeCode({})}`)).toBe(false);
  });
});

/** lib/core/hash.ts: FNV-1a 32, against the published test vectors. */
import { describe, expect, it } from "vitest";
import { fnv1a } from "../../lib/core/hash.js";

describe("fnv1a", () => {
  it("gives FNV-1a's published 32-bit values and tells close texts apart", () => {
    expect(fnv1a("")).toBe("811c9dc5");
    expect(fnv1a("a")).toBe("e40c292c");
    expect(fnv1a("foobar")).toBe("bf9cf968");
    expect(fnv1a("function f(x) {\n  return x;\n}")).not.toBe(fnv1a("function f(x) {\n  return x ;\n}"));
  });
});

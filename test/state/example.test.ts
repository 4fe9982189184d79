import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import {
  DEFAULT_CONFIG, SHARED_CONFIG_PAGES, buildExample, configFromQuery, configFromRaw, configToQuery, rawOfConfig, tokensOf,
} from "../../lib/state/example.js";
import { InputError } from "../../lib/core/tokens.js";

const cfg = (over: Partial<typeof DEFAULT_CONFIG>) => ({ ...DEFAULT_CONFIG, ...over });

describe("the page configuration (lib/state/example.ts)", () => {
  it("defaults to next-token targets over a vocabulary with tokens never seen as inputs", () => {
    const { labels, inputs, targets } = tokensOf(DEFAULT_CONFIG);
    expect(labels.join("")).toBe("abcdefgh");
    expect(inputs.map((i) => labels[i]).join("")).toBe("cabbag");
    expect(targets.map((i) => labels[i]).join("")).toBe("abbage");
    const unseen = labels.filter((_, i) => !inputs.includes(i));
    expect(unseen).toEqual(["d", "e", "f", "h"]);
  });

  it("accepts explicit targets of the same length", () => {
    const { inputs, targets } = tokensOf(cfg({ text: "abc", targets: "bca" }));
    expect(inputs).toEqual([0, 1, 2]);
    expect(targets).toEqual([1, 2, 0]);
  });

  it("gives the same numbers for the same seed and different ones for another", () => {
    const a = buildExample(DEFAULT_CONFIG), b = buildExample(DEFAULT_CONFIG), c = buildExample(cfg({ seed: 2 }));
    expect(Buffer.from(a.grads.dL_dE.data.buffer).equals(Buffer.from(b.grads.dL_dE.data.buffer))).toBe(true);
    expect(a.fwd.loss).not.toBe(c.fwd.loss);
  });

  it.each([
    [{ text: "cab z" }, 'text: " " at position 4 is not in the vocabulary "abcdefgh"'],
    [{ text: "" }, "text: has 0 characters: next-token targets need at least 2 (τ = length − 1)"],
    [{ text: "a" }, "text: has 1 character: next-token targets need at least 2 (τ = length − 1)"],
    [{ text: "a".repeat(34) }, "text: has 34 characters: expected at most 33 (τ = length − 1, and τ ≤ 32 steps keeps the full finite-difference check of every edit fast)"],
    [{ text: "a".repeat(33), targets: "a".repeat(33), vocab: "a" }, "text: has 33 characters: expected 1 to 32 (one step per character, and τ ≤ 32 steps keeps the full finite-difference check of every edit fast)"],
    [{ targets: "ab" }, "targets: has 2 characters but text has 7: expected one target per input (or none for next-token targets)"],
    [{ vocab: "abca" }, 'vocab: "a" appears twice: expected distinct characters'],
    [{ vocab: "" }, "vocab: has 0 characters: expected 1 to 32"],
    [{ hidden: 0 }, "hidden: 0 is out of range: expected an integer from 1 to 16"],
    [{ dModel: 2.5 }, "d_model: 2.5 is not a whole number: expected an integer from 1 to 8"],
    [{ seed: NaN }, "seed: is empty or not a number: expected an integer from 0 to 4294967295"],
    [{ h0: "ones" as never }, 'h0: "ones" is not a convention: expected one of zeros, point-one'],
  ])("rejects %o with one line naming the field", (over, message) => {
    expect(() => buildExample(cfg(over))).toThrow(InputError);
    expect(() => buildExample(cfg(over))).toThrow(message);
  });
});

describe("the configuration in a URL (lib/state/example.ts with lib/state/query.ts)", () => {
  it("round-trips through the query, leaving defaults out", () => {
    const c = cfg({ text: "a b&c=", vocab: "abc =&", seed: 4294967295, h0: "point-one" });
    expect(configToQuery(DEFAULT_CONFIG)).toBe("");
    expect(configToQuery(c)).toBe("text=a+b%26c%3D&vocab=abc+%3D%26&seed=4294967295&h0=point-one");
    expect(configFromQuery(`?${configToQuery(c)}`)).toEqual(c);
    expect(configFromRaw(rawOfConfig(c))).toEqual(c);
  });

  it("reads numbers strictly: 0x10, %204, 1e1, 4.0 are not 16, 4, 10, 4", () => {
    for (const [search, field] of [["?seed=0x10", "seed"], ["?seed=%204", "seed"], ["?hidden=1e1", "hidden"], ["?seed=4.0", "seed"]]) {
      expect(configFromQuery(search!)).toEqual(DEFAULT_CONFIG);
      expect(() => configFromRaw({ ...rawOfConfig(DEFAULT_CONFIG), [field!]: new URLSearchParams(search).get(field!)! })).toThrow(InputError);
    }
    expect(configFromQuery("?seed=16&hidden=10")).toMatchObject({ seed: 16, hidden: 10 });
  });

  it("lists as sharing the configuration exactly the pages whose form is configForm", () => {
    const pages = readdirSync("src").filter((f) => f.endsWith(".md") && /\bconfigForm\(\)/.test(readFileSync(`src/${f}`, "utf8")));
    expect(pages.map((f) => f.replace(/\.md$/, "")).sort()).toEqual([...SHARED_CONFIG_PAGES].sort());
  });
});

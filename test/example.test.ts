import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, buildExample, tokensOf } from "../lib/example.js";
import { InputError } from "../lib/tokens.js";

const cfg = (over: Partial<typeof DEFAULT_CONFIG>) => ({ ...DEFAULT_CONFIG, ...over });

describe("the page configuration (lib/example.ts)", () => {
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
    [{ text: "a".repeat(34) }, "text: has 34 characters: expected at most 33"],
    [{ targets: "ab" }, "targets: has 2 characters but text has 7: expected one target per input (or none for next-token targets)"],
    [{ vocab: "abca" }, 'vocab: "a" appears twice: expected distinct characters'],
    [{ vocab: "" }, "vocab: has 0 characters: expected 1 to 32"],
    [{ hidden: 0 }, "hidden: 0 is out of range: expected an integer from 1 to 16"],
    [{ dModel: 2.5 }, "d_model: 2.5 is out of range: expected an integer from 1 to 8"],
    [{ seed: NaN }, "seed: is empty or not a number: expected an integer from 0 to 4294967295"],
    [{ h0: "ones" as never }, 'h0: "ones" is not a convention: expected one of zeros, point-one'],
  ])("rejects %o with one line naming the field", (over, message) => {
    expect(() => buildExample(cfg(over))).toThrow(InputError);
    expect(() => buildExample(cfg(over))).toThrow(message);
  });
});

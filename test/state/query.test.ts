/**
 * lib/state/query.ts: settings in a link, read without guessing and made valid with every message one bounded line
 * naming the field and what was expected.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import "../fast-check-seed.js";
import { VIEW_PARAMS, keepViewParams, oneLine, queryOf, readLink, settle, withoutViewParams } from "../../lib/state/query.js";
import { EXAMPLE_QUERY, buildExample, configFromQuery, exampleFromQuery } from "../../lib/state/example.js";
import { D2L_QUERY, buildD2L, d2lConfigFromRaw } from "../../lib/state/d2l-config.js";
import { STACKED_QUERY, buildStackedExample } from "../../lib/state/stacked-config.js";
import { TRUNCATION_QUERY, VANISHING_QUERY, validateTruncation, validateVanishing } from "../../lib/state/spectral-config.js";
import { MAX_MESSAGE_LENGTH } from "../../lib/core/tokens.js";

/** One line: no character that breaks or reorders a line of text, at most MAX_MESSAGE_LENGTH long. */
const expectOneLine = (m: string) => {
  expect(m.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
  expect(m).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
};

describe("messages stay on one bounded line", () => {
  it("oneLine bounds any message", () => {
    const m = oneLine(`x: ${"\n".repeat(10_000)}`);
    expectOneLine(m);
    expect(m.endsWith("…")).toBe(true);
  });
});

describe("readLink", () => {
  const schema = [["rho", "rho"], ["h", "hidden"], ["text", "text"]] as const;
  it("decodes + and %XX, ignores parameters it does not know, keeps strings as given", () => {
    expect(readLink("?rho=1.2&h=%204&text=a+b%C3%A9&utm=x&=&&rho2=9", schema)).toEqual({
      raw: { rho: "1.2", hidden: " 4", text: "a bé" }, problems: [],
    });
    expect(readLink("", schema)).toEqual({ raw: {}, problems: [] });
    expect(readLink("?h", schema)).toEqual({ raw: { hidden: "" }, problems: [] });
  });
  it("reports bad percent-encoding, repeated and overlong parameters instead of guessing", () => {
    const r = readLink("?rho=%E0%A4%A&h=1&h=2&h=3&text=" + "a".repeat(5000), schema);
    expect(r.raw).toEqual({});
    expect(r.problems).toEqual([
      { key: "rho", message: 'rho: "%E0%A4%A" is not valid percent-encoding: expected characters, or UTF-8 bytes as %XX' },
      { key: "hidden", message: "h: is given more than once in the link: expected it once" },
      { key: "text", message: "text: the link's value is 5000 characters long: expected at most 200" },
    ]);
    expect(readLink("?rho=%zz", schema).problems[0]!.message).toMatch(/^rho: "%zz" is not valid percent-encoding/);
    expect(readLink("?rho=%FF", schema).problems[0]!.message).toMatch(/^rho: "%FF" is not valid percent-encoding/);
  });
  it("queryOf writes the schema's order, leaves defaults out, and reads back", () => {
    const q = queryOf(schema, { text: "a b&c", hidden: 3, rho: 0.9 }, { text: "x", hidden: 3, rho: 1 });
    expect(q).toBe("rho=0.9&text=a+b%26c");
    expect(readLink(q, schema).raw).toEqual({ rho: "0.9", text: "a b&c" });
  });
});

describe("settle: a link made valid, showing what is computed", () => {
  const vanishing = (search: string) => settle({
    defaults: { rho: "0.9", hidden: "6", T: "30", activation: "tanh", seed: "1" },
    link: readLink(search, VANISHING_QUERY),
    validate: validateVanishing,
    fieldOf: (e) => /^(\w+):/.exec((e as Error).message)?.[1],
  });

  it("uses a good link as it is", () => {
    const s = vanishing("?rho=1.2&activation=relu");
    expect(s.value).toEqual({ rho: 1.2, hidden: 6, T: 30, activation: "relu", seed: 1 });
    expect(s.message).toBe("");
    expect(s.replaced).toEqual([]);
  });

  it("replaces the one bad setting by its default, keeps the others, and says so", () => {
    const s = vanishing("?rho=1.2&seed=0x10");
    expect(s.value).toEqual({ rho: 1.2, hidden: 6, T: 30, activation: "tanh", seed: 1 });
    expect(s.raw).toMatchObject({ rho: "1.2", seed: "1" });
    expect(s.replaced).toEqual(["seed"]);
    expect(s.message).toBe('seed: "0x10" is not an integer in plain decimal digits: expected an integer from 0 to 4294967295 — showing seed = 1 (the default) and the link\'s other settings.');
    expectOneLine(s.message);
  });

  it("replaces every bad setting and counts the problems", () => {
    const s = vanishing("?rho=1e0&T=%2030&hidden=6&hidden=7&activation=sigmoid");
    expect(s.value).toEqual({ rho: 0.9, hidden: 6, T: 30, activation: "tanh", seed: 1 });
    expect(new Set(s.replaced)).toEqual(new Set(["rho", "T", "hidden", "activation"]));
    expect(s.message).toBe("hidden: is given more than once in the link: expected it once (and 3 more problems) — showing the defaults for hidden, rho, T, activation.");
    expect(vanishing("?rho=1.7&T=1").message).toBe("rho: 1.7 is out of range: expected a number from 0 to 1.6 (and 1 more problem) — showing rho = 0.9, T = 30 (the defaults).");
    expectOneLine(s.message);
  });

  it("falls back to every default when an error cannot be pinned on a setting the link gave", () => {
    const s = exampleFromQuery("?vocab=xyz&seed=5");
    expect(s.value.config).toMatchObject({ vocab: "abcdefgh", text: "cabbage", seed: 1 });
    expect(s.message).toBe('text: "c" at position 1 is not in the vocabulary "xyz" — none of the link\'s settings were used: showing the defaults.');
  });

  it("main pages: /?hidden=99&seed=5 computes with seed 5 and the default hidden size, and the form strings say so", () => {
    const s = exampleFromQuery("?hidden=99&seed=5");
    expect(s.value.config.seed).toBe(5);
    expect(s.value.config.hidden).toBe(6);
    expect(s.raw).toMatchObject({ hidden: "6", seed: "5" });
    expect(s.message).toBe("hidden: 99 is out of range: expected an integer from 1 to 16 — showing hidden = 6 (the default) and the link's other settings.");
    expect(s.value.fwd.loss).toBe(buildExample({ ...s.value.config }).fwd.loss);
    expect(configFromQuery("?d_model=3&text=badge&h0=point-one")).toMatchObject({ dModel: 3, text: "badge", h0: "point-one" });
    expect(exampleFromQuery("?targets=%0A").message).toMatch(/^targets: has the control character \\n at position 1/);
  });

  it("the stacked, D2L and truncation links read through the same parser", () => {
    const stacked = settle({
      defaults: { n: "3", T: "2", d: "2", h1: "4", h2: "2", a: "3", seed: "1" }, link: readLink("?n=4&h1=0x2", STACKED_QUERY),
      validate: (raw) => buildStackedExample(raw), fieldOf: (e) => (e as { field?: string }).field,
    });
    expect(stacked.value.config).toMatchObject({ n: 4, h1: 4 });
    expect(stacked.message).toMatch(/^h₁: "0x2" is not an integer in plain decimal digits: expected an integer from 1 to 4 — showing h1 = 4/);
    const d2l = settle({
      defaults: { T: "4", hidden: "3", d: "2", q: "3", seed: "1", loss: "cross-entropy", h0: "random" },
      link: readLink("?T=6&h=1e1&loss=squared", D2L_QUERY), validate: (raw) => buildD2L(d2lConfigFromRaw(raw)),
      fieldOf: (e) => ({ h: "hidden" } as Record<string, string>)[/^(\w+):/.exec((e as Error).message)![1]!] ?? /^(\w+):/.exec((e as Error).message)![1],
      nameOf: (k) => D2L_QUERY.find(([, key]) => key === k)![0],
    });
    expect(d2l.value.config).toMatchObject({ T: 6, hidden: 3, loss: "squared" });
    expect(d2l.message).toMatch(/^h: "1e1" is not an integer in plain decimal digits: expected an integer from 1 to 4 — showing h = 3 \(the default\)/);
    const trunc = settle({
      defaults: { rho: "0.9", hidden: "4", T: "8", activation: "tanh", k: "2", pi: "0.5", N: "500", seed: "1" },
      link: readLink("?T=4&k=6&pi=0.25", TRUNCATION_QUERY), validate: validateTruncation,
      fieldOf: (e) => /^(\w+):/.exec((e as Error).message)?.[1],
    });
    expect(trunc.value).toMatchObject({ T: 4, k: 2, pi: 0.25 });
    expect(trunc.message).toMatch(/^k: 6 is out of range: expected an integer from 0 to T = 4 — showing k = 2/);
  });

  it("never throws and always says one bounded line, whatever the link", () => {
    const part = fc.oneof(
      fc.constantFrom(...EXAMPLE_QUERY.map(([p]) => p)),
      fc.string({ maxLength: 6 }),
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.constantFrom("%", "%zz", "%C3", "%0A", "%E2%80%A8", "+", "=", "&", "0x10", "1e1", "-0", "99999999999999999999"),
    );
    fc.assert(fc.property(fc.array(part, { maxLength: 12 }), (parts) => {
      const s = exampleFromQuery(`?${parts.join("")}`);
      expectOneLine(s.message);
      // What a form would show is exactly what the numbers were built from.
      expect(buildExample({ ...s.value.config }).fwd.loss).toBe(s.value.fwd.loss);
      expect(exampleFromQuery(`?${queryOf(EXAMPLE_QUERY, s.raw, {})}`).value.config).toEqual(s.value.config);
    }), { numRuns: 100 });
  });
});

describe("the view parameters (an embed of one equation, lib/state/embed.ts) beside a page's settings", () => {
  it("are used by no page's settings", () => {
    for (const schema of [EXAMPLE_QUERY, D2L_QUERY, STACKED_QUERY, VANISHING_QUERY, TRUNCATION_QUERY]) {
      for (const [param] of schema) expect(VIEW_PARAMS.includes(param), param).toBe(false);
    }
  });

  it("survive a form's rewrite of the query, first and as given; the full page's query drops them", () => {
    expect(keepViewParams("?embed=eq-4-9&seed=3&theme=dark", "seed=4&hidden=3")).toBe("embed=eq-4-9&theme=dark&seed=4&hidden=3");
    expect(keepViewParams("?seed=3", "seed=4")).toBe("seed=4");
    expect(keepViewParams("?embed=eq-4-9", "")).toBe("embed=eq-4-9");
    expect(keepViewParams("", "")).toBe("");
    // A parameter named like one, but longer, is the page's.
    expect(keepViewParams("?embedded=1&controls=hide", "")).toBe("controls=hide");
    expect(withoutViewParams("?embed=eq-4-9&text=a+b&controls=hide&theme=light&seed=2")).toBe("text=a+b&seed=2");
    expect(withoutViewParams("")).toBe("");
  });
});

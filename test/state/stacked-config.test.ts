/**
 * The controls of the stacked-RNN page (lib/state/stacked-config.ts): validation names the first bad field and keeps the
 * sizes tiny, and a configuration pins every number of the example (stacked 1.2 (1)–(3) inputs).
 */
import { describe, expect, it } from "vitest";
import {
  STACKED_DEFAULTS, STACKED_LIMITS, buildStackedExample, validateStackedConfig,
} from "../../lib/state/stacked-config.js";
import { stackedForward } from "../../lib/stacked/forward.js";
import { stacked21AsPrinted } from "../../lib/stacked/as-printed.js";
import { InputError } from "../../lib/core/tokens.js";

describe("validateStackedConfig", () => {
  it("accepts the defaults, whose batch size differs from both hidden widths (so 2.1 (5), (8) fail on shape)", () => {
    const c = validateStackedConfig(STACKED_DEFAULTS);
    expect(c).toEqual(STACKED_DEFAULTS);
    expect(c.T).toBe(2);
    expect(c.n).not.toBe(c.h1);
    expect(c.n).not.toBe(c.h2);
  });

  it.each([
    ["n", 0, /^n: 0 is out of range: expected an integer from 1 to 4$/],
    ["T", 5, /^T: 5 is out of range/],
    ["h1", 2.5, /^h₁: 2.5 is not a whole number/],
    ["a", 1, /^a: 1 is out of range: expected an integer from 2 to 4$/],
    ["seed", NaN, /^seed: is empty or not a number/],
    ["d", "3.0", /^d: "3.0" is not an integer in plain decimal digits/],
    ["h2", "0x2", /^h₂: "0x2" is not an integer in plain decimal digits/],
    ["seed", "", /^seed: is empty/],
    ["n", null, /^n: is empty or not a number/],
  ] as const)("rejects %s = %s with one message naming the field", (key, value, message) => {
    let err: unknown;
    try {
      validateStackedConfig({ ...STACKED_DEFAULTS, [key]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).field).toBe(key);
    expect((err as Error).message).toMatch(message);
  });

  it("reads the strings a form or link gives, strictly", () => {
    const raw = Object.fromEntries(Object.entries(STACKED_DEFAULTS).map(([k, v]) => [k, String(v)]));
    expect(validateStackedConfig({ ...raw, n: "4", seed: "0099" })).toEqual({ ...STACKED_DEFAULTS, n: 4, seed: 99 });
  });

  it("keeps every size within 1–4", () => {
    for (const k of ["n", "T", "d", "h1", "h2", "a"] as const) {
      expect(STACKED_LIMITS[k][0]).toBeGreaterThanOrEqual(1);
      expect(STACKED_LIMITS[k][1]).toBeLessThanOrEqual(4);
    }
  });
});

describe("buildStackedExample", () => {
  it("gives shapes that fit the stacked forward pass, and the same numbers for the same seed", () => {
    const ex = buildStackedExample({ ...STACKED_DEFAULTS, n: 4, T: 3, d: 1 });
    expect(ex.X).toHaveLength(3);
    expect(ex.X.map((x) => [x.rows, x.cols])).toEqual([[4, 1], [4, 1], [4, 1]]);
    expect(ex.targets.flat().every((y) => Number.isInteger(y) && y >= 0 && y < ex.config.a)).toBe(true);
    expect(ex.H0.map((h) => [h.rows, h.cols])).toEqual([[4, STACKED_DEFAULTS.h1], [4, STACKED_DEFAULTS.h2]]);
    const f = stackedForward(ex.params, ex.X, ex.targets, { H0: ex.H0 });
    expect(Number.isFinite(f.loss)).toBe(true);
    const again = buildStackedExample({ ...STACKED_DEFAULTS, n: 4, T: 3, d: 1 });
    expect(Array.from(again.X[2]!.data)).toEqual(Array.from(ex.X[2]!.data));
    expect(again.targets).toEqual(ex.targets);
    const other = buildStackedExample({ ...STACKED_DEFAULTS, n: 4, T: 3, d: 1, seed: 2 });
    expect(Array.from(other.X[0]!.data)).not.toEqual(Array.from(ex.X[0]!.data));
  });

  it("throws before building anything on an invalid field", () => {
    expect(() => buildStackedExample({ ...STACKED_DEFAULTS, h2: 9 })).toThrow(InputError);
  });

  it("default configuration: stacked 2.1 (5) and (8) as written have no value (n ≠ h₂, n ≠ h₁)", () => {
    const ex = buildStackedExample(STACKED_DEFAULTS);
    const f = stackedForward(ex.params, ex.X, ex.targets, { H0: ex.H0, reduction: "source" });
    expect(stacked21AsPrinted(5, ex.params, f, 2).ok).toBe(false);
    expect(stacked21AsPrinted(8, ex.params, f, 2).ok).toBe(false);
    expect(stacked21AsPrinted(4, ex.params, f, 2).ok).toBe(true);
  });
});

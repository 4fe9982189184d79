/** The D2L page's controls (lib/state/d2l-config.ts): defaults, ranges, one message per bad field. */
import { describe, expect, it } from "vitest";
import { D2L_DEFAULT, D2L_LIMITS, type D2LConfig, buildD2L, d2lConfigFromRaw } from "../../lib/state/d2l-config.js";
import { numericalWeightGrads } from "../../lib/d2l/checks.js";
import { maxAbsDiff } from "../../lib/core/matrix.js";
import { InputError } from "../../lib/core/tokens.js";
import { FD_TOL } from "../../lib/core/tolerances.js";

const cfg = (over: Partial<D2LConfig>): D2LConfig => ({ ...D2L_DEFAULT, ...over });

describe("buildD2L", () => {
  it("builds the default configuration with the sizes it names, reproducibly", () => {
    const a = buildD2L(D2L_DEFAULT), b = buildD2L(D2L_DEFAULT);
    expect(a.sizes).toEqual({ T: 4, hidden: 3, d: 2, q: 3 });
    expect(a.p.W_hx.rows).toBe(3); expect(a.p.W_hx.cols).toBe(2); expect(a.p.W_qh.rows).toBe(3);
    expect(a.fwd.h.length).toBe(4);
    expect(maxAbsDiff(a.p.W_hh, b.p.W_hh)).toBe(0);
    expect(a.fwd.loss).toBe(b.fwd.loss);
    expect(Array.from(a.s.h0).some((v) => v !== 0)).toBe(true);
    expect(Array.from(buildD2L(cfg({ h0: "zeros" })).s.h0).every((v) => v === 0)).toBe(true);
  });

  it("eq 2.5 gradients of every configuration at the limits pass finite differences", () => {
    for (const T of D2L_LIMITS.T) for (const hidden of D2L_LIMITS.hidden) for (const loss of ["cross-entropy", "squared"] as const) {
      const ex = buildD2L(cfg({ T, hidden, d: 3, q: 4, loss }));
      const num = numericalWeightGrads(ex.p, ex.s);
      for (const n of ["W_hx", "W_hh", "W_qh"] as const) expect(maxAbsDiff(ex.grads[n], num[n])).toBeLessThan(FD_TOL);
    }
  });

  it.each([
    [{ T: 0 }, /^T: 0 is out of range/], [{ T: 9 }, /^T: /], [{ hidden: 5 }, /^h: 5 is out of range/],
    [{ d: 0 }, /^d: /], [{ q: 5 }, /^q: /], [{ seed: -1 }, /^seed: /], [{ T: 2.5 }, /^T: 2.5 is not a whole number/],
    [{ hidden: NaN }, /^h: is empty/], [{ loss: "hinge" as never }, /^loss: /], [{ h0: "ones" as never }, /^h0: /],
  ])("rejects %o with one message naming the field", (over, message) => {
    expect(() => buildD2L(cfg(over))).toThrow(InputError);
    expect(() => buildD2L(cfg(over))).toThrow(message);
  });
});

describe("d2lConfigFromRaw", () => {
  const raw = Object.fromEntries(Object.entries(D2L_DEFAULT).map(([k, v]) => [k, String(v)]));
  it("reads the form's and the link's strings", () => {
    expect(d2lConfigFromRaw(raw)).toEqual(D2L_DEFAULT);
    expect(d2lConfigFromRaw({ ...raw, T: "7", loss: "squared" })).toEqual({ ...D2L_DEFAULT, T: 7, loss: "squared" });
  });
  it.each([
    [{ hidden: "1e1" }, /^h: "1e1" is not an integer in plain decimal digits: expected an integer from 1 to 4$/],
    [{ seed: "0x10" }, /^seed: "0x10" is not an integer/], [{ T: "" }, /^T: is empty/],
    [{ loss: "Squared" }, /^loss: "Squared" is not a loss: expected one of cross-entropy, squared$/],
  ])("rejects %o naming the field", (over, message) => {
    expect(() => d2lConfigFromRaw({ ...raw, ...over })).toThrow(message);
  });
});

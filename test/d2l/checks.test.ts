/**
 * lib/d2l/checks.ts — the shortcuts its checks take to stay cheap on every edit must not change a digit: a subset of
 * the weights differences to the same bits as all three, and ∂h/∂w from the hidden states alone equals the
 * differences of d2lForward's h.
 */
import { describe, expect, it } from "vitest";
import { numericalDhdw, numericalSumLossGrads } from "../../lib/d2l/checks.js";
import { d2lForward } from "../../lib/d2l/model.js";
import { gradientNormDemo } from "../../lib/d2l/vanishing.js";
import { centralDifference } from "../../lib/core/fd.js";
import { clone } from "../../lib/core/matrix.js";

const CASES = [
  { hidden: 4, T: 6, seed: 1, rho: 0.9, activation: "tanh" as const },
  { hidden: 3, T: 5, seed: 2, rho: 1.2, activation: "relu" as const },
  { hidden: 1, T: 2, seed: 5, rho: 0.5, activation: "identity" as const },
];

describe.each(CASES.map((c) => [`h ${c.hidden}, T ${c.T}, ${c.activation}`, c] as const))("d2l checks, %s", (_, c) => {
  const { p, s, opts } = gradientNormDemo({ ...c, lossAt: "all" });

  it("numericalSumLossGrads for W_hh alone gives the bits of its W_hh among all three weights", () => {
    expect(Array.from(numericalSumLossGrads(p, s, opts, ["W_hh"]).W_hh.data))
      .toEqual(Array.from(numericalSumLossGrads(p, s, opts).W_hh.data));
  });

  it("numericalDhdw (eq 3c's oracle) equals central differences of d2lForward's h_t, bit for bit", () => {
    const q = { W_hx: clone(p.W_hx), W_hh: clone(p.W_hh), W_qh: clone(p.W_qh) };
    const got = numericalDhdw(p, s, opts, ["W_hh"]);
    const n = p.W_hh.data.length;
    for (let t = 0; t < c.T; t++) for (let i = 0; i < c.hidden; i++) for (let k = 0; k < n; k++) {
      const want = centralDifference(q.W_hh.data, k, () => d2lForward(q, s, opts).h[t]![i]!);
      expect(got[t]!.data[i * n + k], `t ${t + 1}, i ${i + 1}, entry ${k}`).toBe(want);
    }
  });
});

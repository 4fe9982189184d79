/** lib/tools/answer-key.ts: the answer to a case, eqs 1.1–1.7 and 4.1–4.9. */
import { describe, expect, it } from "vitest";
import { answerCase, answerKey } from "../../lib/tools/answer-key.js";
import { caseToJson, parseCase, randomCase } from "../../lib/tools/case.js";
import { discrepancy } from "../../lib/core/fd.js";
import { numericalHiddenGrads, numericalParamGrads } from "../../lib/derivation/gradcheck.js";
import { forward } from "../../lib/derivation/forward.js";
import { fromRows } from "../../lib/core/matrix.js";
import { PARAM_NAMES } from "../../lib/derivation/model.js";
import { FD_REL_TOL, ROUNDING_TOL } from "../../lib/core/tolerances.js";
import { OPTS, json } from "./case-messages.js";


/**
 * These fail unless stepLoss (lib/derivation/forward.ts) computes log s − (o_y − m), not (m + log s) − o_y, which
 * loses log s next to a large max logit m.
 * V = 0 makes o⁽ᵗ⁾ = c at every step, so c sets the logits directly.
 */
describe("the loss for logits of any finite size", () => {
  const withLogits = (c: number[], targets: number[]) => {
    const V = c.length, z = (r: number, k: number) => Array.from({ length: r }, () => new Array<number>(k).fill(0));
    return answerKey(json({
      E: z(V, 1), U: z(1, 1), W: z(1, 1), b: [0], V: z(V, 1), c, inputs: targets.map(() => 0), targets,
    }));
  };

  it("equal logits of 1e17 and of 1e12 give L = ln 2 for two tokens", () => {
    for (const big of [1e17, 1e12]) {
      const a = JSON.parse(withLogits([big, big], [1, 0]));
      expect(a.o).toEqual([[big, big], [big, big]]);
      expect(a.yhat).toEqual([[0.5, 0.5], [0.5, 0.5]]);
      expect(Math.abs(a.loss - Math.LN2), `c = ${big}`).toBeLessThanOrEqual(ROUNDING_TOL);
      for (const l of a.L_t) expect(Math.abs(l - Math.LN2), `c = ${big}`).toBeLessThanOrEqual(ROUNDING_TOL);
    }
  });

  it("mixed huge logits 1e17 + 32, 1e17 + 16, 1e17 (float64 steps of 16 there) against a hand-computed value", () => {
    // s = Σ exp(o_k − m) = 1 + e⁻¹⁶ + e⁻³²; L⁽¹⁾ = log s (target the max), L⁽²⁾ = 32 + log s (target the min).
    // log s = 1.12535181051340938951…e-7 (50 digits with decimal.js).
    const logS = 1.1253518105134093895e-7;
    const a = JSON.parse(withLogits([1e17 + 32, 1e17 + 16, 1e17], [0, 2]));
    expect(a.o[0]).toEqual([100000000000000032, 100000000000000016, 1e17]);
    expect(Math.abs(a.L_t[0] - logS)).toBeLessThanOrEqual(1e-9 * logS);
    expect(Math.abs(a.L_t[1] - (32 + logS))).toBeLessThanOrEqual(ROUNDING_TOL);
    expect(Math.abs(a.loss - (16 + logS))).toBeLessThanOrEqual(ROUNDING_TOL);
  });
});

describe("answerCase", () => {
  it("gives every quantity of eqs 1.1–1.7 and 4.1–4.9 with the documented shapes", () => {
    const a = answerCase(randomCase(OPTS));
    const { vocab: V, dModel: d, hidden: H, tau } = OPTS;
    const shape = (m: number[][]) => [m.length, ...new Set(m.map((r) => r.length))];
    expect(Object.keys(a)).toEqual([
      "sizes", "loss", "L_t", "h0", "x", "a", "h", "o", "yhat", "dL_do", "dL_dh", "dL_da", "dL_dc", "dL_db", "dL_dV",
      "dL_dW", "dL_dU", "dL_dE",
    ]);
    expect(a.sizes).toEqual({ vocab: V, d_model: d, hidden: H, tau });
    expect(a.L_t).toHaveLength(tau);
    expect(a.h0).toEqual([0, 0, 0, 0, 0, 0]);
    for (const [m, s] of [
      [a.x, [tau, d]], [a.a, [tau, H]], [a.h, [tau, H]], [a.o, [tau, V]], [a.yhat, [tau, V]], [a.dL_do, [tau, V]],
      [a.dL_dh, [tau, H]], [a.dL_da, [tau, H]], [a.dL_dV, [V, H]], [a.dL_dW, [H, H]], [a.dL_dU, [H, d]], [a.dL_dE, [V, d]],
    ] as const) expect(shape(m as number[][])).toEqual(s);
    expect(a.dL_dc).toHaveLength(V);
    expect(a.dL_db).toHaveLength(H);
    expect(a.loss).toBeCloseTo(a.L_t.reduce((s, v) => s + v, 0) / tau, 14);
    for (const r of a.yhat) expect(r.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
  });

  it("matches a case worked by hand: all-zero parameters give ŷ = ½ and L = log 2", () => {
    const z = (r: number, c: number) => Array.from({ length: r }, () => new Array<number>(c).fill(0));
    const text = json({ E: z(2, 1), U: z(1, 1), W: z(1, 1), b: [0], V: z(2, 1), c: [0, 0], inputs: [0, 1], targets: [1, 1] });
    const a = JSON.parse(answerKey(text));
    expect(a.loss).toBe(Math.log(2));
    expect(a.L_t).toEqual([Math.log(2), Math.log(2)]);
    expect(a.yhat).toEqual([[0.5, 0.5], [0.5, 0.5]]);
    expect(a.dL_do).toEqual([[0.25, -0.25], [0.25, -0.25]]); // (ŷ − 1{i = y}) / τ, eq 4.1
    expect(a.dL_dc).toEqual([0.5, -0.5]); // eq 4.4
    expect(a.dL_dE).toEqual([[0], [0]]); // V = 0 cuts every path back to E
  });

  it("agrees with central differences (lib/derivation/gradcheck.ts) for every parameter, h⁽ᵗ⁾ and o⁽ᵗ⁾", () => {
    for (const h0 of ["zeros", "point-one"] as const) {
      const k = randomCase({ seed: 7, vocab: 5, dModel: 3, hidden: 4, tau: 5, h0 });
      const a = answerCase(k);
      const numeric = numericalParamGrads(k.params, k.inputs, k.targets, k.h0);
      const analytic = { E: a.dL_dE, U: a.dL_dU, W: a.dL_dW, b: a.dL_db, V: a.dL_dV, c: a.dL_dc };
      for (const name of PARAM_NAMES) {
        const g = analytic[name];
        const m = Array.isArray(g[0]) ? fromRows(g as number[][]) : Float64Array.from(g as number[]);
        expect(discrepancy(m, numeric[name]).relError, `dL_d${name}, h0 ${h0}`).toBeLessThan(FD_REL_TOL);
      }
      const f = forward(k.params, k.inputs, k.targets, k.h0);
      const dh = numericalHiddenGrads(k.params, f, k.inputs, k.targets);
      expect(discrepancy(fromRows(a.dL_dh), dh).relError, `dL_dh, h0 ${h0}`).toBeLessThan(FD_REL_TOL);
      if (h0 === "point-one") expect(a.h0).toEqual([0.1, 0.1, 0.1, 0.1]);
    }
  });

  it("round-trips: a random case written as JSON and parsed back gives exactly the same answer", () => {
    const k = randomCase({ ...OPTS, h0: "point-one" });
    const again = parseCase(json(caseToJson(k)));
    expect(again.params).toEqual(k.params);
    expect(again.h0).toEqual(k.h0);
    expect(answerCase(again)).toEqual(answerCase(k));
    expect(answerKey(json(caseToJson(k)))).toBe(`${json(answerCase(k))}\n`);
  });
});

/**
 * lib/d2l/checks.ts — the shortcuts its checks take to stay cheap on every edit must not change a digit: a subset of
 * the weights differences to the same bits as all three, and ∂h/∂w from the hidden states alone equals the
 * differences of d2lForward's h.
 */
import { describe, expect, it } from "vitest";
import {
  lossFromHidden, numericalDhdw, numericalDhdwAt, numericalHiddenGradsD2L, numericalStateJacobian, numericalSumLossGrads, statesFrom,
} from "../../lib/d2l/checks.js";
import {
  type D2LOptions, type D2LParams, type D2LSequence, activate, d2lForward, mv, optionsOf, stepLossD2L,
} from "../../lib/d2l/model.js";
import { gradientNormDemo } from "../../lib/d2l/vanishing.js";
import { centralDifference } from "../../lib/core/fd.js";
import { clone } from "../../lib/core/matrix.js";

/** The plain forms the buffered ones replaced (allocating every intermediate): the references of the bits. */
function statesFromPlain(p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, step: number, hAlt: Float64Array): Float64Array[] {
  const { activation } = optionsOf(opts);
  const out = [hAlt];
  let h = hAlt;
  for (let t = step + 1; t < s.xs.length; t++) {
    const Wx = mv(p.W_hx, s.xs[t]!), Wh = mv(p.W_hh, h);
    h = activate(activation, Wx.map((v, i) => v + Wh[i]!));
    out.push(h);
  }
  return out;
}
function lossFromHiddenPlain(p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, step: number, hAlt: Float64Array): number {
  const f = d2lForward(p, s, opts);
  let L = 0;
  for (let t = 0; t < step; t++) L += f.weights[t]! * f.l[t]!;
  statesFromPlain(p, s, opts, step, hAlt).forEach((h, k) => {
    L += f.weights[step + k]! * stepLossD2L(mv(p.W_qh, h), s.targets, step + k);
  });
  return L;
}
const cloneP = (p: D2LParams): D2LParams => ({ W_hx: clone(p.W_hx), W_hh: clone(p.W_hh), W_qh: clone(p.W_qh) });
const bits = (xs: ArrayLike<number>[]) => xs.flatMap((x) => Array.from(x));

const CASES = [
  { hidden: 4, T: 6, seed: 1, rho: 0.9, activation: "tanh" as const },
  { hidden: 3, T: 5, seed: 2, rho: 1.2, activation: "relu" as const },
  { hidden: 1, T: 2, seed: 5, rho: 0.5, activation: "identity" as const },
  { hidden: 6, T: 30, seed: 3, rho: 1.3, activation: "tanh" as const },
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

  it("numericalDhdwAt(t) gives the bits of numericalDhdw(…)[t − 1] at every step, and refuses a step outside 1 … T", () => {
    for (const names of [undefined, ["W_hh"] as const]) {
      const all = numericalDhdw(p, s, opts, names);
      for (let t = 1; t <= c.T; t++) expect(bits([numericalDhdwAt(p, s, opts, t, names).data]), `t ${t}`).toEqual(bits([all[t - 1]!.data]));
    }
    for (const t of [0, c.T + 1, 1.5, NaN]) expect(() => numericalDhdwAt(p, s, opts, t)).toThrow(/numericalDhdwAt: need 1 ≤ t ≤ T/);
  });

  it("the buffered re-runs (statesFrom, lossFromHidden) give the bits of the plain ones", () => {
    const f = d2lForward(p, s, opts);
    for (let step = 0; step < c.T; step++) {
      const hAlt = f.h[step]!.map((v, i) => v + 1e-3 * (i + 1));
      expect(bits(statesFrom(p, s, opts, step, hAlt))).toEqual(bits(statesFromPlain(p, s, opts, step, hAlt)));
      expect(lossFromHidden(p, s, opts, step, hAlt)).toBe(lossFromHiddenPlain(p, s, opts, step, hAlt));
    }
  });

  it("numericalHiddenGradsD2L gives the bits of central differences of the plain re-run", () => {
    for (const o of [opts, { ...opts, lossAt: "last" as const }]) {
      const f = d2lForward(p, s, o);
      const want = f.h.map((ht, t) => {
        const h = ht.slice();
        return Float64Array.from(h, (_, k) => centralDifference(h, k, () => lossFromHiddenPlain(p, s, o, t, h)));
      });
      expect(bits(numericalHiddenGradsD2L(p, s, o))).toEqual(bits(want));
    }
  });

  it("numericalSumLossGrads gives the bits of central differences of Σ_t d2lForward's l_t", () => {
    const q = cloneP(p), got = numericalSumLossGrads(p, s, opts);
    for (const n of ["W_hx", "W_hh", "W_qh"] as const) {
      const want = Float64Array.from(q[n].data, (_, k) => centralDifference(q[n].data, k, () => {
        let sum = 0;
        for (const v of d2lForward(q, s, opts).l) sum += v;
        return sum;
      }));
      expect(Array.from(got[n].data), n).toEqual(Array.from(want));
    }
  });

  it("numericalStateJacobian gives the bits of central differences of the plain re-run", () => {
    const f = d2lForward(p, s, opts), to = c.T, from = Math.max(1, c.T - 3), h = f.h[from - 1]!.slice();
    const J = numericalStateJacobian(p, s, opts, from, to);
    for (let k = 0; k < c.hidden; k++) for (let i = 0; i < c.hidden; i++) {
      const want = centralDifference(h, k, () => statesFromPlain(p, s, opts, from - 1, h)[to - from]![i]!);
      expect(J.data[i * c.hidden + k], `${i}, ${k}`).toBe(want);
    }
  });
});

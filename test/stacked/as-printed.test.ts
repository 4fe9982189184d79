/**
 * The source's own equations evaluated exactly as printed (lib/stacked/as-printed.ts), judged against the true
 * gradient of the source's loss: for §2.1 the batch-summed cross-entropy of step 2 alone, CE_2; for §2.1.1
 * L = (1/T) Σ_t CE_t. Each verdict of `STACKED_EQUATIONS` is checked on fixed and random models, and each slip is
 * characterised exactly: the conditions under which a wrong formula happens to be right, and the identity its
 * error satisfies.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { discrepancy } from "../../lib/core/fd.js";
import { matmul, sub, transpose, zeros } from "../../lib/core/matrix.js";
import { makeRng } from "../../lib/core/rng.js";
import { ROUNDING_TOL } from "../../lib/core/tolerances.js";
import { stacked211AsPrinted, stacked21AsPrinted } from "../../lib/stacked/as-printed.js";
import { stackedBackward } from "../../lib/stacked/backward.js";
import { stackedForward, stepWeightsFor, withWeights } from "../../lib/stacked/forward.js";
import { type StackedParams, initStackedParams } from "../../lib/stacked/params.js";
import {
  SOURCE_EQS, stacked211Corrected, stacked211Target, stacked21Corrected, stacked21Target,
} from "../../lib/stacked/stacked.js";
import {
  CASES, RIGHT_TOL, WRONG_MARGIN, base, build, byEq, dphi, had, judge, label, specArb, sym, truth21, truth211, valueOf,
} from "./source-cases.js";

// ————————————————————————————————————————— the 16 verdicts —————————————————————————————————————————

describe.each(SOURCE_EQS.map((k) => [byEq("2.1", k).name, byEq("2.1", k).verdict, k] as const))("%s as written: %s", (name, verdict, k) => {
  it.each(CASES.map((s) => [label(s), s] as const))("%s", (_, s) => {
    const b = build(s);
    const e = stacked21AsPrinted(k, b.p, b.f);
    const j = judge(e, stacked21Target(k, truth21(b)));
    expect(j.verdict, `${name}: ${e.ok ? `rel ${j.rel}` : e.reason}`).toBe(verdict);
    if (j.verdict === "wrong value") expect(j.rel!).toBeGreaterThan(WRONG_MARGIN);
    // and the corrected form is right
    expect(judge({ ok: true, value: stacked21Corrected(k, b.p, b.f) }, stacked21Target(k, truth21(b))).verdict).toBe("right");
  });
});

describe.each(SOURCE_EQS.map((k) => [byEq("2.1.1", k).name, byEq("2.1.1", k).verdict, byEq("2.1.1", k).composedVerdict!, k] as const))(
  "%s as written: %s (with §2.1 as written inside: %s)",
  (name, verdict, composed, k) => {
    it.each(CASES.map((s) => [label(s), s] as const))("%s", (_, s) => {
      const b = build(s);
      const target = stacked211Target(k, truth211(b));
      const e = stacked211AsPrinted(k, b.p, b.f);
      const j = judge(e, target);
      expect(j.verdict, `${name}: ${e.ok ? `rel ${j.rel}` : e.reason}`).toBe(verdict);
      if (j.verdict === "wrong value") expect(j.rel!).toBeGreaterThan(WRONG_MARGIN);
      const c = stacked211AsPrinted(k, b.p, b.f, "2.1 as written");
      const jc = judge(c, target);
      expect(jc.verdict, `${name} composed: ${c.ok ? `rel ${jc.rel}` : c.reason}`).toBe(composed);
      if (jc.verdict === "wrong value") expect(jc.rel!).toBeGreaterThan(WRONG_MARGIN);
      expect(judge({ ok: true, value: stacked211Corrected(k, b.p, b.f) }, target).verdict).toBe("right");
    });
  },
);

// ————————————————————————————————————————— the slips, characterised —————————————————————————————————————————


describe("stacked 2.1 (4): the only slip is W_h2h2 for (W_h2h2)ᵀ", () => {
  it("as written − corrected = (H_1^(1))ᵀ ((∂L/∂Z_2^(2) (W_h2h2 − W_h2h2ᵀ)) ⊙ φ'(Z_1^(2))), exactly", () => {
    const b = build(base);
    const d2 = stacked21Corrected(3, b.p, b.f);
    const W = b.p.Whh[1]!;
    const want = matmul(transpose(b.f.H[0]![0]!), had(matmul(d2, sub(W, transpose(W))), dphi(b.f.H[0]![1]!)));
    const got = sub(valueOf(stacked21AsPrinted(4, b.p, b.f)), stacked21Corrected(4, b.p, b.f));
    expect(discrepancy(got, want).maxAbsError).toBeLessThanOrEqual(ROUNDING_TOL);
    expect(Math.max(...want.data.map(Math.abs))).toBeGreaterThan(WRONG_MARGIN);
  });

  it("so it is right when W_h2h2 is symmetric, and when h₂ = 1", () => {
    const b = build(base, (p) => ({ ...p, Whh: [p.Whh[0]!, sym(p.Whh[1]!)] }));
    expect(judge(stacked21AsPrinted(4, b.p, b.f), stacked21Target(4, truth21(b))).verdict).toBe("right");
    const one = build({ ...base, h2: 1 });
    expect(judge(stacked21AsPrinted(4, one.p, one.f), stacked21Target(4, truth21(one))).verdict).toBe("right");
  });
});

describe("stacked 2.1 (5) and (8): wrong in shape, and in value where the shapes happen to fit", () => {
  it("the reason names the product and both shapes", () => {
    const b = build(base); // n 2, h₁ 4, h₂ 5
    expect(stacked21AsPrinted(5, b.p, b.f)).toEqual({
      ok: false,
      reason: "stacked 2.1 (5): inner shapes 2 and 5 of (H_1^(2))ᵀ [5,2] and (H_1^(2))ᵀ · ∂L/∂Z_2^(2) [5,5] must match",
    });
    expect(stacked21AsPrinted(8, b.p, b.f)).toEqual({
      ok: false,
      reason: "stacked 2.1 (8): inner shapes 2 and 4 of (H_1^(1))ᵀ [4,2] and (H_1^(1))ᵀ · ∂L/∂Z_2^(1) [4,4] must match",
    });
    const c = stacked211AsPrinted(5, b.p, b.f, "2.1 as written");
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.reason).toMatch(/^stacked 2\.1\.1 \(5\) \(summand t = 1\) ← stacked 2\.1 \(5\): inner shapes 2 and 5 of \(H_0\^\(2\)\)ᵀ \[5,2\]/);
  });

  it("with n = h₁ = h₂ both evaluate, and both are wrong in value — even with symmetric W_hh, W_h2h2 = 0 and H_0 = 0", () => {
    const square = { ...base, n: 3, h1: 3, h2: 3 };
    for (const b of [
      build(square),
      build({ ...square, h0: "zeros" }, (p) => ({ ...p, Whh: [sym(p.Whh[0]!), zeros(3, 3)] })),
    ]) {
      for (const k of [5, 8] as const) {
        const j = judge(stacked21AsPrinted(k, b.p, b.f), stacked21Target(k, truth21(b)));
        expect(j.verdict, `(${k})`).toBe("wrong value");
        expect(j.rel!).toBeGreaterThan(WRONG_MARGIN);
      }
    }
  });

  it("with H_0 = 0 the corrected second term (H_0)ᵀ(…) vanishes, yet the as-written first term is still wrong (n = h)", () => {
    const b = build({ ...base, n: 3, h1: 3, h2: 3, h0: "zeros" });
    const first = matmul(transpose(b.f.H[0]![1]!), stacked21Corrected(3, b.p, b.f));
    expect(discrepancy(stacked21Corrected(5, b.p, b.f), first).maxAbsError).toBeLessThanOrEqual(ROUNDING_TOL);
    const asWrittenFirst = matmul(transpose(b.f.H[0]![1]!), first); // the duplicated prefix (H_1^(2))ᵀ
    expect(discrepancy(valueOf(stacked21AsPrinted(5, b.p, b.f)), asWrittenFirst).maxAbsError).toBeLessThanOrEqual(ROUNDING_TOL);
  });
});

describe("stacked 2.1 (7): a missing transpose and a missing path through layer 2", () => {
  it("as written − corrected = X_1ᵀ [((∂L/∂Z_2^(1)) (W_h1h1 − W_h1h1ᵀ) − ∂L/∂Z_1^(2) (W_h1h2)ᵀ) ⊙ φ'(Z_1^(1))], exactly", () => {
    const b = build(base);
    const d1 = stacked21Corrected(6, b.p, b.f), d2 = stacked21Corrected(3, b.p, b.f);
    const d2prev = had(matmul(d2, transpose(b.p.Whh[1]!)), dphi(b.f.H[0]![1]!));
    const W = b.p.Whh[0]!;
    const inner = sub(matmul(d1, sub(W, transpose(W))), matmul(d2prev, transpose(b.p.Wxh[1]!)));
    const want = matmul(transpose(b.X[0]!), had(inner, dphi(b.f.H[0]![0]!)));
    const got = sub(valueOf(stacked21AsPrinted(7, b.p, b.f)), stacked21Corrected(7, b.p, b.f));
    expect(discrepancy(got, want).maxAbsError).toBeLessThanOrEqual(ROUNDING_TOL);
  });

  it("right only when both slips vanish: W_h1h1 symmetric and W_h2h2 = 0; either slip alone is caught", () => {
    const verdict = (edit: (p: StackedParams) => StackedParams) => {
      const b = build(base, edit);
      return judge(stacked21AsPrinted(7, b.p, b.f), stacked21Target(7, truth21(b)));
    };
    expect(verdict((p) => ({ ...p, Whh: [sym(p.Whh[0]!), zeros(5, 5)] })).verdict).toBe("right");
    const transposeOnly = verdict((p) => ({ ...p, Whh: [p.Whh[0]!, zeros(5, 5)] }));
    const pathOnly = verdict((p) => ({ ...p, Whh: [sym(p.Whh[0]!), p.Whh[1]!] }));
    expect(transposeOnly.verdict).toBe("wrong value");
    expect(pathOnly.verdict).toBe("wrong value");
    expect(transposeOnly.rel!).toBeGreaterThan(WRONG_MARGIN);
    expect(pathOnly.rel!).toBeGreaterThan(WRONG_MARGIN);
  });
});

describe("stacked 2.1 at t = 1 (what §2.1.1 sums at its first step)", () => {
  it.each(CASES.map((s) => [label(s), s] as const))("no step back: (1)–(4), (6), (7) right, (5), (8) still wrong in shape: %s", (_, s) => {
    const b = build(s);
    const g = truth21(b, 1);
    for (const k of SOURCE_EQS) {
      const j = judge(stacked21AsPrinted(k, b.p, b.f, 1), stacked21Target(k, g, 1));
      expect(j.verdict, `(${k})`).toBe(k === 5 || k === 8 ? "wrong shape" : "right");
    }
  });
});

describe("stacked 2.1.1: what the 1/T means", () => {
  it("(3), (6): no single per-step gradient ∂L/∂Z_t^(l) equals the average either", () => {
    const b = build(base);
    const g = truth211(b);
    for (const [k, l] of [[3, 1], [6, 0]] as const) {
      const avg = valueOf(stacked211AsPrinted(k, b.p, b.f));
      for (let t = 0; t < 2; t++) expect(discrepancy(avg, g.dZ[t]![l]!).relError).toBeGreaterThan(WRONG_MARGIN);
    }
  });

  it("(3), (6) are right at T = 1, where there is no earlier step to reach", () => {
    for (const s of CASES) {
      const b = build({ ...s, T: 1 });
      const g = truth211(b);
      for (const k of [3, 6] as const) {
        expect(judge(stacked211AsPrinted(k, b.p, b.f), stacked211Target(k, g)).verdict, `${label(s)} (${k})`).toBe("right");
        expect(judge(stacked211AsPrinted(k, b.p, b.f, "2.1 as written"), stacked211Target(k, g)).verdict).toBe("right");
      }
    }
  });

  it("the weights' averages are the gradient of (1/T) Σ_t Σ_r CE, not of the batch mean: n times too large for n > 1", () => {
    for (const s of CASES) {
      const b = build(s);
      const mean = stackedBackward(b.p, withWeights(b.f, stepWeightsFor("mean", s.T, s.n)));
      for (const k of [2, 4, 5, 7, 8] as const) {
        const aw = valueOf(stacked211AsPrinted(k, b.p, b.f));
        const m = stacked21Target(k, mean);
        aw.data.forEach((v, i) => expect(Math.abs(v - s.n * m.data[i]!)).toBeLessThanOrEqual(ROUNDING_TOL));
        if (s.n > 1) expect(discrepancy(aw, m).relError).toBeGreaterThan(WRONG_MARGIN);
        else expect(discrepancy(aw, m).relError).toBeLessThan(RIGHT_TOL);
      }
    }
  });

  it("the 1/T belongs to per-LOSS-term summands: per-time-of-use summands (H_{t−1})ᵀ ∂L/∂Z_t already sum to ∂L/∂W, so 1/T on them is wrong", () => {
    const b = build(base);
    const g = truth211(b);
    const perUse = [0, 1].map((t) => matmul(transpose(t === 0 ? b.f.H0[1]! : b.f.H[t - 1]![1]!), g.dZ[t]![1]!));
    const sum = perUse[0]!.data.map((v, i) => v + perUse[1]!.data[i]!);
    expect(discrepancy(sum, g.Whh[1]!.data).relError).toBeLessThan(RIGHT_TOL);
    expect(discrepancy(sum.map((v) => v / 2), g.Whh[1]!.data).relError).toBeGreaterThan(0.3); // (T − 1)/(T + 1)
    // per-loss-term summands ∂CE_t/∂W_h2h2 need the 1/T
    const perLoss = [1, 2].map((t) => stacked21Target(5, truth21(b, t)));
    const avg = perLoss[0]!.data.map((v, i) => (v + perLoss[1]!.data[i]!) / 2);
    expect(discrepancy(avg, g.Whh[1]!.data).relError).toBeLessThan(RIGHT_TOL);
  });
});

describe("preconditions", () => {
  const b = build(base);

  it("the source's equations need its 2 layers", () => {
    const p3 = initStackedParams({ d: 2, hidden: [2, 2, 2], a: 2 }, makeRng(1));
    const f3 = stackedForward(p3, [zeros(1, 2), zeros(1, 2)], [[0], [1]]);
    expect(() => stacked21AsPrinted(1, p3, f3)).toThrow(/stacked 2\.1 \(1\): the source's equations are for its 2-layer stacked RNN, got L = 3/);
    expect(() => stacked211Corrected(2, p3, f3)).toThrow(RangeError);
  });

  it("steps out of range; the two-term corrected form only for t ≤ 2", () => {
    expect(() => stacked21AsPrinted(2, b.p, b.f, 3)).toThrow(/step t = 3 must be in 1…2/);
    expect(() => stacked21AsPrinted(2, b.p, b.f, 0)).toThrow(RangeError);
    const long = build({ ...base, T: 3 });
    expect(() => stacked21Corrected(4, long.p, long.f, 3)).toThrow(/corrected: step t = 3 must be in 1…2/);
    expect(stacked21AsPrinted(4, long.p, long.f, 3).ok).toBe(true); // a formula can always be evaluated
  });
});

// ————————————————————————————————————————— properties —————————————————————————————————————————


describe("properties over random 2-layer models at T = 2", () => {
  it("stacked 2.1 (1), (2), (3), (6) as written are always right; (5) evaluates iff n = h₂, (8) iff n = h₁", () => {
    fc.assert(
      fc.property(specArb, (s) => {
        const b = build(s);
        const g = truth21(b);
        for (const k of [1, 2, 3, 6] as const) expect(judge(stacked21AsPrinted(k, b.p, b.f), stacked21Target(k, g)).verdict).toBe("right");
        expect(stacked21AsPrinted(5, b.p, b.f).ok).toBe(s.n === s.h2);
        expect(stacked21AsPrinted(8, b.p, b.f).ok).toBe(s.n === s.h1);
        for (const k of SOURCE_EQS) expect(judge({ ok: true, value: stacked21Corrected(k, b.p, b.f) }, stacked21Target(k, g)).verdict).toBe("right");
      }),
      { numRuns: 200 },
    );
  });

  it("stacked 2.1 (4) and (7): the error of the formula as written is exactly the identity of its slips", () => {
    fc.assert(
      fc.property(specArb, (s) => {
        const b = build(s);
        const d2 = stacked21Corrected(3, b.p, b.f), d1 = stacked21Corrected(6, b.p, b.f);
        const W22 = b.p.Whh[1]!, W11 = b.p.Whh[0]!;
        const want4 = matmul(transpose(b.f.H[0]![0]!), had(matmul(d2, sub(W22, transpose(W22))), dphi(b.f.H[0]![1]!)));
        const got4 = sub(valueOf(stacked21AsPrinted(4, b.p, b.f)), stacked21Corrected(4, b.p, b.f));
        expect(discrepancy(got4, want4).maxAbsError).toBeLessThanOrEqual(ROUNDING_TOL);
        const d2prev = had(matmul(d2, transpose(W22)), dphi(b.f.H[0]![1]!));
        const inner = sub(matmul(d1, sub(W11, transpose(W11))), matmul(d2prev, transpose(b.p.Wxh[1]!)));
        const want7 = matmul(transpose(b.X[0]!), had(inner, dphi(b.f.H[0]![0]!)));
        const got7 = sub(valueOf(stacked21AsPrinted(7, b.p, b.f)), stacked21Corrected(7, b.p, b.f));
        expect(discrepancy(got7, want7).maxAbsError).toBeLessThanOrEqual(ROUNDING_TOL);
      }),
      { numRuns: 200 },
    );
  });

  it("stacked 2.1.1 (1), (2), (4), (5), (7), (8) as written are right for (1/T) Σ_t CE_t at any T 1–4", () => {
    fc.assert(
      fc.property(specArb, fc.integer({ min: 1, max: 4 }), (s, T) => {
        const b = build({ ...s, T });
        const g = truth211(b);
        for (const k of [1, 2, 4, 5, 7, 8] as const) {
          expect(judge(stacked211AsPrinted(k, b.p, b.f), stacked211Target(k, g)).verdict, `(${k})`).toBe("right");
        }
        for (const k of SOURCE_EQS) expect(judge({ ok: true, value: stacked211Corrected(k, b.p, b.f) }, stacked211Target(k, g)).verdict).toBe("right");
      }),
      { numRuns: 150 },
    );
  });

  it("a right formula whose value cancels to almost nothing is judged right (found by the property above)", () => {
    const b = build({ seed: 31, d: 4, h1: 1, h2: 2, a: 2, n: 2, T: 3, h0: "random" });
    const e = stacked211AsPrinted(8, b.p, b.f), target = stacked211Target(8, truth211(b));
    const { maxAbsError, relError } = discrepancy(valueOf(e), target);
    expect(Math.abs(target.data[0]!)).toBeLessThan(1e-6); // one entry, order-one terms cancelling
    expect(relError).toBeGreaterThan(RIGHT_TOL); // so relative error alone would call it wrong…
    expect(maxAbsError).toBeLessThan(1e-16); // …though it is off by rounding only
    expect(judge(e, target).verdict).toBe("right");
  });
});

/**
 * The source's own equations — "stacked 2.1 (1)–(8)" (BPTT at t = T = 2) and "stacked 2.1.1 (1)–(8)" (the 1/T
 * average over t) — evaluated exactly as written (lib/stacked/stacked.ts `stacked21AsPrinted`, `stacked211AsPrinted`) and
 * judged against the true gradient of the source's loss: for §2.1 the batch-summed cross-entropy of step 2 alone,
 * CE_2; for §2.1.1 L = (1/T) Σ_t CE_t. The truth comes from `stackedBackward` and is itself checked against central
 * finite differences here. The verdicts (right / wrong shape / wrong value) are pinned against the table
 * `STACKED_EQUATIONS`, and each slip is characterised exactly: the conditions under which a wrong formula happens
 * to be right, and the identity its error satisfies.
 */
import katex from "katex";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { discrepancy } from "../../lib/core/fd.js";
import { type Matrix, clone, matmul, sub, transpose, zeros } from "../../lib/core/matrix.js";
import { makeRng } from "../../lib/core/rng.js";
import {
  type Evaluation, type SourceEq, type StackedEquation, type StackedForward, type StackedGrads, type StackedOptions,
  type StackedParams, type Verdict, SOURCE_EQS, STACKED_EQUATIONS, initStackedParams, numericalStackedParamGrads,
  numericalStackedStateGrads, singleStepWeights, stacked211AsPrinted, stacked211Corrected, stacked211Target,
  stacked21AsPrinted, stacked21Corrected, stacked21Target, stackedBackward, stackedEqAnchor, stackedEqName, stackedForward,
  stepWeightsFor, withWeights, zeroStates,
} from "../../lib/stacked/stacked.js";
import { FD_REL_TOL, ROUNDING_TOL } from "../../lib/core/tolerances.js";

/**
 * "Right" means equal to the true gradient up to float64 rounding: the as-written formula and the backward pass
 * evaluate the same sums in a different order, so a right formula is off by ~1e-16 relative; 1e-12 is the bound.
 * Relative error alone is not enough: a gradient can be tiny because its terms cancel (h₁ = 1 at T = 3 gave one
 * entry of −2.5e-7 whose order-one terms left 3.5e-18 of rounding, 7e-12 relative), so an entry within
 * ROUNDING_TOL absolute is right too — the terms here are of order one. Every wrong formula is off by far more:
 * the fixed cases below are asserted to be off by at least WRONG_MARGIN relative.
 */
const RIGHT_TOL = 1e-12;
const WRONG_MARGIN = 1e-3;

function judge(e: Evaluation, truth: Matrix): { verdict: Verdict; rel?: number } {
  if (!e.ok || e.value.rows !== truth.rows || e.value.cols !== truth.cols) return { verdict: "wrong shape" };
  const { relError: rel, maxAbsError } = discrepancy(e.value, truth);
  return { verdict: rel < RIGHT_TOL || maxAbsError <= ROUNDING_TOL ? "right" : "wrong value", rel };
}

// ————————————————————————————————————————— cases —————————————————————————————————————————

interface Spec { seed: number; d: number; h1: number; h2: number; a: number; n: number; T: number; h0: "zeros" | "random" }
interface Built { p: StackedParams; X: Matrix[]; y: number[][]; opts: StackedOptions; f: StackedForward }

function uniform(rows: number, cols: number, k: number, rng: ReturnType<typeof makeRng>): Matrix {
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform(-k, k);
  return m;
}

/** A 2-layer model, the source's, with the source's averaging (1/T, batch-summed). `edit` may alter the weights. */
function build(s: Spec, edit?: (p: StackedParams) => StackedParams): Built {
  const rng = makeRng(s.seed);
  const sizes = { d: s.d, hidden: [s.h1, s.h2], a: s.a };
  let p = initStackedParams(sizes, rng);
  if (edit) p = edit(p);
  const X = Array.from({ length: s.T }, () => uniform(s.n, s.d, 1, rng));
  const y = Array.from({ length: s.T }, () => Array.from({ length: s.n }, () => rng.int(s.a)));
  const H0 = s.h0 === "zeros" ? zeroStates(s.n, sizes) : sizes.hidden.map((h) => uniform(s.n, h, 0.5, rng));
  const opts: StackedOptions = { H0, reduction: "source" };
  return { p, X, y, opts, f: stackedForward(p, X, y, opts) };
}

const label = (s: Spec) => `d ${s.d}, h₁ ${s.h1}, h₂ ${s.h2}, a ${s.a}, n ${s.n}, T ${s.T}, H0 ${s.h0}`;
/** Generic cases at the source's T = 2: n differs from both widths, weights are not symmetric. */
const CASES: Spec[] = [
  { seed: 11, d: 3, h1: 4, h2: 5, a: 3, n: 2, T: 2, h0: "random" },
  { seed: 12, d: 2, h1: 3, h2: 2, a: 4, n: 1, T: 2, h0: "random" },
  { seed: 13, d: 4, h1: 2, h2: 3, a: 2, n: 4, T: 2, h0: "zeros" },
  { seed: 14, d: 1, h1: 5, h2: 4, a: 3, n: 3, T: 2, h0: "random" },
];

/** §2.1's loss is CE_2 alone: the backward pass with weights e_2. */
const truth21 = (b: Built, t = 2): StackedGrads => stackedBackward(b.p, withWeights(b.f, singleStepWeights(t, b.f.T)));
/** §2.1.1's loss is (1/T) Σ_t CE_t (b.f was built with it). */
const truth211 = (b: Built): StackedGrads => stackedBackward(b.p, b.f);

const byEq = (section: "2.1" | "2.1.1", k: SourceEq): StackedEquation => STACKED_EQUATIONS.find((e) => e.section === section && e.number === k)!;

// ————————————————————————————————————————— naming —————————————————————————————————————————

describe("naming scheme: `stacked 2.1 (k)` / `stacked 2.1.1 (k)`, anchors `stacked-2-1-k` / `stacked-2-1-1-k`", () => {
  it("names and anchors", () => {
    expect(stackedEqName("2.1", 5)).toBe("stacked 2.1 (5)");
    expect(stackedEqName("2.1.1", 5)).toBe("stacked 2.1.1 (5)");
    expect(stackedEqName("1.2", 3)).toBe("stacked 1.2 (3)");
    expect(stackedEqAnchor("2.1", 5)).toBe("stacked-2-1-5");
    expect(stackedEqAnchor("2.1.1", 1)).toBe("stacked-2-1-1-1");
    expect(stackedEqAnchor("1.2", 2)).toBe("stacked-1-2-2");
    expect(() => stackedEqName("2.1", 9)).toThrow(RangeError);
    expect(() => stackedEqAnchor("1.2", 4)).toThrow(/no equation \(4\)/);
  });

  it("the table lists all 16 equations once, with distinct anchors that are valid HTML ids", () => {
    expect(STACKED_EQUATIONS).toHaveLength(16);
    const anchors = STACKED_EQUATIONS.map((e) => e.anchor);
    expect(new Set(anchors).size).toBe(16);
    for (const e of STACKED_EQUATIONS) {
      expect(e.name).toBe(stackedEqName(e.section, e.number));
      expect(e.anchor).toBe(stackedEqAnchor(e.section, e.number));
      expect(e.anchor).toMatch(/^stacked(-\d+)+$/);
      expect(e.slip.length).toBeGreaterThan(20);
      expect(e.composedVerdict !== undefined).toBe(e.section === "2.1.1");
    }
  });

  it.each(STACKED_EQUATIONS.map((e) => [e.name, e] as const))("%s: the corrected equation renders in KaTeX", (_, e) => {
    expect(() => katex.renderToString(e.correctedTex, { throwOnError: true, displayMode: true })).not.toThrow();
  });
});

// ————————————————————————————————————————— the truth is true —————————————————————————————————————————

describe.each(CASES.map((s) => [label(s), s] as const))("the truth against finite differences, %s", (_, s) => {
  const b = build(s);

  it("§2.1's loss CE_2: the backward pass, and stacked21Corrected at t = 1 and 2, match central differences", () => {
    const opts = { H0: b.opts.H0!, weights: singleStepWeights(2, 2) };
    const num = numericalStackedParamGrads(b.p, b.X, b.y, opts);
    const st = numericalStackedStateGrads(b.p, b.X, b.y, opts);
    const fd: Record<SourceEq, Matrix> = {
      1: st.dZout[1]!, 2: num.Wha, 3: st.dZ[1]![1]!, 4: num.Wxh[1]!, 5: num.Whh[1]!, 6: st.dZ[1]![0]!, 7: num.Wxh[0]!, 8: num.Whh[0]!,
    };
    const g = truth21(b);
    for (const k of SOURCE_EQS) {
      for (const [what, m] of [["backward", stacked21Target(k, g)], ["corrected", stacked21Corrected(k, b.p, b.f)]] as const) {
        const d = discrepancy(m, fd[k]);
        expect(d.relError, `(${k}) ${what}: ${JSON.stringify(d)}`).toBeLessThan(FD_REL_TOL);
      }
    }
    // t = 1, loss CE_1: every δ_{t−1} term drops out
    const num1 = numericalStackedParamGrads(b.p, b.X, b.y, { H0: b.opts.H0!, weights: singleStepWeights(1, 2) });
    for (const [k, m] of [[2, num1.Wha], [4, num1.Wxh[1]!], [5, num1.Whh[1]!], [7, num1.Wxh[0]!], [8, num1.Whh[0]!]] as const) {
      expect(discrepancy(stacked21Corrected(k, b.p, b.f, 1), m).relError, `(${k}) at t = 1`).toBeLessThan(FD_REL_TOL);
    }
  });

  it("§2.1.1's loss (1/T) Σ_t CE_t: the weights' gradients, Σ_t ∂L/∂Z_t^(l) and their column sums ∂L/∂b match central differences", () => {
    const num = numericalStackedParamGrads(b.p, b.X, b.y, b.opts);
    const st = numericalStackedStateGrads(b.p, b.X, b.y, b.opts);
    const sum = (ms: Matrix[]) => ms.slice(1).reduce((acc, m) => { m.data.forEach((v, i) => { acc.data[i]! += v; }); return acc; }, clone(ms[0]!));
    const fd: Record<SourceEq, Matrix> = {
      1: sum(st.dZout), 2: num.Wha, 3: sum(st.dZ.map((z) => z[1]!)), 4: num.Wxh[1]!, 5: num.Whh[1]!,
      6: sum(st.dZ.map((z) => z[0]!)), 7: num.Wxh[0]!, 8: num.Whh[0]!,
    };
    const g = truth211(b);
    for (const k of SOURCE_EQS) {
      for (const [what, m] of [["target", stacked211Target(k, g)], ["corrected", stacked211Corrected(k, b.p, b.f)]] as const) {
        const d = discrepancy(m, fd[k]);
        expect(d.relError, `(${k}) ${what}: ${JSON.stringify(d)}`).toBeLessThan(FD_REL_TOL);
      }
    }
    const colSums = (m: Matrix) => {
      const out = zeros(1, m.cols);
      for (let r = 0; r < m.rows; r++) for (let j = 0; j < m.cols; j++) out.data[j]! += m.data[r * m.cols + j]!;
      return out;
    };
    for (const [k, bias] of [[1, num.ba], [3, num.b[1]!], [6, num.b[0]!]] as const) {
      expect(discrepancy(colSums(stacked211Corrected(k, b.p, b.f)), bias).relError, `(${k}) column sums`).toBeLessThan(FD_REL_TOL);
    }
  });
});

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

it("verdict summary (pinned): §2.1 has 4 right, 2 wrong in value, 2 wrong in shape; §2.1.1 has 6 right, 2 wrong in value", () => {
  const table = Object.fromEntries(STACKED_EQUATIONS.map((e) => [e.name, e.composedVerdict ? `${e.verdict} / ${e.composedVerdict}` : e.verdict]));
  expect(table).toEqual({
    "stacked 2.1 (1)": "right",
    "stacked 2.1 (2)": "right",
    "stacked 2.1 (3)": "right",
    "stacked 2.1 (4)": "wrong value",
    "stacked 2.1 (5)": "wrong shape",
    "stacked 2.1 (6)": "right",
    "stacked 2.1 (7)": "wrong value",
    "stacked 2.1 (8)": "wrong shape",
    "stacked 2.1.1 (1)": "right / right",
    "stacked 2.1.1 (2)": "right / right",
    "stacked 2.1.1 (3)": "wrong value / wrong value",
    "stacked 2.1.1 (4)": "right / wrong value",
    "stacked 2.1.1 (5)": "right / wrong shape",
    "stacked 2.1.1 (6)": "wrong value / wrong value",
    "stacked 2.1.1 (7)": "right / wrong value",
    "stacked 2.1.1 (8)": "right / wrong shape",
  });
});

// ————————————————————————————————————————— the slips, characterised —————————————————————————————————————————

const sym = (W: Matrix): Matrix => {
  const Wt = transpose(W);
  return { ...W, data: W.data.map((v, i) => (v + Wt.data[i]!) / 2) };
};
const had = (a: Matrix, b: Matrix): Matrix => ({ ...a, data: a.data.map((v, i) => v * b.data[i]!) });
const dphi = (H: Matrix): Matrix => ({ ...H, data: H.data.map((h) => 1 - h * h) });
const valueOf = (e: Evaluation): Matrix => {
  if (!e.ok) throw new Error(e.reason);
  return e.value;
};
const base = CASES[0]!;

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

const specArb: fc.Arbitrary<Spec> = fc.record({
  seed: fc.integer({ min: 0, max: 0xffffffff }),
  d: fc.integer({ min: 1, max: 4 }),
  h1: fc.integer({ min: 1, max: 4 }),
  h2: fc.integer({ min: 1, max: 4 }),
  a: fc.integer({ min: 2, max: 4 }),
  n: fc.integer({ min: 1, max: 3 }),
  T: fc.constant(2),
  h0: fc.constantFrom("zeros" as const, "random" as const),
});

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

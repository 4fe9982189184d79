/**
 * The page's equations (lib/stacked/stacked.ts): the naming of the source's equations; §2.1 (1)–(8) and §2.1.1 (1)–(8)
 * corrected, against central finite differences of the source's losses; §2.2 corrected, by explicit Jacobian products,
 * against the backward pass, finite differences and TF.js.
 */
import { describe, expect, it } from "vitest";
import { discrepancy } from "../../lib/core/fd.js";
import { type Matrix, clone, matmul, transpose, zeros } from "../../lib/core/matrix.js";
import { FD_TOL, ROUNDING_TOL } from "../../lib/core/tolerances.js";
import { stacked22AsPrinted } from "../../lib/stacked/as-printed.js";
import { stackedBackward } from "../../lib/stacked/backward.js";
import { numericalStacked22Factor, numericalStackedParamGrads, numericalStackedStateGrads } from "../../lib/stacked/finite-differences.js";
import { singleStepWeights, stackedForward } from "../../lib/stacked/forward.js";
import { oneHot } from "../../lib/stacked/ops.js";
import {
  type SourceEq, SOURCE_EQS, stacked211Corrected, stacked211Target, stacked21Corrected, stacked21Target, stacked22Corrected,
  stacked22Delta, stacked22Factor, stacked22Jacobians, stacked22Truncated, stackedEqAnchor, stackedEqName,
} from "../../lib/stacked/stacked.js";
import { expectFd, expectTfjs, expectWithin } from "../close.js";
import { type Spec, RANDOM_REL_TOL, label, makeCase } from "./cases.js";
import { round32, tfjsOracle, useTfjsCpu } from "./tfjs-oracle.js";
import { CASES, build, label as sourceLabel, truth21, truth211 } from "./source-cases.js";

useTfjsCpu();

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

});

// ————————————————————————————————————————— the truth is true —————————————————————————————————————————

describe.each(CASES.map((s) => [sourceLabel(s), s] as const))("the truth against finite differences, %s", (_, s) => {
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
        expectFd(`(${k}) ${what}`, m, fd[k]);
      }
    }
    // t = 1, loss CE_1: every δ_{t−1} term drops out
    const num1 = numericalStackedParamGrads(b.p, b.X, b.y, { H0: b.opts.H0!, weights: singleStepWeights(1, 2) });
    for (const [k, m] of [[2, num1.Wha], [4, num1.Wxh[1]!], [5, num1.Whh[1]!], [7, num1.Wxh[0]!], [8, num1.Whh[0]!]] as const) {
      expectFd(`(${k}) at t = 1`, stacked21Corrected(k, b.p, b.f, 1), m);
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
        expectFd(`(${k}) ${what}`, m, fd[k]);
      }
    }
    const colSums = (m: Matrix) => {
      const out = zeros(1, m.cols);
      for (let r = 0; r < m.rows; r++) for (let j = 0; j < m.cols; j++) out.data[j]! += m.data[r * m.cols + j]!;
      return out;
    };
    for (const [k, bias] of [[1, num.ba], [3, num.b[1]!], [6, num.b[0]!]] as const) {
      expectFd(`(${k}) column sums`, colSums(stacked211Corrected(k, b.p, b.f)), bias);
    }
  });
});

// ————————————————————————————— Vera §2.2: ∂L/∂W_hh^(1) for any T —————————————————————————————

const LONG: Spec[] = [
  { seed: 11, d: 2, hidden: [4, 2], a: 3, n: 3, T: 4, h0: "random", reduction: "source" },
  { seed: 12, d: 3, hidden: [3, 3], a: 3, n: 2, T: 3, h0: "zeros", reduction: "source" }, // a = h₁
  { seed: 13, d: 1, hidden: [2, 4], a: 2, n: 1, T: 4, h0: "random", reduction: "mean" },
];

describe.each(LONG.map((s) => [label(s), s] as const))("Vera §2.2, %s", (_, spec) => {
  const c = makeCase(spec);
  const f = stackedForward(c.p, c.X, c.y, c.opts);
  const g = stackedBackward(c.p, f);
  it("stacked22Factor: each factor of the product is ∂Z_k^(3)/∂Z_k^(1) of one row, [a, h₁], by finite differences", () => {
    for (let k = 1; k <= spec.T; k++) for (let r = 1; r <= spec.n; r++) {
      const J = stacked22Factor(c.p, f, k, r);
      expect([J.rows, J.cols]).toEqual([spec.a, spec.hidden[0]]);
      expectFd(`J_${k}[${r}]`, J, numericalStacked22Factor(c.p, c.X, c.y, c.opts, k, r));
    }
  });
  it("stacked22AsPrinted has no value for a ≥ 2: J_t J_{t+1} needs a = h₁, then (H_{t−1})ᵀ [h₁,1] · [a,h₁] needs a = 1", () => {
    const e = stacked22AsPrinted(c.p, f, 1);
    expect(e.ok).toBe(false);
    if (!e.ok) expect(e.reason).toMatch(spec.a === spec.hidden[0] ? /inner shapes 1 and \d of \(H_0\^\(1\)\[1\]\)ᵀ/ : /of J_1 \[\d,\d\] and J_2/);
  });
  it("stacked22Jacobians: R_k has the recurrence of both layers; the cross block is ∂h_k^(2)/∂h_{k−1}^(1)", () => {
    const { R, E, C } = stacked22Jacobians(c.p, f, 1);
    const [h1, h2] = spec.hidden as [number, number];
    expect([R[0]!.rows, R[0]!.cols, E[0]!.rows, E[0]!.cols, C.rows, C.cols]).toEqual([h1 + h2, h1 + h2, h1 + h2, h1, spec.a, h1 + h2]);
    // upper-right block (layer 2 → layer 1 across time) is zero
    for (let i = 0; i < h1; i++) for (let j = h1; j < h1 + h2; j++) expect(R[1]!.data[i * (h1 + h2) + j]).toBe(0);
  });
  it("stacked22Delta: δ_t = ∂L/∂Z_t^(1) equals the backward pass and finite differences", () => {
    const d = stacked22Delta(c.p, f);
    const num = numericalStackedStateGrads(c.p, c.X, c.y, c.opts);
    for (let t = 0; t < spec.T; t++) {
      expect(discrepancy(d[t]!, g.dZ[t]![0]!).maxAbsError).toBeLessThanOrEqual(ROUNDING_TOL);
      expectWithin(`δ_${t + 1}`, d[t]!, num.dZ[t]![0]!, RANDOM_REL_TOL, FD_TOL);
    }
  });
  it("stacked22Corrected: Σ_t (H_{t−1}^(1))ᵀ δ_t equals stackedBackward's ∂L/∂W_hh^(1) and finite differences", () => {
    const G = stacked22Corrected(c.p, f);
    expect(discrepancy(G, g.Whh[0]!).maxAbsError).toBeLessThanOrEqual(ROUNDING_TOL);
    expectFd("W_hh^(1)", G, numericalStackedParamGrads(c.p, c.X, c.y, c.opts).Whh[0]!);
  });
  it("stacked22Truncated: exact for k ≥ T − 1; k = 0 keeps only each step's own loss (the per-step δ of §2.1 (6))", () => {
    expect(discrepancy(stacked22Truncated(c.p, f, spec.T - 1), g.Whh[0]!).maxAbsError).toBeLessThanOrEqual(ROUNDING_TOL);
    // k = 0: δ_t = w_t ((A_t − Y_t) W_haᵀ ⊙ φ'(Z_t^(2))) W_h1h2ᵀ ⊙ φ'(Z_t^(1)), built with matrix products here
    const dphi = (H: Matrix) => ({ rows: H.rows, cols: H.cols, data: H.data.map((v) => 1 - v * v) });
    const had = (A: Matrix, B: Matrix) => ({ rows: A.rows, cols: A.cols, data: A.data.map((v, i) => v * B.data[i]!) });
    let want = zeros(spec.hidden[0]!, spec.hidden[0]!);
    for (let t = 0; t < spec.T; t++) {
      const Y = oneHot(c.y[t]!, spec.a);
      const d3 = { rows: Y.rows, cols: Y.cols, data: f.A[t]!.data.map((v, i) => f.weights[t]! * (v - Y.data[i]!)) };
      const d2 = had(matmul(d3, transpose(c.p.Wha)), dphi(f.H[t]![1]!));
      const d1 = had(matmul(d2, transpose(c.p.Wxh[1]!)), dphi(f.H[t]![0]!));
      const Hp = t === 0 ? f.H0[0]! : f.H[t - 1]![0]!;
      const add = matmul(transpose(Hp), d1);
      want = { ...want, data: want.data.map((v, i) => v + add.data[i]!) };
    }
    expect(discrepancy(stacked22Truncated(c.p, f, 0), want).maxAbsError).toBeLessThanOrEqual(ROUNDING_TOL);
    if (spec.h0 === "random") expect(discrepancy(stacked22Truncated(c.p, f, 0), g.Whh[0]!).maxAbsError).toBeGreaterThan(1e-4);
  });
  it("stacked22Corrected agrees with TF.js autodiff (float32)", () => {
    const c32 = round32(c);
    const f32 = stackedForward(c32.p, c32.X, c32.y, c32.opts);
    expectTfjs("W_hh^(1) by §2.2 corrected", stacked22Corrected(c32.p, f32), Float64Array.from(tfjsOracle(c32, f32.weights).Whh[0]!));
  });
});

/**
 * The hand-derived BPTT of lib/stacked/backward.ts (the general form of stacked 2.1 (1)–(8)), checked against
 * central finite differences (lib/stacked/finite-differences.ts) for every parameter and every intermediate, against
 * TF.js reverse-mode autodiff, and by fast-check properties over random L 1–3, n 1–3, T 1–4, widths 1–4.
 */
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { discrepancy } from "../../lib/core/fd.js";
import { matmul, transpose } from "../../lib/core/matrix.js";
import { FD_TOL, ROUNDING_TOL, TFJS_REL_TOL } from "../../lib/core/tolerances.js";
import { stackedBackward } from "../../lib/stacked/backward.js";
import { numericalStackedParamGrads, numericalStackedStateGrads } from "../../lib/stacked/finite-differences.js";
import { stackedForward, stepWeightsFor } from "../../lib/stacked/forward.js";
import type { StackedParams } from "../../lib/stacked/params.js";
import { expectFd, expectWithin } from "../close.js";
import { NUM_RUNS, RANDOM_REL_TOL, SPECS, allGrads, bytesOf, label, makeCase, modelArb, setup } from "./cases.js";
import { compareWithTf, round32, tfjsOracle, useTfjsCpu } from "./tfjs-oracle.js";

useTfjsCpu();

// ————————————————————————————————————————— backward vs finite differences —————————————————————————————————————————

describe.each(SPECS.map((s) => [label(s), s] as const))("BPTT against central finite differences, %s", (_, spec) => {
  const { c, g } = setup(spec);
  const num = numericalStackedParamGrads(c.p, c.X, c.y, c.opts);
  const st = numericalStackedStateGrads(c.p, c.X, c.y, c.opts);
  const L = spec.hidden.length;

  it("stacked 2.1 (1), general: ∂L/∂Z_t^(L+1) = w_t (A_t − Y_t) matches finite differences", () => {
    g.dZout.forEach((m, t) => expectFd(`dZout[${t + 1}]`, m, st.dZout[t]!));
  });
  it("stacked 2.1 (2), general: ∂L/∂W_ha = Σ_t (H_t^(L))ᵀ ∂L/∂Z_t^(L+1) matches finite differences", () => expectFd("W_ha", g.Wha, num.Wha));
  it("∂L/∂b_a = Σ_t 1ᵀ ∂L/∂Z_t^(L+1) (column sums of stacked 2.1.1 (1)) matches finite differences", () => expectFd("b_a", g.ba, num.ba));
  it("∂L/∂H_t^(l), total (up a layer and across time), matches finite differences", () => {
    for (let t = 0; t < spec.T; t++) for (let l = 0; l < L; l++) expectFd(`dH[${t + 1}][${l + 1}]`, g.dH[t]![l]!, st.dH[t]![l]!);
  });
  it("stacked 2.1 (3), (6), general: ∂L/∂Z_t^(l) = ∂L/∂H_t^(l) ⊙ φ'(Z_t^(l)) matches finite differences", () => {
    for (let t = 0; t < spec.T; t++) for (let l = 0; l < L; l++) expectFd(`dZ[${t + 1}][${l + 1}]`, g.dZ[t]![l]!, st.dZ[t]![l]!);
  });
  it("stacked 2.1 (4), (7), general: ∂L/∂W_xh^(l) = Σ_t (H_t^(l−1))ᵀ ∂L/∂Z_t^(l) matches finite differences", () => {
    for (let l = 0; l < L; l++) expectFd(`W_xh^(${l + 1})`, g.Wxh[l]!, num.Wxh[l]!);
  });
  it("stacked 2.1 (5), (8), general: ∂L/∂W_hh^(l) = Σ_t (H_{t−1}^(l))ᵀ ∂L/∂Z_t^(l) matches finite differences", () => {
    for (let l = 0; l < L; l++) expectFd(`W_hh^(${l + 1})`, g.Whh[l]!, num.Whh[l]!);
  });
  it("∂L/∂b^(l) = Σ_t 1ᵀ ∂L/∂Z_t^(l) (column sums of stacked 2.1.1 (3), (6) corrected) matches finite differences", () => {
    for (let l = 0; l < L; l++) expectFd(`b^(${l + 1})`, g.b[l]!, num.b[l]!);
  });
  it("∂L/∂H_0^(l) = ∂L/∂Z_1^(l) (W_hh^(l))ᵀ matches finite differences", () => {
    for (let l = 0; l < L; l++) expectFd(`dH0[${l + 1}]`, g.dH0[l]!, st.dH0[l]!);
  });
  if (spec.a === 1) {
    it("a = 1: the loss is identically 0, so every gradient is exactly 0", () => {
      for (const m of [...g.Wxh, ...g.Whh, ...g.b, g.Wha, g.ba, ...g.dZ.flat(), ...g.dH0]) expect(m.data.every((v) => v === 0)).toBe(true);
    });
  }
});

describe.each(SPECS.filter((s) => s.a > 1).map((s) => [label(s), s] as const))("BPTT against TF.js autodiff (float32), %s", (_, spec) => {
  it("stacked 2.1 (1)–(8) general forms: L, every parameter gradient and ∂L/∂Z, ∂L/∂H, ∂L/∂Z^(L+1), ∂L/∂H_0 agree", () => {
    const c = round32(makeCase(spec));
    const f = stackedForward(c.p, c.X, c.y, c.opts);
    compareWithTf(c, f, stackedBackward(c.p, f), tfjsOracle(c, f.weights));
  });
});

describe("the TF.js oracle itself", () => {
  it("disposes every tensor it makes", () => {
    const before = tf.memory().numTensors;
    const c = makeCase(SPECS[0]!);
    tfjsOracle(c, stepWeightsFor("mean", c.spec.T, c.spec.n));
    expect(tf.memory().numTensors).toBe(before);
  });

  it("can fail: it tells the two averagings apart (n > 1), and a missing recurrent path in ∂L/∂H", () => {
    const c = round32(makeCase(SPECS[0]!));
    const f = stackedForward(c.p, c.X, c.y, c.opts);
    const g = stackedBackward(c.p, f);
    const source = tfjsOracle(c, stepWeightsFor("source", c.spec.T, c.spec.n));
    expect(discrepancy(g.Whh[0]!.data, Float64Array.from(source.Whh[0]!)).relError).toBeGreaterThan(TFJS_REL_TOL);
    const mean = tfjsOracle(c, f.weights);
    const upOnly = matmul(g.dZout[0]!, transpose(c.p.Wha)); // ∂L/∂H_1^(2) without the path to step 2
    expect(discrepancy(upOnly.data, Float64Array.from(mean.dH[0]![1]!)).relError).toBeGreaterThan(TFJS_REL_TOL);
  });
});

describe("properties over random models (L 1–3, n 1–3, T 1–4, widths 1–4)", () => {
  it("every parameter gradient matches central finite differences", () => {
    fc.assert(
      fc.property(modelArb, ({ spec }) => {
        const c = makeCase(spec);
        const g = stackedBackward(c.p, stackedForward(c.p, c.X, c.y, c.opts));
        const num = numericalStackedParamGrads(c.p, c.X, c.y, c.opts);
        g.Wxh.forEach((m, l) => expectWithin(`W_xh^(${l + 1})`, m, num.Wxh[l]!, RANDOM_REL_TOL, FD_TOL));
        g.Whh.forEach((m, l) => expectWithin(`W_hh^(${l + 1})`, m, num.Whh[l]!, RANDOM_REL_TOL, FD_TOL));
        g.b.forEach((m, l) => expectWithin(`b^(${l + 1})`, m, num.b[l]!, RANDOM_REL_TOL, FD_TOL));
        expectWithin("W_ha", g.Wha, num.Wha, RANDOM_REL_TOL, FD_TOL);
        expectWithin("b_a", g.ba, num.ba, RANDOM_REL_TOL, FD_TOL);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("∂L/∂Z_t^(l), ∂L/∂H_t^(l), ∂L/∂Z_t^(L+1), ∂L/∂H_0^(l) match central finite differences", () => {
    fc.assert(
      fc.property(modelArb, ({ spec }) => {
        const c = makeCase(spec);
        const g = stackedBackward(c.p, stackedForward(c.p, c.X, c.y, c.opts));
        const st = numericalStackedStateGrads(c.p, c.X, c.y, c.opts);
        g.dZout.forEach((m, t) => expectWithin(`dZout[${t + 1}]`, m, st.dZout[t]!, RANDOM_REL_TOL, FD_TOL));
        g.dZ.forEach((Zt, t) => Zt.forEach((m, l) => expectWithin(`dZ[${t + 1}][${l + 1}]`, m, st.dZ[t]![l]!, RANDOM_REL_TOL, FD_TOL)));
        g.dH.forEach((Ht, t) => Ht.forEach((m, l) => expectWithin(`dH[${t + 1}][${l + 1}]`, m, st.dH[t]![l]!, RANDOM_REL_TOL, FD_TOL)));
        g.dH0.forEach((m, l) => expectWithin(`dH0[${l + 1}]`, m, st.dH0[l]!, RANDOM_REL_TOL, FD_TOL));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("every gradient agrees with TF.js autodiff (float32)", () => {
    fc.assert(
      fc.property(modelArb.filter(({ spec }) => spec.a > 1), ({ spec }) => {
        const c = round32(makeCase(spec));
        const f = stackedForward(c.p, c.X, c.y, c.opts);
        compareWithTf(c, f, stackedBackward(c.p, f), tfjsOracle(c, f.weights));
      }),
      { numRuns: 40 },
    );
  });

  it("structure: ∂L/∂Z = ∂L/∂H ⊙ (1 − H²) exactly, rows of ∂L/∂Z^(L+1) sum to 0, ∂L/∂b^(l) = column sums of Σ_t ∂L/∂Z_t^(l)", () => {
    fc.assert(
      fc.property(modelArb, ({ spec }) => {
        const c = makeCase(spec);
        const f = stackedForward(c.p, c.X, c.y, c.opts);
        const g = stackedBackward(c.p, f);
        g.dZ.forEach((Zt, t) => Zt.forEach((m, l) => m.data.forEach((v, k) => expect(v).toBe(g.dH[t]![l]!.data[k]! * (1 - f.H[t]![l]!.data[k]! ** 2)))));
        for (const m of g.dZout) for (let r = 0; r < m.rows; r++) {
          let s = 0;
          for (let j = 0; j < m.cols; j++) s += m.data[r * m.cols + j]!;
          expect(Math.abs(s)).toBeLessThanOrEqual(ROUNDING_TOL);
        }
        g.b.forEach((b, l) => b.data.forEach((v, j) => {
          let s = 0;
          for (const Zt of g.dZ) for (let r = 0; r < spec.n; r++) s += Zt[l]!.data[r * Zt[l]!.cols + j]!;
          expect(Math.abs(v - s)).toBeLessThanOrEqual(ROUNDING_TOL);
        }));
      }),
      { numRuns: 150 },
    );
  });

  it("the source's averaging is exactly n times the mean's, in L and every parameter gradient", () => {
    fc.assert(
      fc.property(modelArb, ({ spec }) => {
        const c = makeCase(spec);
        const m = stackedForward(c.p, c.X, c.y, { H0: c.opts.H0!, reduction: "mean" });
        const s = stackedForward(c.p, c.X, c.y, { H0: c.opts.H0!, reduction: "source" });
        expect(Math.abs(s.loss - spec.n * m.loss)).toBeLessThanOrEqual(ROUNDING_TOL * Math.max(1, s.loss));
        const gm = stackedBackward(c.p, m), gs = stackedBackward(c.p, s);
        const [a, b] = [allGrads(gm), allGrads(gs)];
        a.forEach((x, i) => x.data.forEach((v, k) => expect(Math.abs(spec.n * v - b[i]!.data[k]!)).toBeLessThanOrEqual(ROUNDING_TOL)));
      }),
      { numRuns: 150 },
    );
  });

  it("determinism: the same seed gives bitwise identical parameters, forward pass and gradients; another seed differs", () => {
    fc.assert(
      fc.property(modelArb, ({ spec }) => {
        const one = makeCase(spec), two = makeCase(spec);
        const params = (p: StackedParams) => [...p.Wxh, ...p.Whh, ...p.b, p.Wha, p.ba];
        expect(bytesOf(params(one.p)).equals(bytesOf(params(two.p)))).toBe(true);
        const f1 = stackedForward(one.p, one.X, one.y, one.opts), f2 = stackedForward(two.p, two.X, two.y, two.opts);
        expect(Object.is(f1.loss, f2.loss)).toBe(true);
        expect(bytesOf([...f1.Z.flat(), ...f1.H.flat(), ...f1.A]).equals(bytesOf([...f2.Z.flat(), ...f2.H.flat(), ...f2.A]))).toBe(true);
        expect(bytesOf(allGrads(stackedBackward(one.p, f1))).equals(bytesOf(allGrads(stackedBackward(two.p, f2))))).toBe(true);
        const other = makeCase({ ...spec, seed: spec.seed === 0 ? 1 : spec.seed - 1 });
        expect(bytesOf(params(other.p)).equals(bytesOf(params(one.p)))).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it("L is finite and ≥ 0, and 0 exactly when a = 1", () => {
    fc.assert(
      fc.property(modelArb, ({ spec }) => {
        const c = makeCase(spec);
        const f = stackedForward(c.p, c.X, c.y, c.opts);
        expect(Number.isFinite(f.loss) && f.loss >= 0).toBe(true);
        if (spec.a === 1) expect(f.loss).toBe(0);
        else expect(f.loss).toBeGreaterThan(0);
      }),
      { numRuns: 150 },
    );
  });
});

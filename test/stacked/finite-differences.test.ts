/**
 * The finite-difference checks of lib/stacked/finite-differences.ts: they have the bits of whole forward passes (the
 * straightforward code they replaced is kept below as the reference), and they can fail: gradients with the
 * source's slips written in on purpose are told apart from the truth.
 */
import { describe, expect, it } from "vitest";
import { centralDifference, discrepancy } from "../../lib/core/fd.js";
import { type Matrix, clone, matmul, transpose, zeros } from "../../lib/core/matrix.js";
import { stackedBackward } from "../../lib/stacked/backward.js";
import {
  numericalStacked22Factor, numericalStackedGradsOf, numericalStackedParamGrads, numericalStackedStateGrads,
} from "../../lib/stacked/finite-differences.js";
import { type StackedOptions, type StackedOverride, singleStepWeights, stackedForward, stackedLoss } from "../../lib/stacked/forward.js";
import { rowOf } from "../../lib/stacked/ops.js";
import type { StackedParams } from "../../lib/stacked/params.js";
import { type Case, SPECS, label, makeCase } from "./cases.js";
import { setup } from "./cases.js";

// ——————————————————————— the reference: whole forward passes, one per moved entry and loss ———————————————————————

type Targets = readonly (readonly number[])[];
const fdMatrix = (m: Matrix, loss: () => number, eps: number): Matrix => {
  const g = zeros(m.rows, m.cols);
  for (let k = 0; k < m.data.length; k++) g.data[k] = centralDifference(m.data, k, loss, eps);
  return g;
};
function refParamGrads(p: StackedParams, X: readonly Matrix[], targets: Targets, options: StackedOptions, eps = 1e-5) {
  const q = { Wxh: p.Wxh.map(clone), Whh: p.Whh.map(clone), b: p.b.map(clone), Wha: clone(p.Wha), ba: clone(p.ba) };
  const loss = () => stackedLoss(q, X, targets, options);
  return {
    Wxh: q.Wxh.map((W) => fdMatrix(W, loss, eps)), Whh: q.Whh.map((W) => fdMatrix(W, loss, eps)),
    b: q.b.map((b) => fdMatrix(b, loss, eps)), Wha: fdMatrix(q.Wha, loss, eps), ba: fdMatrix(q.ba, loss, eps),
  };
}
function refStateGrads(p: StackedParams, X: readonly Matrix[], targets: Targets, options: StackedOptions, eps = 1e-5) {
  const f = stackedForward(p, X, targets, options);
  const at = (kind: StackedOverride["kind"], step: number, layer: number, base: Matrix) => {
    const value = clone(base);
    return fdMatrix(value, () => stackedLoss(p, X, targets, options, { kind, step, layer, value }), eps);
  };
  const H0 = f.H0.map(clone);
  return {
    dZ: f.Z.map((Zt, i) => Zt.map((z, l) => at("Z", i + 1, l + 1, z))),
    dH: f.H.map((Ht, i) => Ht.map((h, l) => at("H", i + 1, l + 1, h))),
    dZout: f.Zout.map((z, i) => at("Zout", i + 1, 0, z)),
    dH0: H0.map((h) => fdMatrix(h, () => stackedLoss(p, X, targets, { ...options, H0 }), eps)),
  };
}
function ref22Factor(p: StackedParams, X: readonly Matrix[], targets: Targets, options: StackedOptions, k: number, r: number, eps = 1e-5) {
  const z = clone(stackedForward(p, X, targets, options).Z[k - 1]![0]!);
  const a = p.Wha.cols, h1 = z.cols;
  const J = zeros(a, h1);
  const out = (i: number) => () => rowOf(stackedForward(p, X, targets, options, { kind: "Z", step: k, layer: 1, value: z }).Zout[k - 1]!, r - 1)[i]!;
  for (let j = 0; j < h1; j++) for (let i = 0; i < a; i++) J.data[i * h1 + j] = centralDifference(z.data, (r - 1) * h1 + j, out(i), eps);
  return J;
}

/** Every entry of every matrix the same bits (Object.is: −0 and 0 differ, NaN equals NaN), with where they differ. */
function expectSameBits(what: string, got: unknown, want: unknown): void {
  if (want && typeof want === "object" && "data" in want) {
    const g = got as Matrix, w = want as Matrix;
    expect([g.rows, g.cols], what).toEqual([w.rows, w.cols]);
    w.data.forEach((v, k) => { if (!Object.is(g.data[k], v)) expect.fail(`${what}[${k}]: ${g.data[k]} is not ${v}`); });
  } else if (Array.isArray(want)) {
    expect((got as unknown[]).length, what).toBe(want.length);
    want.forEach((w, i) => expectSameBits(`${what}[${i}]`, (got as unknown[])[i], w));
  } else {
    expect(Object.keys(got as object).sort(), what).toEqual(Object.keys(want as object).sort());
    for (const [k, w] of Object.entries(want as object)) expectSameBits(`${what}.${k}`, (got as Record<string, unknown>)[k], w);
  }
}

describe("finite differences from partly rerun passes have the bits of whole forward passes", () => {
  // Each case under its own loss, the source's, the mean, and one step's alone (§2.1's), with its H_0
  const lossesOf = (c: Case): StackedOptions[] => [
    c.opts, { H0: c.opts.H0!, reduction: "source" }, { H0: c.opts.H0!, weights: singleStepWeights(c.spec.T, c.spec.T) },
    { H0: c.opts.H0!, weights: Array.from({ length: c.spec.T }, (_, t) => (t % 2 ? -0.5 : 2)) },
  ];
  const extra = [
    { seed: 11, d: 2, hidden: [4, 2], a: 3, n: 3, T: 2, h0: "zeros" as const, reduction: "source" as const }, // the page's default sizes
    { seed: 12, d: 4, hidden: [1, 4], a: 4, n: 4, T: 4, h0: "random" as const, reduction: "mean" as const },
  ];
  for (const spec of [...SPECS, ...extra]) {
    it(label(spec), () => {
      const c = makeCase(spec);
      const losses = lossesOf(c);
      const many = numericalStackedGradsOf(c.p, c.X, c.y, c.opts.H0, losses.map(({ H0: _, ...loss }) => loss), ["dZ", "dZout"]);
      losses.forEach((o, i) => {
        const want = refParamGrads(c.p, c.X, c.y, o);
        expectSameBits(`params, loss ${i}`, numericalStackedParamGrads(c.p, c.X, c.y, o), want);
        const { dZ, dZout } = refStateGrads(c.p, c.X, c.y, o);
        expectSameBits(`params and states of several losses, loss ${i}`, many[i], { ...want, dZ, dZout });
      });
      expectSameBits("states", numericalStackedStateGrads(c.p, c.X, c.y, losses[2]!), refStateGrads(c.p, c.X, c.y, losses[2]!));
      expectSameBits("states, no H_0 given", numericalStackedStateGrads(c.p, c.X, c.y, { reduction: "source" }), refStateGrads(c.p, c.X, c.y, { reduction: "source" }));
      for (let k = 1; k <= spec.T; k++) {
        const r = 1 + (k % spec.n);
        expectSameBits(`J_${k}, row ${r}`, numericalStacked22Factor(c.p, c.X, c.y, c.opts, k, r), ref22Factor(c.p, c.X, c.y, c.opts, k, r));
      }
    });
  }
});

// ————————————————————————————————————————— deliberately wrong gradients —————————————————————————————————————————

describe("the finite-difference checks can fail: deliberately wrong gradients are caught", () => {
  const spec = SPECS[0]!;
  const { c, f, g } = setup(spec);
  const num = numericalStackedParamGrads(c.p, c.X, c.y, c.opts);
  const caught = (what: string, wrong: Matrix, numeric: Matrix) => {
    const d = discrepancy(wrong, numeric);
    expect(d.relError, `${what}: ${JSON.stringify(d)}`).toBeGreaterThan(1e-3);
  };

  it("∂L/∂W_hh^(2) with W_hh instead of W_hhᵀ in the step back (the slip of stacked 2.1 (4), (5))", () => {
    const dZ1 = matmul(g.dZ[1]![1]!, c.p.Whh[1]!); // should be · W_hhᵀ
    const dtanh = f.H[0]![1]!.data.map((h) => 1 - h * h);
    const wrongDZ = { ...dZ1, data: dZ1.data.map((v, k) => (v + matmul(g.dZout[0]!, transpose(c.p.Wha)).data[k]!) * dtanh[k]!) };
    const wrong = clone(matmul(transpose(c.opts.H0![1]!), wrongDZ));
    const second = matmul(transpose(f.H[0]![1]!), g.dZ[1]![1]!);
    wrong.data.forEach((_, k) => { wrong.data[k]! += second.data[k]!; });
    caught("W_hh^(2)", wrong, num.Whh[1]!);
  });

  it("∂L/∂W_xh^(1) without the path up through layer 2's recurrence (the slip of stacked 2.1 (7))", () => {
    // ∂L/∂H_1^(1) through W_hh^(1) only, dropping ∂L/∂Z_1^(2) (W_xh^(2))ᵀ
    const dH = matmul(g.dZ[1]![0]!, transpose(c.p.Whh[0]!));
    const dZ = { ...dH, data: dH.data.map((v, k) => v * (1 - f.H[0]![0]!.data[k]! ** 2)) };
    const wrong = matmul(transpose(c.X[0]!), dZ);
    const second = matmul(transpose(c.X[1]!), g.dZ[1]![0]!);
    wrong.data.forEach((_, k) => { wrong.data[k]! += second.data[k]!; });
    caught("W_xh^(1)", wrong, num.Wxh[0]!);
  });

  it("∂L/∂W_ha with the source's 1/T averaging where the loss is the batch mean (n = 2)", () => {
    const src = stackedBackward(c.p, stackedForward(c.p, c.X, c.y, { ...c.opts, reduction: "source" }));
    caught("W_ha (source weights)", src.Wha, num.Wha);
  });

  it("∂L/∂H_0 treated as zero, and ∂L/∂W_hh without its H_0 term", () => {
    const st = numericalStackedStateGrads(c.p, c.X, c.y, c.opts);
    caught("dH0 = 0 vs numeric", zeros(g.dH0[0]!.rows, g.dH0[0]!.cols), st.dH0[0]!);
    const noH0 = matmul(transpose(f.H[0]![0]!), g.dZ[1]![0]!);
    caught("W_hh^(1) without H_0", noH0, num.Whh[0]!);
  });
});

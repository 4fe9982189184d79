/**
 * The forward pass of Vera's stacked RNN (lib/stacked/forward.ts, stacked 1.2 (1)–(3) for any L, X·W convention,
 * batch of n rows): against an independent plain-loop implementation, its two averagings and explicit step weights,
 * and the shape errors that name the operation and both shapes.
 */
import { describe, expect, it } from "vitest";
import { discrepancy } from "../../lib/core/fd.js";
import { type Matrix, ShapeError, zeros } from "../../lib/core/matrix.js";
import { makeRng } from "../../lib/core/rng.js";
import { ROUNDING_TOL } from "../../lib/core/tolerances.js";
import { stackedBackward } from "../../lib/stacked/backward.js";
import { numericalStackedParamGrads } from "../../lib/stacked/finite-differences.js";
import { singleStepWeights, stackedForward, stackedLoss, stepWeightsFor, withWeights } from "../../lib/stacked/forward.js";
import { type StackedParams, initStackedParams, stackedSizesOf } from "../../lib/stacked/params.js";
import { expectFd } from "../close.js";
import { type Case, SPECS, label, makeCase, setup } from "./cases.js";

function referenceForward(c: Case): { H: number[][][][]; loss: number } {
  const { p, X, y } = c;
  const L = p.Wxh.length, T = X.length, n = X[0]!.rows;
  const at = (m: Matrix, i: number, j: number) => m.data[i * m.cols + j]!;
  let prev: number[][][] = c.opts.H0!.map((h) => Array.from({ length: n }, (_, r) => Array.from({ length: h.cols }, (_, j) => at(h, r, j))));
  const H: number[][][][] = [];
  let loss = 0;
  for (let t = 0; t < T; t++) {
    let input: number[][] = Array.from({ length: n }, (_, r) => Array.from({ length: X[t]!.cols }, (_, j) => at(X[t]!, r, j)));
    const Ht: number[][][] = [];
    for (let l = 0; l < L; l++) {
      const Wx = p.Wxh[l]!, Wh = p.Whh[l]!, h = Wh.cols;
      const out = input.map((xr, r) => Array.from({ length: h }, (_, j) => {
        let s = p.b[l]!.data[j]!;
        for (let k = 0; k < xr.length; k++) s += xr[k]! * at(Wx, k, j);
        for (let k = 0; k < h; k++) s += prev[l]![r]![k]! * at(Wh, k, j);
        return Math.tanh(s);
      }));
      Ht.push(out);
      input = out;
    }
    H.push(Ht);
    prev = Ht;
    for (let r = 0; r < n; r++) {
      const z = Array.from({ length: p.Wha.cols }, (_, j) => {
        let s = p.ba.data[j]!;
        for (let k = 0; k < p.Wha.rows; k++) s += input[r]![k]! * at(p.Wha, k, j);
        return s;
      });
      const m = Math.max(...z);
      const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
      loss += (lse - z[y[t]![r]!]!) / (c.spec.reduction === "mean" ? T * n : T);
    }
  }
  return { H, loss };
}
// ————————————————————————————————————————— forward —————————————————————————————————————————

describe.each(SPECS.map((s) => [label(s), s] as const))("stacked 1.2 (1)–(3) forward, %s", (_, spec) => {
  const { c, f } = setup(spec);

  it("H_t^(l) and L agree with an independent plain-loop implementation", () => {
    const ref = referenceForward(c);
    expect(Math.abs(f.loss - ref.loss)).toBeLessThanOrEqual(ROUNDING_TOL * Math.max(1, ref.loss));
    for (let t = 0; t < spec.T; t++) {
      for (let l = 0; l < spec.hidden.length; l++) {
        const got = f.H[t]![l]!;
        expect([got.rows, got.cols]).toEqual([spec.n, spec.hidden[l]]);
        got.data.forEach((v, k) => expect(Math.abs(v - ref.H[t]![l]![Math.floor(k / got.cols)]![k % got.cols]!)).toBeLessThanOrEqual(ROUNDING_TOL));
      }
    }
  });

  it("A_t rows are distributions and L = Σ_t w_t Σ_r −log A_t[r, y_{t,r}] with the stated weights", () => {
    const w = spec.reduction === "mean" ? 1 / (spec.T * spec.n) : 1 / spec.T;
    expect(f.weights).toEqual(new Array(spec.T).fill(w));
    let L = 0;
    f.A.forEach((A, t) => {
      expect([A.rows, A.cols]).toEqual([spec.n, spec.a]);
      for (let r = 0; r < spec.n; r++) {
        let s = 0;
        for (let j = 0; j < spec.a; j++) s += A.data[r * spec.a + j]!;
        expect(Math.abs(s - 1)).toBeLessThanOrEqual(ROUNDING_TOL);
        L += -Math.log(A.data[r * spec.a + c.y[t]![r]!]!) * w;
      }
    });
    expect(Math.abs(f.loss - L)).toBeLessThanOrEqual(ROUNDING_TOL * Math.max(1, L));
    if (spec.a === 1) expect(f.loss).toBe(0);
  });
});

// ————————————————————————————————————————— averaging —————————————————————————————————————————

describe("the two averagings", () => {
  it.each(SPECS.map((s) => [label(s), s] as const))("source (1/T) = n × mean (1/(T·n)), in L and every gradient: %s", (_, spec) => {
    const c = makeCase(spec);
    const mean = stackedForward(c.p, c.X, c.y, { H0: c.opts.H0!, reduction: "mean" });
    const src = stackedForward(c.p, c.X, c.y, { H0: c.opts.H0!, reduction: "source" });
    expect(Math.abs(src.loss - spec.n * mean.loss)).toBeLessThanOrEqual(ROUNDING_TOL * Math.max(1, src.loss));
    const gm = stackedBackward(c.p, mean), gs = stackedBackward(c.p, src);
    const pairs: [Matrix, Matrix][] = [[gm.Wha, gs.Wha], [gm.ba, gs.ba], ...gm.Wxh.map((m, l) => [m, gs.Wxh[l]!] as [Matrix, Matrix]), ...gm.Whh.map((m, l) => [m, gs.Whh[l]!] as [Matrix, Matrix])];
    for (const [m, s] of pairs) m.data.forEach((v, k) => expect(Math.abs(spec.n * v - s.data[k]!)).toBeLessThanOrEqual(ROUNDING_TOL));
    if (spec.n > 1 && spec.a > 1) expect(discrepancy(gm.Wha, gs.Wha).relError).toBeGreaterThan(0.1); // (n − 1)/(n + 1)
  });

  it("stepWeightsFor and singleStepWeights give the stated weights", () => {
    expect(stepWeightsFor("mean", 2, 3)).toEqual([1 / 6, 1 / 6]);
    expect(stepWeightsFor("source", 2, 3)).toEqual([0.5, 0.5]);
    expect(singleStepWeights(2, 3)).toEqual([0, 1, 0]);
    expect(() => singleStepWeights(4, 3)).toThrow(RangeError);
    expect(() => stepWeightsFor("mean", 0, 1)).toThrow(RangeError);
  });

  it("explicit weights: L = Σ_t w_t CE_t is linear in the weights, and withWeights recomputes only L", () => {
    const c = makeCase(SPECS[5]!);
    const f = stackedForward(c.p, c.X, c.y, { H0: c.opts.H0!, weights: [1, 0, 2, -1] });
    expect(Math.abs(f.loss - (f.stepLoss[0]! + 2 * f.stepLoss[2]! - f.stepLoss[3]!))).toBeLessThanOrEqual(ROUNDING_TOL);
    const g = stackedBackward(c.p, f);
    expectFd("W_hh^(2), weights [1, 0, 2, −1]", g.Whh[1]!, numericalStackedParamGrads(c.p, c.X, c.y, { H0: c.opts.H0!, weights: [1, 0, 2, -1] }).Whh[1]!);
    const w = withWeights(f, [0, 1, 0, 0]);
    expect(w.loss).toBe(f.stepLoss[1]);
    expect(w.H).toBe(f.H);
    expect(() => stackedForward(c.p, c.X, c.y, { reduction: "mean", weights: [1, 1, 1, 1] })).toThrow(RangeError);
  });
});

// ————————————————————————————————————————— shapes and errors —————————————————————————————————————————

describe("shape errors name the operation and both shapes", () => {
  const c = makeCase(SPECS[0]!); // d 3, h [4, 5], a 3, n 2, T 2
  const p = c.p;
  const withP = (q: Partial<StackedParams>): StackedParams => ({ ...p, ...q });

  it.each([
    ["X_t with the wrong width", () => stackedForward(p, [c.X[0]!, zeros(2, 4)], c.y), /stackedForward: inner shapes 4 and 3 of X_2 \[2,4\] and W_xh\^\(1\) \[3,4\] must match/],
    ["X_t with another batch size", () => stackedForward(p, [c.X[0]!, zeros(3, 3)], [c.y[0]!, [0, 0, 0]]), /X_2 \[3,3\] and X_1 \[2,3\] must have the same batch size/],
    ["targets of the wrong length", () => stackedForward(p, c.X, [c.y[0]!, [0]]), /targets of step 2 \[1\] and X_2 \[2,3\]/],
    ["targets for too few steps", () => stackedForward(p, c.X, [c.y[0]!]), /2 inputs X_1…X_2 but targets for 1 steps/],
    ["no time steps", () => stackedForward(p, [], []), /need at least one time step/],
    ["H_0 of the wrong shape", () => stackedForward(p, c.X, c.y, { H0: [zeros(2, 4), zeros(2, 4)] }), /H_0\^\(2\) \[2,4\] must be \[2,5\]: batch of X_1 \[2,3\], width of W_hh\^\(2\) \[5,5\]/],
    ["non-square W_hh", () => stackedSizesOf(withP({ Whh: [zeros(4, 3), p.Whh[1]!] })), /W_hh\^\(1\) \[4,3\] must be square/],
    ["W_xh^(2) not fitting H^(1)", () => stackedSizesOf(withP({ Wxh: [p.Wxh[0]!, zeros(3, 5)] })), /inner shapes 4 and 3 of H\^\(1\) \[n,4\] \(W_hh\^\(1\) \[4,4\]\) and W_xh\^\(2\) \[3,5\] must match/],
    ["W_xh and W_hh of different widths", () => stackedSizesOf(withP({ Wxh: [zeros(3, 2), p.Wxh[1]!] })), /W_xh\^\(1\) \[3,2\] and W_hh\^\(1\) \[4,4\] must have the same number of columns/],
    ["a bias that is not a row", () => stackedSizesOf(withP({ b: [zeros(4, 1), p.b[1]!] })), /b\^\(1\) \[4,1\] must be \[1,4\] to match W_hh\^\(1\) \[4,4\]/],
    ["W_ha not fitting H^(L)", () => stackedSizesOf(withP({ Wha: zeros(4, 3) })), /inner shapes 5 and 4 of H\^\(2\) \[n,5\] and W_ha \[4,3\] must match/],
    ["b_a of the wrong width", () => stackedSizesOf(withP({ ba: zeros(1, 2) })), /b_a \[1,2\] must be \[1,3\] to match W_ha \[5,3\]/],
    ["layers of unequal counts", () => stackedSizesOf(withP({ b: [p.b[0]!] })), /2 W_xh but 2 W_hh and 1 b/],
    ["params and forward pass of different sizes", () => stackedBackward(initStackedParams({ d: 3, hidden: [4, 6], a: 3 }, makeRng(1)), stackedForward(p, c.X, c.y)), /stackedBackward: params \(d 3, h \[4,6\], a 3\) and forward pass \(d 3, h \[4,5\], a 3\)/],
  ] as const)("%s", (_, fn, message) => {
    expect(fn).toThrow(ShapeError);
    expect(fn).toThrow(message);
  });

  it("a target outside [0, a) is a RangeError naming it", () => {
    expect(() => stackedForward(p, c.X, [c.y[0]!, [0, 3]])).toThrow(RangeError);
    expect(() => stackedForward(p, c.X, [c.y[0]!, [0, 3]])).toThrow(/y_\{2,2\} = 3 is not a class id in \[0, 3\)/);
  });

  it("initStackedParams rejects bad sizes", () => {
    expect(() => initStackedParams({ d: 0, hidden: [2], a: 2 }, makeRng(1))).toThrow(/d must be a positive integer/);
    expect(() => initStackedParams({ d: 2, hidden: [2, 1.5], a: 2 }, makeRng(1))).toThrow(/h_2 must be a positive integer/);
    expect(() => initStackedParams({ d: 2, hidden: [], a: 2 }, makeRng(1))).toThrow(/at least one recurrent layer/);
  });

  it("initStackedParams: every shape as stated, every entry of layer l within ±1/√h_l", () => {
    const sizes = { d: 3, hidden: [4, 9, 2], a: 5 };
    const q = initStackedParams(sizes, makeRng(9));
    expect(stackedSizesOf(q)).toEqual(sizes);
    const shapes = (ms: readonly Matrix[]) => ms.map((m) => [m.rows, m.cols]);
    expect(shapes(q.Wxh)).toEqual([[3, 4], [4, 9], [9, 2]]);
    expect(shapes(q.Whh)).toEqual([[4, 4], [9, 9], [2, 2]]);
    expect(shapes(q.b)).toEqual([[1, 4], [1, 9], [1, 2]]);
    expect(shapes([q.Wha, q.ba])).toEqual([[2, 5], [1, 5]]);
    sizes.hidden.forEach((h, l) => {
      for (const m of [q.Wxh[l]!, q.Whh[l]!, q.b[l]!]) expect(m.data.every((v) => Math.abs(v) <= 1 / Math.sqrt(h))).toBe(true);
    });
    // the bound is attained up to sampling, so a wrong scale (say 1/√d or 1) would not pass unnoticed
    expect(Math.max(...q.Whh[1]!.data.map(Math.abs))).toBeGreaterThan(0.9 / Math.sqrt(9));
  });

  it("the forward pass copies H_0 and does not modify its inputs", () => {
    const H0 = [zeros(2, 4), zeros(2, 5)];
    H0[0]!.data.fill(0.3);
    const before = c.X.map((x) => x.data.slice());
    const f = stackedForward(p, c.X, c.y, { H0 });
    H0[0]!.data.fill(9);
    expect(f.H0[0]!.data.every((v) => v === 0.3)).toBe(true);
    c.X.forEach((x, t) => expect(Array.from(x.data)).toEqual(Array.from(before[t]!)));
    expect(stackedLoss(p, c.X, c.y, { H0: f.H0 })).toBe(f.loss);
  });
});

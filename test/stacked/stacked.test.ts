/**
 * The L-layer stacked tanh RNN of lib/stacked/stacked.ts (the source's "stacked 1.2 (1)–(3)", X·W convention, batch of n
 * rows) and its hand-derived BPTT (the general form of "stacked 2.1 (1)–(8)"), checked three ways:
 *   - against central finite differences in float64 (lib/stacked/stacked.ts numerical*; ε = FD_EPSILON), for every
 *     parameter gradient and for ∂L/∂Z_t^(l), ∂L/∂H_t^(l), ∂L/∂Z_t^(L+1), ∂L/∂H_0^(l);
 *   - against TF.js reverse-mode autodiff (float32, CPU backend) on the float32-rounded model, with zero probes
 *     added to every Z, H and output pre-activation (as in test/derivation/tfjs-oracle.test.ts);
 *   - by fast-check properties over random L 1–3, n 1–3, T 1–4, widths 1–4.
 * Then: the forward pass against an independent plain-loop implementation, the two averagings, determinism, shape
 * errors, and deliberately wrong gradients that the same checks must reject.
 */
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { discrepancy } from "../../lib/core/fd.js";
import { type Matrix, ShapeError, clone, matmul, transpose, zeros } from "../../lib/core/matrix.js";
import { makeRng } from "../../lib/core/rng.js";
import {
  type StackedForward, type StackedGrads, type StackedOptions, type StackedParams, type StackedReduction, type StackedSizes,
  initStackedParams, numericalStackedParamGrads, numericalStackedStateGrads, oneHot, singleStepWeights, stackedBackward,
  stackedForward, stackedLoss, stackedSizesOf, stepWeightsFor, withWeights, zeroStates,
  ffnnForward, ffnnForwardPerExample, stackedForwardPerExample, softmaxRowSumError, stackSteps, stacked22Factor,
  numericalStacked22Factor, stacked22AsPrinted, stacked22Jacobians, stacked22Delta, stacked22Corrected, stacked22Truncated,
} from "../../lib/stacked/stacked.js";
import { FD_REL_TOL, FD_TOL, ROUNDING_TOL, TFJS_ABS_TOL, TFJS_REL_TOL } from "../../lib/core/tolerances.js";

// ————————————————————————————————————————— cases —————————————————————————————————————————

type H0Kind = "zeros" | "random";
interface Spec { seed: number; d: number; hidden: number[]; a: number; n: number; T: number; h0: H0Kind; reduction: StackedReduction }
interface Case { spec: Spec; p: StackedParams; X: Matrix[]; y: number[][]; opts: StackedOptions }

function uniform(rows: number, cols: number, k: number, rng: ReturnType<typeof makeRng>): Matrix {
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform(-k, k);
  return m;
}

/** Parameters from `seed`, then inputs, targets and (for "random") H_0 from the same stream. */
function makeCase(spec: Spec): Case {
  const rng = makeRng(spec.seed);
  const sizes: StackedSizes = { d: spec.d, hidden: spec.hidden, a: spec.a };
  const p = initStackedParams(sizes, rng);
  const X = Array.from({ length: spec.T }, () => uniform(spec.n, spec.d, 1, rng));
  const y = Array.from({ length: spec.T }, () => Array.from({ length: spec.n }, () => rng.int(spec.a)));
  const H0 = spec.h0 === "zeros" ? zeroStates(spec.n, sizes) : spec.hidden.map((h) => uniform(spec.n, h, 0.5, rng));
  return { spec, p, X, y, opts: { H0, reduction: spec.reduction } };
}

const label = (s: Spec) => `L ${s.hidden.length}, d ${s.d}, h [${s.hidden}], a ${s.a}, n ${s.n}, T ${s.T}, H0 ${s.h0}, ${s.reduction}`;
const SPECS: Spec[] = [
  { seed: 1, d: 3, hidden: [4, 5], a: 3, n: 2, T: 2, h0: "random", reduction: "mean" }, // the source's model and T
  { seed: 2, d: 3, hidden: [4, 5], a: 3, n: 2, T: 2, h0: "zeros", reduction: "source" },
  { seed: 3, d: 2, hidden: [3], a: 4, n: 3, T: 4, h0: "random", reduction: "mean" }, // L = 1
  { seed: 4, d: 4, hidden: [2, 3, 4], a: 2, n: 1, T: 3, h0: "random", reduction: "source" }, // L = 3, n = 1
  { seed: 5, d: 1, hidden: [1, 1], a: 2, n: 3, T: 1, h0: "zeros", reduction: "mean" }, // T = 1, widths 1
  { seed: 6, d: 2, hidden: [3, 2, 3], a: 5, n: 2, T: 4, h0: "random", reduction: "mean" },
  { seed: 7, d: 3, hidden: [2, 4], a: 1, n: 2, T: 3, h0: "random", reduction: "mean" }, // a = 1: L ≡ 0
];

// ————————————————————————————————————————— helpers —————————————————————————————————————————

function expectFd(what: string, analytic: Matrix, numeric: Matrix): void {
  const d = discrepancy(analytic, numeric);
  expect(d.relError, `${what}: ${JSON.stringify(d)}`).toBeLessThan(FD_REL_TOL);
}
/** For random models: relative error, or absolute when the gradient is ~0 (see test/properties.test.ts). */
function expectFdLoose(what: string, analytic: Matrix, numeric: Matrix): void {
  const d = discrepancy(analytic, numeric);
  expect(d.relError < 1e-6 || d.maxAbsError < FD_TOL, `${what}: ${JSON.stringify(d)}`).toBe(true);
}

/** An independent forward pass with plain nested loops (no lib/matrix), returning H_t^(l) and L. */
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

interface Setup { c: Case; f: StackedForward; g: StackedGrads }
const setups = new Map<Spec, Setup>();
function setup(spec: Spec): Setup {
  let s = setups.get(spec);
  if (!s) {
    const c = makeCase(spec);
    const f = stackedForward(c.p, c.X, c.y, c.opts);
    s = { c, f, g: stackedBackward(c.p, f) };
    setups.set(spec, s);
  }
  return s;
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

// ————————————————————————————————————————— TF.js oracle —————————————————————————————————————————

beforeAll(async () => {
  tf.env().set("PROD", true);
  await tf.setBackend("cpu");
  await tf.ready();
  expect(tf.getBackend()).toBe("cpu");
});

const r32 = (m: Matrix): Matrix => ({ rows: m.rows, cols: m.cols, data: m.data.map(Math.fround) });
/** Everything rounded to float32, so both sides start from identical numbers. */
function round32(c: Case): Case {
  const p: StackedParams = { Wxh: c.p.Wxh.map(r32), Whh: c.p.Whh.map(r32), b: c.p.b.map(r32), Wha: r32(c.p.Wha), ba: r32(c.p.ba) };
  return { ...c, p, X: c.X.map(r32), opts: { ...c.opts, H0: c.opts.H0!.map(r32) } };
}

interface Oracle { loss: number; Wxh: Float32Array[]; Whh: Float32Array[]; b: Float32Array[]; Wha: Float32Array; ba: Float32Array; dZ: Float32Array[][]; dH: Float32Array[][]; dZout: Float32Array[]; dH0: Float32Array[] }

/** stacked 1.2 (1)–(3) in TF.js, differentiated by TF.js, with zero probes on Z_t^(l), H_t^(l), Z_t^(L+1). */
function tfjsOracle(c: Case, weights: readonly number[]): Oracle {
  const { p, X, y } = c;
  const L = p.Wxh.length, T = X.length, n = X[0]!.rows, a = p.Wha.cols;
  return tf.tidy(() => {
    const mat = (m: Matrix) => tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols], "float32");
    const args: tf.Tensor[] = [
      ...p.Wxh.map(mat), ...p.Whh.map(mat), ...p.b.map(mat), mat(p.Wha), mat(p.ba), ...c.opts.H0!.map(mat),
      ...Array.from({ length: T * L }, (_, k) => tf.zeros([n, p.Whh[k % L]!.rows])), // probes on Z
      ...Array.from({ length: T * L }, (_, k) => tf.zeros([n, p.Whh[k % L]!.rows])), // probes on H
      ...Array.from({ length: T }, () => tf.zeros([n, a])), // probes on Z^(L+1)
    ];
    const lossFn = (...ts: tf.Tensor[]): tf.Scalar => {
      let k = 0;
      const take = (m: number) => ts.slice(k, (k += m)) as tf.Tensor2D[];
      const [Wxh, Whh, b, [Wha], [ba], H0, pZ, pH, pO] = [take(L), take(L), take(L), take(1), take(1), take(L), take(T * L), take(T * L), take(T)];
      let prev = H0;
      const steps: tf.Scalar[] = [];
      for (let t = 0; t < T; t++) {
        let input: tf.Tensor2D = tf.tensor2d(Float32Array.from(X[t]!.data), [n, X[t]!.cols], "float32");
        const cur: tf.Tensor2D[] = [];
        for (let l = 0; l < L; l++) {
          const z = tf.addN([tf.matMul(input, Wxh[l]!), tf.matMul(prev[l]!, Whh[l]!), tf.add(pZ[t * L + l]!, b[l]!)]);
          const h = tf.add(tf.tanh(z), pH[t * L + l]!) as tf.Tensor2D;
          cur.push(h);
          input = h;
        }
        prev = cur;
        const zo = tf.addN([tf.matMul(input, Wha!), tf.add(pO[t]!, ba!)]);
        const Y = tf.tensor2d(Float32Array.from(oneHot(y[t]!, a).data), [n, a], "float32");
        steps.push(tf.mul(tf.neg(tf.sum(tf.mul(Y, tf.logSoftmax(zo)))), weights[t]!) as tf.Scalar);
      }
      return tf.addN(steps) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(lossFn)(args);
    const gs = grads.map((g) => g.dataSync() as Float32Array);
    let k = 0;
    const take = (m: number) => gs.slice(k, (k += m));
    const [Wxh, Whh, b, [Wha], [ba], dH0, dZ, dH, dZout] = [take(L), take(L), take(L), take(1), take(1), take(L), take(T * L), take(T * L), take(T)];
    const byStep = (xs: Float32Array[]) => Array.from({ length: T }, (_, t) => xs.slice(t * L, (t + 1) * L));
    return { loss: value.dataSync()[0]!, Wxh, Whh, b, Wha: Wha!, ba: ba!, dH0, dZ: byStep(dZ), dH: byStep(dH), dZout };
  });
}

function expectTf(what: string, ours: Matrix, theirs: Float32Array): void {
  expect(ours.data.length, `${what}: sizes`).toBe(theirs.length);
  const d = discrepancy(ours.data, Float64Array.from(theirs));
  expect(d.relError < TFJS_REL_TOL || d.maxAbsError < TFJS_ABS_TOL, `${what}: ${JSON.stringify(d)}`).toBe(true);
}

function compareWithTf(c: Case, f: StackedForward, g: StackedGrads, o: Oracle): void {
  expect(Math.abs(f.loss - o.loss), "loss").toBeLessThanOrEqual(TFJS_REL_TOL * Math.max(1, f.loss));
  const L = c.p.Wxh.length;
  for (let l = 0; l < L; l++) {
    expectTf(`W_xh^(${l + 1})`, g.Wxh[l]!, o.Wxh[l]!);
    expectTf(`W_hh^(${l + 1})`, g.Whh[l]!, o.Whh[l]!);
    expectTf(`b^(${l + 1})`, g.b[l]!, o.b[l]!);
    expectTf(`H_0^(${l + 1})`, g.dH0[l]!, o.dH0[l]!);
  }
  expectTf("W_ha", g.Wha, o.Wha);
  expectTf("b_a", g.ba, o.ba);
  for (let t = 0; t < f.T; t++) {
    expectTf(`Z_${t + 1}^(L+1)`, g.dZout[t]!, o.dZout[t]!);
    for (let l = 0; l < L; l++) {
      expectTf(`Z_${t + 1}^(${l + 1})`, g.dZ[t]![l]!, o.dZ[t]![l]!);
      expectTf(`H_${t + 1}^(${l + 1})`, g.dH[t]![l]!, o.dH[t]![l]!);
    }
  }
}

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

// ————————————————————————————————————————— properties —————————————————————————————————————————

const NUM_RUNS = 100;

interface Model { spec: Spec }
const specArb: fc.Arbitrary<Spec> = fc
  .record({
    L: fc.integer({ min: 1, max: 3 }),
    n: fc.integer({ min: 1, max: 3 }),
    T: fc.integer({ min: 1, max: 4 }),
    d: fc.integer({ min: 1, max: 4 }),
    a: fc.integer({ min: 1, max: 4 }),
    seed: fc.integer({ min: 0, max: 0xffffffff }),
    h0: fc.constantFrom<H0Kind>("zeros", "random"),
    reduction: fc.constantFrom<StackedReduction>("mean", "source"),
  })
  .chain((r) => fc.array(fc.integer({ min: 1, max: 4 }), { minLength: r.L, maxLength: r.L }).map((hidden) => ({ ...r, hidden })))
  .map(({ L: _L, ...s }) => s);
const modelArb: fc.Arbitrary<Model> = specArb.map((spec) => ({ spec }));

const bytesOf = (ms: readonly Matrix[]) => Buffer.concat(ms.map((m) => Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength)));
const allGrads = (g: StackedGrads) => [...g.Wxh, ...g.Whh, ...g.b, g.Wha, g.ba, ...g.dZout, ...g.dH.flat(), ...g.dZ.flat(), ...g.dH0];

describe("properties over random models (L 1–3, n 1–3, T 1–4, widths 1–4)", () => {
  it("every parameter gradient matches central finite differences", () => {
    fc.assert(
      fc.property(modelArb, ({ spec }) => {
        const c = makeCase(spec);
        const g = stackedBackward(c.p, stackedForward(c.p, c.X, c.y, c.opts));
        const num = numericalStackedParamGrads(c.p, c.X, c.y, c.opts);
        g.Wxh.forEach((m, l) => expectFdLoose(`W_xh^(${l + 1})`, m, num.Wxh[l]!));
        g.Whh.forEach((m, l) => expectFdLoose(`W_hh^(${l + 1})`, m, num.Whh[l]!));
        g.b.forEach((m, l) => expectFdLoose(`b^(${l + 1})`, m, num.b[l]!));
        expectFdLoose("W_ha", g.Wha, num.Wha);
        expectFdLoose("b_a", g.ba, num.ba);
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
        g.dZout.forEach((m, t) => expectFdLoose(`dZout[${t + 1}]`, m, st.dZout[t]!));
        g.dZ.forEach((Zt, t) => Zt.forEach((m, l) => expectFdLoose(`dZ[${t + 1}][${l + 1}]`, m, st.dZ[t]![l]!)));
        g.dH.forEach((Ht, t) => Ht.forEach((m, l) => expectFdLoose(`dH[${t + 1}][${l + 1}]`, m, st.dH[t]![l]!)));
        g.dH0.forEach((m, l) => expectFdLoose(`dH0[${l + 1}]`, m, st.dH0[l]!));
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

// ————————————————————————————— Vera §1.1, §1.2: the forward passes, equation by equation —————————————————————————————

const TWO_LAYER = SPECS.filter((s) => s.hidden.length === 2 && s.a > 1);

describe.each(TWO_LAYER.map((s) => [label(s), s] as const))("Vera §1.1 and §1.2 forward passes, %s", (_, spec) => {
  const c = makeCase(spec);
  it("ffnnForward (§1.1 (1)–(3)) batch form equals ffnnForwardPerExample, row by row", () => {
    const b = ffnnForward(c.p, c.X[0]!), e = ffnnForwardPerExample(c.p, c.X[0]!);
    for (const k of ["H1", "H2", "A"] as const) expect(discrepancy(b[k], e[k]).maxAbsError, k).toBeLessThanOrEqual(ROUNDING_TOL);
    expect(softmaxRowSumError(b.A)).toBeLessThanOrEqual(ROUNDING_TOL);
  });
  it("ffnnForward is step 1 of the stacked RNN when H_0 = 0 (adding the recurrence is §1.2's only change)", () => {
    const f = stackedForward(c.p, c.X, c.y, { H0: zeroStates(spec.n, { d: spec.d, hidden: spec.hidden, a: spec.a }) });
    const b = ffnnForward(c.p, c.X[0]!);
    expect(discrepancy(b.A, f.A[0]!).maxAbsError).toBeLessThanOrEqual(ROUNDING_TOL);
    expect(discrepancy(b.H2, f.H[0]![1]!).maxAbsError).toBeLessThanOrEqual(ROUNDING_TOL);
  });
  it("stackedForwardPerExample (§1.2 (1)–(3)) equals the forward cache of stackedForward at every step", () => {
    const f = stackedForward(c.p, c.X, c.y, c.opts);
    const e = stackedForwardPerExample(c.p, c.X, c.opts.H0);
    for (let t = 0; t < spec.T; t++) {
      for (let l = 0; l < 2; l++) expect(discrepancy(e.H[t]![l]!, f.H[t]![l]!).maxAbsError).toBeLessThanOrEqual(ROUNDING_TOL);
      expect(discrepancy(e.A[t]!, f.A[t]!).maxAbsError).toBeLessThanOrEqual(ROUNDING_TOL);
      expect(softmaxRowSumError(e.A[t]!)).toBeLessThanOrEqual(ROUNDING_TOL);
    }
    expect(stackSteps(f.A).rows).toBe(spec.T * spec.n);
  });
});

describe("the forward checks can fail", () => {
  it("a per-example pass that ignores the recurrent weights differs from stackedForward at t = 2", () => {
    const c = makeCase(TWO_LAYER[0]!);
    const f = stackedForward(c.p, c.X, c.y, c.opts);
    const noRec = stackedForwardPerExample({ ...c.p, Whh: c.p.Whh.map((W) => zeros(W.rows, W.cols)) }, c.X, c.opts.H0);
    expect(discrepancy(noRec.H[1]![0]!, f.H[1]![0]!).maxAbsError).toBeGreaterThan(1e-3);
  });
  it("softmaxRowSumError sees rows that are not distributions", () => {
    expect(softmaxRowSumError({ rows: 1, cols: 2, data: Float64Array.from([0.5, 0.6]) })).toBeCloseTo(0.1, 12);
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
      expectFdLoose(`δ_${t + 1}`, d[t]!, num.dZ[t]![0]!);
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
    expectTf("W_hh^(1) by §2.2 corrected", stacked22Corrected(c32.p, f32), tfjsOracle(c32, f32.weights).Whh[0]!);
  });
});

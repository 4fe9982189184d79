/**
 * An independent oracle for eqs 4.1–4.9: the same RNN (eqs 1.1–1.7) written with TF.js ops and differentiated by
 * TF.js's reverse-mode autodiff, on the CPU backend in float32, with the same weights as our float64 model.
 *
 * Gradients w.r.t. the internal nodes o⁽ᵗ⁾ and h⁽ᵗ⁾ come from zero "probe" tensors added to them inside the graph:
 * h⁽ᵗ⁾ ↦ h⁽ᵗ⁾ + δh⁽ᵗ⁾ with δh⁽ᵗ⁾ = 0, so ∂L/∂δh⁽ᵗ⁾ is the total derivative (DL)_{h⁽ᵗ⁾} through o⁽ᵗ⁾ and through every
 * later step — exactly what eqs 4.2–4.3 define — and likewise for o⁽ᵗ⁾ (eq 4.1).
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { type Gradients, backward } from "../../lib/derivation/backward.js";
import { type Forward, forward } from "../../lib/derivation/forward.js";
import { discrepancy } from "../../lib/core/fd.js";
import { expectTfjs } from "../close.js";
import { type Matrix, type Vector } from "../../lib/core/matrix.js";
import { type H0Kind, type ParamName, type Params, H0_KINDS, PARAM_NAMES, initParams, initialHidden } from "../../lib/derivation/model.js";
import { makeRng } from "../../lib/core/rng.js";
import { TFJS_REL_TOL } from "../../lib/core/tolerances.js";
import { GRAD_OF } from "./fixtures.js";

/**
 * Largest accepted relative error ‖ours − tfjs‖₂ / (‖ours‖₂ + ‖tfjs‖₂) (lib/core/fd.ts `discrepancy`). TF.js's
 * CPU backend computes in float32 (unit roundoff u = 6e-8); each gradient entry is a sum of a few dozen products
 * carried through up to τ steps of the recursion, so a correct gradient agrees to ~1e-7–1e-6 relative (measured
 * over 600 random models up to vocab 10, hidden 8, τ 14: at most 6e-6, for (DL)_c, a sum over t of terms that
 * partly cancel). 1e-4 leaves a wide margin for float32 accumulation while any wrong term of eqs 4.1–4.9 (a missing
 * 1/τ, h⁽⁰⁾ or recurrent term) differs at 1e-2 or more. Our model is evaluated on the float32-rounded
 * weights, so the float32 arithmetic inside TF.js is the only source of disagreement.
 */

beforeAll(async () => {
  // PROD silences tfjs's console banner about the Node backend; it changes no arithmetic.
  tf.env().set("PROD", true);
  await tf.setBackend("cpu");
  await tf.ready();
  expect(tf.getBackend()).toBe("cpu");
});

interface Case { name: string; seed: number; vocab: number; dModel: number; hidden: number; inputs: number[]; targets: number[] }
const CASES: Case[] = [
  { name: "vocab 5, d 3, hidden 4, τ 6", seed: 1, vocab: 5, dModel: 3, hidden: 4, inputs: [0, 3, 3, 1, 4, 3], targets: [3, 3, 1, 4, 3, 0] },
  { name: "τ = 1", seed: 42, vocab: 3, dModel: 4, hidden: 5, inputs: [2], targets: [0] },
  { name: "hidden = 1", seed: 11, vocab: 6, dModel: 2, hidden: 1, inputs: [4, 4, 1, 4, 0], targets: [4, 1, 4, 0, 5] },
  { name: "vocab = 1", seed: 3, vocab: 1, dModel: 2, hidden: 3, inputs: [0, 0, 0, 0], targets: [0, 0, 0, 0] },
  { name: "τ = 1, hidden = 1, vocab = 2, d = 1", seed: 8, vocab: 2, dModel: 1, hidden: 1, inputs: [1], targets: [1] },
  { name: "vocab 10, d 4, hidden 6, τ 12", seed: 2024, vocab: 10, dModel: 4, hidden: 6, inputs: [9, 1, 1, 5, 3, 9, 0, 1, 5, 3, 3, 8], targets: [1, 1, 5, 3, 9, 0, 1, 5, 3, 3, 8, 2] },
  { name: "vocab 8, d 2, hidden 3, τ 9", seed: 7, vocab: 8, dModel: 2, hidden: 3, inputs: [2, 5, 2, 7, 2, 5, 0, 0, 1], targets: [5, 2, 7, 2, 5, 0, 0, 1, 6] },
];

const f32 = (a: Float64Array): Float64Array => a.map(Math.fround);
/** The float64 parameters rounded to float32, so both sides start from identical weights. */
function roundParams(p: Params): Params {
  const m = (x: Matrix): Matrix => ({ rows: x.rows, cols: x.cols, data: f32(x.data) });
  return { E: m(p.E), U: m(p.U), W: m(p.W), b: f32(p.b), V: m(p.V), c: f32(p.c) };
}

type Oracle = { loss: number; o: Float32Array; h: Float32Array } & Record<ParamName, Float32Array>;

/** eqs 1.1–1.7 in TF.js, then reverse-mode gradients w.r.t. E, U, W, b, V, c and the probes on h and o. */
function tfjsOracle(p: Params, inputs: number[], targets: number[], h0: Vector): Oracle {
  const vocab = p.E.rows, hidden = p.W.rows, tau = inputs.length;
  return tf.tidy(() => {
    const mat = (m: Matrix) => tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols], "float32");
    const args = [
      mat(p.E), mat(p.U), mat(p.W), tf.tensor1d(Float32Array.from(p.b), "float32"), mat(p.V),
      tf.tensor1d(Float32Array.from(p.c), "float32"), tf.zeros([tau, hidden]), tf.zeros([tau, vocab]),
    ];
    const lossFn = (...ts: tf.Tensor[]): tf.Scalar => {
      const [E, U, W, b, V, c, dH, dO] = ts as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor2D];
      let hPrev: tf.Tensor2D = tf.tensor2d(Float32Array.from(h0), [1, hidden], "float32");
      const steps: tf.Scalar[] = [];
      for (let t = 0; t < tau; t++) {
        const x = tf.gather(E, tf.tensor1d([inputs[t]!], "int32")); // eq 1.3, [1, d_model]
        const a = tf.add(tf.add(tf.matMul(hPrev, W, false, true), tf.matMul(x, U, false, true)), b); // eq 1.4
        const h = tf.add(tf.tanh(a), tf.slice(dH, [t, 0], [1, hidden])) as tf.Tensor2D; // eq 1.5 (+ probe)
        const o = tf.add(tf.add(tf.matMul(h, V, false, true), c), tf.slice(dO, [t, 0], [1, vocab])); // eq 1.6 (+ probe)
        const logYhat = tf.logSoftmax(o); // log of eq 1.7
        const onehot = tf.tensor2d([Array.from({ length: vocab }, (_, i) => (i === targets[t] ? 1 : 0))], [1, vocab], "float32");
        steps.push(tf.neg(tf.sum(tf.mul(onehot, logYhat))) as tf.Scalar); // eq 1.1
        hPrev = h;
      }
      return tf.div(tf.addN(steps), tau) as tf.Scalar; // eq 1.2
    };
    const { value, grads } = tf.valueAndGrads(lossFn)(args);
    const [gE, gU, gW, gb, gV, gc, gh, go] = grads.map((g) => g.dataSync() as Float32Array);
    return { loss: value.dataSync()[0]!, E: gE!, U: gU!, W: gW!, b: gb!, V: gV!, c: gc!, h: gh!, o: go! };
  });
}

interface Setup { p: Params; f: Forward; g: Gradients; tfjs: Oracle }
const cache = new Map<string, Setup>();
function setup(c: Case, kind: H0Kind): Setup {
  const key = `${c.name}/${kind}`;
  let s = cache.get(key);
  if (!s) {
    const p = roundParams(initParams({ vocab: c.vocab, dModel: c.dModel, hidden: c.hidden }, makeRng(c.seed)));
    const h0 = f32(initialHidden(kind, c.hidden));
    const f = forward(p, c.inputs, c.targets, h0);
    s = { p, f, g: backward(p, f, c.inputs, c.targets), tfjs: tfjsOracle(p, c.inputs, c.targets, h0) };
    cache.set(key, s);
  }
  return s;
}

const asF64 = (a: Float32Array) => Float64Array.from(a);

describe.each(CASES.flatMap((c) => H0_KINDS.map((k) => [`${c.name}, h0 ${k}`, c, k] as const)))("%s", (_, c, kind) => {
  it("eqs 1.1–1.2: the loss agrees with TF.js", () => {
    const { f, tfjs } = setup(c, kind);
    expect(Math.abs(f.loss - tfjs.loss)).toBeLessThanOrEqual(TFJS_REL_TOL * Math.max(1, f.loss));
  });

  it("eq 4.1 (DL)_o agrees with TF.js autodiff", () => {
    const { g, tfjs } = setup(c, kind);
    expectTfjs("dL_do", g.dL_do, asF64(tfjs.o));
  });

  it("eqs 4.2–4.3 (DL)_h (total, through later steps) agrees with TF.js autodiff", () => {
    const { g, tfjs } = setup(c, kind);
    expectTfjs("dL_dh", g.dL_dh, asF64(tfjs.h));
  });

  for (const name of ["c", "b", "V", "W", "U", "E"] as const) {
    it(`${GRAD_OF[name].eq} (DL)_${name} agrees with TF.js autodiff`, () => {
      const { g, tfjs } = setup(c, kind);
      expectTfjs(`dL_d${name}`, g[GRAD_OF[name].field] as Matrix | Vector, asF64(tfjs[name]));
    });
  }

  it("eq 4.9: TF.js also gives exactly 0 in the rows of tokens absent from the inputs", () => {
    const { g, tfjs } = setup(c, kind);
    for (let v = 0; v < c.vocab; v++) {
      if (c.inputs.includes(v)) continue;
      const theirs = Array.from(tfjs.E.subarray(v * c.dModel, (v + 1) * c.dModel));
      const ours = Array.from(g.dL_dE.data.subarray(v * c.dModel, (v + 1) * c.dModel));
      expect(theirs.every((x) => x === 0) && ours.every((x) => x === 0), `row ${v}: ${theirs} / ${ours}`).toBe(true);
    }
  });
});

describe("the oracle itself", () => {
  it("disposes every tensor it makes (tf.tidy)", () => {
    const before = tf.memory().numTensors;
    const c = CASES[0]!;
    const p = initParams({ vocab: c.vocab, dModel: c.dModel, hidden: c.hidden }, makeRng(99));
    tfjsOracle(p, c.inputs, c.targets, initialHidden("point-one", c.hidden));
    expect(tf.memory().numTensors).toBe(before);
  });

  it("can fail: the oracle tells the h⁽⁰⁾ conventions apart (eq 4.7), and a dropped 1/τ (eq 4.1)", () => {
    const c = CASES[0]!;
    const z = setup(c, "zeros"), q = setup(c, "point-one");
    expect(discrepancy(z.g.dL_dW.data, asF64(q.tfjs.W)).relError).toBeGreaterThan(TFJS_REL_TOL);
    const tau = c.inputs.length;
    expect(discrepancy(z.g.dL_do.data.map((v) => v * tau), asF64(z.tfjs.o)).relError).toBeGreaterThan(TFJS_REL_TOL);
  });

  it("lists every parameter", () => {
    expect(Object.keys(GRAD_OF).sort()).toEqual([...PARAM_NAMES].sort());
  });
});

/**
 * The TF.js oracle of the stacked-RNN tests: stacked 1.2 (1)–(3) written with TF.js ops and differentiated by TF.js
 * (float32, CPU backend), with zero probes added to every Z, H and output pre-activation so that their gradients
 * come out too (as in test/derivation/tfjs-oracle.test.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, expect } from "vitest";
import type { Matrix } from "../../lib/core/matrix.js";
import { TFJS_REL_TOL } from "../../lib/core/tolerances.js";
import type { StackedGrads } from "../../lib/stacked/backward.js";
import type { StackedForward } from "../../lib/stacked/forward.js";
import { oneHot } from "../../lib/stacked/ops.js";
import type { StackedParams } from "../../lib/stacked/params.js";
import { expectTfjs } from "../close.js";
import type { Case } from "./cases.js";

// ————————————————————————————————————————— TF.js oracle —————————————————————————————————————————

/** Run TF.js on its CPU backend in the calling test file. */
export function useTfjsCpu(): void {
  beforeAll(async () => {
    tf.env().set("PROD", true);
    await tf.setBackend("cpu");
    await tf.ready();
    expect(tf.getBackend()).toBe("cpu");
  });
}

export const r32 = (m: Matrix): Matrix => ({ rows: m.rows, cols: m.cols, data: m.data.map(Math.fround) });
/** Everything rounded to float32, so both sides start from identical numbers. */
export function round32(c: Case): Case {
  const p: StackedParams = { Wxh: c.p.Wxh.map(r32), Whh: c.p.Whh.map(r32), b: c.p.b.map(r32), Wha: r32(c.p.Wha), ba: r32(c.p.ba) };
  return { ...c, p, X: c.X.map(r32), opts: { ...c.opts, H0: c.opts.H0!.map(r32) } };
}

export interface Oracle { loss: number; Wxh: Float32Array[]; Whh: Float32Array[]; b: Float32Array[]; Wha: Float32Array; ba: Float32Array; dZ: Float32Array[][]; dH: Float32Array[][]; dZout: Float32Array[]; dH0: Float32Array[] }

/** stacked 1.2 (1)–(3) in TF.js, differentiated by TF.js, with zero probes on Z_t^(l), H_t^(l), Z_t^(L+1). */
export function tfjsOracle(c: Case, weights: readonly number[]): Oracle {
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

export function compareWithTf(c: Case, f: StackedForward, g: StackedGrads, o: Oracle): void {
  expect(Math.abs(f.loss - o.loss), "loss").toBeLessThanOrEqual(TFJS_REL_TOL * Math.max(1, f.loss));
  const L = c.p.Wxh.length;
  for (let l = 0; l < L; l++) {
    expectTfjs(`W_xh^(${l + 1})`, g.Wxh[l]!, Float64Array.from(o.Wxh[l]!));
    expectTfjs(`W_hh^(${l + 1})`, g.Whh[l]!, Float64Array.from(o.Whh[l]!));
    expectTfjs(`b^(${l + 1})`, g.b[l]!, Float64Array.from(o.b[l]!));
    expectTfjs(`H_0^(${l + 1})`, g.dH0[l]!, Float64Array.from(o.dH0[l]!));
  }
  expectTfjs("W_ha", g.Wha, Float64Array.from(o.Wha));
  expectTfjs("b_a", g.ba, Float64Array.from(o.ba));
  for (let t = 0; t < f.T; t++) {
    expectTfjs(`Z_${t + 1}^(L+1)`, g.dZout[t]!, Float64Array.from(o.dZout[t]!));
    for (let l = 0; l < L; l++) {
      expectTfjs(`Z_${t + 1}^(${l + 1})`, g.dZ[t]![l]!, Float64Array.from(o.dZ[t]![l]!));
      expectTfjs(`H_${t + 1}^(${l + 1})`, g.dH[t]![l]!, Float64Array.from(o.dH[t]![l]!));
    }
  }
}

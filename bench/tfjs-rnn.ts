/**
 * The model of eqs 1.1–1.7 written idiomatically in TF.js and differentiated by its reverse-mode autodiff
 * (`tf.grads`) on the CPU backend: what a reader would otherwise reach for. Like lib/fast/fast.ts it does the work that
 * is parallel over t as whole-sequence tensors (the gather of eq 1.3, x Uᵀ + b, h Vᵀ + c, the loss) and only the
 * recursion step by step, so the comparison is between engines, not between arrangements.
 */
import * as tf from "@tensorflow/tfjs";
import type { Vector } from "../lib/core/matrix.js";
import type { ParamName, Params } from "../lib/derivation/model.js";

export async function useCpuBackend(): Promise<void> {
  tf.env().set("PROD", true); // silences the banner suggesting tfjs-node; no effect on arithmetic
  await tf.setBackend("cpu");
  await tf.ready();
}

export interface TfjsRnn {
  /** One evaluation of L and its six gradients, read back into JS memory (as ours leaves them). */
  run(): { loss: number; grads: Record<ParamName, Float32Array> };
  dispose(): void;
}

export function tfjsRnn(p: Params, inputs: readonly number[], targets: readonly number[], h0: Vector): TfjsRnn {
  const vocab = p.E.rows, hidden = p.W.rows, tau = inputs.length;
  const m2 = (m: { rows: number; cols: number; data: Float64Array }) => tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols]);
  const params = [m2(p.E), m2(p.U), m2(p.W), tf.tensor1d(Float32Array.from(p.b)), m2(p.V), tf.tensor1d(Float32Array.from(p.c))];
  const idx = tf.tensor1d(Int32Array.from(inputs), "int32");
  const onehot = tf.oneHot(tf.tensor1d(Int32Array.from(targets), "int32"), vocab).toFloat();
  const hInit = tf.tensor2d(Float32Array.from(h0), [1, hidden]);
  const loss = (E: tf.Tensor, U: tf.Tensor, W: tf.Tensor, b: tf.Tensor, V: tf.Tensor, c: tf.Tensor): tf.Scalar => {
    const x = tf.gather(E, idx); // eq 1.3 for all t
    const xU = tf.add(tf.matMul(x, U, false, true), b); // input half of eq 1.4 for all t
    let h = hInit as tf.Tensor;
    const hs: tf.Tensor[] = [];
    for (let t = 0; t < tau; t++) {
      h = tf.tanh(tf.add(tf.slice(xU, [t, 0], [1, hidden]), tf.matMul(h, W, false, true))); // eqs 1.4–1.5
      hs.push(h);
    }
    const o = tf.add(tf.matMul(tf.concat(hs, 0), V, false, true), c); // eq 1.6 for all t
    return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(o)), 1))) as tf.Scalar; // eqs 1.7, 1.1, 1.2
  };
  const g = tf.valueAndGrads(loss as (...ts: tf.Tensor[]) => tf.Scalar);
  const names: ParamName[] = ["E", "U", "W", "b", "V", "c"];
  return {
    run() {
      return tf.tidy(() => {
        const { value, grads } = g(params);
        const out = {} as Record<ParamName, Float32Array>;
        names.forEach((n, i) => (out[n] = grads[i]!.dataSync() as Float32Array));
        return { loss: value.dataSync()[0]!, grads: out };
      });
    },
    dispose() {
      for (const t of [...params, idx, onehot, hInit]) t.dispose();
    },
  };
}

/**
 * TF.js oracles of the D2L pages (float32, reverse-mode autodiff), for the unit tests: the model of eqs 2a/2b
 * rebuilt as a TF.js graph, and its gradients, Jacobians and gated (truncated) gradients by tf.grads. Independent of
 * the code they check: they import the model's sizes and loss weights only (lib/d2l/model.ts). Pass the `tf`
 * namespace and call on float32-rounded inputs (`roundToFloat32`); this file imports TF.js types only, so the site
 * never bundles TF.js.
 */
import type * as TFNS from "@tensorflow/tfjs";
import {
  type Activation, type D2LOptions, type D2LParams, type D2LSequence, type Gate, type Targets, type WeightGrads,
  type WhName, lossWeights, optionsOf, sizesOfD2L, whLayout,
} from "./model.js";
import { type Matrix, type Vector, zeros } from "../core/matrix.js";

type TF = typeof TFNS;
type T2 = TFNS.Tensor2D;

function tfStep(tf: TF, act: Activation, a: T2): T2 {
  return act === "identity" ? a : act === "tanh" ? tf.tanh(a) : tf.relu(a);
}

function tfStepLoss(tf: TF, o: T2, targets: Targets, t: number): TFNS.Scalar {
  const q = o.shape[0];
  if (targets.kind === "cross-entropy") {
    const onehot = tf.tensor2d(Array.from({ length: q }, (_, i) => [i === targets.labels[t] ? 1 : 0]), [q, 1], "float32");
    return tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(tf.reshape(o, [1, q])).reshape([q, 1])))) as TFNS.Scalar;
  }
  const y = tf.tensor2d(Float32Array.from(targets.values[t]!), [q, 1], "float32");
  return tf.mul(0.5, tf.sum(tf.square(tf.sub(o, y)))) as TFNS.Scalar;
}

const col = (tf: TF, v: Vector): T2 => tf.tensor2d(Float32Array.from(v), [v.length, 1], "float32");
const mat = (tf: TF, m: Matrix): T2 => tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols], "float32");
const fromTf = (rows: number, cols: number, a: ArrayLike<number>): Matrix => ({ rows, cols, data: Float64Array.from(a) });

export interface TfjsD2L extends WeightGrads {
  loss: number;
  /** ∂L/∂o_t through zero probes added to o_t. */
  dL_do: Vector[];
  /** ∂L/∂h_t (total) through zero probes added to h_t. */
  dL_dh: Vector[];
}

/** eqs 2a/2b in TF.js; tf.valueAndGrads w.r.t. the three weights and zero probes on every h_t and o_t. */
export function tfjsD2L(tf: TF, p: D2LParams, s: D2LSequence, opts?: D2LOptions): TfjsD2L {
  const { activation, lossAt } = optionsOf(opts);
  const { T, hidden, q } = sizesOfD2L(p, s);
  const w = lossWeights(T, lossAt);
  let out: TfjsD2L | undefined;
  tf.tidy(() => {
    const args = [mat(tf, p.W_hx), mat(tf, p.W_hh), mat(tf, p.W_qh), tf.zeros([hidden, T]), tf.zeros([q, T])];
    const lossFn = (...ts: TFNS.Tensor[]): TFNS.Scalar => {
      const [Whx, Whh, Wqh, dH, dO] = ts as [T2, T2, T2, T2, T2];
      let h = col(tf, s.h0);
      const terms: TFNS.Scalar[] = [];
      for (let t = 0; t < T; t++) {
        h = tf.add(tfStep(tf, activation, tf.add(tf.matMul(Whx, col(tf, s.xs[t]!)), tf.matMul(Whh, h))), tf.slice(dH, [0, t], [hidden, 1]));
        const o = tf.add(tf.matMul(Wqh, h), tf.slice(dO, [0, t], [q, 1])) as T2;
        terms.push(tf.mul(w[t]!, tfStepLoss(tf, o, s.targets, t)) as TFNS.Scalar);
      }
      return tf.addN(terms) as TFNS.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(lossFn)(args);
    const [gx, gh, gq, gH, gO] = grads.map((g) => g.dataSync() as Float32Array) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
    const colsOf = (a: Float32Array, n: number) => Array.from({ length: T }, (_, t) => Float64Array.from({ length: n }, (_, i) => a[i * T + t]!));
    out = {
      loss: value.dataSync()[0]!,
      W_hx: fromTf(hidden, p.W_hx.cols, gx), W_hh: fromTf(hidden, hidden, gh), W_qh: fromTf(q, hidden, gq),
      dL_do: colsOf(gO, q), dL_dh: colsOf(gH, hidden),
    };
  });
  return out!;
}

/**
 * The gated estimator (see `Gate`) by TF.js autodiff: for each loss term l_t the states are rebuilt inside the graph
 * with the input to step j equal to H_{j−1} + g(t, j)(h_{j−1} − H_{j−1}), where H_{j−1} is a constant holding the
 * forward value (TF.js has no stopGradient; a constant plays its part). The value is unchanged and the gradient
 * through that edge is multiplied by g(t, j); g = 0 cuts it, g = 1 keeps it.
 */
export function tfjsGatedGrads(tf: TF, p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, gate: Gate): WeightGrads {
  const { activation, lossAt } = optionsOf(opts);
  const { T, hidden, q } = sizesOfD2L(p, s);
  const w = lossWeights(T, lossAt);
  let out: WeightGrads | undefined;
  tf.tidy(() => {
    // forward values in float32, as constants
    const H: T2[] = [col(tf, s.h0)];
    {
      const Whx = mat(tf, p.W_hx), Whh = mat(tf, p.W_hh);
      for (let t = 0; t < T; t++) H.push(tfStep(tf, activation, tf.add(tf.matMul(Whx, col(tf, s.xs[t]!)), tf.matMul(Whh, H[t]!))));
    }
    const lossFn = (...ts: TFNS.Tensor[]): TFNS.Scalar => {
      const [Whx, Whh, Wqh] = ts as [T2, T2, T2];
      const terms: TFNS.Scalar[] = [];
      for (let t = 1; t <= T; t++) {
        if (w[t - 1] === 0) continue;
        let h: T2 = H[0]!;
        for (let j = 1; j <= t; j++) {
          const g = gate(t, j), Hc = H[j - 1]!;
          const hIn = j === 1 || g === 0 ? Hc : g === 1 ? h : (tf.add(Hc, tf.mul(g, tf.sub(h, Hc))) as T2);
          h = tfStep(tf, activation, tf.add(tf.matMul(Whx, col(tf, s.xs[j - 1]!)), tf.matMul(Whh, hIn)));
        }
        terms.push(tf.mul(w[t - 1]!, tfStepLoss(tf, tf.matMul(Wqh, h), s.targets, t - 1)) as TFNS.Scalar);
      }
      return tf.addN(terms) as TFNS.Scalar;
    };
    const grads = tf.grads(lossFn)([mat(tf, p.W_hx), mat(tf, p.W_hh), mat(tf, p.W_qh)]);
    const [gx, gh, gq] = grads.map((g) => g.dataSync() as Float32Array) as [Float32Array, Float32Array, Float32Array];
    out = { W_hx: fromTf(hidden, p.W_hx.cols, gx), W_hh: fromTf(hidden, hidden, gh), W_qh: fromTf(q, hidden, gq) };
  });
  return out!;
}

/** ∂h_t/∂w_h for t = 1 … T by TF.js, one tf.grads call per entry of h_t. */
export function tfjsDhdw(tf: TF, p: D2LParams, s: D2LSequence, opts?: D2LOptions, names?: readonly WhName[]): Matrix[] {
  const { activation } = optionsOf(opts);
  const { T, hidden } = sizesOfD2L(p, s);
  const layout = whLayout(p, names);
  const out = Array.from({ length: T }, () => zeros(hidden, layout.P));
  tf.tidy(() => {
    for (let t = 1; t <= T; t++) {
      for (let i = 0; i < hidden; i++) {
        const fn = (...ts: TFNS.Tensor[]): TFNS.Scalar => {
          const [Whx, Whh] = ts as [T2, T2];
          let h = col(tf, s.h0);
          for (let j = 0; j < t; j++) h = tfStep(tf, activation, tf.add(tf.matMul(Whx, col(tf, s.xs[j]!)), tf.matMul(Whh, h)));
          return tf.sum(tf.slice(h, [i, 0], [1, 1])) as TFNS.Scalar;
        };
        const [gx, gh] = tf.grads(fn)([mat(tf, p.W_hx), mat(tf, p.W_hh)]).map((g) => g.dataSync()) as [Float32Array, Float32Array];
        for (const n of layout.names) {
          const src = n === "W_hx" ? gx : gh;
          out[t - 1]!.data.set(Float64Array.from(src), i * layout.P + layout.offset[n]!);
        }
      }
    }
  });
  return out;
}

/** ∂h_to/∂h_from (1-based, to ≥ from) by TF.js, through a zero probe added to h_from. */
export function tfjsStateJacobian(tf: TF, p: D2LParams, s: D2LSequence, opts: D2LOptions | undefined, from: number, to: number): Matrix {
  const { activation } = optionsOf(opts);
  const { T, hidden } = sizesOfD2L(p, s);
  if (!(from >= 1 && to >= from && to <= T)) throw new RangeError(`tfjsStateJacobian: need 1 ≤ from ≤ to ≤ T, got ${from}, ${to}`);
  const J = zeros(hidden, hidden);
  tf.tidy(() => {
    const Whx = mat(tf, p.W_hx), Whh = mat(tf, p.W_hh);
    for (let i = 0; i < hidden; i++) {
      const fn = (probe: TFNS.Tensor): TFNS.Scalar => {
        let h = col(tf, s.h0);
        for (let j = 1; j <= to; j++) {
          h = tfStep(tf, activation, tf.add(tf.matMul(Whx, col(tf, s.xs[j - 1]!)), tf.matMul(Whh, h)));
          if (j === from) h = tf.add(h, probe) as T2;
        }
        return tf.sum(tf.slice(h, [i, 0], [1, 1])) as TFNS.Scalar;
      };
      const g = tf.grad(fn)(tf.zeros([hidden, 1])).dataSync();
      for (let k = 0; k < hidden; k++) J.data[i * hidden + k] = g[k]!;
    }
  });
  return J;
}

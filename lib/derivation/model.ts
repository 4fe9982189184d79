/**
 * The RNN of "BPTT Derivations" (A. Singh) §1: its parameters, their shapes and their initialisers.
 *
 * PyTorch conventions throughout: row vectors, a linear layer is `h Wᵀ + b`, weights stored [out, in],
 * and the embedding table E is vocab × d_model.
 */
import { type Matrix, type Vector, ShapeError, zeros } from "../core/matrix.js";
import type { Rng } from "../core/rng.js";

export interface Sizes {
  /** Number of tokens, the rows of E and V (the source's "V" in "V × d_model"). */
  vocab: number;
  /** Embedding width, d_model. */
  dModel: number;
  /** Hidden-state width, n in §3.5. */
  hidden: number;
}

export interface Params {
  /** Embedding table, vocab × d_model (eq 1.3). */
  E: Matrix;
  /** Input-to-hidden weights, hidden × d_model (eq 1.4). */
  U: Matrix;
  /** Hidden-to-hidden weights, hidden × hidden (eq 1.4). */
  W: Matrix;
  /** Input-to-hidden bias, [hidden] (eq 1.4). */
  b: Vector;
  /** Hidden-to-logit weights, vocab × hidden (eq 1.6). */
  V: Matrix;
  /** Hidden-to-logit bias, [vocab] (eq 1.6). */
  c: Vector;
}

export const PARAM_NAMES = ["E", "U", "W", "b", "V", "c"] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

/** The shape each parameter must have, as [rows, cols] for matrices and [length] for vectors. */
export function paramShapes({ vocab, dModel, hidden }: Sizes): Record<ParamName, number[]> {
  return { E: [vocab, dModel], U: [hidden, dModel], W: [hidden, hidden], b: [hidden], V: [vocab, hidden], c: [vocab] };
}

/** Read the sizes off a set of parameters and check that every shape agrees with them. */
export function sizesOf(p: Params): Sizes {
  const sizes = { vocab: p.E.rows, dModel: p.E.cols, hidden: p.W.rows };
  const want = paramShapes(sizes);
  for (const name of PARAM_NAMES) {
    const v = p[name];
    const got = "data" in v ? [v.rows, v.cols] : [v.length];
    if (got.join() !== want[name].join()) {
      throw new ShapeError(
        `params: ${name} has shape [${got}], expected [${want[name]}] for vocab ${sizes.vocab}, d_model ${sizes.dModel}, hidden ${sizes.hidden}`,
      );
    }
  }
  return sizes;
}

function uniformMatrix(rows: number, cols: number, k: number, rng: Rng): Matrix {
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform(-k, k);
  return m;
}

function uniformVector(n: number, k: number, rng: Rng): Vector {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.uniform(-k, k);
  return v;
}

/**
 * PyTorch's default initialisation, drawn in a fixed order (E, U, W, b, V, c) so a seed pins every number:
 * nn.RNN and nn.Linear draw U(−1/√hidden, 1/√hidden). nn.Embedding draws N(0, 1); we draw U(−√3, √3), which has
 * the same mean and variance, because the RNG promises bitwise reproducibility only for uniforms.
 */
export function initParams(sizes: Sizes, rng: Rng): Params {
  const { vocab, dModel, hidden } = sizes;
  for (const [k, v] of Object.entries(sizes)) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`initParams: ${k} must be a positive integer, got ${v}`);
  }
  const k = 1 / Math.sqrt(hidden);
  const E = uniformMatrix(vocab, dModel, Math.sqrt(3), rng);
  const U = uniformMatrix(hidden, dModel, k, rng);
  const W = uniformMatrix(hidden, hidden, k, rng);
  const b = uniformVector(hidden, k, rng);
  const V = uniformMatrix(vocab, hidden, k, rng);
  const c = uniformVector(vocab, k, rng);
  return { E, U, W, b, V, c };
}

/** The h⁽⁰⁾ conventions: zeros (the usual default) or 0.1·ones (what the source's own code used). */
export type H0Kind = "zeros" | "point-one";
export const H0_KINDS: readonly H0Kind[] = ["zeros", "point-one"];

export function initialHidden(kind: H0Kind, hidden: number): Vector {
  return new Float64Array(hidden).fill(kind === "point-one" ? 0.1 : 0);
}

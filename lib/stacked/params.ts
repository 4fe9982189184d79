/**
 * The parameters of the stacked RNN of "Mathematics of Backpropagation Through Time" (J. Vera, 2025), generalised
 * from its 2 recurrent layers to any L ≥ 1, stored as the source writes them: [in, out], so that they multiply
 * from the right (X·W; lib/derivation/model.ts stores the main derivation's [out, in]).
 *
 * X_t ∈ R^{n×d}; W_xh^(1) ∈ R^{d×h₁}, W_xh^(l) ∈ R^{h_{l−1}×h_l}; W_hh^(l) ∈ R^{h_l×h_l}; b^(l) ∈ R^{1×h_l}, added to
 * every row (broadcast over the batch); W_ha ∈ R^{h_L×a}; b_a ∈ R^{1×a}. The source's W_{h₁h₂}^{(2)} is our
 * W_xh^(2) (the input-to-hidden weights of layer 2), its W_{h₂a}^{(3)} and b_a^{(3)} are W_ha and b_a.
 * Layer l is index l − 1 of each list.
 */
import { type Matrix, ShapeError, shapeText, zeros } from "../core/matrix.js";
import type { Rng } from "../core/rng.js";

export interface StackedSizes {
  /** Input width d (columns of X_t). */
  d: number;
  /** Hidden widths h_1 … h_L; L = hidden.length ≥ 1. */
  hidden: readonly number[];
  /** Output width a (classes). */
  a: number;
}

export interface StackedParams {
  /** W_xh^(l) at index l − 1: [d, h₁] for l = 1, [h_{l−1}, h_l] above (the source's W_{xh₁}^{(1)}, W_{h₁h₂}^{(2)}). */
  Wxh: readonly Matrix[];
  /** W_hh^(l) at index l − 1: [h_l, h_l]. */
  Whh: readonly Matrix[];
  /** b^(l) at index l − 1: [1, h_l], broadcast over the batch. */
  b: readonly Matrix[];
  /** W_ha: [h_L, a] (the source's W_{h₂a}^{(3)}). */
  Wha: Matrix;
  /** b_a: [1, a]. */
  ba: Matrix;
}

/** A gradient for every parameter, each of its parameter's shape. */
export interface StackedParamGrads {
  /** ∂L/∂W_xh^(l) at index l − 1 (the general form of stacked 2.1 (4), (7)). */
  Wxh: Matrix[];
  /** ∂L/∂W_hh^(l) at index l − 1 (stacked 2.1 (5), (8)). */
  Whh: Matrix[];
  /** ∂L/∂b^(l) at index l − 1, [1, h_l]: the column sums of Σ_t ∂L/∂Z_t^(l) (the source gives none). */
  b: Matrix[];
  /** ∂L/∂W_ha (stacked 2.1 (2)). */
  Wha: Matrix;
  /** ∂L/∂b_a, [1, a]. */
  ba: Matrix;
}

/** Read the sizes off a set of parameters, checking every shape; throws ShapeError naming both shapes. */
export function stackedSizesOf(p: StackedParams): StackedSizes {
  const op = "stacked params";
  const fmt = shapeText;
  const L = p.Wxh.length;
  if (L < 1) throw new ShapeError(`${op}: need at least one recurrent layer, got ${L}`);
  if (p.Whh.length !== L || p.b.length !== L) {
    throw new ShapeError(`${op}: ${L} W_xh but ${p.Whh.length} W_hh and ${p.b.length} b; need one of each per layer`);
  }
  const hidden: number[] = [];
  for (let l = 0; l < L; l++) {
    const Wxh = p.Wxh[l]!, Whh = p.Whh[l]!, b = p.b[l]!;
    const name = (s: string) => `${s}^(${l + 1})`;
    if (Whh.rows !== Whh.cols) throw new ShapeError(`${op}: ${name("W_hh")} ${fmt(Whh)} must be square`);
    if (Wxh.cols !== Whh.cols) {
      throw new ShapeError(`${op}: ${name("W_xh")} ${fmt(Wxh)} and ${name("W_hh")} ${fmt(Whh)} must have the same number of columns (h_${l + 1})`);
    }
    if (l > 0 && Wxh.rows !== hidden[l - 1]) {
      const prev = p.Whh[l - 1]!;
      throw new ShapeError(
        `${op}: inner shapes ${hidden[l - 1]} and ${Wxh.rows} of H^(${l}) [n,${hidden[l - 1]}] (W_hh^(${l}) ${fmt(prev)}) and ${name("W_xh")} ${fmt(Wxh)} must match`,
      );
    }
    if (b.rows !== 1 || b.cols !== Whh.cols) throw new ShapeError(`${op}: ${name("b")} ${fmt(b)} must be [1,${Whh.cols}] to match ${name("W_hh")} ${fmt(Whh)}`);
    if (Whh.rows < 1) throw new ShapeError(`${op}: ${name("W_hh")} ${fmt(Whh)} has no hidden units`);
    hidden.push(Whh.cols);
  }
  const hL = hidden[L - 1]!;
  if (p.Wha.rows !== hL) {
    throw new ShapeError(`${op}: inner shapes ${hL} and ${p.Wha.rows} of H^(${L}) [n,${hL}] and W_ha ${fmt(p.Wha)} must match`);
  }
  if (p.ba.rows !== 1 || p.ba.cols !== p.Wha.cols) throw new ShapeError(`${op}: b_a ${fmt(p.ba)} must be [1,${p.Wha.cols}] to match W_ha ${fmt(p.Wha)}`);
  const d = p.Wxh[0]!.rows;
  if (d < 1 || p.Wha.cols < 1) throw new ShapeError(`${op}: W_xh^(1) ${fmt(p.Wxh[0]!)} and W_ha ${fmt(p.Wha)} need d ≥ 1 and a ≥ 1`);
  return { d, hidden, a: p.Wha.cols };
}

function uniformMatrix(rows: number, cols: number, k: number, rng: Rng): Matrix {
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform(-k, k);
  return m;
}

/**
 * Seeded initialisation (stacked 1.2 (1)–(3) parameters), PyTorch's nn.RNN / nn.Linear default: every entry of
 * layer l drawn from U(−1/√h_l, 1/√h_l), the output layer's from U(−1/√h_L, 1/√h_L); drawn in the fixed order
 * W_xh^(1), W_hh^(1), b^(1), W_xh^(2), …, W_ha, b_a, so a seed pins every number.
 */
export function initStackedParams(sizes: StackedSizes, rng: Rng): StackedParams {
  const { d, hidden, a } = sizes;
  for (const [k, v] of [["d", d], ["a", a], ...hidden.map((h, l) => [`h_${l + 1}`, h] as const)] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`initStackedParams: ${k} must be a positive integer, got ${v}`);
  }
  if (hidden.length < 1) throw new RangeError("initStackedParams: need at least one recurrent layer (hidden = [])");
  const Wxh: Matrix[] = [], Whh: Matrix[] = [], b: Matrix[] = [];
  hidden.forEach((h, l) => {
    const k = 1 / Math.sqrt(h);
    Wxh.push(uniformMatrix(l === 0 ? d : hidden[l - 1]!, h, k, rng));
    Whh.push(uniformMatrix(h, h, k, rng));
    b.push(uniformMatrix(1, h, k, rng));
  });
  const k = 1 / Math.sqrt(hidden[hidden.length - 1]!);
  return { Wxh, Whh, b, Wha: uniformMatrix(hidden[hidden.length - 1]!, a, k, rng), ba: uniformMatrix(1, a, k, rng) };
}

/** Zero initial states H_0^(l) ∈ R^{n×h_l}, the default. */
export function zeroStates(n: number, sizes: StackedSizes): Matrix[] {
  return sizes.hidden.map((h) => zeros(n, h));
}

/** The 3-layer FFNN of §1.1 runs on the stacked model's feed-forward weights, which need its two hidden layers. */
export function checkFfnnInput(op: string, p: StackedParams, X: Matrix): void {
  stackedSizesOf(p);
  if (p.Wxh.length !== 2) throw new RangeError(`${op}: the 3-layer FFNN of §1.1 has two hidden layers, got ${p.Wxh.length}`);
  if (X.cols !== p.Wxh[0]!.rows) throw new ShapeError(`${op}: inner shapes ${X.cols} and ${p.Wxh[0]!.rows} of X ${shapeText(X)} and W_xh^(1) ${shapeText(p.Wxh[0]!)} must match`);
  if (X.rows < 1) throw new ShapeError(`${op}: X ${shapeText(X)} has no batch rows`);
}

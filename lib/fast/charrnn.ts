/**
 * A character-level RNN trained with the derivation's BPTT, in the style of Karpathy's min-char-rnn: the model of
 * §1 (eqs 1.1–1.7) over the characters of a text, gradients by lib/fast/fast.ts (eqs 4.1–4.9), truncated BPTT with the
 * hidden state carried from one chunk of τ characters into the next, gradient clipping and Adagrad.
 *
 * Everything is pure and seeded (lib/core/rng.ts): a configuration and a text pin every number of a run. The training
 * page runs `trainStep` in a Web Worker (src/workers/train.ts); test/fast/charrnn.test.ts checks each piece by hand.
 */
import { lastHidden, lossAndGrads, makeWorkspace, type Workspace } from "./fast.js";
import type { Matrix } from "../core/matrix.js";
import { initParams, PARAM_NAMES, type Params, type Sizes } from "../derivation/model.js";
import { makeRng, type Rng } from "../core/rng.js";
import { exp, log, tanh } from "../core/libm.js";
import { InputError } from "../core/tokens.js";

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary and chunks
// ---------------------------------------------------------------------------------------------------------------

/** The characters of a text, sorted by code point; `index` maps a character to its row of E and of V. */
export interface Vocab {
  readonly chars: readonly string[];
  readonly index: ReadonlyMap<string, number>;
}

/** The vocabulary of eq 1.3's lookup: every distinct character of `text` (code points, sorted), one row of E each. */
export function buildVocab(text: string): Vocab {
  const chars = [...new Set(Array.from(text))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  return { chars, index: new Map(chars.map((c, i) => [c, i])) };
}

/** The token ids of `text` (the i_t of eq 1.3); throws on a character outside the vocabulary. */
export function encode(text: string, vocab: Vocab): Int32Array {
  const chars = Array.from(text);
  const out = new Int32Array(chars.length);
  chars.forEach((c, i) => {
    const id = vocab.index.get(c);
    if (id === undefined) throw new RangeError(`encode: character ${JSON.stringify(c)} is not in the vocabulary`);
    out[i] = id;
  });
  return out;
}

/**
 * Truncated BPTT's chunking (min-char-rnn): the chunk starting at `pos` has inputs ids[pos … pos+τ−1] and
 * targets ids[pos+1 … pos+τ] (each target is the next character). When fewer than τ + 1 characters remain, the
 * chunk starts again at 0 and `wrapped` says the caller must reset h⁽⁰⁾ to zeros; otherwise the next chunk's
 * h⁽⁰⁾ is this chunk's h⁽τ⁾ (eq 1.5 carried across the cut, with no gradient flowing back through it).
 * Fills `inputs` and `targets` (length τ) in place; returns the chunk's start and where the next one starts.
 */
export function nextChunk(
  ids: ArrayLike<number>, pos: number, tau: number, inputs: number[], targets: number[],
): { start: number; next: number; wrapped: boolean } {
  if (ids.length < tau + 1) throw new RangeError(`nextChunk: a text of ${ids.length} characters is shorter than τ + 1 = ${tau + 1}`);
  let wrapped = false;
  if (pos + tau + 1 > ids.length) {
    pos = 0;
    wrapped = true;
  }
  for (let t = 0; t < tau; t++) {
    inputs[t] = ids[pos + t]!;
    targets[t] = ids[pos + t + 1]!;
  }
  return { start: pos, next: pos + tau, wrapped };
}

// ---------------------------------------------------------------------------------------------------------------
// Clipping and Adagrad
// ---------------------------------------------------------------------------------------------------------------

/** The six parameters (or gradients, or Adagrad memories) as flat arrays, in PARAM_NAMES order. */
export function flatParts(p: Params): Float64Array[] {
  return PARAM_NAMES.map((n) => {
    const v = p[n];
    return "data" in v ? v.data : v;
  });
}

/** Clipping by value (min-char-rnn's `np.clip(g, −c, c)`): every entry of every gradient into [−c, c], in place. */
export function clipByValueInPlace(parts: readonly Float64Array[], c: number): void {
  for (const g of parts) {
    for (let i = 0; i < g.length; i++) {
      const v = g[i]!;
      if (v > c) g[i] = c;
      else if (v < -c) g[i] = -c;
    }
  }
}

/** ‖g‖₂ over all parts together: the global norm (Pascanu, Mikolov and Bengio, 2013). */
export function globalNorm(parts: readonly Float64Array[]): number {
  // Four partial sums: one running sum is bound by the latency of its additions (it was 12% of a training step).
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (const g of parts) {
    const n = g.length;
    let i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += g[i]! * g[i]!; s1 += g[i + 1]! * g[i + 1]!; s2 += g[i + 2]! * g[i + 2]!; s3 += g[i + 3]! * g[i + 3]!;
    }
    for (; i < n; i++) s0 += g[i]! * g[i]!;
  }
  return Math.sqrt((s0 + s1) + (s2 + s3));
}

/**
 * Clipping by global norm (Pascanu et al., 2013, Algorithm 1): if ‖g‖ > c, every gradient is scaled by c/‖g‖, so
 * the direction is kept and the norm becomes c. In place; returns ‖g‖ before clipping.
 */
export function clipByGlobalNormInPlace(parts: readonly Float64Array[], c: number): number {
  const norm = globalNorm(parts);
  if (norm > c) {
    const s = c / norm;
    for (const g of parts) for (let i = 0; i < g.length; i++) g[i] = g[i]! * s;
  }
  return norm;
}

/** The ε of Adagrad's denominator, min-char-rnn's 1e-8. */
export const ADAGRAD_EPS = 1e-8;

/**
 * One Adagrad step (Duchi, Hazan and Singer, 2011), entry by entry and in place: m += g², θ −= lr·g/√(m + ε).
 * Entries whose gradient is zero (the rows of (DL)_E for characters not in the chunk, eq 4.9) do not move.
 */
export function adagradUpdate(theta: Float64Array, g: Float64Array, m: Float64Array, lr: number, eps = ADAGRAD_EPS): void {
  for (let i = 0; i < theta.length; i++) {
    const gi = g[i]!;
    const mi = (m[i] = m[i]! + gi * gi);
    theta[i] = theta[i]! - (lr * gi) / Math.sqrt(mi + eps);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Sampling
// ---------------------------------------------------------------------------------------------------------------

/** ŷ = softmax(o / T) (eq 1.7 with a temperature T: T < 1 sharpens, T > 1 flattens), into `out`. */
export function softmaxWithTemperature(o: ArrayLike<number>, T: number, out: Float64Array = new Float64Array(o.length)): Float64Array {
  let m = -Infinity;
  for (let k = 0; k < o.length; k++) m = Math.max(m, o[k]! / T);
  let z = 0;
  for (let k = 0; k < o.length; k++) z += out[k] = exp(o[k]! / T - m);
  for (let k = 0; k < o.length; k++) out[k] = out[k]! / z;
  return out;
}

/** One draw from the categorical distribution `p` (inverse CDF with one uniform from `rng`). */
export function drawIndex(p: ArrayLike<number>, rng: Rng): number {
  const u = rng.next();
  let acc = 0;
  for (let k = 0; k < p.length; k++) {
    acc += p[k]!;
    if (u < acc) return k;
  }
  return p.length - 1; // rounding: the probabilities may sum to 1 − 1e-16
}

/**
 * `n` characters generated by the model: from h (not modified) and a first input id, repeat eq 1.3 (x = E[i]),
 * eqs 1.4–1.5 (h ← tanh(h Wᵀ + x Uᵀ + b)), eq 1.6 (o = h Vᵀ + c), eq 1.7 at temperature T, and feed the drawn
 * character back in. Returns the ids drawn.
 */
export function sampleIds(p: Params, h0: ArrayLike<number>, first: number, n: number, T: number, rng: Rng): number[] {
  const V = p.E.rows, d = p.E.cols, H = p.W.rows;
  let h = Float64Array.from(h0);
  let next = new Float64Array(H);
  const o = new Float64Array(V), probs = new Float64Array(V);
  const out: number[] = [];
  let id = first;
  for (let s = 0; s < n; s++) {
    const x = id * d;
    for (let j = 0; j < H; j++) {
      let a = p.b[j]!;
      const w = j * H, u = j * d;
      for (let k = 0; k < H; k++) a += h[k]! * p.W.data[w + k]!;
      for (let k = 0; k < d; k++) a += p.E.data[x + k]! * p.U.data[u + k]!;
      next[j] = tanh(a);
    }
    [h, next] = [next, h];
    for (let k = 0; k < V; k++) {
      let v = p.c[k]!;
      const r = k * H;
      for (let j = 0; j < H; j++) v += h[j]! * p.V.data[r + j]!;
      o[k] = v;
    }
    id = drawIndex(softmaxWithTemperature(o, T, probs), rng);
    out.push(id);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Smoothed loss and the rows of (DL)_E
// ---------------------------------------------------------------------------------------------------------------

/** The loss of a model that knows nothing, L = ln(vocab) (uniform ŷ in eq 1.1): where the smoothed loss starts. */
export const initialLoss = (vocab: number): number => log(vocab);

/** min-char-rnn's running average: s ← β s + (1 − β) L, with β = 0.999. */
export function smoothLoss(prev: number, loss: number, beta = 0.999): number {
  return beta * prev + (1 - beta) * loss;
}

/**
 * The non-zero rows of (DL)_E and their norms. By eq 4.9, (DL)_E = Σ_t e_{i_t}ᵀ (DL)_{x⁽ᵗ⁾}: only the rows of
 * characters that occur among the chunk's inputs can be non-zero.
 */
export function nonZeroRowNorms(G: Matrix): { index: number; norm: number }[] {
  const out: { index: number; norm: number }[] = [];
  for (let i = 0; i < G.rows; i++) {
    let s = 0;
    for (let j = 0; j < G.cols; j++) s += G.data[i * G.cols + j]! * G.data[i * G.cols + j]!;
    if (s > 0) out.push({ index: i, norm: Math.sqrt(s) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------------------------

export type ClipMode = "value" | "norm" | "none";
export const CLIP_MODES: readonly ClipMode[] = ["value", "norm", "none"];

export interface TrainConfig {
  hidden: number;
  tau: number;
  dModel: number;
  lr: number;
  clip: ClipMode;
  clipValue: number;
  temperature: number;
  sampleEvery: number;
  seed: number;
}

/** min-char-rnn's settings (hidden 100, τ 25, lr 0.1, clip 5) plus an embedding width. */
export const TRAIN_DEFAULT: Readonly<TrainConfig> = {
  hidden: 100, tau: 25, dModel: 32, lr: 0.1, clip: "value", clipValue: 5, temperature: 1, sampleEvery: 200, seed: 1,
};

/** Integer ranges [lo, hi] and real ranges (lo, hi]. */
export const TRAIN_LIMITS = {
  hidden: [1, 512], tau: [1, 200], dModel: [1, 256], sampleEvery: [1, 100_000], seed: [0, 4_294_967_295],
  lr: [0, 10], clipValue: [0, 1e6], temperature: [0, 10],
} as const;

/** The page's name of each field, which every validation message starts with. */
export const TRAIN_FIELD_NAMES: Record<keyof TrainConfig, string> = {
  hidden: "Hidden size", tau: "τ", dModel: "d_model", lr: "Learning rate", clip: "Clipping",
  clipValue: "Clip threshold", temperature: "Temperature", sampleEvery: "Sample every", seed: "Seed",
};

/**
 * A training configuration from the raw strings of a form: throws one message naming the field and what was
 * expected ("Hidden size: expected an integer from 1 to 512, got "0"."). Sizes, seed and sampling interval are
 * integers; learning rate, clip threshold and temperature are positive reals.
 */
export function validateTrainConfig(raw: Record<string, string | number | undefined>): TrainConfig {
  const str = (k: keyof TrainConfig) => String(raw[k] ?? "").trim();
  const int = (k: "hidden" | "tau" | "dModel" | "sampleEvery" | "seed") => {
    const [lo, hi] = TRAIN_LIMITS[k];
    const s = str(k), v = s === "" ? NaN : Number(s);
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw new InputError(`${TRAIN_FIELD_NAMES[k]}: expected an integer from ${lo} to ${hi}, got ${JSON.stringify(s)}.`, k);
    }
    return v;
  };
  const real = (k: "lr" | "clipValue" | "temperature") => {
    const [lo, hi] = TRAIN_LIMITS[k];
    const s = str(k), v = s === "" ? NaN : Number(s);
    if (!Number.isFinite(v) || v <= lo || v > hi) {
      throw new InputError(`${TRAIN_FIELD_NAMES[k]}: expected a number above ${lo} and at most ${hi}, got ${JSON.stringify(s)}.`, k);
    }
    return v;
  };
  const clip = str("clip") as ClipMode;
  if (!CLIP_MODES.includes(clip)) {
    throw new InputError(`${TRAIN_FIELD_NAMES.clip}: expected one of ${CLIP_MODES.join(", ")}, got ${JSON.stringify(clip)}.`, "clip");
  }
  return {
    hidden: int("hidden"), tau: int("tau"), dModel: int("dModel"), lr: real("lr"), clip, clipValue: real("clipValue"),
    temperature: real("temperature"), sampleEvery: int("sampleEvery"), seed: int("seed"),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The training loop
// ---------------------------------------------------------------------------------------------------------------

/** A training run in progress: everything `trainStep` reads and writes. */
export interface Trainer {
  config: TrainConfig;
  readonly vocab: Vocab;
  readonly ids: Int32Array;
  readonly sizes: Sizes;
  readonly params: Params;
  /** Adagrad's memories, one per parameter, shaped like the parameters. */
  readonly mem: Params;
  /** h⁽⁰⁾ of the next chunk: the previous chunk's h⁽τ⁾ (zeros at the start and after a wrap). */
  readonly h: Float64Array;
  readonly ws: Workspace;
  readonly inputs: number[];
  readonly targets: number[];
  /** Where the next chunk starts, and where the current (last trained) one started. */
  pos: number;
  chunkStart: number;
  /** Steps done, the last chunk's mean loss L (eq 1.2), its smoothed value, and ‖g‖ before clipping. */
  step: number;
  loss: number;
  smooth: number;
  gradNorm: number;
  /** The rng of `sampleText`; parameters are drawn from makeRng(seed), samples from their own stream. */
  readonly sampleRng: Rng;
}

const zerosLike = (p: Params): Params => ({
  E: { ...p.E, data: new Float64Array(p.E.data.length) }, U: { ...p.U, data: new Float64Array(p.U.data.length) },
  W: { ...p.W, data: new Float64Array(p.W.data.length) }, b: new Float64Array(p.b.length),
  V: { ...p.V, data: new Float64Array(p.V.data.length) }, c: new Float64Array(p.c.length),
});

/** A fresh run: vocabulary of `text`, parameters by `initParams` from makeRng(seed), h⁽⁰⁾ = 0, Adagrad memories 0. */
export function makeTrainer(text: string, config: TrainConfig): Trainer {
  const vocab = buildVocab(text);
  const ids = encode(text, vocab);
  if (ids.length < config.tau + 1) {
    throw new InputError(`${TRAIN_FIELD_NAMES.tau}: the text has ${ids.length} characters, fewer than τ + 1 = ${config.tau + 1}.`, "tau");
  }
  const sizes = { vocab: vocab.chars.length, dModel: config.dModel, hidden: config.hidden };
  const params = initParams(sizes, makeRng(config.seed));
  return {
    config: { ...config }, vocab, ids, sizes, params, mem: zerosLike(params), h: new Float64Array(config.hidden),
    ws: makeWorkspace(sizes, config.tau), inputs: new Array<number>(config.tau).fill(0),
    targets: new Array<number>(config.tau).fill(0), pos: 0, chunkStart: 0, step: 0, loss: NaN,
    smooth: initialLoss(sizes.vocab), gradNorm: NaN, sampleRng: makeRng((config.seed ^ 0x5bd1e995) >>> 0),
  };
}

/**
 * One step of truncated BPTT: the next chunk (`nextChunk`), L and the six gradients from h⁽⁰⁾ = the carried state
 * (eqs 1.1–1.7, 4.1–4.9 by lib/fast/fast.ts), `observe(ws)` if given (the raw gradients, before clipping), clipping as
 * configured, one Adagrad step, and h⁽τ⁾ carried into the next chunk. Returns L. Allocates nothing.
 */
export function trainStep(tr: Trainer, observe?: (ws: Workspace) => void): number {
  const { config, ws } = tr;
  const c = nextChunk(tr.ids, tr.pos, config.tau, tr.inputs, tr.targets);
  if (c.wrapped) tr.h.fill(0);
  const loss = lossAndGrads(tr.params, tr.inputs, tr.targets, tr.h, ws);
  observe?.(ws);
  const g = ws.grads;
  const grads = [g.E.data, g.U.data, g.W.data, g.b, g.V.data, g.c];
  if (config.clip === "value") {
    tr.gradNorm = globalNorm(grads);
    clipByValueInPlace(grads, config.clipValue);
  } else if (config.clip === "norm") tr.gradNorm = clipByGlobalNormInPlace(grads, config.clipValue);
  else tr.gradNorm = globalNorm(grads);
  const p = tr.params, m = tr.mem, lr = config.lr;
  adagradUpdate(p.E.data, g.E.data, m.E.data, lr);
  adagradUpdate(p.U.data, g.U.data, m.U.data, lr);
  adagradUpdate(p.W.data, g.W.data, m.W.data, lr);
  adagradUpdate(p.b, g.b, m.b, lr);
  adagradUpdate(p.V.data, g.V.data, m.V.data, lr);
  adagradUpdate(p.c, g.c, m.c, lr);
  tr.h.set(lastHidden(ws));
  tr.chunkStart = c.start;
  tr.pos = c.next;
  tr.step++;
  tr.loss = loss;
  tr.smooth = smoothLoss(tr.smooth, loss);
  return loss;
}

/**
 * `n` characters sampled at the run's temperature, continuing the text where training stands: from the carried
 * h⁽τ⁾ with the character that follows the last chunk (its last target) as the first input.
 */
export function sampleText(tr: Trainer, n = 200, T = tr.config.temperature): string {
  const first = tr.targets[tr.config.tau - 1]!;
  return sampleIds(tr.params, tr.h, first, n, T, tr.sampleRng).map((i) => tr.vocab.chars[i]).join("");
}

/** The settings that may change during a run without a reset (the sizes and the seed may not). */
export type LiveOptions = Pick<TrainConfig, "lr" | "clip" | "clipValue" | "temperature" | "sampleEvery">;

export function setLiveOptions(tr: Trainer, o: LiveOptions): void {
  tr.config = { ...tr.config, lr: o.lr, clip: o.clip, clipValue: o.clipValue, temperature: o.temperature, sampleEvery: o.sampleEvery };
}

/** Whether two configurations need a fresh run to go from one to the other (sizes or seed differ). */
export function needsReset(a: TrainConfig, b: TrainConfig): boolean {
  return a.hidden !== b.hidden || a.tau !== b.tau || a.dModel !== b.dModel || a.seed !== b.seed;
}

/**
 * What step 1 of a run sees, without taking it: the first chunk of a fresh run (h⁽⁰⁾ = 0), its loss L (eq 1.2)
 * and its raw gradients by lib/fast/fast.ts, with the non-zero rows of (DL)_E (eq 4.9). The page checks these rows
 * against lib/derivation/backward.ts's `gradE`.
 */
export function firstChunk(text: string, config: TrainConfig): {
  trainer: Trainer; loss: number; dE: Matrix; rows: { index: number; norm: number }[];
} {
  const trainer = makeTrainer(text, config);
  nextChunk(trainer.ids, 0, config.tau, trainer.inputs, trainer.targets);
  const loss = lossAndGrads(trainer.params, trainer.inputs, trainer.targets, trainer.h, trainer.ws);
  const dE = trainer.ws.grads.E;
  return { trainer, loss, dE, rows: nonZeroRowNorms(dE) };
}

// ——————————————————————— what the training worker and the page say to each other (src/workers/train.ts) ———————————————————————

/** Messages from the page to the training worker. */
export type TrainIn =
  | { type: "start"; text: string; config: TrainConfig; run: number }
  | { type: "pause" } | { type: "resume" } | { type: "reset" } | { type: "sample" }
  | { type: "options"; options: LiveOptions };

export interface Progress {
  type: "progress";
  /** The `run` of the start message, so the page can drop messages of a run it has reset. */
  run: number;
  running: boolean;
  step: number;
  loss: number;
  smooth: number;
  gradNorm: number;
  stepsPerSec: number;
  /** The characters of the chunk whose (DL)_E rows `rows` holds (the last step observed), and where it starts. */
  chunk: string;
  chunkStart: number;
  /** The non-zero rows of (DL)_E of that chunk (before clipping): vocabulary index and row norm. */
  rows: { index: number; norm: number }[];
  /** New [step, loss, smoothed loss] points since the last progress message. */
  points: [number, number, number][];
  /** The newest sample, if one was drawn since the last message. */
  sample?: { step: number; text: string; temperature: number };
}

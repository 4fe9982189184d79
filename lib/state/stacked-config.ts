/**
 * The controls of the stacked-RNN page (src/stacked.md): validation of the reader's sizes and seed, and the seeded
 * example they describe — the source's 2-layer stacked RNN (stacked 1.2 (1)–(3), lib/stacked/stacked.ts) with a batch of
 * n rows, T steps, random inputs X_t ∈ R^{n×d}, random class targets and zero initial states H_0^(l).
 *
 * Every size is kept tiny (1–4) so that each matrix on the page stays readable and the finite-difference checks of
 * every equation cost a few milliseconds. The page's URL carries the same fields (STACKED_QUERY).
 */
import { type Matrix, zeros } from "../core/matrix.js";
import type { QuerySchema } from "./query.js";
import { type Schema, integer, validateFields } from "./fields.js";
import { makeRng } from "../core/rng.js";
import { type StackedParams, type StackedSizes, initStackedParams, zeroStates } from "../stacked/params.js";

export interface StackedConfig {
  /** Batch size n (rows of X_t). */
  n: number;
  /** Sequence length T. */
  T: number;
  /** Input width d. */
  d: number;
  /** Hidden widths of the two recurrent layers. */
  h1: number;
  h2: number;
  /** Output width a (classes). */
  a: number;
  seed: number;
}

/**
 * The default: T = 2 as in the source, and a batch size n = 3 different from both hidden widths, so that
 * stacked 2.1 (5) and (8), which only type-check when n = h₂ (resp. n = h₁), show their shape errors.
 */
export const STACKED_DEFAULTS: Readonly<StackedConfig> = { n: 3, T: 2, d: 2, h1: 4, h2: 2, a: 3, seed: 1 };

/** Inclusive ranges of the controls. a ≥ 2: with one class the softmax is constant and every gradient is zero. */
export const STACKED_LIMITS: Readonly<Record<keyof StackedConfig, readonly [number, number]>> = {
  n: [1, 4], T: [1, 4], d: [1, 4], h1: [1, 4], h2: [1, 4], a: [2, 4], seed: [0, 9999],
};

/** The controls' names as the page shows them (used in the messages). */
export const STACKED_FIELD_NAMES: Readonly<Record<keyof StackedConfig, string>> = {
  n: "n", T: "T", d: "d", h1: "h₁", h2: "h₂", a: "a", seed: "seed",
};

/** The settings of /stacked: every one an integer in its range, checked in the order of the form. */
export const STACKED_FIELDS = Object.fromEntries(
  (Object.keys(STACKED_LIMITS) as (keyof StackedConfig)[]).map((k) => [k, integer(STACKED_LIMITS[k], STACKED_FIELD_NAMES[k])]),
) as Schema<StackedConfig>;

/**
 * Check every field (in the order of the form); throws the InputError of the first bad field. A field may be a
 * number or the string a form or link gives, parsed strictly (lib/state/fields.ts).
 */
export function validateStackedConfig(c: Partial<Record<keyof StackedConfig, unknown>>): StackedConfig {
  return validateFields(STACKED_FIELDS, c);
}

/** The URL parameters of /stacked (`?n=4&h1=3`): the field keys, as h₁ cannot be typed in a link. */
export const STACKED_QUERY: QuerySchema = (Object.keys(STACKED_LIMITS) as (keyof StackedConfig)[]).map((k) => [k, k]);

export interface StackedExample {
  config: StackedConfig;
  sizes: StackedSizes;
  params: StackedParams;
  /** X_t at index t − 1, [n, d], entries uniform on (−1, 1). */
  X: Matrix[];
  /** y_{t,r} at [t − 1][r], class ids in [0, a). */
  targets: number[][];
  /** H_0^(l) at index l − 1: zeros. */
  H0: Matrix[];
}

/**
 * Validate and build: the parameters from `initStackedParams` (seeded), then the inputs X_1 … X_T and then the
 * targets, all from the same seeded generator, so a configuration pins every number.
 */
export function buildStackedExample(c: Partial<Record<keyof StackedConfig, unknown>>): StackedExample {
  const config = validateStackedConfig(c);
  const { n, T, d, h1, h2, a, seed } = config;
  const rng = makeRng(seed);
  const sizes: StackedSizes = { d, hidden: [h1, h2], a };
  const params = initStackedParams(sizes, rng);
  const X = Array.from({ length: T }, () => {
    const m = zeros(n, d);
    for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform(-1, 1);
    return m;
  });
  const targets = Array.from({ length: T }, () => Array.from({ length: n }, () => rng.int(a)));
  return { config, sizes, params, X, targets, H0: zeroStates(n, sizes) };
}

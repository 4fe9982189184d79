/**
 * The tiny RNN every page computes on, built from a reader's configuration: a vocabulary of characters, an
 * input text, sizes, a seed and the h⁽⁰⁾ convention. Validation lives here, not in the pages, so that a bad
 * value gets the same one-line message (naming the field and what was expected) wherever it is typed.
 */
import { type Gradients, backward } from "./backward.js";
import { type Forward, forward } from "./forward.js";
import { type ParamGrads, numericalHiddenGrads, numericalLogitGrads, numericalParamGrads } from "./gradcheck.js";
import type { Matrix, Vector } from "./matrix.js";
import { type H0Kind, H0_KINDS, type Params, initParams, initialHidden } from "./model.js";
import { makeRng } from "./rng.js";
import { InputError } from "./tokens.js";

export interface ExampleConfig {
  /** The vocabulary: distinct characters, one token each, in id order. */
  vocab: string;
  /** The input text, one character per token. */
  text: string;
  /** Explicit targets, one character per input; empty means next-token targets (see `tokensOf`). */
  targets: string;
  dModel: number;
  hidden: number;
  seed: number;
  h0: H0Kind;
}

/**
 * "cabbage" over a–h: τ = 6 next-token steps, repeated tokens (a, b) whose rows of (DL)_E sum two
 * contributions, and tokens that never occur as inputs (d, e, f, h) whose rows stay exactly zero — e occurs only
 * as a target, which is the subtle case.
 */
export const DEFAULT_CONFIG: Readonly<ExampleConfig> = {
  vocab: "abcdefgh", text: "cabbage", targets: "", dModel: 4, hidden: 6, seed: 1, h0: "zeros",
};

/**
 * Inclusive ranges for the sizes a page lets a reader choose. The bound is the full finite-difference check of
 * every parameter that each page runs on each edit: at the largest configuration (vocab 32, d_model 8, hidden 16,
 * τ 32) it takes about half a second, at the default one about 2 ms. "Tiny" is the point: every number stays
 * readable on screen.
 */
export const LIMITS = {
  vocab: [1, 32], text: [1, 32], dModel: [1, 8], hidden: [1, 16], seed: [0, 4294967295],
} as const;

export interface Example {
  config: ExampleConfig;
  /** Token labels in id order. */
  labels: string[];
  inputs: number[];
  targets: number[];
  params: Params;
  h0: Vector;
  fwd: Forward;
  grads: Gradients;
}

function checkInt(field: string, value: unknown, [lo, hi]: readonly [number, number]): number {
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new InputError(`${field}: is empty or not a number: expected an integer from ${lo} to ${hi}`);
  }
  if (!Number.isInteger(value) || value < lo || value > hi) {
    throw new InputError(`${field}: ${value} is out of range: expected an integer from ${lo} to ${hi}`);
  }
  return value;
}

function checkVocab(vocab: unknown): string[] {
  if (typeof vocab !== "string") throw new InputError(`vocab: expected a string of characters`);
  const labels = Array.from(vocab);
  if (labels.length < LIMITS.vocab[0] || labels.length > LIMITS.vocab[1]) {
    throw new InputError(`vocab: has ${labels.length} characters: expected ${LIMITS.vocab[0]} to ${LIMITS.vocab[1]}`);
  }
  const seen = new Set<string>();
  for (const ch of labels) {
    if (seen.has(ch)) throw new InputError(`vocab: ${JSON.stringify(ch)} appears twice: expected distinct characters`);
    seen.add(ch);
  }
  return labels;
}

function encode(field: string, text: string, labels: string[]): number[] {
  return Array.from(text, (ch, i) => {
    const id = labels.indexOf(ch);
    if (id < 0) {
      throw new InputError(`${field}: ${JSON.stringify(ch)} at position ${i + 1} is not in the vocabulary ${JSON.stringify(labels.join(""))}`);
    }
    return id;
  });
}

/**
 * Inputs and targets from the text. With no explicit targets the model predicts the next character: inputs are
 * all characters but the last, targets all but the first, so τ = length − 1.
 */
export function tokensOf(config: ExampleConfig): { labels: string[]; inputs: number[]; targets: number[] } {
  const labels = checkVocab(config.vocab);
  if (typeof config.text !== "string") throw new InputError(`text: expected a string of characters`);
  const ids = encode("text", config.text, labels);
  const [lo, hi] = LIMITS.text;
  if (config.targets === "") {
    if (ids.length < 2) {
      throw new InputError(`text: has ${ids.length} character${ids.length === 1 ? "" : "s"}: next-token targets need at least 2 (τ = length − 1)`);
    }
    if (ids.length > hi + 1) throw new InputError(`text: has ${ids.length} characters: expected at most ${hi + 1}`);
    return { labels, inputs: ids.slice(0, -1), targets: ids.slice(1) };
  }
  if (ids.length < lo || ids.length > hi) throw new InputError(`text: has ${ids.length} characters: expected ${lo} to ${hi}`);
  const targets = encode("targets", config.targets, labels);
  if (targets.length !== ids.length) {
    throw new InputError(`targets: has ${targets.length} characters but text has ${ids.length}: expected one target per input (or none for next-token targets)`);
  }
  return { labels, inputs: ids, targets };
}

/** Validate a configuration and compute everything the pages show: forward pass and all gradients. */
export function buildExample(config: ExampleConfig): Example {
  const { labels, inputs, targets } = tokensOf(config);
  const dModel = checkInt("d_model", config.dModel, LIMITS.dModel);
  const hidden = checkInt("hidden", config.hidden, LIMITS.hidden);
  const seed = checkInt("seed", config.seed, LIMITS.seed);
  if (!H0_KINDS.includes(config.h0)) {
    throw new InputError(`h0: ${JSON.stringify(config.h0)} is not a convention: expected one of ${H0_KINDS.join(", ")}`);
  }
  const params = initParams({ vocab: labels.length, dModel, hidden }, makeRng(seed));
  const h0 = initialHidden(config.h0, hidden);
  const fwd = forward(params, inputs, targets, h0);
  const grads = backward(params, fwd, inputs, targets);
  return { config: { ...config }, labels, inputs, targets, params, h0, fwd, grads };
}

/** The configuration as URL query parameters, in a fixed order so a link is stable. Defaults are left out. */
export function configToQuery(config: ExampleConfig): string {
  const q = new URLSearchParams();
  for (const [key, param] of QUERY_KEYS) {
    if (config[key] !== DEFAULT_CONFIG[key]) q.set(param, String(config[key]));
  }
  return q.toString();
}

const QUERY_KEYS: [keyof ExampleConfig, string][] = [
  ["text", "text"], ["targets", "targets"], ["vocab", "vocab"], ["dModel", "d_model"], ["hidden", "hidden"],
  ["seed", "seed"], ["h0", "h0"],
];

/**
 * Reads a configuration from a query string; absent parameters take their defaults. Numbers are parsed
 * strictly ("4x" is not 4), and the result is validated by `buildExample` like any typed value.
 */
export function configFromQuery(search: string): ExampleConfig {
  const q = new URLSearchParams(search);
  const config: ExampleConfig = { ...DEFAULT_CONFIG };
  for (const [key, param] of QUERY_KEYS) {
    const v = q.get(param);
    if (v === null) continue;
    if (typeof DEFAULT_CONFIG[key] === "number") (config as unknown as Record<string, unknown>)[key] = v.trim() === "" ? NaN : Number(v);
    else (config as unknown as Record<string, unknown>)[key] = v;
  }
  return config;
}

/** The independent checks of every gradient, by central differences (lib/gradcheck.ts), computed once per example. */
export interface NumericalGradients {
  dL_do: Matrix;
  dL_dh: Matrix;
  params: ParamGrads;
}

const numericCache = new WeakMap<Example, NumericalGradients>();

/** Each part is computed on first use and kept, so a page pays only for the checks it shows. */
export function numericalGradients(ex: Example): NumericalGradients {
  let n = numericCache.get(ex);
  if (!n) {
    const memo = <T>(f: () => T) => {
      let v: T | undefined;
      return () => (v ??= f());
    };
    const dL_do = memo(() => numericalLogitGrads(ex.fwd, ex.targets));
    const dL_dh = memo(() => numericalHiddenGrads(ex.params, ex.fwd, ex.inputs, ex.targets));
    const params = memo(() => numericalParamGrads(ex.params, ex.inputs, ex.targets, ex.h0));
    n = {
      get dL_do() { return dL_do(); },
      get dL_dh() { return dL_dh(); },
      get params() { return params(); },
    };
    numericCache.set(ex, n);
  }
  return n;
}

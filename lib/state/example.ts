/**
 * The tiny RNN every page computes on, built from a reader's configuration: a vocabulary of characters, an
 * input text, sizes, a seed and the h⁽⁰⁾ convention. Validation lives here, not in the pages, so that a bad
 * value gets the same one-line message (naming the field and what was expected) wherever it is typed.
 */
import { type Gradients, backward } from "../derivation/backward.js";
import { type Forward, forward } from "../derivation/forward.js";
import { type ParamGrads, numericalHiddenGrads, numericalLogitGrads, numericalParamGrads } from "../derivation/gradcheck.js";
import type { Matrix, Vector } from "../core/matrix.js";
import { type H0Kind, H0_KINDS, type Params, initParams, initialHidden } from "../derivation/model.js";
import { makeRng } from "../core/rng.js";
import { type QuerySchema, type Raw, type Settled, queryOf, readLink, settle } from "./query.js";
import { type Schema, choice, integer, text, validateFields } from "./fields.js";
import { InputError } from "../core/tokens.js";

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

/** Why the text is limited, said where the limit bites (the message of a long text, the form's hint). */
const TEXT_LIMIT_WHY = `τ ≤ ${LIMITS.text[1]} steps keeps the full finite-difference check of every edit fast`;

/** The form's hint under the input text: with next-token targets, τ = length − 1, hence one character more. */
export const TEXT_HINT = `At most ${LIMITS.text[1] + 1} characters: ${TEXT_LIMIT_WHY}.`;

/** The sizes, seed and h⁽⁰⁾ of a configuration, in the order they are checked (`tokensOf` checks the texts). */
const SIZE_FIELDS: Schema<Pick<ExampleConfig, "dModel" | "hidden" | "seed" | "h0">> = {
  dModel: integer(LIMITS.dModel, "d_model"), hidden: integer(LIMITS.hidden), seed: integer(LIMITS.seed),
  h0: choice(H0_KINDS, "a convention"),
};

/** Every setting of the main pages' form, in the order they are checked. */
export const EXAMPLE_FIELDS: Schema<ExampleConfig> = { text: text(), targets: text(), vocab: text(), ...SIZE_FIELDS };

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

function checkVocab(vocab: unknown): string[] {
  if (typeof vocab !== "string") throw new InputError(`vocab: expected a string of characters`, "vocab");
  const labels = Array.from(vocab);
  if (labels.length < LIMITS.vocab[0] || labels.length > LIMITS.vocab[1]) {
    throw new InputError(`vocab: has ${labels.length} characters: expected ${LIMITS.vocab[0]} to ${LIMITS.vocab[1]}`, "vocab");
  }
  const seen = new Set<string>();
  for (const ch of labels) {
    if (seen.has(ch)) throw new InputError(`vocab: ${JSON.stringify(ch)} appears twice: expected distinct characters`, "vocab");
    seen.add(ch);
  }
  return labels;
}

function encode(field: string, text: string, labels: string[]): number[] {
  return Array.from(text, (ch, i) => {
    const id = labels.indexOf(ch);
    if (id < 0) {
      throw new InputError(`${field}: ${JSON.stringify(ch)} at position ${i + 1} is not in the vocabulary ${JSON.stringify(labels.join(""))}`, field);
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
  if (typeof config.text !== "string") throw new InputError(`text: expected a string of characters`, "text");
  const ids = encode("text", config.text, labels);
  const [lo, hi] = LIMITS.text;
  if (config.targets === "") {
    if (ids.length < 2) {
      throw new InputError(`text: has ${ids.length} character${ids.length === 1 ? "" : "s"}: next-token targets need at least 2 (τ = length − 1)`, "text");
    }
    if (ids.length > hi + 1) {
      throw new InputError(`text: has ${ids.length} characters: expected at most ${hi + 1} (τ = length − 1, and ${TEXT_LIMIT_WHY})`, "text");
    }
    return { labels, inputs: ids.slice(0, -1), targets: ids.slice(1) };
  }
  if (ids.length < lo || ids.length > hi) {
    throw new InputError(`text: has ${ids.length} characters: expected ${lo} to ${hi} (one step per character, and ${TEXT_LIMIT_WHY})`, "text");
  }
  const targets = encode("targets", config.targets, labels);
  if (targets.length !== ids.length) {
    throw new InputError(`targets: has ${targets.length} characters but text has ${ids.length}: expected one target per input (or none for next-token targets)`, "targets");
  }
  return { labels, inputs: ids, targets };
}

/** Validate a configuration and compute everything the pages show: forward pass and all gradients. */
export function buildExample(config: ExampleConfig): Example {
  const { labels, inputs, targets } = tokensOf(config);
  const { dModel, hidden, seed } = validateFields(SIZE_FIELDS, config);
  const params = initParams({ vocab: labels.length, dModel, hidden }, makeRng(seed));
  const h0 = initialHidden(config.h0, hidden);
  const fwd = forward(params, inputs, targets, h0);
  const grads = backward(params, fwd, inputs, targets);
  return { config: { ...config }, labels, inputs, targets, params, h0, fwd, grads };
}

/** The configuration's query parameters (`?text=badge&d_model=3`), named as the messages name the fields. */
export const EXAMPLE_QUERY: QuerySchema = [
  ["text", "text"], ["targets", "targets"], ["vocab", "vocab"], ["d_model", "dModel"], ["hidden", "hidden"],
  ["seed", "seed"], ["h0", "h0"],
];

/**
 * The pages whose settings are this configuration (those whose form is src/components/controls.ts), as the last
 * part of their path: only links between them carry the query, as the other pages read other parameters.
 */
export const SHARED_CONFIG_PAGES: readonly string[] = [
  "index", "plan", "logits", "hidden", "parameters", "embedding", "summary", "cite",
];

/**
 * A configuration from the strings of the form or a link, parsed strictly (lib/state/fields.ts: "4x", "0x4", "1e1"
 * and "4.0" are not 4); no targets means next-token targets. The texts are `buildExample`'s to check.
 */
export function configFromRaw(raw: Readonly<Raw>): ExampleConfig {
  return validateFields(EXAMPLE_FIELDS, { ...raw, targets: raw.targets ?? "" });
}

/** The form's strings for a configuration. */
export const rawOfConfig = (config: Readonly<ExampleConfig>): Raw =>
  Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)]));

/** The configuration as URL query parameters, in a fixed order so a link is stable. Defaults are left out. */
export function configToQuery(config: Readonly<ExampleConfig>): string {
  return queryOf(EXAMPLE_QUERY, config, DEFAULT_CONFIG);
}

/**
 * The example a link asks for (`location.search`): absent parameters take their defaults, a bad one is replaced by
 * its default (lib/state/query.ts `settle`) and `message` says which and why, so what is used is always valid and known.
 */
export function exampleFromQuery(search: string): Settled<Example> {
  return settle({
    defaults: rawOfConfig(DEFAULT_CONFIG), link: readLink(search, EXAMPLE_QUERY),
    validate: (raw) => buildExample(configFromRaw(raw)),
    nameOf: (k) => EXAMPLE_QUERY.find(([, key]) => key === k)?.[0] ?? k,
  });
}

/** The configuration a link gives, after `exampleFromQuery` replaced any bad setting. */
export function configFromQuery(search: string): ExampleConfig {
  return exampleFromQuery(search).value.config;
}

/** The independent checks of every gradient, by central differences (lib/derivation/gradcheck.ts), computed once per example. */
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

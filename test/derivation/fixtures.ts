/**
 * Fixtures shared by the tests of §3's modules (logits, hidden, parameters, embedding): seeded models of many shapes
 * (τ = 1, one hidden unit, a one-token vocabulary, repeated and unseen tokens), each under both h⁽⁰⁾ conventions.
 */
import { expect } from "vitest";
import { type Gradients, backward } from "../../lib/derivation/backward.js";
import { forward } from "../../lib/derivation/forward.js";
import { ShapeError } from "../../lib/core/matrix.js";
import { type H0Kind, H0_KINDS, type ParamName, type Sizes, initParams, initialHidden } from "../../lib/derivation/model.js";
import { makeRng } from "../../lib/core/rng.js";
import { DEFAULT_CONFIG, buildExample } from "../../lib/state/example.js";

export interface Base {
  label: string;
  seed: number;
  sizes: Sizes;
  tau: number;
  inputs?: number[];
  targets?: number[];
}

export const BASES: Base[] = [
  { label: "generic A", seed: 1, sizes: { vocab: 5, dModel: 3, hidden: 4 }, tau: 6 },
  { label: "generic B", seed: 2, sizes: { vocab: 6, dModel: 4, hidden: 5 }, tau: 7 },
  {
    // token 2 occurs three times; 1, 3, 4 and 6 never occur as inputs (1 occurs only as a target)
    label: "repeated and unseen tokens", seed: 7, sizes: { vocab: 7, dModel: 3, hidden: 4 }, tau: 5,
    inputs: [2, 0, 2, 2, 5], targets: [0, 2, 2, 5, 1],
  },
  { label: "larger", seed: 2024, sizes: { vocab: 9, dModel: 5, hidden: 6 }, tau: 10 },
  { label: "τ = 1", seed: 3, sizes: { vocab: 4, dModel: 2, hidden: 3 }, tau: 1, inputs: [1], targets: [3] },
  { label: "hidden = 1", seed: 5, sizes: { vocab: 4, dModel: 3, hidden: 1 }, tau: 5 },
  { label: "vocab = 1", seed: 11, sizes: { vocab: 1, dModel: 2, hidden: 3 }, tau: 4 },
  { label: "d_model = 1", seed: 13, sizes: { vocab: 3, dModel: 1, hidden: 2 }, tau: 4 },
  { label: "all sizes 1", seed: 17, sizes: { vocab: 1, dModel: 1, hidden: 1 }, tau: 1 },
];

export interface Case extends Base {
  name: string;
  h0Kind: H0Kind;
}

export const CASES: Case[] = BASES.flatMap((b) => H0_KINDS.map((h0Kind) => ({ ...b, h0Kind, name: `${b.label}, seed ${b.seed}, h0 ${h0Kind}` })));

export function setup(c: Base & { h0Kind: H0Kind }) {
  const rng = makeRng(c.seed);
  const p = initParams(c.sizes, rng);
  const inputs = c.inputs ?? Array.from({ length: c.tau }, () => rng.int(c.sizes.vocab));
  const targets = c.targets ?? Array.from({ length: c.tau }, () => rng.int(c.sizes.vocab));
  const h0 = initialHidden(c.h0Kind, c.sizes.hidden);
  const f = forward(p, inputs, targets, h0);
  const g = backward(p, f, inputs, targets);
  return { p, inputs, targets, h0, f, g };
}

/** The generic case with repeated and unseen tokens, h⁽⁰⁾ = 0.1 · ones. */
export const REPEATED: Case = { ...BASES[2]!, h0Kind: "point-one", name: "repeated, point-one" };

export const distinct = (xs: readonly number[]) => [...new Set(xs)];

/** A ShapeError whose message matches. */
export function expectShapeError(fn: () => unknown, message: RegExp): void {
  expect(fn).toThrow(ShapeError);
  expect(fn).toThrow(message);
}

/** A model of the given sizes and seed on the given sequence, h⁽⁰⁾ = 0.1 · ones. */
export function setupSequence(seed: number, sizes: Sizes, inputs: number[], targets: number[]) {
  const p = initParams(sizes, makeRng(seed));
  const h0 = initialHidden("point-one", sizes.hidden);
  const f = forward(p, inputs, targets, h0);
  const g = backward(p, f, inputs, targets);
  return { p, f, g, h0 };
}

/** Pages' configurations: the default, another text and seed under 0.1 · ones, τ = 1, and explicit targets. */
export const EXAMPLES = [
  DEFAULT_CONFIG,
  { ...DEFAULT_CONFIG, text: "badge", seed: 3, h0: "point-one" as const },
  { ...DEFAULT_CONFIG, text: "ab", hidden: 1, dModel: 1 }, // τ = 1
  { ...DEFAULT_CONFIG, text: "hell", vocab: "ehlo", targets: "elol", hidden: 3, seed: 9 }, // explicit targets
].map(buildExample);

/** Each parameter's gradient in `Gradients` and the equation that gives it, for the tests against the oracles. */
export const GRAD_OF: Record<ParamName, { eq: string; field: keyof Gradients }> = {
  c: { eq: "eq 4.4", field: "dL_dc" },
  b: { eq: "eq 4.5", field: "dL_db" },
  V: { eq: "eq 4.6", field: "dL_dV" },
  W: { eq: "eq 4.7", field: "dL_dW" },
  U: { eq: "eq 4.8", field: "dL_dU" },
  E: { eq: "eq 4.9", field: "dL_dE" },
};

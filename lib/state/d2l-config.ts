/**
 * The controls of the D2L page (src/d2l.md): sizes, seed, loss and h_0 of the simplified RNN of lib/d2l/d2l.ts, validated
 * here so an invalid value gets one message naming its field, and the page keeps its last good state; and the
 * page's URL parameters.
 */
import {
  type D2LForward, type D2LParams, type D2LSequence, type D2LSizes, type Targets, d2lForward,
  initD2L, randomSequence,
} from "../d2l/model.js";
import { type D2LGradients, d2lBackward } from "../d2l/d2l.js";
import { makeRng } from "../core/rng.js";
import type { QuerySchema } from "./query.js";
import { type Schema, choice, integer, validateFields } from "./fields.js";

export type H0Choice = "zeros" | "random";

export interface D2LConfig {
  /** Number of time steps T. */
  T: number;
  /** Hidden size h. */
  hidden: number;
  /** Input size d. */
  d: number;
  /** Number of outputs q. */
  q: number;
  seed: number;
  loss: Targets["kind"];
  h0: H0Choice;
}

export const D2L_DEFAULT: Readonly<D2LConfig> = { T: 4, hidden: 3, d: 2, q: 3, seed: 1, loss: "cross-entropy", h0: "random" };

/** Inclusive ranges: small enough that every number on the page stays readable. */
export const D2L_LIMITS = { T: [1, 8], hidden: [1, 4], d: [1, 3], q: [1, 4], seed: [0, 4294967295] } as const;

export const D2L_LOSSES: readonly Targets["kind"][] = ["cross-entropy", "squared"];
export const D2L_H0S: readonly H0Choice[] = ["zeros", "random"];

/** The settings of /d2l, in the order they are checked; messages name the hidden size `h`, as the page does. */
export const D2L_FIELDS: Schema<D2LConfig> = {
  T: integer(D2L_LIMITS.T), hidden: integer(D2L_LIMITS.hidden, "h"), d: integer(D2L_LIMITS.d), q: integer(D2L_LIMITS.q),
  seed: integer(D2L_LIMITS.seed), loss: choice(D2L_LOSSES, "a loss"), h0: choice(D2L_H0S, "a choice"),
};

export interface D2LExample {
  config: D2LConfig;
  sizes: D2LSizes;
  p: D2LParams;
  s: D2LSequence;
  fwd: D2LForward;
  grads: D2LGradients;
}

/**
 * The URL parameters of /d2l (`?T=6&h=2&loss=squared`), named as the messages name the fields (`h` is the hidden
 * size, as in the source).
 */
export const D2L_QUERY: QuerySchema = [
  ["T", "T"], ["h", "hidden"], ["d", "d"], ["q", "q"], ["seed", "seed"], ["loss", "loss"], ["h0", "h0"],
];

/** A configuration from the strings of the form or a link, parsed strictly (lib/state/fields.ts). */
export function d2lConfigFromRaw(raw: Readonly<Record<string, string | undefined>>): D2LConfig {
  return validateFields(D2L_FIELDS, raw);
}

/** Validate a configuration, draw weights (W_hx, W_hh, W_qh) then the sequence from one seeded generator, run eqs 2a–2.5. */
export function buildD2L(config: D2LConfig): D2LExample {
  const { T, hidden, d, q, seed } = validateFields(D2L_FIELDS, config);
  const sizes: D2LSizes = { T, hidden, d, q };
  const rng = makeRng(seed);
  const p = initD2L(sizes, rng);
  const s = randomSequence(sizes, rng, config.loss, { randomH0: config.h0 === "random" });
  const fwd = d2lForward(p, s);
  const grads = d2lBackward(p, s, undefined, fwd);
  return { config: { ...config }, sizes, p, s, fwd, grads };
}

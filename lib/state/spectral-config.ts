/**
 * The controls of the pages /vanishing and /truncation, declared here as schemas (lib/state/fields.ts): a raw form or
 * link reading (strings or numbers) becomes a typed configuration or an InputError naming the field; the URL
 * parameters of each page are listed here too.
 */
import type { Activation } from "../d2l/model.js";
import type { QuerySchema } from "./query.js";
import { type Schema, choice, integer, real, validateFields } from "./fields.js";

/** A form's reading (strings, parsed strictly by lib/state/fields.ts) or typed numbers. */
export type Raw = Record<string, string | number | undefined>;

export interface VanishingConfig {
  /** Spectral radius ρ of W_hh (withSpectralRadius). */
  rho: number;
  hidden: number;
  T: number;
  activation: Activation;
  seed: number;
}

export interface TruncationConfig {
  /** Spectral radius of W_hh. */
  rho: number;
  hidden: number;
  /** T ≤ 12 so that the 2^{T−1} patterns of exactRandomizedMoments stay cheap. */
  T: number;
  activation: Activation;
  /** Truncation after k steps (d2l eq 1.2). */
  k: number;
  /** π of d2l eq 1.3a, the same for every step. */
  pi: number;
  /** Monte-Carlo samples, ≤ 2000 so the page stays responsive. */
  N: number;
  seed: number;
}

export const VANISHING_DEFAULT: Readonly<VanishingConfig> = { rho: 0.9, hidden: 6, T: 30, activation: "tanh", seed: 1 };
export const TRUNCATION_DEFAULT: Readonly<TruncationConfig> = {
  rho: 0.9, hidden: 4, T: 8, activation: "tanh", k: 2, pi: 0.5, N: 500, seed: 1,
};

/** Ranges of the numeric fields, [lo, hi] inclusive. ρ ≤ 1.6 keeps the largest norms (1.6^59 ≈ 1e12) finite. */
export const VANISHING_LIMITS = { rho: [0, 1.6], hidden: [1, 12], T: [2, 60], seed: [0, 4294967295] } as const;
export const TRUNCATION_LIMITS = {
  rho: [0, 1.6], hidden: [1, 6], T: [2, 12], k: [0, 12], pi: [0.05, 1], N: [2, 2000], seed: [0, 4294967295],
} as const;

const ACTIVATIONS: readonly Activation[] = ["identity", "tanh", "relu"];

const activation = choice(ACTIVATIONS, "an activation");

/** The settings of /vanishing, in the order they are checked. */
export const VANISHING_FIELDS: Schema<VanishingConfig> = {
  rho: real(VANISHING_LIMITS.rho), hidden: integer(VANISHING_LIMITS.hidden), T: integer(VANISHING_LIMITS.T), activation,
  seed: integer(VANISHING_LIMITS.seed),
};

/** The settings of /truncation, in the order they are checked: T first, as k may not exceed it. */
export const TRUNCATION_FIELDS: Schema<TruncationConfig> = {
  T: integer(TRUNCATION_LIMITS.T), k: { kind: "integer", range: TRUNCATION_LIMITS.k, atMost: "T" },
  rho: real(TRUNCATION_LIMITS.rho), hidden: integer(TRUNCATION_LIMITS.hidden), activation,
  pi: real(TRUNCATION_LIMITS.pi), N: integer(TRUNCATION_LIMITS.N), seed: integer(TRUNCATION_LIMITS.seed),
};

/** The URL parameters of /vanishing (`?rho=1.2&T=40`), named as the form's fields and the messages. */
export const VANISHING_QUERY: QuerySchema = (["rho", "hidden", "T", "activation", "seed"] as const).map((k) => [k, k]);
/** The URL parameters of /truncation. */
export const TRUNCATION_QUERY: QuerySchema = (["rho", "hidden", "T", "activation", "k", "pi", "N", "seed"] as const).map((k) => [k, k]);

export const validateVanishing = (raw: Raw): VanishingConfig => validateFields(VANISHING_FIELDS, raw);

export const validateTruncation = (raw: Raw): TruncationConfig => validateFields(TRUNCATION_FIELDS, raw);


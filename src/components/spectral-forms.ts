/**
 * The settings forms of /vanishing and /truncation, the two pages whose RNN has a W_hh of chosen spectral radius.
 * A form's `value` is the last valid configuration (lib/state/spectral-config.ts validates; an invalid field shows one
 * message and dispatches nothing), and its settings live in the URL (VANISHING_QUERY, TRUNCATION_QUERY).
 */
import {
  TRUNCATION_DEFAULT, TRUNCATION_LIMITS, TRUNCATION_QUERY, type TruncationConfig, VANISHING_DEFAULT, VANISHING_LIMITS,
  VANISHING_QUERY, type VanishingConfig, validateTruncation, validateVanishing,
} from "../lib/state/spectral-config.js";
import { type FormField, settingsForm } from "./settings-form.js";

/** The model's fields, common to both pages: ρ, the hidden size, T and the activation. */
function modelFields(limits: { rho: readonly [number, number]; hidden: readonly [number, number]; T: readonly [number, number] }): FormField[] {
  return [
    { key: "rho", label: "Spectral radius ρ", type: "number", min: 0, max: limits.rho[1], step: "0.05" },
    { key: "hidden", label: "Hidden size", type: "number", min: 1, max: limits.hidden[1] },
    { key: "T", label: "Steps T", type: "number", min: 2, max: limits.T[1] },
    { key: "activation", label: "Activation φ", type: "select",
      options: [["identity", "linear (identity)"], ["tanh", "tanh"], ["relu", "ReLU"]] },
  ];
}

const SEED: FormField = { key: "seed", label: "Seed", type: "number", min: 0 };

export function vanishingForm(): HTMLFormElement & { value: VanishingConfig } {
  return settingsForm({
    label: "Settings of the RNN with a chosen spectral radius",
    defaults: VANISHING_DEFAULT, validate: validateVanishing, query: VANISHING_QUERY,
    fields: [...modelFields(VANISHING_LIMITS), SEED],
  });
}

export function truncationForm(): HTMLFormElement & { value: TruncationConfig } {
  return settingsForm({
    label: "Settings of the truncation experiment",
    defaults: TRUNCATION_DEFAULT, validate: validateTruncation, query: TRUNCATION_QUERY,
    fields: [
      ...modelFields(TRUNCATION_LIMITS),
      { key: "k", label: "Truncation k", type: "number", min: 0, max: TRUNCATION_LIMITS.k[1] },
      { key: "pi", label: "Keep probability π", type: "number", min: TRUNCATION_LIMITS.pi[0], max: 1, step: "0.05" },
      { key: "N", label: "Monte-Carlo samples N", type: "number", min: 2, max: TRUNCATION_LIMITS.N[1], step: "100" },
      SEED,
    ],
  });
}

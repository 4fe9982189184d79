/**
 * The settings form of /truncation: the model's ρ, hidden size, T and activation, the truncation k, the keep
 * probability π, the Monte-Carlo samples N and the seed. Its `value` is the last valid configuration
 * (lib/state/spectral-config.ts validates), and the settings live in the URL (TRUNCATION_QUERY).
 */
import {
  TRUNCATION_DEFAULT, TRUNCATION_LIMITS, TRUNCATION_QUERY, type TruncationConfig, validateTruncation,
} from "../lib/state/spectral-config.js";
import { settingsForm } from "./settings-form.js";

export function truncationForm(): HTMLFormElement & { value: TruncationConfig } {
  return settingsForm({
    label: "Settings of the truncation experiment",
    defaults: TRUNCATION_DEFAULT, validate: validateTruncation, query: TRUNCATION_QUERY,
    fields: [
      { key: "rho", label: "Spectral radius ρ", type: "number", min: 0, max: TRUNCATION_LIMITS.rho[1], step: "0.05" },
      { key: "hidden", label: "Hidden size", type: "number", min: 1, max: TRUNCATION_LIMITS.hidden[1] },
      { key: "T", label: "Steps T", type: "number", min: 2, max: TRUNCATION_LIMITS.T[1] },
      { key: "activation", label: "Activation φ", type: "select",
        options: [["identity", "linear (identity)"], ["tanh", "tanh"], ["relu", "ReLU"]] },
      { key: "k", label: "Truncation k", type: "number", min: 0, max: TRUNCATION_LIMITS.k[1] },
      { key: "pi", label: "Keep probability π", type: "number", min: TRUNCATION_LIMITS.pi[0], max: 1, step: "0.05" },
      { key: "N", label: "Monte-Carlo samples N", type: "number", min: 2, max: TRUNCATION_LIMITS.N[1], step: "100" },
      { key: "seed", label: "Seed", type: "number", min: 0 },
    ],
  });
}

/**
 * The settings form of /vanishing: ρ, the hidden size, T, the activation and the seed. Its `value` is the last
 * valid configuration (lib/state/spectral-config.ts validates; an invalid field shows one message and dispatches
 * nothing), and the settings live in the URL (VANISHING_QUERY).
 */
import {
  VANISHING_DEFAULT, VANISHING_LIMITS, VANISHING_QUERY, type VanishingConfig, validateVanishing,
} from "../lib/state/spectral-config.js";
import { settingsForm } from "./settings-form.js";

export function vanishingForm(): HTMLFormElement & { value: VanishingConfig } {
  return settingsForm({
    label: "Settings of the RNN with a chosen spectral radius",
    defaults: VANISHING_DEFAULT, validate: validateVanishing, query: VANISHING_QUERY,
    fields: [
      { key: "rho", label: "Spectral radius ρ", type: "number", min: 0, max: VANISHING_LIMITS.rho[1], step: "0.05" },
      { key: "hidden", label: "Hidden size", type: "number", min: 1, max: VANISHING_LIMITS.hidden[1] },
      { key: "T", label: "Steps T", type: "number", min: 2, max: VANISHING_LIMITS.T[1] },
      { key: "activation", label: "Activation φ", type: "select",
        options: [["identity", "linear (identity)"], ["tanh", "tanh"], ["relu", "ReLU"]] },
      { key: "seed", label: "Seed", type: "number", min: 0 },
    ],
  });
}

/**
 * The D2L page's settings form. Its `value` is the last VALID D2LExample
 * (lib/state/d2l-config.ts validates): an invalid field shows one message and dispatches nothing, so every cell keeps its
 * last good state. The settings live in the URL (`?T=6&h=2`, lib/state/d2l-config.ts D2L_QUERY); the main pages'
 * `?text=…` is not this model's and is ignored.
 */
import { D2L_DEFAULT, D2L_LIMITS, D2L_QUERY, type D2LExample, buildD2L, d2lConfigFromRaw } from "../lib/state/d2l-config.js";
import { type FormField, settingsForm } from "./settings-form.js";

const FIELDS: FormField[] = [
  { key: "T", label: "Steps T", min: D2L_LIMITS.T[0], max: D2L_LIMITS.T[1] },
  { key: "hidden", label: "Hidden size h", min: D2L_LIMITS.hidden[0], max: D2L_LIMITS.hidden[1] },
  { key: "d", label: "Input size d", min: D2L_LIMITS.d[0], max: D2L_LIMITS.d[1] },
  { key: "q", label: "Outputs q", min: D2L_LIMITS.q[0], max: D2L_LIMITS.q[1] },
  { key: "seed", label: "Seed", min: D2L_LIMITS.seed[0], max: D2L_LIMITS.seed[1] },
  { key: "loss", label: "Loss l", options: [["cross-entropy", "cross-entropy (class y_t)"], ["squared", "squared error (vector y_t)"]] },
  { key: "h0", label: "h₀", options: [["random", "random"], ["zeros", "zeros"]] },
];

export function d2lForm(): HTMLFormElement & { value: D2LExample } {
  return settingsForm<D2LExample>({
    label: "Configuration of the D2L simplified RNN",
    fields: FIELDS,
    defaults: D2L_DEFAULT,
    // lib names fields as the source does ("h" for the hidden size).
    query: D2L_QUERY,
    validate: (raw) => buildD2L(d2lConfigFromRaw(raw)),
  });
}

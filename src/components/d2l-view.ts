/**
 * The D2L page's controls and two small drawing helpers. The form's `value` is the last VALID D2LExample
 * (lib/state/d2l-config.ts validates): an invalid field shows one message and dispatches nothing, so every cell keeps its
 * last good state. The settings live in the URL (`?T=6&h=2`, lib/state/d2l-config.ts D2L_QUERY); the main pages'
 * `?text=…` is not this model's and is ignored.
 */
import { D2L_DEFAULT, D2L_LIMITS, D2L_QUERY, type D2LExample, buildD2L, d2lConfigFromRaw } from "../lib/state/d2l-config.js";
import type { WhLayout } from "../lib/d2l/d2l.js";
import { fmt } from "./format.js";
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
    query: D2L_QUERY,
    validate: (raw) => buildD2L(d2lConfigFromRaw(raw)),
  });
}

/** Column labels of the flattened w_h: "hx i,b" for W_hx[i,b], "hh i,b" for W_hh[i,b] (1-based, row-major). */
export function whLabels(layout: WhLayout, cols: { W_hx: number; W_hh: number }, hidden: number): string[] {
  const out: string[] = [];
  for (const n of layout.names) {
    const c = cols[n], tag = n === "W_hx" ? "hx" : "hh";
    for (let i = 1; i <= hidden; i++) for (let b = 1; b <= c; b++) out.push(`${tag} ${i},${b}`);
  }
  return out;
}

/** Row labels "t·i" for T stacked h-row blocks. */
export function stepRowLabels(T: number, hidden: number): string[] {
  const out: string[] = [];
  for (let t = 1; t <= T; t++) for (let i = 1; i <= hidden; i++) out.push(`${t}·${i}`);
  return out;
}

/** A small two-column table (quantity, number), e.g. the bridge's largest disagreements. */
export function numberTable(caption: string, rows: [string, number][], head: [string, string]): HTMLTableElement {
  const table = document.createElement("table");
  table.className = "matrix-table";
  table.style.width = "auto";
  table.createCaption().textContent = caption;
  const hr = table.createTHead().insertRow();
  for (const h of head) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = h;
    hr.append(th);
  }
  const body = table.createTBody();
  for (const [name, v] of rows) {
    const tr = body.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = name;
    tr.append(th);
    tr.insertCell().textContent = fmt(v, 3);
  }
  return table;
}

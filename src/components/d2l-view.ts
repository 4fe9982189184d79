/**
 * The D2L page's controls and two small drawing helpers. The form's `value` is the last VALID D2LExample
 * (lib/d2l-config.ts validates): an invalid field shows one message and dispatches nothing, so every cell keeps its
 * last good state. The page ignores the URL query (other pages' `?text=…&seed=…` do not apply to this model).
 */
import { D2L_DEFAULT, D2L_LIMITS, type D2LConfig, type D2LExample, buildD2L } from "../lib/d2l-config.js";
import type { WhLayout } from "../lib/d2l.js";
import { fmt } from "./format.js";

interface Field {
  key: keyof D2LConfig;
  label: string;
  options?: [string, string][];
}

const FIELDS: Field[] = [
  { key: "T", label: "Steps T" },
  { key: "hidden", label: "Hidden size h" },
  { key: "d", label: "Input size d" },
  { key: "q", label: "Outputs q" },
  { key: "seed", label: "Seed" },
  { key: "loss", label: "Loss l", options: [["cross-entropy", "cross-entropy (class y_t)"], ["squared", "squared error (vector y_t)"]] },
  { key: "h0", label: "h₀", options: [["random", "random"], ["zeros", "zeros"]] },
];

/** Message prefixes (lib names fields as the source does) → form keys. */
const KEY_OF: Record<string, keyof D2LConfig> = { T: "T", h: "hidden", d: "d", q: "q", seed: "seed", loss: "loss", h0: "h0" };

let uid = 0;

export function d2lForm(): HTMLFormElement & { value: D2LExample } {
  const form = document.createElement("form") as HTMLFormElement & { value: D2LExample };
  form.className = "config-form";
  form.setAttribute("aria-label", "Configuration of the D2L simplified RNN");
  form.addEventListener("submit", (e) => e.preventDefault());
  const id = `d2lcfg${++uid}`;
  const inputs = new Map<keyof D2LConfig, HTMLInputElement | HTMLSelectElement>();
  for (const f of FIELDS) {
    const wrap = document.createElement("div");
    wrap.className = `field field-${f.key}`;
    const label = document.createElement("label");
    label.htmlFor = `${id}-${f.key}`;
    label.textContent = f.label;
    let input: HTMLInputElement | HTMLSelectElement;
    if (f.options) {
      input = document.createElement("select");
      for (const [value, text] of f.options) input.append(new Option(text, value));
    } else {
      input = document.createElement("input");
      input.type = "number";
      input.autocomplete = "off";
      const [lo, hi] = D2L_LIMITS[f.key as keyof typeof D2L_LIMITS];
      Object.assign(input, { min: String(lo), max: String(hi), step: "1" });
    }
    input.id = `${id}-${f.key}`;
    input.name = f.key;
    input.value = String(D2L_DEFAULT[f.key]);
    inputs.set(f.key, input);
    wrap.append(label, input);
    form.append(wrap);
  }
  const message = document.createElement("p");
  message.className = "config-error";
  message.setAttribute("role", "alert");
  form.append(message);

  const read = (): D2LConfig => {
    const v = (k: keyof D2LConfig) => inputs.get(k)!.value;
    const num = (k: keyof D2LConfig) => (v(k).trim() === "" ? NaN : Number(v(k)));
    return {
      T: num("T"), hidden: num("hidden"), d: num("d"), q: num("q"), seed: num("seed"),
      loss: v("loss") as D2LConfig["loss"], h0: v("h0") as D2LConfig["h0"],
    };
  };
  form.value = buildD2L(D2L_DEFAULT);

  form.addEventListener("input", (event) => {
    if (event.target === form) return; // our own re-dispatch below
    event.stopImmediatePropagation(); // Framework's view() must hear only the re-dispatch of a valid value
    try {
      form.value = buildD2L(read());
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      message.textContent = `${text} — showing the last valid configuration.`;
      const key = KEY_OF[/^(\w+)/.exec(text)?.[1] ?? ""];
      for (const [k, el] of inputs) {
        if (k === key) el.setAttribute("aria-invalid", "true");
        else el.removeAttribute("aria-invalid");
      }
      return;
    }
    message.textContent = "";
    for (const el of inputs.values()) el.removeAttribute("aria-invalid");
    form.dispatchEvent(new Event("input", { bubbles: true }));
  });
  return form;
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

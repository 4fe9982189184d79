/**
 * The configuration form shared by the pages. Its `value` is the last *valid* Example: an invalid field shows
 * one message next to the form and dispatches nothing, so every cell downstream keeps its last good state.
 * The maths of validation is lib/example.ts's; this file only wires it to the DOM.
 */
import { DEFAULT_CONFIG, type Example, type ExampleConfig, LIMITS, buildExample } from "../lib/example.js";

interface Field {
  key: keyof ExampleConfig;
  label: string;
  type: "text" | "number" | "select";
  options?: string[];
  hint?: string;
}

const FIELDS: Field[] = [
  { key: "text", label: "Input text", type: "text", hint: "one token per character; next-token targets" },
  { key: "vocab", label: "Vocabulary", type: "text" },
  { key: "dModel", label: "d_model", type: "number" },
  { key: "hidden", label: "Hidden size", type: "number" },
  { key: "seed", label: "Seed", type: "number" },
  { key: "h0", label: "h⁽⁰⁾", type: "select", options: ["zeros", "point-one"] },
];

const H0_LABELS: Record<string, string> = { zeros: "zeros", "point-one": "0.1 · ones (source code)" };

let uid = 0;

export function configForm(initial: ExampleConfig = DEFAULT_CONFIG): HTMLFormElement & { value: Example } {
  const form = document.createElement("form") as HTMLFormElement & { value: Example };
  form.className = "config-form";
  form.setAttribute("aria-label", "Configuration of the tiny RNN");
  form.addEventListener("submit", (e) => e.preventDefault());
  const id = `cfg${++uid}`;
  const inputs = new Map<keyof ExampleConfig, HTMLInputElement | HTMLSelectElement>();
  for (const f of FIELDS) {
    const wrap = document.createElement("div");
    wrap.className = `field field-${f.key}`;
    const label = document.createElement("label");
    label.htmlFor = `${id}-${f.key}`;
    label.textContent = f.label;
    let input: HTMLInputElement | HTMLSelectElement;
    if (f.type === "select") {
      input = document.createElement("select");
      for (const o of f.options!) input.append(new Option(H0_LABELS[o] ?? o, o));
    } else {
      input = document.createElement("input");
      input.type = f.type;
      input.spellcheck = false;
      input.autocomplete = "off";
      if (f.type === "number") {
        const [lo, hi] = LIMITS[f.key as "dModel" | "hidden" | "seed"];
        Object.assign(input, { min: String(lo), max: String(hi), step: "1" });
      }
    }
    input.id = `${id}-${f.key}`;
    input.name = f.key;
    input.value = String(initial[f.key]);
    inputs.set(f.key, input);
    wrap.append(label, input);
    form.append(wrap);
  }
  const message = document.createElement("p");
  message.className = "config-error";
  message.setAttribute("role", "alert");
  message.setAttribute("aria-live", "polite");
  form.append(message);

  const read = (): ExampleConfig => {
    const v = (k: keyof ExampleConfig) => inputs.get(k)!.value;
    const num = (k: keyof ExampleConfig) => (v(k).trim() === "" ? NaN : Number(v(k)));
    return {
      text: v("text"), vocab: v("vocab"), targets: "", dModel: num("dModel"), hidden: num("hidden"),
      seed: num("seed"), h0: v("h0") as ExampleConfig["h0"],
    };
  };
  form.value = buildExample(initial);
  form.addEventListener("input", (event) => {
    if (event.target === form) return; // our own re-dispatch below
    event.stopPropagation();
    try {
      form.value = buildExample(read());
      message.textContent = "";
      form.classList.remove("invalid");
      for (const el of inputs.values()) el.removeAttribute("aria-invalid");
    } catch (error) {
      message.textContent = `${(error as Error).message} — showing the last valid configuration.`;
      form.classList.add("invalid");
      const field = /^(\w+)/.exec((error as Error).message)?.[1];
      const key = field === "d_model" ? "dModel" : (field as keyof ExampleConfig);
      for (const [k, el] of inputs) {
        if (k === key) el.setAttribute("aria-invalid", "true");
        else el.removeAttribute("aria-invalid");
      }
      return;
    }
    form.dispatchEvent(new Event("input", { bubbles: true }));
  });
  return form;
}

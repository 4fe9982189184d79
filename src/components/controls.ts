/**
 * The configuration form shared by the pages. Its `value` is the last *valid* Example: an invalid field shows one
 * message next to the form and dispatches nothing, so every cell downstream keeps its last good state.
 *
 * The configuration lives in the URL query (`?text=badge&seed=3#eq-3-21`), so a link reproduces exactly the
 * numbers on the screen; links to the other pages carry it along. Validation is lib/example.ts's; this file only
 * wires it to the DOM.
 */
import {
  DEFAULT_CONFIG, type Example, type ExampleConfig, LIMITS, buildExample, configFromQuery, configToQuery,
} from "../lib/example.js";

interface Field {
  key: keyof ExampleConfig;
  label: string;
  type: "text" | "number" | "select";
  options?: [string, string][];
  placeholder?: string;
}

const FIELDS: Field[] = [
  { key: "text", label: "Input text", type: "text" },
  { key: "targets", label: "Targets", type: "text", placeholder: "next token" },
  { key: "vocab", label: "Vocabulary", type: "text" },
  { key: "dModel", label: "d_model", type: "number" },
  { key: "hidden", label: "Hidden size", type: "number" },
  { key: "seed", label: "Seed", type: "number" },
  { key: "h0", label: "h⁽⁰⁾", type: "select", options: [["zeros", "zeros"], ["point-one", "0.1 · ones (source code)"]] },
];

/** Message field names → form keys (messages name fields as the derivation does: "d_model"). */
const KEY_OF: Record<string, keyof ExampleConfig> = {
  text: "text", targets: "targets", vocab: "vocab", d_model: "dModel", hidden: "hidden", seed: "seed", h0: "h0",
};

let uid = 0;

/** Internal page links carry the configuration, so moving between pages keeps the same numbers. */
function carryQueryOnLinks(query: string): void {
  for (const a of document.querySelectorAll<HTMLAnchorElement>("a[href]")) {
    // The link as the page was built, so repeated edits replace the query instead of stacking on it.
    const built = (a.dataset.builtHref ??= a.getAttribute("href")!);
    if (/^(#|\w+:|\/\/)/.test(built) || built.includes("_file/")) continue;
    const [path, hash] = built.split("#", 2) as [string, string | undefined];
    a.setAttribute("href", `${path.split("?")[0]}${query ? `?${query}` : ""}${hash !== undefined ? `#${hash}` : ""}`);
  }
}

export function configForm(): HTMLFormElement & { value: Example } {
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
      for (const [value, text] of f.options!) input.append(new Option(text, value));
    } else {
      input = document.createElement("input");
      input.type = f.type;
      input.spellcheck = false;
      input.autocomplete = "off";
      if (f.placeholder) input.placeholder = f.placeholder;
      if (f.type === "number") {
        const [lo, hi] = LIMITS[f.key as "dModel" | "hidden" | "seed"];
        Object.assign(input, { min: String(lo), max: String(hi), step: "1" });
      }
    }
    input.id = `${id}-${f.key}`;
    input.name = f.key;
    inputs.set(f.key, input);
    wrap.append(label, input);
    form.append(wrap);
  }
  const message = document.createElement("p");
  message.className = "config-error";
  message.setAttribute("role", "alert");
  form.append(message);

  const fill = (c: ExampleConfig) => {
    for (const [k, el] of inputs) el.value = Number.isNaN(c[k]) ? "" : String(c[k]);
  };
  const read = (): ExampleConfig => {
    const v = (k: keyof ExampleConfig) => inputs.get(k)!.value;
    const num = (k: keyof ExampleConfig) => (v(k).trim() === "" ? NaN : Number(v(k)));
    return {
      text: v("text"), targets: v("targets"), vocab: v("vocab"), dModel: num("dModel"), hidden: num("hidden"),
      seed: num("seed"), h0: v("h0") as ExampleConfig["h0"],
    };
  };
  const showError = (error: unknown, suffix: string) => {
    const text = error instanceof Error ? error.message : String(error);
    message.textContent = `${text} — ${suffix}`;
    form.classList.add("invalid");
    const key = KEY_OF[/^(\w+)/.exec(text)?.[1] ?? ""];
    for (const [k, el] of inputs) {
      if (k === key) el.setAttribute("aria-invalid", "true");
      else el.removeAttribute("aria-invalid");
    }
  };
  const clearError = () => {
    message.textContent = "";
    form.classList.remove("invalid");
    for (const el of inputs.values()) el.removeAttribute("aria-invalid");
  };

  // From the URL if it holds a valid configuration; otherwise say why and start from the defaults.
  const fromUrl = configFromQuery(location.search);
  try {
    form.value = buildExample(fromUrl);
    fill(fromUrl);
  } catch (error) {
    form.value = buildExample(DEFAULT_CONFIG);
    fill(fromUrl);
    showError(error, "the link's configuration is not valid; showing the default one.");
  }
  queueMicrotask(() => carryQueryOnLinks(configToQuery(form.value.config)));

  form.addEventListener("input", (event) => {
    if (event.target === form) return; // our own re-dispatch below
    event.stopImmediatePropagation(); // Framework's view() listens on the form too: it must hear only our re-dispatch
    try {
      form.value = buildExample(read());
    } catch (error) {
      showError(error, "showing the last valid configuration.");
      return;
    }
    clearError();
    const query = configToQuery(form.value.config);
    history.replaceState(history.state, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
    carryQueryOnLinks(query);
    form.dispatchEvent(new Event("input", { bubbles: true }));
  });
  return form;
}

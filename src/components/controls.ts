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
import { type FormField, num, settingsForm } from "./settings-form.js";

const FIELDS: FormField[] = [
  { key: "text", label: "Input text", type: "text" },
  { key: "targets", label: "Targets", type: "text", placeholder: "next token" },
  { key: "vocab", label: "Vocabulary", type: "text" },
  { key: "dModel", label: "d_model", min: LIMITS.dModel[0], max: LIMITS.dModel[1] },
  { key: "hidden", label: "Hidden size", min: LIMITS.hidden[0], max: LIMITS.hidden[1] },
  { key: "seed", label: "Seed", min: LIMITS.seed[0], max: LIMITS.seed[1] },
  { key: "h0", label: "h⁽⁰⁾", type: "select", options: [["zeros", "zeros"], ["point-one", "0.1 · ones (source code)"]] },
];

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
  const form = settingsForm<Example>({
    label: "Configuration of the tiny RNN",
    fields: FIELDS,
    defaults: DEFAULT_CONFIG,
    initial: Object.fromEntries(Object.entries(configFromQuery(location.search)).map(([k, v]) => [k, Number.isNaN(v) ? "" : String(v)])),
    // Messages name fields as the derivation does ("d_model").
    keyOf: { d_model: "dModel" },
    validate: (raw) => buildExample({
      text: raw.text!, targets: raw.targets!, vocab: raw.vocab!, dModel: num(raw.dModel), hidden: num(raw.hidden),
      seed: num(raw.seed), h0: raw.h0 as ExampleConfig["h0"],
    }),
    onValid: (ex) => {
      const query = configToQuery(ex.config);
      history.replaceState(history.state, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
      carryQueryOnLinks(query);
    },
  });
  queueMicrotask(() => carryQueryOnLinks(configToQuery(form.value.config)));
  return form;
}

/**
 * The configuration form shared by the pages. Its `value` is the last *valid* Example: an invalid field shows one
 * message next to the form and dispatches nothing, so every cell downstream keeps its last good state.
 *
 * The configuration lives in the URL query (`?text=badge&seed=3#eq-3-21`), so a link reproduces exactly the
 * numbers on the screen; links to the other pages that use this form carry it along (the pages with their own
 * settings, such as /vanishing, read other parameters). Parsing and validation are lib/state/example.ts's; this file
 * only wires them to the DOM.
 */
import {
  DEFAULT_CONFIG, EXAMPLE_QUERY, type Example, LIMITS, SHARED_CONFIG_PAGES, TEXT_HINT, buildExample, configFromRaw, configToQuery,
} from "../lib/state/example.js";
import { type FormField, settingsForm } from "./settings-form.js";

const FIELDS: FormField[] = [
  { key: "text", label: "Input text", type: "text", hint: TEXT_HINT },
  { key: "targets", label: "Targets", type: "text", placeholder: "next token" },
  { key: "vocab", label: "Vocabulary", type: "text" },
  { key: "dModel", label: "d_model", min: LIMITS.dModel[0], max: LIMITS.dModel[1] },
  { key: "hidden", label: "Hidden size", min: LIMITS.hidden[0], max: LIMITS.hidden[1] },
  { key: "seed", label: "Seed", min: LIMITS.seed[0], max: LIMITS.seed[1] },
  { key: "h0", label: "h⁽⁰⁾", type: "select", options: [["zeros", "zeros"], ["point-one", "0.1 · ones, as in Singh's code"]] },
];

/** The page a relative link opens, as SHARED_CONFIG_PAGES names it ("index" for the folder itself). */
function pageOf(href: string): string {
  const last = new URL(href, location.href).pathname.split("/").pop() ?? "";
  return last.replace(/\.html$/, "") || "index";
}

/** Links to the pages that share this form carry the configuration, so moving between them keeps the numbers. */
function carryQueryOnLinks(query: string): void {
  for (const a of document.querySelectorAll<HTMLAnchorElement>("a[href]")) {
    // The link as the page was built, so repeated edits replace the query instead of stacking on it.
    const built = (a.dataset.builtHref ??= a.getAttribute("href")!);
    if (/^(#|\w+:|\/\/)/.test(built) || built.includes("_file/")) continue;
    if (!SHARED_CONFIG_PAGES.includes(pageOf(built))) continue;
    const [path, hash] = built.split("#", 2) as [string, string | undefined];
    a.setAttribute("href", `${path.split("?")[0]}${query ? `?${query}` : ""}${hash !== undefined ? `#${hash}` : ""}`);
  }
}

export function configForm(): HTMLFormElement & { value: Example } {
  const form = settingsForm<Example>({
    label: "Configuration of the tiny RNN",
    fields: FIELDS,
    defaults: DEFAULT_CONFIG,
    query: EXAMPLE_QUERY,
    validate: (raw) => buildExample(configFromRaw(raw)),
    onValid: (ex) => carryQueryOnLinks(configToQuery(ex.config)),
  });
  queueMicrotask(() => carryQueryOnLinks(configToQuery(form.value.config)));
  return form;
}

/**
 * The settings form every page's controls are made of. Its `value` is the last *valid* result of `validate`: an
 * invalid field shows one message next to the form (naming the field, as lib's validators do), marks that field
 * `aria-invalid` (the InputError's `field`, lib/state/fields.ts) and dispatches nothing, so every cell downstream
 * keeps its last good state.
 *
 * With a `query` schema the form also lives in the URL: it starts from the page's link (lib/state/query.ts reads it
 * strictly and replaces each bad setting by its default, saying so in the message) and keeps `location.search` in
 * step with every valid edit, so the copy-link buttons and the address bar reproduce the numbers on screen. The
 * form always shows the settings its `value` was built from.
 *
 * Validation and everything it builds live in lib/; this file only wires them to the DOM.
 */
import { FLUSH_URL_EVENT } from "./print-header.js";
import { type LinkReading, type QuerySchema, keepViewParams, messageOf, oneLine, queryOf, readLink, settle } from "../lib/state/query.js";
import { fieldOf as inputField } from "../lib/state/fields.js";

/** The raw field values, as typed. */
export type Raw = Record<string, string>;

export interface FormField {
  key: string;
  label: string;
  /**
   * "textarea": several lines (a list); "checkboxes": one box per option, its value the checked options' values
   * joined by commas, in the options' order.
   */
  type?: "text" | "number" | "select" | "textarea" | "checkboxes";
  options?: [string, string][];
  min?: number;
  max?: number;
  step?: string;
  placeholder?: string;
  /** A line under the field saying what it accepts and why (a limit explained where it bites). */
  hint?: string;
}

export interface SettingsFormOptions<V> {
  /** The form's accessible name. */
  label: string;
  fields: FormField[];
  /** Default values by field key. */
  defaults: Readonly<object>;
  /** Builds the value from raw strings; throws with a one-line message starting with the field's name. */
  validate: (raw: Raw) => V;
  /** Which field an error is about; by default the `field` of lib's InputError. */
  fieldOf?: (error: unknown) => string | undefined;
  /** Values to start from; each invalid one is replaced by its default, and the form says so. */
  initial?: Raw;
  /** The page's URL parameters: the form starts from `location.search` (not `initial`) and keeps it up to date. */
  query?: QuerySchema;
  /** How messages name a field, by key, where that is not its URL parameter (h₁ for `h1`). */
  names?: Readonly<Record<string, string>>;
  /** Called with every new valid value, before the page hears of it. */
  onValid?: (value: V) => void;
  className?: string;
}

const asRaw = (o: object): Raw =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "number" && Number.isNaN(v) ? "" : String(v)]));

let uid = 0;

/** How long after the last edit the address is rewritten (ms). */
export const URL_DELAY_MS = 200;

/**
 * A group of checkboxes that reads and writes like one field: its `value` is the checked options' values joined by
 * commas, so the schema, the link and the print header treat it as any other setting.
 */
function checkboxes(id: string, f: FormField): HTMLFieldSetElement {
  const group = document.createElement("fieldset");
  group.className = `field field-${f.key} field-checkboxes`;
  group.id = id;
  const legend = document.createElement("legend");
  legend.textContent = f.label;
  group.append(legend);
  const boxes = (f.options ?? []).map(([value, text], i) => {
    const box = document.createElement("input");
    box.type = "checkbox";
    box.id = `${id}-${i}`;
    box.value = value;
    const label = document.createElement("label");
    label.htmlFor = box.id;
    label.textContent = text;
    const item = document.createElement("span");
    item.className = "checkbox";
    item.append(box, label);
    group.append(item);
    return box;
  });
  Object.defineProperty(group, "value", {
    get: () => boxes.filter((b) => b.checked).map((b) => b.value).join(","),
    set: (v: string) => {
      const on = new Set(String(v).split(","));
      for (const b of boxes) b.checked = on.has(b.value);
    },
  });
  return group;
}

export function settingsForm<V>(o: SettingsFormOptions<V>): HTMLFormElement & { value: V } {
  const form = document.createElement("form") as HTMLFormElement & { value: V };
  form.className = `config-form${o.className ? ` ${o.className}` : ""}`;
  form.setAttribute("aria-label", o.label);
  form.addEventListener("submit", (e) => e.preventDefault());
  const id = `sf${++uid}`;
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | HTMLFieldSetElement>();
  for (const f of o.fields) {
    if (f.type === "checkboxes") {
      const group = checkboxes(`${id}-${f.key}`, f);
      inputs.set(f.key, group);
      form.append(group);
      continue;
    }
    const wrap = document.createElement("div");
    wrap.className = `field field-${f.key}`;
    const label = document.createElement("label");
    label.htmlFor = `${id}-${f.key}`;
    label.textContent = f.label;
    let input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
    if (f.type === "textarea") {
      input = document.createElement("textarea");
      input.rows = 3;
      input.spellcheck = false;
      if (f.placeholder) input.placeholder = f.placeholder;
    } else if (f.type === "select" || f.options) {
      input = document.createElement("select");
      for (const [value, text] of f.options ?? []) input.append(new Option(text, value));
    } else {
      input = document.createElement("input");
      input.type = f.type ?? "number";
      input.autocomplete = "off";
      input.spellcheck = false;
      if (f.placeholder) input.placeholder = f.placeholder;
      if (f.min !== undefined) input.min = String(f.min);
      if (f.max !== undefined) input.max = String(f.max);
      if (input.type === "number") input.step = f.step ?? "1";
    }
    input.id = `${id}-${f.key}`;
    input.name = f.key;
    inputs.set(f.key, input);
    wrap.append(label, input);
    if (f.hint) {
      const hint = document.createElement("small");
      hint.className = "field-hint";
      hint.id = `${id}-${f.key}-hint`;
      hint.textContent = f.hint;
      input.setAttribute("aria-describedby", hint.id);
      wrap.append(hint);
    }
    form.append(wrap);
  }
  const message = document.createElement("p");
  message.className = "config-error";
  message.setAttribute("role", "alert");
  form.append(message);

  const fill = (raw: Raw) => {
    for (const [k, el] of inputs) (el as HTMLInputElement).value = raw[k] ?? "";
  };
  const read = (): Raw => Object.fromEntries(Array.from(inputs, ([k, el]) => [k, (el as HTMLInputElement).value]));
  const fieldOf = o.fieldOf ?? inputField;
  const showError = (error: unknown, suffix: string) => {
    message.textContent = oneLine(`${messageOf(error)} — ${suffix}`);
    form.classList.add("invalid");
    const key = fieldOf(error);
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

  const defaults = asRaw(o.defaults);
  const writeUrl = () => {
    if (!o.query) return;
    // An embed of one equation (lib/state/embed.ts) keeps its own parameters through the reader's edits.
    const q = keepViewParams(location.search, queryOf(o.query, read(), defaults));
    history.replaceState(history.state, "", `${location.pathname}${q ? `?${q}` : ""}${location.hash}`);
  };
  // replaceState is slow on a long page: Chromium stores the scroll position, laying the page out if it is dirty —
  // and at the start of an edit it is: on /parameters that was 20–35 ms inside every edit, on /stacked 14 ms after
  // it. So the address is written once the edits pause (typing a number is several edits), never in the frame
  // that shows them; leaving the page writes what is pending.
  let urlTimer = 0;
  const writeUrlSoon = () => {
    clearTimeout(urlTimer);
    urlTimer = window.setTimeout(() => { urlTimer = 0; writeUrl(); }, URL_DELAY_MS);
  };
  // Leaving the page, pressing anything that may copy the address (Copy link, Embed, a download), or the print header
  // reading it (print-header.ts sends FLUSH_URL_EVENT) first writes what is pending; by then the edit's frame is drawn,
  // so the write is cheap.
  const flushUrl = () => { if (urlTimer) { clearTimeout(urlTimer); urlTimer = 0; writeUrl(); } };
  for (const e of ["pagehide", "pointerdown", "keydown", FLUSH_URL_EVENT]) addEventListener(e, flushUrl, true);
  const nameOf = new Map(o.query?.map(([param, key]) => [key, param]));
  const link: LinkReading = o.query ? readLink(location.search, o.query) : { raw: o.initial ?? {}, problems: [] };
  const start = settle({ defaults, link, validate: o.validate, fieldOf, nameOf: (k) => o.names?.[k] ?? nameOf.get(k) ?? k });
  fill(start.raw);
  form.value = start.value;
  if (start.message) {
    // The replaced fields now hold valid defaults, so none is marked invalid: the message says what was replaced.
    message.textContent = start.message;
    form.classList.add("invalid");
  }
  // The address bar and copied links must reproduce what is shown, not the link's rejected settings.
  writeUrl();

  form.addEventListener("input", (event) => {
    if (event.target === form) return; // our own re-dispatch below
    // Framework's view() listens on the form too: it must hear only our re-dispatch, or every cell runs twice.
    event.stopImmediatePropagation();
    try {
      form.value = o.validate(read());
    } catch (error) {
      showError(error, "showing the last valid settings.");
      return;
    }
    clearError();
    writeUrlSoon();
    o.onValid?.(form.value);
    form.dispatchEvent(new Event("input", { bubbles: true }));
  });
  return form;
}

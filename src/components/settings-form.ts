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
import { type LinkReading, type QuerySchema, keepViewParams, messageOf, oneLine, queryOf, readLink, settle } from "../lib/state/query.js";
import { fieldOf as inputField } from "../lib/state/fields.js";

/** The raw field values, as typed. */
export type Raw = Record<string, string>;

export interface FormField {
  key: string;
  label: string;
  type?: "text" | "number" | "select";
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

export function settingsForm<V>(o: SettingsFormOptions<V>): HTMLFormElement & { value: V } {
  const form = document.createElement("form") as HTMLFormElement & { value: V };
  form.className = `config-form${o.className ? ` ${o.className}` : ""}`;
  form.setAttribute("aria-label", o.label);
  form.addEventListener("submit", (e) => e.preventDefault());
  const id = `sf${++uid}`;
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  for (const f of o.fields) {
    const wrap = document.createElement("div");
    wrap.className = `field field-${f.key}`;
    const label = document.createElement("label");
    label.htmlFor = `${id}-${f.key}`;
    label.textContent = f.label;
    let input: HTMLInputElement | HTMLSelectElement;
    if (f.type === "select" || f.options) {
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
    for (const [k, el] of inputs) el.value = raw[k] ?? "";
  };
  const read = (): Raw => Object.fromEntries(Array.from(inputs, ([k, el]) => [k, el.value]));
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
    writeUrl();
    o.onValid?.(form.value);
    form.dispatchEvent(new Event("input", { bubbles: true }));
  });
  return form;
}

/**
 * The settings form every page's controls are made of. Its `value` is the last *valid* result of `validate`: an
 * invalid field shows one message next to the form (naming the field, as lib's validators do), marks that field
 * `aria-invalid` and dispatches nothing, so every cell downstream keeps its last good state.
 *
 * Validation and everything it builds live in lib/; this file only wires them to the DOM.
 */

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
}

export interface SettingsFormOptions<V> {
  /** The form's accessible name. */
  label: string;
  fields: FormField[];
  /** Default values by field key. */
  defaults: Readonly<object>;
  /** Builds the value from raw strings; throws with a one-line message starting with the field's name. */
  validate: (raw: Raw) => V;
  /** Which field an error is about; by default the first word of its message, mapped through `keyOf`. */
  fieldOf?: (error: unknown) => string | undefined;
  keyOf?: Record<string, string>;
  /** Values to start from (e.g. read from a link); if they are invalid the form says so and uses the defaults. */
  initial?: Raw;
  /** Called with every new valid value, before the page hears of it. */
  onValid?: (value: V) => void;
  className?: string;
}

/** A number field's value: NaN when empty, so validators can say "is empty or not a number". */
export const num = (s: string | undefined): number => (s === undefined || s.trim() === "" ? NaN : Number(s));

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
  const fieldOf = o.fieldOf ?? ((error: unknown) => {
    const word = /^(\w+)/.exec(error instanceof Error ? error.message : String(error))?.[1] ?? "";
    return o.keyOf?.[word] ?? word;
  });
  const showError = (error: unknown, suffix: string) => {
    message.textContent = `${error instanceof Error ? error.message : String(error)} — ${suffix}`;
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
  const start = { ...defaults, ...o.initial };
  fill(start);
  try {
    form.value = o.validate(start);
  } catch (error) {
    form.value = o.validate(defaults);
    showError(error, "the link's settings are not valid; showing the default ones.");
  }

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
    o.onValid?.(form.value);
    form.dispatchEvent(new Event("input", { bubbles: true }));
  });
  return form;
}

/**
 * The one strict reader of settings, shared by every page: a value typed in a form and a value read from a link go
 * through the same parsers, so a link reopens exactly the numbers it was copied from and a setting a page shows is
 * the setting it computed with.
 *
 * Syntax (docs/architecture.md, "Settings in the URL"): an integer is plain decimal digits, with a leading minus
 * only where the range allows negatives (`4`, not `4.0`, `0x4`, `1e1`, ` 4`, `+4` or `-0`); a real is plain decimal
 * (`1.2`, `0.05`, `.5`; not `1.`, no exponent, no plus, a minus only where negatives are allowed); a choice is one
 * of its listed words; text has no control characters. Anything else is an InputError whose message names the field
 * and what was expected, on one line.
 */
import { InputError, MAX_MESSAGE_LENGTH, escapeChar, escapeText, firstUnsafe, oneLine } from "../core/tokens.js";

export { oneLine };

/** A form's or a link's settings, as strings, keyed by the form's field keys. */
export type Raw = Record<string, string>;

/** The most characters a link may give one setting: every field of every page is far shorter. */
export const MAX_LINK_VALUE = 200;
/** How much of a rejected value a message quotes. */
const QUOTE_CHARS = 24;

const INTEGER = /^-?[0-9]+$/;
// The HTML number field's own syntax without the exponent, so a value a link gives is one the field can show.
const REAL = /^-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)$/;
/** At most `max` code points of `s`, with "…" when something was cut. */
function cut(s: string, max: number): string {
  // Slicing by code units first keeps this cheap on a megabyte-long value.
  const head = Array.from(s.slice(0, 2 * max + 2));
  return head.length > max ? `${head.slice(0, max).join("")}…` : s;
}

/** A value as a message quotes it: in double quotes, at most QUOTE_CHARS characters, unsafe characters escaped. */
export function quote(s: string, max = QUOTE_CHARS): string {
  return `"${escapeText(cut(s, max).replace(/[\\"]/g, (c) => `\\${c}`))}"`;
}

/** The message of anything thrown, as one line. */
export function messageOf(error: unknown): string {
  return oneLine(error instanceof Error ? error.message : String(error));
}

/** A default as a message shows it: bare when it is one word or number, else quoted. */
const plain = (v: string) => (/^[\w.-]+$/.test(v) ? v : quote(v));

/** How a rejected number is named in a message: its text when it came as text, cut short. */
const shown = (v: string | number) => (typeof v === "string" ? cut(escapeText(v), QUOTE_CHARS) : String(v));

/**
 * An integer field: a number, or a string of plain decimal digits (see the top of this file), within [lo, hi].
 * `-0` is 0, so a link never carries a sign the numbers do not have.
 */
export function integerFrom(field: string, v: unknown, [lo, hi]: readonly [number, number]): number {
  const expected = `expected an integer from ${lo} to ${hi}`;
  let n: number;
  if (typeof v === "string") {
    if (v === "") throw new InputError(`${field}: is empty: ${expected}`);
    if (!INTEGER.test(v)) throw new InputError(`${field}: ${quote(v)} is not an integer in plain decimal digits: ${expected}`);
    if (v.startsWith("-") && lo >= 0) throw new InputError(`${field}: ${shown(v)} has a minus sign: ${expected}`);
    n = Number(v);
  } else if (typeof v === "number" && !Number.isNaN(v)) n = v;
  else throw new InputError(`${field}: is empty or not a number: ${expected}`);
  // Digits are whole by their syntax (and too many of them make Infinity, which is out of range).
  if (typeof v === "number" && !Number.isInteger(n)) throw new InputError(`${field}: ${v} is not a whole number: ${expected}`);
  if (n < lo || n > hi) throw new InputError(`${field}: ${shown(v as string | number)} is out of range: ${expected}`);
  return n + 0;
}

/** A real field: a finite number, or a string in plain decimal notation (see the top of this file), within [lo, hi]. */
export function realFrom(field: string, v: unknown, [lo, hi]: readonly [number, number]): number {
  const expected = `expected a number from ${lo} to ${hi}`;
  let n: number;
  if (typeof v === "string") {
    if (v === "") throw new InputError(`${field}: is empty: ${expected}`);
    if (!REAL.test(v)) throw new InputError(`${field}: ${quote(v)} is not a plain decimal number (like 0.05): ${expected}`);
    if (v.startsWith("-") && lo >= 0) throw new InputError(`${field}: ${shown(v)} has a minus sign: ${expected}`);
    n = Number(v);
  } else if (typeof v === "number" && !Number.isNaN(v)) n = v;
  else throw new InputError(`${field}: is empty or not a number: ${expected}`);
  if (!(n >= lo && n <= hi)) throw new InputError(`${field}: ${shown(v as string | number)} is out of range: ${expected}`);
  return n + 0;
}

/** One of `options`; `what` names the kind of thing in the message ("is not a loss"). */
export function choiceFrom<T extends string>(field: string, v: unknown, options: readonly T[], what = "one of the choices"): T {
  if (typeof v === "string" && (options as readonly string[]).includes(v)) return v as T;
  const given = typeof v === "string" ? quote(v) : String(v);
  throw new InputError(`${field}: ${given} is not ${what}: expected one of ${options.join(", ")}`);
}

/** A text field: any characters but the unsafe ones (a form field could not show them, so they are refused). */
export function textFrom(field: string, v: unknown): string {
  if (typeof v !== "string") throw new InputError(`${field}: expected a string of characters`);
  const bad = firstUnsafe(v);
  if (bad) {
    throw new InputError(`${field}: has the control character ${escapeChar(bad.char)} at position ${bad.position}: expected printable characters`);
  }
  return v;
}

/**
 * A page's settings as its URL names them: `[query parameter, form field key]` in the order a link lists them.
 * Parameters a page does not list are ignored, so an old or foreign link still opens.
 */
export type QuerySchema = readonly (readonly [param: string, key: string])[];

/** A problem with one setting of a link, found before its value could be read. */
export interface LinkProblem {
  key: string;
  message: string;
}

export interface LinkReading {
  /** The settings the link gives, as strings, by form key (absent parameters are absent). */
  raw: Raw;
  problems: LinkProblem[];
}

/**
 * The settings in a query string (`?rho=1.2&seed=3`), by form key. `+` is a space and `%XX` a UTF-8 byte, as in
 * any form submission; a value that is not valid percent-encoding, is given twice or is longer than
 * MAX_LINK_VALUE is a problem, never a guess.
 */
export function readLink(search: string, schema: QuerySchema): LinkReading {
  const keyOf = new Map(schema.map(([param, key]) => [param, key]));
  const seen = new Map<string, number>();
  const raw: Raw = {};
  const problems: LinkProblem[] = [];
  const s = search.startsWith("?") ? search.slice(1) : search;
  for (const part of s.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = eq < 0 ? part : part.slice(0, eq);
    // Parameter names are plain words: one that needs decoding is nobody's setting.
    const key = keyOf.get(name);
    if (key === undefined) continue;
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    if (count === 2) {
      delete raw[key];
      problems.push({ key, message: `${name}: is given more than once in the link: expected it once` });
    }
    if (count > 1) continue;
    const encoded = eq < 0 ? "" : part.slice(eq + 1);
    if (encoded.length > 3 * MAX_LINK_VALUE) {
      problems.push({ key, message: `${name}: the link's value is ${encoded.length} characters long: expected at most ${MAX_LINK_VALUE}` });
      seen.set(name, 2);
      continue;
    }
    let value: string;
    try {
      value = decodeURIComponent(encoded.replace(/\+/g, " "));
    } catch {
      problems.push({ key, message: `${name}: ${quote(encoded)} is not valid percent-encoding: expected characters, or UTF-8 bytes as %XX` });
      seen.set(name, 2);
      continue;
    }
    if (value.length > MAX_LINK_VALUE) {
      problems.push({ key, message: `${name}: the link's value is ${value.length} characters long: expected at most ${MAX_LINK_VALUE}` });
      seen.set(name, 2);
      continue;
    }
    raw[key] = value;
  }
  // A parameter given twice after a bad first copy is reported once.
  const once = new Set<string>();
  return { raw, problems: problems.filter((p) => !once.has(p.key) && once.add(p.key)) };
}

/** The query string of some settings: the schema's order, values equal to the default left out. */
export function queryOf(schema: QuerySchema, values: Readonly<Record<string, unknown>>, defaults: Readonly<Record<string, unknown>>): string {
  const q = new URLSearchParams();
  for (const [param, key] of schema) {
    const v = String(values[key]), d = String(defaults[key]);
    if (v !== d) q.set(param, v);
  }
  return q.toString();
}

export interface Settled<V> {
  /** The settings used, as strings: what a form should show. */
  raw: Raw;
  /** What `validate` built from `raw`. */
  value: V;
  /** The form keys whose link value was not used (the default stands in for each). */
  replaced: string[];
  /** One line saying what was wrong with the link and what was used instead; "" when the link was good. */
  message: string;
}

/**
 * The settings a link asks for, made valid: each setting the link gets wrong is replaced by its default and the
 * good ones are kept; if an error cannot be pinned on a setting the link gave (say its text does not fit the
 * default vocabulary), none of the link's settings is used. Whatever happens, `value` was built from exactly `raw`,
 * so a form filled with `raw` shows what the numbers were computed with.
 *
 * `fieldOf` says which form key an error of `validate` is about; `nameOf` how the message names a key.
 */
export function settle<V>(o: {
  defaults: Raw;
  link: LinkReading;
  validate: (raw: Raw) => V;
  fieldOf: (error: unknown) => string | undefined;
  nameOf?: (key: string) => string;
}): Settled<V> {
  const nameOf = o.nameOf ?? ((k: string) => k);
  const given: Raw = { ...o.link.raw };
  const replaced = o.link.problems.map((p) => p.key);
  const errors = o.link.problems.map((p) => p.message);
  let everything = false;
  for (;;) {
    const raw = { ...o.defaults, ...given };
    try {
      const value = o.validate(raw);
      return { raw, value, replaced, message: describe() };
    } catch (error) {
      errors.push(messageOf(error));
      const key = o.fieldOf(error);
      if (key !== undefined && key in given) {
        delete given[key];
        replaced.push(key);
        continue;
      }
      everything = true;
      for (const k of Object.keys(given)) replaced.push(k);
      // Defaults that do not validate are a bug of the page, not of the link: let it throw.
      const raw0 = { ...o.defaults };
      return { raw: raw0, value: o.validate(raw0), replaced, message: describe() };
    }
  }

  function describe(): string {
    if (errors.length === 0) return "";
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? "s" : ""})` : "";
    const others = Object.keys(given).length > 0 ? " and the link's other settings" : "";
    const used = everything
      ? "none of the link's settings were used: showing the defaults."
      : replaced.length <= 2
        ? `showing ${replaced.map((k) => `${nameOf(k)} = ${plain(o.defaults[k] ?? "")}`).join(", ")} (the default${replaced.length > 1 ? "s" : ""})${others}.`
        : `showing the defaults for ${replaced.map(nameOf).join(", ")}${others}.`;
    const tail = `${more} — ${used}`;
    return oneLine(`${oneLine(errors[0]!, Math.max(60, MAX_MESSAGE_LENGTH - tail.length))}${tail}`);
  }
}

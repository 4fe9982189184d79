/**
 * Settings in a page's URL: reading a link's query string without guessing (`readLink`), writing one (`queryOf`),
 * and making a link's settings valid (`settle`). A value read from a link goes through the same validator as a
 * value typed in a form (lib/state/fields.ts), so a link reopens exactly the numbers it was copied from and a
 * setting a page shows is the setting it computed with.
 */
import { MAX_MESSAGE_LENGTH, oneLine } from "../core/tokens.js";
import { fieldOf as errorField, quote } from "./fields.js";

export { oneLine };

/** A form's or a link's settings, as strings, keyed by the form's field keys. */
export type Raw = Record<string, string>;

/** The most characters a link may give one setting: every field of every page is far shorter. */
export const MAX_LINK_VALUE = 200;

/** The message of anything thrown, as one line. */
export function messageOf(error: unknown): string {
  return oneLine(error instanceof Error ? error.message : String(error));
}

/** A default as a message shows it: bare when it is one word or number, else quoted. */
const plain = (v: string) => (/^[\w.-]+$/.test(v) ? v : quote(v));

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
 * MAX_LINK_VALUE (or its parameter's own limit in `maxLength`: a problem set's roster) is a problem, never a guess.
 */
export function readLink(search: string, schema: QuerySchema, maxLength: Readonly<Record<string, number>> = {}): LinkReading {
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
    const max = maxLength[name] ?? MAX_LINK_VALUE;
    if (encoded.length > 3 * max) {
      problems.push({ key, message: `${name}: the link's value is ${encoded.length} characters long: expected at most ${max}` });
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
    if (value.length > max) {
      problems.push({ key, message: `${name}: the link's value is ${value.length} characters long: expected at most ${max}` });
      seen.set(name, 2);
      continue;
    }
    raw[key] = value;
  }
  // A parameter given twice after a bad first copy is reported once.
  const once = new Set<string>();
  return { raw, problems: problems.filter((p) => !once.has(p.key) && once.add(p.key)) };
}

/**
 * Parameters about how a page is shown, not what it computes: `embed` (one equation alone, for an iframe),
 * `controls` and `theme` (lib/state/embed.ts reads them). No page's settings use these names.
 */
export const VIEW_PARAMS: readonly string[] = ["embed", "controls", "theme"];

const isViewParam = (part: string) => VIEW_PARAMS.includes(part.split("=", 1)[0]!);
const queryParts = (search: string) => search.replace(/^\?/, "").split("&").filter((p) => p !== "");

/**
 * The query a settings form writes after an edit (`query`, the page's settings only), with the view parameters of
 * `search` kept first and as they were: an embed that a reader edits stays an embed, through a reload or the
 * browser restoring the frame.
 */
export function keepViewParams(search: string, query: string): string {
  return [...queryParts(search).filter(isViewParam), ...(query ? [query] : [])].join("&");
}

/** A page's own query without the view parameters: the full page's address for the same numbers. */
export function withoutViewParams(search: string): string {
  return queryParts(search).filter((p) => !isViewParam(p)).join("&");
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
 * `fieldOf` says which form key an error of `validate` is about (by default an InputError's `field`); `nameOf` how
 * the message names a key.
 */
export function settle<V>(o: {
  defaults: Raw;
  link: LinkReading;
  validate: (raw: Raw) => V;
  fieldOf?: (error: unknown) => string | undefined;
  nameOf?: (key: string) => string;
}): Settled<V> {
  const nameOf = o.nameOf ?? ((k: string) => k);
  const fieldOf = o.fieldOf ?? errorField;
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
      const key = fieldOf(error);
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

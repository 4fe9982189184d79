/**
 * The one validator of settings, shared by every page's form and link: each page declares its settings once, as a
 * schema (which fields, in the order they are checked, and for each its kind: an integer or real in a range, one
 * of some words, or text), and `validateFields` reads a form's strings, a link's values or typed numbers with it.
 * Every refusal is an InputError whose `field` is the setting's key and whose message is one line naming the
 * setting as the page does and what was expected, so a form marks that field and a link's default replaces it.
 *
 * Syntax (docs/architecture.md, "Settings in the URL"): an integer is plain decimal digits, with a leading minus
 * only where the range allows negatives (`4`, not `4.0`, `0x4`, `1e1`, ` 4`, `+4` or `-0`); a real is plain decimal
 * (`1.2`, `0.05`, `.5`; not `1.`, no exponent, no plus, a minus only where negatives are allowed); a choice is one
 * of its listed words; text has no control characters.
 */
import { InputError, escapeChar, escapeText, firstUnsafe } from "../core/tokens.js";

export type Range = readonly [lo: number, hi: number];

/** How one setting is read. `name` is how messages name it where that is not its key ("d_model", "h₁"). */
export type FieldSpec =
  /** `atMost`: the key of an earlier integer field this one may not exceed (truncation's k ≤ T). */
  | { kind: "integer"; range: Range; name?: string; atMost?: string }
  | { kind: "real"; range: Range; name?: string }
  /** `what` names the kind of word in the message ("is not a loss"). */
  | { kind: "choice"; options: readonly string[]; what: string; name?: string }
  | { kind: "text"; name?: string };

/** A page's settings: one spec per key, in the order they are checked. */
export type Schema<C> = { readonly [K in keyof C]: FieldSpec };

export const integer = (range: Range, name?: string): FieldSpec => ({ kind: "integer", range, name });
export const real = (range: Range, name?: string): FieldSpec => ({ kind: "real", range, name });
export const choice = (options: readonly string[], what: string, name?: string): FieldSpec => ({ kind: "choice", options, what, name });
export const text = (name?: string): FieldSpec => ({ kind: "text", name });

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

/** How a rejected number is named in a message: its text when it came as text, cut short. */
const shown = (v: string | number) => (typeof v === "string" ? cut(escapeText(v), QUOTE_CHARS) : String(v));

/** The two kinds of number a setting may be, as their syntax and messages say them. */
const NUMBERS = {
  integer: { syntax: INTEGER, noun: "an integer", wrong: "is not an integer in plain decimal digits" },
  real: { syntax: REAL, noun: "a number", wrong: "is not a plain decimal number (like 0.05)" },
} as const;

/**
 * A number field: a number, or a string in the kind's syntax (see the top of this file), within [lo, hi]. `-0` is
 * 0, so a link never carries a sign the numbers do not have. `name` is the message's, `key` the error's field.
 */
function numberFrom(kind: keyof typeof NUMBERS, name: string, v: unknown, [lo, hi]: Range, key: string): number {
  const { syntax, noun, wrong } = NUMBERS[kind];
  const fail = (what: string) => new InputError(`${name}: ${what}: expected ${noun} from ${lo} to ${hi}`, key);
  let n: number;
  if (typeof v === "string") {
    if (v === "") throw fail("is empty");
    if (!syntax.test(v)) throw fail(`${quote(v)} ${wrong}`);
    if (v.startsWith("-") && lo >= 0) throw fail(`${shown(v)} has a minus sign`);
    n = Number(v);
  } else if (typeof v === "number" && !Number.isNaN(v)) n = v;
  else throw fail("is empty or not a number");
  // Digits are whole by their syntax (and too many of them make Infinity, which is out of range).
  if (kind === "integer" && typeof v === "number" && !Number.isInteger(n)) throw fail(`${v} is not a whole number`);
  if (!(n >= lo && n <= hi)) throw fail(`${shown(v as string | number)} is out of range`);
  return n + 0;
}

/** An integer field: plain decimal digits, a minus sign only where the range has negatives. */
export const integerFrom = (name: string, v: unknown, range: Range, key = name): number => numberFrom("integer", name, v, range, key);

/** A real field: plain decimal notation, no exponent. */
export const realFrom = (name: string, v: unknown, range: Range, key = name): number => numberFrom("real", name, v, range, key);

/** One of `options`; `what` names the kind of thing in the message ("is not a loss"). */
export function choiceFrom<T extends string>(name: string, v: unknown, options: readonly T[], what = "one of the choices", key = name): T {
  if (typeof v === "string" && (options as readonly string[]).includes(v)) return v as T;
  const given = typeof v === "string" ? quote(v) : String(v);
  throw new InputError(`${name}: ${given} is not ${what}: expected one of ${options.join(", ")}`, key);
}

/** A text field: any characters but the unsafe ones (a form field could not show them, so they are refused). */
export function textFrom(name: string, v: unknown, key = name): string {
  if (typeof v !== "string") throw new InputError(`${name}: expected a string of characters`, key);
  const bad = firstUnsafe(v);
  if (bad) {
    throw new InputError(`${name}: has the control character ${escapeChar(bad.char)} at position ${bad.position}: expected printable characters`, key);
  }
  return v;
}

/**
 * Settings read with their schema, field by field in the schema's order; throws the InputError of the first bad
 * one. Values may be the strings of a form or link or typed numbers; the result holds the schema's keys only.
 */
export function validateFields<C>(schema: Schema<C>, values: object): C {
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(schema) as [string, FieldSpec][]) {
    const name = f.name ?? key, v = (values as Record<string, unknown>)[key];
    if (f.kind === "integer") {
      const n = integerFrom(name, v, f.range, key);
      const limit = f.atMost === undefined ? undefined : out[f.atMost] as number;
      if (limit !== undefined && n > limit) {
        const limitName = (schema as Record<string, FieldSpec>)[f.atMost!]!.name ?? f.atMost;
        throw new InputError(`${name}: ${n} is out of range: expected an integer from ${f.range[0]} to ${limitName} = ${limit}`, key);
      }
      out[key] = n;
    } else if (f.kind === "real") out[key] = realFrom(name, v, f.range, key);
    else if (f.kind === "choice") out[key] = choiceFrom(name, v, f.options, f.what, key);
    else out[key] = textFrom(name, v, key);
  }
  return out as C;
}

/** The setting an error is about, by key: an InputError's `field`; nothing for any other error. */
export const fieldOf = (error: unknown): string | undefined => (error instanceof InputError ? error.field : undefined);

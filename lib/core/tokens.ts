/**
 * Checks on token sequences, shared by the model, the answer key and the pages so that a bad sequence gets the
 * same one-line message everywhere: `inputs[3] = 9 is not a token id: the vocabulary has 8 tokens (ids 0 to 7)`.
 *
 * Also the means of keeping such a message one short line whatever the input held: `preview` shows a value in at
 * most a few dozen characters without recursing into it, `escapeText` writes every character that could break a
 * line or fool a terminal as an escape, and `oneLine` does both to a whole message.
 */

/**
 * Input a reader, a lecturer or a link got wrong: a one-line message naming what is wrong and what was expected,
 * and, for a setting of a form or link, the key of that `field` (so a form marks it and a link's default replaces it).
 */
export class InputError extends Error {
  override name = "InputError";
  constructor(message: string, readonly field?: string) {
    super(message);
  }
}

/** The longest message the answer key and the answer checker give, in UTF-16 code units. */
export const MAX_MESSAGE_LENGTH = 200;

/** The longest rendering of a value quoted in a message (a field name, a bad entry). */
export const PREVIEW_LENGTH = 40;

/**
 * Characters a message must not hold raw: C0 and C1 controls (NUL, CR, LF, NEL U+0085, …) and the line and paragraph
 * separators U+2028/U+2029, which split a line in terminals, logs and JavaScript; lone surrogates, which are not
 * text; and the bidirectional controls and byte-order mark, which make a line display as something it is not.
 */
const UNSAFE_SOURCE = "[\\p{Cc}\\p{Zl}\\p{Zp}\\p{Cs}\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\ufeff]";
const UNSAFE = new RegExp(UNSAFE_SOURCE, "gu");
const SHORT_ESCAPES: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
/** One unsafe character as an escape: `\n`, `\r`, `\t`, or `\uXXXX`. */
export const escapeChar = (c: string): string => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** `s` with every unsafe character written as an escape (`\n`, `\u2028`, `\u0085`, …). */
export function escapeText(s: string): string {
  return s.replace(UNSAFE, escapeChar);
}

/** The first unsafe character of `s` and its position counted in characters from 1, or null. */
export function firstUnsafe(s: string): { char: string; position: number } | null {
  const m = new RegExp(UNSAFE_SOURCE, "u").exec(s);
  return m ? { char: m[0], position: Array.from(s.slice(0, m.index)).length + 1 } : null;
}

/** `s` cut to at most `max` UTF-16 code units, ending in "…" when cut, never between the halves of a pair. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = max - 1;
  const last = s.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return `${s.slice(0, cut)}…`;
}

/** A message as one safe line of at most `max` characters. */
export function oneLine(message: string, max: number = MAX_MESSAGE_LENGTH): string {
  // Only the head can show: escaping all of a megabyte-long message would be wasted work.
  return clip(escapeText(message.slice(0, 8 * max)), max);
}

/** A string as a JSON literal, looking at no more than `max` of its characters. */
function quote(s: string, max: number): string {
  const head = s.length > max ? s.slice(0, max + 1) : s;
  return `"${escapeText(head.replace(/["\\]/g, "\\$&"))}"`;
}

class Literal {
  constructor(readonly text: string) {}
}

/**
 * A value as a message quotes it: numbers as JavaScript prints them (so NaN, Infinity and -0 are named, where JSON
 * would print null or 0), anything else much as JSON, cut to `max` characters. Iterative and bounded: a list nested
 * a million deep, a list of a million entries, a string of megabytes or an object that contains itself each cost
 * O(max) to show, never a stack overflow.
 */
export function preview(v: unknown, max: number = PREVIEW_LENGTH): string {
  let out = "";
  const todo: unknown[] = [v];
  while (todo.length > 0 && out.length <= max) {
    const item = todo.pop();
    if (item instanceof Literal) {
      out += item.text;
    } else if (typeof item === "number") {
      out += Object.is(item, -0) ? "-0" : String(item);
    } else if (typeof item === "string") {
      out += quote(item, max);
    } else if (typeof item === "bigint") {
      out += `${item}n`;
    } else if (item === null || typeof item === "boolean" || item === undefined) {
      out += String(item);
    } else if (Array.isArray(item)) {
      // Only the first max entries can show; each takes at least one character.
      const shown = Math.min(item.length, max);
      todo.push(new Literal(item.length > shown ? ",…]" : "]"));
      for (let i = shown - 1; i >= 0; i--) {
        todo.push(item[i]);
        if (i > 0) todo.push(new Literal(","));
      }
      out += "[";
    } else if (typeof item === "object") {
      const keys: string[] = [];
      for (const k in item) {
        if (!Object.hasOwn(item, k)) continue;
        if (keys.length === max) break;
        keys.push(k);
      }
      todo.push(new Literal("}"));
      for (let i = keys.length - 1; i >= 0; i--) {
        todo.push((item as Record<string, unknown>)[keys[i]!]);
        todo.push(new Literal(`${quote(keys[i]!, max)}:`));
        if (i > 0) todo.push(new Literal(","));
      }
      out += "{";
    } else {
      out += `a ${typeof item}`;
    }
  }
  return clip(out, max);
}

/** Throws an InputError naming `field` unless `ids` is a non-empty list of token ids below `vocab`. */
export function checkTokenIds(field: string, ids: ArrayLike<number>, vocab: number): void {
  if (ids.length === 0) throw new InputError(`${field} is empty: expected at least one token`);
  for (let t = 0; t < ids.length; t++) {
    const id = ids[t]!;
    if (!Number.isInteger(id) || id < 0 || id >= vocab) {
      throw new InputError(
        oneLine(`${field}[${t}] = ${preview(id)} is not a token id: the vocabulary has ${vocab} token${vocab === 1 ? "" : "s"} (ids 0 to ${vocab - 1})`),
      );
    }
  }
}

/** Inputs and targets must be valid and of equal length τ (one target per input, eq 1.1). */
export function checkSequence(inputs: ArrayLike<number>, targets: ArrayLike<number>, vocab: number): number {
  checkTokenIds("inputs", inputs, vocab);
  checkTokenIds("targets", targets, vocab);
  if (inputs.length !== targets.length) {
    throw new InputError(
      `targets has ${targets.length} tokens but inputs has ${inputs.length}: expected one target per input`,
    );
  }
  return inputs.length;
}

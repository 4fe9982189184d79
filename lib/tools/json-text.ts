/**
 * Reading the JSON text of a document a reader hands in (a case, a student's answer) without letting the text
 * decide what it costs. Before `JSON.parse` sees the text, `parseJsonText` refuses text over the document's byte
 * limit and `scanJson` walks it once, without recursion, refusing nesting deeper than MAX_JSON_DEPTH and a field
 * with more values than the largest document can hold; what it lets through parses in about the time the largest
 * real document does (V8 takes 17 s and 600 MB to parse ten million nested `[`, and seconds for millions of empty
 * lists). It also notes a key given twice, which JSON.parse would silently resolve to the last. Bytes (a file,
 * standard input) are decoded as UTF-8 with the offending byte named (`decodeText`).
 *
 * Every message is one line of at most MAX_MESSAGE_LENGTH characters with control and line-separator characters
 * escaped (lib/core/tokens.ts `oneLine`), and a value it quotes is cut short (`preview`), so no input can make it
 * long, multi-line or a stack overflow.
 */
import { InputError, oneLine, preview } from "../core/tokens.js";

/**
 * The deepest nesting of lists and objects a text may have. A case needs 3 (an object of matrices of rows) and a
 * student's answer the same; up to 16 still parses, so that a tensor with an extra axis gets the message of its
 * field ("E[0][0] = [0.1,0.2] is not a number"). Deeper text is refused before JSON.parse, which takes V8 seconds
 * and hundreds of MB for a few million nested `[`.
 */
export const MAX_JSON_DEPTH = 16;

/** An InputError whose message is one safe line, whatever the input put into it. */
export const fail = (message: string): InputError => new InputError(oneLine(message));

/** How the JSON text of one kind of document (a case, a student's answer) is read: see `parseJsonText`. */
export interface JsonTextRules {
  /** "case" or "answer": names the document in messages. */
  what: string;
  /** Put before a top-level field in messages: "" for a case ("E[3][1]"), "answer." for an answer. */
  fieldPrefix: string;
  /** The longest text, in UTF-8 bytes. */
  maxBytes: number;
  /** Why that limit, ending the message of a text over it. */
  bytesWhy: string;
  /** The most values a top-level field may hold, every number, string, list and object counted once, and why. */
  fieldLimit: (field: string) => { values: number; why: string } | undefined;
  /** The most values the whole text may hold. */
  maxValues: number;
  /** How deep the document nests, for the message of a text nested deeper than MAX_JSON_DEPTH. */
  nesting: string;
}

/** "32 MiB", "72.5 KiB". */
function binarySize(bytes: number): string {
  const [unit, size] = bytes >= 1048576 ? ["MiB", 1048576] : ["KiB", 1024];
  return `${(bytes / size).toFixed(bytes % size === 0 ? 0 : 1)} ${unit}`;
}

/** The error for a text over `rules.maxBytes`: `bytes` is its size when known (a file), undefined when reading stopped. */
export function tooLargeError(rules: JsonTextRules, bytes?: number): InputError {
  const size = bytes === undefined ? "is" : `is ${bytes} bytes,`;
  return fail(`${rules.what} ${size} over the limit of ${rules.maxBytes} bytes (${binarySize(rules.maxBytes)}): ${rules.bytesWhy}`);
}

const encoder = new TextEncoder();
const ENCODE_CHUNK = 1 << 16;
const encodeBuffer = new Uint8Array(3 * ENCODE_CHUNK + 1);

/** The UTF-8 length of `s`, counting no further than just past `stop`; encoded natively, a chunk at a time. */
function utf8Length(s: string, stop: number): number {
  let n = 0;
  for (let i = 0; i < s.length && n <= stop; ) {
    let end = Math.min(i + ENCODE_CHUNK, s.length);
    const last = s.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff && end < s.length) end++; // keep a surrogate pair together
    n += encoder.encodeInto(s.slice(i, end), encodeBuffer).written;
    i = end;
  }
  return n;
}

/** The offset of the first byte that is not part of well-formed UTF-8 (RFC 3629), or -1. */
function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    let need: number, lo = 0x80, hi = 0xbf;
    if (c < 0x80) need = 0;
    else if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // a surrogate
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90; // overlong
      if (c === 0xf4) hi = 0x8f; // past U+10FFFF
    } else return i;
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

/**
 * The text of a document read as bytes (a file, standard input): UTF-8, a UTF-8 byte-order mark dropped. Refuses,
 * with one line, bytes over the limit, UTF-16 text and bytes that are not UTF-8, naming the offending byte.
 */
export function decodeText(rules: JsonTextRules, bytes: Uint8Array): string {
  if (bytes.length > rules.maxBytes) throw tooLargeError(rules, bytes.length);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw fail(`${rules.what} is UTF-16 text (it starts with a UTF-16 byte-order mark): expected UTF-8; save it as UTF-8`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
    const hex = (bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, "0");
    throw fail(`${rules.what} is not UTF-8 text: byte ${at} (line ${line}) is 0x${hex}, which UTF-8 does not allow there; save it as UTF-8`);
  }
}

interface Frame {
  object: boolean;
  /** Arrays: the index of the current entry. */
  index: number;
  /** Objects: the current key. */
  key: string | undefined;
  keys: Set<string> | undefined;
  expectKey: boolean;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]{0,39}$/;

/** Where the scan is, as a message names it: "E[3][1]", "answer.dL_dE[2]", "case[0][0]" for a list at the root. */
function pathOf(frames: readonly Frame[], rules: JsonTextRules): string {
  let out = "";
  for (let d = 0; d < frames.length; d++) {
    const f = frames[d]!;
    if (!f.object) out += `${d === 0 ? rules.what : ""}[${f.index}]`;
    else if (f.key === undefined) out += d === 0 ? rules.what : "";
    else if (IDENTIFIER.test(f.key)) out += d === 0 ? `${rules.fieldPrefix}${f.key}` : `.${f.key}`;
    else out += `${d === 0 ? rules.what : ""}[${preview(f.key)}]`;
  }
  return out || rules.what;
}

function keyOf(raw: string): string | undefined {
  if (!raw.includes("\\")) return raw.slice(1, -1);
  try {
    return JSON.parse(raw) as string;
  } catch {
    return undefined; // not a string literal: JSON.parse of the whole text will say where
  }
}

/**
 * One pass over JSON text, before JSON.parse builds anything: throws for nesting deeper than MAX_JSON_DEPTH and
 * for more values than `rules` allow in a field or in all, and returns the message for the first key an object
 * gives twice (or null), to be thrown once the text is known to be JSON. Hand-written rather than a library parser
 * because those recurse (a deep text overflows them) and build the value (which is what must not happen yet); on
 * text that is not JSON it may miscount, which is harmless, as JSON.parse then refuses it.
 */
function scanJson(text: string, rules: JsonTextRules): string | null {
  const stack: Frame[] = [];
  const counts = new Map<string, number>();
  let total = 0;
  let valueNext = true;
  let duplicate: string | null = null;
  const count = () => {
    if (++total > rules.maxValues) {
      throw fail(`${rules.what} is too large: it holds more than ${rules.maxValues} values (numbers, strings, lists), more than any ${rules.what} within the limits`);
    }
    const root = stack[0];
    if (root?.object && root.key !== undefined) {
      const limit = rules.fieldLimit(root.key);
      const n = (counts.get(root.key) ?? 0) + 1;
      counts.set(root.key, n);
      if (limit && n > limit.values) {
        throw fail(`${rules.fieldPrefix}${root.key} is too large: it holds more than ${limit.values} values (numbers and lists), ${limit.why}`);
      }
    }
  };
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    const top = stack[stack.length - 1];
    if (c === 0x22) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x22) break;
        j += d === 0x5c ? 2 : 1;
      }
      if (top?.object && top.expectKey) {
        const key = keyOf(text.slice(i, j + 1));
        top.expectKey = false;
        top.key = key;
        if (key !== undefined) {
          top.keys ??= new Set();
          if (!top.keys.has(key)) top.keys.add(key);
          else {
            const where = pathOf(stack.slice(0, -1), rules);
            const what = stack.length === 1 ? "field" : "key";
            duplicate ??= `${where} has the ${what} ${preview(key)} twice: give it once (JSON would silently keep only the last)`;
          }
        }
      } else if (valueNext) count();
      valueNext = false;
      i = j;
      continue;
    }
    switch (c) {
      case 0x3a: // :
        valueNext = true;
        break;
      case 0x2c: // ,
        if (top?.object) top.expectKey = true;
        else if (top) {
          top.index++;
          valueNext = true;
        }
        break;
      case 0x5b: // [
      case 0x7b: // {
        count();
        if (stack.length >= MAX_JSON_DEPTH) {
          throw fail(`${pathOf(stack, rules)} is nested more than ${MAX_JSON_DEPTH} levels deep: ${rules.nesting}`);
        }
        stack.push({ object: c === 0x7b, index: 0, key: undefined, keys: undefined, expectKey: c === 0x7b });
        valueNext = c === 0x5b;
        break;
      case 0x5d: // ]
      case 0x7d: // }
        stack.pop();
        valueNext = false;
        break;
      default: // the first character of a number, true, false or null (or of something JSON.parse will refuse)
        if (valueNext) {
          count();
          valueNext = false;
        }
    }
  }
  return duplicate;
}

/**
 * Parse JSON text under `rules`, refusing before JSON.parse whatever would cost it more than the largest real
 * document does: text over the byte limit, nesting deeper than MAX_JSON_DEPTH, a field with more values than it
 * can hold. Then refuses text that is empty, is not JSON or gives a key twice. Every refusal is an InputError with
 * one line naming the field.
 */
export function parseJsonText(text: string, rules: JsonTextRules): unknown {
  // Each UTF-16 code unit takes one to three UTF-8 bytes: only text in between needs counting.
  if (text.length > rules.maxBytes) throw tooLargeError(rules);
  if (text.length * 3 > rules.maxBytes && utf8Length(text, rules.maxBytes) > rules.maxBytes) throw tooLargeError(rules);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a byte-order mark some editors write
  if (/^\s*$/.test(body)) throw fail(`${rules.what} is empty: expected a JSON object`);
  const duplicate = scanJson(body, rules);
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    // The engine's words, which vary between versions and may quote the text: oneLine escapes and cuts them.
    throw fail(`${rules.what} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (duplicate !== null) throw fail(duplicate);
  return value;
}

/**
 * The answer key: a JSON "case" (parameters, h⁽⁰⁾ and a token sequence) in, a JSON "answer" (every quantity of
 * the forward pass, eqs 1.1–1.7, and of the backward pass, eqs 4.1–4.9) out. Lecturers make cases, students
 * check their numbers against the answer; the command-line tool bin/answer-key.ts and the site's pages share
 * this module, so a bad case gets the same one-line message in both places.
 *
 * Pure: no Node APIs, no DOM.
 *
 * A case is `{"E": vocab × d_model, "U": hidden × d_model, "W": hidden × hidden, "b": [hidden],
 * "V": vocab × hidden, "c": [vocab], "h0": [hidden] (optional, default zeros), "inputs": [τ token ids],
 * "targets": [τ token ids], "vocab": [vocab names] (optional)}`, matrices as arrays of rows. The sizes are read off
 * the case: vocab and d_model from E, hidden from U; everything else must agree with them. What `parseCase` and
 * `validateCase` reject, each with an InputError whose one-line message names the field and what was expected:
 *
 * - text over MAX_CASE_BYTES, nested deeper than MAX_JSON_DEPTH, or with far more values in a field than the
 *   largest case holds (all before JSON.parse, see "Hard inputs" below); bytes that are not UTF-8 (`decodeCase`);
 * - text that is empty or not JSON, a JSON value that is not an object, and a field given twice;
 * - an unknown top-level field (a misspelt "h_0" would otherwise be silently ignored and give a wrong answer);
 * - a missing required field (all but h0 and vocab);
 * - a matrix that is not an array of arrays, has no rows, is ragged, or has the wrong shape; a vector that is
 *   not an array or has the wrong length; E with empty rows (d_model ≥ 1) or no rows (vocab ≥ 1), U with no
 *   rows (hidden ≥ 1);
 * - any entry that is not a number, or is not finite (JSON cannot spell NaN, but 1e400 parses to Infinity);
 * - inputs/targets that are not arrays, are empty, hold something that is not a token id (an integer from 0 to
 *   vocab − 1), or differ in length (the messages of lib/core/tokens.ts);
 * - a vocab list of the wrong length, with a non-string entry, or with a repeated name (a name must pick out one
 *   token);
 * - a case larger than the largest the generated mode makes (CASE_SIZE_LIMITS: vocab ≤ 512, d_model ≤ 256,
 *   hidden ≤ 512, τ ≤ 1024), naming the field and the limit.
 *
 * A valid case whose numbers are so large that the computation overflows float64 (say |E|·|U| > 1.8e308) is
 * also rejected with an InputError, by `answerCase`, rather than printing `null` where a number should be.
 *
 * Hard inputs. Before `JSON.parse` sees the text, `parseCase` refuses text over MAX_CASE_BYTES and `scanJson`
 * walks it once, without recursion, refusing nesting deeper than MAX_JSON_DEPTH and a field with more values than
 * the largest case can hold; what it lets through parses in about the time the largest real case does (V8 takes
 * 17 s and 600 MB to parse ten million nested `[`, and seconds for millions of empty lists). It also notes a key
 * given twice, which JSON.parse would silently resolve to the last. Every message is one line of at most
 * MAX_MESSAGE_LENGTH characters with control and line-separator characters escaped (lib/core/tokens.ts `oneLine`), and
 * a value it quotes is cut short (`preview`), so no input can make it long, multi-line or a stack overflow.
 */
import { backward } from "../derivation/backward.js";
import { forward } from "../derivation/forward.js";
import { type Matrix, type Vector, fromRows, toRows } from "../core/matrix.js";
import { type H0Kind, H0_KINDS, type Params, initParams, initialHidden } from "../derivation/model.js";
import { makeRng } from "../core/rng.js";
import { InputError, MAX_MESSAGE_LENGTH, checkSequence, checkTokenIds, oneLine, preview } from "../core/tokens.js";

export { InputError, MAX_MESSAGE_LENGTH, oneLine };

/** A case as it is written in JSON. */
export interface CaseJson {
  E: number[][];
  U: number[][];
  W: number[][];
  b: number[];
  V: number[][];
  c: number[];
  h0?: number[];
  inputs: number[];
  targets: number[];
  vocab?: string[];
}

export interface CaseSizes {
  vocab: number;
  dModel: number;
  hidden: number;
  tau: number;
}

/** A validated case: every shape agrees, every number is finite, every token id is in range. */
export interface Case {
  params: Params;
  /** h⁽⁰⁾: the case's "h0", or zeros when it has none. */
  h0: Vector;
  inputs: number[];
  targets: number[];
  /** Token names, one per row of E, when the case gives them. */
  vocab?: string[];
  sizes: CaseSizes;
}

/** The answer as it is written in JSON. Row t − 1 of every τ-row matrix holds the quantity at time step t. */
export interface Answer {
  sizes: { vocab: number; d_model: number; hidden: number; tau: number };
  /** L, eq 1.2. */
  loss: number;
  /** L⁽ᵗ⁾, eq 1.1, [τ]. */
  L_t: number[];
  /** h⁽⁰⁾, [hidden]. */
  h0: number[];
  /** x⁽ᵗ⁾, eq 1.3, τ × d_model. */
  x: number[][];
  /** a⁽ᵗ⁾, eq 1.4, τ × hidden. */
  a: number[][];
  /** h⁽¹⁾ … h⁽τ⁾, eq 1.5, τ × hidden. */
  h: number[][];
  /** o⁽ᵗ⁾, eq 1.6, τ × vocab. */
  o: number[][];
  /** ŷ⁽ᵗ⁾, eq 1.7, τ × vocab. */
  yhat: number[][];
  /** eq 4.1, τ × vocab. */
  dL_do: number[][];
  /** eqs 4.2–4.3, τ × hidden. */
  dL_dh: number[][];
  /** (DL)_{a⁽ᵗ⁾} = (DL)_{h⁽ᵗ⁾} ⊙ (1 − (h⁽ᵗ⁾)²), τ × hidden: the bracket of eqs 4.5, 4.7–4.9. */
  dL_da: number[][];
  /** eq 4.4, [vocab]. */
  dL_dc: number[];
  /** eq 4.5, [hidden]. */
  dL_db: number[];
  /** eq 4.6, vocab × hidden. */
  dL_dV: number[][];
  /** eq 4.7, hidden × hidden. */
  dL_dW: number[][];
  /** eq 4.8, hidden × d_model. */
  dL_dU: number[][];
  /** eq 4.9, vocab × d_model. */
  dL_dE: number[][];
}

const REQUIRED = ["E", "U", "W", "b", "V", "c", "inputs", "targets"] as const;
const FIELDS: readonly string[] = ["E", "U", "W", "b", "V", "c", "h0", "inputs", "targets", "vocab"];
const DESCRIPTIONS: Record<(typeof REQUIRED)[number], string> = {
  E: "the embedding table, a vocab × d_model matrix",
  U: "the input-to-hidden weights, a hidden × d_model matrix",
  W: "the hidden-to-hidden weights, a hidden × hidden matrix",
  b: "the input-to-hidden bias, a list of hidden numbers",
  V: "the hidden-to-logit weights, a vocab × hidden matrix",
  c: "the hidden-to-logit bias, a list of vocab numbers",
  inputs: "the input token ids",
  targets: "the target token ids, one per input",
};

type SizeOption = "seed" | "vocab" | "dModel" | "hidden" | "tau";

/** The accepted ranges of the generated mode (`--seed`, `--vocab`, …), inclusive. */
export const RANDOM_CASE_RANGES: Readonly<Record<SizeOption, readonly [number, number]>> = {
  seed: [0, 4294967295],
  vocab: [1, 512],
  dModel: [1, 256],
  hidden: [1, 512],
  tau: [1, 1024],
};

/**
 * The largest case the answer key takes: the largest it generates (vocab 512, d_model 256, hidden 512, τ 1024).
 * Such a case takes about ten seconds of CPU and a 120 MB answer (0.8 M numbers in, 4.7 M out); past it both grow
 * without bound (a 40 MB case ran for minutes and died out of memory), so a case with a larger size is refused
 * with a message naming the field and the limit.
 */
export const CASE_SIZE_LIMITS: Readonly<CaseSizes> = {
  vocab: RANDOM_CASE_RANGES.vocab[1],
  dModel: RANDOM_CASE_RANGES.dModel[1],
  hidden: RANDOM_CASE_RANGES.hidden[1],
  tau: RANDOM_CASE_RANGES.tau[1],
};

/**
 * The longest case text, in UTF-8 bytes: 32 MiB, refused before it is parsed (the command line stops reading
 * there). A case at CASE_SIZE_LIMITS holds 790,528 numbers; written in full precision it takes 16.5 MB as
 * JSON.stringify prints it, 22 MB pretty-printed with two spaces, 27 MB with four, and 30 MB with four spaces and
 * every number in the longest float64 form (24 characters, -1.2345678901234567e-100). All fit; a 40 MB text cannot
 * be a case within the size limits.
 */
export const MAX_CASE_BYTES = 32 * 1024 * 1024;

/**
 * The deepest nesting of lists and objects a text may have. A case needs 3 (an object of matrices of rows) and a
 * student's answer the same; up to 16 still parses, so that a tensor with an extra axis gets the message of its
 * field ("E[0][0] = [0.1,0.2] is not a number"). Deeper text is refused before JSON.parse, which takes V8 seconds
 * and hundreds of MB for a few million nested `[`.
 */
export const MAX_JSON_DEPTH = 16;

/** An InputError whose message is one safe line, whatever the input put into it. */
const fail = (message: string): InputError => new InputError(oneLine(message));

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

const limitText = (rows: string, cols: string | null, sizes: string) =>
  cols === null ? `the largest has ${rows} entries (${sizes})` : `the largest is ${rows}×${cols} (${sizes})`;

/** The rules of a case's text: MAX_CASE_BYTES, and no field larger than CASE_SIZE_LIMITS allow. */
export const CASE_TEXT: JsonTextRules = (() => {
  const { vocab: V, dModel: D, hidden: H, tau: T } = CASE_SIZE_LIMITS;
  // A matrix of r rows and c columns is 1 list, r rows and r·c numbers. Allowing twice the largest keeps the cost
  // of parsing within twice that of the largest case while a field somewhat too large still reaches validateCase,
  // whose message says which size is over ("E has 600 rows, over the limit of 512 …").
  const matrix = (r: number, c: number) => 2 * (r * c + r + 1);
  const vector = (n: number) => 2 * (n + 1);
  const limits: Record<string, { values: number; why: string }> = {
    E: { values: matrix(V, D), why: limitText(`${V}`, `${D}`, `vocab ≤ ${V}, d_model ≤ ${D}`) },
    U: { values: matrix(H, D), why: limitText(`${H}`, `${D}`, `hidden ≤ ${H}, d_model ≤ ${D}`) },
    W: { values: matrix(H, H), why: limitText(`${H}`, `${H}`, `hidden ≤ ${H}`) },
    V: { values: matrix(V, H), why: limitText(`${V}`, `${H}`, `vocab ≤ ${V}, hidden ≤ ${H}`) },
    b: { values: vector(H), why: limitText(`${H}`, null, `hidden ≤ ${H}`) },
    h0: { values: vector(H), why: limitText(`${H}`, null, `hidden ≤ ${H}`) },
    c: { values: vector(V), why: limitText(`${V}`, null, `vocab ≤ ${V}`) },
    vocab: { values: vector(V), why: limitText(`${V}`, null, `vocab ≤ ${V}`) },
    inputs: { values: vector(T), why: limitText(`${T}`, null, `τ ≤ ${T}`) },
    targets: { values: vector(T), why: limitText(`${T}`, null, `τ ≤ ${T}`) },
  };
  return {
    what: "case",
    fieldPrefix: "",
    maxBytes: MAX_CASE_BYTES,
    bytesWhy: `a case within the size limits (vocab ≤ ${V}, d_model ≤ ${D}, hidden ≤ ${H}, τ ≤ ${T}) takes at most about 30 MB`,
    fieldLimit: (field) => (Object.hasOwn(limits, field) ? limits[field] : undefined),
    maxValues: 1 + Object.values(limits).reduce((s, l) => s + l.values, 0),
    nesting: "a case nests 3 (an object of matrices of rows)",
  };
})();

/** The error for a case text over MAX_CASE_BYTES; `bytes` is its size when known. */
export const caseTooLargeError = (bytes?: number): InputError => tooLargeError(CASE_TEXT, bytes);

/** A case read as bytes, as text: see `decodeText`. */
export const decodeCase = (bytes: Uint8Array): string => decodeText(CASE_TEXT, bytes);

/** "an array", "a string", "null", … for messages. */
function kind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (v === undefined) return "nothing";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/** A value as it appears in a message: numbers as JS prints them (Infinity, NaN), anything else as JSON, short. */
const show = (v: unknown): string => preview(v);

function checkNumber(where: string, v: unknown): number {
  if (typeof v !== "number") throw fail(`${where} = ${show(v)} is not a number`);
  if (!Number.isFinite(v)) throw fail(`${where} = ${show(v)} is not a finite number`);
  return v;
}

interface MatrixSpec {
  /** "hidden × hidden". */
  shape: string;
  /** The required number of rows, when another field fixes it. */
  rows?: number;
  /** The required number of columns, when another field fixes it; otherwise row 0 fixes it. */
  cols?: number;
  /** The name of the column size, "d_model" or "hidden". */
  colName: string;
  /** Where the column size comes from, "from E". */
  colsFrom?: string;
  /** Where the sizes come from, for a whole-shape mismatch: "hidden = 6 from U". */
  why?: string;
  /** The limit on the rows when the rows fix a size (E: vocab, U: hidden), and that size's name. */
  maxRows?: [number, keyof CaseSizes];
  /** The limit on the columns when row 0 fixes them (E: d_model). */
  maxCols?: [number, keyof CaseSizes];
}

/** "vocab", "d_model", …: a size as the docs and the answer's "sizes" name it. */
const SIZE_NAMES: Readonly<Record<keyof CaseSizes, string>> = { vocab: "vocab", dModel: "d_model", hidden: "hidden", tau: "τ" };

const overLimit = (what: string, n: number, unit: string, [limit, size]: [number, keyof CaseSizes]) =>
  fail(`${what} has ${n} ${unit}, over the limit of ${limit} (${SIZE_NAMES[size]} ≤ ${limit}, as for generated cases)`);

function readMatrix(name: string, value: unknown, spec: MatrixSpec): Matrix {
  if (!Array.isArray(value)) {
    throw fail(`${name} is not an array of rows: expected a ${spec.shape} matrix, got ${kind(value)}`);
  }
  const expectedShape = () => `${spec.rows ?? value.length}×${spec.cols}`;
  if (value.length === 0) {
    throw fail(
      spec.rows !== undefined && spec.cols !== undefined
        ? `${name} has no rows, expected ${expectedShape()} (${spec.shape}, ${spec.why})`
        : `${name} has no rows: expected a ${spec.shape} matrix with at least one row`,
    );
  }
  if (spec.maxRows && value.length > spec.maxRows[0]) throw overLimit(name, value.length, "rows", spec.maxRows);
  for (let i = 0; i < value.length; i++) {
    const r: unknown = value[i];
    if (!Array.isArray(r)) throw fail(`${name}[${i}] is not an array: expected a row of numbers, got ${kind(r)}`);
  }
  const rows = value as unknown[][];
  const width0 = rows[0]!.length;
  if (spec.cols === undefined) {
    // Row 0 fixes the width (E: d_model).
    if (width0 === 0) throw fail(`${name}[0] is empty: expected a row of ${spec.colName} ≥ 1 numbers`);
    if (spec.maxCols && width0 > spec.maxCols[0]) throw overLimit(`${name}[0]`, width0, "entries", spec.maxCols);
    for (let i = 1; i < rows.length; i++) {
      const n = rows[i]!.length;
      if (n !== width0) {
        throw fail(`${name}[${i}] has ${n} entries, expected ${width0} (${spec.colName}, from ${name}[0])`);
      }
    }
  } else {
    const rectangular = rows.every((r) => r.length === width0);
    if (rectangular) {
      if ((spec.rows !== undefined && rows.length !== spec.rows) || width0 !== spec.cols) {
        throw fail(`${name} is ${rows.length}×${width0}, expected ${expectedShape()} (${spec.shape}, ${spec.why})`);
      }
    } else {
      const i = rows.findIndex((r) => r.length !== spec.cols);
      throw fail(
        `${name}[${i}] has ${rows[i]!.length} entries, expected ${spec.cols} (${spec.colName}, ${spec.colsFrom})`,
      );
    }
  }
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    for (let j = 0; j < r.length; j++) checkNumber(`${name}[${i}][${j}]`, r[j]);
  }
  return fromRows(rows as number[][]);
}

function readVector(name: string, value: unknown, n: number, size: string, from: string): Vector {
  if (!Array.isArray(value)) {
    throw fail(`${name} is not an array: expected a list of ${n} numbers (${size}, ${from}), got ${kind(value)}`);
  }
  if (value.length !== n) throw fail(`${name} has ${value.length} entries, expected ${n} (${size}, ${from})`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = checkNumber(`${name}[${i}]`, value[i]);
  return out;
}

function readIds(name: string, value: unknown, vocab: number): number[] {
  if (!Array.isArray(value)) {
    throw fail(`${name} is not an array: expected a list of token ids, got ${kind(value)}`);
  }
  if (value.length > CASE_SIZE_LIMITS.tau) throw overLimit(name, value.length, "tokens", [CASE_SIZE_LIMITS.tau, "tau"]);
  const ids = value as unknown[];
  // checkTokenIds prints a bad id as JSON, where Infinity would read "null"; name a non-finite number here.
  const first = ids.findIndex((id) => !Number.isInteger(id) || (id as number) < 0 || (id as number) >= vocab);
  const bad = ids[first];
  if (first >= 0 && typeof bad === "number" && !Number.isFinite(bad)) {
    throw fail(`${name}[${first}] = ${show(bad)} is not a finite number`);
  }
  checkTokenIds(name, ids as number[], vocab);
  return (ids as number[]).slice();
}

function readNames(value: unknown, vocab: number): string[] {
  if (!Array.isArray(value)) {
    throw fail(`vocab is not an array: expected a list of ${vocab} token names (one per token, from E), got ${kind(value)}`);
  }
  if (value.length !== vocab) {
    throw fail(`vocab has ${value.length} names, expected ${vocab} (one per token, from E)`);
  }
  const seen = new Map<string, number>();
  for (let i = 0; i < value.length; i++) {
    const s: unknown = value[i];
    if (typeof s !== "string") throw fail(`vocab[${i}] = ${show(s)} is not a string`);
    const j = seen.get(s);
    if (j !== undefined) throw fail(`vocab[${i}] = ${show(s)} repeats vocab[${j}]: token names must be distinct`);
    seen.set(s, i);
  }
  return (value as string[]).slice();
}

/** Check a case already parsed from JSON (or built by a page); throws an InputError with a one-line message. */
export function validateCase(value: unknown): Case {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw fail(
      `case is not a JSON object: expected an object with fields E, U, W, b, V, c, inputs, targets (h0 and vocab optional), got ${kind(value)}`,
    );
  }
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!FIELDS.includes(key)) {
      throw fail(`case has an unknown field ${show(key)}: expected only ${FIELDS.join(", ")}`);
    }
  }
  for (const key of REQUIRED) {
    if (!Object.hasOwn(o, key)) throw fail(`case is missing field "${key}": expected ${DESCRIPTIONS[key]}`);
  }

  const L = CASE_SIZE_LIMITS;
  const E = readMatrix("E", o.E, {
    shape: "vocab × d_model", colName: "d_model", maxRows: [L.vocab, "vocab"], maxCols: [L.dModel, "dModel"],
  });
  const vocab = E.rows, dModel = E.cols;
  const U = readMatrix("U", o.U, {
    shape: "hidden × d_model", cols: dModel, colName: "d_model", colsFrom: "from E", why: `d_model = ${dModel} from E`,
    maxRows: [L.hidden, "hidden"],
  });
  const hidden = U.rows;
  const fromU = `hidden = ${hidden} from U`;
  const W = readMatrix("W", o.W, {
    shape: "hidden × hidden", rows: hidden, cols: hidden, colName: "hidden", colsFrom: "from U", why: fromU,
  });
  const b = readVector("b", o.b, hidden, "hidden", "from U");
  const V = readMatrix("V", o.V, {
    shape: "vocab × hidden", rows: vocab, cols: hidden, colName: "hidden", colsFrom: "from U",
    why: `vocab = ${vocab} from E, ${fromU}`,
  });
  const c = readVector("c", o.c, vocab, "vocab", "from E");
  const h0 = Object.hasOwn(o, "h0") ? readVector("h0", o.h0, hidden, "hidden", "from U") : new Float64Array(hidden);
  const inputs = readIds("inputs", o.inputs, vocab);
  const targets = readIds("targets", o.targets, vocab);
  const tau = checkSequence(inputs, targets, vocab);
  const names = Object.hasOwn(o, "vocab") ? readNames(o.vocab, vocab) : undefined;

  const out: Case = { params: { E, U, W, b, V, c }, h0, inputs, targets, sizes: { vocab, dModel, hidden, tau } };
  if (names) out.vocab = names;
  return out;
}

/** Parse and check the JSON text of a case; throws an InputError with a one-line message. */
export function parseCase(text: string): Case {
  return validateCase(parseJsonText(text, CASE_TEXT));
}

const vec = (v: Vector): number[] => Array.from(v);

/** The first non-finite number in `v` (a number, list or list of lists), as "[i][j]", or null. */
function firstNonFinite(v: number | number[] | number[][]): { at: string; value: number } | null {
  if (typeof v === "number") return Number.isFinite(v) ? null : { at: "", value: v };
  for (let i = 0; i < v.length; i++) {
    const e = v[i]!;
    if (typeof e === "number") {
      if (!Number.isFinite(e)) return { at: `[${i}]`, value: e };
      continue;
    }
    for (let j = 0; j < e.length; j++) if (!Number.isFinite(e[j]!)) return { at: `[${i}][${j}]`, value: e[j]! };
  }
  return null;
}

/** The forward pass (eqs 1.1–1.7) and the backward pass (eqs 4.1–4.9) of a validated case, ready for JSON. */
export function answerCase(k: Case): Answer {
  const { params: p, inputs, targets, h0, sizes } = k;
  const f = forward(p, inputs, targets, h0);
  const g = backward(p, f, inputs, targets);
  const answer: Answer = {
    sizes: { vocab: sizes.vocab, d_model: sizes.dModel, hidden: sizes.hidden, tau: sizes.tau },
    loss: f.loss,
    L_t: vec(f.L_t),
    h0: vec(f.h0),
    x: toRows(f.x),
    a: toRows(f.a),
    h: toRows(f.h),
    o: toRows(f.o),
    yhat: toRows(f.yhat),
    dL_do: toRows(g.dL_do),
    dL_dh: toRows(g.dL_dh),
    dL_da: toRows(g.dL_da),
    dL_dc: vec(g.dL_dc),
    dL_db: vec(g.dL_db),
    dL_dV: toRows(g.dL_dV),
    dL_dW: toRows(g.dL_dW),
    dL_dU: toRows(g.dL_dU),
    dL_dE: toRows(g.dL_dE),
  };
  for (const [key, v] of Object.entries(answer)) {
    if (key === "sizes") continue;
    const bad = firstNonFinite(v as number | number[] | number[][]);
    if (bad) {
      throw fail(
        `the case's numbers are too large for float64: the answer's ${key}${bad.at} came out ${bad.value}`,
      );
    }
  }
  return answer;
}

/** A validated case back in its JSON form (h0 always written out). */
export function caseToJson(k: Case): CaseJson {
  const { E, U, W, b, V, c } = k.params;
  const out: CaseJson = {
    E: toRows(E), U: toRows(U), W: toRows(W), b: vec(b), V: toRows(V), c: vec(c), h0: vec(k.h0),
    inputs: k.inputs.slice(), targets: k.targets.slice(),
  };
  if (k.vocab) out.vocab = k.vocab.slice();
  return out;
}

/** The JSON text of the answer to the case in `text`, one line and a newline. Throws an InputError. */
export function answerKey(text: string): string {
  return `${JSON.stringify(answerCase(parseCase(text)))}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// Random cases

export interface RandomCaseOptions {
  seed: number;
  vocab: number;
  dModel: number;
  hidden: number;
  tau: number;
  /** Default "zeros". */
  h0?: H0Kind;
}


const FLAGS: Readonly<Record<SizeOption, string>> = {
  seed: "--seed", vocab: "--vocab", dModel: "--d-model", hidden: "--hidden", tau: "--tau",
};

function rangeText(opt: SizeOption): string {
  const [lo, hi] = RANDOM_CASE_RANGES[opt];
  return `expected an integer from ${lo} to ${hi}`;
}

/**
 * A random case, reproducible from its options: parameters from `initParams` with the project's RNG seeded by
 * `seed`, then, from the same RNG, a token sequence s of length τ + 1 drawn uniformly; inputs = s[0 … τ−1] and
 * targets = s[1 … τ] (next-token prediction). h⁽⁰⁾ is zeros or 0.1·ones.
 */
export function randomCase(opts: RandomCaseOptions): Case {
  for (const opt of Object.keys(RANDOM_CASE_RANGES) as SizeOption[]) {
    const v = opts[opt];
    const [lo, hi] = RANDOM_CASE_RANGES[opt];
    if (!Number.isInteger(v) || v < lo || v > hi) throw fail(`${opt} = ${show(v)} is out of range: ${rangeText(opt)}`);
  }
  const h0Kind = opts.h0 ?? "zeros";
  if (!H0_KINDS.includes(h0Kind)) {
    throw fail(`h0 = ${show(h0Kind)} is not an h0 convention: expected ${H0_KINDS.join(" or ")}`);
  }
  const { vocab, dModel, hidden, tau } = opts;
  const rng = makeRng(opts.seed);
  const params = initParams({ vocab, dModel, hidden }, rng);
  const seq = Array.from({ length: tau + 1 }, () => rng.int(vocab));
  return {
    params,
    h0: initialHidden(h0Kind, hidden),
    inputs: seq.slice(0, tau),
    targets: seq.slice(1),
    sizes: { vocab, dModel, hidden, tau },
  };
}

/** `{"case": …, "answer": …}` for a random case, one line and a newline: the same options give the same bytes. */
export function randomCaseOutput(opts: RandomCaseOptions): string {
  const k = randomCase(opts);
  return `${JSON.stringify({ case: caseToJson(k), answer: answerCase(k) })}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// The command line (kept here, free of Node APIs, so that it can be tested without starting a process)

export const USAGE =
  "usage: answer-key FILE|-  |  answer-key --seed S --vocab N --d-model D --hidden H --tau T [--h0 zeros|point-one]";

export type Command =
  | { kind: "help" }
  /** `file` is "-" for standard input. */
  | { kind: "case"; file: string }
  | { kind: "random"; options: Required<RandomCaseOptions> };

const FLAG_TO_OPTION: Readonly<Record<string, SizeOption | "h0">> = {
  "--seed": "seed", "--vocab": "vocab", "--d-model": "dModel", "--hidden": "hidden", "--tau": "tau", "--h0": "h0",
};

const argText = (s: string) => (/^[\w.+-]{1,40}$/.test(s) ? s : preview(s));

/** Parse the command-line arguments (after the script name); throws an InputError with a one-line message. */
export function parseArgs(argv: readonly string[]): Command {
  const files: string[] = [];
  const given = new Map<SizeOption | "h0", string>();
  let endOfOptions = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (endOfOptions || arg === "-" || !arg.startsWith("-")) {
      files.push(arg);
      continue;
    }
    if (arg === "--") {
      endOfOptions = true;
      continue;
    }
    if (arg === "--help" || arg === "-h") return { kind: "help" };
    const eq = arg.indexOf("=");
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const opt = FLAG_TO_OPTION[flag];
    if (opt === undefined) {
      throw fail(`unknown option ${argText(flag)}: expected ${Object.keys(FLAG_TO_OPTION).join(", ")} or a case FILE (see --help)`);
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) {
        const want = opt === "h0" ? `expected ${H0_KINDS.join(" or ")}` : rangeText(opt);
        throw fail(`${flag} needs a value: ${want}`);
      }
      value = next;
      i++;
    }
    if (given.has(opt)) throw fail(`${flag} is given twice`);
    given.set(opt, value);
  }

  if (files.length > 0 && given.size > 0) {
    throw fail("give either a case FILE (or - for standard input) or the random-case options, not both (see --help)");
  }
  if (files.length > 1) {
    throw fail(`expected one case FILE, got ${files.length}: ${files.map(argText).join(", ")} (see --help)`);
  }
  if (files.length === 1) return { kind: "case", file: files[0]! };
  if (given.size === 0) {
    throw fail("no case given: pass a case FILE, - for standard input, or --seed S --vocab N --d-model D --hidden H --tau T (see --help)");
  }

  const options = { h0: "zeros" } as Required<RandomCaseOptions>;
  for (const opt of Object.keys(RANDOM_CASE_RANGES) as SizeOption[]) {
    const flag = FLAGS[opt];
    const raw = given.get(opt);
    if (raw === undefined) {
      throw fail(`${flag} is missing: a random case needs --seed, --vocab, --d-model, --hidden and --tau (see --help)`);
    }
    if (!/^-?[0-9]+$/.test(raw)) throw fail(`${flag} ${argText(raw)} is not an integer: ${rangeText(opt)}`);
    const v = Number(raw);
    const [lo, hi] = RANDOM_CASE_RANGES[opt];
    if (v < lo || v > hi) throw fail(`${flag} ${argText(raw)} is out of range: ${rangeText(opt)}`);
    options[opt] = v;
  }
  const h0 = given.get("h0");
  if (h0 !== undefined) {
    if (!(H0_KINDS as readonly string[]).includes(h0)) {
      throw fail(`--h0 ${argText(h0)} is not an h0 convention: expected ${H0_KINDS.join(" or ")}`);
    }
    options.h0 = h0 as H0Kind;
  }
  return { kind: "random", options };
}

/**
 * What the command prints on standard output. `read` returns the text of a case file ("-" is standard input) and
 * should throw an InputError when the file cannot be read. Throws an InputError for a bad case.
 */
export function runCommand(cmd: Command, read: (file: string) => string): string {
  switch (cmd.kind) {
    case "help":
      return `${USAGE}\n`;
    case "case":
      return answerKey(read(cmd.file));
    case "random":
      return randomCaseOutput(cmd.options);
  }
}

/**
 * A case of the answer key: parameters, h⁽⁰⁾ and a token sequence, as JSON text, read strictly (`parseCase`,
 * `validateCase`) or generated from a seed (`randomCase`), and written back (`caseToJson`).
 *
 * A case is `{"E": vocab × d_model, "U": hidden × d_model, "W": hidden × hidden, "b": [hidden],
 * "V": vocab × hidden, "c": [vocab], "h0": [hidden] (optional, default zeros), "inputs": [τ token ids],
 * "targets": [τ token ids], "vocab": [vocab names] (optional)}`, matrices as arrays of rows. The sizes are read off
 * the case: vocab and d_model from E, hidden from U; everything else must agree with them. What `parseCase` and
 * `validateCase` reject, each with an InputError whose one-line message names the field and what was expected:
 *
 * - text over MAX_CASE_BYTES, nested deeper than MAX_JSON_DEPTH, or with far more values in a field than the
 *   largest case holds (all before JSON.parse: lib/tools/json-text.ts); bytes that are not UTF-8 (`decodeCase`);
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
 * Text-level refusals (size, nesting, a key given twice, bytes that are not UTF-8) are lib/tools/json-text.ts's,
 * with this file's limits (CASE_TEXT).
 */
import { type Matrix, type Vector, fromRows, toRows } from "../core/matrix.js";
import { type H0Kind, H0_KINDS, type Params, initParams, initialHidden } from "../derivation/model.js";
import { makeRng } from "../core/rng.js";
import { type InputError, checkSequence, checkTokenIds, preview } from "../core/tokens.js";
import { type JsonTextRules, decodeText, fail, parseJsonText, tooLargeError } from "./json-text.js";

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

export type SizeOption = "seed" | "vocab" | "dModel" | "hidden" | "tau";

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

export interface RandomCaseOptions {
  seed: number;
  vocab: number;
  dModel: number;
  hidden: number;
  tau: number;
  /** Default "zeros". */
  h0?: H0Kind;
}

/** What a size option accepts, as messages say it. */
export function rangeText(opt: SizeOption): string {
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


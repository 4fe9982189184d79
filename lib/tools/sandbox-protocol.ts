/**
 * The sandbox's side of an edit: what the page sends to the worker that runs a reader's code and what it answers
 * (RunRequest, RunReply), how the worker evaluates the transpiled code with the helper library of
 * lib/derivation/editable.ts in scope (`evaluateCode`, errors mapped to the reader's line numbers), how it packs the
 * result before anything crosses into the page (`packResult`), and how the page checks what came back (`checkEdit`:
 * shape first, then the lib/ reference on the same inputs and finite differences, and the rows that disagree).
 *
 * Pure: no DOM, no Node APIs. The reader's code is transpiled elsewhere (src/workers/run-code.ts, with sucrase) and
 * then evaluated here, in a Web Worker on the page and directly in the unit tests.
 */
import { type EditId, HELPERS, HELPER_NAMES, editable } from "../derivation/editable.js";
import { type Matrix, type Vector, zeros } from "../core/matrix.js";
import { FD_TOL, ROUNDING_TOL } from "../core/tolerances.js";
import { oneLine, preview } from "../core/tokens.js";
import { SOURCE_URL, functionLineOffset, stackLine } from "./run-function.js";

export type RunOutcome = { value: unknown } | { error: string };

/** What the page sends for a run. */
export interface RunRequest {
  code: string;
  args: Record<string, unknown>;
  /** The quantity's name and shape: the result is packed to exactly this, or refused. */
  name: string;
  shape: number[];
}

/** What the worker (src/workers/run-code.ts) answers on the run's port: the packed value or one line, and the time spent inside the worker. */
export type RunReply = ({ data: Float64Array } | { error: string }) & { ms: number };

/**
 * Run already transpiled JavaScript (a function body ending in `return`) with the named arguments and the
 * helpers in scope. Never throws: an exception becomes `{ error: "line 3: dL_do is not defined" }`, counting lines
 * of the reader's code.
 */
export function evaluateCode(js: string, args: Record<string, unknown>): RunOutcome {
  const names = [...Object.keys(args), ...HELPER_NAMES];
  const values = [...Object.values(args), ...HELPER_NAMES.map((k) => HELPERS[k])];
  let fn: (...a: unknown[]) => unknown;
  try {
    fn = new Function(...names, `"use strict";\n${js}${SOURCE_URL}`) as typeof fn;
  } catch (e) {
    return { error: `syntax error: ${e instanceof Error ? e.message : String(e)}` };
  }
  try {
    const value = fn(...values);
    if (value === undefined) return { error: "the code returned nothing: end it with `return` and the result" };
    if (value instanceof Promise) return { error: "the code returned a Promise: compute the value and return it, without async or await" };
    return { value };
  } catch (e) {
    const line = stackLine(e);
    const text = thrownText(e);
    // +1 for the "use strict" line we added
    return { error: oneLine(line === undefined ? text : `line ${line - functionLineOffset() - 1}: ${text}`) };
  }
}

/** What was thrown, as text, whatever it is: a thrown object whose message or toString throws says so instead. */
function thrownText(e: unknown): string {
  try {
    return e instanceof Error ? String(e.message) : typeof e === "object" && e !== null ? preview(e) : String(e);
  } catch {
    return "the code threw a value that cannot be shown";
  }
}

// ——————————————————————————————————————————————— checking ———————————————————————————————————————————————

export interface EditCheck {
  /** Why the result is not a value to check, in one line ("dL_dE: expected shape [8,4], got [4,8]", "dL_do[2][3] is NaN"). */
  refused?: string;
  /** The reader's value as lib/ types (absent with a shape error). */
  value?: Matrix | Vector;
  errRef: number;
  errFD: number;
  tolRef: number;
  tolFD: number;
  passRef: boolean;
  passFD: boolean;
  /** 1 where the reader's entry differs from the reference by more than tolRef (or is not finite), else 0. */
  mask?: Matrix;
  /** Rows (0-based) with at least one disagreeing entry; for a vector, the disagreeing entries. */
  badRows: number[];
  badEntries: number;
}

const isList = (v: unknown): v is ArrayLike<unknown> => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));

const text = (s: readonly number[]) => `[${s.join(",")}]`;

/** A value's shape as a message names it, reading lengths only (a result of 10⁸ entries costs nothing to name). */
function valueShapeText(v: unknown): string {
  if (!isList(v)) return typeof v === "number" ? "a number" : v === null ? "null" : typeof v === "object" ? "an object" : `a ${typeof v}`;
  const first = v.length > 0 ? v[0] : undefined;
  return isList(first) ? text([v.length, first.length]) : text([v.length]);
}

/** What an entry that is not a finite number is, in a message: "NaN", "a string (\"0.5\")", "missing (a hole)". */
function notANumber(v: unknown, present: boolean): string | null {
  if (typeof v === "number") return Number.isFinite(v) ? null : String(v);
  if (!present) return "missing (a hole in the array)";
  if (v === undefined || v === null) return String(v);
  if (typeof v === "string") return `a string (${preview(v, 20)})`;
  if (isList(v)) return "an array, not a number";
  return typeof v === "object" ? "an object, not a number" : `a ${typeof v}, not a number`;
}

/**
 * Read a reader's result as a value of `shape` ([n] for a row vector, [rows, cols] for a matrix) into one Float64Array,
 * or say in one line why it is not one: its shape (`dL_dE: expected shape [8,4], got [4,8]`, like tfjs), or its first
 * entry that is not a finite number (`dL_do[2][3] is NaN, and 4 more entries are not finite numbers`). Only a result of
 * exactly `shape` is ever copied, so a huge one is refused at the cost of reading its length: this runs in the sandbox
 * worker before anything crosses into the page, and the page reads nothing larger than the largest legitimate value.
 * Rows may be arrays or typed arrays. NaN, ±Infinity, strings, holes, null and nested arrays never pass.
 */
export function packResult(name: string, value: unknown, shape: readonly number[]): { data: Float64Array } | { error: string } {
  const [rows, cols] = shape.length === 2 ? [shape[0]!, shape[1]!] : [1, shape[0]!];
  const matrix = shape.length === 2;
  const wrong = () => ({ error: `${name}: expected shape ${text(shape)}, got ${valueShapeText(value)}` });
  if (!isList(value) || value.length !== (matrix ? rows : cols)) return wrong();
  const data = new Float64Array(rows * cols);
  let first = "", bad = 0;
  for (let i = 0; i < rows; i++) {
    const r: unknown = matrix ? value[i] : value;
    if (matrix) {
      if (!isList(r)) return wrong();
      if (r.length !== cols) return { error: `${name}: expected shape ${text(shape)}, got a ragged array (row ${i} has ${r.length} entries, expected ${cols})` };
    }
    const list = r as ArrayLike<unknown>;
    for (let j = 0; j < cols; j++) {
      const v = list[j];
      const why = notANumber(v, v !== undefined || j in (list as object));
      if (why === null) data[i * cols + j] = v as number;
      else if (bad++ === 0) first = `${name}${matrix ? `[${i}][${j}]` : `[${j}]`} is ${why}`;
    }
  }
  if (bad > 0) return { error: bad === 1 ? first : `${first}, and ${bad - 1} more ${bad === 2 ? "entry is" : "entries are"} not finite numbers` };
  return { data };
}

/** The shape `packResult` reads a result as: [rows, cols] for a matrix, [n] for a row vector. */
export const shapeOf = (v: Matrix | Vector): number[] => ("data" in v ? [v.rows, v.cols] : [v.length]);

function maxDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = d; // NaN wins
  }
  return m;
}

/**
 * Check a reader's result against the lib/ reference (same inputs) and against finite differences: `value` is what
 * the sandbox sent back (a Float64Array from `packResult`, or its one-line refusal), never the raw result.
 */
export function checkEdit(id: EditId, value: { data: Float64Array } | { error: string }, reference: Matrix | Vector, numeric: Matrix | Vector): EditCheck {
  const tolRef = ROUNDING_TOL, tolFD = FD_TOL;
  const want = shapeOf(reference);
  const c = "error" in value ? value : value.data.length === want.reduce((a, b) => a * b, 1) && value.data.every(Number.isFinite)
    ? { value: "data" in reference ? { rows: reference.rows, cols: reference.cols, data: value.data } : value.data }
    : { error: `${editable(id).name}: the result was not ${want.reduce((a, b) => a * b, 1)} finite numbers` };
  if ("error" in c) {
    return { refused: c.error, errRef: NaN, errFD: NaN, tolRef, tolFD, passRef: false, passFD: false, badRows: [], badEntries: 0 };
  }
  const v = c.value;
  const vd = "data" in v ? v.data : v, rd = "data" in reference ? reference.data : reference;
  const nd = "data" in numeric ? numeric.data : numeric;
  const errRef = maxDiff(vd, rd), errFD = maxDiff(vd, nd);
  const rows = "data" in reference ? reference.rows : 1, cols = "data" in reference ? reference.cols : reference.length;
  const mask = zeros(rows, cols);
  const bad = new Set<number>();
  let badEntries = 0;
  for (let k = 0; k < vd.length; k++) {
    if (!(Math.abs(vd[k]! - rd[k]!) <= tolRef)) {
      mask.data[k] = 1;
      badEntries++;
      bad.add("data" in reference ? Math.floor(k / cols) : k);
    }
  }
  return {
    value: v, errRef, errFD, tolRef, tolFD, passRef: errRef <= tolRef, passFD: errFD <= tolFD, mask,
    badRows: [...bad].sort((a, b) => a - b), badEntries,
  };
}

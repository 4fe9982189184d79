/**
 * Checking a student's own numbers against the answer key (lib/tools/answer-key.ts): which quantities of the answer
 * there are, where the derivation defines each one, how a student's answer is read (any subset of the answer's
 * fields), and which entries disagree with the key.
 *
 * An entry a (the student's) agrees with the key's b when |a − b| ≤ ANSWER_ATOL + ANSWER_RTOL · |b|, the rule of
 * numpy.allclose: the relative part forgives the last digits of large numbers (a student printing 6 significant
 * digits), the absolute part forgives tiny gradients whose relative error says nothing.
 *
 * A student's answer is read with the answer key's defences (lib/tools/json-text.ts `parseJsonText`): its text may be
 * at most `maxAnswerBytes(sizes)` UTF-8 bytes, nest at most MAX_JSON_DEPTH deep and hold at most twice the values
 * of the full answer in any field, all checked before it is parsed; every message is one escaped line of at most
 * MAX_MESSAGE_LENGTH characters.
 *
 * Pure: no Node APIs, no DOM.
 */
import type { Answer } from "./answer-key.js";
import { type JsonTextRules, parseJsonText } from "./json-text.js";
import { InputError, oneLine, preview } from "../core/tokens.js";

/** Absolute part of the tolerance: |a − b| ≤ ANSWER_ATOL + ANSWER_RTOL · |b|. */
export const ANSWER_ATOL = 1e-6;
/** Relative part of the tolerance: |a − b| ≤ ANSWER_ATOL + ANSWER_RTOL · |b|. */
export const ANSWER_RTOL = 1e-4;

export type QuantityKey = Exclude<keyof Answer, "sizes">;

/** Row or column axis of a quantity: time steps, vocabulary tokens, hidden units or embedding dimensions. */
export type Axis = "t" | "vocab" | "hidden" | "d_model";

export interface QuantityInfo {
  key: QuantityKey;
  /** The quantity as the derivation writes it, in plain text. */
  name: string;
  /** The same in LaTeX (for the LaTeX export). */
  tex: string;
  /** The equation number that defines it ("4.9"), or "" (h⁽⁰⁾ is given, not computed). */
  equation: string;
  /** Link to the equation on the site, relative to a page at the site root ("./summary#eq-4-9"), or "". */
  href: string;
  /** Axes: [] for a number, [axis] for a vector, [rows, cols] for a matrix. */
  axes: Axis[];
}

const eq = (page: string, n: string) => `./${page}#eq-${n.replace(".", "-")}`;

/** Every quantity of the answer key, in the answer's order. */
export const QUANTITIES: readonly QuantityInfo[] = [
  { key: "loss", name: "L", tex: "L", equation: "1.2", href: eq("", "1.2"), axes: [] },
  { key: "L_t", name: "L⁽ᵗ⁾", tex: "L^{(t)}", equation: "1.1", href: eq("", "1.1"), axes: ["t"] },
  { key: "h0", name: "h⁽⁰⁾", tex: "h^{(0)}", equation: "", href: "", axes: ["hidden"] },
  { key: "x", name: "x⁽ᵗ⁾", tex: "x^{(t)}", equation: "1.3", href: eq("", "1.3"), axes: ["t", "d_model"] },
  { key: "a", name: "a⁽ᵗ⁾", tex: "a^{(t)}", equation: "1.4", href: eq("", "1.4"), axes: ["t", "hidden"] },
  { key: "h", name: "h⁽ᵗ⁾", tex: "h^{(t)}", equation: "1.5", href: eq("", "1.5"), axes: ["t", "hidden"] },
  { key: "o", name: "o⁽ᵗ⁾", tex: "o^{(t)}", equation: "1.6", href: eq("", "1.6"), axes: ["t", "vocab"] },
  { key: "yhat", name: "ŷ⁽ᵗ⁾", tex: "\\hat{y}^{(t)}", equation: "1.7", href: eq("", "1.7"), axes: ["t", "vocab"] },
  { key: "dL_do", name: "(DL)_{o⁽ᵗ⁾}", tex: "(DL)_{o^{(t)}}", equation: "4.1", href: eq("summary", "4.1"), axes: ["t", "vocab"] },
  { key: "dL_dh", name: "(DL)_{h⁽ᵗ⁾}", tex: "(DL)_{h^{(t)}}", equation: "4.2–4.3", href: eq("summary", "4.2"), axes: ["t", "hidden"] },
  { key: "dL_da", name: "(DL)_{h⁽ᵗ⁾} ⊙ (1 − (h⁽ᵗ⁾)²)", tex: "(DL)_{h^{(t)}} \\odot (1 - (h^{(t)})^2)", equation: "4.5", href: eq("summary", "4.5"), axes: ["t", "hidden"] },
  { key: "dL_dc", name: "(DL)_c", tex: "(DL)_{c}", equation: "4.4", href: eq("summary", "4.4"), axes: ["vocab"] },
  { key: "dL_db", name: "(DL)_b", tex: "(DL)_{b}", equation: "4.5", href: eq("summary", "4.5"), axes: ["hidden"] },
  { key: "dL_dV", name: "(DL)_V", tex: "(DL)_{V}", equation: "4.6", href: eq("summary", "4.6"), axes: ["vocab", "hidden"] },
  { key: "dL_dW", name: "(DL)_W", tex: "(DL)_{W}", equation: "4.7", href: eq("summary", "4.7"), axes: ["hidden", "hidden"] },
  { key: "dL_dU", name: "(DL)_U", tex: "(DL)_{U}", equation: "4.8", href: eq("summary", "4.8"), axes: ["hidden", "d_model"] },
  { key: "dL_dE", name: "(DL)_E", tex: "(DL)_{E}", equation: "4.9", href: eq("summary", "4.9"), axes: ["vocab", "d_model"] },
];

const KEYS: readonly string[] = QUANTITIES.map((q) => q.key);

/** The length of an axis for the answer's sizes. */
export function axisLength(axis: Axis, sizes: Answer["sizes"]): number {
  return axis === "t" ? sizes.tau : sizes[axis];
}

/** A student's answer: any subset of the answer's fields (and, optionally, its sizes). */
export type StudentAnswer = Partial<Omit<Answer, "sizes">>;

function kind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

const show = (v: unknown): string => preview(v);

/** An InputError whose message is one safe line, whatever the answer put into it. */
const fail = (message: string): InputError => new InputError(oneLine(message));

function num(where: string, v: unknown): number {
  if (typeof v !== "number") throw fail(`${where} = ${show(v)} is not a number`);
  if (!Number.isFinite(v)) throw fail(`${where} = ${show(v)} is not a finite number`);
  return v;
}

const axisText = (axes: Axis[]) => axes.map((a) => (a === "t" ? "τ" : a)).join(" × ");

function readVector(name: string, v: unknown, n: number, axis: Axis): number[] {
  if (!Array.isArray(v)) throw fail(`answer.${name} is not an array: expected a list of ${n} numbers (${axisText([axis])}), got ${kind(v)}`);
  if (v.length !== n) throw fail(`answer.${name} has ${v.length} entries, expected ${n} (${axisText([axis])})`);
  return v.map((e, i) => num(`answer.${name}[${i}]`, e));
}

function readMatrix(name: string, v: unknown, rows: number, cols: number, axes: Axis[]): number[][] {
  const shape = axisText(axes);
  if (!Array.isArray(v)) throw fail(`answer.${name} is not an array of rows: expected a ${rows}×${cols} matrix (${shape}), got ${kind(v)}`);
  if (v.length !== rows) throw fail(`answer.${name} has ${v.length} rows, expected ${rows} (${shape})`);
  return v.map((r: unknown, i) => {
    if (!Array.isArray(r)) throw fail(`answer.${name}[${i}] is not an array: expected a row of ${cols} numbers, got ${kind(r)}`);
    if (r.length !== cols) throw fail(`answer.${name}[${i}] has ${r.length} entries, expected ${cols} (${axes[1] === "t" ? "τ" : axes[1]})`);
    return r.map((e, j) => num(`answer.${name}[${i}][${j}]`, e));
  });
}

/**
 * Check a student's answer, already parsed from JSON, against the shapes of the key's answer. Any subset of the
 * answer's fields is accepted; "sizes", when given, must match the case. Throws an InputError with a one-line
 * message naming the field and entry.
 */
export function validateStudentAnswer(value: unknown, key: Answer): StudentAnswer {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw fail(`answer is not a JSON object: expected an object with some of the fields ${KEYS.join(", ")}, got ${kind(value)}`);
  }
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== "sizes" && !KEYS.includes(k)) {
      throw fail(`answer has an unknown field ${show(k)}: expected some of ${KEYS.join(", ")}`);
    }
  }
  if (Object.hasOwn(o, "sizes")) {
    const s = o.sizes as Record<string, unknown> | null;
    if (s === null || typeof s !== "object" || Array.isArray(s)) throw fail(`answer.sizes is not an object: got ${kind(s)}`);
    for (const [k, v] of Object.entries(s)) {
      if (!Object.hasOwn(key.sizes, k)) throw fail(`answer.sizes has an unknown field ${show(k)}: expected vocab, d_model, hidden, tau`);
      const want = key.sizes[k as keyof Answer["sizes"]];
      if (v !== want) throw fail(`answer.sizes.${k} = ${show(v)}, but the case has ${k} = ${want}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const q of QUANTITIES) {
    if (!Object.hasOwn(o, q.key)) continue;
    const v = o[q.key];
    const lens = q.axes.map((a) => axisLength(a, key.sizes));
    if (q.axes.length === 0) out[q.key] = num(`answer.${q.key}`, v);
    else if (q.axes.length === 1) out[q.key] = readVector(q.key, v, lens[0]!, q.axes[0]!);
    else out[q.key] = readMatrix(q.key, v, lens[0]!, lens[1]!, q.axes);
  }
  return out as StudentAnswer;
}

/**
 * Bytes allowed per number of the full answer: a float64 in full precision takes at most 24 characters
 * (-1.2345678901234567e-100), and a separator and the indentation of a pretty-printer (numpy's json.dumps with
 * indent=4 puts a matrix entry 12 spaces in) bring it to 38.
 */
export const ANSWER_BYTES_PER_ENTRY = 40;
/** Bytes allowed on top, for field names, "sizes" and whitespace. */
export const ANSWER_BYTES_SLACK = 64 * 1024;

/** The number of entries (numbers) of the full answer to a case of these sizes. */
export function answerEntryCount(sizes: Answer["sizes"]): number {
  let n = 0;
  for (const q of QUANTITIES) n += q.axes.reduce((p, a) => p * axisLength(a, sizes), 1);
  return n;
}

/**
 * The longest text of a student's answer to a case of these sizes, in UTF-8 bytes: room for the whole answer in
 * full precision, pretty-printed. Longer text is refused before it is parsed. For the largest case (vocab 512,
 * d_model 256, hidden 512, τ 1024: 4.7 M entries) it is 180 MiB; for a hand-sized case, kilobytes.
 */
export function maxAnswerBytes(sizes: Answer["sizes"]): number {
  return ANSWER_BYTES_SLACK + ANSWER_BYTES_PER_ENTRY * answerEntryCount(sizes);
}

/** The rules parseJsonText applies to the text of an answer to a case of these sizes. */
function answerTextRules(sizes: Answer["sizes"]): JsonTextRules {
  const limits = new Map<string, { values: number; why: string }>();
  for (const q of QUANTITIES) {
    const lens = q.axes.map((a) => axisLength(a, sizes));
    // A number is 1 value, a vector 1 + n, a matrix 1 + r + r·c; twice that, so that a matrix with a row too many
    // or transposed still gets the message of its shape.
    const exact = q.axes.length === 0 ? 1 : q.axes.length === 1 ? 1 + lens[0]! : 1 + lens[0]! * (1 + lens[1]!);
    limits.set(q.key, { values: 2 * exact + 16, why: `the case's ${q.key} is ${lens.length === 0 ? "one number" : lens.join("×")}` });
  }
  limits.set("sizes", { values: 16, why: "expected vocab, d_model, hidden and tau" });
  let maxValues = 1;
  for (const l of limits.values()) maxValues += l.values;
  return {
    what: "answer",
    fieldPrefix: "answer.",
    maxBytes: maxAnswerBytes(sizes),
    bytesWhy: `the full answer to this case in full precision, pretty-printed, takes less`,
    fieldLimit: (field) => limits.get(field),
    maxValues,
    nesting: "an answer nests 3 (an object of matrices of rows)",
  };
}

/** Parse and check the JSON text of a student's answer; throws an InputError with a one-line message. */
export function parseStudentAnswer(text: string, key: Answer): StudentAnswer {
  return validateStudentAnswer(parseJsonText(text, answerTextRules(key.sizes)), key);
}

/** |a − b| ≤ atol + rtol·|b|, with b the key's value. */
export function allowedError(expected: number, atol = ANSWER_ATOL, rtol = ANSWER_RTOL): number {
  return atol + rtol * Math.abs(expected);
}

export interface EntryResult {
  /** [] for a number, [i] for a vector, [i, j] for a matrix (0-based, as in the JSON). */
  index: number[];
  expected: number;
  got: number;
  error: number;
  allowed: number;
  ok: boolean;
}

export interface QuantityResult {
  info: QuantityInfo;
  /** Every entry, in row-major order. */
  entries: EntryResult[];
  checked: number;
  wrong: number;
  maxError: number;
}

export interface EquationResult {
  equation: string;
  href: string;
  quantities: QuantityKey[];
  checked: number;
  wrong: number;
  maxError: number;
}

export interface Comparison {
  atol: number;
  rtol: number;
  /** The quantities the student gave, in the answer's order. */
  quantities: QuantityResult[];
  /** The same, grouped by equation (h⁽⁰⁾, which no equation defines, under "given"). */
  equations: EquationResult[];
  checked: number;
  wrong: number;
}

/** Flatten a number, vector or matrix to [index, value] pairs in row-major order. */
export function entriesOf(v: number | number[] | number[][]): [number[], number][] {
  if (typeof v === "number") return [[[], v]];
  const out: [number[], number][] = [];
  v.forEach((e, i) => {
    if (typeof e === "number") out.push([[i], e]);
    else e.forEach((x, j) => out.push([[i, j], x]));
  });
  return out;
}

/** Compare every entry the student gave with the key. Shapes must already agree (validateStudentAnswer). */
export function compareAnswer(key: Answer, student: StudentAnswer, atol = ANSWER_ATOL, rtol = ANSWER_RTOL): Comparison {
  const quantities: QuantityResult[] = [];
  for (const info of QUANTITIES) {
    const s = student[info.key];
    if (s === undefined) continue;
    const got = entriesOf(s);
    const want = entriesOf(key[info.key]);
    if (got.length !== want.length) throw new Error(`compareAnswer: ${info.key} has ${got.length} entries, the key ${want.length}`);
    const entries = want.map(([index, expected], n): EntryResult => {
      const g = got[n]![1];
      const error = Math.abs(g - expected);
      const allowed = allowedError(expected, atol, rtol);
      return { index, expected, got: g, error, allowed, ok: error <= allowed };
    });
    quantities.push({
      info, entries, checked: entries.length, wrong: entries.filter((e) => !e.ok).length,
      maxError: entries.reduce((m, e) => Math.max(m, e.error), 0),
    });
  }
  const equations: EquationResult[] = [];
  for (const q of quantities) {
    const label = q.info.equation || "given";
    let e = equations.find((x) => x.equation === label);
    if (!e) equations.push((e = { equation: label, href: q.info.href, quantities: [], checked: 0, wrong: 0, maxError: 0 }));
    e.quantities.push(q.info.key);
    e.checked += q.checked;
    e.wrong += q.wrong;
    e.maxError = Math.max(e.maxError, q.maxError);
  }
  return {
    atol, rtol, quantities, equations,
    checked: quantities.reduce((n, q) => n + q.checked, 0),
    wrong: quantities.reduce((n, q) => n + q.wrong, 0),
  };
}

/** "[2][1]" for an index, "" for a number. */
export const indexText = (index: readonly number[]) => index.map((i) => `[${i}]`).join("");

/**
 * Checking a student's own numbers against the answer key (lib/answer-key.ts): which quantities of the answer
 * there are, where the derivation defines each one, how a student's answer is read (any subset of the answer's
 * fields), and which entries disagree with the key.
 *
 * An entry a (the student's) agrees with the key's b when |a − b| ≤ ANSWER_ATOL + ANSWER_RTOL · |b|, the rule of
 * numpy.allclose: the relative part forgives the last digits of large numbers (a student printing 6 significant
 * digits), the absolute part forgives tiny gradients whose relative error says nothing.
 *
 * Pure: no Node APIs, no DOM.
 */
import { type Answer, InputError, oneLine } from "./answer-key.js";

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

function show(v: unknown): string {
  if (typeof v === "number") return String(v);
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}

function num(where: string, v: unknown): number {
  if (typeof v !== "number") throw new InputError(`${where} = ${show(v)} is not a number`);
  if (!Number.isFinite(v)) throw new InputError(`${where} = ${show(v)} is not a finite number`);
  return v;
}

const axisText = (axes: Axis[]) => axes.map((a) => (a === "t" ? "τ" : a)).join(" × ");

function readVector(name: string, v: unknown, n: number, axis: Axis): number[] {
  if (!Array.isArray(v)) throw new InputError(`answer.${name} is not an array: expected a list of ${n} numbers (${axisText([axis])}), got ${kind(v)}`);
  if (v.length !== n) throw new InputError(`answer.${name} has ${v.length} entries, expected ${n} (${axisText([axis])})`);
  return v.map((e, i) => num(`answer.${name}[${i}]`, e));
}

function readMatrix(name: string, v: unknown, rows: number, cols: number, axes: Axis[]): number[][] {
  const shape = axisText(axes);
  if (!Array.isArray(v)) throw new InputError(`answer.${name} is not an array of rows: expected a ${rows}×${cols} matrix (${shape}), got ${kind(v)}`);
  if (v.length !== rows) throw new InputError(`answer.${name} has ${v.length} rows, expected ${rows} (${shape})`);
  return v.map((r: unknown, i) => {
    if (!Array.isArray(r)) throw new InputError(`answer.${name}[${i}] is not an array: expected a row of ${cols} numbers, got ${kind(r)}`);
    if (r.length !== cols) throw new InputError(`answer.${name}[${i}] has ${r.length} entries, expected ${cols} (${axes[1] === "t" ? "τ" : axes[1]})`);
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
    throw new InputError(`answer is not a JSON object: expected an object with some of the fields ${KEYS.join(", ")}, got ${kind(value)}`);
  }
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== "sizes" && !KEYS.includes(k)) {
      throw new InputError(`answer has an unknown field ${show(k)}: expected some of ${KEYS.join(", ")}`);
    }
  }
  if (Object.hasOwn(o, "sizes")) {
    const s = o.sizes as Record<string, unknown> | null;
    if (s === null || typeof s !== "object" || Array.isArray(s)) throw new InputError(`answer.sizes is not an object: got ${kind(s)}`);
    for (const [k, v] of Object.entries(s)) {
      if (!Object.hasOwn(key.sizes, k)) throw new InputError(`answer.sizes has an unknown field ${show(k)}: expected vocab, d_model, hidden, tau`);
      const want = key.sizes[k as keyof Answer["sizes"]];
      if (v !== want) throw new InputError(`answer.sizes.${k} = ${show(v)}, but the case has ${k} = ${want}`);
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

/** Parse and check the JSON text of a student's answer; throws an InputError with a one-line message. */
export function parseStudentAnswer(text: string, key: Answer): StudentAnswer {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === "") throw new InputError("answer is empty: expected a JSON object");
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    throw new InputError(oneLine(`answer is not valid JSON: ${e instanceof Error ? e.message : String(e)}`));
  }
  return validateStudentAnswer(value, key);
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

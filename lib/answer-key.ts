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
 * the case: vocab and d_model from E, hidden from U; everything else must agree with them. What `validateCase`
 * rejects, each with an InputError whose one-line message names the field and what was expected:
 *
 * - text that is empty or not JSON, and a JSON value that is not an object;
 * - an unknown top-level field (a misspelt "h_0" would otherwise be silently ignored and give a wrong answer);
 * - a missing required field (all but h0 and vocab);
 * - a matrix that is not an array of arrays, has no rows, is ragged, or has the wrong shape; a vector that is
 *   not an array or has the wrong length; E with empty rows (d_model ≥ 1) or no rows (vocab ≥ 1), U with no
 *   rows (hidden ≥ 1);
 * - any entry that is not a number, or is not finite (JSON cannot spell NaN, but 1e400 parses to Infinity);
 * - inputs/targets that are not arrays, are empty, hold something that is not a token id (an integer from 0 to
 *   vocab − 1), or differ in length (the messages of lib/tokens.ts);
 * - a vocab list of the wrong length, with a non-string entry, or with a repeated name (a name must pick out one
 *   token).
 *
 * A valid case whose numbers are so large that the computation overflows float64 (say |E|·|U| > 1.8e308) is
 * also rejected with an InputError, by `answerCase`, rather than printing `null` where a number should be.
 */
import { backward } from "./backward.js";
import { forward } from "./forward.js";
import { type Matrix, type Vector, fromRows, toRows } from "./matrix.js";
import { type H0Kind, H0_KINDS, type Params, initParams, initialHidden } from "./model.js";
import { makeRng } from "./rng.js";
import { InputError, checkSequence, checkTokenIds } from "./tokens.js";

export { InputError };

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

/** "an array", "a string", "null", … for messages. */
function kind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (v === undefined) return "nothing";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/** A value as it appears in a message: numbers as JS prints them (Infinity, NaN), anything else as JSON, short. */
function show(v: unknown): string {
  if (typeof v === "number") return String(v);
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}

/** Collapse a message to one line. */
export function oneLine(message: string): string {
  return message.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

function checkNumber(where: string, v: unknown): number {
  if (typeof v !== "number") throw new InputError(`${where} = ${show(v)} is not a number`);
  if (!Number.isFinite(v)) throw new InputError(`${where} = ${show(v)} is not a finite number`);
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
}

function readMatrix(name: string, value: unknown, spec: MatrixSpec): Matrix {
  if (!Array.isArray(value)) {
    throw new InputError(`${name} is not an array of rows: expected a ${spec.shape} matrix, got ${kind(value)}`);
  }
  const expectedShape = () => `${spec.rows ?? value.length}×${spec.cols}`;
  if (value.length === 0) {
    throw new InputError(
      spec.rows !== undefined && spec.cols !== undefined
        ? `${name} has no rows, expected ${expectedShape()} (${spec.shape}, ${spec.why})`
        : `${name} has no rows: expected a ${spec.shape} matrix with at least one row`,
    );
  }
  for (let i = 0; i < value.length; i++) {
    const r: unknown = value[i];
    if (!Array.isArray(r)) throw new InputError(`${name}[${i}] is not an array: expected a row of numbers, got ${kind(r)}`);
  }
  const rows = value as unknown[][];
  const width0 = rows[0]!.length;
  if (spec.cols === undefined) {
    // Row 0 fixes the width (E: d_model).
    if (width0 === 0) throw new InputError(`${name}[0] is empty: expected a row of ${spec.colName} ≥ 1 numbers`);
    for (let i = 1; i < rows.length; i++) {
      const n = rows[i]!.length;
      if (n !== width0) {
        throw new InputError(`${name}[${i}] has ${n} entries, expected ${width0} (${spec.colName}, from ${name}[0])`);
      }
    }
  } else {
    const rectangular = rows.every((r) => r.length === width0);
    if (rectangular) {
      if ((spec.rows !== undefined && rows.length !== spec.rows) || width0 !== spec.cols) {
        throw new InputError(`${name} is ${rows.length}×${width0}, expected ${expectedShape()} (${spec.shape}, ${spec.why})`);
      }
    } else {
      const i = rows.findIndex((r) => r.length !== spec.cols);
      throw new InputError(
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
    throw new InputError(`${name} is not an array: expected a list of ${n} numbers (${size}, ${from}), got ${kind(value)}`);
  }
  if (value.length !== n) throw new InputError(`${name} has ${value.length} entries, expected ${n} (${size}, ${from})`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = checkNumber(`${name}[${i}]`, value[i]);
  return out;
}

function readIds(name: string, value: unknown, vocab: number): number[] {
  if (!Array.isArray(value)) {
    throw new InputError(`${name} is not an array: expected a list of token ids, got ${kind(value)}`);
  }
  const ids = value as unknown[];
  // checkTokenIds prints a bad id as JSON, where Infinity would read "null"; name a non-finite number here.
  const first = ids.findIndex((id) => !Number.isInteger(id) || (id as number) < 0 || (id as number) >= vocab);
  const bad = ids[first];
  if (first >= 0 && typeof bad === "number" && !Number.isFinite(bad)) {
    throw new InputError(`${name}[${first}] = ${show(bad)} is not a finite number`);
  }
  checkTokenIds(name, ids as number[], vocab);
  return (ids as number[]).slice();
}

function readNames(value: unknown, vocab: number): string[] {
  if (!Array.isArray(value)) {
    throw new InputError(`vocab is not an array: expected a list of ${vocab} token names (one per token, from E), got ${kind(value)}`);
  }
  if (value.length !== vocab) {
    throw new InputError(`vocab has ${value.length} names, expected ${vocab} (one per token, from E)`);
  }
  const seen = new Map<string, number>();
  for (let i = 0; i < value.length; i++) {
    const s: unknown = value[i];
    if (typeof s !== "string") throw new InputError(`vocab[${i}] = ${show(s)} is not a string`);
    const j = seen.get(s);
    if (j !== undefined) throw new InputError(`vocab[${i}] = ${show(s)} repeats vocab[${j}]: token names must be distinct`);
    seen.set(s, i);
  }
  return (value as string[]).slice();
}

/** Check a case already parsed from JSON (or built by a page); throws an InputError with a one-line message. */
export function validateCase(value: unknown): Case {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InputError(
      `case is not a JSON object: expected an object with fields E, U, W, b, V, c, inputs, targets (h0 and vocab optional), got ${kind(value)}`,
    );
  }
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!FIELDS.includes(key)) {
      throw new InputError(`case has an unknown field ${show(key)}: expected only ${FIELDS.join(", ")}`);
    }
  }
  for (const key of REQUIRED) {
    if (!Object.hasOwn(o, key)) throw new InputError(`case is missing field "${key}": expected ${DESCRIPTIONS[key]}`);
  }

  const E = readMatrix("E", o.E, { shape: "vocab × d_model", colName: "d_model" });
  const vocab = E.rows, dModel = E.cols;
  const U = readMatrix("U", o.U, {
    shape: "hidden × d_model", cols: dModel, colName: "d_model", colsFrom: "from E", why: `d_model = ${dModel} from E`,
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
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a byte-order mark some editors write
  if (body.trim() === "") throw new InputError("case is empty: expected a JSON object");
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    throw new InputError(oneLine(`case is not valid JSON: ${e instanceof Error ? e.message : String(e)}`));
  }
  return validateCase(value);
}

const vec = (v: Vector): number[] => Array.from(v);

/** The first non-finite number in `v` (a number, list or list of lists), as "[i][j]", or null. */
function firstNonFinite(v: number | number[] | number[][]): { at: string; value: number } | null {
  if (typeof v === "number") return Number.isFinite(v) ? null : { at: "", value: v };
  for (let i = 0; i < v.length; i++) {
    const e = v[i]!;
    const inner = firstNonFinite(e);
    if (inner) return { at: `[${i}]${inner.at}`, value: inner.value };
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
      throw new InputError(
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

type SizeOption = "seed" | "vocab" | "dModel" | "hidden" | "tau";

/** The accepted ranges, inclusive. */
export const RANDOM_CASE_RANGES: Readonly<Record<SizeOption, readonly [number, number]>> = {
  seed: [0, 4294967295],
  vocab: [1, 512],
  dModel: [1, 256],
  hidden: [1, 512],
  tau: [1, 1024],
};

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
    if (!Number.isInteger(v) || v < lo || v > hi) throw new InputError(`${opt} = ${show(v)} is out of range: ${rangeText(opt)}`);
  }
  const h0Kind = opts.h0 ?? "zeros";
  if (!H0_KINDS.includes(h0Kind)) {
    throw new InputError(`h0 = ${show(h0Kind)} is not an h0 convention: expected ${H0_KINDS.join(" or ")}`);
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

const argText = (s: string) => (/^[\w.+-]+$/.test(s) ? s : JSON.stringify(s));

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
      throw new InputError(`unknown option ${argText(flag)}: expected ${Object.keys(FLAG_TO_OPTION).join(", ")} or a case FILE (see --help)`);
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) {
        const want = opt === "h0" ? `expected ${H0_KINDS.join(" or ")}` : rangeText(opt);
        throw new InputError(`${flag} needs a value: ${want}`);
      }
      value = next;
      i++;
    }
    if (given.has(opt)) throw new InputError(`${flag} is given twice`);
    given.set(opt, value);
  }

  if (files.length > 0 && given.size > 0) {
    throw new InputError("give either a case FILE (or - for standard input) or the random-case options, not both (see --help)");
  }
  if (files.length > 1) {
    throw new InputError(`expected one case FILE, got ${files.length}: ${files.map(argText).join(", ")} (see --help)`);
  }
  if (files.length === 1) return { kind: "case", file: files[0]! };
  if (given.size === 0) {
    throw new InputError("no case given: pass a case FILE, - for standard input, or --seed S --vocab N --d-model D --hidden H --tau T (see --help)");
  }

  const options = { h0: "zeros" } as Required<RandomCaseOptions>;
  for (const opt of Object.keys(RANDOM_CASE_RANGES) as SizeOption[]) {
    const flag = FLAGS[opt];
    const raw = given.get(opt);
    if (raw === undefined) {
      throw new InputError(`${flag} is missing: a random case needs --seed, --vocab, --d-model, --hidden and --tau (see --help)`);
    }
    if (!/^-?[0-9]+$/.test(raw)) throw new InputError(`${flag} ${argText(raw)} is not an integer: ${rangeText(opt)}`);
    const v = Number(raw);
    const [lo, hi] = RANDOM_CASE_RANGES[opt];
    if (v < lo || v > hi) throw new InputError(`${flag} ${raw} is out of range: ${rangeText(opt)}`);
    options[opt] = v;
  }
  const h0 = given.get("h0");
  if (h0 !== undefined) {
    if (!(H0_KINDS as readonly string[]).includes(h0)) {
      throw new InputError(`--h0 ${argText(h0)} is not an h0 convention: expected ${H0_KINDS.join(" or ")}`);
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

/**
 * What the Check page and its worker (src/workers/answer-key.ts) say to each other, and the limits they share, so
 * that what the page promises is what the worker does. The sizes a case may have are lib/tools/case.ts's:
 * lib/tools/case.ts RANDOM_CASE_RANGES.
 *
 * `hide`: a problem set whose lecturer chose that the check say only which entries are wrong
 * (lib/tools/problem-set.ts CheckMode "hide"). The worker then sends no number of the key, nor anything from which
 * one follows: no quantities, no loss, no downloads, no finite-difference check, and of a comparison only counts and
 * the positions of wrong entries with the reader's own numbers (no key value, no error, no allowed error).
 */
import type { Answer } from "./answer-key.js";
import type { EquationResult, QuantityKey } from "./compare-answer.js";

/** The wrong entries listed one by one under the comparison; the rest are counted and marked in the tables. */
export const WRONG_LIST_MAX = 100;

/**
 * Parameters × τ above which the key's finite-difference check is skipped: its cost grows as
 * parameters × τ × hidden; at this bound it takes about a second in the worker.
 */
export const FD_MAX_WORK = 200_000;

export type Source = string | Blob;

export type CheckIn =
  | { kind: "case"; seq: number; source: Source; hide?: boolean }
  | { kind: "answer"; seq: number; source: Source; hide?: boolean }
  | { kind: "fd"; seq: number; source: Source };

export interface QuantityData {
  key: QuantityKey;
  rows: number;
  cols: number;
  /** Row-major; a number is 1 × 1, a vector 1 × n. */
  data: Float64Array;
  /** max |entry|, for the colour scale. */
  extent: number;
}

export interface CaseResult {
  kind: "case";
  seq: number;
  ok: true;
  sizes: Answer["sizes"];
  /** Null when the key's values are hidden. */
  loss: number | null;
  vocab?: string[];
  /** Parameters, for the finite-difference check's message. */
  parameters: number;
  /** Whether the page should ask for the finite-difference check (parameters × τ ≤ FD_MAX_WORK; never when hidden). */
  fdCheck: boolean;
  /** Empty when the key's values are hidden. */
  quantities: QuantityData[];
  /** Characters of the case's text. */
  chars: number;
  ms: number;
}

export interface FilesResult {
  kind: "files";
  seq: number;
  json: Blob;
  /** Null when the LaTeX could not be made (a message says why). */
  latex: Blob | null;
  latexError?: string;
  /** Bytes of the JSON, for the button's label. */
  jsonBytes: number;
}

export interface WrongEntry {
  key: QuantityKey;
  index: number[];
  got: number;
  /** The key's value, |got − expected| and the allowed error; null when the key's values are hidden. */
  expected: number | null;
  error: number | null;
  allowed: number | null;
}

export interface QuantityComparison {
  key: QuantityKey;
  /** The reader's numbers, row-major, the key's shape. */
  got: Float64Array;
  /** 1 where the reader's entry is outside the tolerance. */
  wrong: Uint8Array;
  checked: number;
  wrongCount: number;
  /** Null when the key's values are hidden. */
  maxError: number | null;
}

/** One equation's line of the comparison, as lib/tools/compare-answer.ts summarises it (maxError null when hidden). */
export type EquationSummary = Omit<EquationResult, "maxError"> & { maxError: number | null };

export interface AnswerResult {
  kind: "answer";
  seq: number;
  ok: true;
  hidden: boolean;
  atol: number;
  rtol: number;
  quantities: QuantityComparison[];
  equations: EquationSummary[];
  checked: number;
  wrong: number;
  /** The first WRONG_LIST_MAX wrong entries, in the answer's order. */
  wrongList: WrongEntry[];
}

export interface FdResult {
  kind: "fd";
  seq: number;
  ok: true;
  parameters: number;
  /** The key's parameter gradients, flattened (dL_dE, dL_dU, dL_dW, dL_dV by rows, then dL_db, dL_dc). */
  key: Float64Array;
  /** Their central finite differences, in the same order. */
  numeric: Float64Array;
}

export interface Failure {
  kind: "case" | "answer" | "fd";
  seq: number;
  ok: false;
  /** lib's one-line message; for no case to compare with, null. */
  error: string | null;
}

export type CheckOut = CaseResult | FilesResult | AnswerResult | FdResult | Failure;

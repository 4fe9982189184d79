/**
 * The answer key: a JSON "case" (parameters, h⁽⁰⁾ and a token sequence) in, a JSON "answer" (every quantity of
 * the forward pass, eqs 1.1–1.7, and of the backward pass, eqs 4.1–4.9) out. Lecturers make cases, students
 * check their numbers against the answer; the command-line tool bin/answer-key.ts and the site's pages share
 * this module, so a bad case gets the same one-line message in both places.
 *
 * The case is lib/tools/case.ts's (its format, what is refused and why); the command line is
 * lib/tools/answer-key-cli.ts's.
 */
import { backward } from "../derivation/backward.js";
import { forward } from "../derivation/forward.js";
import { numericalParamGrads } from "../derivation/gradcheck.js";
import { type Vector, toRows } from "../core/matrix.js";
import { type Case, type RandomCaseOptions, caseToJson, parseCase, randomCase } from "./case.js";
import { fail } from "./json-text.js";

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


/** The JSON text of the answer to the case in `text`, one line and a newline. Throws an InputError. */
export function answerKey(text: string): string {
  return `${JSON.stringify(answerCase(parseCase(text)))}\n`;
}

/** What the generated mode prints: the case and its answer (the default), or either alone. */
export type OutputPart = "both" | "case" | "answer";
export const OUTPUT_PARTS: readonly OutputPart[] = ["both", "case", "answer"];

/**
 * The output for a random case, one line and a newline: `{"case": …, "answer": …}`, or with `part` the case alone
 * (the file a student is handed) or the answer alone (what `answerKey` prints for that case's file). The same
 * options give the same bytes, on the command line and in the browser (the Problem sets page calls this).
 */
export function randomCaseOutput(opts: RandomCaseOptions, part: OutputPart = "both"): string {
  const k = randomCase(opts);
  if (part === "case") return `${JSON.stringify(caseToJson(k))}\n`;
  if (part === "answer") return `${JSON.stringify(answerCase(k))}\n`;
  return `${JSON.stringify({ case: caseToJson(k), answer: answerCase(k) })}\n`;
}

/** Every parameter entry of a case: E, U, W, V by rows, then b, c (the order of `keyAgainstFd`). */
export function parameterCount(k: Case): number {
  const { vocab, dModel, hidden } = k.sizes;
  return vocab * dModel + hidden * dModel + hidden * hidden + vocab * hidden + hidden + vocab;
}

/**
 * The key's parameter gradients (eqs 4.4–4.9) beside their central finite differences of the loss, each flattened
 * in the same order (dL_dE, dL_dU, dL_dW, dL_dV by rows, then dL_db, dL_dc): the check a key gets before anyone
 * is marked against it.
 */
export function keyAgainstFd(k: Case, answer: Answer = answerCase(k)): { key: Float64Array; numeric: Float64Array } {
  const fd = numericalParamGrads(k.params, k.inputs, k.targets, k.h0);
  const flat = (parts: ArrayLike<number>[]) => Float64Array.from(parts.flatMap((p) => Array.from(p)));
  return {
    key: flat([...[answer.dL_dE, answer.dL_dU, answer.dL_dW, answer.dL_dV].flat(), answer.dL_db, answer.dL_dc]),
    numeric: flat([fd.E.data, fd.U.data, fd.W.data, fd.V.data, fd.b, fd.c]),
  };
}

/**
 * The Check page's worker (bundled by scripts/build-workers.ts into src/_workers/answer-key.js, lib/ inlined): it
 * reads a case, computes its answer key, compares a reader's answer with it and checks the key against finite
 * differences, all off the main thread. A case of the command line's largest sizes is 16 MB of JSON and its
 * answer 100 MB: parsing, computing and serialising them take seconds, which on the main thread would freeze the
 * page (the Chromium tab ran out of memory drawing them before this worker existed).
 *
 * Messages in:  { kind: "case", seq, source, hide? }    source: the text, or the File/Blob a reader uploaded
 *               { kind: "answer", seq, source, hide? }  compared with the key of the last "case" message
 *               { kind: "fd", seq, source }       the finite-difference check of a case (a second instance)
 * Messages out: { kind: "case", seq, ok: true, … }  what the page draws: sizes, loss, every quantity as a
 *                                                   Float64Array (transferred, not copied)
 *               { kind: "files", seq, json, latex }  the downloads, as Blobs (posting a Blob does not copy it)
 *               { kind: "answer", seq, ok: true, … } per quantity: the reader's numbers and which are wrong
 *               { kind: "fd", seq, … }
 *               or { kind, seq, ok: false, error } with lib's one-line message.
 *
 * Only the bytes the page needs cross to the main thread: numbers as typed arrays, counts, and a bounded list of
 * wrong entries; never the answer as nested arrays (cloning 4.7 million numbers would block the page again).
 * With `hide` (a problem set that shows only which entries are wrong), no number of the key crosses at all
 * (lib/tools/check-protocol.ts says what is left out).
 */
import { type Answer, answerCase, keyAgainstFd, parameterCount } from "../../lib/tools/answer-key.js";
import { type Case, CASE_TEXT, MAX_CASE_BYTES, decodeCase, parseCase } from "../../lib/tools/case.js";
import { tooLargeError } from "../../lib/tools/json-text.js";
import { InputError } from "../../lib/core/tokens.js";
import { answerToJson, answerToLatex } from "../../lib/tools/answer-export.js";
import {
  ANSWER_ATOL, ANSWER_RTOL, QUANTITIES, type QuantityKey, axisLength, compareAnswer, maxAnswerBytes,
  parseStudentAnswer,
} from "../../lib/tools/compare-answer.js";
import {
  type AnswerResult, type CaseResult, type CheckIn, type CheckOut, type EquationSummary, FD_MAX_WORK, type FilesResult, type Source,
  type QuantityComparison, type QuantityData, WRONG_LIST_MAX, type WrongEntry,
} from "../../lib/tools/check-protocol.js";



/** One line for anything thrown: lib's InputError as it is, anything else (out of memory, a bug) named as such. */
function message(e: unknown, what: string): string {
  if (e instanceof InputError) return e.message;
  const text = e instanceof Error ? e.message : String(e);
  return `${what} failed: ${text.replace(/\s*[\r\n]+\s*/g, " ").trim()}`;
}

/**
 * The text of an uploaded case: refused by its size before a byte is read (a file of gigabytes would otherwise be
 * read whole), then decoded as lib's command line decodes a file (UTF-8 only, with its message for UTF-16).
 */
async function caseText(source: Source): Promise<string> {
  if (typeof source === "string") return source;
  if (source.size > MAX_CASE_BYTES) throw tooLargeError(CASE_TEXT, source.size);
  return decodeCase(new Uint8Array(await source.arrayBuffer()));
}

/** The text of an uploaded answer, read no further than one byte past lib's limit, so lib's message says so. */
async function answerText(source: Source, sizes: Answer["sizes"]): Promise<string> {
  return typeof source === "string" ? source : await source.slice(0, maxAnswerBytes(sizes) + 1).text();
}

function flat(v: number | number[] | number[][]): Float64Array {
  if (typeof v === "number") return Float64Array.of(v);
  if (v.length === 0 || typeof v[0] === "number") return Float64Array.from(v as number[]);
  const rows = v as number[][];
  const cols = rows[0]!.length;
  const out = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => out.set(r, i * cols));
  return out;
}

function shapeOf(key: QuantityKey, sizes: Answer["sizes"]): [number, number] {
  const axes = QUANTITIES.find((q) => q.key === key)!.axes;
  if (axes.length === 0) return [1, 1];
  if (axes.length === 1) return [1, axisLength(axes[0]!, sizes)];
  return [axisLength(axes[0]!, sizes), axisLength(axes[1]!, sizes)];
}

/** The key the last "case" message produced, for comparisons; null after an invalid case. */
let current: { answer: Answer; k: Case } | null = null;

async function onCase(seq: number, source: Source, hide: boolean, post: (m: CheckOut, transfer?: Transferable[]) => void) {
  current = null;
  const t0 = performance.now();
  let text: string;
  let k: Case;
  let answer: Answer;
  try {
    text = await caseText(source);
    k = parseCase(text);
    answer = answerCase(k);
  } catch (e) {
    post({ kind: "case", seq, ok: false, error: message(e, "reading the case") });
    return;
  }
  current = { answer, k };
  const parameters = parameterCount(k);
  if (hide) {
    post({ kind: "case", seq, ok: true, sizes: answer.sizes, loss: null, parameters, fdCheck: false, quantities: [], chars: text.length, ms: performance.now() - t0 });
    return;
  }
  const quantities: QuantityData[] = QUANTITIES.map(({ key }) => {
    const [rows, cols] = shapeOf(key, answer.sizes);
    const data = flat(answer[key]);
    let extent = 0;
    for (const v of data) extent = Math.max(extent, Math.abs(v));
    return { key, rows, cols, data, extent };
  });
  const result: CaseResult = {
    kind: "case", seq, ok: true, sizes: answer.sizes, loss: answer.loss, parameters,
    fdCheck: parameters * k.sizes.tau <= FD_MAX_WORK, quantities, chars: text.length, ms: performance.now() - t0,
  };
  if (k.vocab) result.vocab = k.vocab;
  post(result, quantities.map((q) => q.data.buffer));

  // The downloads come second: serialising the largest answer takes longer than computing it.
  let json: Blob;
  try {
    json = new Blob([answerToJson(answer)], { type: "application/json" });
  } catch (e) {
    post({ kind: "case", seq, ok: false, error: message(e, "writing the answer as JSON") });
    return;
  }
  let latex: Blob | null = null;
  let latexError: string | undefined;
  try {
    latex = new Blob([answerToLatex(answer, { vocab: k.vocab })], { type: "application/x-tex" });
  } catch (e) {
    latexError = message(e, "writing the LaTeX tables");
  }
  const files: FilesResult = { kind: "files", seq, json, latex, jsonBytes: json.size };
  if (latexError) files.latexError = latexError;
  post(files);
}

async function onAnswer(seq: number, source: Source, hide: boolean, post: (m: CheckOut, transfer?: Transferable[]) => void) {
  if (!current) {
    post({ kind: "answer", seq, ok: false, error: null });
    return;
  }
  const { answer } = current;
  let student: ReturnType<typeof parseStudentAnswer>;
  try {
    student = parseStudentAnswer(await answerText(source, answer.sizes), answer);
  } catch (e) {
    post({ kind: "answer", seq, ok: false, error: message(e, "reading the answer") });
    return;
  }
  // One quantity at a time: lib's comparison keeps an object per entry, and all of the largest answer's at once
  // would need about a gigabyte.
  const quantities: QuantityComparison[] = [];
  const equations: EquationSummary[] = [];
  const wrongList: WrongEntry[] = [];
  for (const info of QUANTITIES) {
    if (student[info.key] === undefined) continue;
    const c = compareAnswer(answer, { [info.key]: student[info.key] }).quantities[0]!;
    const got = new Float64Array(c.entries.length);
    const wrong = new Uint8Array(c.entries.length);
    c.entries.forEach((e, n) => {
      got[n] = e.got;
      if (e.ok) return;
      wrong[n] = 1;
      if (wrongList.length < WRONG_LIST_MAX) {
        wrongList.push(hide
          ? { key: info.key, index: e.index, got: e.got, expected: null, error: null, allowed: null }
          : { key: info.key, index: e.index, got: e.got, expected: e.expected, error: e.error, allowed: e.allowed });
      }
    });
    quantities.push({ key: info.key, got, wrong, checked: c.checked, wrongCount: c.wrong, maxError: hide ? null : c.maxError });
    // Grouped as lib/tools/compare-answer.ts's compareAnswer groups them: by equation, h⁽⁰⁾ under "given".
    const label = info.equation || "given";
    let eq = equations.find((x) => x.equation === label);
    if (!eq) equations.push((eq = { equation: label, href: info.href, quantities: [], checked: 0, wrong: 0, maxError: hide ? null : 0 }));
    eq.quantities.push(info.key);
    eq.checked += c.checked;
    eq.wrong += c.wrong;
    eq.maxError = hide ? null : Math.max(eq.maxError ?? 0, c.maxError);
  }
  const result: AnswerResult = {
    kind: "answer", seq, ok: true, hidden: hide, atol: ANSWER_ATOL, rtol: ANSWER_RTOL, quantities, equations, wrongList,
    checked: quantities.reduce((n, q) => n + q.checked, 0),
    wrong: quantities.reduce((n, q) => n + q.wrongCount, 0),
  };
  post(result, quantities.flatMap((q) => [q.got.buffer, q.wrong.buffer]));
}

/**
 * Every parameter gradient of the key (eqs 4.4–4.9) and its central finite difference of the loss, each flattened
 * in the same order (E, U, W, V, b, c), for the page's check to compare.
 */
async function onFd(seq: number, source: Source, post: (m: CheckOut, transfer?: Transferable[]) => void) {
  try {
    const k = parseCase(await caseText(source));
    const { key, numeric } = keyAgainstFd(k);
    post({ kind: "fd", seq, ok: true, parameters: parameterCount(k), key, numeric }, [key.buffer, numeric.buffer]);
  } catch (e) {
    post({ kind: "fd", seq, ok: false, error: message(e, "the finite-difference check") });
  }
}

const scope = globalThis as unknown as {
  importScripts?: unknown;
  onmessage: unknown;
  postMessage: (m: unknown, transfer?: Transferable[]) => void;
};
if (typeof scope.importScripts === "function") {
  // Messages are handled one at a time, in order: an "answer" is compared with the key of the "case" before it.
  let queue = Promise.resolve();
  const post = (m: CheckOut, transfer: Transferable[] = []) => scope.postMessage(m, transfer);
  scope.onmessage = (event: MessageEvent<CheckIn>) => {
    const m = event.data;
    queue = queue.then(() =>
      m.kind === "case" ? onCase(m.seq, m.source, m.hide === true, post)
        : m.kind === "answer" ? onAnswer(m.seq, m.source, m.hide === true, post) : onFd(m.seq, m.source, post));
  };
}

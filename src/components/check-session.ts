/**
 * The Check page's parts and what ties them to its worker (src/workers/answer-key.ts). The page only arranges the
 * parts; every number comes from the worker, which runs lib/tools/answer-key.ts and lib/tools/compare-answer.ts, so the main
 * thread only draws: a case of the command line's largest sizes is read, computed and compared without a long
 * task (the browser suite measures it).
 *
 * States, and what stays on screen:
 * - a new case is being read: the previous results stay, dimmed and marked busy, downloads disabled;
 * - an invalid case: its one-line message, and nothing of the previous case (no tables, no downloads, no check);
 *   the input keeps the reader's text;
 * - an invalid answer: its message in place of the comparison; the key stays.
 * A case that arrives while the worker is still busy with an older one terminates it and starts a fresh worker:
 * the older answer would be thrown away anyway, and the largest takes seconds.
 *
 * A problem set's link (src/components/check-set.ts) fixes the case (`fixCase`): the box shows the student's case,
 * read-only, and in the set's "hide" mode the worker sends no value of the key, so the page shows only which
 * entries of the reader's answer are wrong, by position, with the reader's own numbers.
 */
import { QUANTITIES, type QuantityInfo, allowedError, axisLength, indexText } from "../lib/tools/compare-answer.js";
import type {
  AnswerResult, CaseResult, CheckIn, CheckOut, FdResult, FilesResult, QuantityComparison, QuantityData, Source,
} from "../lib/tools/check-protocol.js";
import { liveCell } from "./cell.js";
import { fdCheck } from "./check.js";
import { heatClass, virtualGrid } from "./check-grid.js";
import { type TextSource, bytesText, exampleCaseText, textSource } from "./check-source.js";
import { downloadButton } from "./download.js";
import { fmt } from "./format.js";
import { notation } from "./notation.js";

export interface CheckPage {
  caseInput: TextSource;
  caseMessage: HTMLElement;
  answerInput: TextSource;
  /** The comparison's summary, or the answer's message. */
  comparison: HTMLElement;
  downloads: HTMLElement;
  keyCheck: HTMLElement;
  quantities: HTMLElement;
  /**
   * A problem set's case in the case box, read-only (`label` names it), or null to give the box back to the reader;
   * with `hide`, no value of the key is shown, whatever the case.
   */
  fixCase(fixed: { text: string; label: string } | null, hide: boolean): void;
}

/** Typing is sent to the worker once it pauses this long; an upload or a paste is sent at once. */
const DEBOUNCE_MS = 80;

type CaseState =
  | { status: "pending"; seq: number; source: Source }
  | { status: "ok"; seq: number; source: Source; result: CaseResult; files: FilesResult | null; fd: FdResult | string | null }
  | { status: "error"; seq: number; source: Source; error: string };

type AnswerState =
  | { status: "empty" }
  | { status: "pending"; seq: number }
  | { status: "ok"; seq: number; result: AnswerResult }
  | { status: "error"; seq: number; error: string | null };

/** An element with attributes and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

const message = (text: string, attrs: Record<string, string> = {}) => el("p", { class: "input-message", ...attrs }, text);

/** A worker that is restarted rather than waited for, and whose answers are told apart by seq. */
class Channel {
  private worker: Worker | null = null;
  /** The seq of the last message posted, and whether its final answer has come back. */
  private last = 0;
  private idle = true;
  private lastKind: CheckIn["kind"] = "case";
  constructor(private url: string, private onMessage: (m: CheckOut) => void, private isFinal: (m: CheckOut) => boolean) {}
  post(m: CheckIn, restartIfBusy: boolean) {
    if (this.worker && !this.idle && restartIfBusy) {
      this.worker.terminate();
      this.worker = null;
    }
    if (!this.worker) {
      const w = new Worker(this.url);
      w.onmessage = (e: MessageEvent<CheckOut>) => {
        if (e.data.seq === this.last && this.isFinal(e.data)) this.idle = true;
        this.onMessage(e.data);
      };
      // A worker that dies (out of memory) answers nothing: tell the page, in one line, for the last message.
      w.onerror = (e) => {
        e.preventDefault();
        this.idle = true;
        this.onMessage({ kind: this.lastKind, seq: this.last, ok: false, error: `the computation stopped: ${e.message || "the browser ended it (out of memory?)"}` });
      };
      this.worker = w;
    }
    this.last = m.seq;
    this.lastKind = m.kind;
    this.idle = false;
    this.worker.postMessage(m);
  }
}

export function checkPage(workerUrl: string): CheckPage {
  const caseInput = textSource({ id: "case-text", label: "Case (JSON)", initial: exampleCaseText(1), example: true });
  const answerInput = textSource({
    id: "answer-text", label: "Your answer (JSON, any subset of the fields)",
    placeholder: '{"loss": 1.2345, "dL_dc": [0.1, -0.2, 0.1]}',
  });
  const caseMessage = el("div", { class: "case-status" });
  const comparison = el("div", { class: "check-comparison" });
  const downloads = el("div", { class: "check-downloads" });
  const keyCheck = el("div", { class: "check-key-check" });
  const quantities = el("div", { class: "check-quantities" });
  const results = [comparison, downloads, keyCheck, quantities];

  let seq = 0;
  let kase: CaseState = { status: "pending", seq: 0, source: "" };
  let answer: AnswerState = { status: "empty" };
  /** Whether the key's values are hidden (a problem set's "hide" mode): sent with every case and answer. */
  let hide = false;
  /** The case seq the current answer was compared against: a comparison is shown with that key only. */
  let answerFor = -1;

  const main = new Channel(workerUrl, onMessage, (m) => m.kind === "files" || m.kind === "answer" || !m.ok);
  const fd = new Channel(workerUrl, onMessage, () => true);

  function sendCase() {
    const s = ++seq;
    const source = caseInput.source;
    kase = { status: "pending", seq: s, source };
    main.post({ kind: "case", seq: s, source, hide }, true);
    sendAnswer(s);
    drawPending();
  }
  function sendAnswer(forCase = kase.seq) {
    answerFor = forCase;
    if (answerInput.isEmpty) {
      answer = { status: "empty" };
      return;
    }
    const s = ++seq;
    answer = { status: "pending", seq: s };
    main.post({ kind: "answer", seq: s, source: answerInput.source, hide }, false);
  }

  function onMessage(m: CheckOut) {
    if (m.kind === "case" && m.seq === kase.seq) {
      if (m.ok) {
        kase = { status: "ok", seq: m.seq, source: kase.source, result: m, files: null, fd: null };
        if (m.fdCheck) fd.post({ kind: "fd", seq: m.seq, source: kase.source }, true);
        else kase.fd = `This case is too large for a finite-difference check in the browser (${m.parameters} parameters over τ = ${m.sizes.tau} steps); the key is computed as for any other case.`;
      } else {
        kase = { status: "error", seq: m.seq, source: kase.source, error: m.error ?? "" };
      }
      drawAll();
    } else if (m.kind === "files" && kase.status === "ok" && m.seq === kase.seq) {
      kase.files = m;
      drawDownloads();
    } else if (m.kind === "fd" && kase.status === "ok" && m.seq === kase.seq) {
      kase.fd = m.ok ? m : (m.error ?? "");
      drawKeyCheck();
    } else if (m.kind === "answer" && answer.status !== "empty" && m.seq === answer.seq) {
      answer = m.ok ? { status: "ok", seq: m.seq, result: m } : { status: "error", seq: m.seq, error: m.error };
      drawComparison();
      drawQuantities();
    }
  }

  function drawPending() {
    caseMessage.replaceChildren(message("Reading the case…", { id: "case-message", role: "status", class: "input-message input-pending" }));
    for (const r of results) {
      r.classList.add("check-pending");
      r.setAttribute("aria-busy", "true");
    }
    for (const b of downloads.querySelectorAll("button")) b.disabled = true;
  }

  function drawAll() {
    for (const r of results) {
      r.classList.remove("check-pending");
      r.removeAttribute("aria-busy");
    }
    if (kase.status === "error") {
      caseMessage.replaceChildren(el("p", { class: "input-message input-error", id: "case-message", role: "alert" }, kase.error));
    } else if (kase.status === "ok") {
      const { sizes, loss, ms } = kase.result;
      caseMessage.replaceChildren(el("p", { class: "input-message input-ok", id: "case-message", role: "status" },
        `Case read: vocab = ${sizes.vocab}, d_model = ${sizes.d_model}, hidden = ${sizes.hidden}, τ = ${sizes.tau}`
        + (loss === null ? "." : `; loss L = ${fmt(loss, 6)}.`) + (ms > 500 ? ` (Computed in ${(ms / 1000).toFixed(1)} s.)` : "")));
    }
    drawComparison();
    drawDownloads();
    drawKeyCheck();
    drawQuantities();
  }

  function drawComparison() {
    if (kase.status === "pending") return; // the case's own result draws it
    if (kase.status !== "ok") {
      comparison.replaceChildren(message("Fix the case first."));
    } else if (answer.status === "empty" || answerFor !== kase.seq) {
      comparison.replaceChildren(message("No answer pasted: the key is shown below without a comparison.", { id: "answer-message" }));
    } else if (answer.status === "pending") {
      comparison.classList.add("check-pending");
    } else if (answer.status === "error") {
      comparison.replaceChildren(answer.error === null
        ? message("Fix the case first.")
        : el("p", { class: "input-message input-error", id: "answer-message", role: "alert" }, answer.error));
    } else {
      comparison.replaceChildren(summaryTables(answer.result));
    }
    if (answer.status !== "pending") comparison.classList.remove("check-pending");
  }

  function drawDownloads() {
    if (kase.status === "pending") return;
    if (kase.status === "error") {
      downloads.replaceChildren(message("No valid case, nothing to download."));
      return;
    }
    if (kase.result.loss === null) {
      downloads.replaceChildren(message(HIDDEN_NOTE));
      return;
    }
    const files = kase.files;
    const json = downloadButton("Download answer key (JSON)", "answer-key.json", files?.json ?? null);
    const tex = downloadButton("Download answer key (LaTeX tables)", "answer-key.tex", files?.latex ?? null);
    const note = el("p", { class: "downloads-note", "aria-live": "polite" },
      files === null ? "Preparing the files…"
        : `The JSON is ${bytesText(files.jsonBytes)}` + (files.latex ? `, the LaTeX ${bytesText(files.latex.size)}.` : `; ${files.latexError}.`));
    downloads.replaceChildren(el("p", { class: "downloads" }, json, " ", tex), note);
  }

  function drawKeyCheck() {
    if (kase.status === "pending") return;
    if (kase.status === "error") {
      keyCheck.replaceChildren();
      return;
    }
    const f = kase.fd;
    if (kase.result.loss === null) keyCheck.replaceChildren();
    else if (f === null) keyCheck.replaceChildren(message("Checking the key against finite differences…", { role: "status" }));
    else if (typeof f === "string") keyCheck.replaceChildren(message(f));
    else {
      keyCheck.replaceChildren(liveCell({
        value: `${f.parameters} parameter-gradient entries, loss L = ${fmt(kase.result.loss ?? NaN, 6)}`,
        shape: [f.parameters], file: "lib/tools/answer-key.ts", fn: "answerCase",
        checks: [fdCheck(f.key, f.numeric, "central finite differences")],
      }));
    }
  }

  function drawQuantities() {
    if (kase.status === "pending") return;
    if (kase.status === "error") {
      quantities.replaceChildren(message("No valid case, no answer key."));
      return;
    }
    const r = kase.result;
    const compared = answer.status === "ok" && answerFor === kase.seq ? answer.result : null;
    if (r.loss === null) {
      // Hidden: the reader's own quantities, each entry marked, and no value of the key.
      const mine = compared?.quantities.map((c) => hiddenBlock(QUANTITIES.find((i) => i.key === c.key)!, c, r)) ?? [];
      quantities.replaceChildren(el("div", { id: "answer-key-quantities" }, message(HIDDEN_NOTE), ...mine));
      return;
    }
    const blocks = r.quantities.map((q) => quantityBlock(
      QUANTITIES.find((i) => i.key === q.key)!, q, r, compared?.quantities.find((c) => c.key === q.key) ?? null));
    quantities.replaceChildren(el("div", { id: "answer-key-quantities" }, ...blocks));
  }

  const debounced = (f: () => void) => {
    let timer = 0;
    return () => {
      clearTimeout(timer);
      timer = window.setTimeout(f, DEBOUNCE_MS);
    };
  };
  const sendCaseSoon = debounced(sendCase);
  /** Set while the page itself replaces the case (fixCase), which sends it at once rather than after a pause. */
  let fixing = false;
  caseInput.addEventListener("input", () => {
    drawPending(); // at once: the message of the previous case no longer describes the text in the box
    if (!fixing) sendCaseSoon();
  });
  answerInput.addEventListener("input", () => {
    if (kase.status === "ok") comparison.classList.add("check-pending");
  });
  answerInput.addEventListener("input", debounced(() => {
    if (kase.status === "error") return;
    sendAnswer();
    if (kase.status === "ok") drawComparison();
  }));
  sendCase();
  const fixCase = (fixed: { text: string; label: string } | null, hidden: boolean) => {
    hide = hidden;
    fixing = true;
    caseInput.lock(fixed);
    fixing = false;
    // At once, with `hide`: a result for the case before, still on its way, is then no longer the page's case.
    sendCase();
  };
  return { caseInput, caseMessage, answerInput, comparison, downloads, keyCheck, quantities, fixCase };
}

/** What a page in a problem set's "hide" mode says in place of the key. */
const HIDDEN_NOTE = "In this problem set the key's values are not shown: paste your answer, and the page says which of your entries are wrong.";

function summaryTables(c: AnswerResult): HTMLElement {
  const info = (key: string) => QUANTITIES.find((q) => q.key === key)!;
  const eqLink = (q: { equation: string; href: string }) => q.equation && q.href
    ? el("a", { href: q.href }, `eq ${q.equation}`) : (q.equation || "given");
  const count = (wrong: number) => (wrong ? `✗ ${wrong}` : "✓ 0");
  const tol = el("p", { class: "tolerance" }, `Tolerance: |a − b| ≤ ${c.atol} + ${c.rtol}·|b| (b: the key). ${c.checked} entries checked, `,
    el("strong", {}, `${c.wrong} wrong`), ".");
  // Hidden: no column that holds a value of the key or an error (|a − b| with a known a gives b).
  const shown = <T>(xs: T[], hiddenFrom: number) => (c.hidden ? xs.slice(0, hiddenFrom) : xs);
  const table = (id: string, caption: string, head: string[], rows: HTMLTableRowElement[]) =>
    el("div", { class: "scroll" }, el("table", { class: "summary-table", id },
      el("caption", {}, caption),
      el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...rows)));
  const byQuantity = table("summary-by-quantity", "Per quantity",
    shown(["quantity", "field", "equation", "entries checked", "entries wrong", "max error"], 5),
    c.quantities.map((q) => {
      const i = info(q.key);
      return el("tr", { class: q.wrongCount ? "row-wrong" : "row-ok", "data-quantity": q.key },
        ...shown([el("th", { scope: "row" }, ...notation(i.name)), el("td", {}, el("code", {}, q.key)), el("td", {}, eqLink(i)),
          el("td", {}, String(q.checked)), el("td", {}, count(q.wrongCount)), el("td", {}, fmt(q.maxError ?? NaN, 3))], 5));
    }));
  const byEquation = table("summary-by-equation", "Per equation",
    shown(["equation", "quantities", "entries checked", "entries wrong", "max error"], 4),
    c.equations.map((e) => el("tr", { class: e.wrong ? "row-wrong" : "row-ok" },
      ...shown([el("th", { scope: "row" }, eqLink(e)), el("td", {}, e.quantities.join(", ")),
        el("td", {}, String(e.checked)), el("td", {}, count(e.wrong)), el("td", {}, fmt(e.maxError ?? NaN, 3))], 4))));
  const parts: Node[] = [tol, byQuantity, byEquation];
  if (c.wrongList.length > 0) {
    const more = c.wrong - c.wrongList.length;
    parts.push(table("summary-wrong-entries",
      more > 0 ? `The first ${c.wrongList.length} wrong entries (${more} more are marked in the tables below)` : "Every wrong entry",
      shown(["entry", "yours", "key", "|a − b|", "allowed"], 2),
      c.wrongList.map((w) => el("tr", {},
        ...shown([el("th", { scope: "row" }, el("a", { href: `#key-${w.key}` }, `${w.key}${indexText(w.index)}`)),
          el("td", {}, fmt(w.got, 6)), el("td", {}, fmt(w.expected ?? NaN, 6)), el("td", {}, fmt(w.error ?? NaN, 2)),
          el("td", {}, fmt(w.allowed ?? NaN, 2))], 2)))));
  }
  return el("div", {}, ...parts);
}

/** Row labels: 0-based as in the JSON, tokens named when the case names them. */
function labeller(axis: QuantityInfo["axes"][number] | null, vocab: string[] | undefined, fallback: string): (i: number) => string {
  if (axis === null) return () => fallback;
  if (axis === "vocab" && vocab) return (i) => `${i}·${vocab[i] === " " ? "␣" : vocab[i]}`;
  return (i) => String(i);
}

const axisName = (axis: QuantityInfo["axes"][number] | null) => (axis === null ? "" : axis === "t" ? "t − 1" : axis);

/** The labels and corner of a quantity's tables. */
function gridLabels(info: QuantityInfo, r: CaseResult) {
  const rowAxis = info.axes.length === 2 ? info.axes[0]! : null;
  const colAxis = info.axes.length === 0 ? null : info.axes[info.axes.length - 1]!;
  return {
    rowLabel: labeller(rowAxis, r.vocab, info.axes.length === 0 ? "" : info.key),
    colLabel: colAxis ? labeller(colAxis, r.vocab, "") : () => "value",
    corner: rowAxis ? `${axisName(rowAxis)} \\ ${axisName(colAxis)}` : axisName(colAxis),
  };
}

function quantityHead(info: QuantityInfo): HTMLElement {
  return el("h3", { id: `key-${info.key}` }, ...notation(info.name), " ", el("code", {}, info.key), " ",
    ...(info.equation ? ["— ", el("a", { href: info.href }, `eq ${info.equation}`)] : ["— given in the case"]));
}

function quantityBlock(info: QuantityInfo, q: QuantityData, r: CaseResult, mine: QuantityComparison | null): HTMLElement {
  const section = el("section", { class: "key-quantity" }, quantityHead(info));
  const { rowLabel, colLabel, corner } = gridLabels(info, r);
  if (info.axes.length === 0) {
    section.append(el("p", { class: "scalar" }, `${info.key} = `, el("span", { class: "value" }, fmt(q.data[0]!, 8))));
  } else {
    const shape = info.axes.map((a) => `${axisLength(a, r.sizes)}`).join(" × ");
    if (q.rows * q.cols > 144) {
      section.append(el("p", { class: "grid-note" }, `${shape} entries; the table shows the ones in view: scroll it (or focus it and use the arrow keys). The downloads hold them all.`));
    }
    section.append(virtualGrid({
      label: `${info.name} (${info.key}), ${shape}`, rows: q.rows, cols: q.cols, rowLabel, colLabel, corner,
      id: `grid-${info.key}`, colWidth: 80,
      cell: (td, i, j) => {
        const v = q.data[i * q.cols + j]!;
        td.className = heatClass(v, q.extent);
        td.textContent = fmt(v, 4);
        td.title = String(v); // every digit, on hover; the downloads have them all
      },
    }));
  }
  if (mine) section.append(comparisonGrid(info, q.rows, q.cols, q.data, mine, rowLabel, colLabel, corner));
  return section;
}

/** A quantity of the reader's answer with its wrong entries marked, when the key's values are hidden. */
function hiddenBlock(info: QuantityInfo, mine: QuantityComparison, r: CaseResult): HTMLElement {
  const { rowLabel, colLabel, corner } = gridLabels(info, r);
  const rows = info.axes.length === 2 ? axisLength(info.axes[0]!, r.sizes) : 1;
  const cols = info.axes.length === 0 ? 1 : axisLength(info.axes[info.axes.length - 1]!, r.sizes);
  return el("section", { class: "key-quantity" }, quantityHead(info), comparisonGrid(info, rows, cols, null, mine, rowLabel, colLabel, corner));
}

/** The reader's numbers of one quantity, each wrong entry marked ✗ and, unless `key` is null (hidden), with the key's. */
function comparisonGrid(
  info: QuantityInfo, rows: number, cols: number, key: Float64Array | null, mine: QuantityComparison,
  rowLabel: (i: number) => string, colLabel: (j: number) => string, corner: string,
): HTMLElement {
  const index = (i: number, j: number) => (info.axes.length === 2 ? [i, j] : info.axes.length === 1 ? [j] : []);
  const wrap = el("div", { class: "compare" },
    el("p", { class: "compare-caption" }, `Your ${info.key}: ${mine.wrongCount} of ${mine.checked} entries wrong`
      + (mine.maxError === null ? "" : ` (max error ${fmt(mine.maxError, 3)})`)));
  const detailed = key !== null && mine.wrongCount > 0;
  wrap.append(virtualGrid({
    label: `Your ${info.key}`, rows, cols, rowLabel, colLabel, corner: corner || "index",
    id: `compare-${info.key}`, dataset: { quantity: info.key },
    // A wrong entry shows three lines: yours, the key's, and the error against the allowed one.
    rowHeight: detailed ? 56 : 26, colWidth: detailed ? 168 : mine.wrongCount > 0 ? 110 : 96,
    cell: (td, i, j) => {
      const n = i * cols + j;
      const got = mine.got[n]!;
      td.dataset.entry = info.key + indexText(index(i, j));
      if (!mine.wrong[n]) {
        td.className = "entry-ok";
        td.textContent = fmt(got, 6);
        return;
      }
      td.className = "entry-wrong";
      if (key === null) {
        td.title = `yours ${got}: outside the tolerance of the key`;
        td.append(`✗ ${fmt(got, 6)}`);
        return;
      }
      const expected = key[n]!;
      const error = Math.abs(got - expected), allowed = allowedError(expected);
      td.title = `yours ${got}, key ${expected}, |a − b| = ${error} > ${allowed}`;
      td.append(`✗ ${fmt(got, 6)}`, el("span", { class: "entry-key" }, `key ${fmt(expected, 6)}`), el("span", { class: "entry-key" }, `|a − b| ${fmt(error, 2)} > ${fmt(allowed, 2)}`));
    },
  }));
  return wrap;
}

/**
 * Views for the embedding page (§3.8): (DL)_E as a plain table with full precision and TSV export, the per-token
 * stacking of eq 3.21's terms, compact pictures of 0/1 Jacobians too large for a numbered heatmap (the stacked
 * tensor of eq 3.20, the projection Jacobian of Remark 3.22), and a step picker shared by several cells.
 * Drawing only: every number comes from lib/.
 */
import * as Plot from "@observablehq/plot";
import { asImage } from "./plot-a11y.js";
import { type CheckResult, checkBadge } from "./check.js";
import { fmt } from "./format.js";
import { type MatrixLike, asMatrix, matrixTable } from "./heatmap.js";

const SVG = "http://www.w3.org/2000/svg";

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function svgEl(tag: string, attrs: Record<string, string | number>): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

const entry = (m: MatrixLike, i: number, j: number) => m.data[i * m.cols + j]!;

// ---------------------------------------------------------------------------------------------------------------
// A second check on a live cell.

/** Adds another ✓/✗ badge to a live cell (liveCell takes one check; some values are checked two ways). */
export function addCheck(cell: HTMLElement, check: CheckResult): HTMLElement {
  cell.querySelector(".live-meta")?.append(checkBadge(check));
  return cell;
}

// ---------------------------------------------------------------------------------------------------------------
// The table view of a gradient, for reading and copying.

export interface GradTableOptions {
  /** The table's id, for links and tests. */
  id?: string;
  caption: string;
  rowLabels: string[];
  colLabels: string[];
  /** Header of the label column, e.g. "token". */
  rowName: string;
  /** Rows to mark with ● (tokens seen in the input). */
  marked?: Set<number>;
  /** Significant digits in the short display (default 6). */
  digits?: number;
}

/** The rows as tab-separated values, full precision (shortest round-trip decimal), one header line. */
export function toTSV(m: MatrixLike, rowName: string, rowLabels: string[], colLabels: string[]): string {
  const lines = [[rowName, ...colLabels].join("\t")];
  for (let i = 0; i < m.rows; i++) {
    lines.push([rowLabels[i]!, ...Array.from({ length: m.cols }, (_, j) => String(entry(m, i, j)))].join("\t"));
  }
  return lines.join("\n");
}

/**
 * A plain, accessible <table> (label column + one column per component) with `digits` significant digits, a
 * toggle for full precision, and the same numbers as TSV to copy. Each cell carries its exact value in
 * `data-value`, and each row its label in `data-row`.
 */
export function gradTable(value: MatrixLike, o: GradTableOptions): HTMLElement {
  const m = asMatrix(value);
  const digits = o.digits ?? 6;
  const figure = el("figure", "grad-table-view");
  const tools = el("div", "grad-table-tools");
  const toggle = el("input");
  toggle.type = "checkbox";
  const toggleLabel = el("label");
  toggleLabel.append(toggle, " full precision");
  const copy = el("button", undefined, "Copy as TSV");
  copy.type = "button";
  const status = el("span", "copy-status");
  status.setAttribute("role", "status");
  tools.append(toggleLabel, copy, status);

  const table = el("table", "grad-table");
  if (o.id) table.id = o.id;
  table.createCaption().textContent = o.caption;
  const head = table.createTHead().insertRow();
  for (const text of [o.rowName, ...o.colLabels]) {
    const th = el("th", undefined, text);
    th.scope = "col";
    head.append(th);
  }
  const body = table.createTBody();
  const cells: [HTMLTableCellElement, number][] = [];
  for (let i = 0; i < m.rows; i++) {
    const tr = body.insertRow();
    tr.dataset.row = o.rowLabels[i]!;
    let zero = true;
    for (let j = 0; j < m.cols; j++) if (entry(m, i, j) !== 0) zero = false;
    if (zero) tr.classList.add("zero-row");
    const th = el("th", undefined, o.marked?.has(i) ? `${o.rowLabels[i]} ●` : o.rowLabels[i]);
    th.scope = "row";
    tr.append(th);
    for (let j = 0; j < m.cols; j++) {
      const td = tr.insertCell();
      const v = entry(m, i, j);
      td.dataset.value = String(v);
      cells.push([td, v]);
    }
  }
  const render = () => {
    for (const [td, v] of cells) td.textContent = toggle.checked ? String(v) : fmt(v, digits);
    table.classList.toggle("full", toggle.checked);
  };
  toggle.addEventListener("change", render);
  render();

  const tsv = toTSV(m, o.rowName, o.rowLabels, o.colLabels);
  const details = el("details");
  const summary = el("summary", undefined, "Tab-separated values (full precision)");
  const area = el("textarea");
  area.readOnly = true;
  area.rows = Math.min(m.rows + 1, 12);
  area.value = tsv;
  area.setAttribute("aria-label", `${o.caption} as tab-separated values`);
  details.append(summary, area);
  copy.addEventListener("click", () => {
    const fallback = () => {
      details.open = true;
      area.focus();
      area.select();
      status.textContent = "Selected below: press Ctrl+C (⌘C) to copy.";
    };
    if (!navigator.clipboard) return fallback();
    navigator.clipboard.writeText(tsv).then(() => (status.textContent = "Copied."), fallback);
  });
  figure.append(tools, table, details);
  return figure;
}

// ---------------------------------------------------------------------------------------------------------------
// Compact pictures of large, mostly-zero matrices.

export interface Groups {
  /** Rows (or columns) per group: d_model for the blocks of eq 3.20 and Remark 3.22. */
  size: number;
  labels: string[];
  /** A group to emphasise (the input token's block). */
  highlight?: number;
}

export interface PatternOptions {
  label: string;
  rowGroups?: Groups;
  colGroups?: Groups;
  /** Cell size in px; by default as large as fits ~560 px, between 3 and 14. */
  cell?: number;
  /** Include the table of values behind a <details> (default true). */
  table?: boolean;
  /** A short caption under the picture. */
  caption?: string;
}

/**
 * A matrix as a grid of small coloured squares, no numbers: zero is white, positive blue, negative red (the
 * heatmaps' RdBu scale). Groups of rows or columns are separated by lines and labelled — for the vocab blocks of
 * the stacked tensor (Dx⁽ᵗ⁾)_E and the column blocks of Remark 3.22's projection Jacobian.
 */
export function patternGrid(value: MatrixLike | Float64Array, o: PatternOptions): HTMLElement {
  const m = asMatrix(value);
  const cell = o.cell ?? Math.max(3, Math.min(14, Math.floor(560 / Math.max(m.cols, 1))));
  let extent = 0;
  for (const v of m.data) extent = Math.max(extent, Math.abs(v));
  const color = Plot.scale({ color: { type: "diverging", scheme: "RdBu", domain: [-(extent || 1), extent || 1] } });
  const left = o.rowGroups ? 28 : 2, top = o.colGroups ? 16 : 2;
  const w = left + cell * m.cols + 2, h = top + cell * m.rows + 2;
  const svg = svgEl("svg", { width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: "img", class: "pattern-grid" });
  svg.setAttribute("aria-label", `${o.label}: ${m.rows} by ${m.cols}, zero except the coloured entries` +
    (o.table === false ? (o.caption ? `; ${o.caption}` : "") : "; values in the table below."));
  const band = (g: Groups | undefined, k: number, horizontal: boolean) => {
    if (!g || g.highlight !== k) return;
    svg.append(svgEl("rect", horizontal
      ? { x: left + k * g.size * cell - 1, y: top - 1, width: g.size * cell + 2, height: m.rows * cell + 2, class: "pattern-highlight" }
      : { x: left - 1, y: top + k * g.size * cell - 1, width: m.cols * cell + 2, height: g.size * cell + 2, class: "pattern-highlight" }));
  };
  if (o.colGroups) for (let k = 0; k < o.colGroups.labels.length; k++) band(o.colGroups, k, true);
  if (o.rowGroups) for (let k = 0; k < o.rowGroups.labels.length; k++) band(o.rowGroups, k, false);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) {
      const v = entry(m, i, j);
      svg.append(svgEl("rect", {
        x: left + j * cell, y: top + i * cell, width: cell, height: cell,
        fill: v === 0 ? "#fff" : String(color.apply(v)), class: "pattern-cell",
      }));
    }
  }
  const line = (x1: number, y1: number, x2: number, y2: number) => svg.append(svgEl("line", { x1, y1, x2, y2, class: "pattern-sep" }));
  const text = (x: number, y: number, s: string, anchor: string, cls = "") =>
    svg.append(Object.assign(svgEl("text", { x, y, "text-anchor": anchor, class: `pattern-label ${cls}` }), { textContent: s }));
  if (o.colGroups) {
    const g = o.colGroups;
    for (let k = 0; k <= g.labels.length; k++) line(left + k * g.size * cell, top, left + k * g.size * cell, top + m.rows * cell);
    g.labels.forEach((s, k) => text(left + (k + 0.5) * g.size * cell, top - 4, s, "middle", k === g.highlight ? "strong" : ""));
  }
  if (o.rowGroups) {
    const g = o.rowGroups;
    for (let k = 0; k <= g.labels.length; k++) line(left, top + k * g.size * cell, left + m.cols * cell, top + k * g.size * cell);
    g.labels.forEach((s, k) => text(left - 5, top + (k + 0.5) * g.size * cell + 4, s, "end", k === g.highlight ? "strong" : ""));
  }
  svg.append(svgEl("rect", { x: left, y: top, width: m.cols * cell, height: m.rows * cell, class: "pattern-frame" }));
  const figure = el("figure", "pattern");
  figure.append(svg);
  if (o.caption) figure.append(el("figcaption", undefined, o.caption));
  if (o.table !== false) {
    const details = el("details");
    details.append(el("summary", undefined, "Table of values"), matrixTable(m, {
      label: o.label,
      rowLabels: o.rowGroups ? expand(o.rowGroups, m.rows) : undefined,
      colLabels: o.colGroups ? expand(o.colGroups, m.cols) : undefined,
    }));
    figure.append(details);
  }
  return figure;
}

/** "a·1, a·2, …": the label of each row or column inside its group. */
function expand(g: Groups, n: number): string[] {
  return Array.from({ length: n }, (_, k) => (g.size === 1 ? g.labels[k]! : `${g.labels[Math.floor(k / g.size)]}·${(k % g.size) + 1}`));
}

export interface StackedTensorOptions {
  /** Block labels: the vocabulary. */
  labels: string[];
  /** The block that is the identity (the input token). */
  token: number;
  /** The row vector multiplied into every block, and the vocab × d_model product. */
  v: Float64Array;
  product: MatrixLike;
  /** How v and the tensor are named, e.g. "[(DL)_h ⊙ (1 − h²)] U" and "(Dx⁽²⁾)_E". */
  vName: string;
  tensorName: string;
}

/**
 * eq 3.20's tensor as the text pictures it — a vertical stack of vocab blocks, each d_model × d_model — with, on
 * each block's line, the row that right-multiplying v by that block gives: zero except at the identity block.
 */
export function stackedTensorView(tensor: MatrixLike, o: StackedTensorOptions): HTMLElement {
  const d = tensor.cols, vocab = o.labels.length;
  const cell = Math.max(3, Math.min(10, Math.floor(40 / d)));
  const table = el("table", "tensor-stack");
  table.createCaption().textContent =
    `${o.tensorName}: ${vocab} blocks of ${d} × ${d}, stacked; the identity sits in block ${o.labels[o.token]}. ` +
    `${o.vName} = (${Array.from(o.v, (x) => fmt(x)).join(", ")})`;
  const head = table.createTHead().insertRow();
  for (const s of ["block", o.tensorName, `${o.vName} × block`]) {
    const th = el("th", undefined, s);
    th.scope = "col";
    head.append(th);
  }
  const body = table.createTBody();
  for (let r = 0; r < vocab; r++) {
    const tr = body.insertRow();
    if (r === o.token) tr.className = "identity-block";
    const th = el("th", undefined, o.labels[r]);
    th.scope = "row";
    const block: MatrixLike = { rows: d, cols: d, data: tensor.data.subarray(r * d * d, (r + 1) * d * d) };
    const gridCell = tr.insertCell();
    gridCell.append(patternGrid(block, { label: `block ${o.labels[r]}`, cell, table: false }));
    const out = tr.insertCell();
    out.className = "block-product";
    out.textContent = Array.from({ length: d }, (_, j) => fmt(entry(o.product, r, j))).join("  ");
    tr.prepend(th);
  }
  return table;
}

// ---------------------------------------------------------------------------------------------------------------
// eq 3.21 token by token.

export interface ContributionStackOptions {
  /** The token, as shown. */
  token: string;
  /** One label per contributing step, e.g. "t = 2". */
  stepLabels: string[];
  rows: Float64Array[];
  sum: Float64Array;
  /** The token's row of (DL)_E from the summary form. */
  target: Float64Array;
  colLabels: string[];
}

/**
 * One token's terms of eq 3.21 added up per component as a waterfall: each step's bar starts where the previous
 * one ended, so the last bar ends on the black tick, the token's row of (DL)_E. The same numbers follow as a
 * small table: each step's row, their sum, the row.
 */
export function contributionStack(o: ContributionStackOptions): HTMLElement {
  const data: { j: string; step: string; y1: number; y2: number; v: number }[] = [];
  o.colLabels.forEach((j, c) => {
    let at = 0;
    o.rows.forEach((r, k) => {
      data.push({ j, step: o.stepLabels[k]!, y1: at, y2: at + r[c]!, v: r[c]! });
      at += r[c]!;
    });
  });
  const totals = Array.from(o.target, (v, c) => ({ j: o.colLabels[c]!, v }));
  const plot = Plot.plot({
    width: Math.max(220, 70 + (22 + 14 * o.rows.length) * o.colLabels.length),
    height: 200,
    marginLeft: 50,
    style: { fontSize: "11px" },
    fx: { domain: o.colLabels, label: "component j", padding: 0.15 },
    x: { domain: o.stepLabels, axis: null, padding: 0.1 },
    y: { grid: true, label: null, tickFormat: (v: number) => fmt(v, 2) },
    color: { domain: o.stepLabels, scheme: "observable10", legend: true },
    marks: [
      Plot.ruleY([0], { stroke: "#999" }),
      Plot.barY(data, {
        fx: "j", x: "step", y1: "y1", y2: "y2", fill: "step",
        title: (d: { step: string; v: number }) => `${d.step}: ${fmt(d.v, 6)}`,
      }),
      Plot.tickY(totals, { fx: "j", y: "v", stroke: "currentColor", strokeWidth: 2.5 }),
    ],
  }) as HTMLElement;
  asImage(plot, `The rows added for token ${o.token}, accumulated per component, ending on its row of (DL)_E (black tick); numbers in the table.`);
  const table = el("table", "stack-table");
  table.createCaption().textContent = `token ${o.token}`;
  const head = table.createTHead().insertRow();
  for (const s of ["step", ...o.colLabels]) {
    const th = el("th", undefined, s);
    th.scope = "col";
    head.append(th);
  }
  const body = table.createTBody();
  const addRow = (name: string, v: Float64Array, cls = "") => {
    const tr = body.insertRow();
    if (cls) tr.className = cls;
    const th = el("th", undefined, name);
    th.scope = "row";
    tr.append(th);
    for (const x of v) tr.insertCell().textContent = fmt(x, 6);
  };
  o.rows.forEach((r, k) => addRow(o.stepLabels[k]!, r));
  addRow("sum", o.sum, "sum-row");
  addRow("(DL)_E row", o.target, "target-row");
  const figure = el("figure", "contribution-stack");
  figure.append(el("div", "stack-title", `${o.token}: ${o.stepLabels.join(" + ")}`), plot, table);
  return figure;
}

// ---------------------------------------------------------------------------------------------------------------
// A step t shared by several cells.

export interface StepStore {
  get(): number;
  set(t: number): void;
  /** Calls `fn` now and on every change; returns the unsubscribe function (fits Generators.observe). */
  observe(fn: (t: number) => void): () => void;
}

export function stepStore(initial = 1): StepStore {
  let t = initial;
  const fns = new Set<(t: number) => void>();
  return {
    get: () => t,
    set(next) {
      if (next === t) return;
      t = next;
      for (const fn of fns) fn(t);
    },
    observe(fn) {
      fns.add(fn);
      fn(t);
      return () => fns.delete(fn);
    },
  };
}

let pickerId = 0;

/**
 * Radio buttons "1·c 2·a …" bound to a StepStore: several pickers on a page stay in step, so the reader can choose
 * t next to whichever equation they are reading. The store may hold a t beyond τ after the text got shorter; the
 * picker shows the clamped step.
 */
export function stepPicker(steps: string[], store: StepStore, invalidation?: Promise<unknown>): HTMLElement {
  const name = `step-picker-${++pickerId}`;
  const fieldset = el("fieldset", "step-picker");
  fieldset.append(el("legend", undefined, "Step t"));
  const radios = steps.map((s, k) => {
    const label = el("label");
    const input = el("input");
    input.type = "radio";
    input.name = name;
    input.value = String(k + 1);
    input.addEventListener("change", () => input.checked && store.set(k + 1));
    label.append(input, el("span", undefined, s));
    fieldset.append(label);
    return input;
  });
  const off = store.observe((t) => {
    const k = Math.min(Math.max(t, 1), steps.length) - 1;
    radios.forEach((r, i) => (r.checked = i === k));
  });
  invalidation?.then(off);
  return fieldset;
}

/** Pictures side by side with operators between them: `[e] · [row] = [matrix]`. */
export function productRow(parts: (Node | string)[]): HTMLElement {
  const div = el("div", "product-row");
  for (const p of parts) div.append(typeof p === "string" ? el("span", "op", p) : p);
  return div;
}

/**
 * A matrix as a small labelled heatmap (SVG), with its numbers printed in the cells and a table
 * behind a <details> (built when first opened) as the text alternative, for screen readers and for copying into coursework.
 */
import { fmt } from "./format.js";
import { registerHeatmap } from "./heatmap-entry.js";
import { notation } from "./notation.js";

export interface MatrixLike {
  rows: number;
  cols: number;
  data: Float64Array;
}

export interface HeatmapOptions {
  /** What the matrix is, e.g. "x⁽ᵗ⁾ = E[input⁽ᵗ⁾]"; used as the accessible name. */
  label: string;
  rowLabels?: string[];
  colLabels?: string[];
  /** Axis names, e.g. "t" and "j". */
  rowName?: string;
  colName?: string;
  /** Rows to mark (e.g. tokens seen in the input). */
  markedRows?: Set<number>;
  /** The symbol(s) of an equation this heatmap shows, space-separated ids of `\sym{id}{…}` (docs/symbols.md). */
  symbol?: string;
}

export const asMatrix = (v: Float64Array | MatrixLike): MatrixLike =>
  "data" in v ? v : { rows: 1, cols: v.length, data: v };

export function matrixTable(m: MatrixLike, o: HeatmapOptions): HTMLTableElement {
  const rowLabels = o.rowLabels ?? Array.from({ length: m.rows }, (_, i) => String(i + 1));
  const colLabels = o.colLabels ?? Array.from({ length: m.cols }, (_, j) => String(j + 1));
  const table = document.createElement("table");
  table.className = "matrix-table";
  const caption = table.createCaption();
  caption.replaceChildren(...notation(o.label));
  const head = table.createTHead().insertRow();
  const corner = document.createElement("th");
  corner.textContent = `${o.rowName ?? "row"} \\ ${o.colName ?? "col"}`;
  head.append(corner);
  for (const c of colLabels) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = c;
    head.append(th);
  }
  const body = table.createTBody();
  for (let i = 0; i < m.rows; i++) {
    const tr = body.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = rowLabels[i]!;
    tr.append(th);
    for (let j = 0; j < m.cols; j++) tr.insertCell().textContent = fmt(m.data[i * m.cols + j]!);
  }
  return table;
}

/** ColorBrewer's diverging RdBu, red (negative) through white to blue (positive), as d3 and Plot use it. */
const RDBU = ["#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#053061"]
  .map((h) => [1, 3, 5].map((k) => parseInt(h.slice(k, k + 2), 16)));

/** The colour of u ∈ [0, 1] on RdBu, interpolated linearly between the eleven classes. */
export function rdbu(u: number): string {
  if (!Number.isFinite(u)) return "#ccc";
  const x = Math.min(1, Math.max(0, u)) * (RDBU.length - 1);
  const i = Math.min(RDBU.length - 2, Math.floor(x)), f = x - i;
  const [a, b] = [RDBU[i]!, RDBU[i + 1]!];
  const c = (k: number) => Math.round(a[k]! + (b[k]! - a[k]!) * f);
  return `rgb(${c(0)},${c(1)},${c(2)})`;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/**
 * Drawn as one SVG string rather than with Plot: a page shows a dozen of these and redraws them all on every
 * edit, and building scales, axes and marks each time cost more than the maths behind them.
 */
export function heatmap(value: Float64Array | MatrixLike, o: HeatmapOptions): HTMLElement {
  const m = asMatrix(value);
  const rowLabels = (o.rowLabels ?? Array.from({ length: m.rows }, (_, i) => String(i + 1)))
    .map((d, i) => (o.markedRows?.has(i) ? `${d} ●` : d));
  const colLabels = o.colLabels ?? Array.from({ length: m.cols }, (_, j) => String(j + 1));
  let extent = 0;
  // Non-finite entries are drawn grey and must not set the scale (a NaN extent would colour every cell NaN)
  for (const v of m.data) if (Number.isFinite(v)) extent = Math.max(extent, Math.abs(v));
  const cw = 46, ch = 26; // wide enough for "−0.0063" at 11px
  const left = 8 + 7 * Math.max(1, ...rowLabels.map((d) => d.length));
  const top = o.colName ? 34 : 20;
  const width = left + cw * m.cols + 4, height = top + ch * m.rows + 4;
  const parts: string[] = [];
  if (o.colName) parts.push(`<text x="${left + (cw * m.cols) / 2}" y="11" text-anchor="middle" class="hm-axis">${esc(o.colName)}</text>`);
  colLabels.forEach((c, j) => parts.push(`<text x="${left + cw * j + cw / 2}" y="${top - 6}" text-anchor="middle">${esc(c)}</text>`));
  for (let i = 0; i < m.rows; i++) {
    const y = top + ch * i;
    parts.push(`<text x="${left - 6}" y="${y + ch / 2 + 4}" text-anchor="end">${esc(rowLabels[i]!)}</text>`);
    for (let j = 0; j < m.cols; j++) {
      const v = m.data[i * m.cols + j]!;
      const fill = Number.isFinite(v) ? rdbu(extent === 0 ? 0.5 : 0.5 + v / (2 * extent)) : "#ccc";
      const ink = Math.abs(v) > 0.6 * extent ? "white" : "black";
      parts.push(`<rect x="${left + cw * j + 0.5}" y="${y + 0.5}" width="${cw - 1}" height="${ch - 1}" fill="${fill}"></rect>` +
        `<text x="${left + cw * j + cw / 2}" y="${y + ch / 2 + 4}" text-anchor="middle" fill="${ink}">${esc(fmt(v, 2))}</text>`);
    }
  }
  const figure = document.createElement("figure");
  figure.className = "heatmap";
  // Focusable, with its grid's geometry for heatmap-entry.ts: the arrow keys and the pointer read single entries.
  figure.innerHTML = `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" tabindex="0" ` +
    `data-grid="${left},${top},${cw},${ch}" ` +
    `aria-label="${esc(`Heatmap of ${o.label}, ${m.rows} by ${m.cols}; arrow keys read its entries one at a time, ` +
      `and the same numbers are in the table below.`).replace(/"/g, "&quot;")}">` +
    `${parts.join("")}</svg>`;
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = "Table of values";
  details.append(summary);
  // Built when first opened: a page redraws a dozen heatmaps on every edit, and their tables were a third of that
  // work for something a reader opens rarely (closed, the table is neither seen, printed nor read out).
  details.addEventListener("toggle", () => {
    if (details.open && !details.querySelector("table")) details.append(matrixTable(m, o));
  });
  figure.append(details);
  if (o.symbol) figure.dataset.symbols = o.symbol;
  registerHeatmap(figure, m, o);
  return figure;
}

/**
 * A matrix as a small labelled heatmap (Observable Plot), with its numbers printed in the cells and a table
 * behind a <details> as the text alternative, for screen readers and for copying into coursework.
 */
import * as Plot from "@observablehq/plot";
import { fmt } from "./format.js";

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
}

export const asMatrix = (v: Float64Array | MatrixLike): MatrixLike =>
  "data" in v ? v : { rows: 1, cols: v.length, data: v };

export function matrixTable(m: MatrixLike, o: HeatmapOptions): HTMLTableElement {
  const rowLabels = o.rowLabels ?? Array.from({ length: m.rows }, (_, i) => String(i + 1));
  const colLabels = o.colLabels ?? Array.from({ length: m.cols }, (_, j) => String(j + 1));
  const table = document.createElement("table");
  table.className = "matrix-table";
  const caption = table.createCaption();
  caption.textContent = o.label;
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

export function heatmap(value: Float64Array | MatrixLike, o: HeatmapOptions): HTMLElement {
  const m = asMatrix(value);
  const rowLabels = o.rowLabels ?? Array.from({ length: m.rows }, (_, i) => String(i + 1));
  const colLabels = o.colLabels ?? Array.from({ length: m.cols }, (_, j) => String(j + 1));
  const cells = Array.from({ length: m.rows * m.cols }, (_, k) => ({
    r: rowLabels[Math.floor(k / m.cols)]!, c: colLabels[k % m.cols]!, v: m.data[k]!,
  }));
  let extent = 0;
  for (const v of m.data) extent = Math.max(extent, Math.abs(v));
  const cell = 46; // wide enough for "−0.0063" at 11px
  const plot = Plot.plot({
    width: 60 + cell * m.cols,
    height: 40 + cell * m.rows,
    marginLeft: 44,
    marginTop: 30,
    marginBottom: 10,
    style: { fontSize: "11px" },
    x: { domain: colLabels, axis: "top", label: o.colName ?? null, tickSize: 0 },
    y: {
      domain: rowLabels, label: null, tickSize: 0, // a rotated one-letter axis name reads like a glyph
      tickFormat: (d: string) => (o.markedRows?.has(rowLabels.indexOf(d)) ? `${d} ●` : d),
    },
    color: { type: "diverging", scheme: "RdBu", domain: [-(extent || 1), extent || 1] },
    marks: [
      Plot.cell(cells, { x: "c", y: "r", fill: "v", inset: 0.5 }),
      Plot.text(cells, {
        x: "c", y: "r", text: (d: { v: number }) => fmt(d.v, 2),
        fill: (d: { v: number }) => (Math.abs(d.v) > 0.6 * extent ? "white" : "black"),
      }),
    ],
  }) as HTMLElement;
  // The figure is one image to assistive technology; Plot's per-mark labels ("cell") on its <g>s are
  // not allowed there (axe: aria-prohibited-attr), and the numbers are in the table anyway.
  for (const el of plot.querySelectorAll("[aria-label]")) el.removeAttribute("aria-label");
  plot.setAttribute("role", "img");
  plot.setAttribute("aria-label", `Heatmap of ${o.label}, ${m.rows} by ${m.cols}; the same numbers are in the table below.`);
  const figure = document.createElement("figure");
  figure.className = "heatmap";
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = "Table of values";
  details.append(summary, matrixTable(m, o));
  figure.append(plot, details);
  return figure;
}

/**
 * Compact pictures of large, mostly-zero matrices: a grid of small coloured squares with groups of rows or columns
 * separated and labelled, for 0/1 Jacobians too large for a numbered heatmap. Drawing only.
 */
import { el, svgEl } from "./dom.js";
import { type MatrixLike, asMatrix, matrixTable, rdbu } from "./heatmap.js";

/**
 * On a dark page a non-zero entry is its hue mixed into the background by at least this share (%), so that the
 * smallest one still stands apart from a zero, which is the background itself.
 */
const DARK_FLOOR_PCT = 30;

export const entry = (m: MatrixLike, i: number, j: number) => m.data[i * m.cols + j]!;

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
 * A matrix as a grid of small coloured squares, no numbers: zero is the page (white, or black in the dark theme),
 * positive blue, negative red (the heatmaps' RdBu scale; on a dark page, brighter the larger). Groups of rows or columns are separated by lines and labelled — for the vocab blocks of
 * the stacked tensor (Dx⁽ᵗ⁾)_E and the column blocks of Remark 3.22's projection Jacobian.
 */
export function patternGrid(value: MatrixLike | Float64Array, o: PatternOptions): HTMLElement {
  const m = asMatrix(value);
  const cell = o.cell ?? Math.max(3, Math.min(14, Math.floor(560 / Math.max(m.cols, 1))));
  let extent = 0;
  for (const v of m.data) extent = Math.max(extent, Math.abs(v));
  const scaleTo = extent || 1;
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
      const rect = svgEl("rect", {
        x: left + j * cell, y: top + i * cell, width: cell, height: cell, class: `pattern-cell ${v === 0 ? "zero" : v > 0 ? "pos" : "neg"}`,
      });
      // The colour is the page's CSS (src/embedding.md): RdBu on light, and on dark a blue or red that brightens with |v|.
      if (v !== 0) {
        rect.style.setProperty("--c", rdbu(0.5 + v / (2 * scaleTo)));
        rect.style.setProperty("--m", `${Math.round(DARK_FLOOR_PCT + (100 - DARK_FLOOR_PCT) * (Math.abs(v) / scaleTo))}%`);
      }
      svg.append(rect);
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

/**
 * The embedding page's own pictures (§3.8 of "BPTT Derivations"): eq 3.20's stacked tensor with the row each block
 * gives, and one token's terms of eq 3.21 added up as a waterfall. Drawing only: every number comes from lib/.
 */
import { el } from "./dom.js";
import { fmt } from "./format.js";
import type { MatrixLike } from "./heatmap.js";
import { entry, patternGrid } from "./pattern-grid.js";
import { SERIES_COLOURS, esc, legend, linearTicks, scale, svgOf } from "./svg-chart.js";

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
  const steps = o.stepLabels.length, cols = o.colLabels.length;
  const width = Math.max(220, 70 + (22 + 14 * steps) * cols), height = 200, left = 50, right = 10, top = 20, bottom = 30;
  let lo = 0, hi = 0;
  for (const d of data) lo = Math.min(lo, d.y1, d.y2), hi = Math.max(hi, d.y1, d.y2);
  for (const v of o.target) lo = Math.min(lo, v), hi = Math.max(hi, v);
  const py = scale({ domain: [lo, hi] }, height - bottom, top);
  // Plot's domain was the steps in the given order (not sorted), coloured in that order.
  const colours = new Map(o.stepLabels.map((s, k) => [s, SERIES_COLOURS[k % SERIES_COLOURS.length]!]));
  const parts: string[] = [];
  for (const t of linearTicks(lo, hi, (height - top - bottom) / 35)) {
    const y = py(t).toFixed(1);
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y}" y2="${y}" stroke="currentColor" stroke-opacity="0.1"></line>`,
      `<text x="${left - 6}" y="${y}" dy="0.32em" text-anchor="end">${esc(fmt(t, 2))}</text>`);
  }
  // One facet per component j (Plot's fx, padding 0.15), one bar per step inside it (padding 0.1).
  const facet = (width - left - right) / cols, inner = facet * 0.85, band = inner / steps;
  parts.push(`<text x="${left + (width - left - right) / 2}" y="${height - 3}" text-anchor="middle">component j</text>`);
  o.colLabels.forEach((j, c) => {
    const x0 = left + c * facet + (facet - inner) / 2;
    parts.push(`<text x="${(x0 + inner / 2).toFixed(1)}" y="${height - bottom + 9}" dy="0.71em" text-anchor="middle">${esc(j)}</text>`,
      `<line x1="${x0.toFixed(1)}" x2="${(x0 + inner).toFixed(1)}" y1="${py(0).toFixed(1)}" y2="${py(0).toFixed(1)}" stroke="#999"></line>`);
    data.filter((d) => d.j === j).forEach((d, k) => {
      const y = Math.min(py(d.y1), py(d.y2));
      parts.push(`<rect x="${(x0 + k * band + band * 0.05).toFixed(1)}" y="${y.toFixed(1)}" width="${(band * 0.9).toFixed(1)}" ` +
        `height="${Math.abs(py(d.y2) - py(d.y1)).toFixed(1)}" fill="${colours.get(d.step)}">` +
        `<title>${esc(`${d.step}: ${fmt(d.v, 6)}`)}</title></rect>`);
    });
    const ty = py(o.target[c]!).toFixed(1);
    parts.push(`<line x1="${x0.toFixed(1)}" x2="${(x0 + inner).toFixed(1)}" y1="${ty}" y2="${ty}" stroke="currentColor" stroke-width="2.5"></line>`);
  });
  const plot = el("div", "stack-chart");
  plot.append(legend(colours));
  plot.insertAdjacentHTML("beforeend", svgOf(width, height, parts,
    `The rows added for token ${o.token}, accumulated per component, ending on its row of (DL)_E (black tick); numbers in the table.`));
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

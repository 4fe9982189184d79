/**
 * The embedding page's own pictures (§3.8 of "BPTT Derivations"): eq 3.20's stacked tensor with the row each block
 * gives, and one token's terms of eq 3.21 added up as a waterfall. Drawing only: every number comes from lib/.
 */
import * as Plot from "@observablehq/plot";
import { asImage } from "./plot-a11y.js";
import { el } from "./dom.js";
import { fmt } from "./format.js";
import type { MatrixLike } from "./heatmap.js";
import { entry, patternGrid } from "./pattern-grid.js";

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

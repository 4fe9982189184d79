/**
 * A gradient as a plain table for reading and copying: a label column, one column per component, a toggle for full
 * precision and the same numbers as tab-separated values. Drawing only.
 */
import { el } from "./dom.js";
import { fmt } from "./format.js";
import { type MatrixLike, asMatrix } from "./heatmap.js";
import { notation } from "./notation.js";

const entry = (m: MatrixLike, i: number, j: number) => m.data[i * m.cols + j]!;

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
  table.createCaption().replaceChildren(...notation(o.caption));
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

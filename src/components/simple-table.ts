/** A plain table: a caption, a header row and rows of strings (the first cell of each row is its header). */
import { el } from "./dom.js";

export function simpleTable(caption: string, head: readonly string[], rows: readonly (readonly string[])[]): HTMLTableElement {
  const table = el("table", "matrix-table");
  table.createCaption().textContent = caption;
  const tr = table.createTHead().insertRow();
  for (const h of head) {
    const th = el("th", undefined, h);
    th.scope = "col";
    tr.append(th);
  }
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    const th = el("th", undefined, r[0]);
    th.scope = "row";
    tr.append(th);
    for (const c of r.slice(1)) tr.insertCell().textContent = c;
  }
  return table;
}

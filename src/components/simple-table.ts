/**
 * A plain table: a caption, a header row and rows of strings (the first cell of each row is its header). Subscripts
 * in the caption and the headers are set as such (src/components/notation.ts).
 */
import { el } from "./dom.js";
import { notation } from "./notation.js";

export function simpleTable(caption: string, head: readonly string[], rows: readonly (readonly string[])[]): HTMLTableElement {
  const table = el("table", "matrix-table");
  table.createCaption().append(...notation(caption));
  const tr = table.createTHead().insertRow();
  for (const h of head) {
    const th = el("th");
    th.append(...notation(h));
    th.scope = "col";
    tr.append(th);
  }
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    const th = el("th");
    th.append(...notation(r[0] ?? ""));
    th.scope = "row";
    tr.append(th);
    for (const c of r.slice(1)) tr.insertCell().textContent = c;
  }
  return table;
}

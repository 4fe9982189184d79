/** A table of numbers and words with a header row and an optional caption, in a sideways-scrolling box. */
import { fmt } from "./format.js";
import { notation } from "./notation.js";

/** Numbers are formatted with fmt (4 significant digits), strings shown as they are. */
export function numberTable(head: string[], rows: (number | string)[][], caption?: string): HTMLElement {
  const box = document.createElement("div");
  box.className = "scroll-x";
  box.style.overflowX = "auto";
  box.tabIndex = 0;
  if (caption) box.setAttribute("aria-label", caption);
  box.setAttribute("role", "region");
  const table = document.createElement("table");
  table.className = "number-table";
  if (caption) {
    const c = document.createElement("caption");
    c.replaceChildren(...notation(caption));
    c.style.textAlign = "left";
    table.append(c);
  }
  appendHeaderRow(table, head);
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const v of r) tr.insertCell().textContent = typeof v === "number" ? fmt(v) : v;
  }
  box.append(table);
  return box;
}

/** A header row of column headings (`<th scope="col">`) in the table's head. */
export function appendHeaderRow(table: HTMLTableElement, head: readonly string[]): void {
  const tr = table.createTHead().insertRow();
  for (const h of head) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = h;
    tr.append(th);
  }
}

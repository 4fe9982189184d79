/** A two-column table of named quantities and their values, with row headers. */
import { fmt } from "./format.js";
import { appendHeaderRow } from "./number-table.js";

/** A small two-column table (quantity, number, 3 significant digits), e.g. the notation bridge's largest disagreements. */
export function quantityTable(caption: string, rows: [string, number][], head: [string, string]): HTMLTableElement {
  const table = document.createElement("table");
  table.className = "matrix-table";
  table.style.width = "auto";
  table.createCaption().textContent = caption;
  appendHeaderRow(table, head);
  const body = table.createTBody();
  for (const [name, v] of rows) {
    const tr = body.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = name;
    tr.append(th);
    tr.insertCell().textContent = fmt(v, 3);
  }
  return table;
}

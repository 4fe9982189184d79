/** Pictures side by side with operators between them: `[e] · [row] = [matrix]`. Drawing only. */
import { el } from "./dom.js";

export function productRow(parts: (Node | string)[]): HTMLElement {
  const div = el("div", "product-row");
  for (const p of parts) div.append(typeof p === "string" ? el("span", "op", p) : p);
  return div;
}

/**
 * The frame around every live value: the value itself, its shape, the lib/ function that computed it (so a
 * reader finds the code in one step) and, where there is one, the check against an independent computation.
 */
import { type CheckResult, checkBadge } from "./check.js";
import { shapeText } from "./format.js";

export interface LiveCellOptions {
  /** The value, already drawn (a heatmap, a table, a number). */
  value: Node | string;
  shape?: readonly number[];
  /** The function behind the number, e.g. "forward" in "lib/derivation/forward.ts". */
  fn: string;
  file: string;
  /** Independent computations of the same value, each shown as a ✓/✗ badge (build them with check.ts's helpers). */
  checks?: readonly CheckResult[];
}

export function liveCell(o: LiveCellOptions): HTMLElement {
  const el = document.createElement("div");
  el.className = "live-cell";
  el.dataset.live = "";
  const meta = document.createElement("div");
  meta.className = "live-meta";
  if (o.shape) {
    const s = document.createElement("span");
    s.className = "shape";
    s.textContent = `shape ${shapeText(o.shape)}`;
    meta.append(s);
  }
  const src = document.createElement("span");
  src.className = "lib-ref";
  const code = document.createElement("code");
  code.textContent = `${o.file} · ${o.fn}()`;
  src.append("computed by ", code);
  meta.append(src);
  for (const c of o.checks ?? []) meta.append(checkBadge(c));
  const value = document.createElement("div");
  value.className = "live-value";
  value.append(o.value);
  el.append(value, meta);
  return el;
}

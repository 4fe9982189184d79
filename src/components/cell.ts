/**
 * The frame around every live value: the value itself, its shape, the lib/ function that computed it (so a
 * reader finds the code in one step) and, where there is one, the check against an independent computation.
 */
import { fnv1a } from "../lib/core/hash.js";
import { type CheckResult, checkBadge } from "./check.js";
import { shapeText } from "./format.js";
import { linkCell } from "./symbols.js";

export interface LiveCellOptions {
  /** The value, already drawn (a heatmap, a table, a number). */
  value: Node | string;
  shape?: readonly number[];
  /**
   * The function behind the number, from `file`: the function itself (`fn: gradE`, or a list), whose source the cell
   * hashes so that the browser suite can prove the code shown after the cell (scripts/lib-code.ts) is the code that
   * ran; or its name as text where the value comes from elsewhere (a precomputed example).
   */
  fn: string | Function | readonly Function[];
  file: string;
  /** Independent computations of the same value, each shown as a ✓/✗ badge (build them with check.ts's helpers). */
  checks?: readonly CheckResult[];
  /**
   * The symbol(s) of the equation above that this cell shows, the ids of its `\sym{id}{…}` marks (docs/symbols.md):
   * the k-th id names the k-th heatmap of the value, or the cell itself when it draws none.
   */
  symbol?: string | readonly string[];
  /** The number a cell without a heatmap shows, for its symbol's tooltip. */
  scalar?: number;
}

/**
 * Set by a page's notebook (src/components/notebook.ts), so that a cell whose functions ran through its `run` gets
 * their Edit controls and the marks of the reader's edits; a page without one draws plain cells.
 */
export const cellHooks: { decorate?: (cell: HTMLElement, fns: readonly Function[], file: string) => void } = {};

/** A function's source never changes: hashed once, not on every edit of every cell. */
const hashes = new WeakMap<Function, string>();
function sourceHash(f: Function): string {
  let h = hashes.get(f);
  if (h === undefined) hashes.set(f, (h = fnv1a(f.toString())));
  return h;
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
  if (typeof o.fn === "string") code.textContent = `${o.file} · ${o.fn}()`;
  else {
    const fns = typeof o.fn === "function" ? [o.fn] : o.fn;
    code.textContent = `${o.file} · ${fns.map((f) => `${f.name}()`).join(", ")}`;
    el.dataset.fn = fns.map((f) => f.name).join(",");
    el.dataset.hash = fns.map(sourceHash).join(",");
  }
  src.append("computed by ", code);
  meta.append(src);
  for (const c of o.checks ?? []) meta.append(checkBadge(c));
  const value = document.createElement("div");
  value.className = "live-value";
  value.append(o.value);
  el.append(value, meta);
  if (o.symbol) linkCell(el, typeof o.symbol === "string" ? [o.symbol] : o.symbol, o.shape, o.scalar);
  if (typeof o.fn !== "string") cellHooks.decorate?.(el, typeof o.fn === "function" ? [o.fn] : o.fn, o.file);
  return el;
}

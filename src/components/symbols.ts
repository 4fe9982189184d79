/**
 * Symbols linked to values: hovering a symbol marked `\sym{id}{…}` in an equation (scripts/markdown-math.ts), or
 * focusing its button in the row after the equation, highlights the value it names on the page and shows its name,
 * shape and value in the page's tooltip (tooltip.ts). Enter on the button brings the value into view and, for a
 * heatmap, moves focus to it, where the arrow keys read its entries (heatmap-entry.ts).
 *
 * A value is linked where it is drawn: liveCell's `symbol` (or heatmap's) writes the ids on the element
 * (`data-symbols`), so nothing goes stale when a cell re-runs and registering costs an attribute; a value that the
 * page has but draws nowhere (a parameter, τ) is registered with `registerSymbols`, one Map set each. Everything is
 * looked up when a reader points at a symbol, never on an edit, and every listener is one per document.
 */
import { fmt, shapeText } from "./format.js";
import { type MatrixLike, asMatrix } from "./heatmap.js";
import { heatmapData } from "./heatmap-entry.js";
import { TOOLTIP_ID, hideTooltip, prepareTooltip, showTooltip } from "./tooltip.js";

/** Digits of a scalar in the tooltip: the float64 exactly (fmt keeps the shortest decimal that gives it back). */
const SCALAR_DIGITS = 17;
/** A vector up to this length is listed in full in a summary; a longer one or a matrix gets its range. */
const LIST_MAX = 8;
const SUMMARY_DIGITS = 4;

export interface SymbolValue {
  value: number | Float64Array | MatrixLike;
  /** What the value is, in words ("the hidden-to-hidden weights, stored [out, in]"). */
  about?: string;
  shape?: readonly number[];
  /** How to say the value when its numbers mean something else (token indices: "c a b b a g e"). */
  text?: string;
}

const registered = new Map<string, SymbolValue>();
/** The value of a cell that shows a number rather than a heatmap, and the shape a cell declares, per element. */
const cellValues = new WeakMap<Element, { scalar?: number; shape?: readonly number[] }>();

/** Values the page has but shows in no cell: `registerSymbols({ W: ex.params.W, tau })`. */
export function registerSymbols(values: Record<string, SymbolValue | number | Float64Array | MatrixLike>): void {
  for (const [id, v] of Object.entries(values)) {
    registered.set(id, typeof v === "object" && "value" in v ? v : { value: v });
  }
}

/**
 * Links a cell's drawing to symbol ids (liveCell's `symbol`): the k-th id names the k-th heatmap in it (the last
 * one when there are fewer), or the cell itself when it draws none, whose number is then `scalar`.
 */
export function linkCell(cell: HTMLElement, ids: readonly string[], shape?: readonly number[], scalar?: number): void {
  const figures = cell.querySelectorAll<HTMLElement>("figure.heatmap");
  if (figures.length === 0) {
    cell.dataset.symbols = ids.join(" ");
    cellValues.set(cell, { scalar, shape });
    return;
  }
  ids.forEach((id, k) => {
    const figure = figures[Math.min(k, figures.length - 1)]!;
    figure.dataset.symbols = figure.dataset.symbols ? `${figure.dataset.symbols} ${id}` : id;
    // The cell's shape is its one heatmap's; where it draws several, each heatmap's own size says it.
    if (shape && figures.length === 1) cellValues.set(figure, { shape });
  });
}

interface Resolved {
  /** The element on the page that shows the value, if one does. */
  target: HTMLElement | null;
  text?: string;
  about: string;
  shape: readonly number[];
  value: number | MatrixLike | null;
}

const before = (a: Node, b: Node) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;

/**
 * The value a symbol at `from` names: drawn after its equation and before the next one (the equation's own
 * cell), else the nearest drawn before it, else the first drawn later, else registered by the page.
 */
export function resolveSymbol(id: string, from: Element): Resolved | null {
  const drawn = Array.from(document.querySelectorAll<HTMLElement>(`[data-symbols~="${CSS.escape(id)}"]`));
  const equation = from.closest(".equation") ?? from.closest(".eq-symbols")?.previousElementSibling ?? from;
  const equations = Array.from(document.querySelectorAll(".equation"));
  const next = equations.find((e) => before(equation, e));
  const after = drawn.filter((d) => before(equation, d));
  const earlier = drawn.filter((d) => !before(equation, d));
  const target = (after[0] && (!next || before(after[0], next)) ? after[0] : earlier.at(-1) ?? after[0]) ?? null;
  const r = registered.get(id);
  if (target) {
    const own = cellValues.get(target);
    const d = heatmapData(target);
    if (d) return { target, about: d.o.label, shape: own?.shape ?? [d.m.rows, d.m.cols], value: d.m };
    return { target, about: r?.about ?? "", shape: own?.shape ?? [], value: own?.scalar ?? null };
  }
  if (!r) return null;
  const value = typeof r.value === "number" ? r.value : asMatrix(r.value);
  const shape = r.shape ?? (typeof r.value === "number" ? [] : r.value instanceof Float64Array ? [r.value.length] : [r.value.rows, r.value.cols]);
  return { target: null, about: r.about ?? "", shape, value, text: r.text };
}

/** The value in a line: a scalar exactly, a short vector in full, anything larger by its range. */
function valueText(r: Resolved): string {
  const v = r.value;
  if (r.text !== undefined) return r.text;
  if (v === null) return "value: shown in the highlighted cell";
  if (typeof v === "number") return `= ${fmt(v, SCALAR_DIGITS)}`;
  const where = r.target ? " (rounded: the highlighted heatmap gives each entry in full)" : "";
  if (v.rows === 1 && v.cols <= LIST_MAX) return `= [${Array.from(v.data, (x) => fmt(x, SUMMARY_DIGITS)).join(", ")}]${where}`;
  let lo = Infinity, hi = -Infinity;
  for (const x of v.data) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return `entries from ${fmt(lo, SUMMARY_DIGITS)} to ${fmt(hi, SUMMARY_DIGITS)}${where}`;
}

/** A symbol's name as its button says it (the row after its equation, or any row naming it). */
function symbolName(id: string, from: Element): string {
  const row = from.closest(".eq-symbols") ?? from.closest(".equation")?.nextElementSibling;
  const sel = `.sym-button[data-sym="${CSS.escape(id)}"]`;
  return (row?.querySelector(sel) ?? document.querySelector(sel))?.querySelector(".sr-only")?.textContent ?? id;
}

/** The tooltip's lines for a symbol: name and what it is, shape, value (the browser tests read these). */
export function symbolLines(id: string, from: Element): { lines: string[]; target: HTMLElement | null } {
  const name = symbolName(id, from);
  const r = resolveSymbol(id, from);
  if (!r) return { lines: [name, "not computed on this page"], target: null };
  return {
    lines: [name, ...(r.about && r.about !== name ? [r.about] : []), r.shape.length ? `shape ${shapeText(r.shape)}` : "a scalar", valueText(r)],
    target: r.target,
  };
}

let highlighted: HTMLElement | null = null;

function clearHighlight(): void {
  highlighted?.classList.remove("sym-target");
  if (highlighted) delete highlighted.dataset.symName;
  highlighted = null;
}

function activate(el: HTMLElement): HTMLElement | null {
  const id = el.dataset.sym!;
  const { lines, target } = symbolLines(id, el);
  clearHighlight();
  if (target) {
    highlighted = target;
    target.classList.add("sym-target");
    target.dataset.symName = symbolName(id, el);
  }
  showTooltip(lines, el.getBoundingClientRect());
  return target;
}

const symbolAt = (t: EventTarget | null): HTMLElement | null => (t instanceof Element ? t.closest<HTMLElement>("[data-sym]") : null);

/**
 * The rows of buttons after the displays (scripts/markdown-math.ts ships each row's names in `data-names`): a button
 * per symbol, named in plain text for screen readers and showing the symbol as the display draws it — a copy of
 * its first mark, or of the mark `data-faces` gives, without the mark's ids, so that only the button answers.
 */
function drawRows(): void {
  for (const row of document.querySelectorAll<HTMLElement>(".eq-symbols[data-names]")) {
    const names = row.dataset.names!.split(" ");
    const marks = Array.from(row.previousElementSibling?.querySelectorAll<HTMLElement>(".katex-html [data-sym]") ?? []);
    const ids = marks.map((m) => m.dataset.sym!);
    const faces = row.dataset.faces?.split(" ").map((k) => marks[Number(k)]!) ?? marks.filter((_, k) => ids.indexOf(ids[k]!) === k);
    delete row.dataset.names;
    delete row.dataset.faces;
    const lead = document.createElement("span");
    lead.className = "eq-symbols-lead";
    lead.textContent = "Symbols:";
    row.append(lead);
    faces.forEach((mark, k) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sym-button";
      button.dataset.sym = mark.dataset.sym;
      button.innerHTML = `<span class="sr-only"></span><span class="katex"><span class="katex-html" aria-hidden="true"></span></span>`;
      button.firstElementChild!.textContent = names[k]!;
      const face = mark.cloneNode(true) as Element;
      for (const m of [face, ...face.querySelectorAll("[data-sym]")]) m.removeAttribute("data-sym");
      button.querySelector(".katex-html")!.append(face);
      row.append(" ", button);
    });
  }
}

function install(): void {
  drawRows();
  prepareTooltip();
  /** The symbol whose tooltip the pointer opened, closed when the pointer is over anything else. */
  let hovered: HTMLElement | null = null;
  document.addEventListener("pointerover", (e) => {
    let el = symbolAt(e.target);
    // KaTeX stacks boxes (fractions, aligned columns) whose empty layers can lie over a symbol: look beneath them.
    if (!el && e.target instanceof Element && e.target.closest(".katex-html")) {
      el = document.elementsFromPoint(e.clientX, e.clientY).map(symbolAt).find(Boolean) ?? null;
    }
    if (el) {
      hovered = el;
      activate(el);
    } else if (hovered && !symbolAt(document.activeElement)) {
      hovered = null;
      hideTooltip();
    }
  });
  document.addEventListener("focusin", (e) => {
    const el = symbolAt(e.target);
    if (!el) return;
    el.setAttribute("aria-describedby", TOOLTIP_ID);
    activate(el);
  });
  document.addEventListener("focusout", (e) => {
    const el = symbolAt(e.target);
    if (!el) return;
    el.removeAttribute("aria-describedby");
    hideTooltip();
  });
  document.addEventListener("click", (e) => {
    const el = symbolAt(e.target);
    if (!el || !el.matches("button")) return;
    const target = activate(el);
    if (!target) return;
    target.scrollIntoView({ block: "nearest" });
    target.querySelector<SVGElement>("svg[data-grid]")?.focus();
  });
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || !highlighted) return;
    clearHighlight();
    hideTooltip();
  });
}

if (typeof document !== "undefined") install();

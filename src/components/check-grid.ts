/**
 * A table that draws only the rows and columns in view. The answer key of the command line's largest case has
 * 1024 × 512 entries per quantity, 4.7 million in all: as DOM cells (or SVG rects) they take minutes to lay out
 * and more memory than a tab has. Here a scroll box holds an empty element the size of the whole table, and a
 * `position: sticky` table of the visible window stays in view and is refilled on scroll, so the cost of a grid
 * is the cells on screen, whatever its size. The window moves in whole rows and columns; the header row and the
 * label column are part of it, so they stay put. Only grids near the viewport have cells, and one grid is drawn
 * per frame, so no task lays out more than one grid's worth.
 */
import { notation } from "./notation.js";


export interface GridOptions {
  /** What the table holds, for its caption and accessible name. */
  label: string;
  rows: number;
  cols: number;
  rowLabel: (i: number) => string;
  colLabel: (j: number) => string;
  /** The corner cell, e.g. "t − 1 \ vocab". */
  corner: string;
  /** Fills cell (i, j): its text, class and attributes. */
  cell: (td: HTMLTableCellElement, i: number, j: number) => void;
  /** Row height in px; cells are clipped to it. */
  rowHeight?: number;
  colWidth?: number;
  /** Rows shown at most before the box scrolls. */
  maxRows?: number;
  /** A stable id prefix for the box, so tests and links find it. */
  id?: string;
  /** Extra attributes on the table (data-quantity). */
  dataset?: Record<string, string>;
}

const HEADER = 34;
const SCROLLBAR = 16;

export function virtualGrid(o: GridOptions): HTMLElement {
  const rowH = o.rowHeight ?? 26;
  const colW = o.colWidth ?? 96;
  // The corner may wrap to two lines ("t − 1 \" over "vocab"), so only its longest half sets the width.
  const cornerChars = Math.max(...splitCorner(o.corner).map((s) => s.length));
  const labelChars = Math.max(cornerChars, ...sampleLabels(o).map((s) => s.length));
  const labelW = Math.min(160, Math.max(48, Math.ceil(labelChars * 7.5 + 16)));
  const visibleRowsMax = Math.min(o.rows, o.maxRows ?? 12);

  const box = document.createElement("div");
  box.className = "check-grid";
  if (o.id) box.id = o.id;
  box.tabIndex = 0; // a keyboard reader scrolls it with the arrow keys
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", `${o.label}: ${o.rows} × ${o.cols}, scrollable`);
  box.style.maxHeight = `${HEADER + visibleRowsMax * rowH + SCROLLBAR}px`;
  const sizer = document.createElement("div");
  sizer.className = "check-grid-sizer";
  const fullW = labelW + o.cols * colW, fullH = HEADER + o.rows * rowH;
  sizer.style.width = `${fullW}px`;
  sizer.style.height = `${fullH}px`;
  const table = document.createElement("table");
  table.className = "check-grid-table";
  Object.assign(table.dataset, o.dataset ?? {});
  table.setAttribute("aria-rowcount", String(o.rows + 1));
  table.setAttribute("aria-colcount", String(o.cols + 1));
  const caption = table.createCaption();
  caption.className = "sr-only";
  caption.replaceChildren(...notation(o.label));
  const colgroup = document.createElement("colgroup");
  const head = table.createTHead().insertRow();
  const body = table.createTBody();
  table.append(colgroup);
  sizer.append(table);
  box.append(sizer);

  // Sizes come from the ResizeObserver and scroll offsets from scroll events, never read back after a write:
  // a page of thirty grids that each read their size after the previous one wrote its cells forced thirty
  // layouts, 0.6 s in all.
  let w = 0, h = 0, top = 0, left = 0, near = false;
  let shown = "";
  const draw = () => {
    // Not laid out yet, or far from the viewport: drawn when an observer says so. Laying out every grid's
    // cells at once, 1300 of them for the largest case, took a quarter of a second.
    if (w === 0 || !near) return;
    const nRows = Math.max(1, Math.min(o.rows, Math.floor((h - HEADER) / rowH)));
    const nCols = Math.max(1, Math.min(o.cols, Math.floor((w - labelW) / colW)));
    // Proportional rather than scrollTop / rowH, so that the last row and column are reachable whatever
    // fraction of a row the box shows.
    const maxTop = fullH - h, maxLeft = fullW - w;
    const r0 = maxTop > 0 ? Math.min(o.rows - nRows, Math.round((top / maxTop) * (o.rows - nRows))) : 0;
    const c0 = maxLeft > 0 ? Math.min(o.cols - nCols, Math.round((left / maxLeft) * (o.cols - nCols))) : 0;
    const key = `${r0},${c0},${nRows},${nCols}`;
    if (key === shown) return;
    shown = key;
    colgroup.replaceChildren(col(labelW), ...Array.from({ length: nCols }, () => col(colW)));
    table.style.width = `${labelW + nCols * colW}px`;
    const corner = document.createElement("th");
    corner.scope = "col";
    corner.className = "corner";
    corner.textContent = o.corner;
    head.replaceChildren(corner);
    head.setAttribute("aria-rowindex", "1");
    for (let j = c0; j < c0 + nCols; j++) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = o.colLabel(j);
      th.setAttribute("aria-colindex", String(j + 2));
      head.append(th);
    }
    const trs: HTMLTableRowElement[] = [];
    for (let i = r0; i < r0 + nRows; i++) {
      const tr = document.createElement("tr");
      tr.setAttribute("aria-rowindex", String(i + 2));
      tr.style.height = `${rowH}px`;
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = o.rowLabel(i);
      tr.append(th);
      for (let j = c0; j < c0 + nCols; j++) {
        const td = document.createElement("td");
        td.setAttribute("aria-colindex", String(j + 2));
        o.cell(td, i, j);
        tr.append(td);
      }
      trs.push(tr);
    }
    body.replaceChildren(...trs);
  };
  box.addEventListener("scroll", () => {
    top = box.scrollTop;
    left = box.scrollLeft;
    request(draw);
  }, { passive: true });
  resized.set(box, (width, height) => {
    w = width;
    h = height;
    shown = "";
    request(draw);
  });
  nearby.set(box, (isNear) => {
    near = isNear;
    if (near) request(draw);
    else {
      // Cells far off screen still cost layout and paint on every change of the page: drop them.
      body.replaceChildren();
      shown = "";
    }
  });
  observer.observe(box);
  viewport.observe(box);
  // Paper has no viewport: before printing, every grid draws the window it would show on screen.
  printers.set(box, () => {
    near = true;
    draw();
  });
  return box;
}

const printers = new WeakMap<Element, () => void>();
addEventListener("beforeprint", () => {
  for (const box of document.querySelectorAll(".check-grid")) printers.get(box)?.();
});

/** Grids within half a screen of the viewport draw their cells; the others wait until the reader scrolls to them. */
const nearby = new WeakMap<Element, (near: boolean) => void>();
const viewport = new IntersectionObserver((entries) => {
  for (const e of entries) nearby.get(e.target)?.(e.isIntersecting);
}, { rootMargin: "50% 0px" });

/**
 * One grid is drawn per animation frame: each frame then lays out and paints one grid's hundred cells, where a
 * fast scroll past several grids would otherwise draw them all in one task.
 */
const pending = new Set<() => void>();
let frame = 0;
function request(draw: () => void) {
  pending.add(draw);
  frame ||= requestAnimationFrame(next);
}
function next() {
  frame = 0;
  const [draw] = pending;
  if (!draw) return;
  pending.delete(draw);
  draw();
  if (pending.size > 0) frame = requestAnimationFrame(next);
}

/** One observer for every grid: it reports each box's size after layout, so drawing needs no layout of its own. */
const resized = new WeakMap<Element, (width: number, height: number) => void>();
const observer = new ResizeObserver((entries) => {
  for (const e of entries) resized.get(e.target)?.(e.contentRect.width, e.contentRect.height);
});

function col(width: number): HTMLTableColElement {
  const c = document.createElement("col");
  c.style.width = `${width}px`;
  return c;
}

function splitCorner(corner: string): string[] {
  const cut = corner.indexOf("\\");
  return cut < 0 ? [corner] : [corner.slice(0, cut + 1), corner.slice(cut + 1)];
}

/** The first and last labels of each axis: enough to size the label column without formatting thousands. */
function sampleLabels(o: GridOptions): string[] {
  const picks = [0, 1, o.rows - 1].filter((i, n, a) => i >= 0 && i < o.rows && a.indexOf(i) === n);
  return picks.map((i) => o.rowLabel(i));
}

/** ColorBrewer's diverging RdBu, as the site's heatmaps use it, for a cell's background. */
const RDBU = ["#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#053061"]
  .map((h) => [1, 3, 5].map((k) => parseInt(h.slice(k, k + 2), 16)));

/** Colour steps from −extent to +extent; an odd number, so that zero is the middle (white) one. */
const LEVELS = 21;

/**
 * Cells are coloured by class, one per step, rather than by inline style: cells that share a class share their
 * computed style, and restyling a grid's cells on every scroll cost more than laying them out.
 */
let styled = false;
function heatStyles() {
  if (styled) return;
  styled = true;
  const rules = Array.from({ length: LEVELS }, (_, k) => {
    const x = (k / (LEVELS - 1)) * (RDBU.length - 1);
    const i = Math.min(RDBU.length - 2, Math.floor(x)), f = x - i;
    const [a, b] = [RDBU[i]!, RDBU[i + 1]!];
    const rgb = a.map((c, n) => Math.round(c + (b[n]! - c) * f));
    const ink = Math.abs(k - (LEVELS - 1) / 2) > 0.6 * ((LEVELS - 1) / 2) ? "white" : "black";
    return `.check-grid-table td.hm${k} { background: rgb(${rgb.join(",")}); color: ${ink}; }`;
  });
  const style = document.createElement("style");
  style.textContent = `${rules.join("\n")}\n.check-grid-table td.hm-nan { background: #ccc; color: black; }`;
  document.head.append(style);
}

/** The class of value v on a symmetric scale of ±extent (RdBu: red negative, blue positive). */
export function heatClass(v: number, extent: number): string {
  heatStyles();
  if (!Number.isFinite(v)) return "hm-nan";
  const u = extent === 0 ? 0.5 : 0.5 + v / (2 * extent);
  return `hm${Math.round(Math.min(1, Math.max(0, u)) * (LEVELS - 1))}`;
}

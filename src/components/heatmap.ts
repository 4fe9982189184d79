/**
 * A matrix as a small labelled heatmap (SVG), with its numbers printed in the cells and a table
 * behind a <details> (built when first opened) as the text alternative, for screen readers and for copying into coursework.
 */
import { fmt } from "./format.js";
import { registerHeatmap } from "./heatmap-entry.js";
import { notation } from "./notation.js";

export interface MatrixLike {
  rows: number;
  cols: number;
  data: Float64Array;
}

export interface HeatmapOptions {
  /** What the matrix is, e.g. "x⁽ᵗ⁾ = E[input⁽ᵗ⁾]"; used as the accessible name. */
  label: string;
  rowLabels?: string[];
  colLabels?: string[];
  /** Axis names, e.g. "t" and "j". */
  rowName?: string;
  colName?: string;
  /** Rows to mark (e.g. tokens seen in the input). */
  markedRows?: Set<number>;
  /** The symbol(s) of an equation this heatmap shows, space-separated ids of `\sym{id}{…}` (docs/symbols.md). */
  symbol?: string;
}

export const asMatrix = (v: Float64Array | MatrixLike): MatrixLike =>
  "data" in v ? v : { rows: 1, cols: v.length, data: v };

export function matrixTable(m: MatrixLike, o: HeatmapOptions): HTMLTableElement {
  const rowLabels = o.rowLabels ?? Array.from({ length: m.rows }, (_, i) => String(i + 1));
  const colLabels = o.colLabels ?? Array.from({ length: m.cols }, (_, j) => String(j + 1));
  const table = document.createElement("table");
  table.className = "matrix-table";
  const caption = table.createCaption();
  caption.replaceChildren(...notation(o.label));
  const head = table.createTHead().insertRow();
  const corner = document.createElement("th");
  corner.textContent = `${o.rowName ?? "row"} \\ ${o.colName ?? "col"}`;
  head.append(corner);
  for (const c of colLabels) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = c;
    head.append(th);
  }
  const body = table.createTBody();
  for (let i = 0; i < m.rows; i++) {
    const tr = body.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = rowLabels[i]!;
    tr.append(th);
    for (let j = 0; j < m.cols; j++) tr.insertCell().textContent = fmt(m.data[i * m.cols + j]!);
  }
  return table;
}

/** ColorBrewer's diverging RdBu, red (negative) through white to blue (positive), as d3 and Plot use it. */
const RDBU = ["#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#053061"]
  .map((h) => [1, 3, 5].map((k) => parseInt(h.slice(k, k + 2), 16)));

/** The colour of u ∈ [0, 1] on RdBu, interpolated linearly between the eleven classes. */
export function rdbu(u: number): string {
  if (!Number.isFinite(u)) return "#ccc";
  const x = Math.min(1, Math.max(0, u)) * (RDBU.length - 1);
  const i = Math.min(RDBU.length - 2, Math.floor(x)), f = x - i;
  // Written out (no closure, no destructuring): a page calls it for every entry of every heatmap on every edit.
  const a = RDBU[i]!, b = RDBU[i + 1]!;
  return `rgb(${Math.round(a[0]! + (b[0]! - a[0]!) * f)},${Math.round(a[1]! + (b[1]! - a[1]!) * f)},${Math.round(a[2]! + (b[2]! - a[2]!) * f)})`;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** The font of a heatmap's numbers (style.css: `.heatmap svg`), in px. */
const FONT_PX = 11;
/** Advance widths of the characters met so far, in px; null until the font is known. */
let advances: Map<string, number> | null = null;
let measure: CanvasRenderingContext2D | null = null;

/**
 * The advance width of one character of the heatmap's font, measured once per character on a canvas with the family
 * the SVG uses: a heatmap's labels and numbers are placed character by character (`PlacedText`).
 */
function advanceOf(ch: string): number {
  if (!advances) {
    advances = new Map();
    measure = document.createElement("canvas").getContext("2d");
    const family = getComputedStyle(document.documentElement).getPropertyValue("--sans-serif").trim() || "sans-serif";
    if (measure) measure.font = `${FONT_PX}px ${family}`;
  }
  let w = advances.get(ch);
  if (w === undefined) advances.set(ch, (w = measure ? measure.measureText(ch).width : 0.6 * FONT_PX));
  return w;
}

/**
 * x to the hundredth, as String(Math.round(x * 100) / 100) writes it, from integers: converting a double to its
 * shortest decimal was the larger part of writing some ten thousand positions per edit.
 */
export function hundredths(x: number): string {
  const h = Math.round(x * 100);
  if (!(h >= 0 && h < 1e9)) return String(h / 100);
  const whole = Math.floor(h / 100), frac = h - whole * 100;
  return frac === 0 ? String(whole) : frac % 10 === 0 ? `${whole}.${frac / 10}` : `${whole}.${frac < 10 ? "0" : ""}${frac}`;
}

/**
 * Labels and numbers set in one <text>, each character at its own x and y: one element for every label of a kind
 * instead of one per label (a page creates, lays out and removes them all on every edit). Anchored as
 * `text-anchor` would anchor each piece; the pieces are kept apart by a placed space, so that copied text reads
 * well, and `xml:space="preserve"` keeps every space, so that characters and positions stay paired.
 */
class PlacedText {
  private readonly x: string[] = [];
  private readonly y: string[] = [];
  private readonly widths: number[] = [];
  private text = "";

  add(piece: string, at: number, y: number, anchor: "middle" | "end"): void {
    // One width per UTF-16 unit, as positions are given: a surrogate pair is measured whole on its first unit. Plain
    // loops and one widths buffer for every piece (a fresh array per piece cost a third more): a page places some ten
    // thousand characters per edit.
    const widths = this.widths;
    widths.length = 0;
    let total = 0;
    for (let k = 0; k < piece.length; k++) {
      const code = piece.charCodeAt(k);
      const pair = code >= 0xd800 && code < 0xdc00 && k + 1 < piece.length;
      const w = advanceOf(pair ? piece.slice(k, k + 2) : piece[k]!);
      widths.push(w);
      total += w;
      if (pair) { widths.push(0); k++; }
    }
    let x = at - total / (anchor === "end" ? 1 : 2);
    const ys = String(y);
    if (this.text) { this.x.push(hundredths(x)); this.y.push(ys); this.text += " "; }
    for (const w of widths) { this.x.push(hundredths(x)); this.y.push(ys); x += w; }
    this.text += piece;
  }

  svg(attributes = ""): string {
    return this.text ? `<text xml:space="preserve" x="${this.x.join(" ")}" y="${this.y.join(" ")}"${attributes}>${esc(this.text)}</text>` : "";
  }
}

/**
 * Drawn as one SVG string rather than with Plot: a page shows a dozen of these and redraws them all on every
 * edit, and building scales, axes and marks each time cost more than the maths behind them. For the same reason the
 * entries are not an element each: their colours are one CSS gradient per row, the background of one box under the
 * SVG, and the numbers are one <text> per ink, the row and column labels one each (`PlacedText`). Creating, laying out and removing a <rect> and a <text> per entry was most of a page's time per edit (and a
 * canvas of the grid's size cost more to allocate; one of a pixel per entry, to get a context for).
 */
export function heatmap(value: Float64Array | MatrixLike, o: HeatmapOptions): HTMLElement {
  const m = asMatrix(value);
  const rowLabels = (o.rowLabels ?? Array.from({ length: m.rows }, (_, i) => String(i + 1)))
    .map((d, i) => (o.markedRows?.has(i) ? `${d} ●` : d));
  const colLabels = o.colLabels ?? Array.from({ length: m.cols }, (_, j) => String(j + 1));
  let extent = 0;
  // Non-finite entries are drawn grey and must not set the scale (a NaN extent would colour every cell NaN)
  for (const v of m.data) if (Number.isFinite(v)) extent = Math.max(extent, Math.abs(v));
  const cw = 46, ch = 26; // wide enough for "−0.0063" at 11px
  const left = 8 + 7 * Math.max(1, ...rowLabels.map((d) => d.length));
  const top = o.colName ? 34 : 20;
  const width = left + cw * m.cols + 4, height = top + ch * m.rows + 4;
  const parts: string[] = [];
  if (o.colName) parts.push(`<text x="${left + (cw * m.cols) / 2}" y="11" text-anchor="middle" class="hm-axis">${esc(o.colName)}</text>`);
  const columns = new PlacedText(), rows = new PlacedText(), black = new PlacedText(), white = new PlacedText();
  colLabels.forEach((c, j) => columns.add(c, left + cw * j + cw / 2, top - 6, "middle"));
  // The colours: row i is a gradient with a hard stop at every entry, sized and placed in % of a box that is itself
  // placed in % of the SVG, so that it follows wherever CSS sizes the SVG (print).
  const rowColours: string[] = [];
  const rowPlace = (i: number) => `0 ${m.rows > 1 ? (100 * i) / (m.rows - 1) : 0}% / 100% ${100 / m.rows}% no-repeat`;
  // The gaps between entries: lines in the page's colour over the colours, as the <rect>s were 1 px apart.
  const gaps: string[] = [];
  for (let j = 0; j <= m.cols; j++) gaps.push(`M${left + cw * j},${top}v${ch * m.rows}`);
  for (let i = 0; i <= m.rows; i++) gaps.push(`M${left},${top + ch * i}h${cw * m.cols}`);
  parts.push(`<path class="hm-gaps" d="${gaps.join("")}"></path>`);
  // Where each column's colour starts and ends, in %: the same in every row.
  const spans = Array.from({ length: m.cols }, (_, j) => ` ${(100 * j) / m.cols}% ${(100 * (j + 1)) / m.cols}%`);
  for (let i = 0; i < m.rows; i++) {
    const baseline = top + ch * i + ch / 2 + 4, stops: string[] = [];
    rows.add(rowLabels[i]!, left - 6, baseline, "end");
    for (let j = 0; j < m.cols; j++) {
      const v = m.data[i * m.cols + j]!;
      stops.push((Number.isFinite(v) ? rdbu(extent === 0 ? 0.5 : 0.5 + v / (2 * extent)) : "#ccc") + spans[j]);
      (Math.abs(v) > 0.6 * extent ? white : black).add(fmt(v, 2), left + cw * j + cw / 2, baseline, "middle");
    }
    rowColours.push(`linear-gradient(to right, ${stops.join(", ")}) ${rowPlace(i)}`);
  }
  parts.push(columns.svg(), rows.svg(' class="hm-rows"'), black.svg(' fill="black"'), white.svg(' fill="white"'));
  const figure = document.createElement("figure");
  figure.className = "heatmap";
  const plot = document.createElement("div");
  plot.className = "hm-plot";
  // Focusable, with its grid's geometry for heatmap-entry.ts: the arrow keys and the pointer read single entries.
  plot.innerHTML = `<div class="hm-colours" aria-hidden="true" style="left: ${(100 * left) / width}%; top: ${(100 * top) / height}%; ` +
    `width: ${(100 * cw * m.cols) / width}%; height: ${(100 * ch * m.rows) / height}%; background: ${rowColours.join(", ")}"></div>` +
    `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" tabindex="0" ` +
    `data-grid="${left},${top},${cw},${ch}" ` +
    `aria-label="${esc(`Heatmap of ${o.label}, ${m.rows} by ${m.cols}; arrow keys read its entries one at a time, ` +
      `and the same numbers are in the table below.`).replace(/"/g, "&quot;")}">` +
    `${parts.join("")}</svg>`;
  figure.append(plot);
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = "Table of values";
  details.append(summary);
  // Built when first opened: a page redraws a dozen heatmaps on every edit, and their tables were a third of that
  // work for something a reader opens rarely (closed, the table is neither seen, printed nor read out).
  details.addEventListener("toggle", () => {
    if (details.open && !details.querySelector("table")) details.append(matrixTable(m, o));
  });
  figure.append(details);
  if (o.symbol) figure.dataset.symbols = o.symbol;
  registerHeatmap(figure, m, o);
  return figure;
}

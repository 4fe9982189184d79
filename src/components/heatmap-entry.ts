/**
 * One entry of a heatmap at a time, in full precision: under the pointer, or moved with the arrow keys once the
 * heatmap has focus, with what its row and column mean ("t = 3, input 'b' · unit j = 2"). The heatmap stays one
 * SVG string (heatmap.ts): the entry is found from the pointer's coordinates and the grid's geometry, which
 * heatmap.ts writes on the svg as data-grid, and every listener is one per document (event delegation).
 */
import { fmt } from "./format.js";
import type { HeatmapOptions, MatrixLike } from "./heatmap.js";
import { TOOLTIP_ID, announce, hideTooltip, prepareTooltip, showTooltip } from "./tooltip.js";

/** Significant digits of an entry in its tooltip: enough to give the float64 back exactly (fmt keeps the shortest). */
export const FULL_DIGITS = 17;

interface Drawn {
  m: MatrixLike;
  o: HeatmapOptions;
}

const drawn = new WeakMap<Element, Drawn>();
/** The entry the arrow keys last moved to, per svg. */
const active = new WeakMap<Element, [number, number]>();
let installed = false;

/** Called by heatmap() for each figure it draws: one WeakMap set, and the document's listeners the first time. */
export function registerHeatmap(figure: HTMLElement, m: MatrixLike, o: HeatmapOptions): void {
  drawn.set(figure, { m, o });
  if (!installed) install();
}

/** The matrix and options a heatmap figure was drawn from. */
export function heatmapData(figure: Element): Drawn | undefined {
  return drawn.get(figure);
}

/** What row i or column j of a heatmap means: a step and its input token, a token, a unit, or just its place. */
function axisText(name: string | undefined, labels: readonly string[] | undefined, k: number, kind: "row" | "column"): string {
  const label = labels?.[k] ?? String(k + 1);
  if (!name) return label === String(k + 1) ? `${kind} ${label}` : `${kind} ${k + 1} (${label})`;
  const step = /^(\d+)·(.*)$/.exec(label);
  if (step) return `${name} = ${step[1]}, input '${step[2]}'`;
  if (name === "token") return `token '${label}'`;
  if (name === "j") return `unit j = ${label}`;
  return `${name} = ${label}`;
}

/** Where entry (i, j) sits: its row and column meanings, for the tooltip and the browser tests. */
export function entryPlace(d: Drawn, i: number, j: number): string {
  const parts = [];
  if (d.m.rows > 1 || d.o.rowLabels) parts.push(axisText(d.o.rowName, d.o.rowLabels, i, "row"));
  if (d.m.cols > 1 || d.o.colLabels) parts.push(axisText(d.o.colName, d.o.colLabels, j, "column"));
  return parts.join(" · ");
}

export const entryValue = (d: Drawn, i: number, j: number): string => fmt(d.m.data[i * d.m.cols + j]!, FULL_DIGITS);

function grid(svg: SVGSVGElement): { left: number; top: number; cw: number; ch: number } | null {
  const g = svg.dataset.grid?.split(",").map(Number);
  return g && g.length === 4 ? { left: g[0]!, top: g[1]!, cw: g[2]!, ch: g[3]! } : null;
}

/** The rectangle of entry (i, j) in viewport coordinates. */
function entryRect(svg: SVGSVGElement, i: number, j: number): DOMRect {
  const g = grid(svg)!;
  const box = svg.getBoundingClientRect();
  const scale = box.width / svg.viewBox.baseVal.width;
  return new DOMRect(box.left + (g.left + g.cw * j) * scale, box.top + (g.top + g.ch * i) * scale, g.cw * scale, g.ch * scale);
}

function show(svg: SVGSVGElement, d: Drawn, i: number, j: number, say: boolean): void {
  const place = entryPlace(d, i, j);
  const value = entryValue(d, i, j);
  const figure = svg.closest("figure")!;
  const of = (figure as HTMLElement).dataset.symName ?? d.o.label;
  showTooltip([value, place, `in ${of}`], entryRect(svg, i, j));
  if (say) announce(`${place}: ${value}`);
}

function mark(svg: SVGSVGElement, i: number, j: number): void {
  const g = grid(svg)!;
  let ring = svg.querySelector<SVGRectElement>("rect.hm-active");
  if (!ring) {
    ring = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    ring.setAttribute("class", "hm-active");
    svg.append(ring);
  }
  ring.setAttribute("x", String(g.left + g.cw * j + 1.5));
  ring.setAttribute("y", String(g.top + g.ch * i + 1.5));
  ring.setAttribute("width", String(g.cw - 3));
  ring.setAttribute("height", String(g.ch - 3));
}

const heatmapSvg = (target: EventTarget | null): SVGSVGElement | null =>
  target instanceof Element ? target.closest<SVGSVGElement>("figure.heatmap svg[data-grid]") : null;

function install(): void {
  installed = true;
  prepareTooltip();
  let pointed: SVGSVGElement | null = null;
  document.addEventListener("pointermove", (e) => {
    const svg = heatmapSvg(e.target);
    const d = svg && heatmapData(svg.closest("figure")!);
    if (!svg || !d) {
      if (pointed) {
        pointed = null;
        hideTooltip();
      }
      return;
    }
    const g = grid(svg)!;
    const box = svg.getBoundingClientRect();
    const scale = box.width / svg.viewBox.baseVal.width;
    const j = Math.floor(((e.clientX - box.left) / scale - g.left) / g.cw);
    const i = Math.floor(((e.clientY - box.top) / scale - g.top) / g.ch);
    if (i < 0 || j < 0 || i >= d.m.rows || j >= d.m.cols) {
      pointed = null;
      hideTooltip();
      return;
    }
    pointed = svg;
    show(svg, d, i, j, false);
  });
  document.addEventListener("focusin", (e) => {
    const svg = heatmapSvg(e.target);
    const d = svg && heatmapData(svg.closest("figure")!);
    if (!svg || !d || e.target !== svg) return;
    const [i, j] = active.get(svg) ?? [0, 0];
    active.set(svg, [i, j]);
    mark(svg, i, j);
    svg.setAttribute("aria-describedby", TOOLTIP_ID);
    show(svg, d, i, j, false);
  });
  document.addEventListener("focusout", (e) => {
    const svg = heatmapSvg(e.target);
    if (!svg) return;
    svg.querySelector("rect.hm-active")?.remove();
    svg.removeAttribute("aria-describedby");
    hideTooltip();
  });
  document.addEventListener("keydown", (e) => {
    const svg = heatmapSvg(e.target);
    const d = svg && heatmapData(svg.closest("figure")!);
    if (!svg || !d || e.target !== svg) return;
    if (e.key === "Escape") {
      hideTooltip();
      return;
    }
    const move: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    let [i, j] = active.get(svg) ?? [0, 0];
    if (move[e.key]) {
      i = Math.min(d.m.rows - 1, Math.max(0, i + move[e.key]![0]));
      j = Math.min(d.m.cols - 1, Math.max(0, j + move[e.key]![1]));
    } else if (e.key === "Home") j = 0;
    else if (e.key === "End") j = d.m.cols - 1;
    else return;
    e.preventDefault();
    active.set(svg, [i, j]);
    mark(svg, i, j);
    show(svg, d, i, j, true);
  });
}

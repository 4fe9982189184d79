/**
 * Axes, scales and a legend for the site's few charts, drawn as one SVG string like heatmap.ts. Observable Plot drew
 * them before: it and the whole of d3 it imports were 150 kB (gzip) of a page's 200 kB budget, and building its
 * scales and marks on every edit took longer than the numbers behind them. Drawing only: positions on a log axis use
 * lib's log, as the rest of the site does.
 */
import { log } from "../lib/core/libm.js";

/** Plot's default categorical colours ("observable10"), in order. */
export const SERIES_COLOURS = ["#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#ff8ab7", "#a463f2", "#97bbf5", "#9c6b4e", "#9498a0"];

export const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");

export interface Axis {
  domain: [number, number];
  log?: boolean;
  label?: string;
  format?: (v: number) => string;
}

/** One formatter for every tick: toLocaleString with options builds a new one per call, a third of a chart's time. */
const TICK_FORMAT = new Intl.NumberFormat("en", { maximumFractionDigits: 12 });

/** A number as a linear axis shows it (as Plot did): shortest form, thousands separated, a true minus sign. */
export const tickText = (v: number) => TICK_FORMAT.format(Number(v.toPrecision(12))).replace("-", "−");

const SI = ["y", "z", "a", "f", "p", "n", "µ", "m", "", "k", "M", "G", "T", "P", "E", "Z", "Y"];

/** A positive number as a log axis shows it (as Plot did): SI prefixes, 100m, 10µ, 1k. */
export function siText(v: number): string {
  let k = 0, unit = 1;
  while (v / unit >= 1000 && k < 8) (unit *= 1000), k++;
  while (v / unit < 1 && k > -8) (unit /= 1000), k--;
  return `${Number((v / unit).toPrecision(12))}${SI[k + 8]}`;
}

/** More ticks than any axis here shows: a bound on the loops below whatever the domain. */
const MAX_TICKS = 400;

/**
 * The power of ten at or below v > 0, by repeated ×10 and ÷10; never below 1e-300, so that a subnormal v (ρ = 0 on
 * /truncation gives such norms) cannot drive it to zero and the tick loops stay finite.
 */
function decade(v: number): number {
  let p = 1;
  for (let i = 0; i < MAX_TICKS && p > v && p > 1e-300; i++) p /= 10;
  for (let i = 0; i < MAX_TICKS && p * 10 <= v; i++) p *= 10;
  return p;
}

/** About `count` round values (1, 2 or 5 × a power of ten apart) inside [lo, hi], as d3's ticks choose them. */
export function linearTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo) || !Number.isFinite(hi - lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const p = decade(raw), r = raw / p;
  const step = p * (r >= 7.07 ? 10 : r >= 3.16 ? 5 : r >= 1.41 ? 2 : 1);
  const out: number[] = [];
  for (let k = Math.ceil(lo / step); k * step <= hi * (1 + 1e-12) && out.length < MAX_TICKS; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

/** Powers of ten inside [lo, hi]; where fewer than three fit, also their 2× and 5×. */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0 && hi >= lo && Number.isFinite(hi))) return [];
  const powers: number[] = [];
  for (let q = decade(lo); q <= hi * (1 + 1e-12) && powers.length < MAX_TICKS; q *= 10) powers.push(Number(q.toPrecision(12)));
  const ticks = powers.length >= 3 ? powers : powers.flatMap((q) => [q, 2 * q, 5 * q]);
  return ticks.filter((t) => t >= lo * (1 - 1e-12) && t <= hi * (1 + 1e-12));
}

/** Maps `a.domain` onto [from, to] (pixels), linearly or by log. */
export function scale(a: Axis, from: number, to: number): (v: number) => number {
  const [lo, hi] = a.domain;
  if (a.log) {
    const l0 = log(lo), span = log(hi) - l0 || 1;
    return (v) => from + ((log(v) - l0) / span) * (to - from);
  }
  const span = hi - lo || 1;
  return (v) => from + ((v - lo) / span) * (to - from);
}

export interface Frame {
  width: number;
  height: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
  x: Axis;
  y: Axis;
  /** Grid lines across the plot at the x (and y) ticks. */
  xGrid?: boolean;
}

/** The axes, ticks, grid and axis labels of `f`, with its two scales. */
export function frame(f: Frame): { parts: string[]; px: (v: number) => number; py: (v: number) => number } {
  const px = scale(f.x, f.left, f.width - f.right), py = scale(f.y, f.height - f.bottom, f.top);
  const parts: string[] = [];
  const xt = f.x.log ? logTicks(...f.x.domain) : linearTicks(...f.x.domain, (f.width - f.left - f.right) / 80);
  const yt = f.y.log ? logTicks(...f.y.domain) : linearTicks(...f.y.domain, (f.height - f.top - f.bottom) / 35);
  const fx = f.x.format ?? (f.x.log ? siText : tickText), fy = f.y.format ?? (f.y.log ? siText : tickText);
  const bottom = f.height - f.bottom;
  // The grid and the ticks are one path each (a page redraws a few charts of dozens of ticks on every edit).
  const grid: string[] = [], ticks: string[] = [];
  for (const t of yt) {
    const y = py(t).toFixed(1);
    grid.push(`M${f.left},${y}H${f.width - f.right}`);
    ticks.push(`M${f.left - 6},${y}H${f.left}`);
    parts.push(`<text x="${f.left - 9}" y="${y}" dy="0.32em" text-anchor="end">${esc(fy(t))}</text>`);
  }
  for (const t of xt) {
    const x = px(t).toFixed(1);
    if (f.xGrid) grid.push(`M${x},${f.top}V${bottom}`);
    ticks.push(`M${x},${bottom}V${bottom + 6}`);
    parts.push(`<text x="${x}" y="${bottom + 9}" dy="0.71em" text-anchor="middle">${esc(fx(t))}</text>`);
  }
  if (grid.length) parts.push(`<path d="${grid.join("")}" fill="none" stroke="currentColor" stroke-opacity="0.1"></path>`);
  if (ticks.length) parts.push(`<path d="${ticks.join("")}" fill="none" stroke="currentColor"></path>`);
  if (f.x.label) parts.push(`<text x="${f.width - f.right}" y="${f.height - 3}" text-anchor="end">${esc(f.x.label)} →</text>`);
  if (f.y.label) parts.push(`<text x="3" y="${f.top - 8}">↑ ${esc(f.y.label)}</text>`);
  return { parts, px, py };
}

/** An <svg> of `width` × `height` holding `parts`, one image named `label` to assistive technology. */
export function svgOf(width: number, height: number, parts: string[], label: string): string {
  return `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(label)}" ` +
    `font-family="system-ui, sans-serif" font-size="10" fill="currentColor" style="max-width: 100%; height: auto; overflow: visible">` +
    `${parts.join("")}</svg>`;
}

/** The colour of each of `names`: Plot ordered a categorical domain by name and coloured it in that order. */
export function coloursOf(names: string[]): Map<string, string> {
  return new Map([...new Set(names)].sort().map((n, i) => [n, SERIES_COLOURS[i % SERIES_COLOURS.length]!]));
}

/** Coloured swatches naming the series, above a chart. */
export function legend(colours: Map<string, string>): HTMLElement {
  const div = document.createElement("div");
  div.className = "chart-legend";
  div.innerHTML = [...colours].map(([n, c]) =>
    `<span class="chart-swatch"><svg width="15" height="15" aria-hidden="true"><rect width="100%" height="100%" fill="${c}"></rect></svg>${esc(n)}</span>`).join("");
  return div;
}

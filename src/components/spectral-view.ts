/**
 * Drawing helpers of /vanishing and /truncation: a small settings form whose `value` is the last VALID
 * configuration (validation is lib/state/spectral-config.ts's; an invalid field shows one message and dispatches
 * nothing), and a line chart (log or linear y) that always comes with a table of the plotted numbers.
 */
import * as Plot from "@observablehq/plot";
import { asImage } from "./plot-a11y.js";
import { fmt } from "./format.js";

// The settings form is the site's shared one; its `validate` receives the raw strings (lib/state/spectral-config.ts).
export { type FormField, settingsForm } from "./settings-form.js";

export interface Series {
  name: string;
  /** y values; x is `x[i]` or i + 1. */
  y: ArrayLike<number>;
}

/**
 * One line per series against a shared x, on a log (default) or linear y axis, and the same numbers in a table
 * (x down the rows, one column per series). Non-positive values are left out of a log chart but kept in the table.
 */
export function lineChart(o: {
  series: Series[]; x: ArrayLike<number>; xLabel: string; yLabel: string; label: string; log?: boolean; caption?: string;
}): HTMLElement {
  const log = o.log ?? true;
  const rows = o.series.flatMap((s) =>
    Array.from(s.y, (y, i) => ({ series: s.name, x: o.x[i]!, y })).filter((d) => Number.isFinite(d.y) && (!log || d.y > 0)));
  const chart = Plot.plot({
    width: 640, height: 260, marginLeft: 60,
    x: { label: o.xLabel },
    y: { type: log ? "log" : "linear", label: o.yLabel, grid: true },
    color: { legend: o.series.length > 1 },
    marks: [Plot.line(rows, { x: "x", y: "y", stroke: "series" }), Plot.dot(rows, { x: "x", y: "y", fill: "series", r: 2 })],
  });
  const fig = document.createElement("div");
  fig.className = "spectral-chart";
  const plotBox = document.createElement("div");
  plotBox.className = "scroll-x";
  plotBox.style.overflowX = "auto";
  plotBox.append(asImage(chart as unknown as HTMLElement, o.label));
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = `The plotted numbers: ${o.caption ?? o.label}`;
  details.append(summary, numberTable([o.xLabel, ...o.series.map((s) => s.name)],
    Array.from(o.x, (x, i) => [x, ...o.series.map((s) => s.y[i]!)]), o.caption ?? o.label));
  fig.append(plotBox, details);
  return fig;
}

/** A plain table of numbers (formatted with fmt), in a sideways-scrolling box. */
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
    c.textContent = caption;
    c.style.textAlign = "left";
    table.append(c);
  }
  const thead = table.createTHead().insertRow();
  for (const h of head) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = h;
    thead.append(th);
  }
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const v of r) tr.insertCell().textContent = typeof v === "number" ? fmt(v) : v;
  }
  box.append(table);
  return box;
}

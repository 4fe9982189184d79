/**
 * A line chart (log or linear y) that always comes with a table of the plotted numbers, so that every point can be
 * read exactly and by a screen reader.
 */
import * as Plot from "@observablehq/plot";
import { asImage } from "./plot-a11y.js";
import { numberTable } from "./number-table.js";

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

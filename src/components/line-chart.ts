/**
 * A line chart (log or linear y) that always comes with a table of the plotted numbers, so that every point can be
 * read exactly and by a screen reader.
 */
import { coloursOf, frame, legend, svgOf } from "./svg-chart.js";
import { numberTable } from "./number-table.js";

/** Numbers the charts of a page, so that each line's marker has an id of its own. */
let charts = 0;

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
  const xs = rows.map((d) => d.x), ys = rows.map((d) => d.y);
  const width = 640, height = 260;
  const f = frame({
    width, height, left: 60, right: 20, top: 20, bottom: 30,
    x: { domain: [Math.min(...xs), Math.max(...xs)], label: o.xLabel },
    y: { domain: [Math.min(...ys), Math.max(...ys)], log, label: o.yLabel },
  });
  const colours = coloursOf(o.series.map((s) => s.name));
  const chart = ++charts;
  o.series.forEach((s, k) => {
    const pts = rows.filter((d) => d.series === s.name).map((d) => `${f.px(d.x).toFixed(1)},${f.py(d.y).toFixed(1)}`);
    const colour = colours.get(s.name);
    if (pts.length === 1) {
      const [cx, cy] = pts[0]!.split(",");
      f.parts.push(`<circle cx="${cx}" cy="${cy}" r="2" fill="${colour}"></circle>`);
    } else if (pts.length > 1) {
      // The dots are the line's markers, not a <circle> each: a page redraws hundreds of points on every edit, and
      // each element costs its creation, its layout and its removal at the next edit.
      const id = `lc${chart}-${k}`;
      f.parts.push(`<marker id="${id}" viewBox="0 0 4 4" refX="2" refY="2" markerWidth="4" markerHeight="4" markerUnits="userSpaceOnUse">` +
        `<circle cx="2" cy="2" r="2" fill="${colour}"></circle></marker>` +
        `<polyline points="${pts.join(" ")}" fill="none" stroke="${colour}" stroke-width="1.5" ` +
        `marker-start="url(#${id})" marker-mid="url(#${id})" marker-end="url(#${id})"></polyline>`);
    }
  });
  const fig = document.createElement("div");
  fig.className = "spectral-chart";
  const plotBox = document.createElement("div");
  plotBox.className = "scroll-x";
  plotBox.style.overflowX = "auto";
  if (o.series.length > 1) plotBox.append(legend(colours));
  plotBox.insertAdjacentHTML("beforeend", rows.length ? svgOf(width, height, f.parts, o.label) : "");
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = `The plotted numbers: ${o.caption ?? o.label}`;
  details.append(summary);
  // Built when first opened, as heatmap.ts builds its table: closed, it is neither seen, printed nor read out.
  const xAt = Array.from(o.x), yAt = o.series.map((s) => Array.from(s.y));
  details.addEventListener("toggle", () => {
    if (details.open && !details.querySelector("table")) {
      details.append(numberTable([o.xLabel, ...o.series.map((s) => s.name)], xAt.map((v, i) => [v, ...yAt.map((y) => y[i]!)]), o.caption ?? o.label));
    }
  });
  fig.append(plotBox, details);
  return fig;
}

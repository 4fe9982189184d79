/**
 * Drawing helpers of /vanishing and /truncation: a small settings form whose `value` is the last VALID
 * configuration (validation is lib/spectral-config.ts's; an invalid field shows one message and dispatches
 * nothing), and a line chart (log or linear y) that always comes with a table of the plotted numbers.
 */
import * as Plot from "@observablehq/plot";
import type { Raw } from "../lib/spectral-config.js";
import { asImage } from "./plot-a11y.js";
import { fmt } from "./format.js";

export interface FormField {
  key: string;
  label: string;
  type: "number" | "select";
  options?: [string, string][];
  min?: number;
  max?: number;
  step?: string;
}

let uid = 0;

export function settingsForm<C extends object>(o: {
  label: string; fields: FormField[]; defaults: Readonly<C>; validate: (raw: Raw) => C;
}): HTMLFormElement & { value: C } {
  const form = document.createElement("form") as HTMLFormElement & { value: C };
  form.className = "config-form";
  form.setAttribute("aria-label", o.label);
  form.addEventListener("submit", (e) => e.preventDefault());
  const id = `sf${++uid}`;
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  for (const f of o.fields) {
    const wrap = document.createElement("div");
    wrap.className = `field field-${f.key}`;
    const label = document.createElement("label");
    label.htmlFor = `${id}-${f.key}`;
    label.textContent = f.label;
    let input: HTMLInputElement | HTMLSelectElement;
    if (f.type === "select") {
      input = document.createElement("select");
      for (const [value, text] of f.options!) input.append(new Option(text, value));
    } else {
      input = document.createElement("input");
      input.type = "number";
      input.autocomplete = "off";
      if (f.min !== undefined) input.min = String(f.min);
      if (f.max !== undefined) input.max = String(f.max);
      input.step = f.step ?? "1";
    }
    input.id = `${id}-${f.key}`;
    input.name = f.key;
    input.value = String((o.defaults as Record<string, unknown>)[f.key]);
    inputs.set(f.key, input);
    wrap.append(label, input);
    form.append(wrap);
  }
  const message = document.createElement("p");
  message.className = "config-error";
  message.setAttribute("role", "alert");
  form.append(message);
  form.value = o.validate(Object.fromEntries(Array.from(inputs, ([k, el]) => [k, el.value])));

  form.addEventListener("input", (event) => {
    if (event.target === form) return; // our own re-dispatch below
    event.stopImmediatePropagation(); // view() must hear only valid configurations
    try {
      form.value = o.validate(Object.fromEntries(Array.from(inputs, ([k, el]) => [k, el.value])));
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      message.textContent = `${text} — showing the last valid settings.`;
      const key = /^(\w+)/.exec(text)?.[1];
      for (const [k, el] of inputs) {
        if (k === key) el.setAttribute("aria-invalid", "true");
        else el.removeAttribute("aria-invalid");
      }
      return;
    }
    message.textContent = "";
    for (const el of inputs.values()) el.removeAttribute("aria-invalid");
    form.dispatchEvent(new Event("input", { bubbles: true }));
  });
  return form;
}

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

/**
 * Figure 1 of "BPTT Derivations" — the unrolled computational graph of the RNN, which the source refers to but does
 * not contain — drawn as inline SVG from the graph that lib/derivation/graph.ts builds for the current τ. Forward edges are
 * solid grey, backward edges (the same edges reversed, carrying partials) dashed orange, each beside its forward
 * twin. Shared parameters sit in a lane on the left; each feeds its τ uses along one horizontal line.
 *
 * Also the step-through control and the partially filled τ × hidden table of the plan-of-attack page. No maths here:
 * the page passes in what lib/ computed.
 */
import type { Graph, GraphEdge, GraphNode } from "../lib/derivation/graph.js";
import { fmt } from "./format.js";

import { svgEl } from "./dom.js";

type Pt = [number, number];
interface Box { x: number; y: number; hw: number; hh: number }

// Geometry (px). Rows from the top: L, L⁽ᵗ⁾, ŷ⁽ᵗ⁾, o⁽ᵗ⁾, h⁽ᵗ⁾, a⁽ᵗ⁾, x⁽ᵗ⁾, then the E line and the tokens.
const COL = 74;
const NODE = { hw: 23, hh: 13 };
const PARAM = { hw: 14, hh: 12 };
const LANE = [22, 58] as const;
const X0 = 118; // column of h⁽⁰⁾; step t sits at X0 + t·COL
const ROW = { L: 22, Lt: 74, yhat: 132, o: 196, h: 272, a: 348, x: 424 };
const BACK_OFFSET = 4.5;

/** Where each parameter sits and how its line reaches the nodes it feeds: bus height and tap offset. */
const PARAM_LAYOUT: Record<string, { lane: number; bus: number; dx: number }> = {
  c: { lane: 0, bus: ROW.o - 32, dx: 13 },
  V: { lane: 0, bus: ROW.o + 34, dx: 13 },
  W: { lane: 0, bus: ROW.a - 34, dx: 13 },
  U: { lane: 0, bus: ROW.a + 28, dx: -13 },
  b: { lane: 1, bus: ROW.a + 50, dx: 13 },
  E: { lane: 0, bus: ROW.x + 40, dx: 0 },
};

function layout(g: Graph): Map<string, Box> {
  const boxes = new Map<string, Box>();
  for (const n of g.nodes) {
    if (n.kind === "param") {
      const p = PARAM_LAYOUT[n.id]!;
      boxes.set(n.id, { x: LANE[p.lane as 0 | 1], y: p.bus, ...PARAM });
    } else if (n.kind === "L") {
      boxes.set(n.id, { x: X0 + (g.tau + 1) * COL, y: ROW.L, hw: 16, hh: 13 });
    } else {
      boxes.set(n.id, { x: X0 + n.t! * COL, y: ROW[n.kind as keyof typeof ROW], ...NODE });
    }
  }
  return boxes;
}

/** The forward route of an edge as a polyline between node centres. */
function route(e: GraphEdge, nodes: Map<string, GraphNode>, boxes: Map<string, Box>): Pt[] {
  const a = boxes.get(e.from)!, b = boxes.get(e.to)!;
  const from = nodes.get(e.from)!;
  if (from.kind === "param") {
    const { bus, dx } = PARAM_LAYOUT[from.id]!;
    return [[a.x, a.y], [b.x + dx, bus], [b.x + dx, b.y]];
  }
  if (nodes.get(e.to)!.kind === "L") return [[a.x, a.y], [a.x, b.y], [b.x, b.y]];
  return [[a.x, a.y], [b.x, b.y]];
}

/** Shift a polyline sideways by d (to the left of its direction of travel), mitring the corners. */
function offset(pts: Pt[], d: number): Pt[] {
  const normals = pts.slice(1).map(([x, y], i) => {
    const [px, py] = pts[i]!;
    const len = Math.hypot(x - px, y - py) || 1;
    return [(y - py) / len, -(x - px) / len] as Pt;
  });
  return pts.map(([x, y], i) => {
    const n1 = normals[Math.max(0, i - 1)]!, n2 = normals[Math.min(normals.length - 1, i)]!;
    let nx = n1[0] + n2[0], ny = n1[1] + n2[1];
    const len = Math.hypot(nx, ny) || 1;
    nx /= len; ny /= len;
    const cos = nx * n2[0] + ny * n2[1] || 1;
    return [x + (d * nx) / cos, y + (d * ny) / cos] as Pt;
  });
}

/** The point where the segment from `inside` (within the box) to `outside` leaves the box, plus a gap. */
function exitPoint(box: Box, inside: Pt, outside: Pt, gap: number): Pt {
  const [x0, y0] = inside, dx = outside[0] - x0, dy = outside[1] - y0;
  let s = 1;
  const hw = box.hw + gap, hh = box.hh + gap;
  if (dx > 0) s = Math.min(s, (box.x + hw - x0) / dx);
  if (dx < 0) s = Math.min(s, (box.x - hw - x0) / dx);
  if (dy > 0) s = Math.min(s, (box.y + hh - y0) / dy);
  if (dy < 0) s = Math.min(s, (box.y - hh - y0) / dy);
  return [x0 + s * dx, y0 + s * dy];
}

function clipped(pts: Pt[], fromBox: Box, toBox: Box): Pt[] {
  const out = pts.map((p) => [...p] as Pt);
  out[0] = exitPoint(fromBox, out[0]!, out[1]!, 1);
  const n = out.length - 1;
  out[n] = exitPoint(toBox, out[n]!, out[n - 1]!, 2);
  return out;
}

const pathD = (pts: Pt[]) => pts.map(([x, y], i) => `${i ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`).join("");

let uid = 0;

export interface Figure1 extends HTMLElement {
  /** Emphasise one step of the recursion (or nothing), and mark the hidden states whose partials are known. */
  highlight(step: { nodes: string[]; edges: string[] } | null, done: string[]): void;
}

export interface Figure1Options {
  /** The input token of each step, shown under its column. */
  tokens: string[];
  backward: GraphEdge[];
  /**
   * The figure's id, "figure-1" by default; null when the page wraps the figure in a static element that carries
   * the id (so the build's link checker sees the anchor).
   */
  id?: string | null;
}

const STYLE = `
.fig1 { margin: 0.5rem 0 1rem; max-width: none; }
.fig1 .fig1-scroll { overflow-x: auto; max-width: 100%; }
.fig1 .fig1-scroll > svg { display: block; font: 13px var(--sans-serif); }
.fig1 .fig1-node rect { fill: var(--theme-background, #fff); stroke: light-dark(#555, #999); stroke-width: 1.2; }
.fig1 .fig1-node.param rect, .fig1 .fig1-param-swatch { fill: light-dark(#eef2f7, #26303d); stroke: light-dark(#4a5f7a, #8a9bb3); }
.fig1 .fig1-node.given rect { stroke-dasharray: 3 2; }
.fig1 .fig1-node.loss rect { fill: light-dark(#f3f3f3, #2b2b2b); }
.fig1 .fig1-node text { text-anchor: middle; dominant-baseline: central; fill: var(--theme-foreground); }
.fig1 .fig1-edge { fill: none; stroke-width: 1.3; }
.fig1 .fig1-edge.forward { stroke: #6b6b6b; }
.fig1 .fig1-edge.forward.from-param { stroke: #8a9bb3; }
.fig1 .fig1-edge.backward { stroke: #d2691e; stroke-dasharray: 5 3; }
.fig1 .fig1-tokens text { text-anchor: middle; fill: var(--theme-foreground-muted); font-size: 12px; }
.fig1 svg.active .fig1-edge { opacity: 0.3; }
.fig1 svg.active .fig1-edge.hi { opacity: 1; stroke: #b8420f; stroke-width: 3; stroke-dasharray: none; }
.fig1 svg.active .fig1-node rect { opacity: 0.55; }
.fig1 .fig1-node.done rect { fill: light-dark(#fde3cf, #5b3416); opacity: 1; }
.fig1 svg.active .fig1-node.hi rect { fill: light-dark(#ffd0a8, #7d3c0c); stroke: #b8420f; stroke-width: 2.4; opacity: 1; }
.fig1 .fig1-legend { display: flex; flex-wrap: wrap; gap: 0.3rem 1.2rem; font: 12px var(--sans-serif); color: var(--theme-foreground-muted); margin: 0.3rem 0; }
.fig1 .fig1-legend svg { display: inline-block; vertical-align: middle; margin-right: 0.3rem; }
.fig1 figcaption { font: 13px var(--sans-serif); color: var(--theme-foreground-muted); margin-top: 0.3rem; max-width: 640px; }
.fig1 figcaption a { color: inherit; font-weight: 600; }
.fig1 details { font: 12px var(--sans-serif); }
.fig1 details ul { margin: 0.3rem 0; padding-left: 1.2rem; }
.fig1 details li { margin: 0.15rem 0; }
`;

function arrowMarker(id: string, colour: string): SVGMarkerElement {
  const m = svgEl("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
  m.append(svgEl("path", { d: "M0,1L9,5L0,9z", fill: colour }));
  return m;
}

function legendSwatch(kind: "forward" | "backward" | "param" | "hi"): SVGSVGElement {
  const s = svgEl("svg", { width: 34, height: 12, "aria-hidden": "true" });
  if (kind === "param") {
    s.append(svgEl("rect", { x: 10, y: 0.5, width: 14, height: 11, rx: 3, class: "fig1-param-swatch" }));
    return s;
  }
  const colour = { forward: "#6b6b6b", backward: "#d2691e", hi: "#b8420f" }[kind];
  const line = svgEl("line", { x1: 1, y1: 6, x2: 27, y2: 6, stroke: colour, "stroke-width": kind === "hi" ? 3 : 1.5 });
  if (kind === "backward") line.setAttribute("stroke-dasharray", "5 3");
  s.append(line, svgEl("path", { d: "M26,1.5L33,6L26,10.5z", fill: colour }));
  return s;
}

/** Figure 1 for the graph `g`: a <figure id="figure-1"> with legend, SVG, caption (linking to #figure-1) and the edge list. */
export function figure1(g: Graph, o: Figure1Options): Figure1 {
  const k = ++uid;
  const nodes = new Map(g.nodes.map((n) => [n.id, n]));
  const boxes = layout(g);
  const width = X0 + (g.tau + 1) * COL + 30;
  const height = ROW.x + 80;

  const fig = document.createElement("figure") as unknown as Figure1;
  const anchor = o.id === undefined ? "figure-1" : o.id;
  if (anchor) fig.id = anchor;
  fig.className = "fig1";
  const style = document.createElement("style");
  style.textContent = STYLE;

  const legend = document.createElement("div");
  legend.className = "fig1-legend";
  for (const [kind, text] of [
    ["forward", "forward edge: u → v when u is an argument of v (eqs 1.1–1.7)"],
    ["backward", "backward edge: (DL)ᵥ flows back from v to u"],
    ["param", "shared parameter (one node, used at every step)"],
    ["hi", "the step of the recursion being shown below"],
  ] as const) {
    const item = document.createElement("span");
    item.append(legendSwatch(kind), text);
    legend.append(item);
  }

  const svg = svgEl("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
  const forwardCount = g.edges.length;
  const label = `Figure 1: computational graph of the RNN unrolled over τ = ${g.tau} steps: ${g.nodes.length} nodes, ` +
    `${forwardCount} forward edges and as many backward edges. The list of edges follows the figure.`;
  svg.setAttribute("aria-label", label);
  const title = svgEl("title");
  title.textContent = `Computational graph of the RNN, τ = ${g.tau}`;
  const desc = svgEl("desc");
  desc.textContent = `For each step t from 1 to ${g.tau}: E feeds x⁽ᵗ⁾; h⁽ᵗ⁻¹⁾, x⁽ᵗ⁾, W, U and b feed a⁽ᵗ⁾; a⁽ᵗ⁾ feeds h⁽ᵗ⁾; ` +
    `h⁽ᵗ⁾, V and c feed o⁽ᵗ⁾; o⁽ᵗ⁾ feeds ŷ⁽ᵗ⁾; ŷ⁽ᵗ⁾ feeds L⁽ᵗ⁾; L⁽ᵗ⁾ feeds L. Every edge also runs backwards, carrying the partial of L.`;
  const defs = svgEl("defs");
  const mk = { fwd: `fig1-${k}-fwd`, param: `fig1-${k}-param`, back: `fig1-${k}-back`, hi: `fig1-${k}-hi` };
  defs.append(arrowMarker(mk.fwd, "#6b6b6b"), arrowMarker(mk.param, "#8a9bb3"), arrowMarker(mk.back, "#d2691e"), arrowMarker(mk.hi, "#b8420f"));
  svg.append(title, desc, defs);

  const edgeLayer = svgEl("g", { class: "fig1-edges" });
  const edgeEls = new Map<string, SVGPathElement>();
  for (const e of g.edges) {
    const pts = route(e, nodes, boxes);
    const fromParam = nodes.get(e.from)!.kind === "param";
    const fwd = svgEl("path", {
      d: pathD(clipped(pts, boxes.get(e.from)!, boxes.get(e.to)!)),
      class: `fig1-edge forward${fromParam ? " from-param" : ""}`, "marker-end": `url(#${fromParam ? mk.param : mk.fwd})`,
      "data-edge": e.id, "data-eq": e.eq,
    });
    edgeLayer.append(fwd);
    edgeEls.set(`f:${e.id}`, fwd);
  }
  for (const e of o.backward) {
    // The backward twin of forward edge e.to → e.from: its route reversed and shifted aside.
    const fwdPts = route({ ...e, from: e.to, to: e.from }, nodes, boxes);
    const pts = offset(fwdPts, BACK_OFFSET).reverse();
    const back = svgEl("path", {
      d: pathD(clipped(pts, boxes.get(e.from)!, boxes.get(e.to)!)),
      class: "fig1-edge backward", "marker-end": `url(#${mk.back})`, "data-edge": e.id, "data-eq": e.eq,
    });
    edgeLayer.append(back);
    edgeEls.set(`b:${e.id}`, back);
  }

  const nodeLayer = svgEl("g", { class: "fig1-nodes" });
  const nodeEls = new Map<string, SVGGElement>();
  for (const n of g.nodes) {
    const b = boxes.get(n.id)!;
    const cls = n.kind === "param" ? "param" : n.kind === "L" ? "loss" : n.t === 0 ? "given" : "step";
    const el = svgEl("g", { class: `fig1-node ${cls}`, "data-node": n.id });
    el.append(
      svgEl("rect", { x: b.x - b.hw, y: b.y - b.hh, width: 2 * b.hw, height: 2 * b.hh, rx: n.kind === "param" ? 3 : 8 }),
      Object.assign(svgEl("text", { x: b.x, y: b.y }), { textContent: n.label }),
    );
    nodeLayer.append(el);
    nodeEls.set(n.id, el);
  }

  const tokens = svgEl("g", { class: "fig1-tokens", "aria-hidden": "true" });
  const tokenY = ROW.x + 66;
  tokens.append(Object.assign(svgEl("text", { x: X0, y: tokenY }), { textContent: "t = 0" }));
  for (let t = 1; t <= g.tau; t++) {
    tokens.append(Object.assign(svgEl("text", { x: X0 + t * COL, y: tokenY }), { textContent: `t = ${t} · ${o.tokens[t - 1] ?? ""}` }));
  }
  svg.append(edgeLayer, nodeLayer, tokens);

  const scroll = document.createElement("div");
  scroll.className = "fig1-scroll";
  scroll.append(svg);

  const caption = document.createElement("figcaption");
  const self = document.createElement("a");
  self.href = "#figure-1";
  self.className = "fig1-self";
  self.textContent = "Figure 1.";
  caption.append(self, ` Computational graph of the RNN, unrolled over the τ = ${g.tau} steps of the current example ` +
    `(${g.nodes.length} nodes, ${forwardCount} forward edges). Built by rnnGraph() in lib/derivation/graph.ts; under each column, ` +
    `the step and its input token.`);

  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = `The ${forwardCount} forward edges of Figure 1, by equation (each has a backward twin)`;
  const list = document.createElement("ul");
  const byEq = new Map<string, GraphEdge[]>();
  for (const e of g.edges) (byEq.get(e.eq) ?? byEq.set(e.eq, []).get(e.eq)!).push(e);
  for (const [eq, es] of [...byEq].sort(([p], [q]) => (p < q ? -1 : 1))) {
    const li = document.createElement("li");
    li.textContent = `(${eq}): ` + es.map((e) => `${nodes.get(e.from)!.label} → ${nodes.get(e.to)!.label}`).join(", ");
    list.append(li);
  }
  details.append(summary, list);

  fig.append(style, legend, scroll, caption, details);

  fig.highlight = (step, done) => {
    svg.classList.toggle("active", step !== null);
    for (const el of edgeEls.values()) el.classList.remove("hi");
    for (const [id, el] of nodeEls) {
      el.classList.toggle("hi", !!step?.nodes.includes(id));
      el.classList.toggle("done", done.includes(id));
    }
    for (const id of step?.edges ?? []) {
      const el = edgeEls.get(`b:${id}`);
      if (!el) continue;
      el.classList.add("hi");
      el.setAttribute("marker-end", `url(#${mk.hi})`);
      edgeLayer.append(el); // on top
    }
    for (const [key, el] of edgeEls) {
      if (key.startsWith("b:") && !el.classList.contains("hi")) el.setAttribute("marker-end", `url(#${mk.back})`);
    }
  };
  return fig;
}

const STEPPER_STYLE = `
.stepper { margin: 0.6rem 0 0.4rem; font: 13px var(--sans-serif); }
.stepper-buttons { display: flex; gap: 0.5rem; }
.stepper button { font: 13px var(--sans-serif); padding: 0.25rem 0.8rem; cursor: pointer; }
.stepper button:disabled { cursor: default; }
.stepper-status { margin: 0.4rem 0 0; min-height: 2.6em; max-width: 640px; }
.partial-rows { font: 12px var(--monospace); border-collapse: collapse; width: auto; max-width: none; }
.partial-rows caption { text-align: left; font: 12px var(--sans-serif); color: var(--theme-foreground-muted); }
.partial-rows td { min-width: 4.5em; }
.partial-rows th, .partial-rows td { padding: 2px 7px; text-align: right; border-bottom: 1px solid var(--theme-foreground-faintest); }
.partial-rows tr.pending td, .partial-rows tr.pending th { color: var(--theme-foreground-faint); background: var(--theme-background-alt); }
.partial-rows tr.current th { outline: 2px solid #b8420f; outline-offset: -2px; }
.partial-rows tr.current td:last-child { box-shadow: inset -2px 0 #b8420f; }
`;

/** Buttons "Step back", "Step", "Reset" over k = 0 … max, and a live status line. Dispatches "input"; `value` is k. */
export function stepper(o: { max: number; describe: (k: number) => string }): HTMLElement & { value: number } {
  const el = document.createElement("div") as unknown as HTMLElement & { value: number };
  el.className = "stepper";
  el.setAttribute("role", "group");
  el.setAttribute("aria-label", "Step through the hidden-state recursion");
  el.value = 0;
  const button = (text: string) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    return b;
  };
  const back = button("Step back"), next = button("Step"), reset = button("Reset");
  const status = document.createElement("p");
  status.className = "stepper-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  const set = (k: number) => {
    el.value = Math.max(0, Math.min(o.max, k));
    back.disabled = el.value === 0;
    reset.disabled = el.value === 0;
    next.disabled = el.value === o.max;
    status.textContent = o.describe(el.value);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  };
  back.addEventListener("click", () => set(el.value - 1));
  next.addEventListener("click", () => set(el.value + 1));
  reset.addEventListener("click", () => set(0));
  const buttons = document.createElement("div");
  buttons.className = "stepper-buttons";
  buttons.append(back, next, reset);
  const style = document.createElement("style");
  style.textContent = STEPPER_STYLE;
  el.append(style, buttons, status);
  queueMicrotask(() => set(0));
  return el;
}

/**
 * A τ × n matrix whose rows are filled in one at a time: rows of NaN are "not computed yet" and shown greyed,
 * `current` (0-based) is the row just filled. Each row carries `data-t` (the source's t), each computed cell its
 * full-precision value in `data-value`.
 */
export function partialRowsTable(
  m: { rows: number; cols: number; data: Float64Array },
  o: { caption: string; rowLabels: string[]; colLabels: string[]; current: number | null },
): HTMLTableElement {
  let extent = 0;
  for (const v of m.data) if (!Number.isNaN(v)) extent = Math.max(extent, Math.abs(v));
  const table = document.createElement("table");
  table.className = "partial-rows";
  table.createCaption().textContent = o.caption;
  const head = table.createTHead().insertRow();
  const corner = document.createElement("th");
  corner.textContent = "t \\ j";
  head.append(corner);
  for (const c of o.colLabels) head.append(Object.assign(document.createElement("th"), { scope: "col", textContent: c }));
  const body = table.createTBody();
  for (let i = 0; i < m.rows; i++) {
    const tr = body.insertRow();
    const filled = !Number.isNaN(m.data[i * m.cols]!);
    tr.dataset.t = String(i + 1);
    tr.className = filled ? (i === o.current ? "filled current" : "filled") : "pending";
    const th = Object.assign(document.createElement("th"), { scope: "row", textContent: o.rowLabels[i] ?? String(i + 1) });
    tr.append(th);
    for (let j = 0; j < m.cols; j++) {
      const v = m.data[i * m.cols + j]!;
      const td = tr.insertCell();
      if (Number.isNaN(v)) {
        td.textContent = "·";
        continue;
      }
      td.textContent = fmt(v, 3);
      td.dataset.value = String(v);
      const a = extent ? Math.min(1, Math.abs(v) / extent) * 0.55 : 0;
      td.style.background = v >= 0 ? `rgba(33, 102, 172, ${a})` : `rgba(178, 24, 43, ${a})`;
    }
  }
  return table;
}

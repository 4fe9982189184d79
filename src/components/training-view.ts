/**
 * The training page's view: buttons, read-outs, the loss curve, the rows of (DL)_E and the samples, drawn from the
 * progress messages of the worker (src/workers/train.ts). No maths here: every number comes from the worker, which
 * runs lib/fast/charrnn.ts. Drawing is throttled: read-outs at most once per animation frame, the chart twice a second.
 */
import type { LiveOptions, TrainConfig } from "../lib/fast/charrnn.js";
import { initialLoss, needsReset } from "../lib/fast/charrnn.js";
// Type-only: erased when Framework bundles this file, so the page does not load the worker's code.
import type { Progress } from "../lib/fast/charrnn.js";
import { el } from "./dom.js";
import { frame as chartFrame, svgOf } from "./svg-chart.js";

type State = "idle" | "running" | "paused";

/** How a character shows in the chunk and the vocabulary: whitespace made visible. */
export const showChar = (c: string): string => (c === " " ? "␣" : c === "\n" ? "↵" : c === "\t" ? "⇥" : c);

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "—");

/** Most points the curve keeps; beyond it every other point is dropped (the curve stays the same shape). */
const MAX_POINTS = 3000;
const CHART_MS = 500;

export interface TrainingView {
  buttons: HTMLElement;
  status: HTMLElement;
  readout: HTMLElement;
  chart: HTMLElement;
  rows: HTMLElement;
  sample: HTMLElement;
}

export function trainingView(o: {
  form: HTMLFormElement & { value: TrainConfig };
  workerUrl: string;
  text: string;
  invalidation: Promise<unknown>;
}): TrainingView {
  let worker: Worker | undefined;
  /** The current run's number: messages of an earlier (reset) run are dropped. */
  let run = 0;
  let state: State = "idle";
  let runConfig: TrainConfig | undefined;
  let vocab: string[] = [];
  let latest: Progress | undefined;
  let points: [number, number, number][] = [];
  let frame = 0;
  let chartAt = 0;
  let chartTimer: ReturnType<typeof setTimeout> | undefined;

  // Buttons
  const buttons = el("div", "train-buttons");
  buttons.setAttribute("role", "group");
  buttons.setAttribute("aria-label", "Training");
  const mk = (label: string) => {
    const b = el("button", "train-button", label);
    b.type = "button";
    buttons.append(b);
    return b;
  };
  const startB = mk("Start"), pauseB = mk("Pause"), resumeB = mk("Resume"), resetB = mk("Reset");
  const note = el("p", "train-note");

  const status = el("p", "train-status", "Not started. Press Start to train.");
  status.setAttribute("role", "status");

  // Read-outs
  const readout = el("dl", "train-readout");
  const item = (name: string, cls: string) => {
    const d = el("div");
    const dd = el("dd", cls, "—");
    d.append(el("dt", undefined, name), dd);
    readout.append(d);
    return dd;
  };
  const stepV = item("Step", "train-step"), lossV = item("Loss of the last chunk", "train-loss");
  const smoothV = item("Smoothed loss", "train-smooth"), rateV = item("Steps per second", "train-rate");
  const normV = item("‖g‖ before clipping", "train-norm");
  stepV.textContent = "0";

  // Chart and its table
  const chart = el("div", "train-chart");
  const plotBox = el("div", "train-plot");
  const details = el("details", "train-points");
  details.append(el("summary", undefined, "The plotted numbers"));
  const table = el("table", "matrix-table");
  details.append(table);
  chart.append(plotBox, details);

  // (DL)_E rows
  const rows = el("div", "train-rows");
  const chunkP = el("p", "train-chunk");
  const grid = el("div", "train-vocab");
  grid.setAttribute("role", "img");
  grid.setAttribute("aria-label", "The rows of (DL)_E, one per character of the vocabulary; no chunk trained yet.");
  const rowList = el("p", "train-row-list", "No chunk trained yet.");
  rows.append(chunkP, grid, rowList);
  let cells: HTMLSpanElement[] = [];

  // Samples
  const sample = el("div", "train-sample-box");
  const sampleHead = el("p", "train-sample-head", "No sample yet: one is drawn every “Sample every” steps.");
  const pre = el("pre", "train-sample");
  sample.append(sampleHead, pre);

  const setState = (s: State) => {
    state = s;
    startB.disabled = s !== "idle";
    pauseB.disabled = s !== "running";
    resumeB.disabled = s !== "paused";
    resetB.disabled = s === "idle";
    buttons.dataset.state = s;
  };
  setState("idle");

  const buildGrid = () => {
    grid.replaceChildren();
    cells = vocab.map((c) => {
      const s = el("span", "vc", showChar(c));
      grid.append(s);
      return s;
    });
  };

  const drawReadout = () => {
    frame = 0;
    const p = latest;
    if (!p) return;
    stepV.textContent = String(p.step);
    lossV.textContent = f3(p.loss);
    smoothV.textContent = f3(p.smooth);
    rateV.textContent = p.stepsPerSec > 0 ? p.stepsPerSec.toFixed(0) : "—";
    normV.textContent = f3(p.gradNorm);
    chunkP.replaceChildren(
      document.createTextNode(`Chunk at character ${p.chunkStart} (${p.chunk.length} inputs): `),
      el("code", undefined, Array.from(p.chunk, showChar).join("")),
    );
    const max = Math.max(1e-300, ...p.rows.map((r) => r.norm));
    const on = new Map(p.rows.map((r) => [r.index, r.norm]));
    cells.forEach((c, i) => {
      const n = on.get(i);
      c.classList.toggle("on", n !== undefined);
      c.style.setProperty("--w", n === undefined ? "0" : (0.12 + 0.38 * (n / max)).toFixed(3));
    });
    const sorted = [...p.rows].sort((a, b) => b.norm - a.norm);
    grid.setAttribute("aria-label", `The rows of (DL)_E: ${p.rows.length} of ${vocab.length} are non-zero for this chunk.`);
    rowList.textContent = `${p.rows.length} of ${vocab.length} rows non-zero, by norm: ` +
      sorted.map((r) => `${showChar(vocab[r.index] ?? "?")} ${r.norm.toPrecision(2)}`).join(", ") + ".";
    if (Date.now() - chartAt >= CHART_MS) drawChart();
    else if (!chartTimer) chartTimer = setTimeout(drawChart, CHART_MS);
  };

  const drawChart = () => {
    if (chartTimer) clearTimeout(chartTimer);
    chartTimer = undefined;
    chartAt = Date.now();
    if (!points.length) {
      plotBox.replaceChildren();
      table.replaceChildren();
      return;
    }
    const width = Math.max(280, Math.min(800, plotBox.clientWidth || chart.clientWidth || 640)), height = 240;
    const start = initialLoss(vocab.length);
    let top = start;
    for (const p of points) top = Math.max(top, p[1]);
    const f = chartFrame({
      width, height, left: 44, right: 20, top: 20, bottom: 30, xGrid: true,
      x: { domain: [points[0]![0], points.at(-1)![0]], label: "step" },
      y: { domain: [0, top * 1.05], label: "loss" },
    });
    const line = (k: 1 | 2) => points.map((p) => `${f.px(p[0]).toFixed(1)},${f.py(p[k]).toFixed(1)}`).join(" ");
    f.parts.push(`<line x1="44" x2="${width - 20}" y1="${f.py(start).toFixed(1)}" y2="${f.py(start).toFixed(1)}" stroke="currentColor" stroke-dasharray="4,3" stroke-opacity="0.5"></line>`,
      `<polyline points="${line(1)}" fill="none" stroke="#9a9a9a" stroke-width="1"></polyline>`,
      `<polyline class="train-smooth-line" points="${line(2)}" fill="none" stroke="#2166ac" stroke-width="2.5"></polyline>`);
    plotBox.innerHTML = svgOf(width, height, f.parts,
      `Loss curve: ${points.length} points up to step ${points.at(-1)![0]}, smoothed loss ${f3(points.at(-1)![2])}.`);
    // The table: up to eleven evenly spaced points.
    const pick = Array.from(new Set(Array.from({ length: 11 }, (_, k) => Math.round((k * (points.length - 1)) / 10))));
    const cap = table.createCaption();
    table.replaceChildren(cap);
    cap.textContent = "Loss by step (every tenth of the run)";
    const head = table.createTHead().insertRow();
    for (const h of ["step", "loss", "smoothed"]) {
      const th = el("th", undefined, h);
      th.scope = "col";
      head.append(th);
    }
    const body = table.createTBody();
    for (const i of pick) {
      const [s, l, sm] = points[i]!;
      const tr = body.insertRow();
      tr.insertCell().textContent = String(s);
      tr.insertCell().textContent = f3(l);
      tr.insertCell().textContent = f3(sm);
    }
  };

  const onMessage = (e: MessageEvent) => {
    const m = e.data as Progress | { type: "ready"; run: number; vocab: string[] } | { type: "reset" } | { type: "error"; message: string };
    if ((m.type === "ready" || m.type === "progress") && (m.run !== run || state === "idle")) return;
    if (m.type === "ready") {
      vocab = m.vocab;
      buildGrid();
      status.textContent = `Training: ${vocab.length} characters in the vocabulary, so the loss starts near ln ${vocab.length} = ${initialLoss(vocab.length).toFixed(3)}.`;
    } else if (m.type === "progress") {
      points.push(...m.points);
      if (points.length > MAX_POINTS) points = points.filter((_, i) => i % 2 === 1 || i === points.length - 1);
      if (m.sample) {
        sampleHead.textContent = `Sample at step ${m.sample.step}, temperature ${m.sample.temperature}:`;
        pre.textContent = m.sample.text;
      }
      latest = m;
      if (!m.running) status.textContent = `Paused at step ${m.step}.`;
      if (!frame) frame = requestAnimationFrame(drawReadout);
    } else if (m.type === "error") {
      setState(worker ? "idle" : state);
      status.textContent = `Training stopped: ${m.message}`;
    }
  };

  const clearView = () => {
    latest = undefined;
    points = [];
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    stepV.textContent = "0";
    for (const v of [lossV, smoothV, rateV, normV]) v.textContent = "—";
    chunkP.replaceChildren();
    rowList.textContent = "No chunk trained yet.";
    for (const c of cells) c.classList.remove("on");
    sampleHead.textContent = "No sample yet: one is drawn every “Sample every” steps.";
    pre.textContent = "";
    drawChart();
  };

  const live = (c: TrainConfig): LiveOptions =>
    ({ lr: c.lr, clip: c.clip, clipValue: c.clipValue, temperature: c.temperature, sampleEvery: c.sampleEvery });

  startB.addEventListener("click", () => {
    if (!worker) {
      worker = new Worker(o.workerUrl);
      worker.onmessage = onMessage;
      worker.onerror = (e) => {
        status.textContent = `The training worker failed: ${e.message}`;
        setState("idle");
      };
    }
    runConfig = { ...o.form.value };
    clearView();
    note.textContent = "";
    worker.postMessage({ type: "start", text: o.text, config: runConfig, run: ++run });
    setState("running");
    status.textContent = "Training…";
    pauseB.focus();
  });
  pauseB.addEventListener("click", () => {
    worker?.postMessage({ type: "pause" });
    setState("paused");
    status.textContent = "Pausing…";
    resumeB.focus();
  });
  resumeB.addEventListener("click", () => {
    worker?.postMessage({ type: "resume" });
    setState("running");
    status.textContent = "Training…";
    pauseB.focus();
  });
  resetB.addEventListener("click", () => {
    worker?.postMessage({ type: "reset" });
    setState("idle");
    runConfig = undefined;
    clearView();
    note.textContent = "";
    status.textContent = "Reset: back to step 0. Press Start to train again.";
    startB.focus();
  });
  // Learning rate, clipping, temperature and the sampling interval change a run in progress; sizes and seed need
  // a fresh run.
  o.form.addEventListener("input", () => {
    const c = o.form.value;
    if (!runConfig || state === "idle") return;
    worker?.postMessage({ type: "options", options: live(c) });
    note.textContent = needsReset(runConfig, c)
      ? "The new hidden size, τ, d_model or seed apply from the next run: press Reset, then Start."
      : "";
  });

  buttons.append(note);
  o.invalidation.then(() => {
    worker?.terminate();
    worker = undefined;
    if (frame) cancelAnimationFrame(frame);
    if (chartTimer) clearTimeout(chartTimer);
  });

  return { buttons, status, readout, chart, rows, sample };
}

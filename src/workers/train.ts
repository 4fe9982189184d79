/**
 * The training page's worker: runs lib/fast/charrnn.ts's `trainStep` (truncated BPTT with lib/fast/fast.ts, clipping,
 * Adagrad) off the main thread, so the page stays responsive, and reports what the page draws.
 *
 * Messages in:  { type: "start", text, config }  a fresh run (vocabulary, parameters from the seed) and go
 *               { type: "pause" } | { type: "resume" } | { type: "reset" }
 *               { type: "options", options }    learning rate, clipping, temperature, sampling interval, live
 *               { type: "sample" }              a sample now
 * Messages out: { type: "ready", vocab }  after start
 *               { type: "progress", … }   at most every PROGRESS_MS while running, and once on pause
 *               { type: "reset" }         after reset
 *               { type: "error", message }
 *
 * The loop runs slices of about SLICE_MS of steps and yields between them through a MessageChannel (a zero-delay
 * task, unlike setTimeout's 4 ms clamp), so a pause or an option arrives within one slice.
 */
import {
  type Progress, type TrainIn, makeTrainer, nonZeroRowNorms, sampleText, setLiveOptions, type Trainer, trainStep,
} from "../../lib/fast/charrnn.js";
import type { Workspace } from "../../lib/fast/fast.js";

const SLICE_MS = 25;
const PROGRESS_MS = 100;
/** Loss points kept for the curve: one every POINT_EVERY steps. */
const POINT_EVERY = 10;
const SAMPLE_LENGTH = 200;

const ctx = self as unknown as {
  postMessage(m: unknown): void;
  onmessage: ((e: MessageEvent<TrainIn>) => void) | null;
};

let tr: Trainer | undefined;
let run = 0;
let running = false;
let generation = 0; // bumps on reset/start so a stale slice stops
let lastPost = 0;
let points: [number, number, number][] = [];
let pendingSample: Progress["sample"];
let rows: Progress["rows"] = [];
// Steps per second of wall-clock time (slices, yields and messages included), over windows of about a second.
let windowStart = 0, windowStep = 0, rate = 0;
const restartRate = () => {
  windowStart = performance.now();
  windowStep = tr?.step ?? 0;
};

const channel = new MessageChannel();
channel.port1.onmessage = (e: MessageEvent<number>) => slice(e.data);
const schedule = () => channel.port2.postMessage(generation);

const observe = (ws: Workspace) => {
  rows = nonZeroRowNorms(ws.grads.E);
};
/**
 * The chunk and its (DL)_E rows as one snapshot, taken right after the step that observed them: a progress message
 * can go out steps later (a pause, the end of a slice), and the page must never pair a chunk with another's rows.
 */
let shown: { chunk: string; chunkStart: number; rows: Progress["rows"] } = { chunk: "", chunkStart: 0, rows: [] };
const snapshot = (t: Trainer) => {
  shown = { chunk: Array.from(t.inputs, (i) => t.vocab.chars[i]).join(""), chunkStart: t.chunkStart, rows };
};

function post(): void {
  if (!tr) return;
  const t = tr;
  const msg: Progress = {
    type: "progress", run, running, step: t.step, loss: t.loss, smooth: t.smooth, gradNorm: t.gradNorm,
    stepsPerSec: rate, chunk: shown.chunk, chunkStart: shown.chunkStart, rows: shown.rows, points,
  };
  if (pendingSample) msg.sample = pendingSample;
  ctx.postMessage(msg);
  points = [];
  pendingSample = undefined;
  lastPost = performance.now();
}

function draw(): void {
  if (!tr) return;
  pendingSample = { step: tr.step, text: sampleText(tr, SAMPLE_LENGTH), temperature: tr.config.temperature };
}

function slice(gen: number): void {
  if (gen !== generation || !running || !tr) return;
  const t = tr;
  const start = performance.now();
  let now = start;
  while (now - start < SLICE_MS) {
    // The step before a progress message records its (DL)_E rows; other steps skip the work.
    const report = now - lastPost >= PROGRESS_MS;
    trainStep(t, report ? observe : undefined);
    if (report) snapshot(t);
    if (t.step % POINT_EVERY === 0) points.push([t.step, t.loss, t.smooth]);
    if (t.step % t.config.sampleEvery === 0) draw();
    now = performance.now();
    if (report) break;
  }
  const span = now - windowStart;
  if (span >= 1000 || (rate === 0 && span >= 250)) {
    rate = (1000 * (t.step - windowStep)) / span;
    if (span >= 1000) restartRate();
  }
  if (now - lastPost >= PROGRESS_MS) post();
  schedule();
}

ctx.onmessage = (e: MessageEvent<TrainIn>) => {
  const m = e.data;
  try {
    switch (m.type) {
      case "start":
        generation++;
        tr = makeTrainer(m.text, m.config);
        run = m.run;
        points = [];
        rows = [];
        shown = { chunk: "", chunkStart: 0, rows: [] };
        pendingSample = undefined;
        rate = 0;
        restartRate();
        ctx.postMessage({ type: "ready", run, vocab: tr.vocab.chars });
        running = true;
        lastPost = 0;
        schedule();
        break;
      case "pause":
        if (running) {
          running = false;
          post();
        }
        break;
      case "resume":
        if (tr && !running) {
          running = true;
          restartRate();
          schedule();
        }
        break;
      case "reset":
        generation++;
        running = false;
        tr = undefined;
        ctx.postMessage({ type: "reset" });
        break;
      case "options":
        if (tr) setLiveOptions(tr, m.options);
        break;
      case "sample":
        if (tr) {
          draw();
          post();
        }
        break;
    }
  } catch (error) {
    running = false;
    ctx.postMessage({ type: "error", message: error instanceof Error ? error.message : String(error) });
  }
};

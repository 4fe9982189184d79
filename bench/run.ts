/**
 * `npm run bench`: our forward + backward (lib/fast/fast.ts, eqs 1.1–1.7 and 4.1–4.9) against its peers, side by side in
 * one run — TF.js CPU autodiff of the same model and weights (a node child: see bench/tfjs-peer.ts for why not in
 * this process), a float64 numpy BPTT in the min-char-rnn style (a python3 child) when python3 has numpy, and this
 * machine's scalar peak (a 4-accumulator Float64Array dot product), all four alternating round by round. Also the
 * tiny size's absolute time and the full finite-difference check (lib/derivation/gradcheck.ts) at tiny size. Prints a table,
 * then one JSON line of ratios.
 *
 * Every figure is the median over rounds of the per-evaluation time of a batch; each engine's gradients are
 * compared with ours first, so the timings are of the same computation. docs/performance.md records a run.
 * `BENCH_QUICK=1` runs fewer rounds and `BENCH_SIZES=tiny` fewer sizes (test/bench.test.ts keeps the script working).
 */
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { lossAndGrads, makeWorkspace } from "../lib/fast/fast.js";
import { numericalParamGrads } from "../lib/derivation/gradcheck.js";
import { PARAM_NAMES, type Params, type Sizes, initParams, initialHidden } from "../lib/derivation/model.js";
import { makeRng } from "../lib/core/rng.js";
import { ROUNDING_TOL, TFJS_REL_TOL } from "../lib/core/tolerances.js";
import { type Peer, numpyAvailable, startPeer } from "./peer.js";

const QUICK = process.env.BENCH_QUICK === "1";
const ROUNDS = QUICK ? 3 : 9;
/** Each timed batch runs at least this long, so timer resolution and call overhead are negligible. */
const BATCH_MS = QUICK ? 10 : 250;

export const ALL_SIZES: { name: string; sizes: Sizes; tau: number }[] = [
  { name: "tiny", sizes: { vocab: 8, dModel: 4, hidden: 6 }, tau: 6 },
  { name: "small", sizes: { vocab: 27, dModel: 16, hidden: 32 }, tau: 25 },
  { name: "medium", sizes: { vocab: 65, dModel: 32, hidden: 128 }, tau: 64 },
  { name: "large", sizes: { vocab: 256, dModel: 64, hidden: 256 }, tau: 128 },
];
/** `BENCH_SIZES=tiny,small` limits the run (the smoke test); the default is all four. */
const SIZES = process.env.BENCH_SIZES
  ? ALL_SIZES.filter((s) => process.env.BENCH_SIZES!.split(",").includes(s.name))
  : ALL_SIZES;
if (SIZES.length === 0 || SIZES[0]!.name !== "tiny") {
  throw new Error(`bench: BENCH_SIZES must include tiny (the finite-difference check runs at it); got "${process.env.BENCH_SIZES}"`);
}

/** Multiply-adds of one forward + backward: three passes over each of W (H²), U (H·d) and V (V·H) per step. */
export const macs = ({ vocab, dModel, hidden }: Sizes, tau: number) => 3 * tau * (hidden * hidden + hidden * dModel + vocab * hidden);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Warm-up before calibrating: long enough for V8 to optimise the code being timed. */
const WARMUP_MS = QUICK ? 200 : 1500;

/**
 * Repetitions so that one batch takes about BATCH_MS, after a warm-up: timing the first calls would time the
 * interpreter and the compiler, not the code.
 */
function calibrate(fn: () => void): number {
  const until = performance.now() + WARMUP_MS;
  let calls = 0;
  while (performance.now() < until || calls < 3) { fn(); calls++; }
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const ms = performance.now() - t0;
    if (ms >= BATCH_MS / 4 || reps > 1e7) return Math.max(1, Math.ceil((reps * BATCH_MS) / Math.max(ms, 1e-3)));
    reps *= 4;
  }
}

/** Seconds per call for one batch. */
function batch(fn: () => void, reps: number): number {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t0) / 1000 / reps;
}

/**
 * The scalar peak: GFLOP/s of a dot product with four accumulators on two 256-long Float64Arrays (in L1), in the
 * loop form V8 compiles best (`i < n; i += 4`, measured against `i + 3 < n` with a tail: 3.0 against 2.4 GFLOP/s).
 * `run()` times one batch.
 */
function dotPeak(): { run: () => number } {
  const n = 256, a = new Float64Array(n), b = new Float64Array(n);
  for (let i = 0; i < n; i++) { a[i] = Math.sin(i); b[i] = Math.cos(i); }
  let sink = 0;
  const dot = () => {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let i = 0; i < n; i += 4) {
      s0 += a[i]! * b[i]!; s1 += a[i + 1]! * b[i + 1]!; s2 += a[i + 2]! * b[i + 2]!; s3 += a[i + 3]! * b[i + 3]!;
    }
    sink += s0 + s1 + s2 + s3;
  };
  const reps = calibrate(dot);
  return {
    run: () => {
      const secs = batch(dot, reps);
      if (!Number.isFinite(sink)) throw new Error("dot peak: non-finite sum");
      return (2 * n) / secs / 1e9;
    },
  };
}

function problem(sizes: Sizes, tau: number, seed: number) {
  const rng = makeRng(seed);
  const p = initParams(sizes, rng);
  const draw = () => Array.from({ length: tau }, () => Math.floor(rng.next() * sizes.vocab));
  return { p, inputs: draw(), targets: draw(), h0: initialHidden("point-one", sizes.hidden) };
}

const f32 = (p: Params): Params => {
  const m = (x: Params["E"]) => ({ rows: x.rows, cols: x.cols, data: x.data.map(Math.fround) });
  return { E: m(p.E), U: m(p.U), W: m(p.W), b: p.b.map(Math.fround), V: m(p.V), c: p.c.map(Math.fround) };
};

/** ‖a − b‖∞ / ‖b‖∞ over all six gradients. */
function relErr(ours: Record<string, { length: number; [i: number]: number } | { data: Float64Array }>, other: Record<string, ArrayLike<number>>): number {
  let num = 0, den = 0;
  for (const n of PARAM_NAMES) {
    const a = ours[n]!, av = "data" in a ? a.data : a, b = other[n]!;
    for (let i = 0; i < b.length; i++) {
      num = Math.max(num, Math.abs(av[i]! - b[i]!));
      den = Math.max(den, Math.abs(b[i]!));
    }
  }
  return num / den;
}

interface Row {
  size: string; macs: number; oursUs: number; gflops: number; peakFraction: number;
  tfjsUs: number; vsTfjs: number; tfjsErr: number;
  numpyUs: number | null; vsNumpy: number | null; numpyErr: number | null;
}

/** Per-evaluation seconds of one batch of a peer, calibrated to about BATCH_MS after a warm-up. */
async function peerTimer(peer: Peer): Promise<() => Promise<number>> {
  const until = performance.now() + WARMUP_MS;
  let s = await peer.time(1);
  while (performance.now() < until) s = await peer.time(1);
  const reps = Math.max(1, Math.ceil(BATCH_MS / 1000 / Math.max(s, 1e-6)));
  return async () => (await peer.time(reps)) / reps;
}

const flatGrads = (g: Record<string, number[] | number[][] | number>) =>
  Object.fromEntries(PARAM_NAMES.map((n) => [n, (g[n] as number[] | number[][]).flat()]));

async function main(): Promise<void> {
  const started = performance.now();
  const here = dirname(fileURLToPath(import.meta.url));
  const numpyVersion = numpyAvailable();
  // One BLAS thread: every engine here computes on one core (and an idle OpenBLAS thread spins on the other core,
  // which is the one our batches would run beside).
  const oneThread = { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  const numpy = numpyVersion ? startPeer("numpy", "python3", [join(here, "numpy_bptt.py")], oneThread) : null;
  const tfjs = startPeer("TF.js", process.execPath, [...process.execArgv, join(here, "tfjs-peer.ts")]);
  const peak = dotPeak();
  const peaks: number[] = [];
  const rows: Row[] = [];
  for (const { name, sizes, tau } of SIZES) {
    // Every engine runs on the float32-rounded weights TF.js sees, so the three share one model exactly.
    const { p: p64, inputs, targets, h0 } = problem(sizes, tau, 20261122);
    const p = f32(p64);
    const ws = makeWorkspace(sizes, tau);
    const ours = () => void lossAndGrads(p, inputs, targets, h0, ws);
    lossAndGrads(p, inputs, targets, h0, ws);
    // A benchmark of a wrong gradient is worthless: stop if a peer disagrees beyond its arithmetic's rounding.
    await tfjs.load(p, inputs, targets, h0);
    const tfjsErr = relErr(ws.grads, flatGrads(await tfjs.grads()));
    if (!(tfjsErr <= TFJS_REL_TOL)) throw new Error(`bench: ${name}: TF.js gradients differ from ours by ${tfjsErr} (relative), more than ${TFJS_REL_TOL}`);
    let numpyErr: number | null = null;
    if (numpy) {
      await numpy.load(p, inputs, targets, h0);
      numpyErr = relErr(ws.grads, flatGrads(await numpy.grads()));
      if (!(numpyErr <= ROUNDING_TOL)) throw new Error(`bench: ${name}: numpy gradients differ from ours by ${numpyErr} (relative), more than ${ROUNDING_TOL}`);
    }
    const oursReps = calibrate(ours);
    const tfTime = await peerTimer(tfjs);
    const npTime = numpy ? await peerTimer(numpy) : null;
    // Round by round, every engine and the scalar peak in turn, so that drifts of the machine's speed (they reach
    // 2× on these shared machines) hit all of them alike; the ratios are of medians.
    const oursT: number[] = [], tfT: number[] = [], npT: number[] = [], peakT: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      oursT.push(batch(ours, oursReps));
      tfT.push(await tfTime());
      if (npTime) npT.push(await npTime());
      peakT.push(peak.run());
    }
    const o = median(oursT), t = median(tfT), n = npTime ? median(npT) : null, pk = median(peakT);
    peaks.push(pk);
    const gflops = (2 * macs(sizes, tau)) / o / 1e9;
    rows.push({
      size: name, macs: macs(sizes, tau), oursUs: o * 1e6, gflops, peakFraction: gflops / pk,
      tfjsUs: t * 1e6, vsTfjs: t / o, tfjsErr, numpyUs: n === null ? null : n * 1e6, vsNumpy: n === null ? null : n / o, numpyErr,
    });
  }
  numpy?.close();
  tfjs.close();

  // The full finite-difference check of every parameter at tiny size, as the pages run it (2 losses per entry).
  const tiny = problem(SIZES[0]!.sizes, SIZES[0]!.tau, 20261122);
  const fd = () => void numericalParamGrads(tiny.p, tiny.inputs, tiny.targets, tiny.h0);
  const fdReps = calibrate(fd);
  const fdMs = median(Array.from({ length: ROUNDS }, () => batch(fd, fdReps))) * 1e3;
  const peakGflops = median(peaks);

  const fmt = (x: number | null, d = 1) => (x === null ? "—" : x >= 100 ? x.toFixed(0) : x.toFixed(d));
  const sci = (x: number | null) => (x === null ? "—" : x.toExponential(0));
  console.log(`bptt-companion bench · node ${process.version} · ${cpus().length} cores · ${cpus()[0]?.model ?? "?"}`);
  console.log(`numpy: ${numpyVersion ?? "not available (python3 with numpy not found): numpy columns skipped"}`);
  console.log(`ours: lib/fast/fast.ts with ${makeWorkspace({ vocab: 1, dModel: 1, hidden: 1 }, 1).k.kind === "wasm" ? "WebAssembly SIMD" : "JavaScript (no WebAssembly SIMD here)"} products`);
  console.log(`scalar peak (4-accumulator Float64Array dot, n = 256), median over the run: ${peakGflops.toFixed(2)} GFLOP/s`);
  console.log("");
  console.log("| size | (V, d, H, τ) | MACs | ours µs | GFLOP/s | % of peak | TF.js µs | × TF.js | numpy µs | × numpy | rel. diff TF.js / numpy |");
  console.log("|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    const s = SIZES.find((x) => x.name === r.size)!;
    console.log(
      `| ${r.size} | (${s.sizes.vocab}, ${s.sizes.dModel}, ${s.sizes.hidden}, ${s.tau}) | ${r.macs} | ${fmt(r.oursUs, 2)} | ${r.gflops.toFixed(2)} | ` +
      `${(100 * r.peakFraction).toFixed(0)}% | ${fmt(r.tfjsUs)} | ${fmt(r.vsTfjs)} | ${fmt(r.numpyUs)} | ${fmt(r.vsNumpy, 2)} | ${sci(r.tfjsErr)} / ${sci(r.numpyErr)} |`,
    );
  }
  console.log("");
  console.log(`tiny forward + backward: ${rows[0]!.oursUs.toFixed(2)} µs; full finite-difference check at tiny (${2 * (8 * 4 + 6 * 4 + 36 + 6 + 8 * 6 + 8)} losses): ${fdMs.toFixed(3)} ms`);
  console.log(`${ROUNDS} rounds, batches ≥ ${BATCH_MS} ms, medians; total ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const by = <K extends keyof Row>(k: K) => Object.fromEntries(rows.map((r) => [r.size, r[k] === null ? null : Number((r[k] as number).toPrecision(3))]));
  console.log(JSON.stringify({
    vsTfjs: by("vsTfjs"), vsNumpy: by("vsNumpy"), peakFraction: by("peakFraction"),
    tinyMicros: Number(rows[0]!.oursUs.toPrecision(3)), fdCheckMillis: Number(fdMs.toPrecision(3)), peakGflops: Number(peakGflops.toPrecision(3)),
  }));
}

await main();

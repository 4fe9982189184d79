/**
 * `npm run bench`: our forward + backward (lib/fast/fast.ts, eqs 1.1–1.7 and 4.1–4.9) against its peers, side by side in
 * one run — TF.js CPU autodiff of the same model and weights (a node child: see bench/tfjs-peer.ts for why not in
 * this process), a float64 numpy BPTT in the min-char-rnn style (a python3 child) when python3 has numpy, PyTorch
 * autograd of torch.nn modules in float64 and in float32 on one thread (bench/torch_bptt.py, two children of Debian's
 * python3) when it has torch, and this machine's scalar peak (a 4-accumulator Float64Array dot product), all
 * alternating round by round. Also the tiny size's absolute time and the full finite-difference check
 * (lib/derivation/gradcheck.ts) at tiny size. Prints a table, then one JSON line of ratios.
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
import { ROUNDING_TOL, TFJS_REL_TOL, TORCH_REL_TOL } from "../lib/core/tolerances.js";
import { type Peer, TORCH_PYTHON, numpyAvailable, startPeer, torchAvailable } from "./peer.js";

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

/**
 * A peer that runs in this bench: its key in the JSON line (`vs<Key>`), its columns' header, and the largest relative
 * difference of its gradients from ours that its arithmetic explains.
 */
interface PeerRun { key: string; label: string; peer: Peer; tol: number }
/** A peer's figures at one size: µs per evaluation, its time over ours, and its gradients' relative difference. */
interface PeerFigures { us: number; vs: number; err: number }

interface Row { size: string; macs: number; oursUs: number; gflops: number; peakFraction: number; peers: Record<string, PeerFigures> }

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
  const torchVersion = torchAvailable();
  // One BLAS thread: every engine here computes on one core (and an idle OpenBLAS thread spins on the other core,
  // which is the one our batches would run beside).
  const oneThread = { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  const torchPeer = (dtype: string) => startPeer(`PyTorch ${dtype}`, TORCH_PYTHON, [join(here, "torch_bptt.py"), dtype], oneThread);
  // In the order of the table's columns; a peer whose engine is missing here has no process and empty columns.
  // PyTorch float32 computes in TF.js's arithmetic, so TF.js's bound is its own.
  const peers: (Omit<PeerRun, "peer"> & { peer: Peer | null })[] = [
    { key: "Tfjs", label: "TF.js", peer: startPeer("TF.js", process.execPath, [...process.execArgv, join(here, "tfjs-peer.ts")]), tol: TFJS_REL_TOL },
    { key: "Numpy", label: "numpy", peer: numpyVersion ? startPeer("numpy", "python3", [join(here, "numpy_bptt.py")], oneThread) : null, tol: ROUNDING_TOL },
    { key: "Torch64", label: "PyTorch f64", peer: torchVersion ? torchPeer("float64") : null, tol: TORCH_REL_TOL },
    { key: "Torch32", label: "PyTorch f32", peer: torchVersion ? torchPeer("float32") : null, tol: TFJS_REL_TOL },
  ];
  const running = peers.filter((p): p is PeerRun => p.peer !== null);
  const peak = dotPeak();
  const peaks: number[] = [];
  const rows: Row[] = [];
  for (const { name, sizes, tau } of SIZES) {
    // Every engine runs on the float32-rounded weights TF.js sees, so all of them share one model exactly.
    const { p: p64, inputs, targets, h0 } = problem(sizes, tau, 20261122);
    const p = f32(p64);
    const ws = makeWorkspace(sizes, tau);
    const ours = () => void lossAndGrads(p, inputs, targets, h0, ws);
    lossAndGrads(p, inputs, targets, h0, ws);
    // A benchmark of a wrong gradient is worthless: stop if a peer disagrees beyond its arithmetic's rounding.
    const errs: number[] = [];
    for (const { label, peer, tol } of running) {
      await peer.load(p, inputs, targets, h0);
      const err = relErr(ws.grads, flatGrads(await peer.grads()));
      if (!(err <= tol)) throw new Error(`bench: ${name}: ${label} gradients differ from ours by ${err} (relative), more than ${tol}`);
      errs.push(err);
    }
    const oursReps = calibrate(ours);
    const timers: (() => Promise<number>)[] = [];
    for (const { peer } of running) timers.push(await peerTimer(peer));
    // Round by round, every engine and the scalar peak in turn, so that drifts of the machine's speed (they reach
    // 2× on these shared machines) hit all of them alike; the ratios are of medians.
    const oursT: number[] = [], peakT: number[] = [];
    const peerT: number[][] = running.map(() => []);
    for (let r = 0; r < ROUNDS; r++) {
      oursT.push(batch(ours, oursReps));
      for (let i = 0; i < timers.length; i++) peerT[i]!.push(await timers[i]!());
      peakT.push(peak.run());
    }
    const o = median(oursT), pk = median(peakT);
    peaks.push(pk);
    const gflops = (2 * macs(sizes, tau)) / o / 1e9;
    const figures = Object.fromEntries(running.map(({ key }, i) => {
      const t = median(peerT[i]!);
      return [key, { us: t * 1e6, vs: t / o, err: errs[i]! }];
    }));
    rows.push({ size: name, macs: macs(sizes, tau), oursUs: o * 1e6, gflops, peakFraction: gflops / pk, peers: figures });
  }
  for (const { peer } of running) peer.close();

  // The full finite-difference check of every parameter at tiny size, as the pages run it (2 losses per entry).
  const tiny = problem(SIZES[0]!.sizes, SIZES[0]!.tau, 20261122);
  const fd = () => void numericalParamGrads(tiny.p, tiny.inputs, tiny.targets, tiny.h0);
  const fdReps = calibrate(fd);
  const fdMs = median(Array.from({ length: ROUNDS }, () => batch(fd, fdReps))) * 1e3;
  const peakGflops = median(peaks);

  const fmt = (x: number | undefined, d = 1) => (x === undefined ? "—" : x >= 100 ? x.toFixed(0) : x.toFixed(d));
  const sci = (x: number | undefined) => (x === undefined ? "—" : x.toExponential(0));
  console.log(`bptt-companion bench · node ${process.version} · ${cpus().length} cores · ${cpus()[0]?.model ?? "?"}`);
  console.log(`numpy: ${numpyVersion ?? "not available (python3 with numpy not found): numpy columns skipped"}`);
  console.log(`PyTorch: ${torchVersion ? `${torchVersion}, one thread (${TORCH_PYTHON})` : `not available (${TORCH_PYTHON} cannot import torch): PyTorch columns skipped`}`);
  console.log(`ours: lib/fast/fast.ts with ${makeWorkspace({ vocab: 1, dModel: 1, hidden: 1 }, 1).k.kind === "wasm" ? "WebAssembly SIMD" : "JavaScript (no WebAssembly SIMD here)"} products`);
  console.log(`scalar peak (4-accumulator Float64Array dot, n = 256), median over the run: ${peakGflops.toFixed(2)} GFLOP/s`);
  console.log("");
  const peerHeads = peers.map(({ label }) => `${label} µs | × ${label}`).join(" | ");
  console.log(`| size | (V, d, H, τ) | MACs | ours µs | GFLOP/s | % of peak | ${peerHeads} | rel. diff ${peers.map((x) => x.label).join(" / ")} |`);
  console.log(`|---|---|---|---|---|---|${peers.map(() => "---|---|").join("")}---|`);
  for (const r of rows) {
    const s = SIZES.find((x) => x.name === r.size)!;
    const cells = peers.map(({ key }) => `${fmt(r.peers[key]?.us)} | ${fmt(r.peers[key]?.vs, key === "Tfjs" ? 1 : 2)}`).join(" | ");
    console.log(
      `| ${r.size} | (${s.sizes.vocab}, ${s.sizes.dModel}, ${s.sizes.hidden}, ${s.tau}) | ${r.macs} | ${fmt(r.oursUs, 2)} | ${r.gflops.toFixed(2)} | ` +
      `${(100 * r.peakFraction).toFixed(0)}% | ${cells} | ${peers.map(({ key }) => sci(r.peers[key]?.err)).join(" / ")} |`,
    );
  }
  console.log("");
  console.log(`tiny forward + backward: ${rows[0]!.oursUs.toFixed(2)} µs; full finite-difference check at tiny (${2 * (8 * 4 + 6 * 4 + 36 + 6 + 8 * 6 + 8)} losses): ${fdMs.toFixed(3)} ms`);
  console.log(`${ROUNDS} rounds, batches ≥ ${BATCH_MS} ms, medians; total ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const round3 = (x: number) => Number(x.toPrecision(3));
  const by = (f: (r: Row) => number | undefined) => Object.fromEntries(rows.map((r) => [r.size, f(r) === undefined ? null : round3(f(r)!)]));
  console.log(JSON.stringify({
    ...Object.fromEntries(peers.map(({ key }) => [`vs${key}`, by((r) => r.peers[key]?.vs)])), peakFraction: by((r) => r.peakFraction),
    tinyMicros: round3(rows[0]!.oursUs), fdCheckMillis: round3(fdMs), peakGflops: round3(peakGflops),
  }));
}

await main();

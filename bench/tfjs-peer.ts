/**
 * TF.js as a separate process for `npm run bench`, driven like the numpy peer (one JSON line in, one out), so that
 * its batches alternate with ours round by round. Not in our process: loading TF.js detaches an ArrayBuffer, which
 * switches off a V8 fast path for typed arrays in the whole process and slows our loops by ~20%.
 *
 *   {"cmd": "load", "E": [[...]], …, "inputs": [...], "targets": [...], "h0": [...]}  -> {"ok": true}
 *   {"cmd": "grads"}                 -> {"loss": L, "E": [...flat], …}
 *   {"cmd": "time", "reps": n}       -> {"seconds": total for n evaluations}
 */
import { createInterface } from "node:readline";
import type { Matrix } from "../lib/core/matrix.js";
import type { Params } from "../lib/derivation/model.js";
import { type TfjsRnn, tfjsRnn, useCpuBackend } from "./tfjs-rnn.js";

await useCpuBackend();
let model: TfjsRnn | null = null;
const mat = (rows: number[][]): Matrix => ({ rows: rows.length, cols: rows[0]!.length, data: Float64Array.from(rows.flat()) });
for await (const line of createInterface({ input: process.stdin })) {
  const msg = JSON.parse(line);
  let reply: object;
  try {
    if (msg.cmd === "load") {
      model?.dispose();
      const p: Params = { E: mat(msg.E), U: mat(msg.U), W: mat(msg.W), b: Float64Array.from(msg.b), V: mat(msg.V), c: Float64Array.from(msg.c) };
      model = tfjsRnn(p, msg.inputs, msg.targets, Float64Array.from(msg.h0));
      reply = { ok: true };
    } else if (msg.cmd === "grads") {
      const { loss, grads } = model!.run();
      reply = { loss, ...Object.fromEntries(Object.entries(grads).map(([k, v]) => [k, Array.from(v)])) };
    } else if (msg.cmd === "time") {
      const t0 = performance.now();
      for (let i = 0; i < msg.reps; i++) model!.run();
      reply = { seconds: (performance.now() - t0) / 1000 };
    } else reply = { error: `unknown command ${msg.cmd}` };
  } catch (e) {
    reply = { error: e instanceof Error ? e.message : String(e) };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
}

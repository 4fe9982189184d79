/**
 * A peer engine in a long-lived child process, driven line by line so that its timings alternate with ours: python3
 * running bench/numpy_bptt.py, Debian's python3 running bench/torch_bptt.py, or node running bench/tfjs-peer.ts.
 * Each times its own batches.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import type { Vector } from "../lib/core/matrix.js";
import type { Params } from "../lib/derivation/model.js";

export function numpyAvailable(): string | null {
  const r = spawnSync("python3", ["-c", "import numpy; print(numpy.__version__)"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * PyTorch is Debian's python3-torch, installed for Debian's /usr/bin/python3 (the first python3 on PATH may be
 * another interpreter without it); BPTT_PYTHON names another interpreter, as for the tests (test/torch.ts).
 */
export const TORCH_PYTHON = process.env.BPTT_PYTHON ?? "/usr/bin/python3";

export function torchAvailable(): string | null {
  const r = spawnSync(TORCH_PYTHON, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

export interface Peer {
  load(p: Params, inputs: readonly number[], targets: readonly number[], h0: Vector): Promise<void>;
  /** The loss and the six gradients (arrays of rows, or flat arrays). */
  grads(): Promise<Record<string, number[] | number[][] | number>>;
  /** Seconds for `reps` evaluations, timed inside python. */
  time(reps: number): Promise<number>;
  close(): void;
}

export function startPeer(name: string, command: string, args: string[], env: Record<string, string> = {}): Peer {
  const child: ChildProcessWithoutNullStreams = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const ask = async (msg: object): Promise<Record<string, unknown>> => {
    child.stdin.write(JSON.stringify(msg) + "\n");
    const { value, done } = await lines.next();
    if (done) throw new Error(`${name} peer exited: ${stderr.trim().split("\n").pop() ?? "no message"}`);
    const reply = JSON.parse(value as string) as Record<string, unknown>;
    if (reply.error) throw new Error(`${name} peer: ${String(reply.error)}`);
    return reply;
  };
  const rows = (m: { rows: number; cols: number; data: Float64Array }) =>
    Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return {
    async load(p, inputs, targets, h0) {
      await ask({
        cmd: "load", E: rows(p.E), U: rows(p.U), W: rows(p.W), b: Array.from(p.b), V: rows(p.V), c: Array.from(p.c),
        inputs, targets, h0: Array.from(h0),
      });
    },
    grads: async () => (await ask({ cmd: "grads" })) as Record<string, number[] | number[][] | number>,
    time: async (reps) => (await ask({ cmd: "time", reps })).seconds as number,
    close: () => child.stdin.end(),
  };
}

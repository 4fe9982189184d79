/**
 * PyTorch for the tests that compare against it: Debian's python3-torch, installed for Debian's /usr/bin/python3
 * (the first python3 on PATH may be another interpreter without it). Python is not part of the npm toolchain, so a
 * machine without it skips those tests with the reason, except under CI, where .ci/run installs it and its absence
 * is a failure (as test/browser/engines.ts treats a missing browser).
 */
import { spawnSync } from "node:child_process";

export const PYTHON = process.env.BPTT_PYTHON ?? "/usr/bin/python3";

function probe(): { version: string } | { missing: string } {
  const r = spawnSync(PYTHON, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8", timeout: 60_000 });
  if (r.error) return { missing: `${PYTHON} cannot be run (${r.error.message})` };
  if (r.status !== 0) return { missing: `${PYTHON} cannot import torch (install Debian's python3-torch)` };
  return { version: r.stdout.trim() };
}

const found = probe();

/** PyTorch's version, or undefined when it is missing outside CI (the caller skips; the reason is printed once). */
export const TORCH_VERSION: string | undefined = "version" in found ? found.version : undefined;

if ("missing" in found) {
  if (process.env.CI) throw new Error(`CI needs PyTorch: ${found.missing}`);
  console.warn(`skipping the PyTorch comparisons: ${found.missing}`);
}

/** Runs a Python program on PyTorch's interpreter with `input` on stdin; one thread, so timings and bits are stable. */
export function runPython(args: string[], input = "", timeoutMs = 120_000) {
  return spawnSync(PYTHON, args, {
    input,
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
  });
}

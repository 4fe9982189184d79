/**
 * `npm run bench` keeps working: a quick run at the tiny size prints the table and ends with the JSON line of
 * ratios. Only figures against autodiff engines are asserted, loosely: ours is faster than TF.js and, where PyTorch
 * is installed (always under CI: test/torch.ts), than PyTorch in float64 and float32 at the tiny size (by two orders
 * of magnitude on a quiet machine); the others only exist. Each peer's gradients must agree with ours before the
 * bench times it, or it exits non-zero. CI machines share their cores; docs/performance.md records a full run.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { PYTHON, TORCH_VERSION } from "./torch.js";

describe("npm run bench", () => {
  it("prints the table and a last line of ratios", () => {
    const r = spawnSync("npx", ["tsx", "bench/run.ts"], {
      encoding: "utf8", env: { ...process.env, BENCH_QUICK: "1", BENCH_SIZES: "tiny" }, timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines.some((l) => l.startsWith("| tiny | (8, 4, 6, 6) |"))).toBe(true);
    const ratios = JSON.parse(lines.at(-1)!);
    expect(ratios.vsTfjs.tiny).toBeGreaterThan(1);
    if (TORCH_VERSION) {
      expect(lines).toContain(`PyTorch: ${TORCH_VERSION}, one thread (${PYTHON})`);
      expect(ratios.vsTorch64.tiny).toBeGreaterThan(1);
      expect(ratios.vsTorch32.tiny).toBeGreaterThan(1);
    } else expect([ratios.vsTorch64.tiny, ratios.vsTorch32.tiny]).toEqual([null, null]);
    expect(ratios.tinyMicros).toBeGreaterThan(0);
    expect(ratios.fdCheckMillis).toBeGreaterThan(0);
    expect(ratios.peakGflops).toBeGreaterThan(0);
  }, 150_000);
});

/**
 * "The same seed gives the same numbers in Node and in the browser", checked bit for bit: lib/ bundled as a
 * classic script, run in Chromium, and compared with the same calls here. lib/fastmath.ts's exp and tanh replace
 * Math's in the fast paths, so they are compared over many arguments, and so is a whole forward + backward pass of
 * lib/fast.ts (its products in WebAssembly SIMD) and lib/backward.ts on a seeded model (the numbers the training
 * page and the bench compute).
 */
import { join } from "node:path";
import * as esbuild from "esbuild";
import { describe, expect, it } from "vitest";
import { useSite } from "./harness.js";
import * as probe from "./same-bits-probe.js";

const site = useSite();

describe("the same numbers in Chromium as in Node", () => {
  it("expFast, tanhFast, lib/fast.ts and lib/backward.ts give identical bits", async () => {
    const bundle = await esbuild.build({
      entryPoints: [join(import.meta.dirname, "same-bits-probe.ts")],
      bundle: true, write: false, format: "iife", globalName: "sameBitsProbe", target: "es2022", platform: "browser",
    });
    const { page, problems } = await site.open("/");
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    const inBrowser = await page.evaluate(() => (globalThis as unknown as { sameBitsProbe: typeof probe }).sameBitsProbe.run());
    const inNode = probe.run();
    expect(Object.keys(inBrowser)).toEqual(Object.keys(inNode));
    for (const key of Object.keys(inNode) as (keyof typeof inNode)[]) {
      const a = inNode[key], b = inBrowser[key];
      expect(b.length, key).toBe(a.length);
      const differing = a.findIndex((v, i) => v !== b[i]);
      expect(differing, `${key}: first differing entry ${differing}: Node ${a[differing]}, Chromium ${b[differing]}`).toBe(-1);
    }
    expect(inNode.exp.length).toBeGreaterThan(1000);
    expect(inBrowser.kernels).toEqual(["wasm"]); // on the main thread too: no silent fallback to the JS kernels
    expect(problems).toEqual([]);
  });
});

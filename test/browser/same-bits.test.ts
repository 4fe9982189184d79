/**
 * "The same seed gives the same numbers in Node and in every browser", checked bit for bit in Chromium, Firefox
 * and WebKit: same-bits-probe.ts, bundled as a classic script, runs in a page of the built site and here, and
 * every result is compared. One test per quantity and engine, so a failure names the engine, the key and the
 * first differing entry (its argument, both results' bits, how many differ):
 *
 * - lib's own exp, log and tanh over 120,000 arguments each (they replace Math's so that the bits agree);
 * - a forward + backward pass of lib/fast/fast.ts (its products in WebAssembly SIMD) and of lib/derivation/backward.ts on a
 *   seeded model;
 * - the answer key's bytes for generated cases, and for the golden cases also against the committed files in
 *   test/golden/ (which test/golden.test.ts holds Node to).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { ENGINES, engineBlock, useEngineSite } from "./engines.js";
import * as probe from "./same-bits-probe.js";
import { GOLDEN_CASES, goldenPath } from "../golden/cases.js";
import { firstDifference } from "../golden/diff.js";

const root = join(import.meta.dirname, "../..");

let bundle: Promise<string> | undefined;
/** The probe and the lib/ code it calls as one classic script defining `sameBitsProbe` (built once). */
function probeBundle(): Promise<string> {
  bundle ??= esbuild.build({
    entryPoints: [join(import.meta.dirname, "same-bits-probe.ts")],
    bundle: true, write: false, format: "iife", globalName: "sameBitsProbe", target: "es2022", platform: "browser",
  }).then((r) => r.outputFiles[0]!.text);
  return bundle;
}

let node: { result: probe.ProbeResult; args: ReturnType<typeof probe.probeArguments> } | undefined;
const inNode = () => (node ??= { result: probe.run(), args: probe.probeArguments() });

/** The numeric keys of the probe's result (besides `kernels` and the answer keys). */
const KEYS = ["exp", "log", "tanh", "lib/fast/fast.ts", "lib/derivation/backward.ts"];
const ANSWER_KEYS = probe.answerKeyCases().map(([k]) => k);
const ELEMENTARY = new Set(["exp", "log", "tanh"]);

/** One line saying where `got` first differs from Node's `want` for `key`, or null. */
function compare(key: string, want: string[], got: string[] | undefined, engine: string): string | null {
  if (!got) return `${key}: missing from ${engine}'s result`;
  if (key.startsWith("answer-key")) return firstDifference(want[0]!, got[0] ?? "");
  if (got.length !== want.length) return `${key}: ${got.length} entries in ${engine}, ${want.length} in Node`;
  let first = -1, count = 0;
  for (let i = 0; i < want.length; i++) {
    if (want[i] !== got[i]) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (first < 0) return null;
  const arg = ELEMENTARY.has(key) ? `${key}(${inNode().args[key as "exp"][first]}) ` : "";
  return `${count} of ${want.length} entries differ; first at [${first}]: ${arg}Node 0x${want[first]}, ${engine} 0x${got[first]}`;
}

for (const engine of ENGINES) {
  const { title, skip } = engineBlock(engine);
  describe.skipIf(skip)(`${title}: the same bits as Node`, () => {
    const site = useEngineSite(engine);
    let result: probe.ProbeResult;
    let problems: string[] = [];
    let seconds = 0;

    beforeAll(async () => {
      const source = await probeBundle();
      const visit = await site.open("/");
      const t0 = performance.now();
      await visit.page.evaluate((src: string) => {
        const script = document.createElement("script"); // a classic script: its `var sameBitsProbe` is a global
        script.textContent = src;
        document.head.append(script);
      }, source);
      const json = await visit.page.evaluate(() => JSON.stringify((globalThis as unknown as { sameBitsProbe: typeof probe }).sameBitsProbe.run()));
      seconds = (performance.now() - t0) / 1000;
      result = JSON.parse(json) as probe.ProbeResult;
      problems = await visit.problems();
      await visit.page.close();
    }, 300_000);

    it("ran the probe on a page with no problem, its products in WebAssembly SIMD", () => {
      console.log(`${engine.name}: the probe ran in ${seconds.toFixed(1)} s (bundle, ${probe.ARGUMENTS_PER_FUNCTION} arguments per function, ${ANSWER_KEYS.length} answer keys, transfer)`);
      expect(problems).toEqual([]);
      expect(Object.keys(result).sort()).toEqual(Object.keys(inNode().result).sort());
      expect(result.kernels, "the products ran in WebAssembly SIMD on the main thread, not the JS fallback").toEqual(["wasm"]);
    });

    it.each([...KEYS, ...ANSWER_KEYS])("%s", (key) => {
      const want = inNode().result[key]!;
      expect(want.length).toBeGreaterThan(0);
      if (ELEMENTARY.has(key)) expect(want.length).toBeGreaterThanOrEqual(100_000);
      const diff = compare(key, want, result[key], engine.name);
      expect(diff, `${engine.name} ${key}: ${diff}`).toBeNull();
    });

    it.each(GOLDEN_CASES.map((c) => [c.name, c] as const))("answer key %s: the committed golden bytes", (_, c) => {
      const want = readFileSync(join(root, goldenPath(c)), "utf8");
      const got = result[`answer-key ${c.name}`]?.[0] ?? "";
      const diff = firstDifference(want, got);
      expect(diff, `${engine.name} vs ${goldenPath(c)}: ${diff}`).toBeNull();
    });
  });
}

/**
 * "Reproduce in PyTorch" on the built site (src/components/pytorch-download.ts): after a reader changes the settings,
 * the button downloads the script of the configuration now on screen — byte for byte what the generator gives for it
 * under Node (lib/tools/pytorch-script.ts, pytorch-stacked-script.ts) — and that script passes under PyTorch.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { DEFAULT_CONFIG, buildExample } from "../../lib/state/example.js";
import { STACKED_DEFAULTS, buildStackedExample } from "../../lib/state/stacked-config.js";
import type { PythonScript } from "../../lib/tools/pytorch-python.js";
import { pytorchScript } from "../../lib/tools/pytorch-script.js";
import { stackedPytorchScript } from "../../lib/tools/pytorch-stacked-script.js";
import { TORCH_VERSION } from "../torch.js";
import { runScript } from "../tools/run-scripts.js";
import { useSite } from "./harness.js";

const site = useSite();

/** Where two texts first differ, as "line N: got … / want …", or null when they are the same. */
function firstDifference(got: string, want: string): string | null {
  if (got === want) return null;
  const g = got.split("\n"), w = want.split("\n");
  const i = g.findIndex((line, k) => line !== w[k]);
  const at = i < 0 ? g.length : i;
  return `line ${at + 1}: got ${JSON.stringify(g[at]?.slice(0, 120))} / want ${JSON.stringify(w[at]?.slice(0, 120))}`;
}

/** Sets the settings form's fields, presses the button once it has been rebuilt for them: the download. */
async function download(page: Page, fields: Record<string, string>): Promise<{ filename: string; text: string; status: string }> {
  for (const [name, value] of Object.entries(fields)) {
    // One edit at a time, each waiting for the button to be rebuilt, so that the one pressed is the last one's.
    const before = await page.locator(".pytorch-button").elementHandle();
    const field = page.locator(`main .config-form [name=${name}]`);
    if (await field.evaluate((e) => e.tagName === "SELECT")) await field.selectOption(value);
    else await field.fill(value);
    await page.waitForFunction((b) => !b!.isConnected, before);
  }
  const [dl] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Reproduce in PyTorch" }).click()]);
  const chunks: Buffer[] = [];
  for await (const chunk of (await dl.createReadStream())!) chunks.push(chunk as Buffer);
  await page.waitForFunction(() => document.querySelector(".pytorch-status")?.textContent !== "");
  return { filename: dl.suggestedFilename(), text: Buffer.concat(chunks).toString("utf8"), status: await page.locator(".pytorch-status").innerText() };
}

/** The two pages with the button, what a reader changes on each, and the script expected for the result. */
const CASES: { path: string; what: string; fields: Record<string, string>; filename: string; count: number; want: () => PythonScript }[] = [
  {
    path: "/hidden", what: "seed and h⁽⁰⁾", fields: { seed: "7", h0: "point-one" }, filename: "bptt-cabbage-d4-h6-seed7-h0-0.1.py", count: 20,
    want: () => pytorchScript(buildExample({ ...DEFAULT_CONFIG, seed: 7, h0: "point-one" })),
  },
  {
    path: "/stacked", what: "seed and batch", fields: { seed: "7", n: "4" }, filename: "stacked-rnn-n4-T2-d2-h4-h2-a3-seed7.py", count: 33,
    want: () => stackedPytorchScript(buildStackedExample({ ...STACKED_DEFAULTS, seed: 7, n: 4 })),
  },
];

describe("Reproduce in PyTorch", () => {
  for (const c of CASES) {
    it(`on ${c.path}, after the ${c.what} change, downloads the generator's script of the new configuration, which passes`, async () => {
      const { page, problems } = await site.open(c.path);
      const got = await download(page, c.fields);
      const want = c.want();
      expect(got.filename).toBe(c.filename);
      expect(got.filename).toBe(want.filename);
      expect(firstDifference(got.text, want.text)).toBeNull();
      expect(got.status).toBe(`Saved ${c.filename}: run it with python3 and PyTorch.`);
      if (TORCH_VERSION !== undefined) {
        const r = runScript(got.text);
        expect(r.stdout).toContain(`All ${c.count} quantities agree`);
        expect(r.status).toBe(0);
      }
      await page.close();
      expect(problems).toEqual([]);
    });
  }
});

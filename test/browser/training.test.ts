/**
 * /training in Chromium: the character RNN trains in its worker (the smoothed loss falls below ln(vocab)), the page
 * answers clicks while it trains (Pause stops the step counter within 500 ms, measured), Resume continues, Reset
 * returns to step 0, an invalid setting is refused with one message, and the worker's speed is reported.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { buildVocab } from "../../lib/fast/charrnn.js";
import { useSite } from "./harness.js";

/**
 * A floor on the worker's speed at hidden 100, τ 25 (the defaults), not the target: the target (500 steps/s) is
 * measured on a quiet machine and recorded in docs/training.md (510–1364 there). In CI the browser suite shares two
 * cores with everything else (a run before the WebAssembly kernels measured 239, runs after them 1297–1317), so this
 * only catches a gross regression — training code that allocates per step, or a fast path lost — which shows up as
 * a factor of several.
 */
const MIN_STEPS_PER_SEC = 100;
/** How soon after a click on Pause the step counter must stand still. */
const PAUSE_MS = 500;

const site = useSite();

const text = readFileSync(new URL("../../src/data/shakespeare.txt", import.meta.url), "utf8");
const vocab = buildVocab(text).chars.length;

const num = async (page: Page, cls: string) => Number(await page.locator(`.${cls}`).textContent());

describe("the training page", () => {
  it("trains: the loss falls, Pause/Resume/Reset answer while it trains, and it is fast enough", async () => {
    const { page, problems } = await site.open("/training");
    expect(await num(page, "train-step")).toBe(0);
    await page.getByRole("button", { name: "Start" }).click();
    await expect.poll(() => num(page, "train-step"), { timeout: 10_000 }).toBeGreaterThan(0);

    // The loss falls: the smoothed loss starts at ln(vocab) and drops below it within seconds.
    const start = Math.log(vocab);
    await expect.poll(() => num(page, "train-smooth"), { timeout: 30_000, interval: 250 }).toBeLessThan(start - 0.05);
    expect(await page.locator(".train-status").textContent()).toContain(`ln ${vocab} = ${start.toFixed(3)}`);

    // Speed, at the default hidden 100, τ 25 (after a second or more of training, the worker's window is full).
    await expect.poll(() => num(page, "train-rate"), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.waitForTimeout(1500);
    const rate = await num(page, "train-rate");
    const stepsSoFar = await num(page, "train-step");
    console.log(`training: ${rate} steps/s at hidden 100, τ 25 (step ${stepsSoFar}, smoothed loss ${await num(page, "train-smooth")})`);
    expect(rate).toBeGreaterThanOrEqual(MIN_STEPS_PER_SEC);

    // eq 4.9 on screen: the shaded rows of (DL)_E are the distinct characters of the chunk shown beside them.
    const shown = await page.evaluate(() => ({
      chunk: document.querySelector(".train-chunk code")?.textContent ?? "",
      on: Array.from(document.querySelectorAll(".train-vocab .vc.on"), (e) => e.textContent ?? ""),
    }));
    expect(shown.chunk.length).toBe(25);
    expect(new Set(shown.on)).toEqual(new Set(Array.from(shown.chunk)));

    // A sample has been written (every 200 steps by default).
    await expect.poll(async () => ((await page.locator(".train-sample").textContent()) ?? "").length, { timeout: 10_000 }).toBe(200);

    // Pause answers while training: measured from the click to the counter standing still.
    const pause = await page.evaluate(async () => {
      const step = () => Number(document.querySelector(".train-step")!.textContent);
      const t0 = performance.now();
      (Array.from(document.querySelectorAll("button")).find((b) => b.textContent === "Pause") as HTMLButtonElement).click();
      const clickMs = performance.now() - t0; // how long the main thread took to handle the click
      // The worker confirms with its last progress message: "Paused at step N".
      while (!/^Paused at step \d+/.test(document.querySelector(".train-status")!.textContent ?? "") && performance.now() - t0 < 5000) {
        await new Promise((r) => setTimeout(r, 5));
      }
      const confirmedMs = performance.now() - t0;
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      const at = step();
      await new Promise((r) => setTimeout(r, 1000));
      return { clickMs, confirmedMs, at, later: step(), status: document.querySelector(".train-status")!.textContent };
    });
    console.log(`training: Pause handled in ${pause.clickMs.toFixed(1)} ms, confirmed by the worker after ${pause.confirmedMs.toFixed(1)} ms`);
    expect(pause.confirmedMs).toBeLessThan(PAUSE_MS);
    expect(pause.later).toBe(pause.at);
    expect(pause.status).toBe(`Paused at step ${pause.at}.`);

    // Resume continues from there.
    await page.getByRole("button", { name: "Resume" }).click();
    await expect.poll(() => num(page, "train-step"), { timeout: 10_000 }).toBeGreaterThan(pause.at);

    // An invalid setting: one message naming the field; the run goes on with the last good settings.
    const lr = page.getByLabel("Learning rate");
    await lr.fill("-1");
    await expect.poll(() => page.locator(".config-error").textContent()).toMatch(/^Learning rate: expected a number above 0/);
    expect(await lr.getAttribute("aria-invalid")).toBe("true");
    const before = await num(page, "train-step");
    await expect.poll(() => num(page, "train-step")).toBeGreaterThan(before);
    await lr.fill("0.1");
    await expect.poll(() => page.locator(".config-error").textContent()).toBe("");

    // Reset returns to step 0 and stops.
    await page.getByRole("button", { name: "Reset" }).click();
    await expect.poll(() => num(page, "train-step")).toBe(0);
    await page.waitForTimeout(500);
    expect(await num(page, "train-step")).toBe(0);
    expect(await page.getByRole("button", { name: "Start" }).isEnabled()).toBe(true);
    expect(await page.locator(".train-sample").textContent()).toBe("");

    // And starts again from the seed.
    await page.getByRole("button", { name: "Start" }).click();
    await expect.poll(() => num(page, "train-step"), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.close();
    expect(problems).toEqual([]);
  });
});

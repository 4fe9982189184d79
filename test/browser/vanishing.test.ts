/**
 * /vanishing in Chromium: its anchors (d2l eqs 2.4a–b, the intuition page's corrected Step 2 and Step 3) each with a
 * passing live cell, the ‖∂L/∂h_t‖ ratios shown are lib's, and an invalid setting shows one message and keeps the
 * last good numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { gradientNormDemo } from "../../lib/spectral.js";
import { VANISHING_DEFAULT } from "../../lib/spectral-config.js";
import { openPage, startSite } from "./harness.js";

let browser: Browser;
let base: string;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => ({ base, browser, stop } = await startSite()));
afterAll(async () => stop?.());

async function open(): Promise<{ page: Page; problems: string[] }> {
  return openPage(browser, `${base}/vanishing`);
}

/** The ratio column of the "first step over last" table, by activation. */
function shownRatios(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const table = Array.from(document.querySelectorAll("table.number-table")).find((t) => t.querySelector("caption")?.textContent?.startsWith("How far the signal travels"));
    if (!table) return {};
    return Object.fromEntries(Array.from(table.querySelectorAll("tbody tr"), (tr) => {
      const td = tr.querySelectorAll("td");
      return [td[0]!.textContent, Number(td[1]!.textContent)];
    }));
  });
}

const ratioOf = (activation: "identity" | "tanh" | "relu", rho = VANISHING_DEFAULT.rho) => {
  const d = gradientNormDemo({ ...VANISHING_DEFAULT, rho, activation });
  return d.norms[0]! / d.norms[VANISHING_DEFAULT.T - 1]!;
};

describe("the vanishing-gradients page", () => {
  it("has its anchors, each followed by a live cell whose check passes", async () => {
    const { page, problems } = await open();
    const ids = await page.evaluate(() => Array.from(document.querySelectorAll(".equation[id]"), (e) => e.id));
    expect(ids).toEqual(["d2l-2-4a", "d2l-2-4b", "intuition-step-2-corrected", "intuition-step-3"]);
    expect(await page.locator(".check-pass").count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator(".check-fail").count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("shows lib's ‖∂L/∂h_1‖/‖∂L/∂h_T‖ and keeps it when a setting is invalid", async () => {
    const { page, problems } = await open();
    await expect.poll(async () => Object.keys(await shownRatios(page)).length).toBe(3);
    const before = await shownRatios(page);
    for (const [name, act] of [["linear", "identity"], ["tanh", "tanh"], ["ReLU", "relu"]] as const) {
      expect(Math.abs(before[name]! - ratioOf(act)) / ratioOf(act)).toBeLessThan(1e-3);
    }
    const rho = page.getByLabel("Spectral radius ρ");
    await rho.fill("7");
    await expect.poll(() => page.locator(".config-error").textContent()).toMatch(/^rho: 7 is out of range/);
    expect(await rho.getAttribute("aria-invalid")).toBe("true");
    expect(await shownRatios(page)).toEqual(before);
    await rho.fill("1.2");
    await expect.poll(() => page.locator(".config-error").textContent()).toBe("");
    const want = ratioOf("identity", 1.2);
    await expect.poll(async () => Math.abs((await shownRatios(page)).linear! - want) / want).toBeLessThan(1e-3);
    expect((await shownRatios(page)).linear).toBeGreaterThan(1); // exploding
    expect(await page.locator(".check-fail").count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });
});

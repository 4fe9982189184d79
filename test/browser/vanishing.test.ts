/**
 * /vanishing in Chromium: its anchors (the intuition page's corrected Step 2, Step 3 and its displays 3a–3d with the
 * corrected 3c and 3d; D2L's 2.4a–b are restated without an id, their home is /d2l) each with a passing live cell, the ‖∂L/∂h_t‖ ratios shown are lib's, and an invalid setting shows one message and keeps the
 * last good numbers.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { gradientNormDemo } from "../../lib/spectral.js";
import { VANISHING_DEFAULT } from "../../lib/spectral-config.js";
import { useSite } from "./harness.js";

const site = useSite();

const open = () => site.open("/vanishing");

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
    expect(ids).toEqual([
      "intuition-step-2-corrected", "intuition-step-3", "intuition-step-3-a", "intuition-step-3-b", "intuition-step-3-c",
      "intuition-step-3-c-corrected", "intuition-step-3-d", "intuition-step-3-d-corrected",
    ]);
    // D2L's (2.4a) and (2.4b) are restated with a link to their home on /d2l, not anchored twice
    expect(await page.locator('a[href$="d2l#d2l-2-4a"]').count()).toBe(1);
    expect(await page.locator('a[href$="d2l#d2l-2-4b"]').count()).toBe(1);
    expect(await page.locator(".check-pass").count()).toBeGreaterThanOrEqual(8);
    expect(await page.locator(".check-fail").count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("shows Step 3c as written as zero and Step 3d as written with the shape of h, each without a badge", async () => {
    const { page, problems } = await open();
    const cell = (id: string) => page.evaluate((eqId) => {
      const eq = document.getElementById(eqId)!;
      for (let n = eq.nextElementSibling; n && !n.matches(".equation, h1, h2, h3"); n = n.nextElementSibling) {
        const c = n.matches(".live-cell") ? n : n.querySelector(".live-cell");
        if (c) return { text: c.textContent ?? "", badges: c.querySelectorAll(".check-pass, .check-fail").length };
      }
      return null;
    }, id);
    const c3 = (await cell("intuition-step-3-c"))!;
    expect(c3.text).toMatch(/every ∂hₜ\/∂W_hh is 0 — at t = T the largest \|entry\| is 0/);
    expect(c3.badges).toBe(0);
    const d3 = (await cell("intuition-step-3-d"))!;
    expect(d3.text).toContain(`a vector of shape [${VANISHING_DEFAULT.hidden}], where ∂L/∂W_hh is [${VANISHING_DEFAULT.hidden}, ${VANISHING_DEFAULT.hidden}]`);
    expect(d3.badges).toBe(0);
    for (const id of ["intuition-step-3-a", "intuition-step-3-b", "intuition-step-3-c-corrected", "intuition-step-3-d-corrected"]) {
      expect((await cell(id))!.badges, id).toBe(1);
    }
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

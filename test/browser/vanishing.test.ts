/**
 * /vanishing in Chromium: its anchors (the intuition page's corrected Step 2, Step 3 and its displays 3a–3d with the
 * corrected 3c and 3d; D2L's 2.4a–b are restated without an id, their home is /d2l) each with a passing live cell, the ‖∂L/∂h_t‖ ratios shown are lib's, and an invalid setting shows one message and keeps the
 * last good numbers. The settings live in the URL: a link opens with them, an edit updates it, and a link with a
 * bad setting says so and shows exactly the settings the numbers were computed with.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { gradientNormDemo } from "../../lib/d2l/vanishing.js";
import { VANISHING_DEFAULT } from "../../lib/state/spectral-config.js";
import { useSite } from "./harness.js";

const site = useSite();

const open = (query = "") => site.open(`/vanishing${query}`);

/** The form's fields as shown. */
const shownForm = (page: Page) => page.evaluate(() =>
  Object.fromEntries(Array.from(document.querySelectorAll<HTMLInputElement | HTMLSelectElement>(".config-form [name]"), (el) => [el.name, el.value])));

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

const ratioOf = (activation: "identity" | "tanh" | "relu", rho = VANISHING_DEFAULT.rho, over: Partial<typeof VANISHING_DEFAULT> = {}) => {
  const c = { ...VANISHING_DEFAULT, ...over, rho, activation };
  const d = gradientNormDemo(c);
  return d.norms[0]! / d.norms[c.T - 1]!;
};

const close = (a: number | undefined, b: number) => Math.abs(a! - b) / b < 1e-3;

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

  it("opens a link's settings: /vanishing?rho=1.2 shows ρ = 1.2 and computes with it", async () => {
    const { page, problems } = await open("?rho=1.2&T=40");
    expect(await shownForm(page)).toEqual({ rho: "1.2", hidden: "6", T: "40", activation: "tanh", seed: "1" });
    await expect.poll(async () => Object.keys(await shownRatios(page)).length).toBe(3);
    const shown = await shownRatios(page);
    expect(close(shown.linear, ratioOf("identity", 1.2, { T: 40 }))).toBe(true);
    expect(close(shown.linear, ratioOf("identity"))).toBe(false);
    expect(await page.locator(".config-error").textContent()).toBe("");
    expect(await page.evaluate(() => location.search)).toBe("?rho=1.2&T=40");
    // An edit updates the address, which is what a copied link and a reload reopen.
    await page.getByLabel("Activation φ").selectOption("relu");
    await expect.poll(() => page.evaluate(() => location.search)).toBe("?rho=1.2&T=40&activation=relu");
    expect(await page.locator(".check-fail").count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("a link with one bad setting says so and shows the default for it, keeping the others", async () => {
    const { page, problems } = await open("?rho=1.2&seed=0x10");
    await expect.poll(() => page.locator(".config-error").textContent()).toBe(
      'seed: "0x10" is not an integer in plain decimal digits: expected an integer from 0 to 4294967295 — showing seed = 1 (the default) and the link\'s other settings.');
    expect(await shownForm(page)).toMatchObject({ rho: "1.2", seed: "1" });
    await expect.poll(async () => close((await shownRatios(page)).linear, ratioOf("identity", 1.2))).toBe(true);
    // The address now holds what is shown, so a copied link reproduces these numbers.
    expect(await page.evaluate(() => location.search)).toBe("?rho=1.2");
    for (const [query, field] of [["?seed=%204", "seed"], ["?hidden=1e1", "hidden"], ["?T=30.0", "T"], ["?rho=1e0", "rho"]]) {
      const p = await open(query!);
      await expect.poll(() => p.page.locator(".config-error").textContent()).toMatch(new RegExp(`^${field}: ".*" is not (an integer in plain decimal digits|a plain decimal number)`));
      expect(await shownForm(p.page)).toEqual(Object.fromEntries(Object.entries(VANISHING_DEFAULT).map(([k, v]) => [k, String(v)])));
      await p.page.close();
    }
    await page.close();
    expect(problems).toEqual([]);
  });

  it("a malformed link gets one bounded line, never a stack trace", async () => {
    const query = `?rho=%E0%A4%A&activation=${encodeURIComponent("tanh\u2028\u0000")}&hidden=${"9".repeat(3000)}&T=2&T=3`;
    const { page, problems } = await open(query);
    const message = (await page.locator(".config-error").textContent())!;
    expect(message).toMatch(/^rho: "%E0%A4%A" is not valid percent-encoding: expected characters, or UTF-8 bytes as %XX \(and 3 more problems\) — showing the defaults for rho, hidden, T, activation\.$/);
    expect(message.length).toBeLessThanOrEqual(200);
    expect(message).not.toMatch(/[\u0000-\u001f\u2028\u2029]|\bat .*:\d+/);
    expect(await shownForm(page)).toEqual(Object.fromEntries(Object.entries(VANISHING_DEFAULT).map(([k, v]) => [k, String(v)])));
    expect(await page.evaluate(() => location.search)).toBe("");
    await page.close();
    expect(problems).toEqual([]);
  });
});

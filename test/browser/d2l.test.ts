/**
 * The D2L page (/d2l) in Chromium: its anchors in the lib's numbering, the loss it shows against lib/, the page's own
 * controls (a change recomputes, an invalid value shows one message and keeps the last good numbers), its settings
 * in the URL (`?T=7&h=2`; a bad one replaced by its default, with a message), and the main pages' parameters ignored.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { D2L_DEFAULT, buildD2L } from "../../lib/state/d2l-config.js";
import { useSite } from "./harness.js";

const site = useSite();

async function open(query = ""): Promise<{ page: Page; problems: string[] }> {
  return site.open(`/d2l${query}`);
}

const shownLoss = async (page: Page) => Number((await page.locator(".live-value", { hasText: "L = " }).textContent())!.replace(/^.*L = /, "").split(" ")[0]);

describe("the D2L page", () => {
  it("has the anchors of d2l eqs 2a–2.5 and 1c–1e, each tagged with its number, and no failing check", async () => {
    const { page, problems } = await open();
    const anchors = await page.evaluate(() =>
      Array.from(document.querySelectorAll(".equation[id]"), (e) => ({ id: e.id, tag: e.querySelector(".katex-tag")?.textContent })));
    expect(anchors).toEqual([
      ["d2l-2a", "2a"], ["d2l-2b", "2b"], ["d2l-2-1", "2.1"], ["d2l-2-2", "2.2"], ["d2l-2-3", "2.3"], ["d2l-2-4a", "2.4a"],
      ["d2l-2-4b", "2.4b"], ["d2l-2-5", "2.5"], ["d2l-1c", "1c"], ["d2l-1d", "1d"], ["d2l-1e", "1e"],
    ].map(([id, n]) => ({ id, tag: `(${n})` })));
    expect(await page.locator(".check-fail").count()).toBe(0);
    expect(await page.locator(".check-pass").count()).toBeGreaterThanOrEqual(16);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows lib's L, recomputes on a change, and keeps the last good state on an invalid value", async () => {
    const { page, problems } = await open();
    expect(Math.abs((await shownLoss(page)) - buildD2L(D2L_DEFAULT).fwd.loss)).toBeLessThan(1e-9);

    await page.getByLabel("Steps T").fill("7");
    const seven = buildD2L({ ...D2L_DEFAULT, T: 7 }).fwd.loss;
    await expect.poll(() => shownLoss(page)).toBeCloseTo(seven, 9);
    expect(await page.locator(".check-fail").count()).toBe(0);

    await page.getByLabel("Hidden size h").fill("9");
    const alert = page.locator(".config-error");
    await expect.poll(() => alert.textContent()).toMatch(/^h: 9 is out of range/);
    expect(await page.getByLabel("Hidden size h").getAttribute("aria-invalid")).toBe("true");
    expect(await shownLoss(page)).toBeCloseTo(seven, 9);

    await page.getByLabel("Hidden size h").fill("2");
    await expect.poll(() => alert.textContent()).toBe("");
    await expect.poll(() => shownLoss(page)).toBeCloseTo(buildD2L({ ...D2L_DEFAULT, T: 7, hidden: 2 }).fwd.loss, 9);
    expect(await page.locator(".check-fail").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("opens the settings of its URL, and writes each edit back", async () => {
    const { page, problems } = await open("?T=7&h=2&seed=3");
    const want = buildD2L({ ...D2L_DEFAULT, T: 7, hidden: 2, seed: 3 }).fwd.loss;
    expect(want).not.toBeCloseTo(buildD2L(D2L_DEFAULT).fwd.loss, 6);
    expect(await shownLoss(page)).toBeCloseTo(want, 9);
    expect(await page.getByLabel("Hidden size h").inputValue()).toBe("2");
    await page.getByLabel("Loss l").selectOption("squared");
    await expect.poll(() => page.evaluate(() => location.search)).toBe("?T=7&h=2&seed=3&loss=squared");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("replaces a bad setting of its URL by the default, says so, and shows what it computed with", async () => {
    const { page, problems } = await open("?h=9&T=7");
    expect(await page.locator(".config-error").textContent()).toBe(
      "h: 9 is out of range: expected an integer from 1 to 4 — showing h = 3 (the default) and the link's other settings.");
    expect(await page.getByLabel("Hidden size h").inputValue()).toBe("3");
    expect(await shownLoss(page)).toBeCloseTo(buildD2L({ ...D2L_DEFAULT, T: 7 }).fwd.loss, 9);
    expect(await page.evaluate(() => location.search)).toBe("?T=7");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("ignores the main pages' query parameters", async () => {
    const { page } = await open("?text=badge&d_model=3");
    expect(Math.abs((await shownLoss(page)) - buildD2L(D2L_DEFAULT).fwd.loss)).toBeLessThan(1e-9);
    expect(await page.locator(".config-error").textContent()).toBe("");
    await page.close();
  });
});

/**
 * /truncation in Chromium: its anchors (d2l eqs 1.2, 1.3a and the corrected 1.3b; eq 1e is restated without an id,
 * its home is /d2l) each with a passing live cell,
 * the exact variances shown are lib's, and N above 2000 is refused with one message while the numbers stay; its
 * settings live in the URL.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { gradientNormDemo } from "../../lib/d2l/vanishing.js";
import { TRUNCATION_DEFAULT } from "../../lib/state/spectral-config.js";
import { exactRandomizedMoments, flattenWeights, fullGradient } from "../../lib/d2l/truncation.js";
import { useSite } from "./harness.js";

const site = useSite();

const open = (query = "") => site.open(`/truncation${query}`);

/** Rows of the table whose caption starts with `caption`, as text. */
function tableRows(page: Page, caption: string): Promise<string[][]> {
  return page.evaluate((c) => {
    const table = Array.from(document.querySelectorAll("table.number-table")).find((t) => t.querySelector("caption")?.textContent?.startsWith(c));
    return table ? Array.from(table.querySelectorAll("tbody tr"), (tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")) : [];
  }, caption);
}

describe("the truncation page", () => {
  it("has its anchors, each followed by a live cell whose check passes", async () => {
    const { page, problems } = await open();
    const ids = await page.evaluate(() => Array.from(document.querySelectorAll(".equation[id]"), (e) => e.id));
    expect(ids).toEqual(["d2l-1-2", "d2l-1-3a", "d2l-1-3b-corrected"]);
    expect(await page.locator('a[href$="d2l#d2l-1e"]').count()).toBe(1);
    expect(await page.locator(".check-fail").count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("shows lib's exact variance by π, and refuses N > 2000 keeping the numbers", async () => {
    const { page, problems } = await open();
    const c = TRUNCATION_DEFAULT;
    const d = gradientNormDemo({ hidden: c.hidden, T: c.T, seed: c.seed, rho: c.rho, activation: c.activation, lossAt: "all" });
    const g2 = flattenWeights(fullGradient(d.p, d.s, d.opts)).reduce((a, v) => a + v * v, 0);
    await expect.poll(async () => (await tableRows(page, "Bias and variance of randomized truncation")).length).toBe(8);
    const rows = await tableRows(page, "Bias and variance of randomized truncation");
    for (const r of rows) {
      const want = exactRandomizedMoments(d.p, d.s, Number(r[0]), d.opts).totalVariance / g2;
      expect(Math.abs(Number(r[2]) - want)).toBeLessThanOrEqual(1e-3 * want + 1e-15);
    }
    const mcBefore = await tableRows(page, "Monte-Carlo with");
    expect(mcBefore.length).toBe(3);
    const n = page.getByLabel("Monte-Carlo samples N");
    await n.fill("2001");
    await expect.poll(() => page.locator(".config-error").textContent()).toMatch(/^N: 2001 is out of range/);
    expect(await tableRows(page, "Monte-Carlo with")).toEqual(mcBefore);
    await n.fill("200");
    await expect.poll(() => page.locator(".config-error").textContent()).toBe("");
    await expect.poll(async () => (await page.locator("caption", { hasText: "Monte-Carlo with N = 200," }).count())).toBe(1);
    expect(await page.locator(".check-fail").count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("opens the settings of its URL, and replaces a bad one by its default with a message", async () => {
    const { page, problems } = await open("?N=200&k=3&seed=2");
    expect(await page.getByLabel("Monte-Carlo samples N").inputValue()).toBe("200");
    expect(await page.getByLabel("Truncation k").inputValue()).toBe("3");
    await expect.poll(async () => (await page.locator("caption", { hasText: "Monte-Carlo with N = 200," }).count())).toBe(1);
    expect(await page.locator(".config-error").textContent()).toBe("");
    await page.close();

    const bad = await open("?N=1e3&k=3");
    expect(await bad.page.locator(".config-error").textContent()).toBe(
      `N: "1e3" is not an integer in plain decimal digits: expected an integer from 2 to 2000 — showing N = ${TRUNCATION_DEFAULT.N} (the default) and the link's other settings.`);
    expect(await bad.page.getByLabel("Monte-Carlo samples N").inputValue()).toBe(String(TRUNCATION_DEFAULT.N));
    expect(await bad.page.getByLabel("Truncation k").inputValue()).toBe("3");
    await expect.poll(async () => (await bad.page.locator("caption", { hasText: `Monte-Carlo with N = ${TRUNCATION_DEFAULT.N},` }).count())).toBe(1);
    expect(await bad.page.evaluate(() => location.search)).toBe("?k=3");
    await bad.page.close();
    expect([...problems, ...bad.problems]).toEqual([]);
  });
});

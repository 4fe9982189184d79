/**
 * The §3.2 page (/hidden) in Chromium: the step control drives eq 3.7's Jacobian, whose shown values are lib's,
 * and the row-broadcast demonstration shows the wrong reading's error as plain text, not as a check badge.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { DEFAULT_CONFIG, buildExample, numericalGradients } from "../../lib/state/example.js";
import { hiddenGradsBroadcastForm, hiddenStepJacobian } from "../../lib/derivation/hidden.js";
import { maxAbsDiff, row } from "../../lib/core/matrix.js";
import { useSite } from "./harness.js";

const site = useSite();

const ex = buildExample(DEFAULT_CONFIG);
const tau = ex.inputs.length;

const open = () => site.open("/hidden");

/** The numbers in the value table of the live cell that follows equation `id`, row by row. */
function cellValuesAfter(page: Page, id: string): Promise<number[][]> {
  return page.evaluate((eqId) => {
    const eq = document.getElementById(eqId)!;
    for (let n = eq.nextElementSibling; n; n = n.nextElementSibling) {
      const cell = n.matches(".live-cell") ? n : n.querySelector(".live-cell");
      if (!cell) continue;
      for (const d of cell.querySelectorAll<HTMLDetailsElement>("figure.heatmap > details")) { d.open = true; d.dispatchEvent(new Event("toggle")); } // a heatmap builds its table when opened
      return Array.from(cell.querySelectorAll("table.matrix-table tbody tr"), (tr) =>
        Array.from(tr.querySelectorAll("td"), (td) => Number(td.textContent)));
    }
    return [];
  }, id);
}

/** Entry by entry, a shown 4-significant-digit number against lib's value. */
function expectShown(shown: number[][], expected: { rows: number; cols: number; data: Float64Array }): void {
  expect(shown.length).toBe(expected.rows);
  shown.forEach((r, i) => {
    expect(r.length).toBe(expected.cols);
    r.forEach((v, j) => {
      const want = expected.data[i * expected.cols + j]!;
      expect(Math.abs(v - want)).toBeLessThanOrEqual(5e-4 * Math.abs(want) + 1e-15);
    });
  });
}

describe("the hidden-states page", () => {
  it("has the anchors of eqs 3.5–3.8", async () => {
    const { page } = await open();
    const ids = await page.evaluate(() => Array.from(document.querySelectorAll(".equation[id]"), (e) => e.id));
    await page.close();
    expect(ids).toEqual(["eq-3-5", "eq-3-6", "eq-3-7", "eq-3-8"]);
  });

  it("shows eq 3.7's Jacobian for the step the slider picks, and follows the slider", async () => {
    const { page, problems } = await open();
    const slider = page.getByRole("slider", { name: "Step t" });
    expect(await slider.getAttribute("min")).toBe("1");
    expect(await slider.getAttribute("max")).toBe(String(tau - 1));
    // Starts at t = τ − 1: the Jacobian of h⁽τ⁾ with respect to h⁽τ⁻¹⁾, row τ − 1 of h (0-based).
    expectShown(await cellValuesAfter(page, "eq-3-7"), hiddenStepJacobian(row(ex.fwd.h, tau - 1), ex.params.W));

    await slider.focus();
    await page.keyboard.press("Home"); // t = 1
    await expect.poll(() => page.locator("output").first().textContent()).toMatch(/^t = 1:/);
    await expect.poll(async () => (await cellValuesAfter(page, "eq-3-7"))[0]?.[0])
      .toBeCloseTo(hiddenStepJacobian(row(ex.fwd.h, 1), ex.params.W).data[0]!, 3);
    expectShown(await cellValuesAfter(page, "eq-3-7"), hiddenStepJacobian(row(ex.fwd.h, 1), ex.params.W));
    // The side-by-side demonstration follows the same step.
    await expect.poll(() => page.getByText("The two readings side by side for the step chosen above").textContent()).toContain("t = 1");

    expect(await page.locator(".check-fail").count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("keeps the reader's step when only the numbers change (a seed)", async () => {
    const { page, problems } = await open();
    await page.getByRole("slider", { name: "Step t" }).focus();
    await page.keyboard.press("Home"); // t = 1
    await expect.poll(() => page.locator("output").first().textContent()).toMatch(/^t = 1:/);
    await page.getByLabel("Seed").fill("2");
    const e2 = buildExample({ ...DEFAULT_CONFIG, seed: 2 });
    // Seed 2's Jacobian at the same t = 1, not seed 2's at the default t = τ − 1.
    await expect.poll(async () => (await cellValuesAfter(page, "eq-3-7"))[0]?.[0])
      .toBeCloseTo(hiddenStepJacobian(row(e2.fwd.h, 1), e2.params.W).data[0]!, 3);
    expectShown(await cellValuesAfter(page, "eq-3-7"), hiddenStepJacobian(row(e2.fwd.h, 1), e2.params.W));
    expect(await page.getByRole("slider", { name: "Step t" }).inputValue()).toBe("1");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("reports the row-broadcast reading's error as plain text, labelled wrong, with no check badge", async () => {
    const { page } = await open();
    const wrong = hiddenGradsBroadcastForm(ex.grads.dL_do, ex.fwd.h, ex.params.V, ex.params.W, "row");
    const error = maxAbsDiff(wrong, numericalGradients(ex).dL_dh);
    expect(error).toBeGreaterThan(1e-3); // the demonstration has something to show
    const box = page.locator(".wrong-reading", { hasText: "hidden-state gradients differ" });
    await expect.poll(() => box.count()).toBe(1);
    const text = (await box.textContent())!;
    expect(text).toMatch(/Wrong reading/);
    const shown = Number(/by up to ([\d.e+-]+)/.exec(text)![1]);
    expect(Math.abs(shown - error)).toBeLessThanOrEqual(5e-3 * error);
    expect(await page.locator(".wrong-reading .check").count()).toBe(0);
    expect(await page.locator(".check-fail").count()).toBe(0);
    await page.close();
  });
});

/**
 * The forward-pass page (src/index.md, eqs 1.1–1.7) as a notebook: every live cell has Edit, and a guided experiment
 * of each section fails the check of the cell it concerns, until Reset. (Its numbers and the URL: site.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { settleCells, useSite } from "./harness.js";
import { breakAndReset, cellsWithoutEdit } from "./editing.js";

const site = useSite();

describe("the forward-pass page's editors", () => {
  it("has Edit under every live cell; forgetting b fails (1.4)'s check, summing for the mean fails (1.2)'s; Reset restores them", async () => {
    const { page, problems } = await site.open("/");
    await settleCells(page);
    expect(await cellsWithoutEdit(page)).toEqual([]);
    expect(await page.locator(".live-cell").count()).toBe(7);
    await breakAndReset(page, "forward", 1, "Forget the bias b in (1.4)");
    await breakAndReset(page, "meanLoss", 0, "Sum the step losses instead of averaging them");
    await page.close();
    expect(problems).toEqual([]);
  });
});

/**
 * Driving the notebook's editors (src/components/notebook.ts) as a reader would: every live cell of a page has its
 * Edit, and a guided experiment (lib/core/experiment.ts) applied under a cell makes that cell's own check fail, the
 * cell says it uses the reader's code, and Reset brings back lib/'s value with every check passing.
 */
import { expect } from "vitest";
import type { Page } from "playwright-core";

/** The live cells of the page without an Edit control (their data-fn). */
export const cellsWithoutEdit = (page: Page) => page.evaluate(() =>
  Array.from(document.querySelectorAll<HTMLElement>(".live-cell"))
    .filter((c) => !c.querySelector(".edit-open"))
    .map((c) => c.dataset.fn ?? "(a value named as text)"));

/** Apply the experiment labelled `label` under the `nth` cell of `fn`, see that cell's check fail, then Reset. */
export async function breakAndReset(page: Page, fn: string, nth: number, label: string): Promise<void> {
  const cell = page.locator(`.live-cell[data-fn="${fn}"]`).nth(nth);
  await cell.locator(".edit-open").click();
  const panel = page.locator(".code-panel:visible");
  await panel.locator(".cm-content").waitFor();
  await panel.getByRole("button", { name: label, exact: true }).click();
  await expect.poll(() => cell.locator(".using-badge").count(), { timeout: 5000 }).toBe(1);
  // the cell's own checks (not only the comparison with lib/'s function) fail on the reader's value
  const ownChecks = cell.locator(".check-fail", { hasNotText: `lib/'s ${fn}()` });
  await expect.poll(() => ownChecks.count(), { timeout: 5000 }).toBeGreaterThan(0);
  await panel.locator(".edit-reset").click();
  await expect.poll(() => page.locator(".check-fail").count(), { timeout: 5000 }).toBe(0);
  expect(await page.locator(".using-your-code").count()).toBe(0);
  await cell.locator(".edit-open").click(); // folds the editor away
}

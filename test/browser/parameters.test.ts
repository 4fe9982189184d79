/**
 * The biases-and-weights page (src/parameters.md, §3.3–3.7): its anchors, the reader-chosen Jacobians displayed
 * after eqs 3.13 and 3.15, the h⁽⁰⁾ term of eq 3.16 under both conventions, and the [out, in] shape table.
 */
import { describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { DEFAULT_CONFIG, buildExample } from "../../lib/state/example.js";
import { hPrevAt } from "../../lib/derivation/forward.js";
import { maxAbs, row } from "../../lib/core/matrix.js";
import { gradWPerStep } from "../../lib/derivation/parameters.js";
import { fmt } from "../../src/components/format.js";
import { useSite } from "./harness.js";
import { breakAndReset, cellsWithoutEdit } from "./editing.js";

const site = useSite();

async function open(query = ""): Promise<{ page: Page; problems: string[] }> {
  const page = await site.browser.newPage();
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`);
  });
  await page.goto(`${site.base}/parameters${query}`, { waitUntil: "networkidle" });
  await page.waitForFunction(() => document.querySelectorAll(".live-cell").length >= document.querySelectorAll(".equation[id]").length,
    undefined, { timeout: 15_000 });
  return { page, problems };
}

/** The live cell whose "computed by" names `fn`. */
const cellOf = (page: Page, fn: string): Locator =>
  page.locator(".live-cell", { has: page.locator(".lib-ref code", { hasText: `· ${fn}()` }) });

/** The rows of the value table behind a cell's heatmap, as label → cell texts. */
async function tableRows(cell: Locator): Promise<Record<string, string[]>> {
  // Opened and read in one step: the cell may redraw between two steps, and its new heatmap's table is not built yet.
  return cell.evaluate((c) => {
    for (const d of c.querySelectorAll<HTMLDetailsElement>("figure.heatmap > details")) { d.open = true; d.dispatchEvent(new Event("toggle")); }
    return Object.fromEntries(Array.from(c.querySelectorAll(".matrix-table")[0]?.querySelectorAll("tbody tr") ?? [],
      (tr) => [tr.querySelector("th")!.textContent!, Array.from(tr.querySelectorAll("td"), (td) => td.textContent!)]));
  });
}

const ex = buildExample(DEFAULT_CONFIG);

describe("the biases-and-weights page", () => {
  it("has the anchors of eqs 3.9–3.18 in order and the two unnumbered displays of §3.5 and §3.6", async () => {
    const { page, problems } = await open();
    const eqs = await page.evaluate(() => Array.from(document.querySelectorAll(".equation"), (e) => ({
      id: e.id, tag: e.querySelector(".katex-tag")?.textContent ?? null, matrix: !!e.querySelector(".katex-mathml")?.textContent?.includes("⋱"),
    })));
    await page.close();
    expect(eqs.filter((e) => e.id).map((e) => e.id)).toEqual(
      ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15", "3.16", "3.17", "3.18"].map((n) => `eq-${n.replace(".", "-")}`),
    );
    const unnumbered = eqs.filter((e) => !e.id);
    expect(unnumbered).toHaveLength(2);
    for (const e of unnumbered) expect(e).toMatchObject({ tag: null, matrix: true });
    expect(problems).toEqual([]);
  });

  it("shows (Do_i⁽ᵗ⁾)_V for the chosen t and i: h⁽ᵗ⁾ in row i, zeros elsewhere, and the check passes", async () => {
    const { page, problems } = await open();
    await page.getByLabel("step t", { exact: true }).selectOption({ index: 2 });
    await page.getByLabel("logit i").selectOption({ index: 4 });
    const cell = cellOf(page, "dOi_dV");
    await expect.poll(async () => (await tableRows(cell))["e"]).toEqual(Array.from(row(ex.fwd.h, 2), (v) => fmt(v)));
    const rows = await tableRows(cell);
    for (const [label, cells] of Object.entries(rows)) if (label !== "e") expect(cells.every((c) => c === "0"), label).toBe(true);
    expect(await cell.locator(".check-pass").count()).toBe(1);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("keeps the reader's t and i when only the numbers change (a seed), and offers new choices when the sizes do", async () => {
    const { page, problems } = await open();
    await page.getByLabel("step t", { exact: true }).selectOption({ index: 2 });
    await page.getByLabel("logit i").selectOption({ index: 4 });
    await page.getByLabel("unit i").selectOption({ index: 3 });
    const cellV = cellOf(page, "dOi_dV");
    await expect.poll(async () => (await tableRows(cellV))["e"]).toEqual(Array.from(row(ex.fwd.h, 2), (v) => fmt(v)));
    await page.getByLabel("Seed").fill("2");
    const e2 = buildExample({ ...DEFAULT_CONFIG, seed: 2 });
    expect(Array.from(row(e2.fwd.h, 2))).not.toEqual(Array.from(row(ex.fwd.h, 2)));
    // The same choices, now showing seed 2's h⁽³⁾ in row e.
    await expect.poll(async () => (await tableRows(cellV))["e"]).toEqual(Array.from(row(e2.fwd.h, 2), (v) => fmt(v)));
    expect(await page.getByLabel("step t", { exact: true }).inputValue()).toBe("2");
    expect(await page.getByLabel("logit i").inputValue()).toBe("4");
    expect(await page.getByLabel("unit i").inputValue()).toBe("3");
    // A new hidden size makes a new list of units; the step picker, whose choices did not change, keeps its t.
    await page.getByLabel("Hidden size").fill("3");
    await expect.poll(() => page.getByLabel("unit i").locator("option").count()).toBe(3);
    expect(await page.getByLabel("step t", { exact: true }).inputValue()).toBe("2");
    expect(await page.locator(".check-fail").count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("shows (Da_i⁽ᵗ⁺¹⁾)_W with h⁽⁰⁾ in row i at t = 0 under the 0.1·ones convention", async () => {
    const { page, problems } = await open("?h0=point-one");
    const e = buildExample({ ...DEFAULT_CONFIG, h0: "point-one" });
    await page.getByLabel("copy W⁽ᵗ⁾, t").selectOption({ index: 0 });
    await page.getByLabel("unit i").selectOption({ index: 3 });
    const cell = cellOf(page, "dAi_dW");
    await expect.poll(async () => (await tableRows(cell))["4"]).toEqual(Array.from(hPrevAt(e.fwd, 0), (v) => fmt(v)));
    expect(await cell.locator(".check-pass").count()).toBe(1);
    expect(await page.locator(".check-fail").count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("sizes the t = 0 term of eq 3.16: zero for h⁽⁰⁾ = 0, non-zero for 0.1·ones", async () => {
    const { page, problems } = await open();
    const table = cellOf(page, "gradWWithoutH0Term").locator("tbody tr");
    const term0 = (h0: "zeros" | "point-one") => {
      const e = buildExample({ ...DEFAULT_CONFIG, h0 });
      return fmt(maxAbs(gradWPerStep(e.grads.dL_dh, e.fwd.h, e.h0)[0]!));
    };
    expect(await table.nth(0).locator("td").nth(1).textContent()).toBe("0");
    expect(await table.nth(1).locator("td").nth(1).textContent()).toBe(term0("point-one"));
    expect(term0("point-one")).not.toBe("0");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("says which outer product has V's shape, and that both do when vocab = hidden", async () => {
    const { page, problems } = await open();
    const fits = () => cellOf(page, "outerProductOrders").locator("tbody tr td:nth-child(3)").allTextContents();
    expect(await fits()).toEqual(["yes", "yes", "no"]);
    await page.getByLabel("Hidden size").fill("8");
    await expect.poll(fits).toEqual(["yes", "yes", "yes"]);
    expect(await page.locator(".check-fail").count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("has Edit under every live cell, and an experiment of §3.3, §3.4, §3.6 and §3.7 fails its cell's check until Reset", async () => {
    const { page, problems } = await open();
    expect(await cellsWithoutEdit(page)).toEqual([]);
    expect(await page.locator(".live-cell").count()).toBe(16);
    await breakAndReset(page, "gradCDummySum", 0, "Drop the sum over t: keep the last use of c only");
    await breakAndReset(page, "gradBDiagForm", 0, "Drop the sum over t: assign each step's term instead of adding it");
    await breakAndReset(page, "gradWPerIndexForm", 0, "(1 − h)² for 1 − h²");
    await breakAndReset(page, "gradUPerIndexForm", 0, "x ⊗ [bracket] written into U's [out, in] storage");
    await page.close();
    expect(problems).toEqual([]);
  });
});

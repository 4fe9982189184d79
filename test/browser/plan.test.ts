/**
 * The plan-of-attack page in a real Chromium: Figure 1 has the nodes and edges lib/derivation/graph.ts gives for the current
 * τ (and follows the configuration), and the step-through control fills (DL)_h one row at a time, t = τ … 1, with
 * the values lib/ computes, highlighting the step in the figure. Also the summary page's anchors (4.1)–(4.9).
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { buildExample, DEFAULT_CONFIG } from "../../lib/state/example.js";
import { rnnGraph } from "../../lib/derivation/graph.js";
import { row } from "../../lib/core/matrix.js";
import { useSite } from "./harness.js";
import { breakAndReset, cellsWithoutEdit } from "./editing.js";

const site = useSite();

async function open(path: string): Promise<{ page: Page; problems: string[] }> {
  const page = await site.browser.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  await page.goto(site.base + path, { waitUntil: "networkidle" });
  return { page, problems };
}

const counts = (page: Page) => page.evaluate(() => ({
  nodes: document.querySelectorAll("#figure-1 svg .fig1-node").length,
  forward: document.querySelectorAll("#figure-1 svg .fig1-edge.forward").length,
  backward: document.querySelectorAll("#figure-1 svg .fig1-edge.backward").length,
}));

/** The step table as the page shows it: for each row its t, state and full-precision values. */
const tableRows = (page: Page) => page.evaluate(() =>
  Array.from(document.querySelectorAll<HTMLTableRowElement>("table.partial-rows tbody tr"), (tr) => ({
    t: Number(tr.dataset.t),
    filled: tr.classList.contains("filled"),
    current: tr.classList.contains("current"),
    values: Array.from(tr.querySelectorAll<HTMLTableCellElement>("td"), (td) => (td.dataset.value === undefined ? null : Number(td.dataset.value))),
  })),
);

describe("the plan-of-attack page", () => {
  it("draws Figure 1 with the nodes and edges of rnnGraph(τ) for the current τ, and redraws it for a new text", async () => {
    const { page, problems } = await open("/plan");
    await page.waitForSelector("#figure-1 svg .fig1-node");
    const tau = buildExample(DEFAULT_CONFIG).inputs.length;
    const g = rnnGraph(tau);
    expect(await counts(page)).toEqual({ nodes: g.nodes.length, forward: g.edges.length, backward: g.edges.length });
    const label = await page.locator("#figure-1 svg[role=img]").getAttribute("aria-label");
    expect(label).toContain(`τ = ${tau}`);
    expect(await page.locator("#figure-1 a.fig1-self").getAttribute("href")).toBe("#figure-1");
    expect(await page.locator("#figure-1 details li").count()).toBeGreaterThan(0);

    await page.getByLabel("Input text").fill("badge"); // τ = 4
    const g4 = rnnGraph(buildExample({ ...DEFAULT_CONFIG, text: "badge" }).inputs.length);
    await expect.poll(() => counts(page)).toEqual({ nodes: g4.nodes.length, forward: g4.edges.length, backward: g4.edges.length });
    expect(await page.locator("#figure-1").count()).toBe(1);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("steps through (DL)_h from t = τ down to t = 1 with lib's values, and back", async () => {
    const { page, problems } = await open("/plan");
    const ex = buildExample(DEFAULT_CONFIG);
    const tau = ex.inputs.length;
    const step = page.getByRole("button", { name: "Step", exact: true });
    const back = page.getByRole("button", { name: "Step back" });
    const reset = page.getByRole("button", { name: "Reset" });
    await page.waitForSelector("table.partial-rows");
    expect((await tableRows(page)).some((r) => r.filled)).toBe(false);
    expect(await back.isDisabled()).toBe(true);

    for (let k = 1; k <= tau; k++) {
      if (k % 2) await step.click();
      else {
        await step.focus();
        await page.keyboard.press("Enter"); // keyboard works as well as the mouse
      }
      const t = tau - k + 1;
      await expect.poll(async () => (await tableRows(page)).find((r) => r.current)?.t).toBe(t);
      const rows = await tableRows(page);
      expect(rows.filter((r) => r.filled).map((r) => r.t)).toEqual(Array.from({ length: k }, (_, i) => t + i));
      for (const r of rows) {
        if (!r.filled) {
          expect(r.values.every((v) => v === null)).toBe(true);
          continue;
        }
        const want = row(ex.grads.dL_dh, r.t - 1);
        r.values.forEach((v, j) => expect(Math.abs(v! - want[j]!), `row t = ${r.t}, unit ${j + 1}`).toBeLessThan(1e-12));
      }
      // The figure highlights h⁽ᵗ⁾ and what it reads: o⁽ᵗ⁾ and, below the last step, a⁽ᵗ⁺¹⁾ and h⁽ᵗ⁺¹⁾.
      const hi = await page.evaluate(() => Array.from(document.querySelectorAll("#figure-1 .fig1-node.hi"), (n) => n.getAttribute("data-node")).sort());
      expect(hi).toEqual((t === tau ? [`h${t}`, `o${t}`] : [`a${t + 1}`, `h${t}`, `h${t + 1}`, `o${t}`]).sort());
      const hiEdges = await page.evaluate(() => Array.from(document.querySelectorAll("#figure-1 .fig1-edge.hi"), (e) => e.getAttribute("data-edge")).sort());
      expect(hiEdges).toEqual((t === tau ? [`o${t}>h${t}`] : [`a${t + 1}>h${t}`, `h${t + 1}>a${t + 1}`, `o${t}>h${t}`]).sort());
      expect(await page.locator(".check-fail").count()).toBe(0);
    }
    expect(await step.isDisabled()).toBe(true);

    await back.click();
    await expect.poll(async () => (await tableRows(page)).filter((r) => r.filled).length).toBe(tau - 1);
    await reset.click();
    await expect.poll(async () => (await tableRows(page)).filter((r) => r.filled).length).toBe(0);
    expect(await page.locator("#figure-1 .fig1-node.hi").count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });
});

describe("a reader's step across a seed edit", () => {
  it("/plan keeps the steps taken, now with the new seed's rows of (DL)_h", async () => {
    const { page, problems } = await open("/plan");
    await page.waitForSelector("table.partial-rows");
    const step = page.getByRole("button", { name: "Step", exact: true });
    await step.click();
    await step.click();
    await expect.poll(async () => (await tableRows(page)).filter((r) => r.filled).length).toBe(2);
    await page.getByLabel("Seed").fill("2");
    const e2 = buildExample({ ...DEFAULT_CONFIG, seed: 2 });
    const tau = e2.inputs.length;
    const want = row(e2.grads.dL_dh, tau - 1);
    await expect.poll(async () => (await tableRows(page)).find((r) => r.t === tau)?.values[0]).toBe(want[0]);
    const rows = await tableRows(page);
    expect(rows.filter((r) => r.filled).map((r) => r.t)).toEqual([tau - 1, tau]);
    expect(await page.locator(".stepper-status").textContent()).toMatch(/^Step 2 of /);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("/logits keeps the chosen step", async () => {
    const { page, problems } = await open("/logits");
    const select = page.locator("label.step-picker select");
    await select.selectOption("3");
    const numbers = () => page.locator(".live-cell").last().textContent();
    const before = await numbers();
    await page.getByLabel("Seed").fill("2");
    await expect.poll(numbers).not.toBe(before); // the edit has reached the page's last cell
    expect(await select.inputValue()).toBe("3");
    expect(await page.locator(".check-fail").count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });
});

describe("the plan-of-attack page's editors", () => {
  it("has Edit under every live cell; the waves' and the plan's experiments fail their checks, and Reset restores them", async () => {
    const { page, problems } = await open("/plan");
    await page.waitForSelector(".live-cell[data-fn=runBackwardPlan] .edit-open");
    await page.getByRole("button", { name: "Step", exact: true }).click();
    await page.waitForSelector("table.partial-rows tr.current");
    expect(await cellsWithoutEdit(page)).toEqual([]);
    expect(await page.locator(".live-cell").count()).toBe(3);
    await breakAndReset(page, "hiddenGradsUpTo", 0, "Run the recursion forwards in time, from t = 1");
    await breakAndReset(page, "gradientWaves", 0, "Ready after the first child, not after all of them (min for max)");
    await breakAndReset(page, "runBackwardPlan", 0, "Backpropagate as if h⁽ᵗ⁾ fed only o⁽ᵗ⁾ (W = 0 in the backward pass)");
    // the stepper kept its place through the runs
    expect(await page.locator(".stepper-status").textContent()).toMatch(/^Step 1 of /);
    await page.close();
    expect(problems).toEqual([]);
  });
});

describe("the summary page", () => {
  it("has the anchors of eqs 4.1–4.9 in order, each linking to itself and followed by a link to its derivation", async () => {
    const { page } = await open("/summary");
    await page.waitForFunction(() => document.querySelectorAll(".live-cell").length >= 10, undefined, { timeout: 30_000 });
    const anchors = await page.evaluate(() =>
      Array.from(document.querySelectorAll(".equation[id]"), (e) => {
        let derived: string | null = null;
        for (let n = e.nextElementSibling; n && !n.matches(".equation, h2"); n = n.nextElementSibling) {
          const a = n.querySelector<HTMLAnchorElement>("a[href*='#eq-3-']");
          if (a) { derived = new URL(a.href).pathname + new URL(a.href).hash; break; }
        }
        return { id: e.id, href: e.querySelector("a.eq-link")?.getAttribute("href"), derived };
      }),
    );
    await page.close();
    const want = ["4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8", "4.9"].map((n) => `eq-${n.replace(".", "-")}`);
    expect(anchors.map((a) => a.id)).toEqual(want);
    for (const a of anchors) expect(a.href).toBe(`#${a.id}`);
    expect(anchors.map((a) => a.derived)).toEqual([
      "/logits#eq-3-4", "/hidden#eq-3-5", "/hidden#eq-3-8", "/parameters#eq-3-11", "/parameters#eq-3-12",
      "/parameters#eq-3-14", "/parameters#eq-3-16", "/parameters#eq-3-18", "/embedding#eq-3-21",
    ]);
  });
});

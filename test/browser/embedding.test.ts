/**
 * The embedding page (/embedding, §3.8) in a real Chromium: the rows of (DL)_E that the page's table shows are
 * non-zero exactly for the tokens at input positions — the expected set computed here from lib/, never read from
 * the page — the other rows are exactly 0, the URL reproduces the numbers, and an unknown token keeps the last
 * good table.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { DEFAULT_CONFIG, buildExample } from "../../lib/state/example.js";
import { row } from "../../lib/core/matrix.js";
import { recordProblems, useSite } from "./harness.js";

const site = useSite();

/** Opens a page, collecting console errors and warnings, failed requests and requests to other hosts. */
async function open(path: string): Promise<{ page: Page; problems: string[] }> {
  const page = await site.browser.newPage();
  const problems: string[] = [];
  recordProblems(page, site.base, problems);
  await page.goto(site.base + path, { waitUntil: "networkidle" });
  await page.locator("#dl-de-table tbody tr").first().waitFor({ timeout: 15_000 });
  return { page, problems };
}

interface ShownRow {
  token: string;
  values: number[];
  texts: string[];
}

/** The page's table view of (DL)_E: one row per token, the exact value of each cell from its data-value. */
function readTable(page: Page): Promise<ShownRow[]> {
  return page.$$eval("#dl-de-table tbody tr", (trs) =>
    trs.map((tr) => ({
      token: (tr as HTMLElement).dataset.row ?? "",
      values: Array.from(tr.querySelectorAll("td"), (td) => Number((td as HTMLElement).dataset.value)),
      texts: Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? ""),
    })),
  );
}

const nonZeroTokens = (rows: ShownRow[]) => rows.filter((r) => r.values.some((v) => v !== 0)).map((r) => r.token).sort();

/** What lib/ says: the tokens read at input positions, and (DL)_E. */
function expected(text: string) {
  const ex = buildExample({ ...DEFAULT_CONFIG, text });
  return {
    inputTokens: [...new Set(ex.inputs.map((k) => ex.labels[k]!))].sort(),
    labels: ex.labels,
    rows: ex.labels.map((_, k) => Array.from(row(ex.grads.dL_dE, k))),
  };
}

/** The shown table is lib's (DL)_E for `text`: non-zero rows = input tokens, other rows exactly 0, values equal. */
function expectTableFor(shown: ShownRow[], text: string): void {
  const want = expected(text);
  expect(shown.map((r) => r.token)).toEqual(want.labels);
  expect(nonZeroTokens(shown)).toEqual(want.inputTokens);
  for (const r of shown) {
    if (want.inputTokens.includes(r.token)) continue;
    expect(r.values.every((v) => v === 0), `row ${r.token} is exactly zero`).toBe(true);
    expect(r.texts.every((s) => s === "0"), `row ${r.token} shows 0`).toBe(true);
  }
  shown.forEach((r, k) => r.values.forEach((v, j) => expect(Math.abs(v - want.rows[k]![j]!)).toBeLessThanOrEqual(1e-15)));
}

describe("the embedding page", () => {
  it("shows (DL)_E with non-zero rows exactly at the input tokens, and follows an edit of the input text", async () => {
    const { page, problems } = await open("/embedding");
    expectTableFor(await readTable(page), DEFAULT_CONFIG.text);
    // the default's subtle case: e occurs only as a target, and its row is zero
    expect(expected(DEFAULT_CONFIG.text).inputTokens).not.toContain("e");
    await expect.poll(() => page.locator(".row-facts").textContent()).toContain("4 of 8 rows are non-zero: a, b, c, g.");

    const text = "deafbed";
    const want = expected(text).inputTokens;
    await page.getByLabel("Input text").fill(text);
    await expect.poll(async () => nonZeroTokens(await readTable(page))).toEqual(want);
    expectTableFor(await readTable(page), text);
    await expect.poll(() => page.locator(".row-facts").textContent()).toContain(`${want.length} of 8 rows are non-zero: ${want.join(", ")}.`);
    expect(await page.locator(".check-fail").count()).toBe(0);
    await expect.poll(() => new URL(page.url()).searchParams.get("text")).toBe(text);

    // full precision shows the float64 value itself
    await page.locator(".grad-table-view input[type=checkbox]").check();
    const full = await readTable(page);
    for (const r of full) r.texts.forEach((s, j) => expect(s).toBe(String(r.values[j])));
    await page.close();
    expect(problems).toEqual([]);
  });

  it("reproduces the same numbers from the URL (?text=…)", async () => {
    const text = "deafbed";
    const viaForm = await open("/embedding");
    await viaForm.page.getByLabel("Input text").fill(text);
    await expect.poll(async () => nonZeroTokens(await readTable(viaForm.page))).toEqual(expected(text).inputTokens);
    const typed = await readTable(viaForm.page);
    await viaForm.page.close();

    const { page, problems } = await open(`/embedding?text=${text}`);
    expect(await page.getByLabel("Input text").inputValue()).toBe(text);
    const fromUrl = await readTable(page);
    expect(fromUrl).toEqual(typed);
    expectTableFor(fromUrl, text);
    expect(await page.locator(".check-fail").count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("shows the message for an unknown token and keeps the last good table", async () => {
    const { page, problems } = await open("/embedding");
    await page.getByLabel("Input text").fill("deafbed");
    await expect.poll(async () => nonZeroTokens(await readTable(page))).toEqual(expected("deafbed").inputTokens);
    const good = await readTable(page);

    await page.getByLabel("Input text").fill("deafbez");
    await expect.poll(() => page.locator(".config-error").textContent()).toMatch(/^text: "z" at position 7 is not in the vocabulary/);
    expect(await readTable(page)).toEqual(good);
    expectTableFor(await readTable(page), "deafbed");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("keeps every step picker on the same t and redraws the tensor of eq 3.20 for it", async () => {
    const { page, problems } = await open("/embedding");
    const ex = buildExample(DEFAULT_CONFIG);
    const pickers = page.locator(".step-picker");
    const n = await pickers.count();
    expect(n).toBeGreaterThan(1);
    await pickers.nth(0).locator("input[value='1']").check();
    for (let k = 0; k < n; k++) await expect.poll(() => pickers.nth(k).locator("input[value='1']").isChecked()).toBe(true);
    const identity = () => page.locator(".tensor-stack tr.identity-block th").textContent();
    await expect.poll(identity).toBe(ex.labels[ex.inputs[0]!]);
    await pickers.nth(n - 1).locator(`input[value='${ex.inputs.length}']`).check();
    await expect.poll(identity).toBe(ex.labels[ex.inputs[ex.inputs.length - 1]!]);
    expect(await page.locator(".check-fail").count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("has the anchors of eqs 3.19–3.21 and Remark 3.22, each linking to itself", async () => {
    const { page } = await open("/embedding");
    const anchors = await page.evaluate(() =>
      Array.from(document.querySelectorAll(".equation[id], #remark-3-22"), (e) => ({
        id: e.id, href: e.querySelector(":scope > a.eq-link")?.getAttribute("href"),
      })),
    );
    const remarkCell = await page.locator("#remark-3-22 .live-cell .live-value").first().textContent();
    await page.close();
    expect(anchors.map((a) => a.id)).toEqual(["eq-3-19", "eq-3-20", "eq-3-21", "remark-3-22"]);
    for (const a of anchors) expect(a.href).toBe(`#${a.id}`);
    expect((remarkCell ?? "").trim()).not.toBe("");
  });
});

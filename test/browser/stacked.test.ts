/**
 * The stacked-RNN page (/stacked, source: J. Vera, "Mathematics of Backpropagation Through Time"): every one of the
 * source's §1.1, §1.2, §2.1, §2.1.1 equations and §2.2's display has its anchor and a live cell; where lib's verdict is "wrong" the cell reports
 * the formula as written in plain text (no check badge) and the corrected equation — whose TeX is lib's
 * `correctedTex` — follows with a passing check; the shown values are lib's; the controls recompute, and an invalid
 * size shows one message and keeps the last good state; the settings live in the URL; every live cell has Edit, and
 * a guided experiment breaks its cell and those computed from it until Reset.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { STACKED_DEFAULTS, buildStackedExample } from "../../lib/state/stacked-config.js";
import { STACKED_EQUATIONS } from "../../lib/stacked/errata.js";
import { singleStepWeights, stackedForward, withWeights } from "../../lib/stacked/forward.js";
import { stacked21Corrected, stacked22Corrected } from "../../lib/stacked/stacked.js";
import { useSite } from "./harness.js";

const site = useSite();

const open = (query = "") => site.open(`/stacked${query}`);

/** The live cell after equation `id`: its text, whether it has an as-written box, its badges, its table numbers. */
function cellAfter(page: Page, id: string) {
  return page.evaluate((eqId) => {
    const eq = document.getElementById(eqId)!;
    for (let n = eq.nextElementSibling; n && !n.matches(".equation, h1, h2, h3"); n = n.nextElementSibling) {
      const cell = n.matches(".live-cell") ? n : n.querySelector(".live-cell");
      if (!cell) continue;
      for (const d of cell.querySelectorAll<HTMLDetailsElement>("figure.heatmap > details")) { d.open = true; d.dispatchEvent(new Event("toggle")); } // a heatmap builds its table when opened
      return {
        text: cell.textContent ?? "",
        asWritten: !!cell.querySelector(".as-written"),
        pass: cell.querySelectorAll(".check-pass").length,
        fail: cell.querySelectorAll(".check-fail").length,
        values: Array.from(cell.querySelectorAll("table.matrix-table tbody tr"), (tr) =>
          Array.from(tr.querySelectorAll("td"), (td) => Number(td.textContent))),
      };
    }
    return null;
  }, id);
}

const wrong = STACKED_EQUATIONS.filter((e) => e.verdict !== "right");

describe("the stacked-RNN page", () => {
  it("has the anchors of §1.1, §1.2, §2.1, §2.1.1 and §2.2 in order, plus one corrected equation per wrong one", async () => {
    const { page, problems } = await open();
    const ids = await page.evaluate(() => Array.from(document.querySelectorAll(".equation[id]"), (e) => e.id));
    const forward = ["stacked-1-1-1", "stacked-1-1-2", "stacked-1-1-3", "stacked-1-2-1", "stacked-1-2-2", "stacked-1-2-3"];
    const want = STACKED_EQUATIONS.flatMap((e) => (e.verdict === "right" ? [e.anchor] : [e.anchor, `${e.anchor}-corrected`]));
    expect(ids).toEqual([...forward, ...want, "stacked-2-2", "stacked-2-2-corrected"]);
    const tags = await page.evaluate(() => Array.from(document.querySelectorAll(".equation[id] .katex-tag"), (e) => e.textContent));
    expect(tags).toEqual([
      "(1)", "(2)", "(3)", "(1)", "(2)", "(3)",
      ...STACKED_EQUATIONS.flatMap((e) => (e.verdict === "right" ? [`(${e.number})`] : [`(${e.number})`, `(${e.number}′)`])),
      "(2.2)", "(2.2′)",
    ]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("reports each wrong equation as written without a badge, then checks its correction (TeX = lib's correctedTex)", async () => {
    const { page } = await open();
    for (const e of wrong) {
      const asWritten = await cellAfter(page, e.anchor);
      expect(asWritten, e.anchor).not.toBeNull();
      expect(asWritten!.asWritten, `${e.anchor} is shown as written`).toBe(true);
      expect(asWritten!.pass + asWritten!.fail, `${e.anchor} has no badge`).toBe(0);
      expect(asWritten!.text).toMatch(e.verdict === "wrong shape" ? /shapes do not fit/ : /wrong value — differs from finite differences/);
      const fixed = await cellAfter(page, `${e.anchor}-corrected`);
      expect(fixed!.pass, `${e.anchor}-corrected passes`).toBe(1);
      expect(fixed!.fail).toBe(0);
      const tex = await page.evaluate((id) =>
        document.querySelector(`#${id} annotation[encoding="application/x-tex"]`)?.textContent ?? "", `${e.anchor}-corrected`);
      const norm = (s: string) => s.replace(/\\begin\{gathered\}|\\end\{gathered\}|\\tag\{[^}]*\}/g, "").replace(/,\\\\/g, ",\\quad").replace(/\s+/g, "");
      expect(norm(tex), `${e.anchor}-corrected TeX`).toBe(norm(e.correctedTex));
    }
    for (const e of STACKED_EQUATIONS.filter((x) => x.verdict === "right")) {
      const c = await cellAfter(page, e.anchor);
      expect(c!.pass, `${e.anchor} passes`).toBe(1);
    }
    await page.close();
  });

  it("§2.2 as written has no value (shape error, no badge); its correction and the forward cells pass", async () => {
    const { page } = await open();
    const asWritten = (await cellAfter(page, "stacked-2-2"))!;
    expect(asWritten.asWritten).toBe(true);
    expect(asWritten.pass + asWritten.fail).toBe(0);
    expect(asWritten.text).toMatch(/shapes do not fit.*inner shapes 4 and 3 of J_1 \[3,4\] and J_2 \[3,4\]/);
    for (const id of ["stacked-2-2-corrected", "stacked-1-1-1", "stacked-1-1-2", "stacked-1-1-3", "stacked-1-2-1", "stacked-1-2-2", "stacked-1-2-3"]) {
      const c = (await cellAfter(page, id))!;
      expect(c.pass, id).toBe(1);
      expect(c.fail, id).toBe(0);
    }
    const ex = buildStackedExample(STACKED_DEFAULTS);
    const f = stackedForward(ex.params, ex.X, ex.targets, { H0: ex.H0, reduction: "source" });
    const want = stacked22Corrected(ex.params, f);
    const shown = (await cellAfter(page, "stacked-2-2-corrected"))!.values;
    expect(shown.length).toBe(want.rows);
    shown.forEach((row, i) => row.forEach((v, j) => {
      const x = want.data[i * want.cols + j]!;
      expect(Math.abs(v - x)).toBeLessThanOrEqual(Math.abs(x) * 5e-4 + 1e-12);
    }));
    await page.close();
  });

  // site.test.ts compares the hashes of the cells that carry one; here every cell must, as the page builds its
  // §1 and §2.1 cells in a component (stackedCells), where a name given as text would show no code.
  it("follows every live cell with the code of the function it was given, the one that ran", async () => {
    const { page } = await open();
    const cells = await page.evaluate(() => Array.from(document.querySelectorAll<HTMLElement>(".live-cell"), (cell) => {
      const after = cell.closest(".observablehq")?.nextElementSibling as HTMLElement | null | undefined;
      return { fn: cell.dataset.fn, ran: cell.dataset.hash, shownFn: after?.matches(".lib-code") ? after.dataset.fn : undefined, shown: after?.dataset.hash };
    }));
    const blocks = await page.locator("details.lib-code").count();
    await page.close();
    expect(cells.length).toBeGreaterThan(30);
    expect(blocks).toBe(cells.length);
    for (const [i, c] of cells.entries()) {
      expect(c.ran, `live cell ${i + 1} (${c.fn}) hashes the function it was given`).toMatch(/^[0-9a-f]+$/);
      expect(c.shownFn, `live cell ${i + 1} is followed by its code`).toBe(c.fn);
      expect(c.shown, `live cell ${i + 1} (${c.fn})`).toBe(c.ran);
    }
  });

  it("has Edit under every live cell; an experiment breaks its cell and those computed from it, and Reset restores them", async () => {
    const { page, problems } = await open();
    const cells = page.locator(".live-cell");
    expect(await cells.count()).toBe(37);
    expect(await page.locator(".live-cell:not(:has(.edit-open))").count()).toBe(0);
    const trial = async (fn: string, experiment: string, broken: string[], recomputed: string) => {
      await page.locator(`.live-cell[data-fn='${fn}'] .edit-open`).first().click();
      const panel = page.locator(".code-panel:visible");
      await panel.locator(".edit-experiment", { hasText: experiment }).click();
      for (const id of broken) await expect.poll(async () => (await cellAfter(page, id))!.fail, { timeout: 15000 }).toBeGreaterThan(0);
      await expect.poll(() => page.locator(".using-badge").filter({ hasText: recomputed }).count()).toBeGreaterThan(0);
      await panel.locator(".edit-reset").click();
      await expect.poll(() => page.locator(".check-fail").count()).toBe(0);
      expect(await page.locator(".using-your-code").count()).toBe(0);
      await page.locator(`.live-cell[data-fn='${fn}'] .edit-open`).first().click(); // folds the editor away
    };
    // the source's (7) as printed, in the corrected function: its own cell fails
    await trial("dLdWxh1", "Forget the path up through layer 2", ["stacked-2-1-7-corrected"], "your code for dLdWxh1()");
    // no recurrence in the forward pass: §1.2's cells fail, and §2.1's gradients, computed from it, say so and fail
    await trial("stackedForward", "Leave out the recurrence", ["stacked-1-2-2", "stacked-2-1-4-corrected"], "recomputed from your code for stackedForward()");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows lib's numbers: corrected 2.1 (4) at the default configuration", async () => {
    const { page } = await open();
    const ex = buildStackedExample(STACKED_DEFAULTS);
    const f = withWeights(stackedForward(ex.params, ex.X, ex.targets, { H0: ex.H0, reduction: "source" }), singleStepWeights(2, 2));
    const want = stacked21Corrected(4, ex.params, f, 2);
    const shown = (await cellAfter(page, "stacked-2-1-4-corrected"))!.values;
    expect(shown.length).toBe(want.rows);
    shown.forEach((row, i) => row.forEach((v, j) => {
      const x = want.data[i * want.cols + j]!;
      expect(Math.abs(v - x)).toBeLessThanOrEqual(Math.abs(x) * 5e-4 + 1e-12);
    }));
    await page.close();
  });

  it("recomputes on a valid edit (n = h₂ lets 2.1 (5) evaluate) and keeps the last good state on an invalid one", async () => {
    const { page, problems } = await open();
    await page.getByLabel("Batch size n").fill("2");
    await expect.poll(async () => (await cellAfter(page, "stacked-2-1-5"))!.text).toMatch(/wrong value — differs/);
    const before = (await cellAfter(page, "stacked-2-1-1"))!.values;
    expect(before.length).toBe(2);
    await page.getByLabel("Batch size n").fill("9");
    await expect.poll(() => page.locator(".config-error").textContent()).toMatch(/^n: 9 is out of range: expected an integer from 1 to 4/);
    expect(await page.getByLabel("Batch size n").getAttribute("aria-invalid")).toBe("true");
    expect((await cellAfter(page, "stacked-2-1-1"))!.values).toEqual(before);
    await page.getByLabel("Steps T").fill("1");
    await page.getByLabel("Batch size n").fill("3");
    await expect.poll(() => page.locator(".config-error").textContent()).toBe("");
    await expect.poll(async () => (await cellAfter(page, "stacked-2-1-1"))!.values.length).toBe(3);
    expect(await page.locator(".check-fail").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("opens the settings of its URL (n = h₂ = 2 lets 2.1 (5) evaluate), and replaces a bad one by its default", async () => {
    const { page, problems } = await open("?n=2&seed=7");
    expect(await page.getByLabel("Batch size n").inputValue()).toBe("2");
    expect((await cellAfter(page, "stacked-2-1-5"))!.text).toMatch(/wrong value — differs/);
    const ex = buildStackedExample({ ...STACKED_DEFAULTS, n: 2, seed: 7 });
    const f = withWeights(stackedForward(ex.params, ex.X, ex.targets, { H0: ex.H0, reduction: "source" }), singleStepWeights(2, 2));
    const want = stacked21Corrected(4, ex.params, f, 2);
    const shown = (await cellAfter(page, "stacked-2-1-4-corrected"))!.values;
    expect(shown.flat().length).toBe(want.data.length);
    shown.flat().forEach((v, i) => expect(Math.abs(v - want.data[i]!)).toBeLessThanOrEqual(Math.abs(want.data[i]!) * 5e-4 + 1e-12));
    await page.close();

    const bad = await open("?n=2&h1=0x2");
    expect(await bad.page.locator(".config-error").textContent()).toBe(
      'h₁: "0x2" is not an integer in plain decimal digits: expected an integer from 1 to 4 — showing h₁ = 4 (the default) and the link\'s other settings.');
    expect(await bad.page.getByLabel("Hidden h₁").inputValue()).toBe("4");
    expect(await bad.page.getByLabel("Batch size n").inputValue()).toBe("2");
    expect(await bad.page.evaluate(() => location.search)).toBe("?n=2");
    await bad.page.close();
    expect([...problems, ...bad.problems]).toEqual([]);
  });
});

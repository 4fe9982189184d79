/**
 * Editing the code of a cell in the built static site (src/components/notebook.ts, code-panel.ts, the run-code
 * worker), on /summary and /embedding as a reader would: break (4.9) with a guided experiment and see its cell's
 * checks turn red and the rows that differ named; a broken (4.1) recomputing every cell downstream, marked; Reset; a
 * loop that never ends stopped within the time limit; a syntax error with its line number; code from a link shown
 * but not run; persistence across a reload; a stored edit older than the site's code shown with what changed; one
 * CodeMirror instance; axe with an editor open.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { useSite } from "./harness.js";
import { PASS, cell, cellState, lineOf, openEditor, panel, poll, run, setCode, withPrelude } from "./editing.js";
import { encodeCode } from "../../lib/state/code-edits.js";
import { libSource } from "../../scripts/lib-code.js";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
/** TIME_LIMIT_MS of src/components/sandbox.ts, and the margin we allow on a busy machine. */
const TIME_LIMIT_MS = 1000;
const MARGIN_MS = 1500;
const BACKWARD = "lib/derivation/backward.ts";
const STORE = "bptt-companion:code:summary";

const site = useSite();

describe("editing (4.1)–(4.9) on /summary", () => {
  it("assign instead of accumulate in (4.9): red, names the repeated tokens' rows, marks the cell; Reset restores", async () => {
    const { page, problems } = await site.open("/summary");
    await page.evaluate(() => localStorage.clear());
    expect(await page.locator(".check-fail").count()).toBe(0);
    await openEditor(page, "gradE");
    await panel(page, "gradE").getByRole("button", { name: "Assign instead of accumulate" }).click();
    const result = panel(page, "gradE").locator(".edit-result");
    await poll(() => result.locator(".check-fail").count()).toBe(1); // against lib/
    // "cabbage": a and b (rows 0 and 1) are read twice, exactly their rows go wrong
    expect(await result.locator(".edit-bad-rows").textContent()).toBe("Differs from lib/'s in 2 of 8 rows (counting from 0): 0, 1");
    expect(await panel(page, "gradE").locator(".edit-why").textContent()).toMatch(/sum over all the steps/);
    // the cell: its finite-difference check and the check against lib/ are red, marked as the reader's
    await poll(() => cellState(page, "gradE")).toEqual({ fail: 2, using: expect.stringMatching(/^your code for gradE\(\)/) });
    // upstream cells are untouched
    expect(await cellState(page, "gradU")).toEqual({ fail: 0, using: "" });

    await panel(page, "gradE").getByRole("button", { name: "Reset", exact: true }).click();
    await poll(() => page.locator(".check-fail").count()).toBe(0);
    expect(await cellState(page, "gradE")).toEqual({ fail: 0, using: "" });
    expect(await panel(page, "gradE").locator(".cm-content").textContent()).toContain("vaddInPlace(row(dL_dE, inputs[t]!), ");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("a broken (4.1) recomputes every cell downstream, marked 'recomputed from your code for logitGrads()'", async () => {
    const { page, problems } = await site.open("/summary");
    await page.evaluate(() => localStorage.clear());
    await openEditor(page, "logitGrads");
    await panel(page, "logitGrads").getByRole("button", { name: "Drop the 1/τ" }).click();
    await poll(() => cellState(page, "gradV")).toEqual({ fail: 1, using: expect.stringMatching(/^recomputed from your code for logitGrads\(\)/) });
    for (const fn of ["lastHiddenGrad", "hiddenGradsFrom", "gradC", "gradB", "gradW", "gradU", "gradE"]) {
      expect((await cellState(page, fn)).using, fn).toMatch(/recomputed from your code for logitGrads\(\)/);
    }
    // the Reset in a downstream cell's mark resets (4.1)
    await cell(page, "gradV").locator(".edit-reset-inline").click();
    await poll(() => page.locator(".check-fail").count()).toBe(0);
    expect(await page.locator(".live-cell .using-badge").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("stops `while (true) {}` within the time limit, and the page still answers", async () => {
    const { page, problems } = await site.open("/summary");
    await page.evaluate(() => localStorage.clear());
    await openEditor(page, "gradC");
    await setCode(page, "gradC", withPrelude(BACKWARD, "gradC", "  while (true) {}"));
    // measured inside the page, from the click to the message, so that polling does not add to it
    const elapsed = await page.evaluate(() => new Promise<number>((resolve) => {
      const root = document.querySelector('.code-panel[data-edit-fn="gradC"]')!;
      const runButton = Array.from(root.querySelectorAll("button")).find((b) => b.textContent === "Run")!;
      const t0 = performance.now();
      new MutationObserver((_, obs) => {
        if (root.querySelector(".edit-error")) {
          obs.disconnect();
          resolve(performance.now() - t0);
        }
      }).observe(root, { childList: true, subtree: true });
      runButton.click();
    }));
    console.log(`infinite loop stopped after ${elapsed.toFixed(0)} ms (limit ${TIME_LIMIT_MS} ms)`);
    expect(elapsed).toBeGreaterThanOrEqual(TIME_LIMIT_MS);
    expect(elapsed).toBeLessThan(TIME_LIMIT_MS + MARGIN_MS);
    expect(await panel(page, "gradC").locator(".edit-error").textContent()).toBe("✗ stopped after 1 s: does your loop end?");
    // The main thread was never blocked, and another cell's Run works with a fresh worker.
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
    expect(await run(page, "gradV", libSource(BACKWARD, "gradV").text)).toEqual(PASS);
    console.log(`first run in a fresh worker: ${await panel(page, "gradV").locator(".edit-timing").textContent()}`);
    // A failing edit never breaks another cell: (4.4)'s own cell keeps lib/'s value
    expect(await cellState(page, "gradC")).toEqual({ fail: 0, using: "" });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("a syntax error is one message with its line number; an unknown name too; a wrong form names both forms", async () => {
    const { page, problems } = await site.open("/summary");
    await page.evaluate(() => localStorage.clear());
    const syntax = withPrelude(BACKWARD, "gradB", "  for (let t = 0; t < 2; t++ {\n  }");
    expect((await run(page, "gradB", syntax)).error).toMatch(new RegExp(`^✗ line ${lineOf(syntax, "t++ {")}: syntax error: `));
    const unknown = withPrelude(BACKWARD, "gradB", "  const a = 1;\n  dL_dhh.rows;");
    expect((await run(page, "gradB", unknown)).error).toBe(`✗ line ${lineOf(unknown, "dL_dhh")}: dL_dhh is not defined`);
    expect((await run(page, "gradB", withPrelude(BACKWARD, "gradB", "  return zeros(1, h.cols);"))).error)
      .toBe("✗ gradB: expected a vector [6] (Float64Array), got a matrix [1,6]");
    expect(await page.locator(".live-cell .check-fail").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("code from a link is shown but runs only after Run; a malformed link and an old one are one line", async () => {
    const code = withPrelude(BACKWARD, "gradE", "  // from a link\n  return zeros(vocab, U.cols);");
    const { page, problems } = await site.open(`/summary#code=${encodeCode({ [`${BACKWARD}#gradE`]: code })}`);
    await page.evaluate(() => localStorage.clear());
    const p = panel(page, "gradE");
    await p.locator(".cm-content").waitFor();
    expect(await p.locator(".cm-content").textContent()).toContain("// from a link");
    expect(await p.locator(".edit-notice").textContent()).toMatch(/runs only when you press Run/);
    await page.waitForTimeout(300);
    expect(await p.locator(".edit-result").textContent()).toBe("");
    expect(await cellState(page, "gradE")).toEqual({ fail: 0, using: "" });
    await p.getByRole("button", { name: "Run", exact: true }).click();
    await poll(() => cellState(page, "gradE")).toEqual({ fail: 2, using: expect.stringMatching(/^your code for gradE\(\)/) });
    for (const [hash, message] of [["#code=%%%", /^the code in this link cannot be used/], ["#edit=e30", /earlier format, which it no longer reads/]] as const) {
      const bad = await site.open(`/summary${hash}`);
      await bad.page.locator("main > .edit-notice").waitFor();
      expect(await bad.page.locator("main > .edit-notice").textContent()).toMatch(message);
      expect(await bad.page.locator(".check-fail").count()).toBe(0);
      expect(bad.problems).toEqual([]);
      await bad.page.close();
    }
    expect(problems).toEqual([]);
    await page.evaluate(() => localStorage.clear());
    await page.close();
  });

  it("keeps an edit across a reload (local storage) until Reset", async () => {
    const { page, problems } = await site.open("/summary");
    await page.evaluate(() => localStorage.clear());
    await openEditor(page, "gradE");
    await panel(page, "gradE").getByRole("button", { name: "Assign instead of accumulate" }).click();
    await poll(() => cellState(page, "gradE")).toEqual({ fail: 2, using: expect.stringMatching(/^your code for gradE\(\)/) });
    await page.reload({ waitUntil: "networkidle" });
    await poll(() => cellState(page, "gradE")).toEqual({ fail: 2, using: expect.stringMatching(/^your code for gradE\(\)/) });
    await openEditor(page, "gradE");
    expect(await panel(page, "gradE").locator(".cm-content").textContent()).toContain("row(dL_dE, inputs[t]!).set(");
    await panel(page, "gradE").getByRole("button", { name: "Reset", exact: true }).click();
    await page.reload({ waitUntil: "networkidle" });
    await page.waitForTimeout(300);
    expect(await page.locator(".check-fail").count()).toBe(0);
    expect(await page.evaluate((k) => localStorage.getItem(k), STORE)).toBeNull();
    expect(problems).toEqual([]);
    await page.close();
  });

  it("an edit stored before the site's code changed: not used; what changed is shown; keep it or take the new code", async () => {
    const { page, problems } = await site.open("/summary");
    const key = `${BACKWARD}#gradC`;
    const mine = withPrelude(BACKWARD, "gradC", "  // mine");
    const older = libSource(BACKWARD, "gradC").text.replace("return sumRows(dL_do);", "const s = sumRows(dL_do);\n  return s;");
    await page.evaluate((a) => localStorage.setItem(a.store, JSON.stringify({ [a.key]: { code: a.mine, base: "0badc0de", baseCode: a.older, active: true } })),
      { store: STORE, key, mine, older });
    await page.reload({ waitUntil: "networkidle" });
    const p = panel(page, "gradC");
    await p.locator(".edit-stale").waitFor();
    expect(await p.locator(".edit-notice").textContent()).toMatch(/has changed since you edited it/);
    expect(await p.locator(".edit-diff .diff-del").allTextContents()).toEqual([expect.stringContaining("const s = sumRows(dL_do);")]);
    expect(await p.locator(".edit-diff .diff-add").allTextContents()).toEqual([expect.stringMatching(/^\+ +return sumRows\(dL_do\);/)]);
    expect(await p.locator(".cm-content").textContent()).toContain("// mine");
    expect(await cellState(page, "gradC")).toEqual({ fail: 0, using: "" }); // not run: the reader decides
    await p.getByRole("button", { name: "Keep my version" }).click();
    expect(await p.locator(".edit-stale").isHidden()).toBe(true);
    await p.getByRole("button", { name: "Run", exact: true }).click();
    await poll(() => cellState(page, "gradC")).toEqual({ fail: 0, using: expect.stringMatching(/^your code for gradC\(\)/) });
    // now based on the current code: no notice on the next visit
    await page.reload({ waitUntil: "networkidle" });
    await poll(() => cellState(page, "gradC")).toEqual({ fail: 0, using: expect.stringMatching(/^your code for gradC\(\)/) });
    expect(await panel(page, "gradC").count()).toBe(0);
    await page.evaluate(() => localStorage.clear());
    expect(problems).toEqual([]);
    await page.close();
  });

  it("has no axe violation with an editor open and a failing experiment; Escape then Tab leaves the editor", async () => {
    const { page, problems } = await site.open("/summary");
    await page.evaluate(() => localStorage.clear());
    await openEditor(page, "hiddenGradsFrom");
    await panel(page, "hiddenGradsFrom").getByRole("button", { name: "Forget the (1 − h²) factor" }).click();
    await poll(() => panel(page, "hiddenGradsFrom").locator(".edit-result .check-fail").count()).toBe(1);
    expect(await panel(page, "hiddenGradsFrom").locator(".edit-bad-rows").textContent()).toMatch(/in 5 of 6 rows/);
    await page.addScriptTag({ content: AXE_SOURCE });
    const violations = await page.evaluate(async () => {
      // @ts-expect-error axe is injected above
      const r = await window.axe.run(document, { resultTypes: ["violations"] });
      return (r.violations as { id: string; impact: string; nodes: { target: string[] }[] }[]).map(
        (v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`,
      );
    });
    expect(violations).toEqual([]);
    await panel(page, "hiddenGradsFrom").locator(".cm-content").focus();
    await page.keyboard.press("Tab"); // indents: the editor keeps Tab…
    expect(await page.evaluate(() => document.activeElement?.classList.contains("cm-content"))).toBe(true);
    await page.keyboard.press("Escape");
    await page.keyboard.press("Tab"); // …until Escape
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Run");
    // one @codemirror/state: the extensions above (keymap, highlighting) would have thrown otherwise
    expect(problems.filter((p) => /multiple instances|Unrecognized extension/.test(p))).toEqual([]);
    expect(await page.locator(".cm-editor .cm-lineNumbers").count()).toBeGreaterThan(0);
    await panel(page, "hiddenGradsFrom").getByRole("button", { name: "Reset", exact: true }).click();
    await poll(() => page.locator(".check-fail").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe("editing the intermediate forms (3.19)–(3.21) on /embedding", () => {
  it("each form's code passes unchanged; the experiments of (3.20) and (3.21) are red; the page's other cells stay green", async () => {
    const { page, problems } = await site.open("/embedding");
    await page.evaluate(() => localStorage.clear());
    for (const fn of ["gradETripleSum", "gradETensorForm", "gradEOneHotForm"]) {
      expect(await run(page, fn, libSource("lib/derivation/embedding.ts", fn).text), fn).toEqual(PASS);
      await poll(() => cellState(page, fn)).toEqual({ fail: 0, using: expect.stringMatching(new RegExp(`^your code for ${fn}\\(\\)`)) });
    }
    await panel(page, "gradETensorForm").getByRole("button", { name: "Assign instead of accumulate" }).click();
    await poll(() => panel(page, "gradETensorForm").locator(".edit-result .check-fail").count()).toBe(1);
    await panel(page, "gradEOneHotForm").getByRole("button", { name: /^One-hot at the position/ }).click();
    await poll(() => panel(page, "gradEOneHotForm").locator(".edit-result .check-fail").count()).toBe(1);
    // each cell's checks (against (4.9) and finite differences, and against lib/) are red…
    await poll(() => cellState(page, "gradEOneHotForm")).toEqual({ fail: 3, using: expect.stringMatching(/^your code for gradEOneHotForm\(\)/) });
    // …and the cells not computed from them are not
    expect(await cellState(page, "gradE")).toEqual({ fail: 0, using: "" });
    for (const fn of ["gradETripleSum", "gradETensorForm", "gradEOneHotForm"]) await panel(page, fn).getByRole("button", { name: "Reset", exact: true }).click();
    await poll(() => page.locator(".check-fail").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});

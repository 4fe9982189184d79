/**
 * Editing equations in the built static site (src/components/edit-cell.ts, lib/derivation/editable.ts, the run-code worker):
 * break (4.9) with a guided experiment and see its check turn red naming the repeated tokens' rows, downstream
 * marks, Reset, a loop that never ends stopped within the time limit, a syntax error with its line number, code
 * from a link shown but not run, persistence across a reload, one CodeMirror instance, and axe with an editor open.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { useSite } from "./harness.js";
import { liveCellAfter, openEditor, panel, poll, setCode } from "./editing.js";
import { encodeEdits } from "../../lib/state/edits.js";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
/** TIME_LIMIT_MS of src/components/edit-cell.ts, and the margin we allow on a busy machine. */
const TIME_LIMIT_MS = 1000;
const MARGIN_MS = 1500;

const site = useSite();

describe("editing (4.1)–(4.9) on /summary", () => {
  it("assign instead of accumulate in (4.9): red, names the repeated tokens' rows, marks the cell; Reset restores", async () => {
    const { page, problems } = await site.open("/summary");
    await page.evaluate(() => localStorage.clear());
    expect(await page.locator(".check-fail").count()).toBe(0);
    await openEditor(page, "eq-4-9");
    await panel(page, "eq-4-9").getByRole("button", { name: "Assign instead of accumulate" }).click();
    const result = panel(page, "eq-4-9").locator(".edit-result");
    await poll(() => result.locator(".check-fail").count()).toBe(2); // lib/ and finite differences
    // "cabbage": a and b are read twice, exactly their rows go wrong
    expect(await result.locator(".edit-bad-rows").textContent()).toMatch(/in 2 of 8 rows .*: a, b$/);
    expect(await panel(page, "eq-4-9").locator(".edit-why").textContent()).toMatch(/sum over all the steps/);
    expect(await panel(page, "eq-4-9").locator(".edit-bar .using-badge").isVisible()).toBe(true);
    await poll(() => liveCellAfter(page, "eq-4-9")).toEqual({ fail: 1, using: expect.stringMatching(/^using your code/) });
    // upstream cells are untouched
    expect(await liveCellAfter(page, "eq-4-8")).toEqual({ fail: 0, using: "" });

    await panel(page, "eq-4-9").getByRole("button", { name: "Reset", exact: true }).click();
    await poll(() => page.locator(".check-fail").count()).toBe(0);
    expect(await liveCellAfter(page, "eq-4-9")).toEqual({ fail: 0, using: "" });
    expect(await panel(page, "eq-4-9").locator(".cm-content").textContent()).toContain("dL_dE[i] = add(dL_dE[i], term);");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("a broken (4.1) recomputes every cell downstream, marked 'using your code for (4.1)'", async () => {
    const { page, problems } = await site.open("/summary");
    await page.evaluate(() => localStorage.clear());
    await openEditor(page, "eq-4-1");
    await panel(page, "eq-4-1").getByRole("button", { name: "Drop the 1/τ" }).click();
    await poll(() => liveCellAfter(page, "eq-4-6")).toEqual({ fail: 1, using: expect.stringMatching(/^using your code for \(4\.1\)/) });
    for (const id of ["eq-4-2", "eq-4-3", "eq-4-4", "eq-4-5", "eq-4-7", "eq-4-8", "eq-4-9"]) {
      expect((await liveCellAfter(page, id)).using, id).toMatch(/using your code for \(4\.1\)/);
    }
    // the Reset in a downstream cell's mark resets (4.1)
    await page.locator(".live-cell .edit-reset-inline").first().click();
    await poll(() => page.locator(".check-fail").count()).toBe(0);
    expect(await page.locator(".live-cell .using-badge").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("stops `while (true) {}` within the time limit, and the page still answers", async () => {
    const { page, problems } = await site.open("/summary");
    await page.evaluate(() => localStorage.clear());
    await openEditor(page, "eq-4-4");
    await setCode(page, "eq-4-4", "let n = 0;\nwhile (true) {}\nreturn n;");
    // measured inside the page, from the click to the message, so that polling does not add to it
    const elapsed = await page.evaluate(() => new Promise<number>((resolve) => {
      const root = document.querySelector('.edit-cell[data-edit="eq-4-4"]')!;
      const run = Array.from(root.querySelectorAll("button")).find((b) => b.textContent === "Run")!;
      const t0 = performance.now();
      new MutationObserver((_, obs) => {
        if (root.querySelector(".edit-error")) {
          obs.disconnect();
          resolve(performance.now() - t0);
        }
      }).observe(root, { childList: true, subtree: true });
      run.click();
    }));
    const error = panel(page, "eq-4-4").locator(".edit-error");
    console.log(`infinite loop stopped after ${elapsed.toFixed(0)} ms (limit ${TIME_LIMIT_MS} ms)`);
    expect(elapsed).toBeGreaterThanOrEqual(TIME_LIMIT_MS);
    expect(elapsed).toBeLessThan(TIME_LIMIT_MS + MARGIN_MS);
    expect(await error.textContent()).toBe("✗ stopped after 1 s: does your loop end?");
    // The main thread was never blocked, and another cell's Run works with a fresh worker.
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
    await openEditor(page, "eq-4-6");
    const t1 = Date.now();
    await panel(page, "eq-4-6").getByRole("button", { name: "Run", exact: true }).click();
    await poll(() => panel(page, "eq-4-6").locator(".edit-result .check-pass").count()).toBe(2);
    console.log(`Run of (4.6) with a fresh worker: ${Date.now() - t1} ms click to result`);
    console.log(`first run in a fresh worker: ${await panel(page, "eq-4-6").locator(".edit-timing").textContent()}`);
    for (let k = 0; k < 3; k++) {
      await panel(page, "eq-4-6").getByRole("button", { name: "Run", exact: true }).click();
      await poll(() => panel(page, "eq-4-6").locator(".edit-result .check-pass").count()).toBe(2);
    }
    console.log(`warm worker: ${await panel(page, "eq-4-6").locator(".edit-timing").textContent()}`);
    // A failing edit never breaks another cell: (4.4)'s own cell keeps lib/'s value
    expect(await liveCellAfter(page, "eq-4-4")).toEqual({ fail: 0, using: "" });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("a syntax error is one message with its line number; an unknown name too", async () => {
    const { page, problems } = await site.open("/summary");
    await page.evaluate(() => localStorage.clear());
    await openEditor(page, "eq-4-5");
    await setCode(page, "eq-4-5", "let dL_db = zeros(hidden);\nfor (let t = 0; t < tau; t++ {\n}\nreturn dL_db;");
    await panel(page, "eq-4-5").getByRole("button", { name: "Run", exact: true }).click();
    const error = panel(page, "eq-4-5").locator(".edit-error");
    await poll(() => error.textContent()).toMatch(/^✗ line 2: syntax error: /);
    expect(await error.count()).toBe(1);
    await setCode(page, "eq-4-5", "const a = 1;\n\nreturn dL_dhh[0];");
    await panel(page, "eq-4-5").getByRole("button", { name: "Run", exact: true }).click();
    await poll(() => error.textContent()).toBe("✗ line 3: dL_dhh is not defined");
    await setCode(page, "eq-4-5", "return zeros(1, hidden);");
    await panel(page, "eq-4-5").getByRole("button", { name: "Run", exact: true }).click();
    await poll(() => error.textContent()).toBe("✗ dL_db: expected shape [6], got [1,6]");
    expect(await page.locator(".live-cell .check-fail").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("code from a link is shown but runs only after Run", async () => {
    const code = "// from a link\nreturn zeros(vocab, dModel);";
    const { page, problems } = await site.open(`/summary#edit=${encodeEdits({ "eq-4-9": code })}`);
    await page.evaluate(() => localStorage.clear());
    const p = panel(page, "eq-4-9");
    await p.locator(".cm-content").waitFor();
    expect(await p.locator(".cm-content").textContent()).toContain("// from a link");
    expect(await p.locator(".edit-notice").textContent()).toMatch(/runs only when you press Run/);
    await page.waitForTimeout(300);
    expect(await p.locator(".edit-result").textContent()).toBe("");
    expect(await liveCellAfter(page, "eq-4-9")).toEqual({ fail: 0, using: "" });
    await p.getByRole("button", { name: "Run", exact: true }).click();
    await poll(() => liveCellAfter(page, "eq-4-9")).toEqual({ fail: 1, using: expect.stringMatching(/^using your code/) });
    // a malformed link: one line, nothing runs
    const bad = await site.open("/summary#edit=%%%");
    expect(await panel(bad.page, "eq-4-1").locator(".edit-notice").textContent()).toMatch(/^the edits in this link cannot be read/);
    expect(await bad.page.locator(".check-fail").count()).toBe(0);
    expect([...problems, ...bad.problems]).toEqual([]);
    await bad.page.evaluate(() => localStorage.clear());
    await bad.page.close();
    await page.close();
  });

  it("keeps an edit across a reload (local storage) until Reset", async () => {
    const { page, problems } = await site.open("/summary");
    await page.evaluate(() => localStorage.clear());
    await openEditor(page, "eq-4-9");
    await panel(page, "eq-4-9").getByRole("button", { name: "Assign instead of accumulate" }).click();
    await poll(() => liveCellAfter(page, "eq-4-9")).toEqual({ fail: 1, using: expect.stringMatching(/^using your code/) });
    await page.reload({ waitUntil: "networkidle" });
    await poll(() => liveCellAfter(page, "eq-4-9")).toEqual({ fail: 1, using: expect.stringMatching(/^using your code/) });
    expect(await panel(page, "eq-4-9").locator(".cm-content").textContent()).toContain("dL_dE[i] = term;");
    await panel(page, "eq-4-9").getByRole("button", { name: "Reset", exact: true }).click();
    await page.reload({ waitUntil: "networkidle" });
    await page.waitForTimeout(300);
    expect(await page.locator(".check-fail").count()).toBe(0);
    expect(await page.evaluate(() => localStorage.getItem("bptt-companion:edits:summary"))).toBeNull();
    expect(problems).toEqual([]);
    await page.close();
  });

  it("has no axe violation with an editor open and a failing experiment; Escape then Tab leaves the editor", async () => {
    const { page, problems } = await site.open("/summary");
    await page.evaluate(() => localStorage.clear());
    await openEditor(page, "eq-4-3");
    await panel(page, "eq-4-3").getByRole("button", { name: "Forget the (1 − h²) factor" }).click();
    await poll(() => panel(page, "eq-4-3").locator(".edit-result .check-fail").count()).toBe(2);
    expect(await panel(page, "eq-4-3").locator(".edit-bad-rows").textContent()).toMatch(/in 5 of 6 entries|in 5 of 6 rows/);
    await page.addScriptTag({ content: AXE_SOURCE });
    const violations = await page.evaluate(async () => {
      // @ts-expect-error axe is injected above
      const r = await window.axe.run(document, { resultTypes: ["violations"] });
      return (r.violations as { id: string; impact: string; nodes: { target: string[] }[] }[]).map(
        (v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`,
      );
    });
    expect(violations).toEqual([]);
    await panel(page, "eq-4-3").locator(".cm-content").focus();
    await page.keyboard.press("Tab"); // indents: the editor keeps Tab…
    expect(await page.evaluate(() => document.activeElement?.classList.contains("cm-content"))).toBe(true);
    await page.keyboard.press("Escape");
    await page.keyboard.press("Tab"); // …until Escape
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Run");
    // one @codemirror/state: the extensions above (keymap, highlighting) would have thrown otherwise
    expect(problems.filter((p) => /multiple instances|Unrecognized extension/.test(p))).toEqual([]);
    expect(await page.locator(".cm-editor .cm-lineNumbers").count()).toBeGreaterThan(0);
    await panel(page, "eq-4-3").getByRole("button", { name: "Reset", exact: true }).click();
    await poll(() => page.locator(".check-fail").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe("editing the intermediate forms (3.19)–(3.21) on /embedding", () => {
  it("each form's reference code passes; Uᵀ in (3.20) is one shape error with its line; assigning in (3.21) is red", async () => {
    const { page, problems } = await site.open("/embedding");
    await page.evaluate(() => localStorage.clear());
    for (const id of ["eq-3-19", "eq-3-20", "eq-3-21"]) {
      await openEditor(page, id);
      await panel(page, id).getByRole("button", { name: "Run", exact: true }).click();
      await poll(() => panel(page, id).locator(".edit-result .check-pass").count()).toBe(2);
    }
    await panel(page, "eq-3-20").getByRole("button", { name: /^Use Uᵀ/ }).click();
    await poll(() => panel(page, "eq-3-20").locator(".edit-error").textContent())
      .toBe("✗ line 4: vecmat: vector of length 6 times matrix [4,6]: 6 must equal 4");
    await panel(page, "eq-3-21").getByRole("button", { name: "Assign instead of accumulate" }).click();
    await poll(() => panel(page, "eq-3-21").locator(".edit-result .check-fail").count()).toBe(2);
    // the page's own cells are not fed by these forms: every live cell still passes
    expect(await page.locator(".live-cell .check-fail").count()).toBe(0);
    for (const id of ["eq-3-19", "eq-3-20", "eq-3-21"]) await panel(page, id).getByRole("button", { name: "Reset", exact: true }).click();
    expect(await page.locator(".check-fail").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});

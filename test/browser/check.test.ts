/**
 * The "Check your own numbers" page (/check) in Chromium: a case pasted in gives lib's answer key; a correct
 * answer with a few entries changed gets exactly those entries flagged, no more and no fewer; malformed input gets
 * lib's one-line messages.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { InputError, answerCase, caseToJson, parseCase, randomCase } from "../../lib/answer-key.js";
import { parseStudentAnswer } from "../../lib/compare-answer.js";
import { useSite } from "./harness.js";

const site = useSite();

const k = randomCase({ seed: 11, vocab: 5, dModel: 3, hidden: 4, tau: 3 });
const caseJson = JSON.stringify(caseToJson(k));
const answer = answerCase(k);

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error("no error");
}

async function open(): Promise<{ page: Page; problems: string[] }> {
  const page = await site.browser.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  await page.goto(`${site.base}/check`, { waitUntil: "networkidle" });
  await page.waitForSelector("#case-message");
  return { page, problems };
}

const flagged = (page: Page) =>
  page.$$eval("td.entry-wrong", (tds) => tds.map((td) => (td as HTMLElement).dataset.entry!).sort());

describe("/check", () => {
  it("flags exactly the changed entries of an otherwise correct answer", async () => {
    const { page, problems } = await open();
    await page.fill("#case-text", caseJson);
    await page.waitForFunction(() => document.querySelector("#case-message")?.textContent?.startsWith("Case read: vocab = 5"));
    // The key on the page is lib's: the loss is shown.
    const scalar = await page.textContent("#key-loss + .scalar .value");
    expect(Number(scalar)).toBeCloseTo(answer.loss, 6);

    const student = JSON.parse(JSON.stringify(answer));
    student.dL_dE[4][2] += 0.05;
    student.dL_dW[1][0] *= -1.5;
    student.L_t[2] += 1e-3;
    student.yhat[0][3] += 1e-9; // within the tolerance: not flagged
    delete student.dL_dU; // a subset is fine
    await page.fill("#answer-text", JSON.stringify(student));
    await page.waitForSelector("#summary-by-quantity");
    expect(await flagged(page)).toEqual(["L_t[2]", "dL_dE[4][2]", "dL_dW[1][0]"].sort());
    const checked = await page.$$eval("td.entry-ok, td.entry-wrong", (tds) => tds.length);
    const fieldsChecked = Object.entries(student).filter(([key]) => key !== "sizes")
      .reduce((n, [, v]) => n + (typeof v === "number" ? 1 : (v as unknown[]).flat().length), 0);
    expect(checked).toBe(fieldsChecked);
    // Summary rows name the quantity, the equation and the count.
    const wrongRows = await page.$$eval("#summary-by-quantity tr.row-wrong", (trs) => trs.map((tr) => (tr as HTMLElement).dataset.quantity));
    expect(wrongRows.sort()).toEqual(["L_t", "dL_dE", "dL_dW"].sort());
    expect(await page.getAttribute("#summary-by-quantity tr[data-quantity=dL_dE] a", "href")).toMatch(/summary(\?[^#]*)?#eq-4-9$/);

    // A correct answer: nothing flagged.
    await page.fill("#answer-text", JSON.stringify(answer));
    await page.waitForFunction(() => document.querySelectorAll("td.entry-wrong").length === 0 && document.querySelectorAll("td.entry-ok").length > 0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows lib's one-line messages for a malformed case or answer", async () => {
    const { page } = await open();
    await page.fill("#case-text", "{");
    await page.waitForFunction(() => document.querySelector("#case-message")?.getAttribute("role") === "alert");
    const jsonMsg = (await page.textContent("#case-message"))!;
    expect(jsonMsg).toMatch(/^case is not valid JSON: /);
    expect(jsonMsg).not.toMatch(/\n/);

    const badCase = { ...caseToJson(k), W: [[1, 2]] };
    await page.fill("#case-text", JSON.stringify(badCase));
    const expected = messageOf(() => parseCase(JSON.stringify(badCase)));
    await page.waitForFunction((m) => document.querySelector("#case-message")?.textContent === m, expected);

    await page.fill("#case-text", caseJson);
    await page.waitForFunction(() => document.querySelector("#case-message")?.getAttribute("role") === "status");
    const badAnswer = JSON.stringify({ dL_dE: answer.dL_dE.slice(1) });
    await page.fill("#answer-text", badAnswer);
    const answerMsg = messageOf(() => parseStudentAnswer(badAnswer, answer));
    expect(answerMsg).toBe("answer.dL_dE has 4 rows, expected 5 (vocab × d_model)");
    await page.waitForFunction((m) => document.querySelector("#answer-message")?.textContent === m, answerMsg);
    await page.fill("#answer-text", "[1,");
    await page.waitForFunction(() => document.querySelector("#answer-message")?.textContent?.startsWith("answer is not valid JSON: "));
    await page.close();
  });

  it("loads an example and downloads the key as JSON and LaTeX without the network", async () => {
    const { page } = await open();
    const before = await page.inputValue("#case-text");
    await page.click("#case-text-example");
    // The default case is valid too, so wait for the example itself, then for the page to recompute its key.
    await page.waitForFunction((b) => (document.querySelector("#case-text") as HTMLTextAreaElement).value !== b, before);
    const text = await page.inputValue("#case-text");
    const key = answerCase(parseCase(text));
    const { readFileSync } = await import("node:fs");
    const downloaded = async () => {
      const [json] = await Promise.all([page.waitForEvent("download"), page.click("text=Download answer key (JSON)")]);
      expect(json.suggestedFilename()).toBe("answer-key.json");
      return JSON.parse(readFileSync((await json.path())!, "utf8"));
    };
    await expect.poll(downloaded, { timeout: 5_000 }).toEqual(key);
    const [tex] = await Promise.all([page.waitForEvent("download"), page.click("text=Download answer key (LaTeX tables)")]);
    expect(readFileSync((await tex.path())!, "utf8")).toContain("\\toprule");
    await page.close();
  });
});

/**
 * The Problem sets page (/problem-set) and a student's link to /check, in Chromium: the page makes each student's
 * case, byte for byte what the command line prints for that student; bad settings get one line naming the field and
 * leave the last good set on screen; printing gives a cover and one page per student's sheet; a student's link
 * opens their case on /check and marks exactly the wrong entries, showing the key's values or, in "hide" mode, none
 * of them; a bad link or id gets one line naming the parameter and the page keeps what it showed.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { unzipSync, strFromU8 } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { answerCase } from "../../lib/tools/answer-key.js";
import { type ProblemSet, caseFiles, setKeyCsv, setKeyJson, studentCase, studentCaseText, studentSeed } from "../../lib/tools/problem-set.js";
import { setFragment, validateProblemSet } from "../../lib/state/problem-set-config.js";
import { recordProblems, useSite } from "./harness.js";

const site = useSite();
beforeAll(() => mkdirSync("screenshots", { recursive: true }));

const QUERY = "?vocab=4&d_model=2&hidden=3&tau=3&h0=point-one&seed=2025";
const IDS = "ada, s.17@uni\nx_9";
const set: ProblemSet = validateProblemSet({ vocab: 4, d_model: 2, hidden: 3, tau: 3, h0: "point-one", seed: 2025, count: 3, mode: "show", ask: "loss,dL_dc,dL_db,dL_dV,dL_dW,dL_dU,dL_dE", ids: IDS });

async function open(path: string, width = 1280): Promise<{ page: Page; problems: string[] }> {
  const page = await site.browser.newPage({ viewport: { width, height: 900 } });
  const problems: string[] = [];
  recordProblems(page, site.base, problems);
  // "load", then each test waits for what it reads: the worker's requests need not have settled.
  await page.goto(site.base + path, { waitUntil: "load" });
  return { page, problems };
}

/** The bytes `npm run --silent answer-key -- …` prints. */
function cli(args: string[]): string {
  const r = spawnSync("node_modules/.bin/tsx", ["bin/answer-key.ts", ...args], { cwd: join(import.meta.dirname, "../.."), encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

async function download(page: Page, click: () => Promise<unknown>): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent("download"), click()]);
  return { name: d.suggestedFilename(), bytes: readFileSync((await d.path())!) };
}

/** Pages in a PDF written by Chromium (as print.test.ts counts them). */
const pdfPageCount = (pdf: Buffer) => (pdf.toString("latin1").match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;

/** The entries of the reader's tables on /check, marked wrong or not: each table draws its cells once in view. */
async function comparedEntries(page: Page): Promise<{ wrong: string[]; keyShown: number }> {
  const wrong: string[] = [];
  let keyShown = 0;
  for (const grid of await page.$$(".compare .check-grid")) {
    await grid.scrollIntoViewIfNeeded();
    await grid.waitForSelector("tbody td");
    wrong.push(...await grid.$$eval("td.entry-wrong", (tds) => tds.map((td) => (td as HTMLElement).dataset.entry!)));
    keyShown += await grid.$$eval(".entry-key", (e) => e.length);
  }
  return { wrong: wrong.sort(), keyShown };
}

const studentIds = (page: Page) => page.$$eval("#student-table tbody tr", (trs) => trs.map((tr) => (tr as HTMLElement).dataset.student));

describe("/problem-set", () => {
  it("makes each student's case, byte for byte the command line's, and the key and the zip of cases", async () => {
    const { page, problems } = await open(`/problem-set${QUERY}`);
    await page.fill(".problem-set-form textarea[name=ids]", IDS);
    await expect.poll(() => studentIds(page)).toEqual(["ada", "s.17@uni", "x_9"]);
    const seeds = await page.$$eval("#student-table tbody td.num", (tds) => tds.map((td) => Number(td.textContent)));
    expect(seeds).toEqual(["ada", "s.17@uni", "x_9"].map((id) => studentSeed(2025, id)));

    const file = await download(page, () => page.click("#student-table tr[data-student='s.17@uni'] button"));
    expect(file.name).toBe("case-s.17@uni.json");
    const bytes = cli(["--base-seed", "2025", "--student", "s.17@uni", "--vocab", "4", "--d-model", "2", "--hidden", "3", "--tau", "3", "--h0", "point-one", "--only", "case"]);
    expect(file.bytes.toString("utf8")).toBe(bytes);
    // And the same as the plain generated mode with the seed the list shows.
    expect(JSON.parse(cli(["--seed", String(seeds[1]), "--vocab", "4", "--d-model", "2", "--hidden", "3", "--tau", "3", "--h0", "point-one"])).case)
      .toEqual(JSON.parse(bytes));

    const json = await download(page, () => page.click("#key-json"));
    expect(json.bytes.toString("utf8")).toBe(setKeyJson(set));
    const csv = await download(page, () => page.click("#key-csv"));
    expect(csv.bytes.toString("utf8")).toBe(setKeyCsv(set));
    const tex = await download(page, () => page.click("#key-tex"));
    expect(tex.bytes.toString("utf8")).toMatch(/\\section\*\{Student ada \(seed \d+\)\}/);
    const zip = await download(page, () => page.click("#cases-zip"));
    const unzipped = Object.entries(unzipSync(new Uint8Array(zip.bytes))).map(([name, data]) => ({ name, text: strFromU8(data) }));
    expect(unzipped).toEqual(caseFiles(set));
    expect(problems).toEqual([]);
    await page.close();
  });

  it("refuses a bad setting with one line naming the field, keeping the last good set", async () => {
    const { page, problems } = await open(`/problem-set${QUERY}`);
    await page.fill(".problem-set-form textarea[name=ids]", IDS);
    await expect.poll(() => studentIds(page)).toEqual(["ada", "s.17@uni", "x_9"]);
    const before = await page.textContent("#student-table");
    const message = () => page.textContent(".problem-set-form .config-error");
    await page.fill(".problem-set-form input[name=vocab]", "11");
    await expect.poll(message).toBe("vocab: 11 is out of range: expected an integer from 1 to 10 — showing the last valid settings.");
    expect(await page.getAttribute(".problem-set-form input[name=vocab]", "aria-invalid")).toBe("true");
    expect(await page.textContent("#student-table")).toBe(before);
    await page.fill(".problem-set-form input[name=vocab]", "4");
    await expect.poll(message).toBe("");
    await page.fill(".problem-set-form textarea[name=ids]", "ada bob ada");
    await expect.poll(message).toMatch(/^ids: "ada" is listed twice \(ids 1 and 3\): expected each student once/);
    expect(await page.getAttribute(".problem-set-form textarea[name=ids]", "aria-invalid")).toBe("true");
    expect(await page.textContent("#student-table")).toBe(before);
    await page.fill(".problem-set-form input[name=count]", "201");
    await page.fill(".problem-set-form textarea[name=ids]", "");
    await expect.poll(message).toMatch(/^count: 201 is out of range: expected an integer from 1 to 200/);
    await page.fill(".problem-set-form input[name=count]", "2");
    await expect.poll(() => studentIds(page)).toEqual(["1", "2"]);
    expect(await message()).toBe("");
    // The list of ids is not in the address; the settings are.
    // (written once the edits pause: settings-form.ts)
    await expect.poll(() => new URL(page.url()).search).toBe("?h0=point-one&seed=2025&count=2"); // defaults are left out
    expect(problems).toEqual([]);
    await page.close();
  });

  it("prints the list as a cover and one page per student's sheet", async () => {
    const { page } = await open(`/problem-set${QUERY}&count=4`);
    await page.waitForSelector("#sheet-preview .sheet");
    expect(await page.locator("#sheets-print .sheet").count()).toBe(0); // built when printing starts
    await page.setViewportSize({ width: 702, height: 1000 });
    await page.emulateMedia({ media: "print" });
    await expect.poll(() => page.locator("#sheets-print .sheet").count()).toBe(4);
    const report = await page.evaluate(() => {
      const shown = (e: Element) => (e as HTMLElement).checkVisibility();
      const main = document.getElementById("observablehq-main")!;
      return {
        sheets: Array.from(document.querySelectorAll("#sheets-print .sheet"), (s) => [(s as HTMLElement).dataset.student, getComputedStyle(s).breakBefore]),
        cover: shown(document.querySelector("#student-table")!),
        preview: shown(document.querySelector("#sheet-preview")!),
        controls: Array.from(main.querySelectorAll("input, select, textarea, button")).filter(shown).length,
        prose: Array.from(main.querySelectorAll(":scope > p, :scope > h2")).filter(shown).map((e) => e.textContent!.slice(0, 40)),
        blanks: Array.from(document.querySelectorAll("#sheets-print .sheet[data-student='1'] .sheet-blank"), (t) => (t as HTMLElement).dataset.key),
      };
    });
    await page.screenshot({ path: "screenshots/print-problem-set-sheets.png", fullPage: true });
    expect(report.sheets).toEqual(["1", "2", "3", "4"].map((id) => [id, "page"]));
    expect(report.cover).toBe(true);
    expect(report.preview).toBe(false);
    expect(report.controls).toBe(0);
    expect(report.prose).toEqual([]);
    expect(report.blanks).toEqual(["loss", "dL_dc", "dL_db", "dL_dV", "dL_dW", "dL_dU", "dL_dE"]);
    const pdf = await page.pdf({ format: "A4", printBackground: true });
    writeFileSync("screenshots/print-problem-set-sheets.pdf", pdf);
    expect(pdfPageCount(pdf), "a cover and one page per student").toBe(5);
    await page.close();
  });
});

describe("a student's link on /check", () => {
  const caseOf = (s: ProblemSet, id: string) => studentCaseText(s, id);

  /** Waits until the case box holds `text` (the panel loads after the page) and the page has read it. */
  async function caseRead(page: Page, text: string) {
    await page.waitForFunction((t) => document.querySelector<HTMLTextAreaElement>("#case-text")?.value === t, text);
    await page.waitForFunction(() => document.querySelector("#case-message")?.textContent?.startsWith("Case read:"));
  }

  /** Opens student `id`'s link to `s` on /check and waits for their case to be read. */
  async function student(s: ProblemSet, id: string) {
    const { page, problems } = await open(`/check#${setFragment(s, id)}`);
    await caseRead(page, caseOf(s, id));
    return { page, problems };
  }

  it("opens the case from the link of the list, and marks exactly the wrong entries beside the key's values", async () => {
    const { page, problems } = await open(`/problem-set${QUERY}`);
    await page.fill(".problem-set-form textarea[name=ids]", IDS);
    await expect.poll(() => studentIds(page)).toHaveLength(3);
    const href = (await page.getAttribute("#student-table tr[data-student='x_9'] a", "href"))!;
    expect(href).toBe(`${site.base}/check#${setFragment(set, "x_9")}`);
    await page.goto(href, { waitUntil: "load" });
    await caseRead(page, caseOf(set, "x_9"));
    expect(await page.getAttribute("#case-text", "readonly")).not.toBeNull();
    const key = answerCase(studentCase(set, "x_9"));
    const mine = { loss: key.loss, dL_dW: key.dL_dW.map((r) => r.slice()), dL_db: key.dL_db.slice() };
    mine.dL_dW[2]![1]! += 0.01;
    await page.fill("#answer-text", JSON.stringify(mine));
    await page.waitForSelector("#summary-wrong-entries");
    expect(await page.$$eval("#summary-wrong-entries tbody tr", (trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent))))
      .toEqual([["dL_dW[2][1]", expect.any(String), expect.any(String), expect.any(String), expect.any(String)]]);
    expect(await page.textContent("#case-message")).toContain("loss L = ");
    expect(await comparedEntries(page)).toEqual({ wrong: ["dL_dW[2][1]"], keyShown: 2 }); // the key's value and the error
    expect(problems).toEqual([]);
    await page.close();
  });

  it("in hide mode says which entries are wrong and shows no value of the key", async () => {
    const hidden = { ...set, mode: "hide" as const };
    const { page, problems } = await student(hidden, "ada");
    const key = answerCase(studentCase(hidden, "ada"));
    const mine = { loss: key.loss * 1.01, dL_dE: key.dL_dE.map((r) => r.slice()), dL_dc: key.dL_dc.slice() };
    mine.dL_dE[3]![0]! -= 0.02;
    mine.dL_dc[1]! += 0.02;
    await page.fill("#answer-text", JSON.stringify(mine));
    await page.waitForSelector("#summary-wrong-entries");
    expect(await page.$$eval("#summary-wrong-entries tbody tr", (trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent))))
      .toEqual([["loss", expect.any(String)], ["dL_dc[1]", expect.any(String)], ["dL_dE[3][0]", expect.any(String)]]);
    expect(await comparedEntries(page)).toEqual({ wrong: ["dL_dE[3][0]", "dL_dc[1]", "loss"], keyShown: 0 });
    const text = await page.evaluate(() => document.getElementById("observablehq-main")!.innerText);
    // No value of the key anywhere: not the loss, not a wrong entry's key value, in any of the forms the page prints.
    for (const v of [key.loss, key.dL_dc[1]!, key.dL_dE[3]![0]!]) {
      for (const digits of [3, 4, 6, 8]) expect(text).not.toContain(Number(v.toPrecision(digits)).toString());
    }
    expect(await page.locator(".entry-key, #answer-key-quantities [id^=grid-], button.download, .check-key-check .live-cell").count()).toBe(0);
    expect(await page.textContent("#summary-by-quantity thead")).not.toContain("max error");
    expect(await page.textContent("#case-message")).not.toContain("loss");
    await page.screenshot({ path: "screenshots/check-hide-mode.png", fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("asks for the id on the class's link, refuses an unknown one with one line, and keeps the last good case", async () => {
    const byCount = validateProblemSet({ vocab: 4, d_model: 2, hidden: 3, tau: 3, h0: "point-one", seed: 2025, count: 30, mode: "show", ask: "loss,dL_dW", ids: "" });
    const { page, problems } = await open(`/check#${setFragment(byCount)}`);
    await page.waitForSelector("#set-student");
    expect(await page.textContent("#set-message")).toBe("Enter your student id to open your case.");
    const message = () => page.textContent("#set-message");
    await page.fill("#set-student", "31");
    await page.click("#problem-set button[type=submit]");
    await expect.poll(message).toBe('student: "31" is not a student of this set: expected a number from 1 to 30 — no case opened.');
    await page.fill("#set-student", "7");
    await page.press("#set-student", "Enter");
    await page.waitForFunction((t) => document.querySelector<HTMLTextAreaElement>("#case-text")?.value === t, caseOf(byCount, "7"));
    expect(new URL(page.url()).hash).toBe(`#${setFragment(byCount)}&student=7`);
    await page.fill("#set-student", "s 7");
    await page.press("#set-student", "Enter");
    await expect.poll(message).toMatch(/^student: "s 7" is not a student id: .* — still showing the case of student 7\.$/);
    expect(await page.inputValue("#case-text")).toBe(caseOf(byCount, "7"));
    // The answer template holds the fields asked, in their shapes.
    await page.click("#set-template");
    expect(JSON.parse(await page.inputValue("#answer-text"))).toEqual({ loss: 0, dL_dW: [[0, 0, 0], [0, 0, 0], [0, 0, 0]] });

    // A malformed link: one line naming the parameter; the page keeps the student's case.
    await page.evaluate(() => { location.hash = location.hash.replace("tau=3", "tau=9"); });
    await expect.poll(message).toBe("tau: 9 is out of range: expected an integer from 1 to 8 — keeping the problem set shown before.");
    expect(await page.inputValue("#case-text")).toBe(caseOf(byCount, "7"));
    // Leaving the set gives the case box back.
    await page.click("#set-leave");
    await expect.poll(() => page.getAttribute("#case-text", "readonly")).toBeNull();
    expect(await page.isHidden("#problem-set")).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("refuses a malformed link on arrival and shows the page as without one", async () => {
    const bad = setFragment(set, "ada").replace("vocab=4", "vocab=0x4");
    const { page, problems } = await open(`/check#${bad}`);
    await page.waitForSelector("#case-message[role=status]");
    expect(await page.textContent("#set-message")).toBe('vocab: "0x4" is not an integer in plain decimal digits: expected an integer from 1 to 10 — the link\'s problem set was not used.');
    expect(await page.getAttribute("#case-text", "readonly")).toBeNull();
    expect(problems).toEqual([]);
    await page.close();
  });
});

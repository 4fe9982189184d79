/**
 * Driving the Edit of a page's cells in a browser as a reader would (editor.test.ts, sandbox.test.ts,
 * notebook.test.ts): the cell of a function, its editor (src/components/code-panel.ts), typing code into it, pressing
 * Run and reading the outcome; and, on the Node side, the code a page shows for a function with statements put in.
 */
import { expect } from "vitest";
import type { Page } from "playwright-core";
import ts from "typescript";
import { libSource } from "../../scripts/lib-code.js";

/** Waits for the worker: a fresh one loads sucrase first. */
export const poll = <T>(f: () => Promise<T> | T) => expect.poll(f, { timeout: 5000 });

/** The `nth` live cell computed by function `fn` (its data-fn lists it). */
export const cell = (page: Page, fn: string, nth = 0) =>
  page.locator(`.live-cell[data-fn="${fn}"], .live-cell[data-fn^="${fn},"], .live-cell[data-fn$=",${fn}"], .live-cell[data-fn*=",${fn},"]`).nth(nth);

export const panel = (page: Page, fn: string) => page.locator(`.code-panel[data-edit-fn="${fn}"]`);

/** How a cell stands: its ✗ badges, and its "your code" / "recomputed from your code" mark. */
export const cellState = (page: Page, fn: string, nth = 0) =>
  cell(page, fn, nth).evaluate((c) => ({ fail: c.querySelectorAll(".check-fail").length, using: c.querySelector(".using-badge")?.textContent ?? "" }));

export async function openEditor(page: Page, fn: string, nth = 0): Promise<void> {
  const p = panel(page, fn);
  if ((await p.count()) && (await p.isVisible())) return;
  const c = cell(page, fn, nth);
  const buttons = c.locator(".edit-open");
  await ((await buttons.count()) > 1 ? c.getByRole("button", { name: `Edit the code of ${fn}()` }) : buttons).click();
  await p.locator(".cm-content").waitFor();
}

/** Replace the editor's text as a reader would: select all, then type (paste) the new code. */
export async function setCode(page: Page, fn: string, code: string): Promise<void> {
  await panel(page, fn).locator(".cm-content").click();
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(code);
  await poll(() => panel(page, fn).locator(".cm-content").evaluate((e) => (e as HTMLElement).innerText.replace(/\n+/g, "\n").trim()))
    .toBe(code.replace(/\n+/g, "\n").trim());
}

export interface Outcome { error: string | null; pass: number; fail: number }
/** The outcome in the editor: lib/'s value matched (pass 1) or not (fail 1), or one ✗ line. */
export const PASS: Outcome = { error: null, pass: 1, fail: 0 };

/** Types `code` into the editor of `fn`, presses Run and waits for its outcome: the ✗ line, or the check against lib/. */
export async function run(page: Page, fn: string, code: string, nth = 0): Promise<Outcome> {
  await openEditor(page, fn, nth);
  await setCode(page, fn, code);
  const result = panel(page, fn).locator(".edit-result");
  await panel(page, fn).getByRole("button", { name: "Run", exact: true }).click();
  await poll(async () => (await result.locator(".edit-error").count()) + (await result.locator(".edit-checks").count())).toBe(1);
  return {
    error: (await result.locator(".edit-error").count()) ? await result.locator(".edit-error").textContent() : null,
    pass: await result.locator(".edit-checks .check-pass").count(),
    fail: await result.locator(".edit-checks .check-fail").count(),
  };
}

function declaration(code: string, name: string): ts.FunctionDeclaration {
  const sf = ts.createSourceFile("x.ts", code, ts.ScriptTarget.ES2022, true);
  const d = sf.statements.find((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === name);
  if (!d?.body) throw new Error(`no function ${name} in the code`);
  return d;
}

/** The code a page shows for `name` of `file`, with `stmts` run first (at the top of its body). */
export function withPrelude(file: string, name: string, stmts: string): string {
  const code = libSource(file, name).text;
  const at = declaration(code, name).body!.getStart() + 1;
  return `${code.slice(0, at)}\n${stmts}${code.slice(at)}`;
}

/** The code a page shows for `name` of `file`, with `stmts` run after its value is computed, before it is returned. */
export function withEpilogue(file: string, name: string, stmts: string): string {
  const code = libSource(file, name).text;
  const ret = [...declaration(code, name).body!.statements].reverse().find(ts.isReturnStatement);
  if (!ret?.expression) throw new Error(`${name} does not end in a return`);
  return `${code.slice(0, ret.getStart())}let __out: any = ${ret.expression.getText()};\n${stmts}\nreturn __out;${code.slice(ret.getEnd())}`;
}

/** The 1-based line of the first line of `code` containing `text`. */
export const lineOf = (code: string, text: string): number => code.split("\n").findIndex((l) => l.includes(text)) + 1;

/** The live cells of the page without an Edit control (their data-fn). */
export const cellsWithoutEdit = (page: Page) => page.evaluate(() =>
  Array.from(document.querySelectorAll<HTMLElement>(".live-cell"))
    .filter((c) => !c.querySelector(".edit-open"))
    .map((c) => c.dataset.fn ?? "(a value named as text)"));

/**
 * Apply the experiment labelled `label` under the `nth` cell of `fn`: the cell says it uses the reader's code and
 * its own checks (not only the comparison with lib/'s function) fail; then Reset brings every check back.
 */
export async function breakAndReset(page: Page, fn: string, nth: number, label: string): Promise<void> {
  const c = page.locator(`.live-cell[data-fn="${fn}"]`).nth(nth);
  await c.locator(".edit-open").click();
  const p = page.locator(".code-panel:visible");
  await p.locator(".cm-content").waitFor();
  await p.getByRole("button", { name: label, exact: true }).click();
  await poll(() => c.locator(".using-badge").count()).toBe(1);
  const ownChecks = c.locator(".check-fail", { hasNotText: `lib/'s ${fn}()` });
  await poll(() => ownChecks.count()).toBeGreaterThan(0);
  await p.locator(".edit-reset").click();
  await poll(() => page.locator(".check-fail").count()).toBe(0);
  expect(await page.locator(".using-your-code").count()).toBe(0);
  await c.locator(".edit-open").click(); // folds the editor away
}


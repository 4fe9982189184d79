/**
 * Driving the equation editors of a page in Chromium as a reader would (editor.test.ts, sandbox.test.ts): the panel
 * of an equation, opening it, typing code into it, and reading the live cell that follows the equation.
 */
import { expect } from "vitest";
import type { Page } from "playwright-core";

/** Waits for the worker: a fresh one loads sucrase first. */
export const poll = <T>(f: () => Promise<T> | T) => expect.poll(f, { timeout: 5000 });

export const panel = (page: Page, id: string) => page.locator(`.edit-cell[data-edit="${id}"]`);
export const liveCellAfter = (page: Page, id: string) =>
  page.evaluate((eq) => {
    let n = document.getElementById(eq)!.nextElementSibling;
    while (n && !n.matches(".live-cell") && !n.querySelector(".live-cell")) n = n.nextElementSibling;
    const cell = n?.matches(".live-cell") ? n : n?.querySelector(".live-cell");
    return { fail: cell?.querySelectorAll(".check-fail").length ?? -1, using: cell?.querySelector(".using-badge")?.textContent ?? "" };
  }, id);

export async function openEditor(page: Page, id: string): Promise<void> {
  const p = panel(page, id);
  if ((await p.locator(".edit-toggle").getAttribute("aria-expanded")) !== "true") await p.locator(".edit-toggle").click();
  await p.locator(".cm-content").waitFor();
}

/** Replace the editor's text as a reader would: select all, then type (paste) the new code. */
export async function setCode(page: Page, id: string, code: string): Promise<void> {
  await panel(page, id).locator(".cm-content").click();
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(code);
  await poll(() => panel(page, id).locator(".cm-content").evaluate((e) => (e as HTMLElement).innerText.replace(/\n+/g, "\n").trim()))
    .toBe(code.replace(/\n+/g, "\n").trim());
}


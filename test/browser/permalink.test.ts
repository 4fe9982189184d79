/**
 * The copy-link control on equations (src/components/permalink.ts), in Chromium: every `.equation[id]` of every
 * page has its button with an accessible name, Tab reaches it, clicking it puts the permalink WITH the current
 * configuration on the clipboard, the copied link reopens the same numbers, and without clipboard permission the
 * link is offered selected in a text field. Plus the Cite page's generated citation.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { parse } from "yaml";
import { serveDist } from "./serve.js";
import { DIST, navigationPaths } from "./navigation.js";
import { launch } from "./browser.js";

let browser: Browser;
let context: BrowserContext;
let base: string;
let close: () => void;

beforeAll(async () => {
  const { url, server } = await serveDist(DIST);
  base = url;
  close = () => server.close();
  browser = await launch();
  context = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
});

afterAll(async () => {
  await browser?.close();
  close?.();
});

async function open(path: string, ctx: BrowserContext = context): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(base + path, { waitUntil: "networkidle" });
  await page.waitForFunction(() => {
    const eqs = document.querySelectorAll(".equation[id]").length;
    return document.querySelectorAll(".live-cell").length >= eqs;
  }, undefined, { timeout: 15_000 }).catch(() => undefined);
  return page;
}

describe.each(navigationPaths())("page %s", (path) => {
  it("gives every equation with an id one copy-link button with an accessible name", async () => {
    const page = await open(path);
    const eqs = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>(".equation[id]"), (eq) => {
        const buttons = eq.querySelectorAll(":scope > button.eq-copy");
        return { id: eq.id, n: buttons.length, name: buttons[0]?.getAttribute("aria-label") ?? "", type: (buttons[0] as HTMLButtonElement | undefined)?.type };
      }),
    );
    await page.close();
    for (const e of eqs) {
      expect(e.n, `${path}#${e.id} has one copy button`).toBe(1);
      expect(e.name, `${path}#${e.id}'s button is named`).toMatch(/^Copy link to equation \(.+\)$/);
      expect(e.type).toBe("button");
    }
  });
});

describe("the copy-link button on /embedding", () => {
  const query = "?text=badge&seed=7";

  it("is reached by Tab and copies …/embedding?text=…#eq-3-21, which reopens the same numbers", async () => {
    const page = await open(`/embedding${query}`);
    const name = await page.locator("#eq-3-21 > button.eq-copy").getAttribute("aria-label");
    expect(name).toBe("Copy link to equation (3.21)");
    // Tab from the element before it: the button is the next stop.
    await page.evaluate(() => {
      const b = document.querySelector<HTMLElement>("#eq-3-21 > button.eq-copy")!;
      const stops = Array.from(document.querySelectorAll<HTMLElement>("a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])"))
        .filter((e) => e.checkVisibility());
      stops[stops.indexOf(b) - 1]!.focus();
    });
    let reached = false;
    for (let i = 0; i < 3 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(() => document.activeElement?.matches("#eq-3-21 > button.eq-copy") ?? false);
    }
    expect(reached, "Tab reaches the copy button of (3.21)").toBe(true);
    await page.keyboard.press("Enter");
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(`${base}/embedding${query}#eq-3-21`);
    await expect.poll(() => page.locator(".eq-copy-status").textContent()).toMatch(/copied/);

    // The configuration changed after load is the one copied (the form keeps location.search up to date).
    await page.evaluate(() => {
      const input = document.querySelector<HTMLInputElement>(".config-form input[name=text]")!;
      input.value = "cafe";
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await expect.poll(() => page.evaluate(() => location.search)).toContain("text=cafe");
    await page.locator("#eq-3-21 > button.eq-copy").click();
    const link = await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toMatch(/\/embedding\?.*text=cafe.*#eq-3-21$/)
      .then(() => page.evaluate(() => navigator.clipboard.readText()));
    const cell = (p: Page) => p.evaluate(() => {
      let n = document.querySelector("#eq-3-21")!.nextElementSibling;
      while (n && !n.querySelector(".live-value") && !n.matches(".live-cell")) n = n.nextElementSibling;
      return (n?.querySelector(".live-value")?.textContent ?? "").trim();
    });
    const before = await cell(page);
    await page.close();

    // A fresh browser context (no state but the link) shows exactly the same numbers.
    const fresh = await browser.newContext();
    const again = await open(link.slice(base.length), fresh);
    expect(await cell(again)).toBe(before);
    expect(before).not.toBe("");
    await fresh.close();
  });

  it("falls back to a selected text field and says so when the clipboard is not allowed", async () => {
    const ctx = await browser.newContext();
    const page = await open(`/embedding${query}`, ctx);
    await page.evaluate(() => {
      Object.defineProperty(navigator, "clipboard", { value: { writeText: () => Promise.reject(new Error("denied")) } });
      document.execCommand = () => false;
    });
    await page.locator("#eq-3-21 > button.eq-copy").click();
    const field = page.locator("#eq-3-21-permalink");
    await expect.poll(() => field.inputValue()).toBe(`${base}/embedding${query}#eq-3-21`);
    const selected = await page.evaluate(() => {
      const f = document.activeElement as HTMLInputElement;
      return f.id === "eq-3-21-permalink" && f.selectionStart === 0 && f.selectionEnd === f.value.length;
    });
    expect(selected).toBe(true);
    await expect.poll(() => page.locator(".eq-copy-status").textContent()).toMatch(/selected/);
    await ctx.close();
  });
});

describe("the Cite page", () => {
  it("shows the citation generated from CITATION.cff, the version and the build commit", async () => {
    const cff = parse(readFileSync("CITATION.cff", "utf8")) as { title: string; version: string };
    const page = await open("/cite");
    await page.waitForSelector("#cite-bibtex");
    const shown = await page.evaluate(() => ({
      bibtex: document.querySelector("#cite-bibtex")?.textContent ?? "",
      apa: document.querySelector("#cite-apa")?.textContent ?? "",
      csl: document.querySelector("#cite-csl")?.textContent ?? "",
      version: document.querySelector(".cite-version")?.textContent ?? "",
      commit: document.querySelector(".cite-commit")?.textContent ?? "",
    }));
    expect(shown.bibtex).toMatch(/^@misc\{bpttcompanion,/);
    expect(shown.bibtex).toContain(`note = {Version ${cff.version}}`);
    expect(shown.apa).toContain(`(Version ${cff.version})`);
    expect(JSON.parse(shown.csl)[0]).toMatchObject({ title: cff.title, version: cff.version });
    expect(shown.version).toBe(cff.version);
    expect(shown.commit).toMatch(/^([0-9a-f]{4,40}|unknown)$/);
    await page.locator("button", { hasText: "Copy" }).first().click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(shown.bibtex);
    await page.close();
  });
});

/**
 * The copy-link control on equations (src/components/permalink.ts), in Chromium: every `.equation[id]` of every
 * page has its button with an accessible name, Tab reaches it, clicking it puts the permalink WITH the current
 * configuration on the clipboard, the copied link reopens the same numbers, and without clipboard permission the
 * link is offered selected in a text field. The pages with their own settings (/stacked, /d2l, /vanishing,
 * /truncation) keep them in the URL and their copied links the same way; a link with a bad setting shows one
 * message and exactly the settings the numbers were computed with. Plus the Cite page's generated citation, which
 * the build writes into the HTML: it reads the same with JavaScript off.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { parse } from "yaml";
import { siteUrls } from "../../scripts/site-urls.js";
import { navigationPaths } from "./navigation.js";
import { settleCells, useSite } from "./harness.js";

const site = useSite();
let context: BrowserContext;

beforeAll(async () => {
  context = await site.browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
});

async function open(path: string, ctx: BrowserContext = context): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(site.base + path, { waitUntil: "networkidle" });
  await settleCells(page);
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
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(`${site.base}/embedding${query}#eq-3-21`);
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
    const fresh = await site.browser.newContext();
    const again = await open(link.slice(site.base.length), fresh);
    expect(await cell(again)).toBe(before);
    expect(before).not.toBe("");
    await fresh.close();
  });

  it("falls back to a selected text field and says so when the clipboard is not allowed", async () => {
    const ctx = await site.browser.newContext();
    const page = await open(`/embedding${query}`, ctx);
    await page.evaluate(() => {
      Object.defineProperty(navigator, "clipboard", { value: { writeText: () => Promise.reject(new Error("denied")) } });
      document.execCommand = () => false;
    });
    await page.locator("#eq-3-21 > button.eq-copy").click();
    const field = page.locator("#eq-3-21-permalink");
    await expect.poll(() => field.inputValue()).toBe(`${site.base}/embedding${query}#eq-3-21`);
    const selected = await page.evaluate(() => {
      const f = document.activeElement as HTMLInputElement;
      return f.id === "eq-3-21-permalink" && f.selectionStart === 0 && f.selectionEnd === f.value.length;
    });
    expect(selected).toBe(true);
    await expect.poll(() => page.locator(".eq-copy-status").textContent()).toMatch(/selected/);
    await ctx.close();
  });
});

/** The form's fields as shown. */
const shownForm = (page: Page) => page.evaluate(() =>
  Object.fromEntries(Array.from(document.querySelectorAll<HTMLInputElement | HTMLSelectElement>(".config-form [name]"), (el) => [el.name, el.value])));

/** The text of the live cell after the first numbered equation, and of every live value on the page. */
const numbers = (page: Page) => page.evaluate(() => Array.from(document.querySelectorAll(".live-value"), (v) => v.textContent ?? "").join("\n"));

/** The live values once two readings 300 ms apart agree (cells re-run one after another after an edit). */
async function steady(page: Page): Promise<string> {
  let last = await numbers(page);
  for (;;) {
    await page.waitForTimeout(300);
    const now = await numbers(page);
    if (now === last) return now;
    last = now;
  }
}

describe.each([
  // page, a link's settings (as the form shows them), an edit (label, value) and the address after it
  ["/stacked", "?n=2&seed=7", { n: "2", seed: "7" }, ["Hidden h₁", "3"], "?n=2&h1=3&seed=7"],
  ["/d2l", "?T=6&h=2&loss=squared", { T: "6", hidden: "2", loss: "squared" }, ["Outputs q", "2"], "?T=6&h=2&q=2&loss=squared"],
  ["/vanishing", "?rho=1.2", { rho: "1.2" }, ["Steps T", "40"], "?rho=1.2&T=40"],
  ["/truncation", "?k=3&N=200", { k: "3", N: "200" }, ["Keep probability π", "0.75"], "?k=3&pi=0.75&N=200"],
] as const)("the settings of %s in its URL", (path, query, shown, [label, value], edited) => {
  it("opens with the link's settings, keeps edits in the address, and copies a link that reopens the same numbers", async () => {
    const page = await open(`${path}${query}`);
    expect(await shownForm(page)).toMatchObject(shown);
    expect(await page.locator(".config-error").textContent()).toBe("");
    const atLink = await numbers(page);
    const plain = await open(path);
    expect(await numbers(plain), "the link's settings change the numbers").not.toBe(atLink);
    await plain.close();

    await page.getByLabel(label).fill(value);
    await expect.poll(() => page.evaluate(() => location.search)).toBe(edited);
    await expect.poll(() => numbers(page)).not.toBe(atLink);
    const id = await page.evaluate(() => document.querySelector(".equation[id]")!.id);
    await page.locator(`#${id} > button.eq-copy`).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(`${site.base}${path}${edited}#${id}`);
    const form = await shownForm(page);
    const after = await steady(page);
    await page.close();

    const fresh = await site.browser.newContext();
    const again = await open(`${path}${edited}#${id}`, fresh);
    expect(await shownForm(again)).toEqual(form);
    expect(await numbers(again)).toBe(after);
    await fresh.close();
  });
});

describe("settings from a link on the main pages", () => {
  it("/?hidden=99&seed=5 says hidden was replaced, and shows and computes seed 5 with the default hidden size", async () => {
    const page = await open("/?hidden=99&seed=5");
    expect(await page.locator(".config-error").textContent()).toBe(
      "hidden: 99 is out of range: expected an integer from 1 to 16 — showing hidden = 6 (the default) and the link's other settings.");
    expect(await shownForm(page)).toMatchObject({ hidden: "6", seed: "5" });
    expect(await page.evaluate(() => location.search)).toBe("?seed=5");
    const bad = await numbers(page);
    const good = await open("/?seed=5");
    expect(await numbers(good)).toBe(bad);
    const plain = await open("/");
    expect(await numbers(plain)).not.toBe(bad);
    await Promise.all([page.close(), good.close(), plain.close()]);
  });

  it.each([["seed=0x10", "seed"], ["seed=%204", "seed"], ["hidden=1e1", "hidden"], ["seed=4.0", "seed"], ["d_model=%2B3", "d_model"]])(
    "/embedding?%s is refused, not read as a number", async (query, field) => {
      const page = await open(`/embedding?${query}`);
      expect(await page.locator(".config-error").textContent()).toMatch(new RegExp(`^${field}: ".*" is not an integer in plain decimal digits: .* — showing ${field} = \\d+ \\(the default\\)`));
      expect(await shownForm(page)).toMatchObject({ seed: "1", hidden: "6", dModel: "4" });
      expect(await page.evaluate(() => location.search)).toBe("");
      await page.close();
    });

  it("carries the configuration only on links to pages that read it", async () => {
    const page = await open("/embedding?seed=7");
    const hrefs = await page.evaluate(() => Array.from(document.querySelectorAll<HTMLAnchorElement>("a[href]"), (a) => a.getAttribute("href")!));
    const to = (name: string) => hrefs.filter((h) => new RegExp(`(^|/)${name}(\\?|#|$)`).test(h));
    expect(to("summary").length).toBeGreaterThan(0);
    for (const h of to("summary")) expect(h).toContain("?seed=7");
    for (const name of ["stacked", "d2l", "vanishing", "truncation", "training", "check"]) {
      expect(to(name).length, `a link to ${name}`).toBeGreaterThan(0);
      for (const h of to(name)) expect(h, `a link to ${name}`).not.toContain("seed=");
    }
    await page.close();
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

  it("is in the built HTML, read with JavaScript off: BibTeX with the site's url, BibLaTeX, APA, the repository link", async () => {
    const cff = parse(readFileSync("CITATION.cff", "utf8")) as { title: string; version: string };
    const { site: url, repo } = siteUrls();
    const ctx = await site.browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(`${site.base}/cite`, { waitUntil: "load" });
    const shown = await page.evaluate(() => ({
      bibtex: document.querySelector("#cite-bibtex")?.textContent ?? "",
      biblatex: document.querySelector("#cite-biblatex")?.textContent ?? "",
      apa: document.querySelector("#cite-apa")?.textContent ?? "",
      csl: document.querySelector("#cite-csl")?.textContent ?? "",
      repo: Array.from(document.querySelectorAll("main a"), (a) => a.getAttribute("href")),
      footer: Array.from(document.querySelectorAll("footer a"), (a) => a.getAttribute("href")),
      buttons: document.querySelectorAll("main button").length,
    }));
    await ctx.close();
    expect(shown.bibtex).toMatch(/^@misc\{bpttcompanion,/);
    expect(shown.bibtex).toContain(`url = {${url}}`);
    expect(shown.bibtex).toContain(`note = {Version ${cff.version}}`);
    expect(shown.biblatex).toMatch(/^@software\{bpttcompanion,/);
    expect(shown.biblatex).toContain(`url = {${url}}`);
    expect(shown.biblatex).toMatch(/urldate = \{\d{4}-\d{2}-\d{2}\}/);
    expect(shown.apa).toContain(`(Version ${cff.version})`);
    expect(shown.apa).toContain(url);
    expect(JSON.parse(shown.csl)[0]).toMatchObject({ title: cff.title, URL: url });
    expect(shown.repo).toContain(repo);
    expect(shown.footer).toContain(repo);
    // The Copy buttons come with JavaScript only; without it the text is there to select.
    expect(shown.buttons).toBe(0);
  });
});

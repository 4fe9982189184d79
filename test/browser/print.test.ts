/**
 * Print: every page of the navigation prints as a handout. For each page, opened with a
 * configuration in its URL: in print media the permalink header is visible and gives that exact URL, navigation and
 * controls are hidden, every numbered equation is visible with its number in the printed text, equations, live
 * cells, heatmaps and figures are not allowed to break across pages, and nothing is wider than the paper. Then the
 * page is printed to PDF at A4 and at Letter (page count sane) and rendered in print media to
 * screenshots/print-<page>.png (git-ignored) for a human to look at, next to the PDFs.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { mkdirSync, writeFileSync } from "node:fs";
import { navigationPaths } from "./navigation.js";
import { settleCells, useSite } from "./harness.js";

/** The printed column of A4 with src/print.css's margins (210 mm − 2 × 12 mm), in CSS pixels. */
const A4_COLUMN_PX = Math.floor(((210 - 24) / 25.4) * 96);
const MAX_PAGES = 40;
const QUERY = "?seed=7";

const site = useSite();
beforeAll(() => mkdirSync("screenshots", { recursive: true }));

const slug = (path: string) => path.replace(/^\/|\/$/g, "").replace(/\W+/g, "_") || "index";

/** Pages in a PDF written by Chromium (uncompressed page tree: one `/Type /Page` object per page). */
export function pdfPageCount(pdf: Buffer): number {
  return (pdf.toString("latin1").match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
}

async function open(path: string): Promise<Page> {
  const page = await site.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(site.base + path + QUERY, { waitUntil: "networkidle" });
  await settleCells(page);
  await page.waitForSelector(".print-header", { state: "attached", timeout: 5_000 }).catch(() => undefined);
  return page;
}

/** Everything the print stylesheet promises, read from the DOM in print media. */
async function printReport(page: Page) {
  return page.evaluate((column) => {
    const shown = (el: Element) => (el as HTMLElement).checkVisibility?.() ?? (el as HTMLElement).offsetParent !== null;
    const main = document.getElementById("observablehq-main")!;
    const mainRight = main.getBoundingClientRect().right;
    const header = document.querySelector(".print-header");
    // KaTeX lays a tag's parts (a prime, a subscript) out in separate boxes: compare without white space.
    const squash = (t: string) => t.replace(/[\s\u200b]+/g, "");
    const printed = squash(document.body.innerText);
    const equations = Array.from(document.querySelectorAll<HTMLElement>(".equation"));
    const numbers = equations
      .map((e) => (e.querySelector(".katex-tag")?.textContent ?? "").trim())
      .filter((n) => n !== "");
    const breakInside = (sel: string) =>
      Array.from(document.querySelectorAll(sel), (e) => getComputedStyle(e).breakInside)
        .filter((v) => v !== "avoid" && v !== "avoid-page");
    const wide = Array.from(
      main.querySelectorAll<HTMLElement>(".katex-display, .heatmap svg, table, figure, .live-cell, img, svg"),
    )
      .filter((e) => shown(e) && !e.closest(".katex-display svg, .katex svg"))
      .filter((e) => e.getBoundingClientRect().right > mainRight + 2 || e.getBoundingClientRect().width > column + 2)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().width)}px)`);
    return {
      header: header
        ? {
          shown: shown(header),
          atTop: main.firstElementChild === header,
          title: header.querySelector(".print-title")?.textContent ?? "",
          url: header.querySelector(".print-url")?.textContent ?? "",
          date: header.querySelector("time")?.textContent ?? "",
        }
        : null,
      href: location.href,
      nav: ["#observablehq-header", "#observablehq-toc", "#observablehq-footer", "#observablehq-sidebar", ".site-menu"]
        .flatMap((s) => Array.from(document.querySelectorAll(s)))
        .filter(shown)
        .map((e) => e.id || e.className),
      controls: Array.from(
        document.querySelectorAll(
          ".config-form, .eq-link, #observablehq-main input, #observablehq-main select, #observablehq-main textarea, #observablehq-main button",
        ),
      )
        .filter(shown)
        .map((e) => e.outerHTML.slice(0, 80)),
      equations: equations.length,
      hiddenEquations: equations.filter((e) => !shown(e)).map((e) => e.id),
      missingNumbers: numbers.filter((n) => !printed.includes(squash(n))),
      numbers: numbers.length,
      splittable: [
        ...breakInside(".equation"),
        ...breakInside(".live-cell"),
        ...breakInside(".heatmap"),
        ...breakInside("#observablehq-main figure"),
      ],
      wide,
    };
  }, A4_COLUMN_PX);
}

describe.each(navigationPaths())("printing %s", (path) => {
  it("prints the permalink and the equations, no navigation or controls, nothing split or cut off", async () => {
    const page = await open(path);
    const onScreen = await page.evaluate(() => {
      const h = document.querySelector(".print-header");
      return h ? getComputedStyle(h).display : "missing";
    });
    // The printed column's width, so layout and the fit-to-paper pass see what the paper will.
    await page.setViewportSize({ width: A4_COLUMN_PX, height: 1000 });
    await page.evaluate(() => document.fonts.ready);
    await page.emulateMedia({ media: "print" });
    await page.evaluate(() => document.fonts.ready);
    await page.waitForTimeout(300);
    const r = await printReport(page);
    await page.screenshot({ path: `screenshots/print-${slug(path)}.png`, fullPage: true });
    await page.close();

    expect(onScreen, "the print header is hidden on screen").toBe("none");
    expect(r.header, "a print header").not.toBeNull();
    expect(r.header!.shown, "print header visible in print").toBe(true);
    expect(r.header!.atTop, "print header first in the page").toBe(true);
    expect(r.header!.title.length).toBeGreaterThan(0);
    expect(r.header!.url).toBe(r.href);
    expect(new URL(r.header!.url).search).toContain("seed=7");
    expect(r.header!.date).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(r.nav, "navigation printed").toEqual([]);
    expect(r.controls, "controls printed").toEqual([]);
    expect(r.hiddenEquations, "equations hidden in print").toEqual([]);
    expect(r.missingNumbers, "equation numbers missing from the printed text").toEqual([]);
    expect(r.splittable, "break-inside of equations, live cells, heatmaps, figures").toEqual([]);
    expect(r.wide, "wider than the paper").toEqual([]);
  });

  it.each(["A4", "Letter"] as const)("prints to a %s PDF of a sane number of pages", async (format) => {
    const page = await open(path);
    await page.emulateMedia({ media: "print" });
    const pdf = await page.pdf({ format, printBackground: true });
    await page.close();
    writeFileSync(`screenshots/print-${slug(path)}-${format}.pdf`, pdf);
    const pages = pdfPageCount(pdf);
    expect(pages).toBeGreaterThan(0);
    expect(pages).toBeLessThanOrEqual(MAX_PAGES);
  });
});

describe("the print header follows the configuration", () => {
  it("shows the new permalink after the configuration form changes", async () => {
    const page = await open("/");
    const seed = page.locator(".config-form .field-seed input");
    await seed.fill("11");
    await seed.dispatchEvent("input");
    await page.waitForFunction(() => location.search.includes("seed=11"), undefined, { timeout: 5_000 });
    await page.emulateMedia({ media: "print" });
    await page.waitForFunction(
      () => document.querySelector(".print-header .print-url")?.textContent === location.href,
      undefined,
      { timeout: 3_000 },
    );
    const text = await page.locator(".print-header").innerText();
    await page.close();
    expect(text).toContain("seed=11");
    expect(text).toMatch(/Seed: 11/);
  });

  it("prints the new address when printing starts at once after an edit (before the address is written by itself)", async () => {
    const page = await open("/");
    const printed = await page.evaluate(async () => {
      const input = document.querySelector<HTMLInputElement>(".config-form .field-seed input")!;
      input.value = "12";
      input.dispatchEvent(new Event("input", { bubbles: true }));
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))); // the edit's frame, well under 200 ms
      dispatchEvent(new Event("beforeprint"));
      return { header: document.querySelector(".print-header .print-url")?.textContent ?? "", address: location.href };
    });
    await page.close();
    expect(printed.header).toContain("seed=12");
    expect(printed.header).toBe(printed.address);
  });

  it("lists the model's and the example's settings only, not display toggles (/embedding)", async () => {
    const page = await open("/embedding");
    await page.emulateMedia({ media: "print" });
    await page.waitForFunction(() => !!document.querySelector(".print-header .print-values")?.textContent, undefined, { timeout: 3_000 });
    const settings = await page.locator(".print-header .print-values").innerText();
    const toggles = await page.evaluate(() =>
      Array.from(document.querySelectorAll("#observablehq-main input, #observablehq-main select"))
        .filter((el) => !el.closest(".config-form") && !el.closest(".print-header")).length);
    await page.close();
    expect(toggles, "/embedding has display controls outside its settings form").toBeGreaterThan(0);
    expect(settings).toMatch(/^Input text: cabbage · .*Seed: 7 · h⁽⁰⁾: zeros$/);
    expect(settings).not.toMatch(/full precision|2·a/i);
  });
});

/**
 * The site search and the header in Chromium (scripts/site-header.ts, src/components/site-header.ts and
 * search-panel.ts, the index of scripts/search-index.ts): equation numbers and words land on their anchor, by
 * keyboard alone; nothing of the search loads before a reader uses it; axe finds nothing with results open; the
 * skip link is the first Tab stop and moves focus to the main content; at a phone's width neither the open menu
 * nor the open results stick out sideways. Screenshots of the header open go to screenshots/.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { settleCells, useSite } from "./harness.js";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const PHONE = 390;
const DESKTOP = 1280;
/** Overflow tolerated at a phone's width, as in quality.test.ts (sub-pixel rounding). */
const OVERFLOW_PX = 1;

const site = useSite();

async function open(path: string, width = DESKTOP): Promise<Page> {
  const page = await site.browser.newPage({ viewport: { width, height: 800 } });
  await page.goto(site.base + path, { waitUntil: "networkidle" });
  await settleCells(page);
  return page;
}

/** Focuses the box with the "/" shortcut, types the query and waits for the list (or the no-result message). */
async function search(page: Page, query: string): Promise<string[]> {
  await page.keyboard.press("/");
  await page.keyboard.type(query);
  await page.waitForFunction(
    (q) => {
      const box = document.querySelector<HTMLInputElement>("#site-search-input")!;
      const panel = document.querySelector<HTMLElement>(".site-search-panel")!;
      const msg = document.querySelector(".site-search-message")!.textContent ?? "";
      return box.value === q && !panel.hidden && !msg.startsWith("Loading");
    },
    query,
  );
  return page.$$eval("#site-search-results [role=option]", (lis) => lis.map((li) => li.textContent ?? ""));
}

/** The target of the address's fragment is on screen, below the fixed header. */
function anchorInView(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!el) return false;
    const r = el.getBoundingClientRect();
    const header = document.querySelector("#observablehq-header")!.getBoundingClientRect().bottom;
    return r.top >= header - 1 && r.top < window.innerHeight;
  });
}

async function waitForAddress(page: Page, pathname: string, hash: string): Promise<void> {
  await page.waitForFunction(([p, h]) => location.pathname === p && location.hash === h, [pathname, hash] as const);
  await settleCells(page);
  // Framework renders cells after load; the browser's scroll to the fragment may land before the last of them.
  await page.waitForFunction(() => document.readyState === "complete");
}

describe("site search", () => {
  it("loads nothing of the search before the reader uses it, then the index and MiniSearch on first focus", async () => {
    const page = await site.browser.newPage();
    const requested: string[] = [];
    page.on("request", (r) => requested.push(new URL(r.url()).pathname));
    await page.goto(site.base + "/embedding", { waitUntil: "networkidle" });
    const searchFiles = (list: string[]) => list.filter((p) => /search-panel|minisearch|_search|index\.[0-9a-f]+\.json/.test(p));
    expect(searchFiles(requested), "requests before any interaction").toEqual([]);
    await page.focus("#site-search-input");
    await page.waitForSelector('.site-search[aria-busy="false"]', { state: "attached" });
    expect(searchFiles(requested).length, `requests after focus: ${searchFiles(requested).join(", ")}`).toBeGreaterThanOrEqual(3);
    await page.close();
  });

  it('"3.21" lists (3.21) of /embedding first, and Enter opens it at its anchor, in view', async () => {
    const page = await open("/");
    const results = await search(page, "3.21");
    expect(results[0]).toMatch(/^\(3\.21\)/);
    expect(results[0]).toContain("embedding matrix");
    await page.keyboard.press("Enter");
    await waitForAddress(page, "/embedding", "#eq-3-21");
    expect(await anchorInView(page), "(3.21) is on screen").toBe(true);
    await page.close();
  });

  it('"4.9" and "(4.9)" open /summary#eq-4-9; the other sources\' "2.4b" opens /d2l#d2l-2-4b', async () => {
    for (const [query, path, hash] of [["4.9", "/summary", "#eq-4-9"], ["(4.9)", "/summary", "#eq-4-9"], ["2.4b", "/d2l", "#d2l-2-4b"]] as const) {
      const page = await open("/plan");
      const results = await search(page, query);
      expect(results[0], `first result for ${query}`).toMatch(new RegExp(`^\\(${hash === "#eq-4-9" ? "4\\.9" : "2\\.4b"}\\)`));
      await page.keyboard.press("Enter");
      await waitForAddress(page, path, hash);
      expect(await anchorInView(page), `${hash} is on screen`).toBe(true);
      await page.close();
    }
  });

  it("finds words, lands on the heading they are under, and moves through results with the arrow keys", async () => {
    const page = await open("/");
    const results = await search(page, "vanishing gradient");
    expect(results.length).toBeGreaterThan(1);
    expect(results.slice(0, 3).join(" | ")).toContain("Vanishing and exploding gradients");
    // Down twice, Up once: the second result is the active one, and Enter opens it.
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowUp");
    const chosen = await page.evaluate(() => {
      const input = document.querySelector("#site-search-input")!;
      const li = document.getElementById(input.getAttribute("aria-activedescendant") ?? "")!;
      return { href: li.dataset.href!, selected: li.getAttribute("aria-selected"), index: [...li.parentElement!.children].indexOf(li) };
    });
    expect(chosen.index).toBe(1);
    expect(chosen.selected).toBe("true");
    const url = new URL(chosen.href);
    await page.keyboard.press("Enter");
    await waitForAddress(page, url.pathname, url.hash);
    if (url.hash) expect(await anchorInView(page)).toBe(true);
    await page.close();
  });

  it("keeps the reader's settings when the result is on the page already open", async () => {
    const page = await open("/embedding?seed=7");
    await search(page, "3.21");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => location.hash === "#eq-3-21");
    expect(await page.evaluate(() => location.search)).toBe("?seed=7");
    expect(await anchorInView(page)).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("eq-3-21");
    await page.close();
  });

  it("says so when nothing matches; Escape closes the list, a second Escape clears the box", async () => {
    const page = await open("/");
    expect(await search(page, "qzxjvwk")).toEqual([]);
    const message = await page.textContent(".site-search-message");
    expect(message).toContain("No result for “qzxjvwk”");
    expect(await page.textContent("[role=search] [role=status]")).toContain("No result");
    await page.keyboard.press("Escape");
    expect(await page.isHidden(".site-search-panel")).toBe(true);
    await page.keyboard.press("Escape");
    expect(await page.inputValue("#site-search-input")).toBe("");
    await page.close();
  });

  it("has no accessibility violation with the results open (axe-core)", async () => {
    const page = await open("/summary");
    await search(page, "gradient");
    await page.keyboard.press("ArrowDown");
    await page.addScriptTag({ content: AXE_SOURCE });
    const violations = await page.evaluate(async () => {
      // @ts-expect-error axe is injected above
      const r = await window.axe.run(document, { resultTypes: ["violations"] });
      return (r.violations as { id: string; help: string; nodes: { target: string[] }[] }[]).map(
        (v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`,
      );
    });
    expect(violations).toEqual([]);
    await page.close();
  });
});

describe("skip link", () => {
  it('is the first Tab stop, says "Skip to content", and moves focus to the main content', async () => {
    const page = await open("/hidden");
    await page.keyboard.press("Tab");
    const first = await page.evaluate(() => ({ cls: document.activeElement?.className, text: document.activeElement?.textContent }));
    expect(first).toEqual({ cls: "skip-link", text: "Skip to content" });
    const visible = await page.evaluate(() => {
      const r = document.activeElement!.getBoundingClientRect();
      return r.top >= 0 && r.left >= 0 && r.width > 0;
    });
    expect(visible, "the focused skip link is on screen").toBe(true);
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("observablehq-main");
    // The next Tab goes into the page, not back to the header.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => !!document.activeElement?.closest("#observablehq-main"))).toBe(true);
    await page.close();
  });
});

describe("the header at a phone's width and at a desktop's", () => {
  for (const width of [PHONE, DESKTOP]) {
    it(`${width} px: the open menu and the open results stay within the screen`, async () => {
      mkdirSync("screenshots", { recursive: true });
      const page = await open("/embedding", width);
      const overflow = () => page.evaluate(() => {
        const sticking = [".site-menu nav", ".site-search-panel", "#site-search-input", ".site-menu summary"]
          .map((s) => document.querySelector(s))
          .filter((e): e is Element => !!e && (e as HTMLElement).offsetParent !== null)
          .map((e) => e.getBoundingClientRect())
          .map((r) => Math.max(r.right - window.innerWidth, -r.left));
        return Math.max(document.documentElement.scrollWidth - window.innerWidth, ...sticking);
      });
      await page.click(".site-menu summary");
      expect(await page.isVisible(".site-menu nav")).toBe(true);
      await page.screenshot({ path: join("screenshots", `header-menu-${width}.png`) });
      expect(await overflow(), `menu open at ${width}px`).toBeLessThanOrEqual(OVERFLOW_PX);
      await page.click(".site-menu summary");
      await search(page, "embedding");
      await page.screenshot({ path: join("screenshots", `header-search-${width}.png`) });
      expect(await overflow(), `results open at ${width}px`).toBeLessThanOrEqual(OVERFLOW_PX);
      // The title, the menu, the box and the theme button share the header's one row, inside the screen.
      const row = await page.evaluate(() => {
        const header = document.querySelector("#observablehq-header")!.getBoundingClientRect();
        const boxes = [".site-title", ".site-menu summary", "#site-search-input", ".theme-toggle"]
          .map((s) => document.querySelector(s)!.getBoundingClientRect());
        return {
          inHeader: boxes.every((r) => r.top >= header.top && r.bottom <= header.bottom),
          right: Math.max(...boxes.map((r) => r.right)) - window.innerWidth,
        };
      });
      expect(row.inHeader, "all on the header's row").toBe(true);
      expect(row.right, "the button's right edge within the screen").toBeLessThanOrEqual(0);
      await page.close();
    });
  }
});

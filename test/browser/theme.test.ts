/**
 * Dark mode (src/theme.css, src/components/theme.ts, scripts/theme-toggle.ts), in Chromium: the page follows the
 * system's colour scheme; the header's button overrides it, is remembered across a reload and across pages, and
 * works from the keyboard; the remembered theme is on <html> before the body is parsed (no flash of the other
 * theme); paper is always light. axe in both themes is in quality.test.ts; Firefox and WebKit in engines-pages.
 */
import { describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { useSite } from "./harness.js";
import { THEME_KEY, parseChoice } from "../../src/components/theme.js";

const site = useSite();

/** Mean channel of a computed `rgb(…)` colour, 0 (black) to 255 (white). */
const brightness = (rgb: string) => {
  const [r, g, b] = (rgb.match(/[\d.]+/g) ?? []).map(Number);
  return (r! + g! + b!) / 3;
};
const isDark = (rgb: string) => brightness(rgb) < 128;

async function context(colorScheme: "light" | "dark"): Promise<BrowserContext> {
  return site.browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme });
}

async function look(page: Page) {
  return page.evaluate(() => ({
    theme: document.documentElement.dataset.theme ?? null,
    background: getComputedStyle(document.documentElement).backgroundColor,
    text: getComputedStyle(document.body).color,
    label: document.querySelector<HTMLElement>(".theme-toggle")?.innerText.trim() ?? "",
  }));
}

async function visit(ctx: BrowserContext, path: string): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(site.base + path, { waitUntil: "load" });
  return page;
}

describe("dark mode", () => {
  it("follows the system's preference when the reader has not chosen", async () => {
    for (const scheme of ["light", "dark"] as const) {
      const ctx = await context(scheme);
      const page = await visit(ctx, "/");
      const seen = await look(page);
      await ctx.close();
      expect(seen.theme).toBe("system");
      expect(seen.label).toBe("Theme: System");
      expect(isDark(seen.background), `background ${seen.background} under a ${scheme} system`).toBe(scheme === "dark");
      expect(isDark(seen.text), `text ${seen.text} under a ${scheme} system`).toBe(scheme !== "dark");
    }
  });

  it("the button cycles System → Light → Dark → System, overriding the system, remembered over a reload and across pages", async () => {
    const ctx = await context("dark");
    const page = await visit(ctx, "/");
    const toggle = page.locator(".theme-toggle");
    await toggle.click();
    let seen = await look(page);
    expect(seen).toMatchObject({ theme: "light", label: "Theme: Light" });
    expect(isDark(seen.background), "Light over a dark system").toBe(false);
    expect(await page.locator(".theme-status").textContent()).toBe("Light theme");

    await page.reload({ waitUntil: "load" });
    seen = await look(page);
    expect(seen.theme, "after a reload").toBe("light");
    expect(isDark(seen.background)).toBe(false);

    const other = await visit(ctx, "/summary");
    seen = await look(other);
    expect(seen.theme, "on another page").toBe("light");
    expect(isDark(seen.background)).toBe(false);
    await other.locator(".theme-toggle").click();
    seen = await look(other);
    expect(seen).toMatchObject({ theme: "dark", label: "Theme: Dark" });
    expect(isDark(seen.background)).toBe(true);
    expect(await other.evaluate((key) => localStorage.getItem(key), THEME_KEY)).toBe("dark");

    // Another tab's choice reaches an open page, as a reload would.
    await page.waitForFunction(() => document.documentElement.dataset.theme === "dark", undefined, { timeout: 5_000 });

    await other.locator(".theme-toggle").click();
    seen = await look(other);
    expect(seen.theme, "back to System").toBe("system");
    expect(isDark(seen.background), "System under a dark system").toBe(true);
    expect(await other.evaluate((key) => localStorage.getItem(key), THEME_KEY), "System is stored as no choice").toBe(null);
    await ctx.close();
  });

  it("the button is reached with Tab and works with Enter and Space", async () => {
    const ctx = await context("light");
    const page = await visit(ctx, "/");
    let reached = false;
    for (let i = 0; i < 10 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(() => document.activeElement?.classList.contains("theme-toggle") ?? false);
    }
    expect(reached, "Tab reaches the theme button from the top of the page").toBe(true);
    await page.keyboard.press("Enter");
    expect((await look(page)).theme).toBe("light");
    await page.keyboard.press("Space");
    const seen = await look(page);
    expect(seen.theme).toBe("dark");
    expect(isDark(seen.background)).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.classList.contains("theme-toggle")), "focus stays on the button").toBe(true);
    await ctx.close();
  });

  it("the remembered theme is on <html> before the body is parsed (no flash)", async () => {
    for (const stored of ["dark", "light", "system", "nonsense", null]) {
      const ctx = await context(stored === "light" ? "dark" : "light");
      // Runs before any of the page's scripts: stores the choice, then records whether <html> gets its theme before
      // the parser adds the body (nothing is painted before there is a body to paint).
      await ctx.addInitScript(([key, value]) => {
        if (value === null) localStorage.removeItem(key);
        else localStorage.setItem(key, value);
        const events: string[] = [];
        (window as unknown as { __themeEvents: string[] }).__themeEvents = events;
        new MutationObserver((records) => {
          for (const r of records) {
            if (r.type === "attributes" && r.target === document.documentElement && r.attributeName === "data-theme") {
              events.push(`theme ${document.documentElement.dataset.theme}`);
            }
            for (const n of Array.from(r.addedNodes)) {
              if (n.nodeName === "BODY") events.push("body");
            }
          }
        }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-theme"] });
        document.addEventListener("DOMContentLoaded", () => events.push(`loaded ${document.documentElement.dataset.theme}`));
      }, [THEME_KEY, stored] as const);
      const page = await visit(ctx, "/vanishing");
      const events = await page.evaluate(() => (window as unknown as { __themeEvents: string[] }).__themeEvents);
      await ctx.close();
      const expected = parseChoice(stored);
      const first = events.findIndex((e) => e.startsWith("theme "));
      expect(events[first], `stored ${stored}: events ${events.join(", ")}`).toBe(`theme ${expected}`);
      expect(events.indexOf("body"), "the body is parsed after the theme is set").toBeGreaterThan(first);
      // …and the page does not change its mind later.
      expect(events.filter((e) => e.startsWith("theme ")), "the theme is set once").toEqual([`theme ${expected}`]);
      expect(events).toContain(`loaded ${expected}`);
    }
  });

  it("prints light whatever the screen shows", async () => {
    const ctx = await context("dark");
    await ctx.addInitScript((key) => localStorage.setItem(key, "dark"), THEME_KEY);
    const page = await visit(ctx, "/");
    expect(isDark((await look(page)).background), "dark on screen").toBe(true);
    await page.emulateMedia({ media: "print" });
    const seen = await look(page);
    const equation = await page.evaluate(() => getComputedStyle(document.querySelector(".katex")!).color);
    await ctx.close();
    expect(isDark(seen.background), `printed background ${seen.background}`).toBe(false);
    expect(isDark(seen.text), `printed text ${seen.text}`).toBe(true);
    expect(isDark(equation), `printed equation ${equation}`).toBe(true);
  });
});

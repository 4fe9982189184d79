/**
 * Quality gates on the built site, in Chromium: accessibility (axe-core, zero violations of any impact),
 * keyboard reachability, text alternatives for heatmaps, internal links and anchors, and screenshots of every page
 * at a desktop and a phone width (written to screenshots/, git-ignored). Page weight and the time an edit takes are
 * performance.test.ts's.
 */
import { mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { resolveFile } from "./serve.js";
import { DIST, navigationPaths } from "./navigation.js";
import { settleCells, useSite } from "./harness.js";
import { THEME_KEY } from "../../src/components/theme.js";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * axe on the longest page (/stacked: some 20,000 px of heatmaps and tables) took 50–65 s with the machine shared
 * (load 13 on 2 cores), past the suite's 60 s per test; each page is now checked in three themes.
 */
const AXE_TIMEOUT_MS = 180_000;
const site = useSite();

/**
 * The ways a reader can see a page's colours (src/theme.css): the system's light or dark preference, and the
 * header's button choosing Dark (remembered in localStorage) over a light system.
 */
const THEMES = {
  light: { colorScheme: "light", stored: null },
  dark: { colorScheme: "dark", stored: null },
  "dark by the toggle": { colorScheme: "light", stored: "dark" },
} as const;
type ThemeName = keyof typeof THEMES;

/** Whether a computed `rgb(…)` colour is dark (mean channel below the middle grey). */
const isDark = (rgb: string) => {
  const [r, g, b] = (rgb.match(/[\d.]+/g) ?? []).map(Number);
  return (r! + g! + b!) / 3 < 128;
};

async function open(path: string, width = 1280, theme: ThemeName = "light"): Promise<Page> {
  const { colorScheme, stored } = THEMES[theme];
  const page = await site.browser.newPage({ viewport: { width, height: 900 }, colorScheme });
  if (stored) await page.addInitScript(([key, value]) => localStorage.setItem(key, value), [THEME_KEY, stored] as const);
  await page.goto(site.base + path, { waitUntil: "networkidle" });
  await settleCells(page);
  return page;
}

describe.each(navigationPaths())("page %s", (path) => {
  it.each(Object.keys(THEMES) as ThemeName[])("has no accessibility violation of any impact (axe-core), %s theme", async (theme) => {
    const page = await open(path, 1280, theme);
    await page.addScriptTag({ content: AXE_SOURCE });
    const violations = await page.evaluate(async () => {
      // @ts-expect-error axe is injected above
      const r = await window.axe.run(document, { resultTypes: ["violations"] });
      return (r.violations as { id: string; impact: string; help: string; nodes: { target: string[] }[] }[]).map(
        (v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`,
      );
    });
    const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    await page.close();
    // axe must have seen the theme it was meant to see, or this test would pass without checking it.
    expect(isDark(background), `${path}'s background ${background} in the ${theme} theme`).toBe(theme !== "light");
    expect(violations, `axe on ${path}, ${theme} theme`).toEqual([]);
  }, AXE_TIMEOUT_MS);

  it("lets a keyboard reach every control, and gives every heatmap a text alternative", async () => {
    const page = await open(path);
    const { controls, stops } = await page.evaluate(() => {
      const els = Array.from(document.querySelectorAll<HTMLElement>(
        "main input, main select, main button, main textarea, main summary, main [tabindex]:not([tabindex='-1'])",
      )).filter((e) => e.checkVisibility() && !(e as HTMLInputElement).disabled); // not inside a closed <details>
      // A radio group is one tab stop (arrow keys move within it): it counts as reached when any of it is.
      const key = (e: HTMLElement) => (e instanceof HTMLInputElement && e.type === "radio" ? `radio:${e.name}` : null);
      let n = 0;
      const groups = new Map<string, string>();
      for (const e of els) {
        const k = key(e);
        if (k && groups.has(k)) e.dataset.kbd = groups.get(k)!;
        else {
          e.dataset.kbd = String(n++);
          if (k) groups.set(k, e.dataset.kbd);
        }
      }
      return { controls: n, stops: document.querySelectorAll("a[href], input, select, button, textarea, summary, [tabindex]").length };
    });
    const reached = new Set<string>();
    for (let i = 0; i < stops + 20 && reached.size < controls; i++) {
      await page.keyboard.press("Tab");
      const k = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.kbd ?? null);
      if (k !== null) reached.add(k);
    }
    const missed = await page.evaluate(
      (seen) => Array.from(document.querySelectorAll<HTMLElement>("[data-kbd]"))
        .filter((e) => !seen.includes(e.dataset.kbd!))
        .map((e) => e.outerHTML.slice(0, 120)),
      [...reached],
    );
    const heatmaps = await page.evaluate(() =>
      Array.from(document.querySelectorAll("figure.heatmap"), (f) => ({
        label: f.querySelector("svg")?.getAttribute("aria-label") ?? f.querySelector("[role=img]")?.getAttribute("aria-label") ?? "",
        // Its table is built when the reader opens it (heatmap.ts).
        table: (() => { const d = f.querySelector("details")!; d.open = true; d.dispatchEvent(new Event("toggle")); return !!f.querySelector("table"); })(),
      })),
    );
    await page.close();
    expect(missed, `controls on ${path} that Tab never reaches`).toEqual([]);
    for (const h of heatmaps) {
      expect(h.label, `heatmap on ${path} has an accessible name`).not.toBe("");
      expect(h.table, `heatmap "${h.label}" on ${path} has a table of its values`).toBe(true);
    }
  });

  it("renders at a desktop and a phone width (screenshots/)", async () => {
    mkdirSync("screenshots", { recursive: true });
    for (const [name, width] of [["desktop", 1280], ["phone", 390]] as const) {
      const page = await open(path, width);
      const file = join("screenshots", `${path.replace(/\W+/g, "_").replace(/^_$/, "index").replace(/^_/, "")}-${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      // Nothing may stick out of the page sideways at phone width except inside scrollable cells.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      await page.close();
      expect(overflow, `${path} at ${width}px scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(1);
    }
  });
});

describe("links in dist/", () => {
  function* htmlFiles(dir: string): Generator<string> {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) yield* htmlFiles(p);
      else if (p.endsWith(".html")) yield p;
    }
  }

  it("resolve: every internal link to a file, every #anchor to an id on its page", () => {
    const broken: string[] = [];
    const idsOf = new Map<string, Set<string>>();
    const ids = (file: string) => {
      if (!idsOf.has(file)) idsOf.set(file, new Set(Array.from(readFileSync(file, "utf8").matchAll(/\sid="([^"]+)"/g), (m) => m[1]!)));
      return idsOf.get(file)!;
    };
    let checked = 0;
    for (const file of htmlFiles(DIST)) {
      const html = readFileSync(file, "utf8");
      const pagePath = "/" + relative(DIST, file).replace(/\\/g, "/");
      for (const m of html.matchAll(/<a\s[^>]*href="([^"]*)"/g)) {
        const href = m[1]!.replace(/&amp;/g, "&");
        if (/^\w+:/.test(href)) continue; // external links are checked by check-dist (there must be none as resources)
        checked++;
        const url = new URL(href, `http://site${pagePath}`);
        const target = url.pathname === pagePath || href.startsWith("#") ? file : resolveFile(DIST, url.pathname);
        if (!target) {
          broken.push(`${pagePath}: link ${href} → no such page`);
          continue;
        }
        const anchor = decodeURIComponent(url.hash.slice(1));
        if (anchor && target.endsWith(".html") && !ids(target).has(anchor)) {
          broken.push(`${pagePath}: link ${href} → no element with id "${anchor}" on ${relative(DIST, target)}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(broken).toEqual([]);
  });
});

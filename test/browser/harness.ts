/**
 * The built site served on 127.0.0.1 and a Chromium to visit it with: what every browser test file starts from.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launch } from "./browser.js";
import { DIST } from "./navigation.js";
import { serveDist } from "./serve.js";

export interface Site {
  base: string;
  browser: Browser;
  stop: () => Promise<void>;
}

export async function startSite(args: readonly string[] = []): Promise<Site> {
  const { url, server } = await serveDist(DIST);
  const browser = await launch(args);
  return {
    base: url,
    browser,
    stop: async () => {
      await browser.close();
      server.close();
    },
  };
}

/**
 * Opens `url` and records what would spoil a reader's visit (console errors and warnings, uncaught exceptions),
 * once every numbered equation has its live cell.
 */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  await page.goto(url, { waitUntil: "networkidle" });
  await page.waitForFunction(() => document.querySelectorAll(".live-cell").length >= document.querySelectorAll(".equation[id]").length);
  return { page, problems };
}

/**
 * The site and a Chromium for the calling test file: started before its first test, stopped after its last;
 * `args` are extra Chromium flags.
 * `base` and `browser` are read inside tests (they exist only once the file's `beforeAll` has run).
 */
export function useSite(args: readonly string[] = []): { readonly base: string; readonly browser: Browser; open: (path: string) => ReturnType<typeof openPage> } {
  let site: Site | undefined;
  beforeAll(async () => {
    site = await startSite(args);
  });
  afterAll(async () => site?.stop());
  const started = (): Site => {
    if (!site) throw new Error("useSite: the site is not started yet: read it inside a test or hook");
    return site;
  };
  return {
    get base() { return started().base; },
    get browser() { return started().browser; },
    open: (path) => openPage(started().browser, started().base + path),
  };
}

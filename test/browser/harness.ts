/**
 * The built site served on 127.0.0.1 and a Chromium to visit it with: what every browser test file starts from.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launch } from "./browser.js";
import { DIST } from "./navigation.js";
import { serveDist } from "./serve.js";

/**
 * Records on `problems` what would spoil a reader's visit to `page`: console errors and warnings, uncaught exceptions,
 * failed requests and any request to another host than `base`'s (the site must work offline) or `also`'s (the
 * course page around an embed, embed.test.ts).
 */
export function recordProblems(page: Page, base: string, problems: string[], also: readonly string[] = []): void {
  const hosts = new Set([base, ...also].map((b) => new URL(b).host));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on("request", (r) => {
    const u = new URL(r.url());
    // data: and blob: (the sandbox's worker) are made in the page and fetch nothing.
    if (u.protocol !== "data:" && u.protocol !== "blob:" && !hosts.has(u.host)) problems.push(`request to another host: ${r.url()}`);
  });
}

/**
 * Waits until every numbered equation has its live cell (Framework renders cells after load). Never throws: the
 * calling test's assertions say what is missing.
 */
export async function settleCells(page: Page, timeout = 15_000): Promise<void> {
  await page.waitForFunction(() => {
    const eqs = document.querySelectorAll(".equation[id]").length;
    return document.querySelectorAll(".live-cell").length >= eqs;
  }, undefined, { timeout }).catch(() => undefined);
}

export interface Site {
  base: string;
  browser: Browser;
  stop: () => Promise<void>;
}

/**
 * Chromium logs most refusals by the pages' Content-Security-Policy (scripts/csp.ts) to the console itself, but
 * not eval's (it files those as DevTools issues, which playwright does not see): this, run first in every page,
 * makes every refusal a console error, which each test's console listener records.
 */
const REPORT_CSP = `document.addEventListener("securitypolicyviolation", (e) =>
  console.error("CSP violation: " + e.effectiveDirective + " blocked " + (e.blockedURI || "(inline)")));`;

/** `browser`, with REPORT_CSP added to every page and context the tests make from it. */
function reportingCsp(browser: Browser): Browser {
  const newPage = browser.newPage.bind(browser), newContext = browser.newContext.bind(browser);
  browser.newPage = async (options) => {
    const page = await newPage(options);
    await page.addInitScript(REPORT_CSP);
    return page;
  };
  browser.newContext = async (options) => {
    const context = await newContext(options);
    await context.addInitScript(REPORT_CSP);
    return context;
  };
  return browser;
}

export async function startSite(args: readonly string[] = []): Promise<Site> {
  const { url, server } = await serveDist(DIST);
  const browser = reportingCsp(await launch(args));
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
 * Opens `url` and records what would spoil a reader's visit (console errors and warnings, uncaught exceptions,
 * Content-Security-Policy refusals), once every numbered equation has its live cell.
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

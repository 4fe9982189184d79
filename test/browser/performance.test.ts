/**
 * Page weight and edit latency of every page of the navigation, in Chromium, printed as one table.
 *
 * Weight: everything the page fetches from its own origin until the network is idle and every numbered equation has
 * its live cell — what a reader downloads before touching anything — each file counted once at its gzip size
 * (level 9, of the file as it is in dist/; a static host serves it compressed).
 *
 * Latency: what a reader edits on the page, set 9 times; each time, the milliseconds from the edit to the last DOM
 * mutation under <main>, once <main> has been quiet for 300 ms. What is edited, per page, is EDITS below.
 */
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { DIST, navigationPaths } from "./navigation.js";
import { resolveFile } from "./serve.js";
import { settleCells, useSite } from "./harness.js";

/** What a page may transfer (gzip) before the reader interacts, in kB of 1000 bytes. */
const WEIGHT_BUDGET_KB = 200;
/** Median time from an edit to the last cell updating (ms). */
const EDIT_BUDGET_MS = 50;
/** "Fails when exceeded by a wide margin": the machine is noisy, so only a 3× overrun is a failure. */
const EDIT_FAIL_FACTOR = 3;
/** How long <main> must stay unchanged for an edit to count as done (ms). */
const QUIET_MS = 300;
/** Edits per page; the median is the figure. */
const EDIT_COUNT = 9;
/**
 * /check waits this long after the last keystroke before it sends a case to its worker (check-session.ts's
 * DEBOUNCE_MS: half-typed JSON is mostly invalid, and a large case costs seconds); its budget starts after it.
 */
const CHECK_DEBOUNCE_MS = 80;

const site = useSite();

/**
 * How a page is edited: `prepare` runs once, then `edit(i)` for i = 0…8 makes the i-th edit, in the page. Each is a
 * function evaluated in the browser, so it may use only its argument.
 */
interface Edit {
  what: string;
  prepare?: (page: Page) => Promise<void>;
  /** Makes edit number `i` (0-based) and returns at once. */
  edit: (i: number) => void;
  /** Subtracted from each measured time before the budget applies (a deliberate wait of the page's own). */
  allowanceMs?: number;
}

/** Every settings form but /training's: the seed, 2, 3, … (the default is 1 on each page, 0 nowhere). */
const seedEdit: Edit = {
  what: "seed",
  edit: (i) => {
    const input = document.querySelector<HTMLInputElement>("main .config-form input[name=seed]")!;
    input.value = String(i + 2);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  },
};

/**
 * /training: nothing on the page depends on the settings until a run starts (sizes and seed apply at the next
 * Start), so the reader's edit that the page answers is one during a run. A paused run is used, so that training
 * progress does not mutate the page: the seed alternates between another seed and the run's, which shows and clears
 * the note that the new seed applies from the next run.
 */
const trainingEdit: Edit = {
  what: "seed, during a paused run",
  prepare: async (page) => {
    await page.getByRole("button", { name: "Start" }).click();
    await page.waitForFunction(() => /^Training:/.test(document.querySelector(".train-status")?.textContent ?? ""));
    await page.getByRole("button", { name: "Pause" }).click();
    await page.waitForFunction(() => /^Paused at step/.test(document.querySelector(".train-status")?.textContent ?? ""));
  },
  edit: (i) => {
    const input = document.querySelector<HTMLInputElement>("main .train-form input[name=seed]")!;
    const run = (input.dataset.runSeed ??= input.value);
    input.value = i % 2 === 0 ? String(Number(run) + i + 1) : run;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  },
};

/** /check: the first entry of E in the example case, as a reader would retype a number of the case. */
const checkEdit: Edit = {
  what: "an entry of E in the case",
  allowanceMs: CHECK_DEBOUNCE_MS,
  edit: (i) => {
    const ta = document.querySelector<HTMLTextAreaElement>("#case-text")!;
    ta.value = ta.value.replace(/("E":\s*\[\[)[^,\]]+/, `$1${(0.1 * (i + 1)).toFixed(1)}`);
    ta.dispatchEvent(new Event("input", { bubbles: true }));
  },
};

const EDITS: Record<string, Edit> = { "/training": trainingEdit, "/check": checkEdit };

interface Row {
  path: string;
  kb: number;
  requests: number;
  largest: string;
  what: string;
  times: number[];
  median: number;
}

const rows: Row[] = [];

/** The gzip size of every same-origin file `page` fetched, each once. */
function weigh(urls: Iterable<string>): { kb: number; sizes: [string, number][] } {
  const sizes: [string, number][] = [];
  for (const url of urls) {
    const file = resolveFile(DIST, new URL(url).pathname);
    if (!file) throw new Error(`fetched ${url}, which is not in ${DIST}`);
    sizes.push([new URL(url).pathname, gzipSync(readFileSync(file), { level: 9 }).length]);
  }
  sizes.sort((a, b) => b[1] - a[1]);
  return { kb: sizes.reduce((s, [, n]) => s + n, 0) / 1000, sizes };
}

/** Times from each of EDIT_COUNT edits to the last mutation under <main>, after QUIET_MS of quiet (ms). */
async function editTimes(page: Page, e: Edit): Promise<number[]> {
  await e.prepare?.(page);
  // Installed as source text: page.evaluate cannot pass a function, and the pages' policy forbids eval.
  await page.evaluate(`window.bpttEdit = ${e.edit.toString()}`);
  const times: number[] = [];
  for (let i = 0; i < EDIT_COUNT; i++) {
    times.push(await page.evaluate(async ({ i, quiet }) => {
      const main = document.querySelector("main")!;
      let last = 0;
      const mo = new MutationObserver(() => (last = performance.now()));
      mo.observe(main, { subtree: true, childList: true, characterData: true, attributes: true });
      performance.mark("edit-start");
      const start = performance.now();
      (window as unknown as { bpttEdit: (i: number) => void }).bpttEdit(i);
      await new Promise<void>((resolve) => {
        const poll = () => (performance.now() - Math.max(last, start) > quiet ? resolve() : setTimeout(poll, 50));
        setTimeout(poll, 50);
      });
      mo.disconnect();
      performance.mark("edit-settled");
      return Math.max(0, last - start);
    }, { i, quiet: QUIET_MS }));
  }
  return times;
}

/** A file's name without Framework's content hash; a page's with .html; an npm module's as its package. */
function shortName(pathname: string): string {
  const parts = pathname.split("/");
  const last = (parts.pop() || "index").replace(/\.[0-9a-f]{8}\./, ".");
  if (last === "index.js" && parts.length > 1) return parts.pop()!;
  return last.includes(".") ? last : `${last}.html`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe("page weight and edit latency", () => {
  it.each(navigationPaths())("%s", async (path) => {
    const page = await site.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const origin = new URL(site.base).origin;
    const fetched = new Set<string>();
    page.context().on("response", (r) => {
      const u = new URL(r.url());
      if (u.origin === origin) fetched.add(u.origin + u.pathname);
    });
    await page.goto(site.base + path, { waitUntil: "networkidle" });
    await settleCells(page);
    const { kb, sizes } = weigh([...fetched]);
    // A page without controls (the notes) is weighed only.
    const e = EDITS[path] ?? ((await page.locator("main .config-form input[name=seed]").count()) ? seedEdit : null);
    const times = e ? await editTimes(page, e) : [];
    await page.close();
    const m = e ? median(times) - (e.allowanceMs ?? 0) : NaN;
    rows.push({
      path, kb, requests: sizes.length, what: e?.what ?? "(no controls)", times, median: m,
      largest: sizes.slice(0, 3).map(([p, n]) => `${shortName(p)} ${(n / 1000).toFixed(0)}`).join(", "),
    });
    expect(kb, `${path} transfers ${kb.toFixed(1)} kB gzip before any interaction`).toBeLessThanOrEqual(WEIGHT_BUDGET_KB);
    if (e) expect(m, `${path}: median edit → last cell ${m.toFixed(1)} ms`).toBeLessThan(EDIT_BUDGET_MS * EDIT_FAIL_FACTOR);
  });

  // Printed whatever passed, so a failing run still says by how much.
  afterAll(() => {
    const header = "| page | kB gzip | requests | largest (kB gzip) | edit | median ms | ≤ 50 | all 9 (ms) |";
    const lines = rows.map((r) => `| ${r.path} | ${r.kb.toFixed(1)} | ${r.requests} | ${r.largest} | ${r.what} | ` +
      `${Number.isNaN(r.median) ? "—" : r.median.toFixed(1)} | ${Number.isNaN(r.median) ? "—" : r.median <= EDIT_BUDGET_MS ? "yes" : "NO"} | ${r.times.map((t) => t.toFixed(0)).join(" ")} |`);
    console.log([`Page weight (budget ${WEIGHT_BUDGET_KB} kB) and edit latency (budget ${EDIT_BUDGET_MS} ms), Chromium:`,
      header, "|---|---|---|---|---|---|---|---|", ...lines].join("\n"));
  });
});

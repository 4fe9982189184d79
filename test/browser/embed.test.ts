/**
 * One equation embedded in another site's page (docs/embedding-equations.md), in Chromium: the built site is
 * served on 127.0.0.1 and a course page on `localhost`, another origin and another site, whose <iframe> holds the
 * embed. Inside the frame: the equation with its number, the cell's numbers, a control that changes them, the
 * height messages (sizing the frame with the very script the note gives), no console error, failed request or
 * Content-Security-Policy refusal in either document; a fixed configuration shows the full page's numbers for it;
 * (3.7)'s step slider comes with its cell; bad links name their field. On the pages: the Embed panel copies an
 * iframe that works as pasted, and every page embeds its first equation with a live cell and gives each such
 * equation one Embed button.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Frame, Page } from "playwright-core";
import { EMBED_HEIGHT_MESSAGE } from "../../lib/state/embed.js";
import { breakAndReset } from "./editing.js";
import { navigationPaths } from "./navigation.js";
import { recordProblems, settleCells, useSite } from "./harness.js";

const site = useSite();
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's violations of any impact in a document (quality.test.ts checks the pages the same way). */
async function axeViolations(target: Page | Frame): Promise<string[]> {
  await target.addScriptTag({ content: AXE_SOURCE });
  return target.evaluate(async () => {
    // @ts-expect-error axe is injected above
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return (r.violations as { id: string; impact: string; help: string; nodes: { target: string[] }[] }[]).map(
      (v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
  });
}

/** The note's script that sizes a frame from the embed's message: tested as a lecturer pastes it. */
const LISTENER = (() => {
  const note = readFileSync(new URL("../../docs/embedding-equations.md", import.meta.url), "utf8");
  const script = [...note.matchAll(/```html\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes("<script>"));
  if (!script) throw new Error("docs/embedding-equations.md: no ```html block with the sizing <script>");
  return script.trim();
})();

/** A course page on another origin: `localhost`, while the site is on 127.0.0.1 (Chromium resolves it to loopback). */
let host: { server: Server; origin: string; pages: Map<string, string> };

beforeAll(async () => {
  const pages = new Map<string, string>();
  const server = createServer((req, res) => {
    const html = pages.get(new URL(req.url ?? "/", "http://x").pathname);
    res.writeHead(html ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
    res.end(html ?? "not found");
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  host = { server, origin: `http://localhost:${(server.address() as AddressInfo).port}`, pages };
});
afterAll(() => host?.server.close());

/**
 * The course page: a heading, `body` (the iframe), the note's sizing script, and a record of every message, by
 * the frame's position, in `window.__heights`.
 */
function coursePage(name: string, body: string): string {
  host.pages.set(`/${name}`, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Week 4</title></head><body>` +
    `<h1>Week 4: backpropagation through time</h1>${body}<p>After the frame.</p>` +
    `<script>window.__heights = []; addEventListener("message", (e) => { const k = Array.from(document.querySelectorAll("iframe"), (f) => f.contentWindow).indexOf(e.source); ` +
    `window.__heights.push({ frame: k, origin: e.origin, data: e.data }); });</script>${LISTENER}</body></html>`);
  return `${host.origin}/${name}`;
}

const frameTag = (src: string, height = 300) =>
  `<iframe src="${src.replace(/&/g, "&amp;")}" title="Equation" width="720" height="${height}" style="border:0"></iframe>`;

interface Visit { page: Page; frame: Frame; problems: string[] }

/**
 * Opens the course page holding `embedPath` of the site and waits for the embed's cells. Records console errors and
 * warnings (Content-Security-Policy refusals become errors: harness.ts) of both documents, uncaught errors, failed
 * requests and requests to any host but the two.
 */
async function visitEmbed(embedPath: string, options: { context?: BrowserContext; height?: number; body?: string } = {}): Promise<Visit> {
  const url = coursePage(`course-${Math.random().toString(36).slice(2)}`, options.body ?? frameTag(site.base + embedPath, options.height));
  const page = await (options.context ?? site.browser).newPage({ viewport: { width: 1000, height: 800 } });
  const problems: string[] = [];
  recordProblems(page, site.base, problems, [host.origin]);
  await page.goto(url, { waitUntil: "load" });
  const frame = await embedFrame(page);
  await frame.waitForFunction(() => document.documentElement.hasAttribute("data-embed-ready") &&
    (document.querySelector(".embed-message") !== null || document.querySelectorAll("[data-embed-part=cell] .live-cell").length > 0), undefined, { timeout: 20_000 });
  return { page, frame, problems };
}

/** The embed's frame, once it has its address (a lazily loaded frame has none at first). */
async function embedFrame(page: Page): Promise<Frame> {
  const find = () => page.frames().find((f) => f.url().includes("embed="));
  await expect.poll(() => find() !== undefined, { timeout: 10_000 }).toBe(true);
  const frame = find()!;
  await frame.waitForLoadState("load");
  return frame;
}

/** What the embed shows: the visible equations, live cells and their numbers, forms, and its source line. */
const shown = (frame: Frame) => frame.evaluate(() => {
  const visible = (e: Element) => (e as HTMLElement).checkVisibility();
  const link = document.querySelector<HTMLAnchorElement>(".embed-source a");
  return {
    equations: Array.from(document.querySelectorAll(".equation"), (e) => e).filter(visible).map((e) => e.id),
    tag: document.querySelector(".equation:not([data-embed-hidden]) .katex-html .katex-tag")?.textContent ?? "",
    cells: Array.from(document.querySelectorAll(".live-cell")).filter(visible).length,
    values: Array.from(document.querySelectorAll(".live-value")).filter(visible).map((v) => v.textContent ?? ""),
    badges: Array.from(document.querySelectorAll(".live-cell .check")).filter(visible).map((b) => b.textContent ?? ""),
    inputs: Array.from(document.querySelectorAll("input, select")).filter(visible).map((i) => (i as HTMLInputElement).name || i.getAttribute("type") || i.tagName),
    headings: Array.from(document.querySelectorAll(":is(h1, h2, h3):not(.embed-source), #observablehq-header, #observablehq-footer, #observablehq-toc"))
      .filter(visible).length,
    link: link ? { text: link.textContent ?? "", href: link.href, target: link.target, visible: visible(link) } : null,
    message: document.querySelector(".embed-message")?.textContent ?? "",
    config: document.querySelector(".embed-config")?.textContent ?? "",
    theme: document.documentElement.dataset.theme,
    search: location.search,
  };
});

/** `read()` once two readings 300 ms apart agree (cells re-run one after another after an edit). */
async function steady(read: () => Promise<string[]>): Promise<string[]> {
  let last = JSON.stringify(await read());
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const now = JSON.stringify(await read());
    if (now === last) return JSON.parse(now) as string[];
    last = now;
  }
}

const steadyValues = (frame: Frame) => steady(async () => (await shown(frame)).values);

/** The live values of the cells between `#id` and the next heading or display on a full page. */
const pageValues = (page: Page, id: string) => page.evaluate((eq) => {
  const out: string[] = [];
  for (let n = document.getElementById(eq)!.nextElementSibling; n && !n.matches("h1, h2, h3, h4, .equation"); n = n.nextElementSibling) {
    for (const v of n.querySelectorAll(".live-cell .live-value")) out.push(v.textContent ?? "");
  }
  return out;
}, id);

const heights = (page: Page) => page.evaluate(() =>
  (window as unknown as { __heights: { frame: number; origin: string; data: { type?: string; equation?: string; height?: number } }[] }).__heights);

describe("an embed in a page of another origin", () => {
  it("shows (4.9), its number linking to the full page in a new tab, and its cell's numbers; nothing else of the page", async () => {
    const { page, frame, problems } = await visitEmbed("/summary?embed=eq-4-9&seed=3");
    expect(await frame.evaluate(() => location.origin)).toBe(site.base);
    expect(await page.evaluate(() => location.origin)).toBe(host.origin);
    const s = await shown(frame);
    expect(s.equations).toEqual(["eq-4-9"]);
    expect(s.tag).toBe("(4.9)");
    expect(s.cells).toBe(1);
    expect(s.values[0]).toMatch(/-?\d\.\d+/);
    expect(s.badges.join(" ")).toMatch(/✓/);
    expect(s.headings, "no heading, header, contents or footer").toBe(0);
    expect(s.inputs).toEqual(expect.arrayContaining(["text", "seed", "h0"]));
    expect(s.link).toMatchObject({ href: `${site.base}/summary?seed=3#eq-4-9`, target: "_blank", visible: true });
    expect(s.link!.text).toBe("(4.9) · 4 · Summary — BPTT companion ↗ (opens the page in a new tab)");
    expect(await frame.title()).toMatch(/^Equation \(4\.9\) · /);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("follows a control changed in the frame, keeps being an embed, and says its height to the page, which fits the frame", async () => {
    const { page, frame, problems } = await visitEmbed("/summary?embed=eq-4-9&seed=3");
    const before = await steadyValues(frame);
    await frame.locator(".config-form input[name=seed]").fill("4");
    await expect.poll(() => shown(frame).then((s) => s.values.join())).not.toBe(before.join());
    // The address (and the link built from it) is written once the edits pause: settings-form.ts.
    await expect.poll(() => shown(frame).then((s) => `${s.search} ${s.link!.href}`))
      .toBe(`?embed=eq-4-9&seed=4 ${site.base}/summary?seed=4#eq-4-9`);
    const s = await shown(frame);
    expect(s.badges.join(" ")).toMatch(/✓/);

    // The documented message, from the embed's origin, and the note's script sized the frame to the last one.
    const sizeOf = async () => {
      const got = (await heights(page)).filter((h) => h.data?.type === EMBED_HEIGHT_MESSAGE);
      return { last: got.at(-1), count: got.length };
    };
    await expect.poll(async () => (await sizeOf()).count).toBeGreaterThan(0);
    const { last } = await sizeOf();
    expect(last).toMatchObject({ frame: 0, origin: site.base, data: { type: EMBED_HEIGHT_MESSAGE, equation: "eq-4-9" } });
    expect(Object.keys(last!.data).sort()).toEqual(["equation", "height", "type"]);
    const content = await frame.evaluate(() => Math.ceil(document.documentElement.scrollHeight));
    expect(Math.abs(last!.data.height! - content), `reported ${last!.data.height} for a document ${content} px tall`).toBeLessThanOrEqual(1);
    await expect.poll(() => page.evaluate(() => document.querySelector("iframe")!.getBoundingClientRect().height)).toBe(last!.data.height);

    // A larger vocabulary gives (DL)_E more rows: the frame grows with it.
    await frame.locator(".config-form input[name=vocab]").fill("abcdefghijklmnop");
    await expect.poll(async () => (await sizeOf()).last!.data.height!).toBeGreaterThan(last!.data.height! + 100);
    const grown = (await sizeOf()).last!.data.height!;
    await expect.poll(() => page.evaluate(() => document.querySelector("iframe")!.getBoundingClientRect().height)).toBe(grown);
    expect(await frame.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(grown);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("runs a reader's edit of the cell's code in the sandbox inside the frame, and resets it", async () => {
    const { page, frame, problems } = await visitEmbed("/summary?embed=eq-4-9");
    // breakAndReset reads the document through locators only, which a frame has as a page does.
    await breakAndReset(frame as unknown as Page, "gradE", 0, "Assign instead of accumulate");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("with controls=hide shows no control, says the configuration, and gives the full page's numbers for it", async () => {
    const query = "text=badge&seed=7&hidden=3";
    const { page, frame, problems } = await visitEmbed(`/summary?embed=eq-4-9&controls=hide&${query}`);
    const values = await steadyValues(frame);
    const s = await shown(frame);
    expect(s.inputs).toEqual([]);
    expect(s.config).toMatch(/Input text badge · .*Hidden size 3 · Seed 7 · /);
    expect(s.equations).toEqual(["eq-4-9"]);
    await page.close();

    const full = await site.browser.newPage();
    await full.goto(`${site.base}/summary?${query}`, { waitUntil: "networkidle" });
    await settleCells(full);
    const fullValues = await pageValues(full, "eq-4-9");
    expect(fullValues.length).toBeGreaterThan(0);
    expect(values).toEqual(fullValues);
    // Another configuration gives other numbers, so the comparison above can fail.
    await full.goto(`${site.base}/summary?text=badge&seed=8&hidden=3`, { waitUntil: "networkidle" });
    await settleCells(full);
    expect(await pageValues(full, "eq-4-9")).not.toEqual(values);
    await full.close();
    expect(problems).toEqual([]);
  });

  it("brings (3.7)'s step slider, which its cell reads, and hides it with controls=hide", async () => {
    const { page, frame, problems } = await visitEmbed("/hidden?embed=eq-3-7");
    const s = await shown(frame);
    expect(s.equations).toEqual(["eq-3-7"]);
    expect(s.inputs).toContain("range");
    const before = await steadyValues(frame);
    await frame.locator("input[type=range]").first().fill("0");
    await expect.poll(() => shown(frame).then((x) => x.values.join())).not.toBe(before.join());
    await page.close();
    const fixed = await visitEmbed("/hidden?embed=eq-3-7&controls=hide");
    expect((await shown(fixed.frame)).inputs).toEqual([]);
    await fixed.page.close();
    expect([...problems, ...fixed.problems]).toEqual([]);
  });

  it("takes the theme from the link: dark, or the reader's system", async () => {
    const dark = await visitEmbed("/summary?embed=eq-4-1&theme=dark");
    const background = (f: Frame) => f.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect((await shown(dark.frame)).theme).toBe("dark");
    const darkBackground = await background(dark.frame);
    await dark.page.close();
    const context = await site.browser.newContext({ colorScheme: "dark" });
    const system = await visitEmbed("/summary?embed=eq-4-1", { context });
    expect((await shown(system.frame)).theme).toBe("system");
    expect(await background(system.frame)).toBe(darkBackground);
    await context.close();
    const light = await visitEmbed("/summary?embed=eq-4-1");
    expect(await background(light.frame)).not.toBe(darkBackground);
    await light.page.close();
    expect([...dark.problems, ...system.problems, ...light.problems]).toEqual([]);
  });

  it("names a bad field in one line: a bad view setting is replaced, an unknown equation shows only the message", async () => {
    const bad = await visitEmbed("/summary?embed=eq-4-2&controls=off&seed=0x3");
    const s = await shown(bad.frame);
    expect(s.message).toBe('controls: "off" is not a way to show the controls: expected one of show, hide — showing controls = show (the default).');
    expect(s.equations).toEqual(["eq-4-2"]);
    expect(s.cells, "(4.2)'s one cell, not (4.3)'s after it").toBe(1);
    expect(s.inputs).toContain("seed");
    expect(await bad.frame.locator(".config-error").textContent()).toMatch(/^seed: "0x3" is not an integer/);
    expect(s.search).toBe("?embed=eq-4-2");
    await bad.page.close();

    const none = await visitEmbed("/summary?embed=eq-3-21");
    const n = await shown(none.frame);
    expect(n.message).toMatch(/^embed: "eq-3-21" is not a numbered equation of this page with a live cell: expected one of eq-4-1, eq-4-2, /);
    expect(n.equations).toEqual([]);
    expect(n.cells).toBe(0);
    expect(n.inputs).toEqual([]);
    // Still told: the frame shrinks to the message.
    await expect.poll(async () => (await heights(none.page)).filter((h) => h.data?.type === EMBED_HEIGHT_MESSAGE).at(-1)?.data.height ?? 0).toBeGreaterThan(0);
    expect((await heights(none.page)).filter((h) => h.data?.type === EMBED_HEIGHT_MESSAGE).at(-1)!.data.height).toBeLessThan(120);
    await none.page.close();
    expect([...bad.problems, ...none.problems]).toEqual([]);
  });
});

describe("accessibility (axe-core)", () => {
  it("finds no violation in an embed, light or dark, nor on a page with the Embed panel open", async () => {
    for (const theme of ["light", "dark"]) {
      const { page, frame } = await visitEmbed(`/hidden?embed=eq-3-7&theme=${theme}`);
      expect(await axeViolations(frame), `the embed of (3.7), ${theme}`).toEqual([]);
      await page.close();
    }
    const page = await site.browser.newPage();
    await page.goto(`${site.base}/summary`, { waitUntil: "networkidle" });
    await settleCells(page);
    await page.locator("#eq-4-1 > button.eq-embed").click();
    await page.locator("#eq-4-1-embed").waitFor();
    expect(await axeViolations(page), "/summary with (4.1)'s panel open").toEqual([]);
    await page.close();
  }, 120_000);
});

describe("the Embed panel", () => {
  it("copies an iframe for the configuration on screen, with or without controls, that works as pasted", async () => {
    const context = await site.browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
    const page = await context.newPage();
    await page.goto(`${site.base}/summary?seed=3`, { waitUntil: "networkidle" });
    await settleCells(page);
    const button = page.locator("#eq-4-9 > button.eq-embed");
    expect(await button.getAttribute("aria-label")).toBe("Embed equation (4.9) in another page");
    await button.click();
    await expect.poll(() => button.getAttribute("aria-expanded")).toBe("true");
    const panel = page.locator("#eq-4-9-embed");
    await panel.locator("button.eq-embed-copy").click();
    const copied = () => page.evaluate(() => navigator.clipboard.readText());
    await expect.poll(copied).toMatch(/^<iframe /);
    const snippet = await copied();
    expect(snippet).toMatch(new RegExp(`^<iframe src="${site.base.replace(/\./g, "\\.")}/summary\\?embed=eq-4-9&amp;seed=3" ` +
      `title="Equation \\(4\\.9\\), BPTT companion" width="720" height="\\d+0" loading="lazy" style="border:0;max-width:100%"></iframe>$`));
    expect(await panel.locator(".eq-embed-status").textContent()).toBe("Embed code for equation (4.9) copied.");

    // Fixed and dark: the code says so, and follows the page's settings changed while the panel is open.
    await panel.locator("input[type=checkbox]").uncheck();
    await panel.locator("select").selectOption("dark");
    await page.locator(".config-form input[name=seed]").fill("5");
    await expect.poll(() => panel.locator("textarea").inputValue()).toContain("embed=eq-4-9&amp;controls=hide&amp;theme=dark&amp;seed=5");
    await panel.locator("button.eq-embed-copy").click();
    await expect.poll(copied).toContain("controls=hide&amp;theme=dark&amp;seed=5");
    const fixed = await copied();
    const height = Number(/height="(\d+)"/.exec(fixed)![1]);
    const expected = await steady(() => pageValues(page, "eq-4-9"));
    await page.keyboard.press("Escape");
    await expect.poll(() => panel.count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.matches("#eq-4-9 > button.eq-embed"))).toBe(true);
    await context.close();

    // Pasted as copied into the course page: the same numbers, no controls, dark; its height was a fair estimate.
    const visit = await visitEmbed("", { body: fixed });
    const s = await shown(visit.frame);
    expect(s).toMatchObject({ equations: ["eq-4-9"], inputs: [], theme: "dark" });
    expect(await steadyValues(visit.frame)).toEqual(expected);
    const content = await visit.frame.evaluate(() => document.documentElement.scrollHeight);
    expect(Math.abs(content - height), `copied height ${height}, content ${content}`).toBeLessThan(0.25 * content);
    expect(visit.problems).toEqual([]);
    await visit.page.close();
  });
});

describe.each(navigationPaths())("page %s", (path) => {
  it("gives each numbered equation with a live cell one Embed button, and embeds the first of them alone", async () => {
    const page = await site.browser.newPage();
    await page.goto(site.base + path, { waitUntil: "networkidle" });
    await settleCells(page);
    // A live cell between the equation and the next heading or display: what the reader sees as "its cell".
    const eqs = await page.evaluate(() => Array.from(document.querySelectorAll<HTMLElement>(".equation[id]"), (eq) => {
      let cells = 0;
      for (let n = eq.nextElementSibling; n && !n.matches("h1, h2, h3, h4, .equation"); n = n.nextElementSibling) cells += n.querySelectorAll(".live-cell").length;
      return { id: eq.id, cells, buttons: eq.querySelectorAll(":scope > button.eq-embed").length };
    }));
    await page.close();
    for (const e of eqs) expect(e.buttons, `${path}#${e.id} with ${e.cells} live cell(s)`).toBe(e.cells > 0 ? 1 : 0);
    const first = eqs.find((e) => e.cells > 0);
    if (!first) return;
    const { page: course, frame, problems } = await visitEmbed(`${path}?embed=${first.id}`);
    const s = await shown(frame);
    expect(s.equations).toEqual([first.id]);
    expect(s.cells).toBe(first.cells);
    expect(s.badges.join(" "), `${path}#${first.id}'s checks`).not.toMatch(/✗/);
    expect(s.headings).toBe(0);
    expect(problems).toEqual([]);
    await course.close();
  });
});

/**
 * Every page of the built site in a real Chromium: no console error or warning, no failed request, no request
 * to any host but the local server, no KaTeX or Framework error, every numbered equation followed by a live cell
 * that rendered and whose check passed.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { makeRng } from "../../lib/core/rng.js";
import { DIST, navigationPaths } from "./navigation.js";
import { buildExample, DEFAULT_CONFIG } from "../../lib/state/example.js";
import { recordProblems, settleCells, useSite } from "./harness.js";

const site = useSite();

interface Visit {
  page: Page;
  problems: string[];
}

/** Opens a page and records everything that would make a reader's visit go wrong. */
async function visit(path: string): Promise<Visit> {
  const page = await site.browser.newPage();
  const problems: string[] = [];
  recordProblems(page, site.base, problems);
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(site.base + path, { waitUntil: "networkidle" });
  await settleCells(page);
  return { page, problems };
}

describe.each(navigationPaths())("page %s", (path) => {
  it("loads with no error, no warning and no request off the local server", async () => {
    const { page, problems } = await visit(path);
    const errors = await page.evaluate(() => ({
      katex: document.querySelectorAll(".katex-error").length,
      framework: Array.from(document.querySelectorAll(".observablehq--error"), (e) => e.textContent),
    }));
    await page.close();
    expect(problems, `problems on ${path}`).toEqual([]);
    expect(errors.katex, `KaTeX errors on ${path}`).toBe(0);
    expect(errors.framework, `Framework error blocks on ${path}`).toEqual([]);
  });

  it("follows every numbered equation with a live cell that rendered and passed its check", async () => {
    const { page } = await visit(path);
    const report = await page.evaluate(() => {
      const out: { id: string; katex: boolean; cell: boolean; failed: string[]; empty: boolean }[] = [];
      for (const eq of document.querySelectorAll<HTMLElement>(".equation[id]")) {
        let cell: Element | null = null;
        for (let n = eq.nextElementSibling; n && !n.matches(".equation, h1, h2, h3"); n = n.nextElementSibling) {
          cell = n.matches(".live-cell") ? n : n.querySelector(".live-cell");
          if (cell) break;
        }
        out.push({
          id: eq.id,
          katex: !!eq.querySelector(".katex-display"),
          cell: !!cell,
          failed: cell ? Array.from(cell.querySelectorAll(".check-fail"), (c) => c.textContent ?? "") : [],
          empty: !cell || (cell.querySelector(".live-value")?.textContent ?? "").trim() === "",
        });
      }
      return out;
    });
    await page.close();
    for (const r of report) {
      expect(r.katex, `${path}#${r.id} is rendered by KaTeX`).toBe(true);
      expect(r.cell, `${path}#${r.id} is followed by a live cell`).toBe(true);
      expect(r.empty, `${path}#${r.id}'s live cell shows a value`).toBe(false);
      expect(r.failed, `${path}#${r.id}'s checks`).toEqual([]);
    }
  });

  it("shows after each live cell the code that ran: the build's hash of the code shown is the hash of the function the cell called", async () => {
    const { page } = await visit(path);
    const cells = await page.evaluate(() => Array.from(document.querySelectorAll<HTMLElement>(".live-cell[data-hash]"), (cell) => {
      let block: HTMLElement | null = null;
      for (let n = cell.closest(".observablehq")?.nextElementSibling; n?.matches(".lib-code"); n = n.nextElementSibling) {
        if ((n as HTMLElement).dataset.fn === cell.dataset.fn) block = n as HTMLElement;
      }
      return { fn: cell.dataset.fn, ran: cell.dataset.hash, shown: block?.dataset.hash ?? "no code block after the cell" };
    }));
    await page.close();
    for (const c of cells) expect(c.shown, `${path}: ${c.fn}`).toBe(c.ran);
    // Pages whose cells name the function they call carry the proof (the others name precomputed values for now).
    if (["/hidden", "/summary", "/d2l", "/stacked", "/vanishing"].includes(path)) expect(cells.length, path).toBeGreaterThan(0);
  });
});

describe("the forward-pass page", () => {
  it("has the anchors of eqs 1.1–1.7, each linking to itself", async () => {
    const { page } = await visit("/");
    const anchors = await page.evaluate(() =>
      Array.from(document.querySelectorAll(".equation[id]"), (e) => ({
        id: e.id, href: e.querySelector("a.eq-link")?.getAttribute("href"), tag: e.querySelector(".katex-tag")?.textContent,
      })),
    );
    await page.close();
    const want = ["1.3", "1.4", "1.5", "1.6", "1.7", "1.1", "1.2"];
    expect(anchors.map((a) => a.id)).toEqual(want.map((n) => `eq-${n.replace(".", "-")}`));
    for (const a of anchors) expect(a.href).toBe(`#${a.id}`);
    expect(anchors.map((a) => a.tag)).toEqual(want.map((n) => `(${n})`));
  });

  it("shows the loss lib/ computes, and recomputes it when the text changes", async () => {
    const { page, problems } = await visit("/");
    const lossText = () => page.locator(".live-value", { hasText: "L = " }).textContent();
    const expected = (text: string) => buildExample({ ...DEFAULT_CONFIG, text }).fwd.loss;
    const shown = async () => Number((await lossText())!.replace(/^.*L = /, ""));
    expect(Math.abs((await shown()) - expected(DEFAULT_CONFIG.text))).toBeLessThan(1e-9);

    await page.getByLabel("Input text").fill("badge");
    await expect.poll(shown).toBeCloseTo(expected("badge"), 9);
    expect(await page.locator(".check-fail").count()).toBe(0);

    // An unknown token: one message naming the field, and the numbers stay those of the last good text.
    await page.getByLabel("Input text").fill("bad z");
    await expect.poll(() => page.locator(".config-error").textContent()).toMatch(/^text: " " at position 4 is not in the vocabulary/);
    expect(await shown()).toBeCloseTo(expected("badge"), 9);
    // Out of range size and an empty text: same behaviour.
    await page.getByLabel("Input text").fill("badge");
    await page.getByLabel("Hidden size").fill("0");
    await expect.poll(() => page.locator(".config-error").textContent()).toMatch(/^hidden: 0 is out of range: expected an integer from 1 to 16/);
    await page.getByLabel("Hidden size").fill("6");
    await page.getByLabel("Input text").fill("");
    await expect.poll(() => page.locator(".config-error").textContent()).toMatch(/^text: has 0 characters/);
    expect(await shown()).toBeCloseTo(expected("badge"), 9);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("keeps its configuration in the URL: a reload (or a shared link) shows the same numbers", async () => {
    const { page } = await visit("/");
    await page.getByLabel("Input text").fill("faced");
    await page.getByLabel("Seed").fill("7");
    await page.getByLabel("h⁽⁰⁾").selectOption("point-one");
    const want = buildExample({ ...DEFAULT_CONFIG, text: "faced", seed: 7, h0: "point-one" }).fwd.loss;
    const shown = async () => Number((await page.locator(".live-value", { hasText: "L = " }).textContent())!.replace(/^.*L = /, ""));
    await expect.poll(shown).toBeCloseTo(want, 9);
    // The address is written once the frame that shows the edit is drawn (settings-form.ts).
    await expect.poll(() => new URL(page.url()).search).toBe("?text=faced&seed=7&h0=point-one");
    // Links to the other pages carry the configuration.
    const next = await page.locator("a[rel=next]").first().getAttribute("href");
    expect(next).toContain("?text=faced&seed=7&h0=point-one");
    await page.reload({ waitUntil: "networkidle" });
    await expect.poll(shown).toBeCloseTo(want, 9);
    expect(await page.getByLabel("Input text").inputValue()).toBe("faced");
    await page.close();
    // A link with a bad configuration says so and falls back to the defaults rather than showing nothing.
    const bad = await visit("/?hidden=999");
    expect(await bad.page.locator(".config-error").textContent()).toMatch(/^hidden: 999 is out of range/);
    await bad.page.close();
  });
});

describe("the main derivation's numbering", () => {
  it("has all 37 numbered equations and Remark 3.22 as anchors, each once in the site, each rendered by KaTeX", () => {
    const want = [
      ...Array.from({ length: 7 }, (_, i) => `eq-1-${i + 1}`),
      ...Array.from({ length: 21 }, (_, i) => `eq-3-${i + 1}`),
      ...Array.from({ length: 9 }, (_, i) => `eq-4-${i + 1}`),
      "remark-3-22",
    ];
    const found = new Map<string, string[]>();
    for (const name of readdirSync(DIST).filter((f) => f.endsWith(".html"))) {
      const html = readFileSync(join(DIST, name), "utf8");
      for (const m of html.matchAll(/<div[^>]*\sid="((?:eq|remark)-[\d-]+)"[^>]*>([\s\S]{0,400})/g)) {
        found.set(m[1]!, [...(found.get(m[1]!) ?? []), name]);
        if (m[1]!.startsWith("eq-")) {
          const tag = m[1]!.slice(3).replace(/-/g, ".");
          expect(m[2], `${name}#${m[1]} holds KaTeX`).toContain("katex");
          expect(html.includes(`\\tag{${tag}}`), `${name}#${m[1]} carries \\tag{${tag}}`).toBe(true);
        }
      }
    }
    expect([...found.keys()].sort()).toEqual([...want].sort());
    for (const [id, pages] of found) expect(pages, `${id} appears once`).toHaveLength(1);
  });
});

describe("random configurations", () => {
  // Seeded, so a failure names a configuration anyone can open. Each page draws from its own settings (lib/state/query.ts
  // schemas): the main pages share one configuration; the other sources' pages have their own.
  const rng = makeRng(2026);
  const vocab = "abcdefghij";
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  const activation = () => pick(["identity", "tanh", "relu"]);
  const rho = () => (rng.int(17) / 10).toFixed(1); // 0.0 … 1.6
  const own: Record<string, () => string> = {
    "/stacked": () => `?n=${1 + rng.int(4)}&T=${1 + rng.int(4)}&d=${1 + rng.int(4)}&h1=${1 + rng.int(4)}&h2=${1 + rng.int(4)}` +
      `&a=${2 + rng.int(3)}&seed=${rng.int(10000)}`,
    "/d2l": () => `?T=${1 + rng.int(8)}&h=${1 + rng.int(4)}&d=${1 + rng.int(3)}&q=${1 + rng.int(4)}&seed=${rng.int(1000)}` +
      `&loss=${pick(["cross-entropy", "squared"])}&h0=${pick(["random", "zeros"])}`,
    "/problem-set": () => `?vocab=${1 + rng.int(10)}&d_model=${1 + rng.int(6)}&hidden=${1 + rng.int(6)}&tau=${1 + rng.int(8)}` +
      `&h0=${pick(["zeros", "point-one"])}&seed=${rng.int(1000)}&count=${1 + rng.int(5)}&mode=${pick(["show", "hide"])}`,
    "/vanishing": () => `?rho=${rho()}&hidden=${1 + rng.int(12)}&T=${2 + rng.int(59)}&activation=${activation()}&seed=${rng.int(1000)}`,
    "/truncation": () => {
      const T = 2 + rng.int(11);
      return `?rho=${rho()}&hidden=${1 + rng.int(6)}&T=${T}&activation=${activation()}&k=${rng.int(T + 1)}` +
        `&pi=${(0.05 + rng.int(20) * 0.05).toFixed(2)}&N=${2 + rng.int(300)}&seed=${rng.int(1000)}`;
    },
  };
  const shared = () => {
    const n = 2 + rng.int(9);
    const text = Array.from({ length: n }, () => vocab[rng.int(vocab.length)]).join("");
    return `?text=${text}&vocab=${vocab}&d_model=${1 + rng.int(8)}&hidden=${1 + rng.int(16)}&seed=${rng.int(1000)}` +
      `&h0=${rng.int(2) ? "point-one" : "zeros"}`;
  };
  // The notes pages (docs/ as pages) have no settings and no cells: "page %s" above visits them.
  const cases = navigationPaths().filter((p) => !p.startsWith("/notes/"))
    .flatMap((p) => Array.from({ length: 3 }, () => [p, (own[p] ?? shared)()] as const));

  it.each(cases)(
    "%s%s: every check passes, no error",
    async (path, query) => {
      const { page, problems } = await visit(path + query);
      const report = await page.evaluate(() => ({
        failed: Array.from(document.querySelectorAll(".check-fail"), (e) => e.textContent),
        configError: document.querySelector(".config-error")?.textContent ?? "",
        errors: document.querySelectorAll(".observablehq--error").length,
        cells: document.querySelectorAll(".live-cell").length,
      }));
      await page.close();
      expect(report.configError).toBe("");
      expect(problems).toEqual([]);
      expect(report.errors).toBe(0);
      expect(report.failed).toEqual([]);
      expect(report.cells).toBeGreaterThan(0);
    },
  );
});


/**
 * Every page of the navigation in Chromium, Firefox and WebKit: no console error or warning, no uncaught error, no
 * failed request, no request to another host, no KaTeX or Framework error, and every numbered equation followed by
 * a live cell that rendered and whose check passed (and no failed check anywhere on the page). What each engine
 * can observe is in engines.ts; site.test.ts keeps Chromium's richer checks (editing, the URL, random
 * configurations). And an embed of one equation (`?embed=…`) shown alone, in each engine (embed.test.ts puts it in
 * another origin's iframe in Chromium).
 */
import { describe, expect, it } from "vitest";
import { ENGINES, engineBlock, invalidMathml, useEngineSite } from "./engines.js";
import { navigationPaths } from "./navigation.js";

for (const engine of ENGINES) {
  const { title, skip } = engineBlock(engine);
  describe.skipIf(skip)(`${title}: every page`, () => {
    const site = useEngineSite(engine);

    it.each(navigationPaths())("%s opens with no problem and every check passing", async (path) => {
      const visit = await site.open(path);
      const report = await visit.page.evaluate(() => {
        const eqs: { id: string; katex: boolean; cell: boolean; failed: string[]; empty: boolean }[] = [];
        for (const eq of Array.from(document.querySelectorAll<HTMLElement>(".equation[id]"))) {
          let cell: Element | null = null;
          for (let n = eq.nextElementSibling; n && !n.matches(".equation, h1, h2, h3"); n = n.nextElementSibling) {
            cell = n.matches(".live-cell") ? n : n.querySelector(".live-cell");
            if (cell) break;
          }
          eqs.push({
            id: eq.id,
            katex: !!eq.querySelector(".katex-display"),
            cell: !!cell,
            failed: cell ? Array.from(cell.querySelectorAll(".check-fail"), (c) => c.textContent ?? "") : [],
            empty: !cell || (cell.querySelector(".live-value")?.textContent ?? "").trim() === "",
          });
        }
        return {
          eqs,
          katex: document.querySelectorAll(".katex-error").length,
          framework: Array.from(document.querySelectorAll(".observablehq--error"), (e) => e.textContent ?? ""),
          failed: Array.from(document.querySelectorAll(".check-fail"), (e) => (e.textContent ?? "").slice(0, 200)),
          configError: document.querySelector(".config-error")?.textContent ?? "",
          headings: document.querySelectorAll("h1").length,
        };
      });
      const problems = await visit.problems();
      await visit.page.close();
      const where = `${engine.name} ${path}`;
      expect(problems, `problems on ${where}`).toEqual([]);
      expect(report.headings, `${where} rendered its title`).toBeGreaterThan(0);
      expect(report.katex, `KaTeX errors on ${where}`).toBe(0);
      expect(report.framework, `Framework error blocks on ${where}`).toEqual([]);
      expect(report.configError, `configuration error on ${where}`).toBe("");
      for (const r of report.eqs) {
        expect(r.katex, `${where}#${r.id} is rendered by KaTeX`).toBe(true);
        expect(r.cell, `${where}#${r.id} is followed by a live cell`).toBe(true);
        expect(r.empty, `${where}#${r.id}'s live cell shows a value`).toBe(false);
        expect(r.failed, `${where}#${r.id}'s checks`).toEqual([]);
      }
      expect(report.failed, `failed checks on ${where}`).toEqual([]);
    });

    it("a MathML element with a child missing in the finished page is a problem (engines.ts invalidMathml)", async () => {
      const visit = await site.open("/summary");
      const before = await visit.page.evaluate(invalidMathml);
      await visit.page.evaluate(() => { document.getElementsByTagNameNS("http://www.w3.org/1998/Math/MathML", "mfrac")[0]!.lastElementChild!.remove(); });
      const after = await visit.page.evaluate(invalidMathml);
      const problems = await visit.problems();
      await visit.page.close();
      expect(before).toEqual([]);
      expect(after).toHaveLength(1);
      expect(after[0]).toMatch(/^<mfrac> with 1 child, in #/);
      expect(problems.filter((p) => p.startsWith("invalid MathML in the finished page: <mfrac>"))).toHaveLength(1);
    });

    it("a heatmap's numbers sit centred in their cells, over their colours (heatmap.ts)", async () => {
      const visit = await site.open("/vanishing");
      const report = await visit.page.evaluate(() => {
        const figure = document.querySelector("main figure.heatmap")!;
        const svg = figure.querySelector<SVGSVGElement>("svg[data-grid]")!, colours = figure.querySelector(".hm-colours")!;
        const [left, top, cw, ch] = svg.dataset.grid!.split(",").map(Number) as [number, number, number, number];
        const box = svg.getBoundingClientRect(), under = colours.getBoundingClientRect();
        const offCentre: string[] = [];
        let numbers = 0;
        // The value runs are the texts with one x per character; each number's extent from its characters' boxes.
        for (const t of Array.from(svg.querySelectorAll<SVGTextElement>("text[fill]"))) {
          const text = t.textContent!;
          let from = 0;
          for (let k = 0; k <= text.length; k++) {
            if (k < text.length && text[k] !== " ") continue;
            const a = t.getExtentOfChar(from), b = t.getExtentOfChar(k - 1);
            const centre = (a.x + b.x + b.width) / 2, j = Math.floor((centre - left) / cw), i = Math.floor((a.y - top) / ch);
            const want = left + cw * j + cw / 2;
            if (Math.abs(centre - want) > 1.5) offCentre.push(`${text.slice(from, k)} at ${centre.toFixed(1)}, cell centre ${want}`);
            if (!(a.y + a.height / 2 > top + ch * i && a.y + a.height / 2 < top + ch * (i + 1))) offCentre.push(`${text.slice(from, k)} outside its row`);
            numbers++;
            from = k + 1;
          }
        }
        // Each row's label ends 6 px left of the grid, on its row.
        const rowText = svg.querySelector<SVGTextElement>("text.hm-rows")!, labels = rowText.textContent!.split(" ");
        let at = 0;
        labels.forEach((label, i) => {
          const end = rowText.getExtentOfChar(at + label.length - 1), first = rowText.getExtentOfChar(at);
          if (Math.abs(end.x + end.width - (left - 6)) > 1.5 || !(first.y + first.height / 2 > top + ch * i && first.y + first.height / 2 < top + ch * (i + 1))) {
            offCentre.push(`row label ${label} ends at ${(end.x + end.width).toFixed(1)}, row ${i + 1}`);
          }
          at += label.length + 1;
        });
        // Every entry is coloured: one gradient per row, with one colour per entry, on a box that covers the svg's grid.
        const rows = Math.round((svg.viewBox.baseVal.height - top - 4) / ch), cols = Math.round((svg.viewBox.baseVal.width - left - 4) / cw);
        const gradients = getComputedStyle(colours).backgroundImage.split("linear-gradient(").slice(1);
        // Each entry is a hard stop: its colour at its start and at its end (computed values list the two apart).
        const unpainted = rows * cols - gradients.reduce((n, g) => n + (g.match(/rgb\(/g) ?? []).length, 0) / 2;
        const s = box.width / svg.viewBox.baseVal.width;
        return {
          numbers, entries: rows * cols, offCentre, unpainted, gradients: gradients.length, rows,
          cover: [under.left - box.left - left * s, under.top - box.top - top * s, under.width - cw * cols * s, under.height - ch * rows * s]
            .map((d) => Math.round(d)),
        };
      });
      await visit.page.close();
      expect(report.numbers, `${engine.name}: one number per entry`).toBe(report.entries);
      expect(report.offCentre, `${engine.name}: numbers away from their cells' centres`).toEqual([]);
      expect(report.gradients, `${engine.name}: one gradient per row`).toBe(report.rows);
      expect(report.unpainted, `${engine.name}: entries without colour`).toBe(0);
      expect(report.cover, `${engine.name}: the colours' box against the svg's grid (left, top, width, height)`).toEqual([0, 0, 0, 0]);
    });

    it('the search box: "4.9" typed on / opens /summary at (4.9), in view', async () => {
      const visit = await site.open("/");
      // Typed as events in the page (the engines' drivers share no keyboard API); Enter comes after the evaluation
      // returns, since it navigates away.
      const first = await visit.page.evaluate(async () => {
        const input = document.querySelector<HTMLInputElement>("#site-search-input")!;
        input.focus();
        input.value = "4.9";
        input.dispatchEvent(new Event("input", { bubbles: true }));
        for (let i = 0; i < 200 && !document.querySelector("#site-search-results [role=option]"); i++) {
          await new Promise((r) => setTimeout(r, 50));
        }
        setTimeout(() => input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true })), 100);
        return document.querySelector("#site-search-results [role=option]")?.textContent ?? "";
      });
      expect(first, `${engine.name}: first result for 4.9`).toMatch(/^\(4\.9\)/);
      let landed = { address: "", inView: false };
      for (let i = 0; i < 100 && !(landed.address === "/summary#eq-4-9" && landed.inView); i++) {
        await new Promise((r) => setTimeout(r, 200));
        landed = await visit.page.evaluate(() => {
          const el = document.getElementById("eq-4-9");
          const r = el?.getBoundingClientRect();
          return { address: location.pathname + location.hash, inView: !!r && r.top >= 0 && r.bottom <= window.innerHeight };
        }).catch(() => landed); // the page is navigating
      }
      const problems = await visit.problems();
      await visit.page.close();
      expect(landed, `${engine.name}: where Enter led`).toEqual({ address: "/summary#eq-4-9", inView: true });
      expect(problems, `${engine.name}: problems`).toEqual([]);
    });

    it("the header's theme button turns the page dark, and the next page opens in the remembered theme (src/theme.css)", async () => {
      const read = () => ({
        theme: document.documentElement.dataset.theme ?? "",
        background: getComputedStyle(document.documentElement).backgroundColor,
      });
      // Mean channel of the background: the site's light theme is white, its dark one near black.
      const brightness = (rgb: string) => (rgb.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number).reduce((a, b) => a + b, 0) / 3;
      const first = await site.open("/");
      // The engines run with a light system preference: System → Light → Dark.
      await first.page.evaluate(() => {
        const button = document.querySelector<HTMLButtonElement>(".theme-toggle")!;
        button.click();
        button.click();
      });
      const seen = await first.page.evaluate(read);
      expect(await first.problems(), `problems on ${engine.name} /`).toEqual([]);
      await first.page.close();
      // Chromium opens each page in a fresh playwright context (engines.ts), with storage of its own: the next page
      // is a new reader's, in System. Firefox and WebKit keep one profile for the session, as a reader's browser does.
      const expected = engine.name === "chromium" ? "system" : "dark";
      const next = await site.open("/summary");
      const remembered = await next.page.evaluate(read);
      // Back to System (Firefox, WebKit), so that the rest of the session sees the site as a new reader does.
      if (expected === "dark") await next.page.evaluate(() => document.querySelector<HTMLButtonElement>(".theme-toggle")!.click());
      await next.page.close();
      expect(seen.theme).toBe("dark");
      expect(brightness(seen.background), `${engine.name}: background ${seen.background} under Dark`).toBeLessThan(64);
      expect(remembered.theme, `${engine.name}: the theme on the next page`).toBe(expected);
      expect(brightness(remembered.background) < 64, `${engine.name}: next page's background ${remembered.background}`).toBe(expected === "dark");
    });

    it.each([
      ["/hidden?embed=eq-3-7", "eq-3-7", ["seed", "range"], "system"],
      ["/summary?embed=eq-4-9&controls=hide&theme=dark", "eq-4-9", [], "dark"],
    ] as const)("%s shows that equation alone, with its cell and controls (docs/embedding-equations.md)", async (path, id, controls, theme) => {
      const visit = await site.open(path);
      const shown = await visit.page.evaluate(() => {
        const visible = (e: Element) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
        const all = (sel: string) => Array.from(document.querySelectorAll(sel)).filter(visible);
        return {
          equations: all(".equation").map((e) => e.id),
          cells: all(".live-cell").length,
          failed: all(".check-fail").length,
          inputs: all("input, select").map((i) => (i as HTMLInputElement).name || (i as HTMLInputElement).type),
          frame: all("#observablehq-header, #observablehq-footer, #observablehq-toc, h2").length,
          source: all(".embed-source a").map((a) => a.textContent ?? ""),
          theme: document.documentElement.dataset.theme,
        };
      });
      const problems = await visit.problems();
      await visit.page.close();
      expect(problems, `problems on ${engine.name} ${path}`).toEqual([]);
      expect(shown.equations).toEqual([id]);
      expect(shown.cells).toBeGreaterThan(0);
      expect(shown.failed).toBe(0);
      for (const c of controls) expect(shown.inputs, `${engine.name}: the controls of #${id}`).toContain(c);
      if (controls.length === 0) expect(shown.inputs).toEqual([]);
      expect(shown.frame, "no header, footer, contents or section heading").toBe(0);
      expect(shown.source).toHaveLength(1);
      expect(shown.theme).toBe(theme);
    });

    it.skipIf(!engine.proxyRecordsAreProblems)("made no request to another host, page or browser, all session long", () => {
      expect(site.serverLog().filter((l) => l.startsWith("request to another host"))).toEqual([]);
    });
  });
}

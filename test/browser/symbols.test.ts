/**
 * Symbols linked to values (src/components/symbols.ts, heatmap-entry.ts): in Chromium, hovering or focusing a
 * symbol of an equation highlights the cell that shows its value and names it, its shape and its value; a heatmap
 * entry, under the pointer or moved to with the arrow keys, shows lib's value in full and what its row and column
 * mean; axe finds nothing with the tooltip open; and on every page every marked symbol names a value. Firefox and
 * WebKit: the same hover, focus and entry through the page's own events.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { DEFAULT_CONFIG, buildExample } from "../../lib/state/example.js";
import { hiddenGradsDiagForm } from "../../lib/derivation/hidden.js";
import { forward, meanLoss, stepLosses } from "../../lib/derivation/forward.js";
import { fmt } from "../../src/components/format.js";
import { ENGINES, engineBlock, useEngineSite } from "./engines.js";
import { navigationPaths } from "./navigation.js";
import { settleCells, useSite } from "./harness.js";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const ex = buildExample(DEFAULT_CONFIG);
const tau = ex.inputs.length, hidden = ex.config.hidden;
/** What the cell after (3.8) on /hidden computes, the value its heatmap's entries must give back exactly. */
const diagForm = hiddenGradsDiagForm(ex.grads.dL_do, ex.fwd.h, ex.params.V, ex.params.W);
const range = (d: Float64Array) => `entries from ${fmt(Math.min(...d))} to ${fmt(Math.max(...d))}`;
/** "t = 3, input 'b' · unit j = 2" for entry (i, j) of a [τ, hidden] heatmap with steps as rows. */
const place = (i: number, j: number) => `t = ${i + 1}, input '${ex.labels[ex.inputs[i]!]}' · unit j = ${j + 1}`;
/** Entry (I, J) of (3.8)'s heatmap: away from the first row and column, so that a transposed reading fails. */
const [I, J] = [2, 1];

const site = useSite();

async function open(path: string): Promise<Page> {
  const { page } = await site.open(path);
  await settleCells(page);
  return page;
}

const tooltip = (page: Page) => page.evaluate(() => {
  const tip = document.getElementById("value-tooltip");
  return tip && !tip.hidden ? Array.from(tip.children, (c) => c.textContent ?? "") : null;
});

/** Whether the highlighted element is inside the first live cell after equation `id`. */
const highlightedAfter = (page: Page, id: string) => page.evaluate((eqId) => {
  const targets = document.querySelectorAll(".sym-target");
  let cell: Element | null = null;
  for (let n = document.getElementById(eqId)!.nextElementSibling; n && !cell; n = n.nextElementSibling) {
    cell = n.matches(".live-cell") ? n : n.querySelector(".live-cell");
  }
  return targets.length === 1 && !!cell && cell.contains(targets[0]!);
}, id);

/** The centre of entry (i, j) of the highlighted heatmap, in page coordinates for the mouse. */
const entryCentre = (page: Page, i: number, j: number) => page.evaluate(([r, c]) => {
  const svg = document.querySelector<SVGSVGElement>(".sym-target svg[data-grid]")!;
  const [left, top, cw, ch] = svg.dataset.grid!.split(",").map(Number) as [number, number, number, number];
  const box = svg.getBoundingClientRect();
  const scale = box.width / svg.viewBox.baseVal.width;
  return { x: box.left + (left + cw * c + cw / 2) * scale, y: box.top + (top + ch * r + ch / 2) * scale };
}, [i, j] as const);

describe("symbols linked to values (Chromium)", () => {
  it("hovering (DL)_{h⁽ᵗ⁾} in (3.8) highlights its cell and names it, its shape and its values", async () => {
    const page = await open("/hidden");
    const symbol = page.locator("#eq-3-8 .katex-html [data-sym=dL_dh]").first();
    await symbol.scrollIntoViewIfNeeded();
    await symbol.hover();
    expect(await highlightedAfter(page, "eq-3-8")).toBe(true);
    const lines = await tooltip(page);
    expect(lines?.[0]).toBe("(DL)_{h⁽ᵗ⁾}");
    expect(lines).toContain(`shape [${tau}, ${hidden}]`);
    expect(lines?.at(-1)).toContain(range(diagForm.data));

    // On to the highlighted heatmap: the entry under the pointer, in full, and what its row and column are.
    const at = await entryCentre(page, I, J);
    await page.mouse.move(at.x, at.y);
    const entry = await tooltip(page);
    const want = diagForm.data[I * hidden + J]!;
    expect(Number(entry?.[0])).toBe(want);
    expect(entry?.[0]).toBe(fmt(want, 17));
    expect(entry?.[1]).toBe(place(I, J));
    expect(entry?.[2]).toBe("in (DL)_{h⁽ᵗ⁾}");
    await page.close();
  });

  it("focusing the symbol's button does the same, and Enter then the arrow keys read entries of its heatmap", async () => {
    const page = await open("/hidden");
    const button = page.locator("#eq-3-8 + .eq-symbols .sym-button[data-sym=dL_dh]");
    await button.focus();
    expect(await page.evaluate(() => {
      // The accessible name: the plain text, KaTeX's drawing being aria-hidden.
      const b = document.querySelector("#eq-3-8 + .eq-symbols .sym-button[data-sym=dL_dh]")!;
      return [b.querySelector(".sr-only")?.textContent, b.querySelector(".katex-html")?.getAttribute("aria-hidden"), b.hasAttribute("aria-label")];
    })).toEqual(["(DL)_{h⁽ᵗ⁾}", "true", false]);
    expect(await button.getAttribute("aria-describedby")).toBe("value-tooltip");
    expect(await highlightedAfter(page, "eq-3-8")).toBe(true);
    expect((await tooltip(page))?.at(-1)).toContain(range(diagForm.data));

    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.matches(".sym-target svg[data-grid]"))).toBe(true);
    for (let k = 0; k < I; k++) await page.keyboard.press("ArrowDown");
    for (let k = 0; k < J; k++) await page.keyboard.press("ArrowRight");
    const want = diagForm.data[I * hidden + J]!;
    expect((await tooltip(page))?.[0]).toBe(fmt(want, 17));
    const said = await page.evaluate(() => document.getElementById("value-announce")?.textContent);
    expect(said).toBe(`${place(I, J)}: ${fmt(want, 17)}`);
    expect(await page.locator(".sym-target rect.hm-active").count()).toBe(1);
    await page.close();
  });

  it("a scalar shows its value in full; a parameter no cell draws shows its shape and range, highlighting nothing", async () => {
    const page = await open("/");
    await page.locator("#eq-1-2 .katex-html [data-sym=L]").first().hover();
    const f = forward(ex.params, ex.inputs, ex.targets, ex.h0);
    expect(await tooltip(page)).toEqual(["L", "the loss, the mean of the L⁽ᵗ⁾", "a scalar", `= ${fmt(meanLoss(stepLosses(f.o, ex.targets)), 17)}`]);
    expect(await highlightedAfter(page, "eq-1-2")).toBe(true);

    await page.locator("#eq-1-4 .katex-html [data-sym=W]").first().hover();
    expect(await page.locator(".sym-target").count()).toBe(0);
    const lines = await tooltip(page);
    expect(lines?.[0]).toBe("W");
    expect(lines).toContain(`shape [${hidden}, ${hidden}]`);
    expect(lines?.at(-1)).toBe(range(ex.params.W.data));
    await page.close();
  });

  it("axe finds no violation with a symbol's tooltip open and a heatmap entry active", async () => {
    const page = await open("/hidden");
    await page.locator("#eq-3-8 + .eq-symbols .sym-button[data-sym=dL_dh]").focus();
    await page.keyboard.press("Enter");
    await page.keyboard.press("ArrowRight");
    await page.locator("#eq-3-6 .katex-html [data-sym=dL_do]").first().hover();
    expect(await tooltip(page)).not.toBeNull();
    await page.addScriptTag({ content: AXE_SOURCE });
    const violations = await page.evaluate(async () => {
      // @ts-expect-error axe is injected above
      const r = await window.axe.run(document, { resultTypes: ["violations"] });
      return (r.violations as { id: string; nodes: { target: string[] }[] }[]).map((v) => `${v.id}: ${v.nodes[0]?.target.join(" ")}`);
    });
    await page.close();
    expect(violations).toEqual([]);
  });

  it.each(navigationPaths())("%s: every marked symbol has a button and names a value", async (path) => {
    const page = await open(path);
    const report = await page.evaluate(() => {
      const unbuttoned: string[] = [];
      for (const span of Array.from(document.querySelectorAll<HTMLElement>(".katex-html [data-sym]"))) {
        const eq = span.closest(".equation");
        if (!eq) continue; // inline math is not linked
        const row = eq.nextElementSibling;
        if (!row?.matches(".eq-symbols") || !row.querySelector(`[data-sym="${span.dataset.sym}"]`)) unbuttoned.push(`${eq.id} ${span.dataset.sym}`);
      }
      const dangling: string[] = [];
      let count = 0;
      for (const button of Array.from(document.querySelectorAll<HTMLButtonElement>(".sym-button"))) {
        count++;
        button.focus();
        const tip = document.getElementById("value-tooltip");
        const text = tip && !tip.hidden ? tip.textContent ?? "" : "(no tooltip)";
        if (text === "(no tooltip)" || text.includes("not computed on this page")) {
          dangling.push(`${button.closest(".eq-symbols")?.previousElementSibling?.id} ${button.dataset.sym}: ${text}`);
        }
      }
      return { unbuttoned, dangling, count };
    });
    await page.close();
    expect(report.unbuttoned, `symbols on ${path} without a button`).toEqual([]);
    expect(report.dangling, `symbols on ${path} that name no value`).toEqual([]);
    console.log(`${path}: ${report.count} symbol buttons`);
  });
});

for (const engine of ENGINES.filter((e) => e.name !== "chromium")) {
  const { title, skip } = engineBlock(engine);
  describe.skipIf(skip)(`${title}: symbols linked to values`, () => {
    const site = useEngineSite(engine);

    it("hovering and focusing a symbol, and pointing at a heatmap entry, show the value", async () => {
      const visit = await site.open("/hidden");
      const seen = await visit.page.evaluate(([i, j]: readonly [number, number]) => {
        const lines = () => {
          const tip = document.getElementById("value-tooltip");
          return tip && !tip.hidden ? Array.from(tip.children, (c) => c.textContent ?? "") : null;
        };
        const span = document.querySelector<HTMLElement>("#eq-3-8 .katex-html [data-sym=dL_dh]")!;
        span.scrollIntoView({ block: "center" });
        span.dispatchEvent(new PointerEvent("pointerover", { bubbles: true }));
        const hovered = lines();
        const highlighted = document.querySelectorAll(".sym-target").length;
        const svg = document.querySelector<SVGSVGElement>(".sym-target svg[data-grid]")!;
        const [left, top, cw, ch] = svg.dataset.grid!.split(",").map(Number) as [number, number, number, number];
        const box = svg.getBoundingClientRect();
        const scale = box.width / svg.viewBox.baseVal.width;
        svg.dispatchEvent(new PointerEvent("pointermove", {
          bubbles: true, clientX: box.left + (left + cw * j + cw / 2) * scale, clientY: box.top + (top + ch * i + ch / 2) * scale,
        }));
        const entry = lines();
        const button = document.querySelector<HTMLButtonElement>("#eq-3-8 + .eq-symbols .sym-button[data-sym=dL_dh]")!;
        button.focus();
        return { hovered, highlighted, entry, focused: lines(), describedBy: button.getAttribute("aria-describedby") };
      }, [I, J] as const);
      const problems = await visit.problems();
      await visit.page.close();
      expect(seen.hovered?.[0]).toBe("(DL)_{h⁽ᵗ⁾}");
      expect(seen.hovered).toContain(`shape [${tau}, ${hidden}]`);
      expect(seen.highlighted).toBe(1);
      expect(Number(seen.entry?.[0])).toBe(diagForm.data[I * hidden + J]);
      expect(seen.entry?.[1]).toBe(place(I, J));
      expect(seen.focused?.[0]).toBe("(DL)_{h⁽ᵗ⁾}");
      expect(seen.describedBy).toBe("value-tooltip");
      expect(problems).toEqual([]);
    });
  });
}

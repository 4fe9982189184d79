/**
 * Symbols linked to values (src/components/symbols.ts, heatmap-entry.ts): in Chromium, hovering or focusing a
 * symbol of an equation highlights the cell that shows its value and names it, its shape and its value; a heatmap
 * entry, under the pointer or moved to with the arrow keys, shows lib's value in full and what its row and column
 * mean; axe finds nothing with the tooltip open; on every page every marked symbol names a value, with as many buttons
 * as docs/symbols.md's table accounts for, each showing the symbol it names; on /stacked, /vanishing and /truncation a symbol linked to a cell and one
 * the page registered show lib's values, and follow an edit. The tooltip sets subscripts (notation.ts): its lines are
 * read back in the site's plain notation. Firefox and WebKit: the same hover, focus and entry through the page's own
 * events, on /hidden and on the three pages.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { DEFAULT_CONFIG, buildExample } from "../../lib/state/example.js";
import { hiddenGradsDiagForm } from "../../lib/derivation/hidden.js";
import { forward, meanLoss, stepLosses } from "../../lib/derivation/forward.js";
import { STACKED_DEFAULTS, buildStackedExample } from "../../lib/state/stacked-config.js";
import { TRUNCATION_DEFAULT, VANISHING_DEFAULT } from "../../lib/state/spectral-config.js";
import { singleStepWeights, stackedForward, withWeights } from "../../lib/stacked/forward.js";
import { section21Step } from "../../lib/stacked/page.js";
import { dLdWh1h2 } from "../../lib/stacked/stacked.js";
import { gradientNormDemo, spectralRadius } from "../../lib/d2l/vanishing.js";
import { intuitionStep3b } from "../../lib/d2l/intuition.js";
import { sampleXi } from "../../lib/d2l/truncation.js";
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

/**
 * Symbol buttons per page, one per symbol of each display (docs/symbols.md's table says which are marked); a page
 * not listed has none. A mark lost or added changes the count.
 */
const BUTTONS: Record<string, number> = {
  "/": 23, "/plan": 9, "/logits": 18, "/hidden": 17, "/parameters": 31, "/embedding": 13, "/summary": 32, "/d2l": 37,
  "/stacked": 131, "/vanishing": 46, "/truncation": 14,
};

/** /stacked with its defaults: §2.1's (4′) at its step t, and a registered weight. */
const stackedValues = (seed = STACKED_DEFAULTS.seed) => {
  const sx = buildStackedExample({ ...STACKED_DEFAULTS, seed });
  const f = stackedForward(sx.params, sx.X, sx.targets, { H0: sx.H0, reduction: "source" });
  const t = section21Step(sx.config.T);
  return { dCE_dWh1h2: dLdWh1h2(sx.params, withWeights(f, singleStepWeights(t, sx.config.T)), t), W_h2h2: sx.params.Whh[1]! };
};
const vd = VANISHING_DEFAULT, td = TRUNCATION_DEFAULT;
const everyStep = gradientNormDemo({ hidden: vd.hidden, T: vd.T, seed: vd.seed, rho: vd.rho, activation: vd.activation, lossAt: "all" });
const lastStep = gradientNormDemo({ hidden: vd.hidden, T: vd.T, seed: vd.seed, rho: vd.rho, activation: vd.activation });
const xi = sampleXi(td.pi, td.T, td.seed);

interface Probe {
  /** The symbol pointed at (`sel`, a span in an equation), the equation whose cell it must highlight, its name, and
   * what its value line must contain; or, focused (a button), a value the page registered: nothing highlighted. */
  hover: { sel: string; cell: string; name: string; value: string };
  focus: { sel: string; name: string; value: string };
}
/** One symbol drawn by a cell and one registered, on each page of the other sources. */
const PROBES: Record<"/stacked" | "/vanishing" | "/truncation", Probe> = {
  // An erratum's left-hand side names the true value: the corrected (4′)'s cell, not the printed formula's.
  "/stacked": {
    hover: { sel: "#stacked-2-1-4 .katex-html [data-sym=dCE_dWh1h2]", cell: "stacked-2-1-4-corrected", name: "∂L/∂W_{h_1h_2}⁽²⁾", value: range(stackedValues().dCE_dWh1h2.data) },
    focus: { sel: "#stacked-2-1-4 + .eq-symbols .sym-button[data-sym=W_h2h2]", name: "W_{h_2h_2}⁽²⁾", value: range(stackedValues().W_h2h2.data) },
  },
  "/vanishing": {
    hover: { sel: "#intuition-step-3-b .katex-html [data-sym=dL_dWhh]", cell: "intuition-step-3-b", name: "∂L/∂W_{hh}", value: range(intuitionStep3b(everyStep.p, everyStep.s, everyStep.opts).data) },
    focus: { sel: ".eq-symbols .sym-button[data-sym=rho]", name: "ρ", value: `= ${fmt(spectralRadius(lastStep.eigenvalues), 17)}` },
  },
  "/truncation": {
    hover: { sel: "#d2l-1-3a .katex-html [data-sym=xi]", cell: "d2l-1-3a", name: "ξ_t", value: `= [${Array.from(xi, (v) => fmt(v, 4)).join(", ")}]` },
    focus: { sel: "#d2l-1-2 + .eq-symbols .sym-button[data-sym=k]", name: "k", value: `= ${td.k}` },
  },
};
const probes = Object.entries(PROBES).map(([path, p]) => ({ path, ...p }));

const site = useSite();

async function open(path: string): Promise<Page> {
  const { page } = await site.open(path);
  await settleCells(page);
  return page;
}

/**
 * The tooltip's lines (null while hidden), each <sub> written back in the site's plain notation (notation.ts in
 * reverse: `_t`, `_12`, `_{h⁽ᵗ⁾}`), so that a line compares with the name a button says. In the page: no closure.
 */
function readTip(): string[] | null {
  const tip = document.getElementById("value-tooltip");
  const text = (n: Node): string => {
    if (n.nodeType !== Node.ELEMENT_NODE) return n.textContent ?? "";
    const inner = Array.from(n.childNodes, text).join("");
    if (n.nodeName !== "SUB") return inner;
    return /^(?:.|\d+)$/u.test(inner) ? `_${inner}` : `_{${inner}}`;
  };
  return tip && !tip.hidden ? Array.from(tip.children, text) : null;
}
const tooltip = (page: Page) => page.evaluate(readTip);

/** The tooltip's title as the reader sees it: its text and how many subscripts are set as such. */
const shownTitle = (page: Page) => page.evaluate(() => {
  const t = document.querySelector(".value-tooltip-title");
  return { text: t?.textContent ?? "", subs: t?.querySelectorAll("sub").length ?? 0 };
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
    // Set with h⁽ᵗ⁾ below (DL), not as the raw "(DL)_{h⁽ᵗ⁾}" of the button's spoken name.
    expect(await shownTitle(page)).toEqual({ text: "(DL)h⁽ᵗ⁾", subs: 1 });
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

  it.each(navigationPaths())("%s: every marked symbol has a button that shows it and names a value", async (path) => {
    const page = await open(path);
    const report = await page.evaluate(() => {
      const unbuttoned: string[] = [];
      for (const span of Array.from(document.querySelectorAll<HTMLElement>(".katex-html [data-sym]"))) {
        const eq = span.closest(".equation");
        if (!eq) continue; // inline math is not linked
        const row = eq.nextElementSibling;
        if (!row?.matches(".eq-symbols") || !row.querySelector(`[data-sym="${span.dataset.sym}"]`)) unbuttoned.push(`${eq.id} ${span.dataset.sym}`);
      }
      const dangling: string[] = [], faceless: string[] = [];
      // The same letters and digits, in any order (a fraction is drawn denominator first), superscripts read as such.
      const letters = (s: string) => [...s.normalize("NFKD").replace(/⊤/g, "T").replace(/[^\p{L}\p{N}]/gu, "")].sort().join("");
      let count = 0;
      for (const button of Array.from(document.querySelectorAll<HTMLButtonElement>(".sym-button"))) {
        count++;
        // Its face, copied from the equation's marks (symbols.ts), is the symbol its name says, and answers as the button only.
        const face = button.querySelector(".katex-html");
        const name = button.querySelector(".sr-only")?.textContent ?? "";
        if (!face || letters(face.textContent ?? "") !== letters(name) || face.querySelector("[data-sym]")) {
          faceless.push(`${button.closest(".eq-symbols")?.previousElementSibling?.id} ${button.dataset.sym}: "${name}" shows "${face?.textContent}"`);
        }
        button.focus();
        const tip = document.getElementById("value-tooltip");
        const text = tip && !tip.hidden ? tip.textContent ?? "" : "(no tooltip)";
        if (text === "(no tooltip)" || text.includes("not computed on this page")) {
          dangling.push(`${button.closest(".eq-symbols")?.previousElementSibling?.id} ${button.dataset.sym}: ${text}`);
        }
      }
      return { unbuttoned, dangling, faceless, count };
    });
    await page.close();
    expect(report.unbuttoned, `symbols on ${path} without a button`).toEqual([]);
    expect(report.faceless, `symbol buttons on ${path} whose face is not the symbol they name`).toEqual([]);
    expect(report.dangling, `symbols on ${path} that name no value`).toEqual([]);
    expect(report.count, `symbol buttons on ${path} (BUTTONS above)`).toBe(BUTTONS[path] ?? 0);
  });

  it("visits the pages of the other sources", () => {
    expect(navigationPaths()).toEqual(expect.arrayContaining(["/d2l", ...Object.keys(PROBES)]));
  });

  it.each(probes)("$path: a symbol shows the value of the cell it highlights, and one the page registered", async ({ path, hover, focus }) => {
    const page = await open(path);
    const symbol = page.locator(hover.sel).first();
    await symbol.scrollIntoViewIfNeeded();
    await symbol.hover();
    const lines = await tooltip(page);
    expect(lines?.[0]).toBe(hover.name);
    expect(lines?.at(-1)).toContain(hover.value);
    expect(await highlightedAfter(page, hover.cell)).toBe(true);
    expect((await shownTitle(page)).text).not.toContain("_");

    await page.locator(focus.sel).focus();
    expect(await page.locator(".sym-target").count()).toBe(0);
    const focused = await tooltip(page);
    expect(focused?.[0]).toBe(focus.name);
    expect(focused?.at(-1)).toBe(focus.value);
    await page.close();
  });

  it("a registered value follows an edit: /truncation's k, /stacked's weights for another seed", async () => {
    const valueOf = async (page: Page, sel: string) => {
      await page.locator(sel).focus();
      const lines = await tooltip(page);
      await page.locator(sel).blur();
      return lines?.at(-1);
    };
    const trunc = await open("/truncation");
    await trunc.getByLabel("Truncation k").fill(String(td.k + 1));
    await expect.poll(() => valueOf(trunc, PROBES["/truncation"].focus.sel)).toBe(`= ${td.k + 1}`);
    await trunc.close();

    const seed = STACKED_DEFAULTS.seed + 1;
    const stacked = await open("/stacked");
    await stacked.locator(".stacked-form").getByLabel("Seed").fill(String(seed));
    await expect.poll(() => valueOf(stacked, PROBES["/stacked"].focus.sel), { timeout: 30_000 }).toBe(range(stackedValues(seed).W_h2h2.data));
    await stacked.close();
  });
});

for (const engine of ENGINES.filter((e) => e.name !== "chromium")) {
  const { title, skip } = engineBlock(engine);
  describe.skipIf(skip)(`${title}: symbols linked to values`, () => {
    const site = useEngineSite(engine);

    it("hovering and focusing a symbol, and pointing at a heatmap entry, show the value", async () => {
      const visit = await site.open("/hidden");
      const hover = await visit.page.evaluate(() => {
        const span = document.querySelector<HTMLElement>("#eq-3-8 .katex-html [data-sym=dL_dh]")!;
        span.scrollIntoView({ block: "center" });
        span.dispatchEvent(new PointerEvent("pointerover", { bubbles: true }));
        return document.querySelectorAll(".sym-target").length;
      });
      const hovered = await visit.page.evaluate(readTip);
      await visit.page.evaluate(([i, j]: readonly [number, number]) => {
        const svg = document.querySelector<SVGSVGElement>(".sym-target svg[data-grid]")!;
        const [left, top, cw, ch] = svg.dataset.grid!.split(",").map(Number) as [number, number, number, number];
        const box = svg.getBoundingClientRect();
        const scale = box.width / svg.viewBox.baseVal.width;
        svg.dispatchEvent(new PointerEvent("pointermove", {
          bubbles: true, clientX: box.left + (left + cw * j + cw / 2) * scale, clientY: box.top + (top + ch * i + ch / 2) * scale,
        }));
      }, [I, J] as const);
      const entry = await visit.page.evaluate(readTip);
      const describedBy = await visit.page.evaluate(() => {
        const button = document.querySelector<HTMLButtonElement>("#eq-3-8 + .eq-symbols .sym-button[data-sym=dL_dh]")!;
        button.focus();
        return button.getAttribute("aria-describedby");
      });
      const focused = await visit.page.evaluate(readTip);
      const problems = await visit.problems();
      await visit.page.close();
      expect(hovered?.[0]).toBe("(DL)_{h⁽ᵗ⁾}");
      expect(hovered).toContain(`shape [${tau}, ${hidden}]`);
      expect(hover).toBe(1);
      expect(Number(entry?.[0])).toBe(diagForm.data[I * hidden + J]);
      expect(entry?.[1]).toBe(place(I, J));
      expect(focused?.[0]).toBe("(DL)_{h⁽ᵗ⁾}");
      expect(describedBy).toBe("value-tooltip");
      expect(problems).toEqual([]);
    });

    it.each(probes)("$path: a symbol shows the value of the cell it highlights, and one the page registered", async ({ path, hover, focus }) => {
      const visit = await site.open(path);
      const inCell = await visit.page.evaluate(([sel, cell]: readonly [string, string]) => {
        const span = document.querySelector<HTMLElement>(sel)!;
        span.scrollIntoView({ block: "center" });
        span.dispatchEvent(new PointerEvent("pointerover", { bubbles: true }));
        const targets = document.querySelectorAll(".sym-target");
        let c: Element | null = null;
        for (let n = document.getElementById(cell)!.nextElementSibling; n && !c; n = n.nextElementSibling) {
          c = n.matches(".live-cell") ? n : n.querySelector(".live-cell");
        }
        return targets.length === 1 && !!c && c.contains(targets[0]!);
      }, [hover.sel, hover.cell] as const);
      const hovered = await visit.page.evaluate(readTip);
      const targets = await visit.page.evaluate((sel: string) => {
        document.querySelector<HTMLButtonElement>(sel)!.focus();
        return document.querySelectorAll(".sym-target").length;
      }, focus.sel);
      const focused = await visit.page.evaluate(readTip);
      const problems = await visit.problems();
      await visit.page.close();
      expect(hovered?.[0]).toBe(hover.name);
      expect(hovered?.at(-1)).toContain(hover.value);
      expect(inCell).toBe(true);
      expect(focused?.[0]).toBe(focus.name);
      expect(focused?.at(-1)).toBe(focus.value);
      expect(targets).toBe(0);
      expect(problems).toEqual([]);
    });
  });
}

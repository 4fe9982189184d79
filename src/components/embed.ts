/**
 * One equation and its live cell in another site's page (docs/embedding-equations.md). Loaded once per page from
 * the <head>, like permalink.js, and small, because every page loads it:
 *
 * - on a page, every numbered equation with a live cell gets an Embed button beside its copy-link one, which opens
 *   the panel with the <iframe> to copy (src/components/embed-panel.ts, loaded on the first click);
 * - with `?embed=…` in the address (the head's script has then set `data-embed` on <html>), the page becomes that
 *   equation alone (src/components/embed-view.ts, loaded only then).
 *
 * Which parts of a page belong to an equation is read from the page as built, the same way for both: the
 * equation, its row of symbols, and each cell after it (before the next heading or display) that the build
 * followed with the code it ran (scripts/markdown-code.ts). Their controls are embed-controls.ts's to find.
 */
import { equationLabel } from "./permalink.js";

export interface EquationParts {
  equation: HTMLElement;
  /** The row of buttons for its marked symbols (scripts/markdown-math.ts), if it has one. */
  symbols: HTMLElement | null;
  /** Framework's block of each live cell of the equation. */
  cells: HTMLElement[];
  /** The code blocks after those cells: the code that computed the values. */
  codes: HTMLElement[];
}

/** Where an equation's part of the page ends. */
const BOUNDARY = "h1, h2, h3, h4, h5, h6, .equation";

export function equationParts(equation: HTMLElement): EquationParts {
  const parts: EquationParts = { equation, symbols: null, cells: [], codes: [] };
  for (let el: Element | null = equation.nextElementSibling; el && !el.matches(BOUNDARY); el = el.nextElementSibling) {
    if (el.matches("p.eq-symbols") && el.previousElementSibling === equation) parts.symbols = el as HTMLElement;
    else if (el.matches("div.observablehq") && el.nextElementSibling?.matches("details.lib-code")) {
      parts.cells.push(el as HTMLElement);
      for (let c: Element | null = el.nextElementSibling; c?.matches("details.lib-code"); c = c.nextElementSibling) parts.codes.push(c as HTMLElement);
    }
  }
  return parts;
}

/** The page's numbered equations that have a live cell, with their parts, in page order. */
export function embeddableEquations(root: ParentNode = document): EquationParts[] {
  return Array.from(root.querySelectorAll<HTMLElement>("#observablehq-main > .equation[id]"), equationParts)
    .filter((p) => p.cells.length > 0);
}

const BUTTON_CLASS = "eq-embed";

/** Adds the Embed button to every numbered equation with a live cell that has none yet. Returns how many it added. */
export function addEmbedButtons(root: ParentNode = document): number {
  let added = 0;
  for (const parts of embeddableEquations(root)) {
    const eq = parts.equation;
    if (eq.querySelector(`:scope > .${BUTTON_CLASS}`)) continue;
    const label = equationLabel(eq);
    const button = document.createElement("button");
    button.type = "button";
    button.className = BUTTON_CLASS;
    button.setAttribute("aria-label", `Embed equation (${label}) in another page`);
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", `${eq.id}-embed`);
    button.title = `Embed equation (${label}) and its live cell in a course page or a slide: copy an <iframe>`;
    button.innerHTML =
      `<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">` +
      `<path d="M5.5 4.5L2 8l3.5 3.5M10.5 4.5L14 8l-3.5 3.5" fill="none" stroke="currentColor" stroke-width="1.5" ` +
      `stroke-linecap="round" stroke-linejoin="round"/></svg>`;
    button.addEventListener("click", () => void import("./embed-panel.js").then((m) => m.togglePanel(equationParts(eq), button, label)));
    eq.append(button);
    added++;
  }
  return added;
}

if (typeof document !== "undefined") {
  const start = () => {
    if (document.documentElement.hasAttribute("data-embed")) void import("./embed-view.js").then((m) => m.showEmbed());
    else addEmbedButtons();
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}

/**
 * The one tooltip of a page, shared by the symbols of the equations (symbols.ts) and the entries of the heatmaps
 * (heatmap-entry.ts): a `role="tooltip"` element that whatever has focus names in its aria-describedby, and a
 * polite live region for what changes while focus stays put (arrow keys on a heatmap). Created once per document.
 */
import { notation } from "./notation.js";

export const TOOLTIP_ID = "value-tooltip";
/** Gap between the thing described and the tooltip, px. */
const GAP_PX = 6;
/** The tooltip never comes closer than this to the viewport's edges, px. */
const MARGIN_PX = 4;

/** Inside the page's main landmark: content outside every landmark is an axe violation (region). */
const container = (): HTMLElement => document.querySelector("main") ?? document.body;

let tip: HTMLElement | null = null;
let live: HTMLElement | null = null;

function elements(): { tip: HTMLElement; live: HTMLElement } {
  if (!tip || !tip.isConnected) {
    tip = document.createElement("div");
    tip.id = TOOLTIP_ID;
    tip.className = "value-tooltip";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    container().append(tip);
  }
  if (!live || !live.isConnected) {
    live = document.createElement("div");
    live.className = "sr-only";
    live.id = "value-announce";
    live.setAttribute("aria-live", "polite");
    container().append(live);
  }
  return { tip, live };
}

/** Shows `lines` (notation.ts sets their subscripts) below (or, with no room, above) `anchor`, a rectangle in viewport coordinates. */
export function showTooltip(lines: readonly string[], anchor: DOMRect): HTMLElement {
  const { tip } = elements();
  tip.replaceChildren(...lines.map((line, i) => {
    const div = document.createElement("div");
    if (i === 0) div.className = "value-tooltip-title";
    // A symbol's name and a heatmap's label are the site's plain notation: (DL)_{o⁽ᵗ⁾} is set with o⁽ᵗ⁾ below.
    div.append(...notation(line));
    return div;
  }));
  tip.hidden = false;
  const box = tip.getBoundingClientRect();
  const vw = document.documentElement.clientWidth;
  const left = Math.min(Math.max(MARGIN_PX, anchor.left), Math.max(MARGIN_PX, vw - box.width - MARGIN_PX));
  const below = anchor.bottom + GAP_PX + box.height <= window.innerHeight;
  const top = below ? anchor.bottom + GAP_PX : Math.max(MARGIN_PX, anchor.top - GAP_PX - box.height);
  // Absolute in its containing block: the document's unless an ancestor is positioned.
  const parent = tip.offsetParent;
  const origin = parent && parent !== document.body && getComputedStyle(parent).position !== "static"
    ? (() => {
      const r = parent.getBoundingClientRect();
      return { x: r.left + parent.clientLeft, y: r.top + parent.clientTop };
    })()
    : { x: -window.scrollX, y: -window.scrollY };
  tip.style.left = `${left - origin.x}px`;
  tip.style.top = `${top - origin.y}px`;
  return tip;
}

export function hideTooltip(): void {
  if (tip) tip.hidden = true;
}

/** Says `text` to a screen reader without moving focus. */
export function announce(text: string): void {
  elements().live.textContent = text;
}

/** Makes sure the live region exists before anything is announced (a region added with its text is not read). */
export function prepareTooltip(): void {
  elements();
}

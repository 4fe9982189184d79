/**
 * The Embed panel under an equation (src/components/embed.ts adds its button; this loads on the first click): the
 * `<iframe>` a lecturer pastes into a course page or a slide, for the configuration on screen, with the cell's
 * controls or without them (the numbers then stay those of this configuration), in the reader's system theme or a
 * fixed one. The address is this page's own (`location`): where the reader sees the numbers is a place that serves
 * them (docs/embedding-equations.md says why not the build's BPTT_SITE_URL).
 *
 * The iframe's height is an estimate from the page as it is drawn now; an embedding page that listens for the
 * embed's height message (docs/embedding-equations.md) sizes the frame to its content instead.
 */
import { type EmbedView, embedSnippet, embedUrl, snippetHeight } from "../lib/state/embed.js";
import { el, elem } from "./dom.js";
import type { EquationParts } from "./embed.js";
import { controlBlocks } from "./embed-controls.js";
import { URL_DELAY_MS } from "./settings-form.js";

/** What an embed adds around the parts it shares with the page: its source line and its margins, in px. */
const EMBED_CHROME_PX = 72;
/** The line that stands for hidden controls: the configuration the numbers were computed with, in px. */
const CONFIG_LINE_PX = 48;

/** An element's height with its vertical margins, as drawn now. */
function outerHeight(e: Element): number {
  const style = getComputedStyle(e);
  return e.getBoundingClientRect().height + parseFloat(style.marginTop) + parseFloat(style.marginBottom);
}

/** The embed's height, from the same parts as drawn on this page (the code folded, as the embed shows it). */
function estimateHeight(parts: EquationParts, controls: boolean): number {
  let h = EMBED_CHROME_PX + outerHeight(parts.equation) + (parts.symbols ? outerHeight(parts.symbols) : 0);
  for (const cell of parts.cells) h += outerHeight(cell);
  for (const code of parts.codes) h += outerHeight(code.querySelector("summary") ?? code);
  if (!controls) return h + CONFIG_LINE_PX;
  for (const block of controlBlocks(parts.cells)) h += outerHeight(block);
  return h;
}

const siteTitle = () =>
  document.querySelector(".site-title")?.textContent?.trim() || document.title.split(" | ").pop() || document.title;

function close(panel: HTMLElement, button: HTMLButtonElement, focus: boolean): void {
  panel.dispatchEvent(new Event("embed-panel-close"));
  panel.remove();
  button.setAttribute("aria-expanded", "false");
  if (focus) button.focus();
}

/** Opens the panel under the equation (after its row of symbols), or closes it if it is open. */
export function togglePanel(parts: EquationParts, button: HTMLButtonElement, label: string): void {
  const id = `${parts.equation.id}-embed`;
  const open = document.getElementById(id);
  if (open) {
    close(open, button, false);
    return;
  }
  const controls = elem("input", { type: "checkbox", checked: true });
  const theme = elem("select", {}, new Option("the reader's system", "system"), new Option("light", "light"), new Option("dark", "dark"));
  const code = elem("textarea", { readOnly: true, rows: 4, spellcheck: false });
  code.setAttribute("aria-label", `Embed code for equation (${label})`);
  const copy = elem("button", { type: "button", className: "eq-embed-copy", textContent: "Copy embed code" });
  const preview = elem("a", { target: "_blank", rel: "noopener", textContent: "Open the embed" });
  const status = el("span", "eq-embed-status");
  status.setAttribute("role", "status");
  const panel = elem("div", { id, className: "eq-embed-panel no-print" },
    el("p", "eq-embed-lead", `Equation (${label}) with its live cell, for a course page or a slide: paste this HTML where ` +
      "the page accepts an iframe. It starts from the configuration on screen."),
    elem("div", { className: "eq-embed-options" },
      elem("label", {}, controls, " Show the controls (unticked: the numbers stay those of this configuration)"),
      elem("label", {}, "Theme: ", theme)),
    code,
    elem("div", { className: "eq-embed-actions" }, copy, " ", preview, " ", status));
  panel.setAttribute("role", "group");
  panel.setAttribute("aria-label", `Embed equation (${label})`);

  const refresh = () => {
    const view: EmbedView = { controls: controls.checked ? "show" : "hide", theme: theme.value as EmbedView["theme"] };
    const src = embedUrl(location, parts.equation.id, view);
    code.value = embedSnippet({ src, title: `Equation (${label}), ${siteTitle()}`, height: snippetHeight(estimateHeight(parts, controls.checked)) });
    preview.href = src;
    status.textContent = "";
  };
  copy.addEventListener("click", async () => {
    refresh();
    try {
      if (!navigator.clipboard?.writeText) throw new Error("no clipboard API");
      await navigator.clipboard.writeText(code.value);
      status.textContent = `Embed code for equation (${label}) copied.`;
    } catch {
      code.focus();
      code.select();
      let copied = false;
      try {
        copied = document.execCommand("copy");
      } catch {
        copied = false;
      }
      status.textContent = copied
        ? `Embed code for equation (${label}) copied.`
        : "Copying is not allowed here: the embed code is selected; press Ctrl+C or Cmd+C.";
    }
  });
  // The page's settings change the address (settings-form.ts, once edits pause): the code follows them while the
  // panel is open. Copy writes any pending address first (the form flushes it on pointerdown and keydown).
  const follow = (event: Event) => {
    if (!panel.contains(event.target as Node)) setTimeout(refresh, URL_DELAY_MS + 50);
  };
  document.addEventListener("input", follow);
  panel.addEventListener("embed-panel-close", () => document.removeEventListener("input", follow));
  controls.addEventListener("change", refresh);
  theme.addEventListener("change", refresh);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close(panel, button, true);
  });

  (parts.symbols ?? parts.equation).after(panel);
  button.setAttribute("aria-expanded", "true");
  refresh();
  copy.focus();
}

/**
 * A page as the embed of one equation (`?embed=eq-4-9`, docs/embedding-equations.md): only the equation, its row
 * of symbols, its controls (or, with `controls=hide`, one line saying the configuration they hold) and its live
 * cells with their code, under a line naming the equation that opens the full page in a new tab. Everything else
 * of the page still runs, hidden: the cells shown are the page's own, so the code beside the equation is the code
 * that ran, and the numbers are the page's for the same settings.
 *
 * The head's script has already set `data-embed` (src/embed.css hides the page until this module marks its parts)
 * and the theme from the link. The embed tells the page around it its height whenever that changes
 * (`EmbedHeightMessage`, lib/state/embed.ts), so a frame can fit its content.
 */
import { type EmbedReading, EMBED_QUERY, heightMessage, readEmbed } from "../lib/state/embed.js";
import { queryOf, withoutViewParams } from "../lib/state/query.js";
import { el, elem } from "./dom.js";
import { embeddableEquations } from "./embed.js";
import { controlBlocks } from "./embed-controls.js";
import { equationLabel } from "./permalink.js";
import { URL_DELAY_MS } from "./settings-form.js";

type Part = "source" | "message" | "equation" | "symbols" | "control" | "config" | "cell";

const mark = (e: Element, part: Part) => ((e as HTMLElement).dataset.embedPart = part);

/** The full page for the same numbers, at the equation: the address without the embed's parameters. */
function fullPage(equation: string): string {
  const settings = withoutViewParams(location.search);
  return `${location.origin}${location.pathname}${settings ? `?${settings}` : ""}#${equation}`;
}

/** The address with the embed's parameters as they were used (a bad one replaced), the page's own kept. */
function settleAddress(reading: EmbedReading): void {
  if (!reading.equation || !reading.message) return;
  const own = queryOf(EMBED_QUERY, { embed: reading.equation, ...reading.view }, { embed: "", controls: "show", theme: "system" });
  const settings = withoutViewParams(location.search);
  history.replaceState(history.state, "", `${location.pathname}?${own}${settings ? `&${settings}` : ""}${location.hash}`);
}

/** The settings the hidden controls hold, as one line: each field's label and value (a choice by its text). */
function configurationLine(blocks: readonly HTMLElement[]): string {
  const fields: string[] = [];
  for (const form of blocks.flatMap((b) => Array.from(b.querySelectorAll("form.config-form")))) {
    for (const field of form.querySelectorAll(".field")) {
      const label = field.querySelector("label")?.textContent?.trim();
      const input = field.querySelector<HTMLInputElement | HTMLSelectElement>("input, select");
      if (!label || !input) continue;
      const value = input instanceof HTMLSelectElement ? input.selectedOptions[0]?.text ?? input.value : input.value;
      fields.push(`${label} ${value === "" ? "(empty)" : value}`);
    }
  }
  return fields.length ? `Computed with: ${fields.join(" · ")}.` : "";
}

/** Posts the content's height to the page around the embed whenever it changes. */
function reportHeight(equation: string): void {
  if (window.parent === window) return;
  const center = document.querySelector("#observablehq-center") ?? document.body;
  let last = -1;
  const post = () => {
    const style = getComputedStyle(center);
    const height = Math.ceil(center.getBoundingClientRect().height + parseFloat(style.marginTop) + parseFloat(style.marginBottom));
    if (height === last) return;
    last = height;
    // The height and the equation's anchor are all it says, so any page may hear it.
    window.parent.postMessage(heightMessage(equation, height), "*");
  };
  new ResizeObserver(post).observe(center);
  post();
}

export function showEmbed(): void {
  const root = document.documentElement;
  const main = document.querySelector<HTMLElement>("#observablehq-main");
  if (!main) return;
  const equations = embeddableEquations();
  const reading = readEmbed(location.search, equations.map((p) => p.equation.id));
  root.dataset.theme = reading.view.theme;
  root.dataset.embedControls = reading.view.controls;
  settleAddress(reading);

  const parts = equations.find((p) => p.equation.id === reading.equation);
  const shown = new Set<Element>();
  const show = (e: Element, part: Part) => {
    mark(e, part);
    shown.add(e);
  };
  if (reading.message) {
    const message = el("p", "embed-message", reading.message);
    message.setAttribute("role", "alert");
    main.prepend(message);
    show(message, "message");
  }
  if (parts) {
    const label = equationLabel(parts.equation);
    const page = document.querySelector("#observablehq-main h1")?.textContent?.trim() ?? document.title;
    const site = document.querySelector(".site-title")?.textContent?.trim() ?? "";
    const arrow = el("span", "embed-new-tab", " ↗");
    arrow.setAttribute("aria-hidden", "true");
    const link = elem("a", { href: fullPage(parts.equation.id), target: "_blank", rel: "noopener" },
      `(${label}) · ${page}${site ? ` — ${site}` : ""}`, arrow, el("span", "sr-only", " (opens the page in a new tab)"));
    // The embed's one heading (the page's own is hidden): what it is and where it comes from.
    const source = elem("h1", { className: "embed-source" }, link);
    main.prepend(source);
    show(source, "source");
    show(parts.equation, "equation");
    if (parts.symbols) show(parts.symbols, "symbols");
    for (const e of [...parts.cells, ...parts.codes]) show(e, "cell");
    const controls = controlBlocks(parts.cells);
    for (const block of controls) show(block, "control");
    if (reading.view.controls === "hide") {
      const config = el("p", "embed-config");
      main.append(config);
      show(config, "config");
      // The forms draw when their cells run, after this: the line follows them.
      const update = () => (config.textContent = configurationLine(controls));
      const observer = new MutationObserver(update);
      for (const block of controls) observer.observe(block, { childList: true, subtree: true });
      update();
    }
    // The full page's link follows the settings as the reader changes them.
    // The form writes the address once edits pause (settings-form.ts), and before any press: so the link is
    // rebuilt after that write and when it is about to be followed.
    const relink = () => (link.href = fullPage(parts.equation.id));
    document.addEventListener("input", () => setTimeout(relink, URL_DELAY_MS + 50));
    for (const e of ["pointerdown", "keydown", "focus"]) link.addEventListener(e, relink);
    document.title = `Equation (${label}) · ${document.title}`;
  }
  // Hide what was there; anything the page adds later (an editor, a tooltip, a live region) shows.
  for (const child of main.children) if (!shown.has(child)) (child as HTMLElement).dataset.embedHidden = "";
  // Every link but one within the embed opens a new tab: the frame stays the equation.
  document.addEventListener("click", (event) => {
    const a = (event.target as Element | null)?.closest?.("a[href]") as HTMLAnchorElement | null;
    if (a && !a.getAttribute("href")!.startsWith("#")) {
      a.target = "_blank";
      a.rel = "noopener";
    }
  }, true);
  root.dataset.embedReady = "";
  reportHeight(parts?.equation.id ?? "");
}

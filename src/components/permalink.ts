/**
 * A "copy link" button on every equation with an id, on every page: it copies the equation's permalink WITH the
 * reader's current configuration (`location.search`, which the configuration form keeps up to date), e.g.
 * `…/embedding?text=cabbage&seed=1#eq-3-21`, so the link reopens the very numbers it was copied from.
 *
 * Loaded once per page as a module script from the site's <head> (observablehq.config.ts); the equations are
 * static HTML rendered at build time (scripts/markdown-math.ts), so they exist when this runs.
 * Copies with navigator.clipboard; where that is refused (no permission, an insecure origin), it shows the link
 * in a read-only text field, selected, for Ctrl+C. A polite status message says which happened.
 */

const BUTTON_CLASS = "eq-copy";

/** The equation's printed number: the self-link's label "(3.21)", else the KaTeX tag, else the id. */
export function equationLabel(eq: HTMLElement): string {
  const fromLink = /\(([^)]*)\)\s*$/.exec(eq.querySelector("a.eq-link")?.getAttribute("aria-label") ?? "")?.[1];
  const fromTag = eq.querySelector(".katex-html .tag")?.textContent?.trim().replace(/^\((.*)\)$/, "$1");
  return fromLink || fromTag || eq.id;
}

/** The permalink of an element id on the current page, keeping the configuration query. */
export function permalink(id: string, loc: Pick<Location, "origin" | "pathname" | "search"> = location): string {
  return `${loc.origin}${loc.pathname}${loc.search}#${encodeURIComponent(id)}`;
}

function statusRegion(): HTMLElement {
  let region = document.querySelector<HTMLElement>(".eq-copy-status");
  if (!region) {
    region = document.createElement("div");
    region.className = "eq-copy-status sr-only";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    (document.querySelector("main") ?? document.body).append(region);
  }
  return region;
}

function announce(message: string): void {
  const region = statusRegion();
  // Clearing first makes screen readers repeat the same message on a second copy.
  region.textContent = "";
  requestAnimationFrame(() => (region.textContent = message));
}

/** The fallback: the link in a read-only, selected text field right after the button. */
function showField(button: HTMLButtonElement, url: string, label: string): HTMLInputElement {
  const eq = button.closest<HTMLElement>(".equation")!;
  let field = eq.nextElementSibling?.matches(".eq-copy-fallback")
    ? eq.nextElementSibling.querySelector("input")
    : null;
  if (!field) {
    const wrap = document.createElement("div");
    wrap.className = "eq-copy-fallback";
    const id = `${eq.id}-permalink`;
    wrap.innerHTML = `<label for="${id}"></label><input id="${id}" type="text" readonly>`;
    wrap.querySelector("label")!.textContent = `Link to equation (${label})`;
    eq.after(wrap);
    field = wrap.querySelector("input")!;
  }
  field.value = url;
  field.focus();
  field.select();
  return field;
}

async function copy(button: HTMLButtonElement, id: string, label: string): Promise<void> {
  const url = permalink(id);
  try {
    if (!navigator.clipboard?.writeText) throw new Error("no clipboard API");
    await navigator.clipboard.writeText(url);
    button.dataset.copied = "";
    setTimeout(() => delete button.dataset.copied, 1500);
    announce(`Link to equation (${label}) copied, with the current configuration.`);
  } catch {
    showField(button, url, label);
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
    announce(copied
      ? `Link to equation (${label}) copied, with the current configuration.`
      : `Copying is not allowed here: the link to equation (${label}) is selected in the text field; press Ctrl+C or Cmd+C.`);
  }
}

/** Adds the button to every `.equation[id]` under `root` that has none yet. Returns how many it added. */
export function addCopyButtons(root: ParentNode = document): number {
  let added = 0;
  for (const eq of root.querySelectorAll<HTMLElement>(".equation[id]")) {
    if (eq.querySelector(`:scope > .${BUTTON_CLASS}`)) continue;
    const label = equationLabel(eq);
    const button = document.createElement("button");
    button.type = "button";
    button.className = BUTTON_CLASS;
    button.setAttribute("aria-label", `Copy link to equation (${label})`);
    button.title = `Copy the link to equation (${label}) with the current configuration`;
    button.innerHTML =
      `<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">` +
      `<path d="M6.5 9.5l3-3M7 4.5l1.3-1.3a2.5 2.5 0 013.5 3.5L10.5 8M9 11.5l-1.3 1.3a2.5 2.5 0 01-3.5-3.5L5.5 8" ` +
      `fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round"/></svg>`;
    button.addEventListener("click", () => void copy(button, eq.id, label));
    eq.append(button);
    added++;
  }
  return added;
}

if (typeof document !== "undefined") {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => addCopyButtons());
  else addCopyButtons();
}

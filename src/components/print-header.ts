/**
 * The header printed at the top of every page: the page title, the permalink of the current
 * configuration (`location.href`, which the configuration form keeps up to date with history.replaceState), the
 * settings of the page's settings forms — the model and the example (text, sizes, seed, h⁽⁰⁾…), which the forms are
 * not printed themselves — and the date of printing. A display toggle (full precision, a step picker) is not a
 * setting: it changes how numbers are shown, not which, so the header leaves it out. On screen it is
 * hidden (src/print.css); it exists so that a printed handout says exactly which numbers it shows and how to get
 * them back.
 *
 * Self-installing: importing this module once per page is enough (it is loaded from the `head` of every page, see
 * observablehq.config.ts). It keeps itself current on `beforeprint`, when the print media query starts to match,
 * after any input or change event in the page, on history navigation, and with a slow poll (replaceState fires
 * no event).
 */

const MAX_VALUE = 60;

/** The text a control is labelled with: <label for>, an enclosing <label>, aria-label or aria-labelledby. */
function labelOf(el: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): string {
  const byFor = el.id ? document.querySelector<HTMLLabelElement>(`label[for="${CSS.escape(el.id)}"]`) : null;
  const label = byFor ?? el.closest("label");
  const text = label?.textContent ??
    el.getAttribute("aria-label") ??
    (el.getAttribute("aria-labelledby") ?? "")
      .split(/\s+/).map((id) => (id ? document.getElementById(id)?.textContent ?? "" : "")).join(" ");
  return text.replace(/\s+/g, " ").trim();
}

function valueOf(el: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): string | null {
  if (el instanceof HTMLInputElement) {
    if (["button", "submit", "reset", "hidden", "file", "image"].includes(el.type)) return null;
    if (el.type === "radio") return el.checked ? el.value : null;
    if (el.type === "checkbox") return el.checked ? "on" : "off";
  }
  if (el instanceof HTMLSelectElement) {
    const opt = el.selectedOptions[0];
    return opt ? (opt.textContent ?? opt.value).trim() : el.value;
  }
  const v = el.value.replace(/\s+/g, " ").trim();
  return v.length > MAX_VALUE ? `${v.slice(0, MAX_VALUE - 1)}…` : v;
}

/** The controls that are settings: those of a settings form (src/components/settings-form.ts, class config-form). */
const SETTINGS = ["input", "select", "textarea"].map((t) => `#observablehq-main .config-form ${t}`).join(", ");

/** "Label: value" for every control of the page's settings forms (at most one entry per label). */
export function controlSettings(root: ParentNode = document): string[] {
  const out = new Map<string, string>();
  for (const el of root.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(SETTINGS)) {
    // Read-only fields show results (a TSV copy of a table), not settings.
    if (el.closest(".print-header") || (el as HTMLInputElement).readOnly) continue;
    // A group of checkboxes (settings-form.ts) is one setting: its legend, and the options checked.
    const group = el.closest<HTMLFieldSetElement>("fieldset.field-checkboxes");
    if (group) {
      const legend = (group.querySelector("legend")?.textContent ?? "").trim();
      if (legend && !out.has(legend)) {
        const on = Array.from(group.querySelectorAll<HTMLInputElement>("input[type=checkbox]:checked"), (b) => labelOf(b));
        out.set(legend, on.length ? on.join(", ") : "none");
      }
      continue;
    }
    const value = valueOf(el);
    if (value === null || value === "") continue;
    const label = labelOf(el) || el.name;
    if (!label || out.has(label)) continue;
    out.set(label, value);
  }
  return [...out].map(([k, v]) => `${k}: ${v}`);
}

function pageTitle(): string {
  const h1 = document.querySelector("#observablehq-main h1");
  return (h1?.textContent ?? document.title).replace(/\s+/g, " ").trim();
}

function printedDate(d = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

let header: HTMLElement | null = null;

function build(): HTMLElement {
  const el = document.createElement("header");
  el.className = "print-header";
  el.innerHTML =
    `<p class="print-title"></p>` +
    `<p class="print-permalink"><span class="print-key">Permalink</span> <span class="print-url"></span></p>` +
    `<p class="print-settings"><span class="print-key">Settings</span> <span class="print-values"></span></p>` +
    `<p class="print-date"><span class="print-key">Printed</span> <time></time></p>`;
  return el;
}

/** Insert the header (once) at the top of the page's main column and bring its contents up to date. */
/**
 * Sent on window before the header reads the address: a settings form writes it a moment after the edits pause
 * (settings-form.ts), and writes what is pending when it hears this, so that printing at once prints the new settings.
 */
export const FLUSH_URL_EVENT = "bptt-flush-url";

export function updatePrintHeader(): HTMLElement | null {
  dispatchEvent(new Event(FLUSH_URL_EVENT));
  const main = document.getElementById("observablehq-main");
  if (!main) return null;
  if (!header || !header.isConnected) {
    header = main.querySelector<HTMLElement>(":scope > .print-header") ?? build();
    main.prepend(header);
  }
  const set = (sel: string, text: string) => {
    const node = header!.querySelector(sel)!;
    if (node.textContent !== text) node.textContent = text;
  };
  set(".print-title", pageTitle());
  set(".print-url", location.href);
  const settings = controlSettings();
  set(".print-values", settings.join(" · "));
  header.querySelector<HTMLElement>(".print-settings")!.hidden = settings.length === 0;
  const now = new Date();
  const time = header.querySelector("time")!;
  time.dateTime = now.toISOString();
  set("time", printedDate(now));
  return header;
}

/**
 * The narrowest printed column: A4 (210 mm) less the 12 mm side margins of src/print.css, in CSS pixels. Letter
 * (8.5 in) is wider, so what fits A4 fits both.
 */
export const PAPER_WIDTH_PX = Math.floor(((210 - 24) / 25.4) * 96);

/**
 * Shrink (CSS zoom) displayed equations, tables and code blocks that are wider than the printed column, so nothing is
 * cut off at the paper's edge (SVGs shrink by CSS alone). `printing` says a print is about to start (beforeprint,
 * when the page may still be laid out for the screen); otherwise this only acts while the print media query
 * matches, and undoes itself when it stops matching.
 */
export function fitToPaper(printing = false): void {
  const main = document.getElementById("observablehq-main");
  if (!main) return;
  for (const el of main.querySelectorAll<HTMLElement>(".print-fit")) {
    el.classList.remove("print-fit");
    el.style.removeProperty("zoom");
  }
  const print = matchMedia("print").matches;
  if (!printing && !print) return;
  const avail = print && main.clientWidth > 0 ? Math.min(main.clientWidth, PAPER_WIDTH_PX) : PAPER_WIDTH_PX;
  for (const el of main.querySelectorAll<HTMLElement>(".katex-display, table, pre")) {
    if (el.parentElement?.closest(".print-fit") || el.closest(".print-header")) continue;
    const inner = el.matches(".katex-display") ? el.querySelector<HTMLElement>(":scope > .katex") ?? el : el;
    const need = Math.max(inner.scrollWidth, inner.getBoundingClientRect().width);
    if (need > avail + 1) {
      el.classList.add("print-fit");
      el.style.setProperty("zoom", String(Math.max(0.35, Math.floor((avail / need) * 1000) / 1000)));
    }
  }
}

function install(): void {
  if ((window as unknown as { __bpttPrintHeader?: boolean }).__bpttPrintHeader) return;
  (window as unknown as { __bpttPrintHeader?: boolean }).__bpttPrintHeader = true;
  let pending = 0;
  const later = () => {
    if (pending) return;
    pending = window.setTimeout(() => { pending = 0; updatePrintHeader(); }, 50);
  };
  addEventListener("beforeprint", () => { updatePrintHeader(); fitToPaper(true); });
  addEventListener("afterprint", () => fitToPaper());
  const print = matchMedia("print");
  print.addEventListener("change", () => { updatePrintHeader(); fitToPaper(); });
  // Late layout changes while printing (web fonts arriving, a new paper width) need a new fit.
  addEventListener("resize", () => { if (print.matches) fitToPaper(); });
  document.fonts?.ready.then(() => { if (print.matches) fitToPaper(); });
  // Nothing is updated while the reader edits: the header is refreshed when printing starts (beforeprint, or the
  // print media query turning on), so on screen it costs nothing per edit — an edit must update the page in 50 ms.
  addEventListener("popstate", later);
  addEventListener("hashchange", later);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", later);
  updatePrintHeader();
  later();
}

if (typeof window !== "undefined" && typeof document !== "undefined") install();

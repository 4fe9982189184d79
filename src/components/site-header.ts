/**
 * What the site header (scripts/site-header.ts) does, loaded once per page from the <head>
 * (observablehq.config.ts). It stays small because every page loads it: the search itself (the index and
 * MiniSearch, src/components/search-panel.ts) is imported only when a reader first focuses the search box or
 * presses "/" — never before an interaction.
 *
 * The skip link moves focus, not just the scroll position, to the page's main content, so that the next Tab
 * goes to the first link or control of the page in every engine.
 *
 * A link to an anchor (a search result, an equation's permalink) is scrolled to by the browser as the page loads,
 * before Framework renders the cells above it, which then push it out of view (by 2,800 px on /embedding). So the
 * target is kept in view while the page grows, until the reader scrolls, clicks or types, or HOLD_MS have passed.
 */

const input = document.querySelector<HTMLInputElement>("#site-search-input");
const main = document.querySelector<HTMLElement>("#observablehq-main");

document.querySelector<HTMLAnchorElement>(".skip-link")?.addEventListener("click", (event) => {
  if (!main) return;
  event.preventDefault();
  main.tabIndex = -1;
  main.focus();
  main.scrollIntoView();
});

/** How long a fragment's target is held in view while cells render: /stacked, the slowest page, settles in ~3 s. */
const HOLD_MS = 10_000;
const RELEASE_EVENTS = ["wheel", "touchstart", "keydown", "pointerdown", "hashchange"] as const;

/** The element a fragment names, or null: a malformed one (a `#code=` link cut short) names none, and must not throw. */
function fragmentTarget(hash: string): HTMLElement | null {
  try {
    const id = decodeURIComponent(hash.slice(1));
    return id ? document.getElementById(id) : null;
  } catch {
    return null;
  }
}

function holdFragmentInView(): void {
  const target = fragmentTarget(location.hash);
  if (!target || !main) return;
  const observer = new ResizeObserver(() => target.scrollIntoView());
  const release = () => {
    observer.disconnect();
    for (const e of RELEASE_EVENTS) removeEventListener(e, release, true);
  };
  for (const e of RELEASE_EVENTS) addEventListener(e, release, { capture: true, passive: true });
  observer.observe(main);
  setTimeout(release, HOLD_MS);
}
holdFragmentInView();

let loading: Promise<void> | null = null;

/** Imports the search once; the panel then handles the box itself, including what was typed meanwhile. */
function loadSearch(): Promise<void> {
  loading ??= import("./search-panel.js").then(({ attachSearch }) => attachSearch(input!));
  return loading;
}

/** Where "/" is a character the reader is typing, not the shortcut. */
const typing = (el: Element | null) =>
  el instanceof HTMLElement && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));

if (input) {
  input.addEventListener("focus", () => void loadSearch(), { once: true });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || typing(document.activeElement)) return;
    event.preventDefault();
    input.focus();
    input.select();
  });
}

/**
 * The site search (loaded on first use by src/components/site-header.ts): the index built at build time by
 * scripts/search-index.ts, queried with lib/tools/search.ts's rules, results listed under the box.
 *
 * The box is an ARIA combobox: focus stays in the text field while Up and Down move the active result
 * (aria-activedescendant), Enter opens it (the first one unless another was chosen), Escape closes the list and
 * a second Escape clears the field. A result opens its page at the anchor; on the page already open only the
 * fragment changes, so the reader's settings (the query string) stay. The number of results is announced in a
 * polite status region; "no result" is also shown.
 */
import { FileAttachment } from "observablehq:stdlib";
import MiniSearch from "minisearch";
import { INDEX_OPTIONS, type SearchHit, findEntries, resultLabel } from "../lib/tools/search.js";

const OPTION_ID = "site-search-option-";

async function loadIndex(): Promise<MiniSearch> {
  const json = await FileAttachment("../_search/index.json").json();
  return MiniSearch.loadJS(json as Parameters<typeof MiniSearch.loadJS>[0], INDEX_OPTIONS);
}

/** The site's root, from the title's link (Framework writes it relative to the page, so any base path works). */
const siteRoot = () => new URL(document.querySelector<HTMLAnchorElement>(".site-title")?.getAttribute("href") ?? "/", location.href);

/** A result's address: its page under the site root, and its anchor. */
export const hitUrl = (id: string, root: URL) => new URL(id.replace(/^\//, ""), root);

/** Opens a result: the fragment only when it is on this page (keeping the settings in the query), else its page. */
function open(url: URL): void {
  if (url.pathname !== location.pathname) {
    location.assign(url.href);
    return;
  }
  const target = url.hash ? document.getElementById(decodeURIComponent(url.hash.slice(1))) : null;
  if (url.hash && location.hash !== url.hash) location.hash = url.hash;
  if (!target) return window.scrollTo(0, 0);
  target.scrollIntoView();
  // So that the next Tab continues from the result, not from the search box.
  if (!target.hasAttribute("tabindex")) target.tabIndex = -1;
  target.focus({ preventScroll: true });
}

export async function attachSearch(input: HTMLInputElement): Promise<void> {
  const box = input.closest<HTMLElement>(".site-search")!;
  const panel = box.querySelector<HTMLElement>(".site-search-panel")!;
  const list = box.querySelector<HTMLUListElement>("[role=listbox]")!;
  const message = box.querySelector<HTMLElement>(".site-search-message")!;
  const status = box.querySelector<HTMLElement>("[role=status]")!;
  let hits: SearchHit[] = [];
  let active = -1;
  let index: MiniSearch | null = null;

  const setOpen = (isOpen: boolean) => {
    panel.hidden = !isOpen;
    input.setAttribute("aria-expanded", String(isOpen && hits.length > 0));
    if (!isOpen) input.removeAttribute("aria-activedescendant");
  };

  const setActive = (i: number) => {
    active = i;
    list.querySelectorAll("[role=option]").forEach((li, j) => li.setAttribute("aria-selected", String(j === i)));
    const li = list.children[i];
    if (li) {
      input.setAttribute("aria-activedescendant", li.id);
      li.scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  };

  const render = () => {
    const query = input.value.trim();
    if (!query) {
      hits = [];
      list.replaceChildren();
      status.textContent = "";
      return setOpen(false);
    }
    if (!index) {
      message.textContent = "Loading the index…";
      return setOpen(true);
    }
    hits = findEntries(index, query);
    const root = siteRoot();
    list.replaceChildren(
      ...hits.map((hit, i) => {
        const li = document.createElement("li");
        const { main, where } = resultLabel(hit);
        li.id = `${OPTION_ID}${i}`;
        li.setAttribute("role", "option");
        li.dataset.href = hitUrl(hit.id, root).href;
        li.className = `site-search-result site-search-${hit.kind}`;
        const strong = document.createElement("span");
        strong.className = "site-search-main";
        strong.textContent = main;
        const small = document.createElement("span");
        small.className = "site-search-where";
        small.textContent = where;
        li.append(strong, small);
        return li;
      }),
    );
    const counted = hits.length === 1 ? "1 result" : `${hits.length} results`;
    message.textContent = hits.length ? "" : `No result for “${query}”. Try an equation number such as 3.21, or other words.`;
    status.textContent = hits.length ? counted : `No result for ${query}`;
    setOpen(true);
    setActive(hits.length ? 0 : -1);
  };

  const choose = (i: number) => {
    const href = (list.children[i] as HTMLElement | undefined)?.dataset.href;
    if (!href) return;
    setOpen(false);
    open(new URL(href));
  };

  input.addEventListener("input", render);
  input.addEventListener("focus", () => input.value.trim() && render());
  input.addEventListener("keydown", (event) => {
    const n = hits.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!n) return;
      event.preventDefault();
      if (panel.hidden) setOpen(true);
      setActive(event.key === "ArrowDown" ? (active + 1) % n : (active - 1 + n) % n);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (!panel.hidden && active >= 0) choose(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      if (!panel.hidden) setOpen(false);
      else {
        input.value = "";
        render();
      }
    }
  });
  // A click keeps the focus in the box until the result opens.
  list.addEventListener("mousedown", (event) => event.preventDefault());
  list.addEventListener("click", (event) => {
    const li = (event.target as Element).closest<HTMLElement>("[role=option]");
    if (li) choose([...list.children].indexOf(li));
  });
  box.addEventListener("focusout", (event) => {
    if (!box.contains(event.relatedTarget as Node | null)) setOpen(false);
  });

  // Busy while the index loads (a screen reader waits; the tests wait for "false").
  box.setAttribute("aria-busy", "true");
  try {
    index = await loadIndex();
  } catch {
    message.textContent = "The search index could not be loaded; reload the page to try again.";
    return;
  } finally {
    box.setAttribute("aria-busy", "false");
  }
  if (document.activeElement === input) render();
}

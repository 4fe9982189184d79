/**
 * The site's header: a "Skip to content" link (the first Tab stop of every page), the title, a "Contents" menu
 * listing every page, grouped by source, and the search box. It replaces Framework's sidebar, whose markup fails
 * axe-core (an <ol> holding a <label>, a checkbox outside any landmark, zooming disabled), and prints nothing
 * (see print.css). Its CSS is src/header.css; its behaviour (the skip link's focus, the search loaded on first
 * use) is src/components/site-header.ts.
 */
export interface NavPage {
  name: string;
  path: string;
}
export interface NavSection {
  name: string;
  pages: NavPage[];
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");

/** Page paths as Framework sees them ("/index" for "/"). */
const same = (navPath: string, pagePath: string) =>
  navPath === pagePath || (navPath.endsWith("/") && `${navPath}index` === pagePath);

/** "BPTT companion" → its first word, and the rest in a span a phone's header hides from view (not from the name). */
const shortTitle = (title: string) => {
  const cut = title.indexOf(" ");
  return cut < 0 ? esc(title) : `${esc(title.slice(0, cut))}<span class="site-title-rest sr-only">${esc(title.slice(cut))}</span>`;
};

export function siteHeader(title: string, pages: (NavPage | NavSection)[], path: string): string {
  const link = (p: NavPage) =>
    `<li><a href="${esc(p.path)}"${same(p.path, path) ? ' aria-current="page"' : ""}>${esc(p.name)}</a></li>`;
  const groups = pages.map((p) =>
    "pages" in p
      ? `<li class="menu-section"><span class="menu-section-name">${esc(p.name)}</span><ul>${p.pages.map(link).join("")}</ul></li>`
      : link(p),
  );
  // rel="external" keeps Framework from validating the skip link: it checks anchors against the page's body, and
  // <main> belongs to its template.
  return `<a class="skip-link" href="#observablehq-main" rel="external">Skip to content</a>` +
    `<a class="site-title" href="/">${shortTitle(title)}</a>` +
    `<details class="site-menu"><summary>Contents</summary>` +
    `<nav aria-label="All pages"><ul>${groups.join("")}</ul></nav></details>` +
    SEARCH_BOX;
}

/**
 * The search box: a combobox whose list of results src/components/search-panel.ts fills. Without JavaScript it
 * is an inert field (the index is searched in the browser).
 */
const SEARCH_BOX =
  `<div class="site-search" role="search">` +
  `<label class="sr-only" for="site-search-input">Search the site</label>` +
  `<input id="site-search-input" type="search" placeholder="Search" autocomplete="off" spellcheck="false"` +
  ` role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="site-search-results"` +
  ` aria-keyshortcuts="/" aria-describedby="site-search-hint">` +
  `<kbd class="site-search-key" aria-hidden="true">/</kbd>` +
  `<span id="site-search-hint" class="sr-only">An equation number such as 3.21, or words. ` +
  `Up and Down choose a result, Enter opens it, Escape closes.</span>` +
  `<div class="site-search-panel" hidden>` +
  `<p class="site-search-message"></p>` +
  `<ul id="site-search-results" role="listbox" aria-label="Search results"></ul>` +
  `</div>` +
  `<p class="sr-only" role="status" aria-live="polite"></p>` +
  `</div>`;

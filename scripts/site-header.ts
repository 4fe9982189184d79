/**
 * The site's header: its title and a "Contents" menu listing every page, grouped by source. It replaces
 * Framework's sidebar, whose markup fails axe-core (an <ol> holding a <label>, a checkbox outside any landmark,
 * zooming disabled), and prints nothing (see style.css).
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

export function siteHeader(title: string, pages: (NavPage | NavSection)[], path: string): string {
  const link = (p: NavPage) =>
    `<li><a href="${esc(p.path)}"${same(p.path, path) ? ' aria-current="page"' : ""}>${esc(p.name)}</a></li>`;
  const groups = pages.map((p) =>
    "pages" in p
      ? `<li class="menu-section"><span class="menu-section-name">${esc(p.name)}</span><ul>${p.pages.map(link).join("")}</ul></li>`
      : link(p),
  );
  return `<a class="site-title" href="/">${esc(title)}</a>` +
    `<details class="site-menu"><summary>Contents</summary>` +
    `<nav aria-label="All pages"><ul>${groups.join("")}</ul></nav></details>`;
}

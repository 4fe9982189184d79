import config from "../../observablehq.config.js";

type NavPage = { name: string; path: string };
type NavSection = { name: string; pages: NavPage[] };

/** The pages listed in the site's navigation, as a reader finds them. */
export function navigationPaths(): string[] {
  const out: string[] = [];
  for (const p of config.pages as (NavPage | NavSection)[]) {
    if ("pages" in p) out.push(...p.pages.map((q) => q.path));
    else out.push(p.path);
  }
  return out;
}

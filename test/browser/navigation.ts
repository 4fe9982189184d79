import config from "../../observablehq.config.js";

/** Where the built site is: `dist/` unless BPTT_DIST says otherwise (see observablehq.config.ts). */
export const DIST = process.env.BPTT_DIST ?? "dist";

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

/**
 * The header's theme button and the head's script that applies the remembered theme before anything paints
 * (src/components/theme.ts answers the button; src/theme.css draws both themes; docs/theme.md).
 */
import { THEME_KEY } from "../src/components/theme.js";

/**
 * A classic inline script, so it runs while the head is parsed, before the body exists and before the first
 * paint: <html data-theme> is the stored choice, or "system". It mirrors parseChoice in src/components/theme.ts;
 * test/browser/theme.test.ts checks the two agree.
 *
 * An embed of one equation (`?embed=eq-4-9`, lib/state/embed.ts) is in another site's page: its theme is the
 * link's `theme` (light or dark; anything else follows the system, and src/components/embed-view.ts then names
 * the bad value), never the site's stored choice, and `data-embed` hides the site's frame before the first paint
 * (src/embed.css), so a course page never flashes this site's header.
 */
export const themeHeadScript = (): string =>
  `<script>(function(){var d=document.documentElement,c="system",q=location.search;` +
  String.raw`if(/(?:^\?|&)embed=/.test(q)){d.setAttribute("data-embed","");var t=/(?:^\?|&)theme=(light|dark)(?:&|$)/.exec(q);if(t)c=t[1]}` +
  `else try{var s=localStorage.getItem(${JSON.stringify(THEME_KEY)});if(s==="light"||s==="dark")c=s}catch(e){}` +
  `d.setAttribute("data-theme",c)})()</script>`;

/**
 * One button whose label is the current choice: src/theme.css shows the span matching <html data-theme>, so the
 * label is right from the first paint. A click moves to the next choice; the status line says which, for a
 * screen reader.
 */
export function themeToggle(): string {
  const label = (choice: string) =>
    `<span data-choice="${choice.toLowerCase()}"><span class="theme-word sr-only">Theme: </span>${choice}</span>`;
  return `<button type="button" class="theme-toggle" title="Colour theme: System, Light or Dark">` +
    `${label("System")}${label("Light")}${label("Dark")}</button>` +
    `<span class="theme-status sr-only" role="status"></span>`;
}

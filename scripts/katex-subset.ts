/**
 * Cuts KaTeX's fonts in a built site down to the characters its equations use. Every equation is rendered at build
 * time (scripts/markdown-math.ts), so the characters KaTeX draws with its fonts are exactly the text of the
 * `katex-html` spans of the built pages; the full faces carry hundreds of glyphs the site never shows (the AMS face
 * alone is 28 kB, for a handful of symbols). Run by scripts/check-dist.ts after it copies the fonts into dist/.
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import subsetFont from "subset-font";

/** Kept in every face whatever the pages show, so a glyph the scan misses still has its digits and letters. */
const ALWAYS = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) =>
    e[0] === "#" ? String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : ENTITIES[e] ?? m);
}

/** The text inside every span whose opening tag matches `open` (spans nest: the matching close is found). */
function textOfSpans(html: string, open: RegExp): string {
  let out = "";
  const starts = new RegExp(open.source, "g");
  for (let m = starts.exec(html); m; m = starts.exec(html)) {
    let depth = 0, i = m.index;
    const tags = /<(\/?)span\b[^>]*>/g;
    tags.lastIndex = m.index;
    let t: RegExpExecArray | null;
    while ((t = tags.exec(html))) {
      out += html.slice(i, t.index);
      i = tags.lastIndex;
      depth += t[1] ? -1 : 1;
      if (depth === 0) break;
    }
    starts.lastIndex = i;
  }
  return decode(out.replace(/<[^>]*>/g, ""));
}

/** The text inside every `<span class="katex-html" …>…</span>` of `html`: what KaTeX draws with its fonts. */
export const katexText = (html: string): string => textOfSpans(html, /<span class="katex-html"[^>]*>/);

/**
 * What KaTeX draws with its AMS face: the text of the spans of the classes katex.css sets in it. Its glyphs for
 * ASCII are other letters (blackboard bold), so it gets these characters alone, not the digits and letters that
 * every other face keeps (the AMS face fell from 8 kB to 3 kB, on every page that writes ℝ).
 */
export const amsText = (html: string): string => textOfSpans(html, /<span class="[^"]*\b(?:amsrm|mathbb|textbb)\b[^"]*"[^>]*>/);

/** Subsets every woff2 in `fontsDir` to the characters of KaTeX's output in the HTML files under `dist`. */
export async function subsetKatexFonts(dist: string, fontsDir: string, htmlFiles: Iterable<string>): Promise<string> {
  const chars = new Set(ALWAYS), ams = new Set<string>();
  for (const file of htmlFiles) {
    const html = readFileSync(file, "utf8");
    for (const c of katexText(html)) chars.add(c);
    for (const c of amsText(html)) ams.add(c);
  }
  let before = 0, after = 0;
  for (const f of readdirSync(fontsDir).filter((f) => f.endsWith(".woff2"))) {
    const path = join(fontsDir, f);
    const full = readFileSync(path);
    const cut = await subsetFont(full, [...(f.startsWith("KaTeX_AMS-") ? ams : chars)].join(""), { targetFormat: "woff2" });
    writeFileSync(path, cut);
    before += full.length;
    after += cut.length;
  }
  return `KaTeX fonts cut to the ${chars.size} characters the equations of ${dist} use (the AMS face to ${ams.size}): ${(before / 1000).toFixed(0)} kB → ${(after / 1000).toFixed(0)} kB`;
}

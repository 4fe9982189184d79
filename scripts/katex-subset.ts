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

/** The text inside every `<span class="katex-html" …>…</span>` of `html` (spans nest: the matching close is found). */
export function katexText(html: string): string {
  let out = "";
  for (let at = html.indexOf('class="katex-html"'); at >= 0; at = html.indexOf('class="katex-html"', at)) {
    const open = html.lastIndexOf("<span", at);
    let depth = 0, i = open;
    const tags = /<(\/?)span\b[^>]*>/g;
    tags.lastIndex = open;
    let m: RegExpExecArray | null;
    while ((m = tags.exec(html))) {
      out += html.slice(i, m.index);
      i = tags.lastIndex;
      depth += m[1] ? -1 : 1;
      if (depth === 0) break;
    }
    at = i;
  }
  return decode(out.replace(/<[^>]*>/g, ""));
}

/** Subsets every woff2 in `fontsDir` to the characters of KaTeX's output in the HTML files under `dist`. */
export async function subsetKatexFonts(dist: string, fontsDir: string, htmlFiles: Iterable<string>): Promise<string> {
  const chars = new Set(ALWAYS);
  for (const file of htmlFiles) for (const c of katexText(readFileSync(file, "utf8"))) chars.add(c);
  const text = [...chars].join("");
  let before = 0, after = 0;
  for (const f of readdirSync(fontsDir).filter((f) => f.endsWith(".woff2"))) {
    const path = join(fontsDir, f);
    const full = readFileSync(path);
    const cut = await subsetFont(full, text, { targetFormat: "woff2" });
    writeFileSync(path, cut);
    before += full.length;
    after += cut.length;
  }
  return `KaTeX fonts cut to the ${chars.size} characters the equations of ${dist} use: ${(before / 1000).toFixed(0)} kB → ${(after / 1000).toFixed(0)} kB`;
}

/**
 * KaTeX's stylesheet and fonts, served by the site itself (no CDN). Writes `src/_katex/katex.css` with its
 * @font-face rules cut down to woff2 (every browser the site targets reads it; a browser downloads only the
 * faces a page uses) and copies the woff2 files beside it. Pages link it as `_file/_katex/katex.css`: the
 * preview server answers `_file/…` from `src/`, and scripts/check-dist.ts copies the folder into `dist/_file/`
 * after a build (Framework does not follow `url()` inside a linked stylesheet).
 *
 * Run by `predev` and `prebuild`; the output is git-ignored.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const katexDist = dirname(createRequire(import.meta.url).resolve("katex/dist/katex.min.css"));
export const KATEX_OUT = join(root, "src", "_katex");

export function writeKatexAssets(out = KATEX_OUT): void {
  mkdirSync(join(out, "fonts"), { recursive: true });
  const css = readFileSync(join(katexDist, "katex.min.css"), "utf8").replace(
    /src:url\((fonts\/[\w-]+\.woff2)\) format\("woff2"\)(,url\([^)]*\) format\("[\w]+"\))*/g,
    'src:url($1) format("woff2")',
  );
  if (/\.woff\)|\.ttf\)/.test(css)) throw new Error("katex-assets: unexpected @font-face layout in katex.min.css");
  writeFileSync(join(out, "katex.css"), css);
  for (const f of readdirSync(join(katexDist, "fonts"))) {
    if (f.endsWith(".woff2")) copyFileSync(join(katexDist, "fonts", f), join(out, "fonts", f));
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) writeKatexAssets();

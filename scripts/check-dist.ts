/**
 * Runs after `observable build`: copies the KaTeX stylesheet and fonts into `dist/`, sets the pages' language and
 * lets readers zoom (patchHtml), then fails the build if
 * `dist/` could break for an offline reader. A Framework build exits 0 even when a page is broken, so this is
 * the first line of defence; the browser tests (test/browser/) are the second.
 *
 * Fails on: a reference to any external host (HTML attributes, CSS url()/@import, JS imports) — except the href of
 * an <a> to an https address, a link the reader may follow (to a source, to the repository) that nothing loads — a bare module
 * specifier left unresolved in shipped JS, a relative import of a file that is not in dist/, a Framework error block or a KaTeX error in a page, an id used
 * twice on one page (equation anchors must be unique), and a page whose Content-Security-Policy is not exactly
 * scripts/csp.ts's (cspProblems).
 */
import { cpSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { initSync, parse } from "es-module-lexer";
import { PAGE_CSP, SANDBOX_CSP } from "./csp.js";
import { subsetKatexFonts } from "./katex-subset.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

const EXTERNAL_HTML = /\b(?:src|href|srcset|action|poster|data)\s*=\s*["']?\s*(?:https?:)?\/\/[^"'\s>]+/gi;
/** An <a> element's href to an https address: a link out, which no page loads by itself. */
const LINK_OUT = /(<a\s(?:[^>"']|"[^"]*"|'[^']*')*?\bhref\s*=\s*)(["'])https:\/\/[^"'\s>]+\2/gi;
const EXTERNAL_CSS = /(?:url\(\s*["']?|@import\s+["'])\s*(?:https?:)?\/\/[^"')\s]+/gi;
const EXTERNAL_JS = /(?:\bfrom\s*|\bimport\s*\(?\s*|\bfetch\s*\(\s*)["'`](?:https?:)?\/\/[^"'`]+/g;
/**
 * The real import specifiers of a JS file, found with a lexer (es-module-lexer, Framework's own dependency): text
 * inside strings, template literals and comments is not an import. (A regular expression flagged sucrase's and
 * @codemirror/lang-javascript's snippets such as `import {${names}} from "${module}"`.) A file the lexer cannot
 * read is reported, not skipped.
 */
function importSpecifiers(text: string, name: string, problems: string[]): { n: string; dynamic: boolean }[] {
  initSync();
  let imports;
  try {
    [imports] = parse(text);
  } catch (e) {
    problems.push(`${name}: could not be read as JavaScript (${e instanceof Error ? e.message : String(e)})`);
    return [];
  }
  return imports.filter((i) => !!i.n).map((i) => ({ n: i.n!, dynamic: i.d > -1 }));
}

const isBare = (n: string) => !/^(?:\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(n);
const isLocal = (n: string) => /^\.{0,2}\//.test(n) && !n.startsWith("//");

/**
 * What Framework 1.13's page template lacks and has no option for: the page's language (screen readers pick
 * their voice from it), a viewport that lets readers zoom (it sets maximum-scale=1), and a name for the table
 * of contents' <nav>.
 */
export function patchHtml(html: string): string {
  return html
    .replace(/^<html>/m, '<html lang="en">')
    .replace(/(<meta name="viewport" content="[^"]*?),\s*maximum-scale=1/, "$1")
    // Two navigation landmarks (the header's menu and the table of contents) need distinct names.
    .replace(/(<aside id="observablehq-toc"[^>]*>\s*)<nav>/, '$1<nav aria-label="On this page">');
}

const CSP_META = /<meta\b[^>]*?\shttp-equiv\s*=\s*["']?Content-Security-Policy["'\s>][^>]*>/gi;
const unescapeAttr = (v: string) =>
  v.replace(/&quot;/g, '"').replace(/&#39;|&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/**
 * What is wrong with `html`'s Content-Security-Policy, which must be exactly `policy`. A `<meta>` policy governs
 * only what comes after it, and only in <head>, so it must be one meta, in the head, before any script: a second
 * meta would add its own restrictions, and a script before it would run unrestricted.
 */
export function cspProblems(html: string, policy: string, name: string): string[] {
  const metas = [...html.matchAll(CSP_META)];
  if (metas.length !== 1) return [`${name}: has ${metas.length} Content-Security-Policy <meta> elements, not exactly one`];
  const meta = metas[0]!, at = meta.index;
  const problems: string[] = [];
  const content = /\scontent\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(meta[0]);
  const value = content ? unescapeAttr(content[1] ?? content[2]!) : undefined;
  if (value !== policy) problems.push(`${name}: its Content-Security-Policy is ${JSON.stringify(value)}, not scripts/csp.ts's ${JSON.stringify(policy)}`);
  const headEnd = html.search(/<\/head\s*>|<body\b/i);
  if (headEnd >= 0 && headEnd < at) problems.push(`${name}: its Content-Security-Policy <meta> is not in <head> (browsers ignore it there)`);
  const script = html.slice(0, at).search(/<script\b/i);
  if (script >= 0) problems.push(`${name}: a <script> comes before its Content-Security-Policy <meta>, so the policy does not govern it`);
  return problems;
}

export function checkDist(dist: string): string[] {
  const problems: string[] = [];
  const where = (file: string) => relative(dist, file);
  for (const file of walk(dist)) {
    if (!/\.(html|css|js)$/.test(file)) continue;
    const text = readFileSync(file, "utf8");
    if (file.endsWith(".html")) {
      for (const m of text.replace(LINK_OUT, "$1$2#link-out$2").matchAll(EXTERNAL_HTML)) problems.push(`${where(file)}: references an external host: ${m[0]}`);
      // Pages carry PAGE_CSP; the sandbox frame, a file attachment that Framework copies with a content hash, its own.
      const path = where(file).split(sep).join("/");
      if (/^_file\/_workers\/sandbox(?:\.[^/]+)?\.html$/.test(path)) problems.push(...cspProblems(text, SANDBOX_CSP, path));
      else if (!path.startsWith("_file/")) problems.push(...cspProblems(text, PAGE_CSP, path));
      if (text.includes("observablehq--error")) problems.push(`${where(file)}: contains a Framework error block (observablehq--error)`);
      if (text.includes("katex-error")) problems.push(`${where(file)}: contains a KaTeX error`);
      const ids = new Map<string, number>();
      for (const m of text.matchAll(/\sid="([^"]+)"/g)) ids.set(m[1]!, (ids.get(m[1]!) ?? 0) + 1);
      for (const [id, n] of ids) if (n > 1) problems.push(`${where(file)}: id "${id}" is used ${n} times`);
      for (const m of text.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)) scanJs(m[1]!, `${where(file)} (inline module)`, file);
      // Stylesheets, preloads and scripts the page loads by itself (links between pages are clean URLs: not files).
      for (const m of text.matchAll(/<(?:link|script)\b[^>]*?\s(?:href|src)="(\.{0,2}\/[^"#?]+)[^"]*"[^>]*>/g)) {
        if (/^<link\b/.test(m[0]) && !/\srel="(?:[^"]*\s)?(?:stylesheet|modulepreload|preload)\b/.test(m[0])) continue;
        const ref = m[1]!, target = ref.startsWith("/") ? join(dist, ref) : join(dirname(file), ref);
        if (!existsSync(target)) problems.push(`${where(file)}: loads "${ref}", which is not in dist/`);
      }
    } else if (file.endsWith(".css")) {
      for (const m of text.matchAll(EXTERNAL_CSS)) problems.push(`${where(file)}: references an external host: ${m[0]}`);
    } else {
      scanJs(text, where(file), file);
    }
  }
  // `from` is the file whose URL a relative specifier resolves against: the JS file, or the page of an inline module.
  function scanJs(text: string, name: string, from: string) {
    for (const m of text.matchAll(EXTERNAL_JS)) problems.push(`${name}: imports from an external host: ${m[0]}`);
    for (const { n, dynamic } of importSpecifiers(text, name, problems)) {
      if (isBare(n)) problems.push(`${name}: unresolved bare import "${n}"`);
      // Framework's runtime (_observablehq/) imports its built-in libraries lazily, only for pages that use them.
      else if (isLocal(n) && !(dynamic && name.startsWith("_observablehq/"))) {
        // A build made while sources were being edited shipped imports of files it never wrote (they 404 in the page).
        const path = n.replace(/[?#].*$/, "");
        const target = path.startsWith("/") ? join(dist, path) : join(dirname(from), path);
        if (!existsSync(target)) problems.push(`${name}: imports "${n}", which is not in dist/`);
      }
    }
  }
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dist = process.env.BPTT_DIST ?? join(root, "dist");
  const katex = join(root, "src", "_katex");
  if (!existsSync(join(katex, "katex.css"))) {
    console.error("check-dist: src/_katex/katex.css is missing: run `tsx scripts/katex-assets.ts` (npm run build does)");
    process.exit(1);
  }
  cpSync(katex, join(dist, "_file", "_katex"), { recursive: true });
  console.log(await subsetKatexFonts(dist, join(dist, "_file", "_katex", "fonts"), [...walk(dist)].filter((f) => f.endsWith(".html"))));
  for (const file of walk(dist)) if (file.endsWith(".html")) writeFileSync(file, patchHtml(readFileSync(file, "utf8")));
  const problems = checkDist(dist);
  if (problems.length > 0) {
    console.error(`check-dist: ${problems.length} problem${problems.length === 1 ? "" : "s"} in dist/:`);
    for (const p of problems.slice(0, 50)) console.error(`  ${p}`);
    process.exit(1);
  }
  console.log("check-dist: dist/ is self-contained (no external host, no unresolved import, no error block)");
}

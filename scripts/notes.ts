/**
 * The notes of docs/ as pages of the site (/notes/teaching, /notes/architecture…), generated from the docs/ files at
 * every build (`prebuild` and `predev` run this script) so that the text has one source: src/notes/ is git-ignored.
 *
 * What changes on the way: a link to another note (`pytorch.md`, `architecture.md#settings-in-the-url`) becomes a
 * link to its page; a link to any other file of the repository becomes `repo:PATH`, which scripts/markdown-cite.ts
 * resolves to the repository's address (scripts/site-urls.ts); a ```ts fence becomes ```typescript, and a fence of
 * another language Framework runs (```html, ```js…) gets `run=false`: shown, never run as a cell. Each page says
 * which file it was made from.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, posix } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./site-urls.js";

/** The notes, in the order of the site's navigation: for lecturers and students first, then for maintainers. */
export const NOTES = ["teaching", "pytorch", "embedding-equations", "notation", "symbols", "architecture", "editing", "theme", "training", "performance"] as const;

export const NOTES_OUT = join(ROOT, "src", "notes");

/** The fences Framework runs as cells besides ts (its markdown.js): in a note, code to read, shown with `run=false`. */
const LIVE_FENCES = new Set(["js", "jsx", "tsx", "html", "svg", "tex", "dot", "mermaid", "sql"]);

/** The note's title: its first level-1 heading. */
export function noteTitle(markdown: string, name: string): string {
  const m = /^# (.+)$/m.exec(markdown);
  if (!m) throw new Error(`docs/${name}.md: no "# Title" heading`);
  return m[1]!.trim();
}

/** Where a link of docs/NAME.md goes on the site: another note's page, a file of the repository, or unchanged. */
export function noteLink(href: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith("#") || href.startsWith("/")) return href;
  const [path, hash = ""] = href.split(/(?=#)/);
  const file = posix.normalize(posix.join("docs", path!));
  const note = /^docs\/([\w-]+)\.md$/.exec(file)?.[1];
  if (note && (NOTES as readonly string[]).includes(note)) return `./${note}${hash}`;
  if (file.startsWith("../")) throw new Error(`a link to "${href}" leaves the repository`);
  return `repo:${file}${hash}`;
}

/** The page for docs/NAME.md. */
export function notePage(name: string, markdown: string, titles: Record<string, string> = {}): string {
  const title = noteTitle(markdown, name);
  // A link that reads as a file name ("pytorch.md") reads as the page's title once it leads to the page.
  const relink = (text: string, href: string) => {
    const to = noteLink(href);
    const page = /^\.\/([\w-]+)/.exec(to)?.[1];
    return `[${page && titles[page] && /^(docs\/)?[\w-]+\.md$/.test(text) ? titles[page] : text}](${to})`;
  };
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split("\n")) {
    // CommonMark: a backtick fence's info string has no backtick (a line may start with a code span instead).
    const f = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(line);
    if (f && !(f[2]![0] === "`" && f[3]!.includes("`")) && (fence === null || f[2]!.startsWith(fence))) {
      if (fence === null) {
        fence = f[2]!;
        const lang = f[3]!.trim().split(/\s+/)[0]!;
        out.push(lang === "ts" ? `${f[1]}${f[2]}typescript` : LIVE_FENCES.has(lang) && !/\brun=/.test(f[3]!) ? `${line.trimEnd()} run=false` : line);
      } else {
        fence = null;
        out.push(line);
      }
      continue;
    }
    // Inline links only: [text](href). Code spans keep their text, so `[x](y)` inside backticks is left alone.
    out.push(fence !== null ? line : line.split(/(`+[^`]*`+)/).map((part, i) =>
      i % 2 === 1 ? part : part.replace(/\[([^\]]*)\]\(([^)\s]+)\)/g, (_, text: string, href: string) => relink(text, href))).join(""));
  }
  const body = out.join("\n").replace(/^# .+\n/m, (h) => `${h}\n*A note of the repository ([\`docs/${name}.md\`](repo:docs/${name}.md)), shown here as a page of the site.*\n`);
  // The blank lines around the markdown let it be parsed as markdown inside the <div> (src/notes.css styles it).
  return `---\ntitle: ${JSON.stringify(title)}\n---\n\n<div class="note-page">\n\n${body}\n\n</div>\n`;
}

/** The navigation entries of the notes: title and path. */
export function notePages(): { name: string; path: string }[] {
  return NOTES.map((n) => ({ name: noteTitle(readFileSync(join(ROOT, "docs", `${n}.md`), "utf8"), n), path: `/notes/${n}` }));
}

export function writeNotes(out = NOTES_OUT): void {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const texts = Object.fromEntries(NOTES.map((n) => [n, readFileSync(join(ROOT, "docs", `${n}.md`), "utf8")]));
  const titles = Object.fromEntries(NOTES.map((n) => [n, noteTitle(texts[n]!, n)]));
  for (const name of NOTES) writeFileSync(join(out, `${name}.md`), notePage(name, texts[name]!, titles));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) writeNotes();

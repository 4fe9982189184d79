/**
 * The code behind a live cell, read at build time from the very file the page imports: an exported function (or
 * const) of lib/ with its doc comment, exactly as written, highlighted into static HTML so that a reader sees it
 * beside the number without JavaScript and a printout carries it.
 *
 * A page names the code behind each value in its cell (`liveCell({ file: "lib/derivation/hidden.ts",
 * fn: "hiddenGradsDiagForm", … })`); scripts/markdown-math.ts finds those names in each ```ts cell and puts the
 * block for each right after the cell. A name that lib/ does not export fails the build.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { classHighlighter, highlightCode } from "@lezer/highlight";
import { parser } from "@lezer/javascript";
import { transformSync } from "esbuild";
import ts from "typescript";
import { fnv1a } from "../lib/core/hash.js";

const ROOT = join(import.meta.dirname, "..");
const tsParser = parser.configure({ dialect: "ts" });

export interface LibRef { file: string; fns: string[] }

/**
 * The `file: "lib/…"` / `fn: …` pairs of a cell's object literals, in order, each pair once. `fn` is the function
 * itself (`fn: gradE`, `fn: [projectionJacobian, foldRows]`, `fn: parameters.gradCPerStep`), which the live cell hashes, or its name as text
 * (`fn: "gradE"`, `fn: "projectionJacobian, foldRows"`).
 */
export function libRefsOf(code: string): LibRef[] {
  const out: LibRef[] = [];
  const seen = new Set<string>();
  const FN = String.raw`fn:\s*("[^"]+"|\[[\w\s,.]+\]|[\w.]+)`;
  const pairs = new RegExp(String.raw`file:\s*"(lib\/[^"]+)"[^{}]*?${FN}|${FN}[^{}]*?file:\s*"(lib\/[^"]+)"`, "g");
  for (const m of code.matchAll(pairs)) {
    const file = m[1] ?? m[4]!, fns = (m[2] ?? m[3]!).replace(/^["[]|["\]]$/g, "").split(/,\s*/)
      .map((f) => f.trim().replace(/\(\)$/, "").replace(/^\w+\./, "")); // a namespace import: parameters.gradCPerStep
    const key = `${file}#${fns.join(",")}`;
    if (!seen.has(key)) out.push({ file, fns });
    seen.add(key);
  }
  return out;
}

export interface LibSource {
  /** The declaration with its doc comment, as written in the file. */
  text: string;
  /** Its first line in the file (1-based), where the doc comment starts. */
  line: number;
  /**
   * fnv1a of the function as the browser runs it: the declaration through esbuild with Framework's options for a
   * .ts module, which is what `Function.prototype.toString` returns on the page; null for a constant that is not a
   * function.
   */
  hash: string | null;
}

/** The JavaScript Framework serves for a declaration (its transform of a .ts module), as `toString` gives it back. */
export function runtimeText(declaration: string): string | null {
  const js = transformSync(declaration, { loader: "ts", tsconfigRaw: '{"compilerOptions": {"verbatimModuleSyntax": true}}' }).code.trim();
  if (/^export (async )?function\b/.test(js)) return js.slice("export ".length);
  const arrow = /^export const \w+ = ([\s\S]*(?:=>|function)[\s\S]*);$/.exec(js);
  return arrow ? arrow[1]! : null;
}

const sources = new Map<string, ts.SourceFile>();

/** The exported declaration `name` of `file` (a path from the repository root) with its leading doc comment. */
export function libSource(file: string, name: string): LibSource {
  let sf = sources.get(file);
  if (!sf) {
    sf = ts.createSourceFile(file, readFileSync(join(ROOT, file), "utf8"), ts.ScriptTarget.ES2022, true);
    sources.set(file, sf);
  }
  const exported = (n: ts.Node) => ts.canHaveModifiers(n) && ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const st of sf.statements) {
    const named = (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) ? st.name?.text === name
      : ts.isVariableStatement(st) && st.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name);
    if (!named || !exported(st)) continue;
    const start = st.getStart(sf, true); // with its JSDoc
    const runtime = runtimeText(sf.text.slice(st.getStart(sf), st.getEnd()));
    return {
      text: sf.text.slice(start, st.getEnd()), line: sf.getLineAndCharacterOfPosition(start).line + 1,
      hash: runtime === null ? null : fnv1a(runtime),
    };
  }
  throw new Error(`${file} exports no function or const named ${name}`);
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/**
 * The `tok-…` classes src/style.css gives a colour or a weight. Lezer marks every token (each bracket, comma and
 * name); a span for the unstyled ones changes nothing on screen but made /stacked's HTML a fifth larger (gzip).
 */
export const STYLED_TOKENS = new Set(["tok-comment", "tok-keyword", "tok-string", "tok-string2", "tok-number", "tok-bool",
  "tok-atom", "tok-typeName", "tok-className", "tok-definition"]);

/** TypeScript as HTML with Lezer's `tok-…` classes, those of STYLED_TOKENS only; neighbours of one class share a span. */
export function highlightTs(code: string): string {
  let html = "", open = "";
  const close = () => {
    if (open) html += "</span>";
    open = "";
  };
  highlightCode(code, tsParser.parse(code), classHighlighter,
    (text, classes) => {
      const styled = classes.split(" ").filter((c) => STYLED_TOKENS.has(c)).join(" ");
      if (styled !== open) {
        close();
        if (styled) html += `<span class="${styled}">`;
        open = styled;
      }
      html += escapeHtml(text);
    },
    () => {
      close();
      html += "\n";
    });
  close();
  return html;
}

/**
 * The functions a page has shown so far, by file and name: the first block of a function carries its code, a later
 * one of the same function only a pointer that src/components/code-copies.ts fills in as the page loads (on /stacked
 * the same seven functions follow 37 cells: a fifth of its gzip weight).
 */
export type ShownCode = Map<string, { n: number; tag: string | undefined }>;

/**
 * The static block after a cell: folded to its summary (the file, the function and its length), so a page reads as
 * the derivation with the code one click away; the first function of a cell names its line in the file, and the
 * block links to the equation displayed last above the cell (inside, not in the summary: a link in a summary is a
 * control inside a control). Folded in print too: a printout carries the file and
 * line of every function, and a page of code per equation would bury the derivation.
 */
export function libCodeBlock(ref: LibRef, equation?: { id: string; tag: string }, shown?: ShownCode): string {
  const parts = ref.fns.map((fn) => ({ fn, ...libSource(ref.file, fn) }));
  const lines = parts.reduce((n, p) => n + p.text.split("\n").length, 0);
  const names = parts.map((p) => `${p.fn}()`).join(", ");
  // One <pre> per function, named: the editor opens a function's text as the page shows it (its textContent)
  const code = parts.map((p) => {
    const key = `${ref.file}#${p.fn}`, first = shown?.get(key);
    if (first) {
      return `<pre data-fn="${escapeHtml(p.fn)}" data-code-copy="${first.n}"><code class="language-ts">` +
        `${escapeHtml(`(the same function as in the code${first.tag ? ` of (${first.tag})` : ""} above)`)}</code></pre>`;
    }
    const n = shown ? shown.size + 1 : 0;
    shown?.set(key, { n, tag: equation?.tag });
    return `<pre data-fn="${escapeHtml(p.fn)}"${shown ? ` data-code="${n}"` : ""}><code class="language-ts">${highlightTs(p.text)}</code></pre>`;
  }).join("");
  const hashes = parts.map((p) => p.hash ?? "").join(",");
  return `<details class="lib-code" data-file="${escapeHtml(ref.file)}" data-fn="${escapeHtml(ref.fns.join(","))}" data-hash="${hashes}">` +
    `<summary>The code${equation ? ` of (${escapeHtml(equation.tag)})` : ""}: <code>${escapeHtml(ref.file)}:${parts[0]!.line}</code> · <code>${escapeHtml(names)}</code>` +
    ` <span class="lib-code-size">(${lines} lines)</span></summary>` +
    (equation ? `<p class="lib-code-eq">The function${parts.length > 1 ? "s" : ""} behind the value under <a href="#${escapeHtml(equation.id)}">(${escapeHtml(equation.tag)})</a>, as written in ${escapeHtml(ref.file)}:</p>` : "") +
    `${code}</details>`;
}

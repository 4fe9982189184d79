/**
 * A markdown-it plugin that renders `$…$` and `$$…$$` with KaTeX at build time, so pages ship HTML and no
 * renderer; a malformed formula throws and fails the build.
 *
 * Why hand-written: the ready plugins either leave Framework's `${…}` placeholders as literal text or turn
 * them into KaTeX errors (shared/notes/offline-build.md). Here a `$` directly followed by `{` is never math.
 *
 * A display equation carrying `\tag{3.21}` is wrapped in `<div class="equation" id="eq-3-21">` with a link to
 * itself, so the source's numbering is the citation anchor: `…/embedding#eq-3-21`. Equations of the other sources
 * choose their anchor after the closing delimiter, `$$ {#d2l-2-4}`, keeping the source's own number in \tag.
 */
import katex from "katex";
import type MarkdownIt from "markdown-it";
import type StateBlock from "markdown-it/lib/rules_block/state_block.mjs";
import type StateInline from "markdown-it/lib/rules_inline/state_inline.mjs";

const DOLLAR = 0x24, BACKSLASH = 0x5c, LBRACE = 0x7b;

export function renderTex(tex: string, displayMode: boolean, where: string): string {
  try {
    return katex.renderToString(tex, { displayMode, throwOnError: true, strict: "error", output: "htmlAndMathml" });
  } catch (error) {
    throw new Error(`KaTeX could not render ${where} ${JSON.stringify(tex)}: ${(error as Error).message}`);
  }
}

/** `\tag{3.21}` → "3.21"; `\tag*{…}` and untagged displays have no anchor. */
export function equationTag(tex: string): string | null {
  return /\\tag\{([0-9]+(?:\.[0-9]+)*)\}/.exec(tex)?.[1] ?? null;
}

export const equationId = (tag: string) => `eq-${tag.replace(/\./g, "-")}`;

function mathInline(state: StateInline, silent: boolean): boolean {
  const { src, pos } = state;
  if (src.charCodeAt(pos) !== DOLLAR) return false;
  const next = src.charCodeAt(pos + 1);
  if (next === LBRACE || next === DOLLAR || next === 0x20 || Number.isNaN(next)) return false;
  let end = pos + 1;
  for (; end < state.posMax; end++) {
    const c = src.charCodeAt(end);
    if (c === BACKSLASH) end++;
    else if (c === DOLLAR) break;
  }
  if (end >= state.posMax || src.charCodeAt(end - 1) === 0x20) return false;
  if (!silent) {
    const token = state.push("math_inline", "math", 0);
    token.content = src.slice(pos + 1, end);
  }
  state.pos = end + 1;
  return true;
}

function mathBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  let pos = state.bMarks[startLine]! + state.tShift[startLine]!;
  let max = state.eMarks[startLine]!;
  if (state.src.slice(pos, pos + 2) !== "$$" || state.src.charCodeAt(pos + 2) === LBRACE) return false;
  if (silent) return true;
  let first = state.src.slice(pos + 2, max);
  let last = "";
  let explicitId: string | null = null;
  let line = startLine;
  let found = false;
  if (first.trimEnd().endsWith("$$")) {
    first = first.trimEnd().slice(0, -2);
    found = true;
  }
  while (!found) {
    line++;
    if (line >= endLine) break;
    pos = state.bMarks[line]! + state.tShift[line]!;
    max = state.eMarks[line]!;
    const text = state.src.slice(pos, max);
    const close = /^(.*)\$\$\s*(?:\{#([a-z][\w-]*)\})?\s*$/.exec(text);
    if (close) {
      last = close[1]!;
      explicitId = close[2] ?? null;
      found = true;
    }
  }
  if (!found) throw new Error(`unterminated $$ display math starting on line ${startLine + 1}`);
  const body = line === startLine ? first : [first, state.getLines(startLine + 1, line, state.tShift[startLine]!, false), last].join("\n");
  const token = state.push("math_block", "math", 0);
  token.block = true;
  token.content = body.trim();
  if (explicitId) token.meta = { id: explicitId };
  token.map = [startLine, line + 1];
  state.line = line + 1;
  return true;
}

export default function markdownMath(md: MarkdownIt): void {
  md.inline.ruler.before("escape", "math_inline", mathInline);
  md.block.ruler.before("fence", "math_block", mathBlock, { alt: ["paragraph", "reference", "blockquote", "list"] });
  // Framework passes the page's path in `env`, so a broken formula's error names its page and line.
  const where = (kind: string, env: { path?: string }, line?: number) =>
    `${kind}${env?.path ? ` in ${env.path}${line !== undefined ? ` (line ${line + 1} after the front matter)` : ""}` : ""}`;
  md.renderer.rules.math_inline = (tokens, i, _o, env) => renderTex(tokens[i]!.content, false, where("inline math", env));
  md.renderer.rules.math_block = (tokens, i, _o, env) => {
    const tex = tokens[i]!.content;
    const html = renderTex(tex, true, where("display math", env, tokens[i]!.map?.[0]));
    const explicit = (tokens[i]!.meta as { id?: string } | null)?.id;
    // Other sources number equations like (2.4b) or (2.1 (5)): with an explicit id any \tag is the label.
    const tag = explicit ? (/\\tag\{([^}]*)\}/.exec(tex)?.[1] ?? null) : equationTag(tex);
    const id = explicit ?? (tag ? equationId(tag) : null);
    // The code blocks after the next cells name the equation they compute (scripts/markdown-code.ts).
    if (env && tag && id) (env as { equation?: { id: string; tag: string } }).equation = { id, tag };
    if (!tag || !id) return `<div class="equation"${id ? ` id="${id}"` : ""}>${html}</div>\n`;
    return `<div class="equation" id="${id}">${html}<a class="eq-link" href="#${id}" aria-label="Link to equation (${tag})">#</a></div>\n`;
  };
}

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
 *
 * `\sym{id}{tex}` marks a symbol that names a live value on the page (docs/symbols.md): KaTeX draws it as a span
 * with `data-sym="id"` (its `\htmlData`, trusted for that command only), and a display with marked symbols gets a
 * row of buttons after it, one per symbol, for the keyboard and screen readers — KaTeX's HTML is aria-hidden, so
 * nothing inside it may take focus. src/components/symbols.ts draws the buttons and does the rest in the browser.
 */
import katex from "katex";
import type MarkdownIt from "markdown-it";
import type StateBlock from "markdown-it/lib/rules_block/state_block.mjs";
import type StateInline from "markdown-it/lib/rules_inline/state_inline.mjs";

const DOLLAR = 0x24, BACKSLASH = 0x5c, LBRACE = 0x7b;

/** A symbol's id: what `data-sym` holds and a page registers its value under. */
const SYM_ID = /^[A-Za-z][\w.-]*$/;

const KATEX_OPTIONS = {
  throwOnError: true,
  // `\htmlData` is an HTML extension (strict mode refuses it) and untrusted by default: allow it, and nothing else.
  strict: (code: string) => (code === "htmlExtension" ? "ignore" : "error"),
  trust: (context: { command: string }) => {
    if (context.command === "\\htmlData") return true;
    // Untrusted, KaTeX would draw the command's name in red and carry on: a build must fail instead.
    throw new Error(`${context.command} is not allowed (only \\htmlData, through \\sym, is trusted)`);
  },
  macros: { "\\sym": "\\htmlData{sym=#1}{#2}" },
} as const;

export interface MarkedSymbol {
  id: string;
  /** The TeX of its first occurrence, which its button's name says. */
  tex: string;
}

/** The argument in braces that starts at `open` (a "{"), and the index after its closing brace. */
function braced(tex: string, open: number, where: string): { body: string; end: number } {
  if (tex[open] !== "{") throw new Error(`\\sym needs two arguments in braces in ${where} ${JSON.stringify(tex)}`);
  let depth = 0;
  for (let i = open; i < tex.length; i++) {
    if (tex[i] === "\\") i++;
    else if (tex[i] === "{") depth++;
    else if (tex[i] === "}" && --depth === 0) return { body: tex.slice(open + 1, i), end: i + 1 };
  }
  throw new Error(`unbalanced braces after \\sym in ${where} ${JSON.stringify(tex)}`);
}

/** Every `\sym{id}{tex}` of a formula in the order written, repeats included (a mark inside another comes after it). */
function marks(tex: string, where: string): MarkedSymbol[] {
  const found: MarkedSymbol[] = [];
  for (let i = tex.indexOf("\\sym{"); i >= 0; i = tex.indexOf("\\sym{", i + 1)) {
    const id = braced(tex, i + 4, where);
    const body = braced(tex, id.end, where);
    if (!SYM_ID.test(id.body)) throw new Error(`\\sym id ${JSON.stringify(id.body)} is not a name (letters, digits, _ . -) in ${where}`);
    found.push({ id: id.body, tex: body.body });
  }
  return found;
}

/** Every `\sym{id}{tex}` of a formula, each id once, in order of first appearance. */
export function markedSymbols(tex: string, where = "math"): MarkedSymbol[] {
  const first = new Map<string, MarkedSymbol>();
  for (const m of marks(tex, where)) if (!first.has(m.id)) first.set(m.id, m);
  return [...first.values()];
}

/** The formula without its marks, as a reader would copy it: `\sym{h}{h^{(t)}}` → `h^{(t)}`. */
export function withoutMarks(tex: string): string {
  let out = "";
  let from = 0;
  for (let i = tex.indexOf("\\sym{"); i >= 0; i = tex.indexOf("\\sym{", from)) {
    const id = braced(tex, i + 4, "math");
    const body = braced(tex, id.end, "math");
    out += tex.slice(from, i) + withoutMarks(body.body);
    from = body.end;
  }
  return out + tex.slice(from);
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");

export function renderTex(tex: string, displayMode: boolean, where: string, output: "htmlAndMathml" | "html" = "htmlAndMathml"): string {
  let html: string;
  try {
    html = katex.renderToString(tex, { ...KATEX_OPTIONS, displayMode, output, macros: { ...KATEX_OPTIONS.macros } });
  } catch (error) {
    throw new Error(`KaTeX could not render ${where} ${JSON.stringify(tex)}: ${(error as Error).message}`);
  }
  // The TeX annotation is what a reader's tools copy: without the marks, which mean nothing outside this site.
  if (!tex.includes("\\sym{")) return html;
  const annotation = `<annotation encoding="application/x-tex">${escapeHtml(tex)}</annotation>`;
  return html.replace(annotation, `<annotation encoding="application/x-tex">${escapeHtml(withoutMarks(tex))}</annotation>`);
}

const SUPERSCRIPT: Record<string, string> = {
  "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹",
  "+": "⁺", "-": "⁻", "(": "⁽", ")": "⁾", t: "ᵗ", k: "ᵏ", l: "ˡ", n: "ⁿ", i: "ⁱ", j: "ʲ", T: "ᵀ", "ᵀ": "ᵀ", "τ": "τ",
};
const COMMANDS: Record<string, string> = {
  tau: "τ", top: "ᵀ", sum: "Σ", odot: "⊙", cdot: "·", theta: "θ", alpha: "α", beta: "β", sigma: "σ", ell: "ℓ",
  partial: "∂", nabla: "∇", lambda: "λ", rho: "ρ", pi: "π", dots: "…", ldots: "…", infty: "∞", prime: "′",
  delta: "δ", xi: "ξ", phi: "φ",
};

/**
 * A symbol's TeX as plain text, the accessible name of its button ("(DL)_{h⁽ᵗ⁾}", the notation the site's labels
 * use): superscripts in Unicode where every character has one, subscripts kept in braces.
 */
/** An equation's number as a reader sees it: \tag{$4'$} is 4′, \tag{1.3b'} is 1.3b′. */
export function tagText(tag: string): string {
  return tag.replace(/\$/g, "").replace(/'/g, "′").trim();
}

export function texToText(source: string): string {
  // Font commands change nothing a name says: \mathbf{h}_t is h_t, \mathbf{W}_\textrm{hx} is W_{hx}.
  const tex = source.replace(/\\(?:mathbf|mathrm|textrm|text|boldsymbol)\s*(?=\{)/g, "");
  let out = "";
  for (let i = 0; i < tex.length; ) {
    const c = tex[i]!;
    if (c === "\\") {
      const name = /^[A-Za-z]+/.exec(tex.slice(i + 1))?.[0] ?? tex[i + 1] ?? "";
      i += 1 + name.length;
      if (name === "frac") {
        const num = braced(tex, i, "a symbol"), den = braced(tex, num.end, "a symbol");
        out += `${texToText(num.body)}/${texToText(den.body)}`;
        i = den.end;
      } else if (name === "hat" || name === "widehat") {
        const arg = tex[i] === "{" ? braced(tex, i, "a symbol") : { body: tex[i] ?? "", end: i + 1 };
        out += `${texToText(arg.body)}\u0302`;
        i = arg.end;
      } else out += COMMANDS[name] ?? "";
    } else if (c === "^" || c === "_") {
      // The argument: in braces, one command (`^\top`) or one character.
      const command = tex[i + 1] === "\\" ? /^\\(?:[A-Za-z]+|.)/.exec(tex.slice(i + 1))?.[0] : undefined;
      const arg = tex[i + 1] === "{" ? braced(tex, i + 1, "a symbol")
        : command ? { body: command, end: i + 1 + command.length } : { body: tex[i + 1] ?? "", end: i + 2 };
      const text = texToText(arg.body);
      const sup = [...text].map((ch) => SUPERSCRIPT[ch]);
      out += c === "^" && sup.every(Boolean) ? sup.join("") : `${c}${text.length === 1 ? text : `{${text}}`}`;
      i = arg.end;
    } else if (c === "{" || c === "}" || c === " ") i++;
    else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The formula with the k-th mark (in the order written) named `k<k>`, to find where KaTeX draws each one. */
function numberMarks(tex: string): string {
  let out = "", from = 0, k = 0;
  for (let i = tex.indexOf("\\sym{"); i >= 0; i = tex.indexOf("\\sym{", i + 1)) {
    const id = braced(tex, i + 4, "math");
    out += `${tex.slice(from, i + 5)}k${k++}`;
    from = id.end - 1;
  }
  return out + tex.slice(from);
}

/**
 * The row after a display with marked symbols, a button per symbol, which src/components/symbols.ts draws: the
 * build ships only the buttons' names (`data-names`, space-separated: texToText writes no spaces), and the browser
 * gives each button its symbol's first mark as its face, so the symbols are not rendered by KaTeX a second time (on
 * /stacked that second rendering was 10 kB gzip). The browser sees the marks in the order KaTeX draws them, which
 * is not always the order written (an aligned display is drawn column by column, a fraction's denominator first):
 * then `data-faces` says which drawn mark is each button's face (its index among the display's marks), so that the
 * buttons keep the order written and each face is the occurrence its name was read from.
 */
export function symbolRow(tex: string, where: string): string {
  const symbols = markedSymbols(tex, where);
  if (symbols.length === 0) return "";
  const names = `data-names="${escapeHtml(symbols.map((s) => texToText(s.tex)).join(" "))}"`;
  // Where KaTeX draws the k-th mark written: a rendering that only numbers the marks has the same structure.
  const drawn = Array.from(renderTex(numberMarks(tex), true, where, "html").matchAll(/data-sym="k(\d+)"/g), (m) => Number(m[1]));
  const written = marks(tex, where).map((m) => m.id);
  const firstWritten = symbols.map((s) => written.indexOf(s.id));
  const faces = firstWritten.map((k) => drawn.indexOf(k));
  // What the browser does without `data-faces`: the first drawn mark of each symbol, in the order drawn.
  const seen = new Set<string>();
  const plain = drawn.flatMap((k, at) => (seen.has(written[k]!) ? [] : (seen.add(written[k]!), [at])));
  if (faces.join(" ") === plain.join(" ")) return `<p class="eq-symbols" ${names}></p>`;
  return `<p class="eq-symbols" ${names} data-faces="${faces.join(" ")}"></p>`;
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
  // Nor after a heading: a new section's code computes something of its own ("All at once" on /summary is no (4.9)).
  const heading = md.renderer.rules.heading_open ?? ((tokens, i, o, _env, self) => self.renderToken(tokens, i, o));
  md.renderer.rules.heading_open = (tokens, i, o, env, self) => {
    if (env) (env as { equation?: unknown }).equation = undefined;
    return heading(tokens, i, o, env, self);
  };
  md.renderer.rules.math_inline = (tokens, i, _o, env) => renderTex(tokens[i]!.content, false, where("inline math", env));
  md.renderer.rules.math_block = (tokens, i, _o, env) => {
    const tex = tokens[i]!.content;
    const at = where("display math", env, tokens[i]!.map?.[0]);
    const html = renderTex(tex, true, at);
    const row = symbolRow(tex, at);
    const explicit = (tokens[i]!.meta as { id?: string } | null)?.id;
    // Other sources number equations like (2.4b) or (2.1 (5)): with an explicit id any \tag is the label.
    const tag = explicit ? (/\\tag\{([^}]*)\}/.exec(tex)?.[1] ?? null) : equationTag(tex);
    const id = explicit ?? (tag ? equationId(tag) : null);
    // The code blocks after the next cells name the equation they compute (scripts/markdown-code.ts).
    // As text (a tag may hold math: \tag{$4'$} is 4′), for the code block's summary and the link's name.
    const label = tag ? tagText(tag) : null;
    if (env && label && id) (env as { equation?: { id: string; tag: string } }).equation = { id, tag: label };
    if (!label || !id) return `<div class="equation"${id ? ` id="${id}"` : ""}>${html}</div>\n${row}`;
    return `<div class="equation" id="${id}">${html}<a class="eq-link" href="#${id}" aria-label="Link to equation (${label})">#</a></div>\n${row}`;
  };
}

/**
 * A markdown-it plugin that puts, right after each ```ts cell of a page, the lib/ code its live cells name
 * (scripts/lib-code.ts): the reader sees the equation, its number and the function that computed it, as written.
 * Framework's own fence rule still turns the cell into a live cell; this only appends static HTML after it.
 */
import type MarkdownIt from "markdown-it";
import { type ShownCode, libCodeBlock, libRefsOf } from "./lib-code.js";

export default function markdownCode(md: MarkdownIt): void {
  const cell = md.renderer.rules.fence!;
  md.renderer.rules.fence = (tokens, i, options, env, self) => {
    const html = cell(tokens, i, options, env, self);
    const token = tokens[i]!;
    if (token.info.trim() !== "ts") return html;
    try {
      const equation = (env as { equation?: { id: string; tag: string } } | undefined)?.equation;
      const page = env as { libCodeShown?: ShownCode };
      const shown = (page.libCodeShown ??= new Map());
      return html + libRefsOf(token.content).map((ref) => libCodeBlock(ref, equation, shown)).join("\n");
    } catch (error) {
      const where = env?.path ? ` in ${env.path} (line ${(token.map?.[0] ?? 0) + 1} after the front matter)` : "";
      throw new Error(`The code of a live cell${where}: ${(error as Error).message}`);
    }
  };
}

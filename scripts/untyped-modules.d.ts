// The parts of untyped packages that scripts/search-index.ts uses: Framework's Markdown parser (to render pages
// exactly as the build does) and jsdom (which Framework also uses, to read the rendered HTML).
declare module "@observablehq/framework/dist/markdown.js" {
  import type MarkdownIt from "markdown-it";
  export function createMarkdownIt(options?: { markdownIt?: (md: MarkdownIt) => MarkdownIt }): MarkdownIt;
  export function parseMarkdown(source: string, options: { md: MarkdownIt; path: string }): { body: string; title: string | null };
}
declare module "jsdom" {
  export class JSDOM {
    constructor(html: string);
    readonly window: Window & typeof globalThis;
  }
}

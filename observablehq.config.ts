import markdownCode from "./scripts/markdown-code.js";
import markdownMath from "./scripts/markdown-math.js";
import { type NavSection, siteHeader } from "./scripts/site-header.js";
import { PAGE_CSP, PREVIEW_CSP, cspMeta } from "./scripts/csp.js";

// The preview server's live reload needs eval (scripts/csp.ts says why); a build gets PAGE_CSP. Framework's CLI
// takes its command as the first argument (`observable preview --port …`).
const policy = process.argv[2] === "preview" ? PREVIEW_CSP : PAGE_CSP;

// Depth of a page below the site root, so the KaTeX stylesheet link works from any page and under any base path
// (GitHub Pages serves project sites from a sub-folder).
const up = (path: string) => "../".repeat(Math.max(0, path.split("/").length - 2));

const title = "BPTT companion";
const pages: NavSection[] = [
  {
    name: "BPTT Derivations (Singh)",
    pages: [
      { name: "1 · Introduction and forward pass", path: "/" },
      { name: "2 · Plan of attack", path: "/plan" },
      { name: "3.1 · Logits", path: "/logits" },
      { name: "3.2 · Hidden states", path: "/hidden" },
      { name: "3.3–3.7 · Biases and weights", path: "/parameters" },
      { name: "3.8 · Embedding matrix", path: "/embedding" },
      { name: "4 · Summary", path: "/summary" },
    ],
  },
  {
    name: "Stacked RNN with batches (Vera)",
    pages: [{ name: "2 · BPTT at T = 2, checked", path: "/stacked" }],
  },
  {
    name: "D2L and intuition",
    pages: [
      { name: "D2L · The simplified RNN and three conventions", path: "/d2l" },
      { name: "Vanishing and exploding gradients", path: "/vanishing" },
      { name: "Truncating BPTT", path: "/truncation" },
    ],
  },
  {
    name: "Putting it to work",
    pages: [{ name: "Training a character RNN", path: "/training" }],
  },
  {
    name: "Coursework",
    pages: [
      { name: "Check your own numbers", path: "/check" },
      { name: "Cite this site", path: "/cite" },
    ],
  },
];

export default {
  title,
  root: "src",
  // BPTT_DIST lets several builds run side by side (e.g. one per worktree); everything else reads the same variable.
  output: process.env.BPTT_DIST ?? "dist",
  pages,
  // Our own header menu instead of Framework's sidebar, whose markup fails axe-core (scripts/site-header.ts).
  sidebar: false,
  header: ({ path }: { path: string }) => siteHeader(title, pages, path),
  // `rel="… external"` keeps Framework from resolving the link itself: the file is copied by scripts/check-dist.ts.
  head: ({ path }: { path: string }) =>
    // First, so that it governs everything the head loads after it (scripts/csp.ts says what it allows and why).
    cspMeta(policy) +
    `<link rel="stylesheet external" href="${up(path)}_file/_katex/katex.css">` +
    `<link rel="icon" href="data:,">` +
    // The copy-link button on every equation (src/components/permalink.ts); Framework bundles the module.
    `<script type="module" src="/components/permalink.js"></script>` +
    // The header that only print shows: title, permalink with the configuration, date (src/components/print-header.ts).
    `<script type="module" src="/components/print-header.js"></script>` +
    // The code blocks that repeat a function shown above on the page, filled in from the first (scripts/lib-code.ts).
    `<script type="module" src="/components/code-copies.js"></script>`,
  // No web fonts from a CDN: the site must work offline.
  globalStylesheets: [],
  style: "style.css",
  footer: "bptt-companion — code MIT. Numbers computed in your browser from a seed.",
  markdownIt: (md: import("markdown-it").default) => md.use(markdownMath).use(markdownCode),
  search: false,
  toc: true,
};

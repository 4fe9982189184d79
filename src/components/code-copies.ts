/**
 * Fills in the code blocks that repeat a function shown earlier on the page (scripts/lib-code.ts sends its code
 * once per page: on /stacked the same seven functions follow 37 cells). Runs as the page loads, before a reader can
 * open one, so every block shows its function as before; without JavaScript a repeat points to the first.
 */
for (const pre of document.querySelectorAll<HTMLElement>("pre[data-code-copy]")) {
  const first = document.querySelector(`pre[data-code="${pre.dataset.codeCopy}"] > code`);
  if (first) pre.replaceChildren(first.cloneNode(true));
}

/**
 * Copy buttons for text the build already put in the page (the Cite page's entries, scripts/markdown-cite.ts): the
 * text is readable and selectable without JavaScript; with it, each block gets a Copy button and a polite status
 * line. Without clipboard permission the button selects the text, so Ctrl+C / Cmd+C copies it.
 */
import { el, elem } from "./dom.js";

/** Adds a Copy button after every `pre[aria-label]` matching `selector` under `root` that has none yet. */
export function addCopyButtons(root: ParentNode, selector: string): void {
  for (const pre of root.querySelectorAll<HTMLPreElement>(selector)) {
    if (pre.nextElementSibling?.classList.contains("cite-actions")) continue;
    const label = pre.getAttribute("aria-label") ?? "Text";
    const status = el("span", "cite-status");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    const button = elem("button", { type: "button", textContent: "Copy" });
    button.setAttribute("aria-label", `Copy ${label}`);
    button.onclick = async () => {
      try {
        await navigator.clipboard.writeText(pre.textContent ?? "");
        status.textContent = `${label} copied.`;
      } catch {
        const range = document.createRange();
        range.selectNodeContents(pre);
        const sel = getSelection();
        sel?.removeAllRanges();
        sel?.addRange(range);
        pre.focus();
        status.textContent = `Copying is not allowed here: ${label} is selected; press Ctrl+C or Cmd+C.`;
      }
    };
    const actions = elem("div", { className: "cite-actions" }, button, " ", status);
    pre.after(actions);
  }
}

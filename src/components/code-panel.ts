/**
 * The editor under a live cell (loaded on the first Edit, with CodeMirror: src/components/notebook.ts imports it
 * then): the function's code as the page shows it after the cell, Run (Ctrl-Enter), Reset, the guided experiments
 * declared next to the function in lib/ (lib/core/experiment.ts), a link that carries the reader's edits, and, when
 * the reader's stored edit predates a change of the site's code, what changed (jsdiff) with Keep / Take the new code.
 * The result: one line when the code fails, or the check of the reader's value against lib/'s on the same inputs;
 * the cell above then shows the reader's value, with its own checks (finite differences…) applied to it.
 */
import { diffLines } from "diff";
import { applyExperiment } from "../lib/core/experiment.js";
import { ROUNDING_TOL } from "../lib/core/tolerances.js";
import { checkBadge } from "./check.js";
import { elem } from "./dom.js";
import { codeEditor } from "./code-editor.js";
import { fmt } from "./format.js";
import { notation } from "./notation.js";
import type { PanelHost } from "./notebook.js";
import { TIME_LIMIT_MS } from "./sandbox.js";

let panels = 0;

/** What the site's code of a function changed, line by line: `+`/`−` lines, unchanged ones as context. */
function changeView(before: string, after: string): HTMLElement {
  const pre = elem("pre", { className: "edit-diff" });
  for (const part of diffLines(before, after)) {
    const lines = part.value.replace(/\n$/, "").split("\n");
    const sign = part.added ? "+ " : part.removed ? "− " : "  ";
    const cls = part.added ? "diff-add" : part.removed ? "diff-del" : "diff-same";
    pre.append(elem("span", { className: cls }, lines.map((l) => sign + l).join("\n") + "\n"));
  }
  return pre;
}

export function codePanel(h: PanelHost): { root: HTMLElement; refresh(): void; focus(): void } {
  const st = h.state;
  const id = `code-edit-${++panels}`;
  const eq = h.equation ? ` for ${h.equation}` : "";
  const help = elem("p", { className: "edit-help", id: `${id}-help` },
    `Your version of ${st.name}() (${st.file}) runs in place of lib/'s on this cell's inputs, in a sandbox with no network `,
    `and a ${TIME_LIMIT_MS / 1000} s limit. It sees what the function sees in lib/: its module's imports and helpers. `,
    "Escape then Tab leaves the editor; Ctrl-Enter runs.");
  const notice = elem("p", { className: "edit-notice", hidden: true });
  notice.setAttribute("role", "status");
  const stale = elem("div", { className: "edit-stale", hidden: true });
  const editorHost = elem("div", { className: "edit-editor" });
  const result = elem("div", { className: "edit-result" });
  result.setAttribute("aria-live", "polite");
  const why = elem("p", { className: "edit-why", hidden: true });
  const share = elem("div", { className: "edit-share" });
  const editor = codeEditor({
    doc: st.edit?.code ?? st.draft ?? h.libCode,
    label: `TypeScript code of ${st.name}()${eq}`, describedBy: `${id}-help`,
    onRun: () => void run(),
    onChange: (code) => h.saveDraft(code),
  });
  editorHost.append(editor.view.dom);

  /** The edit the result shown was computed by: a Reset from elsewhere (a cell's mark, Reset all) clears it. */
  let resultOf: unknown;

  async function run(code = editor.get(), whyText?: string): Promise<void> {
    result.replaceChildren(elem("p", { className: "edit-running" }, "running…"));
    const out = await h.apply(code, whyText);
    if ("cancelled" in out) {
      result.replaceChildren();
    } else if ("error" in out) {
      result.replaceChildren(elem("p", { className: "edit-error check-fail", role: "alert" } as Partial<HTMLParagraphElement>, `✗ ${out.error}`));
    } else {
      resultOf = st.edit;
      result.replaceChildren(
        elem("div", { className: "edit-checks" }, checkBadge({ against: `lib/'s ${st.name}() on the same inputs`, maxAbsError: out.diff, tolerance: ROUNDING_TOL })),
        ...(out.bad?.indices.length ? [elem("p", { className: "edit-bad-rows" },
          `Differs from lib/'s in ${out.bad.indices.length} of ${out.bad.of} ${out.bad.what} (counting from 0): `,
          elem("strong", {}, out.bad.indices.join(", ")))] : []),
        elem("p", {}, "The cell now shows your value, and its own checks apply to it; the cells computed from it recompute and say so."),
        elem("p", { className: "edit-timing" }, `transpiled and ran in ${fmt(out.workerMs, 2)} ms in the worker, ${fmt(out.ms, 2)} ms from sending the code to its answer`),
      );
    }
    refresh();
  }

  const runBtn = elem("button", { type: "button", className: "edit-run" }, "Run");
  runBtn.addEventListener("click", () => {
    st.why = undefined;
    void run();
  });
  /** Back to lib/'s code: this function's (Reset) or every function's of the page (Reset all). */
  const backToLib = (reset: () => void) => () => {
    reset();
    editor.set(h.libCode);
    result.replaceChildren();
    refresh();
  };
  const resetBtn = elem("button", { type: "button", className: "edit-reset" }, "Reset");
  resetBtn.addEventListener("click", backToLib(h.reset));
  const exps = h.experiments.map((x) => {
    const b = elem("button", { type: "button", className: "edit-experiment" }, x.label);
    b.addEventListener("click", () => {
      const code = applyExperiment(h.libCode, x);
      if (code === null) {
        result.replaceChildren(elem("p", { className: "edit-error check-fail" }, `This experiment edits lib/'s code, which no longer contains "${x.find}".`));
        return;
      }
      editor.set(code);
      void run(code, x.why);
    });
    return b;
  });
  const shareBtn = elem("button", { type: "button", className: "edit-share-button" }, "Link to my edits");
  shareBtn.addEventListener("click", () => {
    const url = h.shareUrl(editor.get());
    const input = elem("input", { type: "text", readOnly: true, value: url, className: "edit-share-url" });
    input.setAttribute("aria-label", "Link that opens this page with your edits (they run only when Run is pressed)");
    share.replaceChildren(input);
    input.select();
    void navigator.clipboard?.writeText(url).then(() => share.append(elem("span", { className: "edit-copied" }, " copied")), () => undefined);
  });
  const resetAllBtn = elem("button", { type: "button", className: "edit-reset-all" }, "Reset all edits on this page");
  resetAllBtn.addEventListener("click", backToLib(h.resetAll));
  const actions = elem("div", { className: "edit-actions" }, runBtn, resetBtn,
    ...(exps.length ? [elem("span", { className: "edit-exp-label" }, "Experiments:"), ...exps] : []), shareBtn, resetAllBtn);
  const body = elem("div", { className: "edit-body", id }, help, notice, stale, editorHost, actions, why, result, share);
  const root = elem("section", { className: "edit-cell code-panel" }, body);
  root.setAttribute("aria-label", `Edit the code of ${st.name}()${eq}`);
  root.dataset.editFn = st.name;

  function refresh(): void {
    if (resultOf !== undefined && st.edit !== resultOf) {
      resultOf = undefined;
      result.replaceChildren();
      if (!st.edit) editor.set(st.draft ?? h.libCode);
    }
    if (st.failed) {
      result.replaceChildren(elem("p", { className: "edit-error check-fail", role: "alert" } as Partial<HTMLParagraphElement>, `✗ ${st.failed}`));
      st.failed = undefined;
    }
    notice.textContent = st.notice ?? "";
    notice.hidden = !st.notice;
    why.replaceChildren(...(st.why ? notation(`Why it fails: ${st.why}`) : []));
    why.hidden = !st.why;
    root.classList.toggle("edit-active", !!st.edit);
    if (st.staleBase !== undefined) {
      const keep = elem("button", { type: "button", className: "edit-keep" }, "Keep my version");
      keep.addEventListener("click", () => {
        h.keepStale();
        refresh();
      });
      const take = elem("button", { type: "button", className: "edit-take" }, "Take the new code");
      take.addEventListener("click", () => {
        h.reset();
        editor.set(h.libCode);
        refresh();
      });
      stale.replaceChildren(elem("p", {}, "What changed in the site's code since your edit:"), changeView(st.staleBase, h.libCode),
        elem("div", { className: "edit-actions" }, keep, take));
      stale.hidden = false;
    } else {
      stale.hidden = true;
      stale.replaceChildren();
    }
  }
  refresh();
  return { root, refresh, focus: () => editor.focus() };
}

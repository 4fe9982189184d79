/**
 * The in-page code editor: CodeMirror 6, bundled from node_modules (no CDN). TypeScript highlighting, line numbers,
 * undo history, and Tab indents — so that keyboard users are not trapped, Escape turns on CodeMirror's tab-focus
 * mode for two seconds: Escape then Tab (or Shift-Tab) leaves the editor. Ctrl-Enter / Cmd-Enter runs the code.
 */
import { defaultKeymap, history, historyKeymap, indentWithTab, temporarilySetTabFocusMode } from "@codemirror/commands";
import { javascript } from "@codemirror/lang-javascript";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { EditorState } from "@codemirror/state";
import { EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";

export interface CodeEditor {
  view: EditorView;
  get(): string;
  set(code: string): void;
  focus(): void;
}

export function codeEditor(o: {
  doc: string; label: string; describedBy?: string; onRun?: () => void; onChange?: (code: string) => void;
}): CodeEditor {
  const run = () => {
    o.onRun?.();
    return true;
  };
  const view = new EditorView({
    state: EditorState.create({
      doc: o.doc,
      extensions: [
        lineNumbers(),
        history(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        javascript({ typescript: true }),
        keymap.of([
          { key: "Escape", run: temporarilySetTabFocusMode },
          { key: "Mod-Enter", run },
          ...defaultKeymap,
          ...historyKeymap,
          indentWithTab,
        ]),
        EditorView.contentAttributes.of({ "aria-label": o.label, ...(o.describedBy ? { "aria-describedby": o.describedBy } : {}) }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) o.onChange?.(u.state.doc.toString());
        }),
        EditorView.lineWrapping,
      ],
    }),
  });
  return {
    view,
    get: () => view.state.doc.toString(),
    set: (code) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code } }),
    focus: () => view.focus(),
  };
}

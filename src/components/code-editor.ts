/**
 * The in-page code editor: CodeMirror 6, bundled from node_modules (no CDN). TypeScript highlighting, line numbers,
 * undo history, and Tab indents — so that keyboard users are not trapped, Escape turns on CodeMirror's tab-focus
 * mode for two seconds: Escape then Tab (or Shift-Tab) leaves the editor. Ctrl-Enter / Cmd-Enter runs the code.
 */
import { defaultKeymap, history, historyKeymap, indentWithTab, temporarilySetTabFocusMode } from "@codemirror/commands";
import { javascript } from "@codemirror/lang-javascript";
import { bracketMatching, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { EditorState } from "@codemirror/state";
import { EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";
import { classHighlighter } from "@lezer/highlight";

export interface CodeEditor {
  view: EditorView;
  get(): string;
  set(code: string): void;
  focus(): void;
}

/**
 * The editor's colours in the site's theme variables, so that it follows the light or dark theme like the page
 * (src/theme.css): CodeMirror's own light theme has fixed colours (a black caret, a light grey gutter). Tokens
 * get Lezer's tok-… classes, coloured by src/style.css exactly as the lib/ code shown after each cell.
 */
const siteTheme = EditorView.theme({
  ".cm-content": { caretColor: "var(--theme-foreground)" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--theme-foreground)" },
  ".cm-gutters": {
    backgroundColor: "var(--theme-background-alt)", color: "var(--theme-foreground-muted)", borderColor: "var(--theme-foreground-faintest)",
  },
  ".cm-activeLine": { backgroundColor: "color-mix(in srgb, var(--theme-foreground-focus) 7%, transparent)" },
  ".cm-activeLineGutter": { backgroundColor: "color-mix(in srgb, var(--theme-foreground-focus) 14%, var(--theme-background-alt))" },
  ".cm-selectionBackground": { background: "color-mix(in srgb, var(--theme-foreground) 16%, transparent)" },
  "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground": {
    background: "color-mix(in srgb, var(--theme-foreground-focus) 28%, transparent)",
  },
});

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
        syntaxHighlighting(classHighlighter),
        siteTheme,
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

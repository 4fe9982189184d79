/**
 * A page as a notebook: every value a cell shows is computed through `run(fn, ...args)`, so that a reader can open
 * the code of `fn` (the very text shown after the cell, scripts/lib-code.ts), change it, and see the cell and every
 * cell computed from it use their version. The reader's version runs in the sandbox (src/components/sandbox.ts: a
 * fresh, locked-down worker per run, in the function's module scope); `run` returns its result for the same inputs,
 * or lib/'s own while it runs or when it fails, and marks what came from the reader's code so that the cells
 * downstream say so. The editor itself (CodeMirror, src/components/code-panel.ts) loads on the first Edit.
 *
 * A page:
 *   const run = Generators.observe(notebook({ page: "hidden", sandbox: { worker, frame } }).observe);
 *   const J = run(hiddenStepJacobian, h_t, W);              // lib/'s value, or the reader's version's
 *   display(liveCell({ value: heatmap(J), fn: hiddenStepJacobian, file: "lib/derivation/hidden.ts", … }));
 * liveCell then carries an Edit control for each function run through `run`, and the marks of its state.
 *
 * Kept between visits (per page, in the browser's storage): each edited function's code, the hash of lib/'s version
 * it was based on and that version's text, so that a reader whose edit predates a change of the site's code is told,
 * sees what changed, and chooses to keep theirs or take the new one. A link (`#code=…`) carries edits to share; code
 * from a link runs only when the reader presses Run.
 */
import { fnv1a, hashValue } from "../lib/core/hash.js";
import { type Experiment, experimentsOf } from "../lib/core/experiment.js";
import { ROUNDING_TOL } from "../lib/core/tolerances.js";
import { type Like, describe, flatten, maxDiffLike } from "../lib/tools/run-function.js";
import {
  type CodeEdits, CODE_HASH_KEY, LEGACY_LINK_MESSAGE, type StoredCode, codeFromHash, encodeCode, isLegacyEditLink, parseStoredCode,
} from "../lib/state/code-edits.js";
import { cellHooks } from "./cell.js";
import { checkBadge } from "./check.js";
import { elem } from "./dom.js";
import { Sandbox } from "./sandbox.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a function of any arguments
type AnyFn = (...a: any[]) => any;
export type Run = <F extends AnyFn>(fn: F, ...args: Parameters<F>) => ReturnType<F>;

/** The last call of a function through `run`: what the editor runs the reader's version on. */
interface Call {
  args: unknown[];
  lib: unknown;
  like?: Like;
  /** Why the value cannot be edited (its form cannot be checked): undefined when it can. */
  refused?: string;
}

/** A reader's version of a function, in use. */
interface Edit {
  file: string;
  code: string;
  /** Its values per content hash of the arguments (the last few only); a run that fails takes the edit out of use. */
  results: Map<string, unknown>;
  pending: Set<string>;
}

export interface FnState {
  fn: AnyFn;
  name: string;
  file: string;
  /** fnv1a of lib/'s runtime source: the hash the code block after the cell carries. */
  hash: string;
  call?: Call;
  edit?: Edit;
  /** The reader's code that is not in use (a draft, a failed run, a stored or linked edit not yet run). */
  draft?: string;
  notice?: string;
  /** lib/'s text the stored edit was based on, when the site's code has changed since. */
  staleBase?: string;
  /** Of the last call: the edited functions its value comes from, and how it compares with lib/'s. */
  from: Set<string>;
  pendingNow: boolean;
  diff?: number;
  /** Document-order index of the cell the editor was opened under (among cells of this function). */
  ordinal: number;
  /** The call behind that cell: a function a page runs on several inputs (one per cell) is edited on its cell's. */
  panelCall?: Call;
  panel?: HTMLElement;
  panelApi?: { refresh(): void };
  why?: string;
  autoOpened?: boolean;
  /** A run from the editor is in progress. */
  running?: boolean;
  /** Why the reader's code, run by itself (stored, or for new inputs), failed: the editor shows it once. */
  failed?: string;
  /** Called once the editor is open (the page is busy until then when it opens to show a failure). */
  opened?: () => void;
}

export interface Notebook {
  observe(notify: (run: Run) => void): () => void;
}

/** What the lazily loaded panel needs from the notebook. */
export interface PanelHost {
  state: FnState;
  libCode: string;
  equation: string | undefined;
  experiments: readonly Experiment[];
  apply(code: string, why?: string): Promise<{ error: string } | { cancelled: true } | Applied>;
  reset(): void;
  resetAll(): void;
  keepStale(): void;
  shareUrl(code: string): string;
  warm(): void;
  saveDraft(code: string): void;
}

/** How a reader's value compares with lib/'s on the same inputs. */
export interface Applied {
  diff: number;
  /** For a matrix, its rows (for a vector, its entries) that differ by more than ROUNDING_TOL, counting from 0. */
  bad?: { indices: number[]; of: number; what: "rows" | "entries" };
  ms: number;
  workerMs: number;
}

/** Where two values of form `like` differ: the rows of a matrix or the entries of a vector (undefined otherwise). */
function badParts(a: unknown, b: unknown, like: Like): Applied["bad"] {
  if (like.t !== "mat" && like.t !== "vec") return undefined;
  const x = flatten(a, like), y = flatten(b, like);
  const cols = like.t === "mat" ? like.cols : 1;
  const indices = new Set<number>();
  for (let k = 0; k < x.length; k++) if (!(Math.abs(x[k]! - y[k]!) <= ROUNDING_TOL)) indices.add(Math.floor(k / cols));
  return { indices: [...indices], of: like.t === "mat" ? like.rows : like.n, what: like.t === "mat" ? "rows" : "entries" };
}

const MAX_RESULTS = 8;

function safeStorage<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined; // storage disabled (private mode, a sandboxed frame): edits simply do not persist
  }
}

/** The code block after the cells of `name` from `file` (scripts/lib-code.ts), if the page has one. */
function blockOf(file: string, name: string): { code: string; equation?: string } | undefined {
  for (const d of document.querySelectorAll<HTMLElement>("details.lib-code")) {
    if (d.dataset.file !== file || !(d.dataset.fn ?? "").split(",").includes(name)) continue;
    const pre = [...d.querySelectorAll<HTMLElement>("pre[data-fn]")].find((p) => p.dataset.fn === name);
    if (!pre) continue;
    const a = d.querySelector(".lib-code-eq a");
    return { code: pre.textContent ?? "", equation: a?.textContent ?? undefined };
  }
  return undefined;
}

export function notebook(o: { page: string; sandbox: { worker: string; frame: string } }): Notebook {
  const sandbox = new Sandbox(o.sandbox);
  const storeKey = `bptt-companion:code:${o.page}`;
  // Set while stored code runs: still set on the next visit means the last one ended mid-run (a crash, a closed
  // tab), and that code must not run again by itself.
  const runningKey = `bptt-companion:code-running:${o.page}`;
  const stored: StoredCode = parseStoredCode(safeStorage(() => localStorage.getItem(storeKey)) ?? null);
  const interrupted = safeStorage(() => localStorage.getItem(runningKey)) != null;
  safeStorage(() => localStorage.removeItem(runningKey));
  const linked = typeof location === "undefined" ? null : codeFromHash(location.hash);
  const linkError = linked && "error" in linked ? linked.error
    : typeof location !== "undefined" && isLegacyEditLink(location.hash) ? LEGACY_LINK_MESSAGE : undefined;
  const linkEdits: CodeEdits = linked && "edits" in linked ? linked.edits : {};

  const states = new Map<AnyFn, FnState>();
  const byKey = new Map<string, FnState>();
  const taint = new WeakMap<object, Set<string>>();
  /** The call each cell shows (the last `run` of its function before the cell was drawn). */
  const callOfCell = new WeakMap<HTMLElement, Map<AnyFn, Call>>();
  const observers = new Set<(run: Run) => void>();
  let panelModule: Promise<typeof import("./code-panel.js")> | undefined;

  const keyOf = (file: string, name: string) => `${file}#${name}`;

  // aria-busy on the page while the reader's code runs or an editor opens: assistive technology (and the browser
  // suite) can tell when the numbers on screen are final
  let busy = 0;
  const work = <T>(p: Promise<T>): Promise<T> => {
    if (busy++ === 0) document.querySelector("main")?.setAttribute("aria-busy", "true");
    return p.finally(() => {
      if (--busy === 0) document.querySelector("main")?.removeAttribute("aria-busy");
    });
  };

  function stateOf(fn: AnyFn, file?: string): FnState {
    let st = states.get(fn);
    if (!st) {
      st = { fn, name: fn.name, file: file ?? "", hash: fnv1a(fn.toString()), from: new Set(), pendingNow: false, ordinal: 0 };
      states.set(fn, st);
    }
    if (file && !st.file) {
      st.file = file;
      adopt(st);
    }
    return st;
  }

  /** The first time a function's file is known: its stored or linked edit, if any. */
  function adopt(st: FnState): void {
    const key = keyOf(st.file, st.name);
    byKey.set(key, st);
    const link = linkEdits[key];
    if (link !== undefined) {
      st.draft = link;
      st.notice = "This code came from a link. Read it first: it runs only when you press Run.";
      return;
    }
    const s = stored[key];
    if (!s) return;
    if (s.base !== st.hash) {
      st.draft = s.code;
      st.staleBase = s.baseCode;
      st.notice = "The site's code of this function has changed since you edited it: see what changed, then keep your version or take the new one.";
    } else if (s.active && !interrupted) {
      st.edit = { file: st.file, code: s.code, results: new Map(), pending: new Set() };
      notify(); // the cell was computed before its file (and so its stored edit) was known: compute it again
    } else {
      st.draft = s.code;
      st.notice = s.active && interrupted
        ? "Your code was still running when your last visit ended (the page may have closed or crashed), so it was not run again: read it, then press Run or Reset."
        : "Your code from last time, not in use (it failed, or was not run): press Run to use it.";
      if (s.active) queueMicrotask(save); // no longer in use: a later visit must not run it by itself either
    }
  }

  function save(): void {
    const out: StoredCode = {};
    for (const st of states.values()) {
      if (!st.file) continue;
      const lib = blockOf(st.file, st.name)?.code;
      if (st.edit) out[keyOf(st.file, st.name)] = { code: st.edit.code, base: st.hash, baseCode: lib ?? "", active: true };
      else if (st.draft !== undefined && st.draft !== lib && !st.notice?.startsWith("This code came from a link")) {
        out[keyOf(st.file, st.name)] = { code: st.draft, base: st.staleBase !== undefined ? stored[keyOf(st.file, st.name)]?.base ?? st.hash : st.hash, baseCode: st.staleBase ?? lib ?? "", active: false };
      }
    }
    // entries of functions this visit has not met yet stay as they were
    for (const [k, v] of Object.entries(stored)) if (!byKey.has(k)) out[k] = v;
    safeStorage(() => (Object.keys(out).length ? localStorage.setItem(storeKey, JSON.stringify(out)) : localStorage.removeItem(storeKey)));
  }

  function taintOf(v: unknown, into: Set<string>): void {
    if (typeof v !== "object" || v === null) return;
    for (const n of taint.get(v) ?? []) into.add(n);
    // one level down: a cell passes `ex.params`, a list of vectors or a field of a result (`fwd.o`) as often as a matrix
    const parts = Array.isArray(v) ? v : Object.getPrototypeOf(v) === Object.prototype ? Object.values(v) : [];
    for (const x of parts) if (typeof x === "object" && x !== null) for (const n of taint.get(x) ?? []) into.add(n);
  }

  let scheduled = false;
  function notify(): void {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      const r = makeRun();
      for (const f of observers) f(r);
    });
  }

  function schedule(st: FnState, args: unknown[], key: string, like: Like): void {
    const edit = st.edit!;
    if (edit.pending.has(key)) return;
    edit.pending.add(key);
    safeStorage(() => localStorage.setItem(runningKey, String(Date.now())));
    void work(sandbox.run({ kind: "fn", file: edit.file, name: st.name, code: edit.code, args, like })).then((out) => {
      edit.pending.delete(key);
      if (!edit.pending.size) safeStorage(() => localStorage.removeItem(runningKey));
      if (st.edit !== edit || "cancelled" in out) return;
      if (!("value" in out)) {
        // as when Run fails: lib/'s value stands in, and the code is not run again until the reader presses Run
        st.edit = undefined;
        st.draft = edit.code;
        st.failed = "error" in out ? out.error : "the code runner sent no value";
        st.notice = "Your code failed on this cell's inputs, so it is not in use and lib/'s value is shown: fix it and press Run.";
        if (st.panel) st.panel.hidden = false;
        // busy until the editor showing why is open (the cells re-run first, and then it opens)
        else void work(new Promise<void>((done) => { st.opened = done; setTimeout(done, 10_000); }));
        save();
        notify();
        return;
      }
      edit.results.set(key, out.value);
      while (edit.results.size > MAX_RESULTS) edit.results.delete(edit.results.keys().next().value!);
      notify();
    });
  }

  function makeRun(): Run {
    return (<F extends AnyFn>(fn: F, ...args: Parameters<F>): ReturnType<F> => {
      const st = stateOf(fn);
      const lib = fn(...args);
      let like: Like | undefined, refused: string | undefined;
      try {
        like = describe(lib);
      } catch (e) {
        refused = e instanceof Error ? e.message : String(e);
      }
      st.call = { args, lib, like, refused };
      const from = new Set<string>();
      for (const a of args) taintOf(a, from);
      let value: unknown = lib;
      st.pendingNow = false;
      st.diff = undefined;
      if (st.edit && like) {
        const key = hashValue(args);
        if (!st.edit.results.has(key)) {
          st.pendingNow = true;
          schedule(st, args, key, like);
        } else {
          value = st.edit.results.get(key);
          st.diff = maxDiffLike(value, lib, like);
          from.add(st.name);
        }
      }
      st.from = from;
      if (from.size && typeof value === "object" && value !== null) {
        taint.set(value, from);
        // and its fields: a cell often passes on one part of a result (`fwd.o` of a reader's forward())
        if (Object.getPrototypeOf(value) === Object.prototype) {
          for (const x of Object.values(value)) if (typeof x === "object" && x !== null) taint.set(x, from);
        }
      }
      return value as ReturnType<F>;
    }) as Run;
  }

  /**
   * The editor goes after the cell's whole output (Framework's block for the cell), not inside the cell: a cell in a
   * side-by-side pair is half the page wide, and the block survives the cell's re-runs, so the editor (and its undo
   * history) does too. Only when the page no longer shows it (a cell that moved) is it placed again.
   */
  function place(st: FnState, cell: HTMLElement): void {
    const after = cell.closest<HTMLElement>(".observablehq") ?? cell;
    if (st.panel && after.nextElementSibling !== st.panel) after.after(st.panel);
  }

  function reattach(): void {
    for (const st of states.values()) {
      if (!st.panel) continue;
      const cell = cellsOf(st)[st.ordinal] ?? cellsOf(st)[0];
      if (cell) {
        if (!st.panel.isConnected) place(st, cell);
        st.panelCall = callOfCell.get(cell)?.get(st.fn) ?? st.panelCall;
      }
      st.panelApi?.refresh();
    }
  }

  const cellsOf = (st: FnState) =>
    [...document.querySelectorAll<HTMLElement>(".live-cell[data-fn]")].filter((c) => (c.dataset.fn ?? "").split(",").includes(st.name));
  let reattachQueued = false;
  const queueReattach = () => {
    if (reattachQueued) return;
    reattachQueued = true;
    requestAnimationFrame(() => {
      reattachQueued = false;
      reattach();
    });
  };

  function reset(st: FnState): void {
    // a run in progress (this function's, or one queued behind it) is of no use any more; the others start again
    if (st.edit?.pending.size || st.running) sandbox.cancelAll();
    st.running = false;
    st.edit = undefined;
    st.draft = undefined;
    st.notice = undefined;
    st.staleBase = undefined;
    st.why = undefined;
    save();
    notify();
  }

  function host(st: FnState): PanelHost {
    const block = blockOf(st.file, st.name);
    return {
      state: st,
      libCode: block?.code ?? "",
      equation: block?.equation,
      experiments: experimentsOf(st.fn),
      async apply(code, why) {
        const call = st.panelCall ?? st.call;
        if (!call?.like) return { error: call?.refused ?? `${st.name} has not run on this page yet` };
        st.why = why;
        st.running = true;
        const out = await work(sandbox.run({ kind: "fn", file: st.file, name: st.name, code, args: call.args, like: call.like }));
        st.running = false;
        if ("cancelled" in out) return { cancelled: true };
        if (!("value" in out)) {
          st.draft = code;
          save();
          return { error: "error" in out ? out.error : "the code runner sent no value" };
        }
        const results = new Map<string, unknown>([[hashValue(call.args), out.value]]);
        st.edit = { file: st.file, code, results, pending: new Set() };
        st.draft = undefined;
        st.notice = undefined;
        st.staleBase = undefined;
        save();
        notify();
        return { diff: maxDiffLike(out.value, call.lib, call.like), bad: badParts(out.value, call.lib, call.like), ms: out.ms, workerMs: out.workerMs };
      },
      reset: () => reset(st),
      resetAll() {
        sandbox.cancelAll();
        for (const s of states.values()) {
          reset(s);
          s.panelApi?.refresh();
        }
        safeStorage(() => localStorage.removeItem(storeKey));
        for (const k of Object.keys(stored)) delete stored[k];
      },
      keepStale() {
        st.staleBase = undefined;
        st.notice = "Kept your version: press Run to use it.";
        save();
      },
      shareUrl(code) {
        const edits: CodeEdits = {};
        for (const s of states.values()) {
          const c = s === st ? code : s.edit?.code;
          if (c !== undefined && s.file) edits[keyOf(s.file, s.name)] = c;
        }
        return `${location.origin}${location.pathname}${location.search}#${CODE_HASH_KEY}=${encodeCode(edits)}`;
      },
      warm: () => sandbox.warm(),
      saveDraft(code) {
        if (st.edit) return;
        st.draft = code;
        save();
      },
    };
  }

  /** The editor's code (CodeMirror, jsdiff, the panel): fetched when a reader shows interest in an Edit, used on the click. */
  const loadPanel = () => (panelModule ??= import("./code-panel.js"));

  async function open(st: FnState, drawn: HTMLElement, byReader = true): Promise<void> {
    // a cell drawn before a re-run (an editor opening by itself waits a frame) is no longer on the page: its successor is
    const cell = drawn.isConnected ? drawn : cellsOf(st)[st.ordinal] ?? cellsOf(st)[0] ?? drawn;
    if (cell.isConnected) st.ordinal = Math.max(0, cellsOf(st).indexOf(cell));
    st.panelCall = callOfCell.get(cell)?.get(st.fn) ?? st.call;
    if (st.panel) {
      st.panel.hidden = !st.panel.hidden;
      place(st, cell);
      return;
    }
    sandbox.warm(); // the reader reads before pressing Run: time enough to load a worker
    const m = await loadPanel();
    const p = m.codePanel(host(st));
    st.panel = p.root;
    st.panelApi = p;
    place(st, cell.isConnected ? cell : cellsOf(st)[st.ordinal] ?? cell);
    if (byReader) p.focus(); // one that opens by itself (a link, a stored edit) must not move the reader
    st.opened?.();
    st.opened = undefined;
  }

  function decorate(cell: HTMLElement, fns: readonly Function[], file: string): void {
    const meta = cell.querySelector(".live-meta") ?? cell;
    for (const fn of fns) {
      const st = stateOf(fn as AnyFn, file);
      if (!st.call) continue; // not computed through run(): nothing to run the reader's version on
      let calls = callOfCell.get(cell);
      if (!calls) callOfCell.set(cell, (calls = new Map()));
      calls.set(st.fn, st.call);
      const label = fns.length > 1 ? `Edit the code of ${st.name}()` : "Edit the code";
      const button = elem("button", { type: "button", className: "edit-open" }, label);
      // the accessible name starts with the visible text (WCAG 2.5.3, axe's label-content-name-mismatch)
      button.setAttribute("aria-label", `Edit the code of ${st.name}(), run on this cell's inputs`);
      button.addEventListener("click", () => void open(st, cell));
      for (const e of ["pointerenter", "focus"]) button.addEventListener(e, () => void loadPanel(), { once: true });
      meta.append(button);
      if (st.edit && st.diff !== undefined) {
        cell.classList.add("using-your-code");
        meta.append(using(st, `your code for ${st.name}()`));
        meta.append(checkBadge({ against: `lib/'s ${st.name}() on the same inputs`, maxAbsError: st.diff, tolerance: ROUNDING_TOL }));
      } else if (st.edit && st.pendingNow) {
        meta.append(elem("span", { className: "edit-running" }, `running your code for ${st.name}()…`));
      }
      const others = [...st.from].filter((n) => n !== st.name);
      if (others.length) {
        cell.classList.add("using-your-code");
        meta.append(using(st, `recomputed from your code for ${others.map((n) => `${n}()`).join(", ")}`, others));
      }
      // a linked, stored or stale edit waits in its editor: opened once the cell is on the page
      if (!st.edit && st.notice && !st.panel && !st.autoOpened) {
        st.autoOpened = true;
        void work(new Promise<void>((done) => requestAnimationFrame(() => void open(st, cell, false).finally(done))));
      }
    }
    queueReattach();
  }

  function using(st: FnState, text: string, names: string[] = [st.name]): HTMLElement {
    const b = elem("button", { type: "button", className: "edit-reset-inline" }, `Reset ${names.map((n) => `${n}()`).join(", ")}`);
    b.addEventListener("click", () => {
      for (const s of states.values()) if (names.includes(s.name)) {
        reset(s);
        s.panelApi?.refresh();
      }
    });
    return elem("span", { className: "using-badge" }, text, " ", b);
  }

  cellHooks.decorate = decorate;
  if (linkError) queueMicrotask(() => document.querySelector("main")?.prepend(elem("p", { className: "edit-notice", role: "status" } as Partial<HTMLParagraphElement>, linkError)));

  return {
    observe(f) {
      observers.add(f);
      f(makeRun());
      return () => observers.delete(f);
    },
  };
}

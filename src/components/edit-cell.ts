/**
 * "Edit this equation": the Edit control under a live cell, the editor panel (CodeMirror), Run / Reset / guided
 * experiments / share link, the ✓/✗ of the reader's result against lib/ and finite differences with a heatmap of
 * the entries that disagree, and the "using your code" marks on the cells that recompute from the reader's version.
 *
 * The catalogue and the maths live in lib/derivation/editable.ts, the checks in lib/tools/sandbox-protocol.ts, links and
 * storage in lib/state/edits.ts; the code runs in src/components/sandbox.ts (a
 * fresh, locked-down worker per run, ended after TIME_LIMIT_MS), so a loop that never ends cannot freeze the page
 * and no run can touch another. Stored code that was running when a visit ended (a crash, a closed tab) is not run
 * again by itself on the next visit.
 *
 * A page creates one session, feeds it the example, and reads its overrides reactively:
 *   const session = editSession({ page: "summary", ids: SUMMARY_IDS, sandbox: { worker, frame } });
 *   session.setExample(ex);
 *   const edits = Generators.observe((notify) => session.observe(notify));
 *   display(session.panel("eq-4-9"));       // in a cell of its own, so the editor survives re-renders
 */
import {
  type EditId, type Effective, type Overrides, HELPER_DOC, applyExperiment, argsFor, editable, effective, numericalValue,
  referenceValue, upstreamOf,
} from "../lib/derivation/editable.js";
import { type EditCheck, checkEdit, shapeOf } from "../lib/tools/sandbox-protocol.js";
import { type EditsPayload, EDIT_HASH_KEY, editsFromHash, encodeEdits, parseStored } from "../lib/state/edits.js";
import { type Example, numericalGradients } from "../lib/state/example.js";
import type { Matrix, Vector } from "../lib/core/matrix.js";
import { checkBadge } from "./check.js";
import { type CodeEditor, codeEditor } from "./code-editor.js";
import { fmt } from "./format.js";
import { heatmap } from "./heatmap.js";
import { indexLabels, stepLabels, tokenLabels } from "./labels.js";
import { Sandbox, TIME_LIMIT_MS } from "./sandbox.js";

export { TIME_LIMIT_MS };

interface Result {
  error?: string;
  check?: EditCheck;
  /** The lib/ value the check compared with. */
  ref?: Matrix | Vector;
  /** Round trip, main thread (ms). */
  ms?: number;
  /** Transpile + run inside the worker (ms). */
  workerMs?: number;
  upstream: EditId[];
}

interface PanelState {
  id: EditId;
  /** The code in use (what was last run); undefined while lib/'s own is used. */
  active?: string;
  /** What the editor starts with when it is first opened. */
  draft: string;
  fromLink: boolean;
  /** A stored draft that is not in use (it failed, or was never run). */
  stored?: boolean;
  /** Stored code that was running when the last visit ended: shown, not run again by itself. */
  interrupted?: boolean;
  why?: string;
  result?: Result;
  running: boolean;
  el?: PanelElements;
}

interface PanelElements {
  root: HTMLElement;
  toggle: HTMLButtonElement;
  badge: HTMLElement;
  body: HTMLElement;
  editorHost: HTMLElement;
  notice: HTMLElement;
  result: HTMLElement;
  why: HTMLElement;
  share: HTMLElement;
  editor?: CodeEditor;
}

export interface EditsSnapshot {
  /** The example the overrides were computed for: stale overrides (another example) must be ignored. */
  ex: Example | undefined;
  overrides: Overrides;
}

export interface EditSession {
  setExample(ex: Example): void;
  observe(notify: (s: EditsSnapshot) => void): () => void;
  panel(id: EditId): HTMLElement;
  /** The effective gradients for `ex` given a snapshot (lib/'s own while the snapshot is for another example). */
  effective(ex: Example, s: EditsSnapshot): Effective;
  /** Mark a live cell whose value comes from the reader's code, with a Reset control. */
  mark(cell: HTMLElement, id: EditId, eff: Effective): HTMLElement;
  reset(id: EditId): void;
}

const eqName = (id: EditId) => `(${editable(id).eq})`;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...kids);
  return e;
}

export function editSession(o: {
  page: string; ids: readonly EditId[];
  /** The run-code worker's script and the sandbox frame (FileAttachments of src/_workers/). */
  sandbox: { worker: string; frame: string };
  /** Whether the page's other cells recompute from the reader's values (false: the panel only shows them). */
  feedsPage?: boolean;
}): EditSession {
  const feedsPage = o.feedsPage ?? true;
  const sandbox = new Sandbox(o.sandbox);
  const storeKey = `bptt-companion:edits:${o.page}`;
  // Set while stored code runs and cleared when it is done: still set on the next visit means the last one ended
  // mid-run (a crash, a closed tab), and that code must not run again by itself.
  const runningKey = `bptt-companion:edits-running:${o.page}`;
  const observers = new Set<(s: EditsSnapshot) => void>();
  let ex: Example | undefined;
  let snapshot: EditsSnapshot = { ex: undefined, overrides: {} };
  let generation = 0;
  const states = new Map<EditId, PanelState>(o.ids.map((id) => [id, { id, draft: editable(id).code, fromLink: false, running: false }]));

  // The reader's own stored edits run; code from a link is only shown until they press Run.
  const stored = parseStored(safeStorage(() => localStorage.getItem(storeKey)) ?? null, o.ids);
  const interrupted = safeStorage(() => localStorage.getItem(runningKey)) != null;
  safeStorage(() => localStorage.removeItem(runningKey));
  for (const [id, s] of Object.entries(stored) as [EditId, { code: string; active: boolean }][]) {
    const st = states.get(id)!;
    st.draft = s.code;
    if (s.active && !interrupted) st.active = s.code;
    else {
      st.stored = true; // the reader's own code that failed, was not run, or did not finish: shown, not run
      st.interrupted = s.active && interrupted;
    }
  }
  const fromHash = typeof location === "undefined" ? null : editsFromHash(location.hash, o.ids);
  let linkError: string | undefined;
  if (fromHash && "error" in fromHash) linkError = fromHash.error;
  else if (fromHash) {
    for (const [id, code] of Object.entries(fromHash.edits) as [EditId, string][]) {
      const st = states.get(id)!;
      st.draft = code;
      st.active = undefined;
      st.fromLink = true;
    }
  }

  function save(): void {
    const out: Record<string, { code: string; active: boolean }> = {};
    for (const st of states.values()) {
      if (st.active !== undefined) out[st.id] = { code: st.active, active: true };
      else if (st.draft !== editable(st.id).code && !st.fromLink) out[st.id] = { code: st.draft, active: false };
    }
    safeStorage(() => (Object.keys(out).length ? localStorage.setItem(storeKey, JSON.stringify(out)) : localStorage.removeItem(storeKey)));
  }

  function publish(next: EditsSnapshot): void {
    const before = Object.keys(snapshot.overrides).length, after = Object.keys(next.overrides).length;
    const changed = next.ex !== snapshot.ex ? before + after > 0 : before + after > 0 || before !== after;
    snapshot = next;
    if (changed) for (const f of observers) f(snapshot);
  }

  async function recompute(): Promise<void> {
    const gen = ++generation;
    sandbox.cancelAll(); // an earlier recompute's run in progress is of no use any more
    const current = ex;
    if (!current) return;
    const anyActive = [...states.values()].some((st) => st.active !== undefined);
    if (anyActive) safeStorage(() => localStorage.setItem(runningKey, String(Date.now())));
    const overrides: Overrides = {};
    let eff = effective(current, overrides);
    const fd = numericalGradients(current);
    for (const id of o.ids) {
      const st = states.get(id)!;
      if (st.active === undefined) continue;
      st.running = true;
      render(st);
      const args = argsFor(id, current, eff);
      const upstream = upstreamOf(id).filter((k) => overrides[k]);
      const ref = referenceValue(id, current, eff);
      const out = await sandbox.run({ code: st.active, args, name: editable(id).name, shape: shapeOf(ref) });
      if (gen !== generation || "cancelled" in out) return;
      st.running = false;
      if ("error" in out) {
        // lib/'s value stands in, and the failing code is not run again until the reader presses Run
        st.result = { error: out.error, upstream };
        st.active = undefined;
        save();
      }
      else {
        const check = checkEdit(id, "data" in out ? out : { error: "the code runner sent a value of another kind" }, ref, numericalValue(id, current, fd));
        st.result = { check, ref, ms: out.ms, workerMs: out.workerMs, upstream };
        if (check.value) {
          overrides[id] = check.value;
          eff = effective(current, overrides);
        }
      }
      render(st);
    }
    safeStorage(() => localStorage.removeItem(runningKey));
    publish({ ex: current, overrides });
  }

  function runPanel(st: PanelState): void {
    const code = st.el?.editor?.get() ?? st.draft;
    st.stored = false;
    st.active = code;
    st.draft = code;
    st.fromLink = false;
    save();
    void recompute();
  }

  function reset(id: EditId): void {
    clear(id);
    void recompute(); // also ends the run in progress
  }

  /** Back to lib/'s code for every equation of the page, the store emptied. */
  function resetAll(): void {
    for (const id of o.ids) clear(id);
    linkError = undefined;
    safeStorage(() => localStorage.removeItem(storeKey));
    safeStorage(() => localStorage.removeItem(runningKey));
    void recompute();
  }

  function clear(id: EditId): void {
    const st = states.get(id)!;
    st.running = false;
    st.interrupted = false;
    st.active = undefined;
    st.draft = editable(id).code;
    st.fromLink = false;
    st.stored = false;
    st.why = undefined;
    st.result = undefined;
    st.el?.editor?.set(st.draft);
    save();
    render(st);
  }

  function rowNames(id: EditId, n: number): string[] {
    if (!ex) return indexLabels(n);
    const kind = editable(id).rowKind;
    return kind === "step" ? stepLabels(ex.labels, ex.inputs) : kind === "token" ? tokenLabels(ex.labels) : indexLabels(n);
  }

  function render(st: PanelState): void {
    const e = st.el;
    if (!e) return;
    const r = st.result;
    const inUse = st.active !== undefined && !!r?.check?.value;
    e.badge.hidden = !inUse || !feedsPage;
    e.root.classList.toggle("edit-active", inUse);
    e.notice.textContent = st.fromLink
      ? "This code came from a link. Read it first: it runs only when you press Run."
      : st.interrupted && !r && st.active === undefined
        ? "Your code was still running when your last visit ended (the page may have closed or crashed), so it was not run again: read it, then press Run or Reset."
      : st.stored && !r && st.active === undefined
        ? "Your code from last time, not in use (it failed, or was not run): press Run to use it."
        : linkError && st.id === o.ids[0] ? linkError : "";
    e.notice.hidden = !e.notice.textContent;
    e.why.hidden = !st.why;
    e.why.textContent = st.why ? `Why it fails: ${st.why}` : "";
    e.result.replaceChildren();
    if (st.running) {
      e.result.append(el("p", { className: "edit-running" }, "running…"));
      return;
    }
    if (!r) return;
    const meta = editable(st.id);
    if (r.upstream.length) {
      e.result.append(el("p", { className: "edit-upstream" }, `Inputs from your code for ${r.upstream.map(eqName).join(", ")}.`));
    }
    if (r.error) {
      e.result.append(el("p", { className: "edit-error check-fail", role: "alert" } as Partial<HTMLParagraphElement>, `✗ ${r.error}`));
      return;
    }
    const c = r.check!;
    if (c.refused) {
      e.result.append(el("p", { className: "edit-error check-fail", role: "alert" } as Partial<HTMLParagraphElement>, `✗ ${c.refused}`));
      return;
    }
    const checks = el("div", { className: "edit-checks" });
    checks.append(
      checkBadge({ against: `${meta.reference}${meta.deps.length ? " on the same inputs" : ""}`, maxAbsError: c.errRef, tolerance: c.tolRef }),
      checkBadge({ against: "central finite differences of L", maxAbsError: c.errFD, tolerance: c.tolFD }),
    );
    e.result.append(checks);
    const value = c.value!;
    const isMatrix = "data" in value;
    const rows = isMatrix ? (value as Matrix).rows : (value as Vector).length;
    const names = rowNames(st.id, rows);
    if (c.badRows.length) {
      const what = isMatrix ? "rows" : "entries";
      const list = c.badRows.map((i) => names[i] ?? String(i + 1)).join(", ");
      e.result.append(el("p", { className: "edit-bad-rows" },
        `Disagrees with lib/ in ${c.badRows.length} of ${rows} ${what} (${c.badEntries} ${c.badEntries === 1 ? "entry" : "entries"}): `,
        el("strong", {}, list)));
    } else if (!c.passFD) {
      e.result.append(el("p", { className: "edit-bad-rows" },
        "Agrees with lib/ on these inputs, but not with finite differences: its inputs come from your code upstream."));
    }
    const ref = isMatrix ? (value as Matrix) : { rows: 1, cols: (value as Vector).length, data: value as Vector };
    const refData = "data" in r.ref! ? (r.ref as Matrix).data : (r.ref as Vector);
    const diff = { rows: ref.rows, cols: ref.cols, data: ref.data.map((v, k) => v - refData[k]!) };
    const colNames = st.id === "eq-4-1" && ex ? tokenLabels(ex.labels) : indexLabels(ref.cols);
    const labelsFor = isMatrix ? { rowLabels: names, colLabels: colNames } : { rowLabels: [meta.name], colLabels: names };
    const marked = new Set(isMatrix ? c.badRows : []);
    const maps = el("div", { className: "edit-maps" });
    const titled = (title: string, node: Node) => el("div", { className: "edit-map" }, el("p", { className: "edit-map-title" }, title), node);
    maps.append(
      titled(`your ${meta.name}`, heatmap(ref, { label: `your ${meta.name}`, ...labelsFor, markedRows: marked })),
      titled(`yours − lib/${marked.size ? " (● rows disagree)" : ""}`,
        heatmap(diff, { label: `yours − lib/ (● = rows that disagree)`, ...labelsFor, markedRows: marked })),
    );
    e.result.append(maps);
    if (r.ms !== undefined) {
      e.result.append(el("p", { className: "edit-timing" },
        `transpiled and ran in ${fmt(r.workerMs ?? NaN, 2)} ms in the worker, ${fmt(r.ms, 2)} ms from sending the code to its answer (time limit ${TIME_LIMIT_MS / 1000} s)`));
    }
  }

  function openPanel(st: PanelState, open: boolean): void {
    const e = st.el!;
    e.body.hidden = !open;
    e.toggle.setAttribute("aria-expanded", String(open));
    e.toggle.textContent = open ? `Close the editor of ${eqName(st.id)}` : `Edit ${eqName(st.id)}`;
    if (open) sandbox.warm(); // the reader reads before pressing Run: time enough to load a worker
    if (open && !e.editor) {
      e.editor = codeEditor({
        doc: st.draft, label: `TypeScript code computing ${eqName(st.id)}`, describedBy: `${st.id}-edit-help`,
        onRun: () => runPanel(st),
      });
      e.editorHost.append(e.editor.view.dom);
    }
  }

  function buildPanel(st: PanelState): HTMLElement {
    const meta = editable(st.id);
    const bodyId = `${st.id}-edit`;
    const toggle = el("button", { type: "button", className: "edit-toggle" });
    toggle.setAttribute("aria-controls", bodyId);
    const badge = el("span", { className: "using-badge", hidden: true }, "using your code");
    const notice = el("p", { className: "edit-notice", hidden: true });
    notice.setAttribute("role", "status");
    const editorHost = el("div", { className: "edit-editor" });
    const result = el("div", { className: "edit-result" });
    result.setAttribute("aria-live", "polite");
    const why = el("p", { className: "edit-why", hidden: true });
    const share = el("div", { className: "edit-share" });
    const runBtn = el("button", { type: "button", className: "edit-run" }, "Run");
    const resetBtn = el("button", { type: "button", className: "edit-reset" }, "Reset");
    const resetAllBtn = el("button", { type: "button", className: "edit-reset-all" }, "Reset all edits on this page");
    resetAllBtn.addEventListener("click", resetAll);
    runBtn.addEventListener("click", () => {
      st.why = undefined;
      runPanel(st);
    });
    resetBtn.addEventListener("click", () => reset(st.id));
    const exps = meta.experiments.map((x) => {
      const b = el("button", { type: "button", className: "edit-experiment" }, x.label);
      b.addEventListener("click", () => {
        const code = applyExperiment(meta.code, x);
        st.el!.editor?.set(code);
        st.draft = code;
        st.why = x.why;
        runPanel(st);
      });
      return b;
    });
    const shareBtn = el("button", { type: "button", className: "edit-share-button" }, "Link to my edits");
    shareBtn.addEventListener("click", () => {
      const edits: EditsPayload = {};
      for (const s of states.values()) {
        const c = s.el?.editor?.get() ?? s.active ?? s.draft;
        if (c !== editable(s.id).code) edits[s.id] = c;
      }
      const url = `${location.origin}${location.pathname}${location.search}#${EDIT_HASH_KEY}=${encodeEdits(edits)}`;
      const input = el("input", { type: "text", readOnly: true, value: url, className: "edit-share-url" });
      input.setAttribute("aria-label", "Link that opens this page with your edits (they run only when Run is pressed)");
      share.replaceChildren(input);
      input.select();
      void navigator.clipboard?.writeText(url).then(() => share.append(el("span", { className: "edit-copied" }, " copied")), () => undefined);
    });
    const help = el("div", { className: "edit-help", id: `${st.id}-edit-help` },
      el("p", {}, "Your code receives ", ...meta.args.flatMap((a, i) => [i ? ", " : "", el("code", {}, a)]),
        ` and returns `, el("code", {}, meta.name),
        ". Rows count from 0: row t − 1 is step t. Escape then Tab leaves the editor; Ctrl-Enter runs."),
    );
    const helpers = el("details", { className: "edit-helpers" }, el("summary", {}, "Helpers you can call"),
      el("pre", {}, HELPER_DOC.join("\n")));
    const actions = el("div", { className: "edit-actions" }, runBtn, resetBtn, ...(exps.length ? [el("span", { className: "edit-exp-label" }, "Experiments:"), ...exps] : []), shareBtn, resetAllBtn);
    const body = el("div", { className: "edit-body", id: bodyId, hidden: true }, help, helpers, notice, editorHost, actions, why, result, share);
    const root = el("section", { className: "edit-cell" }, el("div", { className: "edit-bar" }, toggle, badge), body);
    root.setAttribute("aria-label", `Edit the code of ${eqName(st.id)}`);
    root.dataset.edit = st.id;
    toggle.addEventListener("click", () => openPanel(st, body.hidden));
    st.el = { root, toggle, badge, body, editorHost, notice, result, why, share };
    openPanel(st, st.fromLink || st.stored || st.active !== undefined || (!!linkError && st.id === o.ids[0]));
    render(st);
    return root;
  }

  const session: EditSession = {
    setExample(next) {
      ex = next;
      if ([...states.values()].some((s) => s.active !== undefined)) void recompute();
      else publish({ ex: next, overrides: {} });
    },
    observe(notify) {
      observers.add(notify);
      notify(snapshot);
      return () => observers.delete(notify);
    },
    panel(id) {
      const st = states.get(id);
      if (!st) throw new Error(`${id} is not editable on this page`);
      return st.el?.root ?? buildPanel(st);
    },
    effective(e, s) {
      return effective(e, s.ex === e ? s.overrides : {});
    },
    mark(cell, id, eff) {
      const uses = eff.uses[id];
      if (!uses.length) return cell;
      cell.classList.add("using-your-code");
      const meta = cell.querySelector(".live-meta") ?? cell;
      const own = uses.includes(id);
      const others = uses.filter((k) => k !== id);
      const text = own
        ? `using your code${others.length ? ` (and yours for ${others.map(eqName).join(", ")})` : ""}`
        : `using your code for ${others.map(eqName).join(", ")}`;
      const resetAll = el("button", { type: "button", className: "edit-reset-inline" }, `Reset ${uses.map(eqName).join(", ")}`);
      resetAll.addEventListener("click", () => uses.forEach((k) => reset(k)));
      meta.append(el("span", { className: "using-badge" }, text, " ", resetAll));
      return cell;
    },
    reset,
  };

  return session;
}

function safeStorage<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined; // storage disabled (private mode, sandbox): edits simply do not persist
  }
}

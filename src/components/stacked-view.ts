/**
 * View helpers of the stacked-RNN page (src/stacked.md): its own small configuration form (the shared configForm
 * is for the one-layer RNN of the main derivation), the cells that show one of the source's equations evaluated
 * as printed, and the page's cells built from lib/stacked/page.ts's values. No maths here: every number comes from
 * lib/stacked/ and lib/state/stacked-config.ts; this file only draws them and builds their checks with check.ts.
 */
import {
  STACKED_DEFAULTS, STACKED_FIELD_NAMES, STACKED_LIMITS, STACKED_QUERY, type StackedConfig, type StackedExample,
  buildStackedExample,
} from "../lib/state/stacked-config.js";
import { type Matrix, maxAbsDiff } from "../lib/core/matrix.js";
import type { Evaluation, stacked211AsPrinted, stacked21AsPrinted } from "../lib/stacked/as-printed.js";
import type { StackedForward, stackedForward } from "../lib/stacked/forward.js";
import { type StackedPage, ffnnChecked, rnnChecked, stepRowLabels } from "../lib/stacked/page.js";
import type { StackedParams } from "../lib/stacked/params.js";
import { type SourceEq, type ffnnForward, type stacked211Corrected, isPreActivationEq } from "../lib/stacked/stacked.js";
import { type LiveCellOptions, liveCell } from "./cell.js";
import type { Run } from "./notebook.js";
import { fdCheck, passes, sameCheck } from "./check.js";
import { heatmap } from "./heatmap.js";
import { fmt } from "./format.js";
import { type FormField, settingsForm } from "./settings-form.js";
import { indexLabels } from "./labels.js";

const FIELDS: FormField[] = ([
  ["n", "Batch size n"], ["T", "Steps T"], ["d", "Input width d"], ["h1", "Hidden h₁"], ["h2", "Hidden h₂"],
  ["a", "Classes a"], ["seed", "Seed"],
] as [keyof StackedConfig, string][]).map(([key, label]) => ({ key, label, min: STACKED_LIMITS[key][0], max: STACKED_LIMITS[key][1] }));

/**
 * Labelled number inputs for n, T, d, h₁, h₂, a and the seed. `value` is the last VALID StackedExample: an invalid
 * field shows one message (role="alert") and nothing downstream changes. The settings live in the URL
 * (`?n=4&seed=7`, lib/state/stacked-config.ts STACKED_QUERY).
 */
export function stackedForm(): HTMLFormElement & { value: StackedExample } {
  return settingsForm<StackedExample>({
    label: "Sizes and seed of the stacked RNN",
    className: "stacked-form",
    fields: FIELDS,
    defaults: STACKED_DEFAULTS,
    query: STACKED_QUERY,
    names: STACKED_FIELD_NAMES,
    validate: (raw) => buildStackedExample(Object.fromEntries(FIELDS.map((f) => [f.key, raw[f.key]]))),
  });
}

/** Axis names and a label for a matrix on the page. */
export interface MatrixAxes {
  label: string;
  rowName: string;
  colName: string;
}

const draw = (m: Matrix, axes: MatrixAxes) =>
  heatmap(m, { label: axes.label, rowName: axes.rowName, colName: axes.colName, rowLabels: indexLabels(m.rows), colLabels: indexLabels(m.cols) });

export interface SourceCellOptions extends MatrixAxes {
  /** The source's formula evaluated as printed (lib/stacked/as-printed.ts). */
  evaluation: Evaluation;
  /** The true value, from finite differences. */
  truth: Matrix;
  /** What `truth` is, e.g. "finite differences of CE₂". */
  against: string;
  /** The function that evaluated it, and its file (lib/stacked/as-printed.ts), as the page's cell names them. */
  fn: LiveCellOptions["fn"];
  file: string;
  /**
   * The symbol of the equation's left-hand side (docs/symbols.md), linked only when the formula as printed gives the
   * true value: a wrong one is no value of the symbol, which then names the corrected equation's cell instead.
   */
  symbol?: string;
}

/**
 * The live cell after one of the source's equations. If the formula as printed has the right shape and agrees with
 * `truth` within FD_TOL, its value with a passing check; otherwise its shape error or its numbers and the largest
 * difference from the truth, as plain labelled text (no check badge: the cell reports the source, the corrected
 * equation below it carries the check).
 */
export function sourceCell(o: SourceCellOptions): HTMLElement {
  const file = o.file;
  const e = o.evaluation;
  if (e.ok && e.value.rows === o.truth.rows && e.value.cols === o.truth.cols) {
    const check = fdCheck(e.value, o.truth, o.against);
    if (passes(check)) return liveCell({ value: draw(e.value, o), shape: [e.value.rows, e.value.cols], file, fn: o.fn, checks: [check], symbol: o.symbol });
  }
  const box = document.createElement("div");
  box.className = "as-written";
  const head = document.createElement("p");
  head.className = "as-written-head";
  const strong = document.createElement("strong");
  strong.textContent = "As written: ";
  head.append(strong);
  box.append(head);
  if (!e.ok) {
    head.append("no value — the shapes do not fit.");
    const reason = document.createElement("p");
    reason.className = "as-written-reason";
    reason.textContent = `Shape error: ${e.reason}`;
    box.append(reason);
    return liveCell({ value: box, file, fn: o.fn });
  }
  const v = e.value;
  if (v.rows !== o.truth.rows || v.cols !== o.truth.cols) {
    head.append(`a [${v.rows}, ${v.cols}] matrix where the gradient is [${o.truth.rows}, ${o.truth.cols}].`);
    box.append(draw(v, { ...o, label: `${o.label}, as written` }));
    return liveCell({ value: box, shape: [v.rows, v.cols], file, fn: o.fn });
  }
  head.append(`wrong value — differs from ${o.against} by up to ${fmt(maxAbsDiff(v, o.truth), 3)}.`);
  box.append(draw(v, { ...o, label: `${o.label}, as written` }));
  return liveCell({ value: box, shape: [v.rows, v.cols], file, fn: o.fn });
}

export interface GradCellOptions extends MatrixAxes {
  value: Matrix;
  truth: Matrix;
  against: string;
  fn: LiveCellOptions["fn"];
  file: string;
  /** The symbol the gradient is the value of (docs/symbols.md). */
  symbol?: string;
}

/** A gradient with its check against finite differences (FD_TOL). */
export function gradCell(o: GradCellOptions): HTMLElement {
  return liveCell({
    value: draw(o.value, o), shape: [o.value.rows, o.value.cols], file: o.file, fn: o.fn, checks: [fdCheck(o.value, o.truth, o.against)],
    symbol: o.symbol,
  });
}

/** One line of plain text reporting a formula as written: its shape error, or its largest difference from a truth. */
export function asWrittenLine(what: string, e: Evaluation, truth: Matrix, against: string): HTMLElement {
  const p = document.createElement("p");
  p.className = "as-written-line";
  const strong = document.createElement("strong");
  strong.textContent = `${what}: `;
  p.append(strong);
  if (!e.ok) p.append(`no value — ${e.reason}.`);
  else if (e.value.rows !== truth.rows || e.value.cols !== truth.cols) p.append(`shape [${e.value.rows}, ${e.value.cols}], not [${truth.rows}, ${truth.cols}].`);
  else p.append(`differs from ${against} by up to ${fmt(maxAbsDiff(e.value, truth), 3)}.`);
  return p;
}

/** The left-hand side of the source's equation (k) in §2.1 and §2.1.1, and the names of its heatmap's axes. */
const AXES: Record<SourceEq, readonly [string, string, string]> = {
  1: ["Z⁽³⁾", "r", "class"], 2: ["W_h₂a⁽³⁾", "i", "j"], 3: ["Z⁽²⁾", "r", "unit"], 4: ["W_h₁h₂⁽²⁾", "i", "j"],
  5: ["W_h₂h₂⁽²⁾", "i", "j"], 6: ["Z⁽¹⁾", "r", "unit"], 7: ["W_xh₁⁽¹⁾", "i", "j"], 8: ["W_h₁h₁⁽¹⁾", "i", "j"],
};
/**
 * The symbol of equation (k)'s left-hand side, after the quantity (`dCE_dZ2` in §2.1, whose L is CE_t; `dL_dZ2` in §2.1.1,
 * whose L is (1/T) Σ_t CE_t): the same name means another value in the two sections, so the ids differ.
 */
const SYMBOL: Record<SourceEq, string> = { 1: "Z3", 2: "Wh2a", 3: "Z2", 4: "Wh1h2", 5: "Wh2h2", 6: "Z1", 7: "Wxh1", 8: "Wh1h1" };
const axes = (k: SourceEq, loss: string, step: string): MatrixAxes => ({ label: `∂${loss}/∂${AXES[k][0]}${step}`, rowName: AXES[k][1], colName: AXES[k][2] });

/**
 * The lib/ function behind a cell's values and its file, written in the page's cell (`{ file: "lib/stacked/as-printed.ts",
 * fn: stacked21AsPrinted }`): the build sees them there and puts that function's code after the cell
 * (scripts/lib-code.ts), and the live cell hashes the function itself, the one lib/stacked/page.ts called. `F` is
 * that function's type, so a function of another signature does not type-check.
 */
export interface CodeOf<F extends Function> {
  file: string;
  fn: F;
}

/** What §2.1.1's cells are checked against: the source's loss. */
export const FD_SOURCE = "finite differences of (1/T) Σₜ CEₜ";

/** One of §2.1's corrected equations (4′), (5′), (7′), (8′) as its own function of lib/stacked/stacked.ts (`dLdWh1h2` …). */
export type StepGradient = (p: StackedParams, f: StackedForward, t?: number) => Matrix;

/** What the cells compute from: the page's `run` and the forward passes it computed through it. */
export interface StackedInputs {
  /** The page's notebook `run` (src/components/notebook.ts): every value a cell shows is computed through it. */
  run: Run;
  p: StackedParams;
  /** X_t at index t − 1. */
  X: readonly Matrix[];
  /** The forward pass of the source's loss (1/T) Σ_t CE_t, through `run(stackedForward, …)`. */
  fSource: StackedForward;
  /** The same with §2.1's loss CE_t alone, through `run(withWeights, fSource, …)`. */
  f21: StackedForward;
}

/**
 * The cells of /stacked for one configuration: the source's equations of §2.1 and §2.1.1 as printed and corrected,
 * the forward passes of §1.1 and §1.2 with their checks. Each cell takes the function that computes its value from
 * the page (`CodeOf`), so that the page names it, and computes the value through the page's `run`, so that a
 * reader's version of that function shows in its place (and the cell's checks apply to it); what the checks compare
 * with, and the numbers of the text, are lib/stacked/page.ts's (`v`).
 */
export function stackedCells(v: StackedPage, { run, p, X, fSource, f21 }: StackedInputs) {
  const { t, T, n } = v;
  const fd21 = `finite differences of CE${t === 1 ? "₁" : "₂"}`;
  const at21 = (k: SourceEq) => (isPreActivationEq(k) ? ` at t = ${t}` : "");
  const rowsOfSteps = stepRowLabels(T, n);
  return {
    /** stacked 2.1 (k) as printed, against finite differences of CE_t. */
    cell21: (k: SourceEq, code: CodeOf<typeof stacked21AsPrinted>) => {
      const evaluation = run(code.fn, k, p, f21, t);
      return sourceCell({ evaluation, truth: v.truth21(k), against: fd21, ...code, ...axes(k, `CE${t}`, at21(k)), symbol: `dCE_d${SYMBOL[k]}` });
    },
    /** stacked 2.1 (k′), corrected: the equation's own function (`dLdWh1h2` for (4′) …). */
    fixed21: (k: SourceEq, code: CodeOf<StepGradient>) => {
      const value = run(code.fn, p, f21, t);
      return gradCell({ value, truth: v.truth21(k), against: fd21, ...code, ...axes(k, `CE${t}`, at21(k)), symbol: `dCE_d${SYMBOL[k]}` });
    },
    /** stacked 2.1.1 (k) as printed, against finite differences of the source's loss. */
    cell211: (k: SourceEq, code: CodeOf<typeof stacked211AsPrinted>) => {
      const evaluation = run(code.fn, k, p, fSource);
      return sourceCell({
        evaluation, truth: v.truth211(k), against: FD_SOURCE, ...code, ...axes(k, "L", isPreActivationEq(k) ? " (all steps)" : ""),
        symbol: `dL_d${SYMBOL[k]}`,
      });
    },
    /** stacked 2.1.1 (k′), corrected. */
    fixed211: (k: SourceEq, code: CodeOf<typeof stacked211Corrected>) => {
      const value = run(code.fn, k, p, fSource);
      return gradCell({ value, truth: v.truth211(k), against: FD_SOURCE, ...code, ...axes(k, "L", " (all steps)"), symbol: `dL_d${SYMBOL[k]}` });
    },
    /** stacked 2.1.1 (k) with §2.1 (k) as printed for each summand, in one line (lib's: a line of text, not a cell). */
    composed: (k: SourceEq) => {
      return asWrittenLine(`With §2.1 (${k}) as written for each summand`, v.composed211(k), v.truth211(k), "finite differences");
    },
    /** How far stacked 2.1 (k) as printed is from the truth, for the text of an erratum (lib's). */
    diff21: (k: SourceEq) => {
      const asPrinted = v.asPrinted21(k);
      return asPrinted.ok ? fmt(maxAbsDiff(asPrinted.value, v.truth21(k)), 3) : "no value (shape error)";
    },
    /** §1.1 (1)–(3): one output of the network on the batch X = X₁, checked against the examples one at a time. */
    ffCell: (which: "H1" | "H2" | "A", code: CodeOf<typeof ffnnForward>) => {
      const { value: M, error } = ffnnChecked(run(code.fn, p, X[0]!), v.ffRows)[which];
      const [name, colName] = which === "A" ? ["A⁽³⁾", "class"] : [which === "H1" ? "H⁽¹⁾" : "H⁽²⁾", "unit"];
      return liveCell({
        value: heatmap(M, { label: `${name} of the batch X = X₁`, rowName: "r", colName, rowLabels: indexLabels(M.rows), colLabels: indexLabels(M.cols) }),
        shape: [M.rows, M.cols], ...code, symbol: `ff${which}`,
        checks: [sameCheck(which === "A" ? "the examples one at a time, and every row sums to 1" : "the examples one at a time", error, 0)],
      });
    },
    /**
     * §1.2 (1), (2), (3) for k = 0, 1, 2: every step of the forward pass, against a loop over batch rows and steps.
     * Its value is `fSource`, which the page computed through `run(stackedForward, …)`.
     */
    rnnCell: (k: 0 | 1 | 2, code: CodeOf<typeof stackedForward>) => {
      const { value: ours, error } = rnnChecked(fSource, v.perEx)[k]!;
      return liveCell({
        value: heatmap(ours, { label: `${["H_t⁽¹⁾", "H_t⁽²⁾", "A_t⁽³⁾"][k]} for t = 1 … ${T}`, rowName: "t·r", colName: k < 2 ? "unit" : "class", rowLabels: rowsOfSteps, colLabels: indexLabels(ours.cols) }),
        shape: [T, n, ours.cols], ...code, symbol: (["H1", "H2", "A"] as const)[k],
        checks: [sameCheck(k < 2 ? "a loop over batch rows and steps (stackedForwardPerExample)" : "a loop over batch rows and steps, and every row sums to 1", error, 0)],
      });
    },
  };
}

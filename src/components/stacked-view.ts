/**
 * View helpers of the stacked-RNN page (src/stacked.md): its own small configuration form (the shared configForm
 * is for the one-layer RNN of the main derivation), and the cells that show one of the source's equations
 * evaluated as written. No maths here: every number comes from lib/stacked/stacked.ts and lib/state/stacked-config.ts; this file
 * only compares two given matrices with lib's maxAbsDiff and draws them.
 */
import {
  STACKED_DEFAULTS, STACKED_FIELD_NAMES, STACKED_LIMITS, STACKED_QUERY, type StackedConfig, type StackedExample,
  buildStackedExample,
} from "../lib/state/stacked-config.js";
import { type Matrix, maxAbsDiff } from "../lib/core/matrix.js";
import type { Evaluation } from "../lib/stacked/stacked.js";
import { liveCell } from "./cell.js";
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
  /** The source's formula evaluated as written (lib/stacked/stacked.ts). */
  evaluation: Evaluation;
  /** The true value, from finite differences. */
  truth: Matrix;
  /** What `truth` is, e.g. "finite differences of CE₂". */
  against: string;
  tolerance: number;
  fn: string;
}

/**
 * The live cell after one of the source's equations. If the formula as written has the right shape and agrees with
 * `truth` within `tolerance`, its value with a passing check; otherwise its shape error or its numbers and the
 * largest difference from the truth, as plain labelled text (no check badge: the cell reports the source, the
 * corrected equation below it carries the check).
 */
export function sourceCell(o: SourceCellOptions): HTMLElement {
  const file = "lib/stacked/stacked.ts";
  const e = o.evaluation;
  if (e.ok && e.value.rows === o.truth.rows && e.value.cols === o.truth.cols) {
    const err = maxAbsDiff(e.value, o.truth);
    if (err <= o.tolerance) {
      return liveCell({
        value: draw(e.value, o), shape: [e.value.rows, e.value.cols], file, fn: o.fn,
        check: { against: o.against, maxAbsError: err, tolerance: o.tolerance },
      });
    }
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
  tolerance: number;
  fn: string;
  file?: string;
}

/** A gradient with its check against an independent computation (finite differences). */
export function gradCell(o: GradCellOptions): HTMLElement {
  return liveCell({
    value: draw(o.value, o), shape: [o.value.rows, o.value.cols], file: o.file ?? "lib/stacked/stacked.ts", fn: o.fn,
    check: { against: o.against, maxAbsError: maxAbsDiff(o.value, o.truth), tolerance: o.tolerance },
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

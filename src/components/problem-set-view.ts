/**
 * The Problem sets page's parts: the form (settings-form.ts with the set's schema, lib/state/problem-set-config.ts),
 * the list of students with their case files and Check links, the key's downloads, and the sheets — one student's
 * on screen, every student's on paper, each on a page of its own after a cover with the list. Every number and file
 * comes from lib/tools/problem-set.ts; this file only draws.
 *
 * The sheets for print are built when printing starts (the print media query, or `beforeprint`), not on every edit:
 * a set of 200 students at the largest sizes is some 100,000 table cells.
 */
import { PROBLEM_SET_DEFAULT, PROBLEM_SET_LIMITS, PROBLEM_SET_QUERY, setFragment, validateProblemSet } from "../lib/state/problem-set-config.js";
import {
  ASKABLE, MAX_STUDENTS, type ProblemSet, SHEET_DIGITS, STUDENT_ID_RULE, type SheetTable, blankTables, caseFiles, caseTables,
  setKeyCsv, setKeyJson, setKeyLatex, studentCase, studentCaseText, studentsOf,
} from "../lib/tools/problem-set.js";
import { QUANTITIES } from "../lib/tools/compare-answer.js";
import { el } from "./check-session.js";
import { downloadButton, saveBlob, saveText } from "./download.js";
import { notation } from "./notation.js";
import { settingsForm } from "./settings-form.js";

const L = PROBLEM_SET_LIMITS;
const range = (r: readonly [number, number]) => `${r[0]}–${r[1]}`;
const H0_TEXT = { zeros: "zeros", "point-one": "0.1 · ones" } as const;

/** The set's settings: sizes, h⁽⁰⁾, base seed, students (a count or a list), what is asked and what the check shows. */
export function problemSetForm(): HTMLFormElement & { value: ProblemSet } {
  return settingsForm<ProblemSet>({
    label: "Problem set", className: "problem-set-form", defaults: PROBLEM_SET_DEFAULT, validate: validateProblemSet,
    query: PROBLEM_SET_QUERY,
    fields: [
      { key: "vocab", label: "vocab", min: L.vocab[0], max: L.vocab[1], hint: range(L.vocab) },
      { key: "d_model", label: "d_model", min: L.d_model[0], max: L.d_model[1], hint: range(L.d_model) },
      { key: "hidden", label: "hidden", min: L.hidden[0], max: L.hidden[1], hint: range(L.hidden) },
      { key: "tau", label: "τ (steps)", min: L.tau[0], max: L.tau[1], hint: range(L.tau) },
      { key: "h0", label: "h⁽⁰⁾", options: [["zeros", "zeros"], ["point-one", "0.1 · ones"]] },
      { key: "seed", label: "base seed", min: L.seed[0], max: L.seed[1], hint: "0–4294967295" },
      { key: "count", label: "students", min: L.count[0], max: L.count[1], hint: `numbered 1–${MAX_STUDENTS}, unless listed below` },
      { key: "mode", label: "the check shows", options: [["show", "the key's values"], ["hide", "only which entries are wrong"]] },
      {
        key: "ids", label: "student ids (optional)", type: "textarea", placeholder: "ada, s1234567, b.lee@uni …",
        hint: `${STUDENT_ID_RULE} each, separated by commas, spaces or new lines; at most ${MAX_STUDENTS}. Not put in the address.`,
      },
      { key: "ask", label: "the sheets ask for", type: "checkboxes", options: ASKABLE.map((k) => [k, k]) },
    ],
  });
}

/** The Check page's address, with the fragment of a set (and a student). */
const checkLink = (fragment: string) => `${new URL("./check", location.href).href}#${fragment}`;

function setSummary(set: ProblemSet): string {
  const { vocab, dModel, hidden, tau } = set.sizes;
  return `vocab = ${vocab}, d_model = ${dModel}, hidden = ${hidden}, τ = ${tau}, h⁽⁰⁾ = ${H0_TEXT[set.h0]}, base seed ${set.seed}, `
    + `${set.ids.length} student${set.ids.length === 1 ? "" : "s"}; the check shows ${set.mode === "hide" ? "only which entries are wrong" : "the key's values"}.`;
}

/** The students: id, derived seed, case file and Check link; printed as the cover of the sheets. */
export function studentList(set: ProblemSet): HTMLElement {
  const students = studentsOf(set);
  const rows = students.map(({ id, seed }) => {
    const link = checkLink(setFragment(set, id));
    const file = downloadButton("case", `case-${id}.json`, () => new Blob([studentCaseText(set, id)], { type: "application/json" }));
    file.setAttribute("aria-label", `Download the case of student ${id}`);
    return el("tr", { "data-student": id },
      el("th", { scope: "row" }, id), el("td", { class: "num" }, String(seed)), el("td", { class: "no-print" }, file),
      el("td", { class: "student-link" }, el("a", { href: link }, link)));
  });
  const classLink = checkLink(setFragment(set));
  const zip = el("button", { type: "button", id: "cases-zip" }, `All ${students.length} cases (zip)`);
  zip.addEventListener("click", async () => {
    const { casesZip } = await import("./case-zip.js");
    saveBlob(casesZip(caseFiles(set)), `cases-base-seed-${set.seed}.zip`);
  });
  return el("div", { class: "problem-print problem-cover", id: "students" },
    el("p", { class: "print-only cover-title" }, "Problem set: the students, their seeds and their Check links"),
    el("p", { class: "set-summary", id: "set-summary" }, setSummary(set)),
    el("p", { class: "no-print" }, zip),
    el("div", { class: "scroll" }, el("table", { class: "student-table", id: "student-table" },
      el("caption", {}, "Each student's case comes from their seed; their link opens it on the Check page."),
      el("thead", {}, el("tr", {}, ...["student", "seed", "case file", "Check link"].map((h, i) =>
        el("th", { scope: "col", ...(i === 2 ? { class: "no-print" } : {}) }, h)))),
      el("tbody", {}, ...rows))),
    el("p", { class: "class-link" }, "One link for the whole class, on which each student enters their id: ",
      el("a", { href: classLink, id: "class-link" }, classLink)));
}

/** The key of the whole set, as JSON (every case and answer), CSV and LaTeX (the quantities asked). */
export function keyDownloads(set: ProblemSet): HTMLElement {
  const name = `key-base-seed-${set.seed}`;
  const button = (label: string, ext: string, type: string, make: (s: ProblemSet) => string) => {
    const b = el("button", { type: "button", id: `key-${ext}` }, label);
    b.addEventListener("click", () => saveText(make(set), `${name}.${ext}`, type));
    return b;
  };
  return el("p", { class: "downloads no-print" },
    button("Key (JSON)", "json", "application/json", setKeyJson), " ",
    button("Key (CSV)", "csv", "text/csv", setKeyCsv), " ",
    button("Key (LaTeX tables)", "tex", "application/x-tex", setKeyLatex));
}

function tableOf(t: SheetTable, blank: boolean): HTMLElement {
  const caption = el("caption", {}, el("span", { class: "sheet-name" }, ...notation(t.name)), el("span", { class: "sheet-note" }, ` ${t.note}`));
  // A number has no row label: its table is its name and one cell.
  const labelled = t.rowLabels.length > 1 || t.rowLabels[0] !== "" || t.corner !== "";
  const head = el("tr", {}, ...(labelled ? [el("th", { scope: "col", class: "corner" }, t.corner)] : []),
    ...t.colLabels.map((c) => el("th", { scope: "col" }, c)));
  const body = t.rowLabels.map((r, i) => el("tr", {}, ...(labelled ? [el("th", { scope: "row" }, r)] : []),
    ...t.cells[i]!.map((c) => el("td", blank ? { class: "blank" } : {}, c))));
  return el("table", { class: `sheet-table${blank ? " sheet-blank" : ""}`, "data-key": t.key }, caption, el("thead", {}, head), el("tbody", {}, ...body));
}

const MODEL =
  "x⁽ᵗ⁾ = row x⁽ᵗ⁾ of E (eq 1.3); a⁽ᵗ⁾ = x⁽ᵗ⁾Uᵀ + h⁽ᵗ⁻¹⁾Wᵀ + b (1.4); h⁽ᵗ⁾ = tanh a⁽ᵗ⁾ (1.5); o⁽ᵗ⁾ = h⁽ᵗ⁾Vᵀ + c (1.6); "
  + "ŷ⁽ᵗ⁾ = softmax o⁽ᵗ⁾ (1.7); L⁽ᵗ⁾ = −log ŷ⁽ᵗ⁾ at the target (1.1); L = (1/τ) Σ L⁽ᵗ⁾ (1.2).";

/** One student's sheet: the case's tables, the blanks for the quantities asked, and where to check. */
export function sheet(set: ProblemSet, id: string): HTMLElement {
  const k = studentCase(set, id);
  const asked = set.ask.map((key) => QUANTITIES.find((q) => q.key === key)!.name).join(", ");
  return el("article", { class: "sheet", "data-student": id },
    el("h3", { class: "sheet-title" }, `Backpropagation through time — student ${id}`),
    el("p", { class: "sheet-model" }, `The RNN of A. Singh's BPTT Derivations, rows as vectors, weights stored [out, in]: ${MODEL}`),
    el("p", { class: "sheet-task" }, "Compute ", ...notation(asked), " for the case below and write them in the blanks. "
      + `Indices from 0, as in the JSON; row [t − 1] is time step t. Numbers are shown to ${SHEET_DIGITS} significant digits; `
      + "your case file holds them in full."),
    el("div", { class: "sheet-tables" }, ...caseTables(k).map((t) => tableOf(t, false))),
    el("h4", {}, "Your answers"),
    el("div", { class: "sheet-tables" }, ...blankTables(set).map((t) => tableOf(t, true))),
    el("p", { class: "sheet-check" }, "Check your answer: ", el("span", { class: "sheet-url" }, checkLink(setFragment(set, id)))));
}

/**
 * On screen, one student's sheet (a picker chooses whose) and a Print button; on paper, every student's sheet, one per
 * page. Call the returned `dispose` when the set changes (the cell's invalidation).
 */
export function sheets(set: ProblemSet): { element: HTMLElement; dispose: () => void } {
  const ids = set.ids;
  const picker = el("select", { id: "sheet-student", "aria-label": "Show the sheet of student" }, ...ids.map((id) => new Option(id, id)));
  const preview = el("div", { class: "sheet-preview", id: "sheet-preview" }, sheet(set, ids[0]!));
  picker.addEventListener("change", () => preview.replaceChildren(sheet(set, picker.value)));
  const printed = el("div", { class: "problem-print sheets-print", id: "sheets-print" });
  const fill = () => {
    if (printed.childElementCount !== ids.length) printed.replaceChildren(...ids.map((id) => sheet(set, id)));
  };
  const print = el("button", { type: "button", id: "print-sheets" }, `Print all ${ids.length} sheets`);
  print.addEventListener("click", () => {
    fill();
    window.print();
  });
  const media = matchMedia("print");
  const onMedia = () => {
    if (media.matches) fill();
  };
  media.addEventListener("change", onMedia);
  addEventListener("beforeprint", fill);
  const element = el("div", { class: "sheets" },
    el("p", { class: "no-print sheet-controls" }, el("label", { for: "sheet-student" }, "Sheet of student "), picker, " ", print),
    el("div", { class: "no-print" }, preview), printed);
  return {
    element,
    dispose: () => {
      media.removeEventListener("change", onMedia);
      removeEventListener("beforeprint", fill);
    },
  };
}
